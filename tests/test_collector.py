"""The cyclic garbage collector paused for a bulk step (xlpy/workbook/collector.py), and left as it was.

A build, a refresh and a validation make millions of small objects; the
collector's repeated walks over them cost a quarter of a long validation.
Pausing it must never leak into the caller: a host process (Excel's Python
under xlwings) keeps whatever setting it had.
"""

from __future__ import annotations

import gc
import shutil
import zipfile

import pytest

from repo_paths import SEED
from xlpy.files.offerfile import compute_file
from xlpy.workbook import build as build_module
from xlpy.workbook.build import build_workbook
from xlpy.workbook.collector import collector_paused
from xlpy.workbook.refresh_file import refresh_file


@pytest.fixture(autouse=True)
def _collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_restored_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error():
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_nested_pauses_restore_only_at_the_outermost():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner block must not turn the collector back on inside the outer one"
    assert gc.isenabled()


def test_a_caller_that_paused_it_keeps_it_paused():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_as_a_decorator_each_call_pauses_afresh():
    @collector_paused()
    def seen():
        return gc.isenabled()

    assert [seen(), seen()] == [False, False]
    assert gc.isenabled()


def test_build_and_refresh_pause_it_and_give_it_back(tmp_path, monkeypatch):
    seen = []
    real = build_module._template

    def spy():
        seen.append(gc.isenabled())
        wb, conf = real()
        seen.append(wb)
        return wb, conf

    monkeypatch.setattr(build_module, "_template", spy)
    offer, results = compute_file(SEED)
    book = build_workbook(offer, results, tmp_path / "book.xlsm")
    paused, wb = seen
    assert paused is False and gc.isenabled()
    # openpyxl keeps the template's parts in an in-memory zip (keep_vba); the build closes it, so no
    # half-open archive waits for the collector (it once failed at interpreter exit: "I/O operation on closed file").
    assert wb.vba_archive.fp is None
    assert zipfile.is_zipfile(book)

    from xlpy.workbook import refresh as refresh_module

    during = []
    real_check = refresh_module._Refresh.check

    def check(self):
        during.append(gc.isenabled())
        return real_check(self)

    monkeypatch.setattr(refresh_module._Refresh, "check", check)
    tally = tmp_path / "tally.csv"
    shutil.copy(SEED.parent / "data" / "hecla-2004-tally.csv", tally)
    refresh_file(book, tally, backup=False)
    assert during == [False] and gc.isenabled()


def test_validate_pauses_it_and_gives_it_back(tmp_path, monkeypatch):
    from xlpy.workbook import validate as validate_module

    offer, results = compute_file(SEED)
    book = build_workbook(offer, results, tmp_path / "book.xlsm")
    during = []
    real = validate_module._open_book

    def spy(*args):
        during.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(validate_module, "_open_book", spy)
    report = validate_module.validate(book, SEED, legs=("formulas",))
    assert report.ok, report.findings
    assert during == [False] and gc.isenabled()
