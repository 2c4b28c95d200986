"""The link filter drops only glibc's expected static-NSS warnings."""

from slither.link.quiet_link import filter_link_output

OUTPUT = [
    "/usr/bin/ld: libpython3.11.a(pwdmodule.o): in function `pwd_getpwuid':",
    "pwdmodule.c:162: warning: Using 'getpwuid_r' in statically linked applications requires at runtime "
    "the shared libraries from the glibc version used for linking",
    "/usr/bin/ld: main.o: in function `main':",
    "main.c:3: undefined reference to `PyInit_missing'",
    "collect2: error: ld returned 1 exit status",
]


def test_nss_warnings_go_and_real_errors_stay_with_their_context():
    shown, functions = filter_link_output(OUTPUT)
    assert functions == ["getpwuid_r"]
    assert shown == OUTPUT[2:]
