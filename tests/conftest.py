# ---------------------------------------------------------------------------
# LibreOffice gate for tests marked ``@pytest.mark.libreoffice`` (and the
# same gate for Node, ``@pytest.mark.node``: node and npm, see node_gate).
#
# * soffice found (XLPY_SOFFICE, then soffice/libreoffice on PATH): run.
# * soffice absent and CI unset, blank, 0, false, no or off (xlpy.workbook.libreoffice.ci_set): skip.
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
# each worker building the fixtures it needs.  A test using an expensive shared
# session fixture (SHARED_GROUPS, below) goes in that fixture's group instead.
# See pytest_collection_modifyitems.
#
# The environment (``ci_environment``, autouse): every test runs in the
# environment CI gives it, whatever the machine running the tests has set:
# ``TZ`` is UTC (with ``time.tzset()``), and ``SOURCE_DATE_EPOCH``, the
# package limits' ``XLPY_MAX_*`` and ``PYTHONDONTWRITEBYTECODE`` are unset, so a developer's time zone east of
# UTC, or a reproducible-build epoch left exported, does not change what a test
# sees.  ``CI`` and ``XLPY_SOFFICE`` are left as they are (the gates above read
# them).  A test that needs one of these sets it itself (``monkeypatch.setenv``
# and ``time.tzset()``, as the ``los_angeles`` fixture of
# tests/test_clock_set_apart.py does); the fixture does not use ``monkeypatch``,
# so a test's ``monkeypatch.undo()`` brings back UTC, not the machine's zone, and
# its teardown (after the test's own fixtures') puts back what was set before
# the test and calls ``time.tzset()`` again.  (``PYTHONDONTWRITEBYTECODE``, set
# in many container images, had every ``python -m xlpy`` a test runs compile
# the package again, a quarter to half a second each, some 40% of
# tests/test_cli.py's time: unset, the first writes ``__pycache__`` and the
# others read it.)  The same environment is set once
# for the whole session (``ci_session_environment``, autouse, session scope),
# before any module or session fixture is built, so a workbook a module builds
# once sees it too; the machine's values come back at the session's end.
# ---------------------------------------------------------------------------
import contextlib as _contextlib
from pathlib import Path as _Path

import pytest as _pytest


@_contextlib.contextmanager
def _ci_environment_applied():
    """TZ=UTC, no SOURCE_DATE_EPOCH, no XLPY_MAX_*, no PYTHONDONTWRITEBYTECODE; the values found (and their zone)
    put back after."""
    import os
    import time

    from xlpy.files.safety import DEFAULTS

    unset = ("SOURCE_DATE_EPOCH", "PYTHONDONTWRITEBYTECODE", *(env for _default, env, _flag in DEFAULTS.values()))
    saved = {name: os.environ.get(name) for name in ("TZ", *unset)}
    for name in unset:
        os.environ.pop(name, None)
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        time.tzset()


@_pytest.fixture(autouse=True, scope="session")
def ci_session_environment():
    """CI's environment for the whole session, set before any module or session fixture is built (a workbook built
    once for a module sees UTC too); the machine's put back at the end."""
    with _ci_environment_applied():
        yield


@_pytest.fixture(autouse=True)
def ci_environment(ci_session_environment):
    """TZ=UTC, no SOURCE_DATE_EPOCH, no XLPY_MAX_* for the test; what was set before it (CI's, from the session)
    put back after, whatever the test changed."""
    with _ci_environment_applied():
        yield


def libreoffice_gate(item) -> None:
    """Skip or fail ``item`` when it is marked ``libreoffice`` and soffice is absent."""
    if item.get_closest_marker("libreoffice") is None:
        return
    from xlpy.workbook.libreoffice import SOFFICE_ENV_VAR, ci_set, find_soffice

    if find_soffice() is not None:
        return
    why = (
        "LibreOffice (soffice) not found: set "
        f"{SOFFICE_ENV_VAR} or put soffice/libreoffice on PATH "
        "(Debian: apt-get install libreoffice-calc-nogui poppler-utils)"
    )
    if ci_set():
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
    from xlpy.workbook.libreoffice import ci_set

    if ci_set():
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
        group = _shared_group(item)
        if group is None and _shares_a_module_fixture(item):
            group = item.module.__name__
        if group is not None:
            item.add_marker(_pytest.mark.xdist_group(group))
            if in_groups:
                _name_the_group(item, group)


def _shared_group(item) -> str | None:
    """The group of SHARED_GROUPS (below) of a session fixture *item* uses, if any."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    return next((SHARED_GROUPS[n] for n in info.names_closure if n in SHARED_GROUPS), None)


# ---------------------------------------------------------------------------
# Example workbooks built once per test run (under xdist: once per worker).
#
# ``standard_books[kind]`` builds on first use and is shared READ-ONLY: a test
# that writes copies the workbook (and the sources beside it) into its own
# ``tmp_path`` first (``standard_books.copy_into(kind, tmp_path)``); at the end of the session the fixture fails if any
# file of a shared workbook's folder changed.  Kinds:
#
# * ``seed``: the seed offer (fixed ratio, counts in the offer file) with its
#   Cover record, at the seed release's date;
# * ``holders``: the formula example with the holder tally and the price file
#   beside it, and the Cover record of both;
# * ``plain``: the seed offer as ``build_workbook`` writes it without a record,
#   at the committed workbook's date.
#
# ``seed_named_values`` and ``seed_report`` are the one LibreOffice
# recalculation (and the one full validation) of ``plain`` that the tests
# reading them share; such tests are put in one xdist group, so the soffice
# start-up happens once per run (see SHARED_GROUPS).
# ---------------------------------------------------------------------------
from repo_paths import DATA, FORMULA, PRICES, SEED, SEED_EPOCH, TALLY  # noqa: E402  (after the gates above)

#: session fixture -> xdist group of every test using it (the expensive result is made once).
SHARED_GROUPS = {"seed_named_values": "seed-libreoffice", "seed_report": "seed-libreoffice"}


def _build_standard(kind: str, folder: _Path) -> _Path:
    import shutil

    from xlpy.files.offerfile import compute_file
    from xlpy.files.recorded import sha256
    from xlpy.workbook.build import build_workbook

    if kind == "plain":
        offer, results = compute_file(SEED)
        return build_workbook(offer, results, folder / "seed.xlsm")
    if kind == "seed":
        offer, results = compute_file(SEED)
        return build_workbook(offer, results, folder / "seed.xlsm", record={
            "OfferFile": SEED.name, "TallySource": "aggregate counts in the offer file",
            "PriceSource": "none: the ratio is fixed"})
    for name in (TALLY, PRICES):
        shutil.copy(DATA / name, folder / name)
    offer, results = compute_file(FORMULA)
    return build_workbook(offer, results, folder / "book.xlsm", record={
        "OfferFile": FORMULA.name, "TallySource": TALLY, "TallySha256": sha256(DATA / TALLY),
        "TallyRows": len(offer.tally.holders), "PriceSource": PRICES, "PriceSha256": sha256(DATA / PRICES),
        "PriceRows": len(offer.consideration.formula.prices)})


class _StandardBooks(dict):
    """{kind: path}: each built, in a folder of its own, the first time it is asked for."""

    def __init__(self, factory):
        super().__init__()
        self.factory = factory

    def __missing__(self, kind: str) -> _Path:
        if kind not in ("seed", "holders", "plain"):
            raise KeyError(kind)
        with _pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", SEED_EPOCH)
            self[kind] = _build_standard(kind, self.factory.mktemp(f"standard-{kind}"))
        self.sealed[kind] = _folder_bytes(self[kind].parent)
        return self[kind]

    @property
    def sealed(self) -> dict:
        return self.__dict__.setdefault("_sealed", {})

    def copy_into(self, kind: str, folder: _Path) -> _Path:
        """A copy of the workbook *kind* in *folder*, with the files beside it (the tally and prices it records):
        what a test that writes works on."""
        import shutil

        for f in self[kind].parent.iterdir():
            if f.is_file():
                shutil.copy(f, folder / f.name)
        return folder / self[kind].name

    def changed(self) -> list[str]:
        """The kinds whose folder a test changed (the books are shared read-only)."""
        return [kind for kind, was in self.sealed.items() if _folder_bytes(self[kind].parent) != was]


def _folder_bytes(folder: _Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@_pytest.fixture(scope="session")
def standard_books(tmp_path_factory) -> dict:
    books = _StandardBooks(tmp_path_factory)
    yield books
    assert books.changed() == [], "a test wrote into a shared workbook's folder: copy it into tmp_path first"


@_pytest.fixture(scope="session")
def seed_named_values(standard_books) -> dict:
    """LibreOffice's values of the names of the ``plain`` seed workbook (one recalculation)."""
    from xlpy.workbook import libreoffice

    return libreoffice.named_values(standard_books["plain"])


@_pytest.fixture(scope="session")
def seed_report(standard_books):
    """``validate`` of the ``plain`` seed workbook against the seed offer file, on both legs."""
    from xlpy.workbook.validate import validate

    return validate(standard_books["plain"], SEED, require_libreoffice=True)


@_pytest.fixture
def fresh_limits():
    """The ``--max-*`` limits as no command set them, before and after the test (the modules testing them use it)."""
    from xlpy.files import safety

    safety.reset()
    yield
    safety.reset()


@_pytest.fixture
def seed(standard_books, tmp_path) -> _Path:
    """A copy of the seed workbook in this test's folder (a module may define its own ``seed``: the refresh macros'
    tests, tests/refresh_books.py)."""
    import shutil

    return _Path(shutil.copy(standard_books["seed"], tmp_path / "book.xlsm"))
