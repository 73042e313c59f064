"""Python's cyclic garbage collector eased for a bulk step (xlpy/workbook/collector.py), then put back.

A build, a refresh and a validation make millions of small objects; the
collector's repeated walks over them cost a fifth of a long validation.
Easing it must never leak into the caller: a host process (Excel's Python
under xlwings) keeps whatever setting it had, and cyclic garbage is still
freed during the step.
"""

from __future__ import annotations

import gc
import shutil
import threading
import zipfile

import pytest

from repo_paths import SEED
from xlpy.files.offerfile import compute_file
from xlpy.workbook import build as build_module
from xlpy.workbook.build import build_workbook
from xlpy.workbook.collector import YOUNG, collector_eased
from xlpy.workbook.refresh_file import refresh_file

DEFAULT = (700, 10, 10)  # a host's own setting, unlike ours


@pytest.fixture(autouse=True)
def _host_thresholds():
    was = gc.get_threshold()
    gc.set_threshold(*DEFAULT)
    yield
    gc.set_threshold(*was)


def _eased() -> bool:
    return gc.get_threshold()[0] == YOUNG


def test_eased_inside_and_put_back_after():
    with collector_eased():
        assert _eased() and gc.isenabled()
    assert gc.get_threshold() == DEFAULT


def test_put_back_after_an_error():
    with pytest.raises(ZeroDivisionError), collector_eased():
        1 / 0  # noqa: B018
    assert gc.get_threshold() == DEFAULT


def test_nested_steps_put_it_back_only_at_the_outermost():
    with collector_eased():
        with collector_eased():
            assert _eased()
        assert _eased(), "the inner step must not put the host's setting back inside the outer one"
    assert gc.get_threshold() == DEFAULT


def test_steps_in_two_threads_that_overlap_leave_the_host_setting():
    # A enters, B enters, A leaves, B leaves: whoever saved what, the host's setting must come back.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with collector_eased():
            a_in.set()
            b_in.wait(5)
        seen["after a, eased"] = _eased()
        a_out.set()

    def b():
        a_in.wait(5)
        with collector_eased():
            b_in.set()
            a_out.wait(5)
            seen["b, alone"] = _eased()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"after a, eased": True, "b, alone": True}
    assert gc.get_threshold() == DEFAULT


def test_a_host_that_switched_the_collector_off_keeps_it_off():
    gc.disable()
    try:
        with collector_eased():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cyclic_garbage_is_still_freed_during_a_step():
    class Node:
        pass

    with collector_eased():
        gc.collect()
        start = gc.get_count()[0]
        for _ in range(3 * YOUNG):  # cycles only the collector can free, more than one young pass apart
            n = Node()
            n.me = n
        # Without a pass, all 600,000 cycles would still be counted as young (the collector switched off: 600,001).
        assert gc.get_count()[0] - start < YOUNG


def test_as_a_decorator_each_call_eases_afresh():
    @collector_eased()
    def seen():
        return _eased()

    assert [seen(), seen()] == [True, True]
    assert gc.get_threshold() == DEFAULT


def test_build_and_refresh_ease_it_and_put_it_back(tmp_path, monkeypatch):
    seen = []
    real = build_module._template

    def spy():
        seen.append(_eased())
        wb, conf = real()
        seen.append(wb)
        return wb, conf

    monkeypatch.setattr(build_module, "_template", spy)
    offer, results = compute_file(SEED)
    book = build_workbook(offer, results, tmp_path / "book.xlsm")
    eased, wb = seen
    assert eased is True and gc.get_threshold() == DEFAULT
    # openpyxl keeps the template's parts in an in-memory zip (keep_vba); the build closes it, so no
    # half-open archive waits for the collector (it once failed at interpreter exit: "I/O operation on closed file").
    assert wb.vba_archive.fp is None
    assert zipfile.is_zipfile(book)

    from xlpy.workbook import refresh as refresh_module

    during = []
    real_check = refresh_module._Refresh.check

    def check(self):
        during.append(_eased())
        return real_check(self)

    monkeypatch.setattr(refresh_module._Refresh, "check", check)
    tally = tmp_path / "tally.csv"
    shutil.copy(SEED.parent / "data" / "hecla-2004-tally.csv", tally)
    refresh_file(book, tally, backup=False)
    assert during == [True] and gc.get_threshold() == DEFAULT


def test_validate_eases_it_and_puts_it_back(tmp_path, monkeypatch):
    from xlpy.workbook import validate as validate_module

    offer, results = compute_file(SEED)
    book = build_workbook(offer, results, tmp_path / "book.xlsm")
    during = []
    real = validate_module._open_book

    def spy(*args):
        during.append(_eased())
        return real(*args)

    monkeypatch.setattr(validate_module, "_open_book", spy)
    report = validate_module.validate(book, SEED, legs=("formulas",))
    assert report.ok, report.findings
    assert during == [True] and gc.get_threshold() == DEFAULT
