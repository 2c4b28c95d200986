"""Slither's worked example of a user's own compiled code inside the static binary."""

from mycode._cstats import sum_of_squares  # C
from mycode._cyfib import fib  # Cython
from mycode._kernel import axpy  # Fortran, through f2py

__all__ = ["sum_of_squares", "fib", "axpy"]
