"""libxc, the library of exchange-correlation functionals, built from source into one static libxc.a for GPAW.

Debian's .orig tarball of libxc 5.2.3 (bookworm's and trixie's, the same file), pinned by
sha256. It is upstream's git archive of the release tag (Debian's watch file reads GitLab's tag
archives): configure.ac, Makefile.am and CMakeLists.txt, but no generated configure script, so
neither of the build systems it ships runs without autoconf, automake and libtool (which Debian
runs, dh-autoreconf) or CMake on the build machine. Its generated sources are all in it (the
functional tables src/funcs_*.c, src/xc_funcs*.h, the maple2c kernels), so the patch adds a GNU
makefile that compiles what src/Makefile.am lists for the library, as automake would, and
writes the config.h and xc_version.h configure would write: build_system "makefile", nothing
beyond make, sed and the TARGET's compilers (its CC, AR, RANLIB, CFLAGS with -O2 -fPIC: GPAW's
real shared extension links the archive at build time).

Only the C library and its headers: no Fortran interfaces (GPAW calls libxc from C), no
xc-info programs, tests or shared library. Derivatives: GPAW calls exc, vxc (xc_*_exc_vxc) and
fxc (xc_lda_fxc, xc_gga_fxc, for linear response) and never kxc or lxc, so the third and fourth
derivatives are left out (KXC=no LXC=no, as configure's --disable-kxc --disable-lxc). That is
also libxc 5's own default; stated here because the generated kernels (src/maple2c, 148 MB of C)
carry the code of every derivative order behind XC_DONT_COMPILE_<order>, and compiling them is
nearly all of the build: each order left in makes it much longer.
"""

from slither.recipes import DebianSource, Source

name = "libxc"
version = "5.2.3"
source = Source("libxc_5.2.3.orig.tar.gz", "38b60ed552b46367175b370e1ad5409fcf45c49b71ed13706a65b485f06a5417",
                debian=DebianSource("libxc", versions=("5.2.3-1", "5.2.3-3")))
build_system = "makefile"
licence = "MPL-2.0"  # COPYING; Debian's copyright file, "Files: **"
patches = ["libxc/static-library-gnumakefile.patch"]
make_flags = ["KXC=no", "LXC=no"]
install_target = "install"
install_flags = ["PREFIX={prefix}"]
