"""H2 in a box: one small GPAW calculation, identical on both sides of the GPAW comparison.

    [mpiexec -n N] INTERPRETER gpaw_h2_energy.py RESULT.json

Real-space grid (fd mode, h=0.2 Å, 3 Å of vacuum, split among the ranks; GPAW's classic
calculator), PBE, the PAW setups from GPAW_SETUP_PATH (or
gpaw-data's). PBE is GPAW's own kernel, whose datasets gpaw-data has; the functionals only libxc
computes are checked by GPAW's own XC tests in the suite. Rank 0 writes the
total energy (eV) and the number of ranks to RESULT.json; the energies
of two builds are then compared to 1e-6 eV (harness/suites/gpaw_suite.py).
"""

import json
import sys

from ase import Atoms
from gpaw import GPAW
from gpaw.mpi import world


def main() -> None:
    molecule = Atoms("H2", positions=[(0.0, 0.0, 0.0), (0.0, 0.0, 0.74)])
    molecule.center(vacuum=3.0)
    # Every rank one part of the grid (domain decomposition), by GPAW's classic code
    # (legacy_gpaw): its new code distributes the subspace matrices of a domain-decomposed run
    # over a BLACS grid, which needs ScaLAPACK, and neither build has ScaLAPACK.
    calculation = GPAW(mode="fd", h=0.2, xc="PBE", txt=None, parallel={"domain": world.size}, legacy_gpaw=True,
                       convergence={"energy": 1e-8, "density": 1e-7, "eigenstates": 1e-10})
    molecule.calc = calculation
    energy = molecule.get_potential_energy()
    if world.rank == 0:
        with open(sys.argv[1], "w") as stream:
            json.dump({"energy_eV": energy, "ranks": world.size}, stream)


if __name__ == "__main__":
    main()
