"""The generated main.c: what it fixes in PyConfig, and its inittab."""

import pytest

from slither.link.main_c import MainOptions, render_main_c


def test_frozen_build_fixes_paths_so_getpath_probes_nothing():
    text = render_main_c(MainOptions(series="3.11"))
    assert '#define SLITHER_STDLIB_SUBDIR "lib/python3.11"' in text
    assert "#define SLITHER_STDLIB_FROZEN 1" in text
    assert "config->module_search_paths_set = 1;" in text
    assert "readlink(\"/proc/self/exe\"" in text
    assert "preconfig.configure_locale = 0;" in text  # no locale files
    assert "PyImport_FrozenModules = slither_frozen_modules;" in text


def test_unfrozen_build_puts_the_stdlib_on_sys_path():
    text = render_main_c(MainOptions(series="3.13", stdlib_frozen=False))
    assert "#define SLITHER_STDLIB_FROZEN 0" in text
    assert '"lib/python3.13"' in text


def test_extensions_enter_the_inittab_under_their_dotted_names():
    text = render_main_c(MainOptions(series="3.11", extensions=(
        ("numpy._core._multiarray_umath", "PyInit_numpy__core__multiarray_umath"),)))
    assert "extern PyObject *PyInit_numpy__core__multiarray_umath(void);" in text
    assert ('{"numpy._core._multiarray_umath", slither_in_package_PyInit_numpy__core__multiarray_umath},'
            in text)


def test_dotted_extensions_are_initialised_inside_their_package_context():
    text = render_main_c(MainOptions(series="3.11", extensions=(
        ("numpy._core._multiarray_umath", "PyInit_numpy__core__multiarray_umath"), ("_top", "PyInit__top"))))
    assert ('slither_init_in_package("numpy._core._multiarray_umath", PyInit_numpy__core__multiarray_umath)'
            in text)
    assert '{"_top", PyInit__top},' in text and "slither_in_package_PyInit__top" not in text
    assert "_PyImport_SwapPackageContext" in text
    assert "slither_init_in_package" not in render_main_c(MainOptions(series="3.11"))


def test_init_symbol_must_be_a_c_identifier():
    with pytest.raises(ValueError, match="not a C identifier"):
        render_main_c(MainOptions(series="3.11", extensions=(("x", "bad-symbol"),)))


def test_main_module_runs_only_when_nothing_else_was_asked():
    text = render_main_c(MainOptions(series="3.11", main_module="app.cli"))
    assert '#define SLITHER_MAIN_MODULE "app.cli"' in text
    assert "#if 1\n    if (config.run_command == NULL" in text


def test_openssl_is_pointed_at_node_local_configuration_unless_the_user_chose():
    text = render_main_c(MainOptions(series="3.11", openssl_config="/etc/ssl/openssl.cnf"))
    assert '#define SLITHER_OPENSSL_CONF "/etc/ssl/openssl.cnf"' in text
    assert 'getenv("OPENSSL_CONF") == NULL' in text


def test_nss_services_a_static_process_cannot_run_are_dropped_lazily():
    text = render_main_c(MainOptions(series="3.11"))
    assert '{"_slither_nss", PyInit__slither_nss}' in text
    assert 'slither_unsafe_nss_services[] = {"systemd", NULL}' in text
    assert "__nss_configure_lookup" in text and "#ifdef __GLIBC__" in text
def test_gfortran_runtime_gets_its_companions_right_after_it():
    from slither.link.main_c import module_link_flags
    manifest = {"extensions": [{"module": "pkg._ext", "libraries": ["openblas"], "role": "c"}],
                "link_libraries": ["gfortran", "m"]}
    assert module_link_flags([manifest]) == ["-lopenblas", "-lgfortran", "-lquadmath", "-lm"]
    assert module_link_flags([manifest], gfortran_companions=()) == ["-lopenblas", "-lgfortran", "-lm"]


def test_a_later_packages_link_libraries_come_after_its_libraries_even_if_named_before():
    """h5py's libhdf5.a needs -lm after it although numpy's manifest named -lm first."""
    from slither.link.main_c import module_link_flags
    numpy = {"extensions": [{"module": "numpy._core.x", "libraries": ["openblas"], "role": "c"}],
             "link_libraries": ["gfortran", "m"]}
    h5py = {"extensions": [{"module": "h5py.h5", "libraries": ["hdf5", "hdf5_hl"], "role": "c"}],
            "link_libraries": ["hdf5", "z", "m"]}
    flags = module_link_flags([numpy, h5py], gfortran_companions=())
    assert flags == ["-lopenblas", "-lgfortran", "-lhdf5_hl", "-lhdf5", "-lz", "-lm"]
