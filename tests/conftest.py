# ---------------------------------------------------------------------------
# LibreOffice gate for tests marked ``@pytest.mark.libreoffice`` (and the
# same gate for Node, ``@pytest.mark.node``: node and npm, see node_gate).
#
# * soffice found (XLPY_SOFFICE, then soffice/libreoffice on PATH): run.
# * soffice absent and CI unset/empty: skip.
# * soffice absent and CI set: fail at setup with a clear message, so CI can
#   never pass by silently skipping the LibreOffice checks.
#
# The gate runs in the setup hook (tryfirst), i.e. before any fixture of the
# test is built.  If another pytest_runtest_setup hook is ever needed in this
# file, call ``libreoffice_gate(item)`` from it instead of defining a second
# function of the same name.
#
# Parallel runs (pytest-xdist, ``-n auto --dist loadgroup`` in pyproject.toml):
# a test that uses a module-scoped fixture of its own module (a workbook built
# once, one soffice batch, one Pyodide start) is put in that module's
# ``xdist_group``, so the fixture is built once, on one worker; every other
# test is scheduled on its own.  A module whose shared fixtures are cheap and
# whose tests are long sets ``SPREAD_ACROSS_WORKERS = True``: its tests spread,
# each worker building the fixtures it needs.  See pytest_collection_modifyitems.
# ---------------------------------------------------------------------------
import os as _os

import pytest as _pytest


def libreoffice_gate(item) -> None:
    """Skip or fail ``item`` when it is marked ``libreoffice`` and soffice is absent."""
    if item.get_closest_marker("libreoffice") is None:
        return
    from xlpy.workbook.libreoffice import SOFFICE_ENV_VAR, find_soffice

    if find_soffice() is not None:
        return
    why = (
        "LibreOffice (soffice) not found: set "
        f"{SOFFICE_ENV_VAR} or put soffice/libreoffice on PATH "
        "(Debian: apt-get install libreoffice-calc-nogui poppler-utils)"
    )
    if _os.environ.get("CI", "").strip():
        _pytest.fail(f"{why}; CI is set, so LibreOffice tests must not be skipped", pytrace=False)
    _pytest.skip(why)


def node_gate(item) -> None:
    """Skip or fail ``item`` when it is marked ``node`` and node or npm is absent (same rule as LibreOffice)."""
    if item.get_closest_marker("node") is None:
        return
    import shutil

    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if not missing:
        return
    why = (
        f"{' and '.join(missing)} not found: the xlwings Lite tests run Pyodide (from the npm registry) "
        "in Node (Debian: apt-get install nodejs npm)"
    )
    if _os.environ.get("CI", "").strip():
        _pytest.fail(f"{why}; CI is set, so Node tests must not be skipped", pytrace=False)
    _pytest.skip(why)


@_pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    libreoffice_gate(item)
    node_gate(item)


def _shares_a_module_fixture(item) -> bool:
    """True when *item* uses (directly or through other fixtures) a non-function-scoped fixture of its module."""
    info = getattr(item, "_fixtureinfo", None)
    module = getattr(item, "module", None)
    if info is None or module is None or getattr(module, "SPREAD_ACROSS_WORKERS", False):
        return False
    for name in info.names_closure:
        for fixturedef in info.name2fixturedefs.get(name, ()):
            if fixturedef.scope != "function" and getattr(fixturedef.func, "__module__", None) == module.__name__:
                return True
    return False


def _name_the_group(item, group: str) -> None:
    """Give *item* the node id ``<id>@<group>`` that xdist's loadgroup scheduler reads.

    pytest-xdist 3.8 appends it by setting ``item._nodeid``, which pytest 9.2 no
    longer reads (the id is a structured ``_id``); there it is set here, and the
    scheduler sees the group.  tests/test_xdist_groups.py checks the id a worker ran.
    """
    structured = getattr(item, "_id", None)
    if structured is None or hasattr(item, "_nodeid"):
        return  # an older pytest: xdist's own hook appends the group
    item._id = type(structured).parse(f"{item.nodeid}@{group}")


@_pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: xdist's worker reads the xdist_group marks in its own hook of this name.
    in_groups = bool(getattr(config.option, "loadgroup", False))  # set on a worker of --dist loadgroup
    for item in items:
        if _shares_a_module_fixture(item):
            item.add_marker(_pytest.mark.xdist_group(item.module.__name__))
            if in_groups:
                _name_the_group(item, item.module.__name__)
