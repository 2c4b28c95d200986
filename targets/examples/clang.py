"""Example site profile: LLVM clang against the system's glibc, fully static.

Use it by path (a site keeps such a file in its own tree):

    scons TARGET=targets/examples/clang.py

Every field a profile may set is shown here; see targets/gnu.py, musl.py and cray.py for the
built-in ones. Nothing in Slither knows which profile it got: a toolchain that needs something
new gets a new field, not a special case. Debian: apt-get install clang (clang and
clang++; no Fortran).
"""

description = "clang/clang++ (LLVM), fully static glibc"
CC = "clang"
CXX = "clang++"
FC = ""                        # no Fortran compiler in this toolchain
AR = "ar"                     # binutils; llvm-ar works too (Debian package llvm)
RANLIB = "ranlib"
CFLAGS = ()                    # added to every C compile (e.g. ("-march=znver3",))
static_link_flags = ("-static",)
environment = {}               # set for every compile and link (e.g. {"CRAYPE_LINK_TYPE": "dynamic"})
package_manager_hint = "apt-get install {package}"
openssl_config = "/etc/ssl/openssl.cnf"
mpi_compiler = ""              # an MPI-aware driver (Cray's cc) replaces any MPI recipe
missing_library_reason = ""    # empty: a missing static library of a stdlib module stops the build
library_recipes = ()           # C libraries built from modules/<name>.py with this toolchain first
toolchain_hint = "Debian: apt-get install clang"
passed_environment = ()       # caller variables the toolchain needs (fnmatch patterns, e.g. "CRAY_*")
