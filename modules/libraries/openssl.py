"""OpenSSL 3.0 (libssl.a, libcrypto.a) for CPython's _ssl and _hashlib, built from source with the
TARGET's compiler.

Debian's .orig tarball of bookworm's OpenSSL 3.0.20: upstream's release file itself (Debian ships
upstream's signature beside it), so the same bytes are also at upstream's download URL. 3.0 is the
series bookworm and CPython 3.11.2 were built and tested with; the 3.5 series (trixie) is about
three times the source and builds correspondingly longer.

What the build needs from the host: perl with its core modules (Configure is Perl and uses
IPC::Cmd, File::Copy, FindBin and Getopt::Std, which Debian ships in perl-modules, not in
perl-base: the `perl` package), make. Nothing of OpenSSL's is taken from the host.

Static only, the legacy provider built into libcrypto (no-module: a static binary cannot load
a provider module), no tests or documentation. The openssl program is built and installed too
(bin/openssl): 3.0's Configure has no no-apps. Configuration and
certificates are the node's own: --openssldir=/etc/ssl, where Debian and SUSE keep openssl.cnf
and certs/ (install_sw installs only the libraries and headers, nothing there). Left out for musl,
whose headers have no <linux/...>: the AF_ALG engine (no-afalgeng: linux/if_alg.h), the secure
heap (no-secure-memory: linux/mman.h for mlock2; only used after CRYPTO_secure_malloc_init,
which CPython never calls) and async jobs (no-async: musl has no makecontext/swapcontext).
"""

from slither.recipes import DebianSource, Source

name = "openssl"
version = "3.0.20"
source = Source("openssl_3.0.20.orig.tar.gz", "c80a01dfc70ece4dc21168932c37739042d404d46ccc81a5986dd75314ecda6f",
                urls=("https://github.com/openssl/openssl/releases/download/openssl-3.0.20/openssl-3.0.20.tar.gz",),
                debian=DebianSource("openssl", versions=("3.0.20-1~deb12u2",)))
build_system = "autotools"
licence = "Apache-2.0"
configure_script = "./Configure"
configure_flags = [
    "--libdir=lib", "--openssldir=/etc/ssl",
    "no-shared", "no-module", "no-tests",
    "no-afalgeng", "no-secure-memory", "no-async",
]
# Its "compiler:" line would name the BUILD_DIR it was built in (see the patch).
patches = ["openssl/buildinf-without-build-paths.patch"]
# Libraries and headers only: `install` would also write openssldir (/etc/ssl) and the manuals.
install_target = "install_sw"
