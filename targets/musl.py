"""musl libc through Debian's musl-gcc (packages musl-tools, musl-dev): fully static, no NSS.

musl-gcc is gcc with a specs file that swaps glibc for musl: it searches only musl's headers
and /usr/lib/x86_64-linux-musl, so none of Debian's other -dev libraries (built for glibc)
can be used. Stdlib modules whose libraries have no musl build are left out and the summary
says so; zlib is built from its Debian source by a library recipe (modules/libraries/zlib.py).
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
missing_library_reason = ("no musl build of {archive}: Debian's ({package}) is built for glibc, "
                          "and musl-gcc searches only musl's libraries")
library_recipes = ("zlib",)
toolchain_hint = "Debian: apt-get install musl-tools musl-dev"
# No BLAS/LAPACK (slither.plan.toolchain_libraries): numpy or scipy with BLAS is refused at plan time.
lacks = {"blas": "Debian's libopenblas.a is built for glibc, and musl-gcc searches only musl's libraries"}
openssl_config = ""   # no OpenSSL in a musl build
# The host interpreter is a musl program: pip installs musllinux wheels only, so the compiled
# build tools (Cython, ninja) come from their musllinux pins in modules/build_tools/wheels.py.
wheel_platform = "musllinux"
