"""The examples in xlpy's docstrings run as written (a broken one once went unnoticed for weeks)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import xlpy

MODULES = sorted(m.name for m in pkgutil.walk_packages(xlpy.__path__, "xlpy.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), report=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples fail"


def test_the_examples_are_found():
    """The walk reaches the modules whose examples the README and the docs quote."""
    assert {"xlpy.engine.numbers", "xlpy.files.sources", "xlpy.files.calendars", "xlpy.excel.udfs"} <= set(MODULES)
    counted = sum(doctest.testmod(importlib.import_module(n), report=False).attempted for n in MODULES)
    assert counted >= 80
