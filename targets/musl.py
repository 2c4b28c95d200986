"""musl libc through Debian's musl-gcc (packages musl-tools, musl-dev): fully static, no NSS.

musl-gcc is gcc with a specs file that swaps glibc for musl: it searches only musl's headers
and /usr/lib/x86_64-linux-musl, so none of Debian's other -dev libraries (built for glibc)
can be used. That costs little: every library the stdlib's C modules link is built from its
pinned recipe with musl-gcc (modules/libraries/), as for every TARGET, so a musl binary has the
same modules as a glibc one. musl-gcc does not see the Linux kernel's own headers, which
util-linux's configure wants for libuuid: the library steps get links to the host's
(kernel_headers_from_host). HOST_LIBRARIES cannot be used here.
"""

description = "musl-gcc, fully static musl libc (no C++ or Fortran: Debian has no musl g++)"
CC = "musl-gcc"
CXX = ""    # Debian ships no musl-g++: packages with C++ code (numpy) cannot be built
FC = ""
AR = "ar"
RANLIB = "ranlib"
CFLAGS = ()
static_link_flags = ("-static",)
environment = {
    # pkg-config would describe Debian's glibc builds of zlib, libffi, ...; musl has none there.
    "PKG_CONFIG_LIBDIR": "/usr/lib/x86_64-linux-musl/pkgconfig",
}
package_manager_hint = "apt-get install {package}"
# util-linux's configure stops without <linux/version.h>: the library steps get the host's kernel
# headers (linux/, asm/, asm-generic/, libc-independent), as a musl system's linux-headers gives them.
kernel_headers_from_host = True
# Why HOST_LIBRARIES finds nothing for this toolchain (said in that error).
missing_library_reason = ("no musl build of {archive}: Debian's ({package}) is built for glibc, "
                          "and musl-gcc searches only musl's libraries")
toolchain_hint = "Debian: apt-get install musl-tools musl-dev"
# No BLAS/LAPACK (slither.plan.toolchain_libraries): numpy or scipy with BLAS is refused at plan time.
lacks = {"blas": "OpenBLAS's LAPACK is Fortran, and Debian has no Fortran compiler or libgfortran for musl"}
openssl_config = "/etc/ssl/openssl.cnf"
# The host interpreter is a musl program: pip installs musllinux wheels only, so the compiled
# build tools (Cython, ninja) come from their musllinux pins in modules/build_tools/wheels.py.
wheel_platform = "musllinux"
