"""GNU toolchain, fully static glibc: the default TARGET."""

description = "gcc/g++/gfortran, fully static glibc"
CC = "gcc"
CXX = "g++"
FC = "gfortran"
AR = "ar"
RANLIB = "ranlib"
# Added to every C compile; CPython and packages keep their own optimisation flags.
CFLAGS = ()
# Applied only to the final executable; CPython's own build stays dynamic so that
# build backends can import freshly built extension modules.
static_link_flags = ("-static",)
environment = {}
# Where a missing static archive comes from, for the error message.
package_manager_hint = "apt-get install {package}"
# Debian's OpenSSL looks in /usr/lib/ssl (links into /etc/ssl); the binary reads the
# node-local file directly.
openssl_config = "/etc/ssl/openssl.cnf"
