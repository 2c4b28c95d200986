"""ASE, the Atomic Simulation Environment: pure Python, installed from its pure wheel (there is
nothing to compile). GPAW requires it (ase>=3.29.0) and builds on it: Atoms, units, the
periodic table, structure builders and file formats.

A recipe exists for what it needs at run time, not for how it builds: its metadata requires
matplotlib, which a package without a recipe would bring along, and with it pillow (libjpeg and
zlib headers), kiwisolver and contourpy, all compiled. matplotlib is for plotting only:
`import ase` imports numpy alone, and none of ase's modules that GPAW imports at start-up or
while it reads its setups imports matplotlib (ase imports it inside the functions that plot,
or at the top of ase.dft.bz, ase.spectrum.dosdata, ase.spectrum.doscollection and
ase.utils.plotting, of which GPAW imports the two ase.spectrum ones, in its `gpaw dos`
command only). A user who wants plots names matplotlib in MODULES.

Its data files (spacegroup.dat, the ase.db web templates, the GUI's translations, test data)
are read by path: ase.io.cif and ase.spacegroup open spacegroup.dat beside their `__file__`.
"""

from slither.recipes import pinned_wheel

name = "ase"
version = "3.29.0"
source = pinned_wheel("ase", version, "ase-3.29.0-py3-none-any.whl",
                      "7b9dd103f007810339c24acfee2f6b677c0c48443b21d3c98e52959246cf4ebf")
build_system = "pure"
licence = "LGPL-2.1-or-later"  # the wheel's License-Expression
# Its Requires-Dist without matplotlib (see above); typing_extensions, which only its plugin
# modules (ase._4.plugins) import, is small and pure, and stated as its metadata states it.
runtime_requirements = ["numpy>=1.21.6", "scipy>=1.8.1", "typing_extensions>=4.13.1"]
# Reading a CIF file or building a crystal from its space group opens spacegroup.dat by path:
# the data goes to SLITHER_DATA_DIR once per node (stated, not left to the build's reading
# of the code, which finds the same for ase.db's templates and the GUI's translations too).
data_by_path = {"ase": True}
