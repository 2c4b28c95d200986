"""What package builds need in the HOST interpreter, pinned by the sha256 of each wheel.

Package builds run without build isolation (no index, no network), so every build backend
they use comes from here: one tools prefix per CPython series, installed with the host
interpreter from these exact files. The set is closed: pip resolves it with --no-index and no
missing dependency (setuptools vendors its own). Cython ships per-version wheels, hence one
list per series; the rest are pure Python except ninja's and pkgconf's wheels, which carry a
linux x86_64 binary. Compiled wheels exist per libc: a TARGET's `wheel_platform` ("manylinux" for glibc,
"musllinux" for TARGET=musl, whose host interpreter is a musl program) picks the list.

To move a pin: `pip download --no-deps --only-binary :all: --python-version 3.X NAME==VERSION`
(add `--platform musllinux_1_2_x86_64` for the musl lists), then `sha256sum` the file and
update every list.
"""

from slither.recipes import pinned_wheel

name = "build-tools"


def _pure_python(series):
    return (
        pinned_wheel("pip", "25.1.1", "pip-25.1.1-py3-none-any.whl",
                     "2913a38a2abf4ea6b64ab507bd9e967f3b53dc1ede74b01b0931e1ce548751af", series),
        pinned_wheel("setuptools", "80.9.0", "setuptools-80.9.0-py3-none-any.whl",
                     "062d34222ad13e0cc312a4c02d73f059e86a4acbfbdea8f8f76b28c99f306922", series),
        pinned_wheel("wheel", "0.45.1", "wheel-0.45.1-py3-none-any.whl",
                     "708e7481cc80179af0e556bbf0cc00b8444c7321e2700b8d8580231d13017248", series),
        pinned_wheel("meson", "1.8.2", "meson-1.8.2-py3-none-any.whl",
                     "274b49dbe26e00c9a591442dd30f4ae9da8ce11ce53d0f4682cd10a45d50f6fd", series),
        pinned_wheel("meson-python", "0.18.0", "meson_python-0.18.0-py3-none-any.whl",
                     "3b0fe051551cc238f5febb873247c0949cd60ded556efa130aa57021804868e2", series),
        pinned_wheel("pyproject-metadata", "0.9.1", "pyproject_metadata-0.9.1-py3-none-any.whl",
                     "ee5efde548c3ed9b75a354fc319d5afd25e9585fa918a34f62f904cc731973ad", series),
        pinned_wheel("packaging", "25.0", "packaging-25.0-py3-none-any.whl",
                     "29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484", series),
    )


# The compiled tools, per wheel platform: ninja's binary serves every series, Cython has one
# wheel per series. (file name, sha256)
_NINJA = {
    "manylinux": ("ninja-1.11.1.4-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.whl",
                  "096487995473320de7f65d622c3f1d16c3ad174797602218ca8c967f51ec38a0"),
    "musllinux": ("ninja-1.11.1.4-py3-none-musllinux_1_1_x86_64.whl",
                  "cf554e73f72c04deb04d0cf51f5fdb1903d9c9ca3d2344249c8ce3bd616ebc02"),
}
# pkg-config (pkgconf's own wheel: its binary and a `pkg-config` console script), so that meson
# finds the OpenBLAS recipe's openblas.pc on a machine without pkg-config (a bare login node), and
# no package build sees the .pc files of the machine's own libraries: it searches only
# PKG_CONFIG_PATH, which names the build's library prefixes.
_PKGCONF = {
    "manylinux": ("pkgconf-3.0.7.post0-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
                  "bd3ee4b5294a888d58462324cb83b7c0bc7150cc15b64b36aaf983e4b0ab90d5"),
    "musllinux": ("pkgconf-3.0.7.post0-py3-none-musllinux_1_2_x86_64.whl",
                  "e1d46ad90caa1e8558246e68c0469683b7c12c65ca662e3268aa3c4a4fd7636f"),
}
_CYTHON = {
    ("3.11", "manylinux"): ("cython-3.1.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                            "e05a36224e3002d48c7c1c695b3771343bd16bc57eab60d6c5d5e08f3cbbafd8"),
    ("3.13", "manylinux"): ("cython-3.1.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                            "80d0ce057672ca50728153757d022842d5dcec536b50c79615a22dda2a874ea0"),
    ("3.11", "musllinux"): ("cython-3.1.2-cp311-cp311-musllinux_1_2_x86_64.whl",
                            "aaae97d6d07610224be2b73a93e9e3dd85c09aedfd8e47054e3ef5a863387dae"),
    ("3.13", "musllinux"): ("cython-3.1.2-cp313-cp313-musllinux_1_2_x86_64.whl",
                            "63335513c06dcec4ecdaa8598f36c969032149ffd92a461f641ee363dc83c7ad"),
}

# (series, wheel platform) -> the closed set of wheels.
wheels = {
    (series, platform): _pure_python(series) + (
        pinned_wheel("ninja", "1.11.1.4", *_NINJA[platform], series),
        pinned_wheel("pkgconf", "3.0.7.post0", *_PKGCONF[platform], series),
        pinned_wheel("Cython", "3.1.2", *_CYTHON[(series, platform)], series),
    )
    for series, platform in _CYTHON
}
