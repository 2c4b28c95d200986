"""Slither: build CPython and HPC extension modules into one fully static executable."""

__version__ = "0.1.0"
