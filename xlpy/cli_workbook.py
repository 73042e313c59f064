"""Workbook commands of the ``xlpy`` command line (build, validate, render, refresh, vba)."""
