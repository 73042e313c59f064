"""Workbooks saved by several threads of one process at once (a script's, a server's): each save's number cells
exact, each its own printed errors, and openpyxl and Python as they were once the saves are done.

The overlaps are forced with events and a barrier, not with sleeps: what each thread waits for is said, with a
timeout long enough for a loaded machine that fails the test, never hangs it.
"""

from __future__ import annotations

import errno
import io
import sys
import threading
import types
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from xlpy.workbook import saving

#: How long a thread waits for another to reach its step before the test fails (seconds).
WAIT = 120
#: A number openpyxl's first 16 digits name wrongly: the double nearest 100/3 (33.333333333333336).
THIRD = 100 / 3


def _book(before_saving=None) -> Workbook:
    """A workbook of one number cell, 100/3, whose save runs *before_saving* first (inside the save: its patches
    made)."""
    wb = Workbook()
    wb.active["A1"] = THIRD
    real = wb.save

    def save(buf):
        if before_saving is not None:
            before_saving()
        real(buf)

    wb.save = save
    return wb


def _cell(data: bytes) -> tuple[object, bytes]:
    """The first sheet's A1 as read back, and as the sheet's XML writes it."""
    value = load_workbook(io.BytesIO(data)).active["A1"].value
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    return value, xml


def _run(*targets) -> list:
    """Each of *targets* run in a thread of its own; what each returned or raised, in order."""
    got: list = [None] * len(targets)

    def run(i, target):
        try:
            got[i] = target()
        except BaseException as exc:  # (an assertion in the thread: handed back to the test)
            got[i] = exc

    threads = [threading.Thread(target=run, args=(i, t), daemon=True) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a save never ended"
    return got


def _waited(event: threading.Event) -> None:
    assert event.wait(WAIT), "the other save never reached its step"


def test_two_saves_at_once_that_end_crosswise_both_write_exact_numbers_and_leave_openpyxl_as_it_was():
    """Review finding: each save patched openpyxl's number text for its span and put back what it found: a save A,
    then a save B begun while A ran, A ending first: A put openpyxl's own text back while B still wrote (B's 100/3
    written 33.33333333333334, the double below it), and B put back A's patch, left for good (Python's hook for
    printed errors alike).  B here starts inside A's save, and writes only once A has ended."""
    from openpyxl.cell import _writer

    plain, hook = _writer.safe_string, sys.unraisablehook
    a_saving, b_saving, a_done = threading.Event(), threading.Event(), threading.Event()

    def a_first():
        a_saving.set()
        _waited(b_saving)

    def save_a():
        try:
            return saving.workbook_bytes(_book(a_first))
        finally:
            a_done.set()

    def b_inside_a():
        _waited(a_saving)  # (B's save begins once A's patches are made, and B writes once A has ended)
        return saving.workbook_bytes(_book(lambda: (b_saving.set(), _waited(a_done))))

    got = _run(save_a, b_inside_a)
    for data in got:
        assert isinstance(data, bytes), data
        value, xml = _cell(data)
        assert value == THIRD and b"<v>33.333333333333336</v>" in xml, xml
    assert _writer.safe_string is plain
    assert sys.unraisablehook is hook


def test_saves_at_once_each_get_their_own_printed_errors(monkeypatch):
    """Four saves inside openpyxl at once (a barrier): every one writes 100/3 exactly; the full temporary folder one
    of them met (printed by openpyxl, not raised) fails that save alone, and what the others met is printed, each
    once, by the hook that was there; which is there again after."""
    from openpyxl.cell import _writer

    class SerialisationError(Exception):  # as lxml raises it, writing to a full disk
        pass

    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(str(u.exc_value)))
    hook, plain = sys.unraisablehook, _writer.safe_string
    together = threading.Barrier(4, timeout=WAIT)

    def printed(exc: BaseException) -> None:  # (as Python gives what a finaliser raised)
        sys.unraisablehook(types.SimpleNamespace(exc_type=type(exc), exc_value=exc, exc_traceback=None,
                                                 err_msg=None, object=None))

    def save(i):
        def meeting():
            together.wait()
            printed(SerialisationError("IO_ENOSPC") if i == 0 else RuntimeError(f"a finaliser of save {i}"))
            together.wait()  # (every save's error given while all four are still saving)
        return lambda: saving.workbook_bytes(_book(meeting))

    got = _run(*(save(i) for i in range(4)))
    assert isinstance(got[0], OSError) and got[0].errno == errno.ENOSPC, got[0]
    for data in got[1:]:
        assert isinstance(data, bytes), data
        assert _cell(data)[0] == THIRD
    assert sorted(seen) == [f"a finaliser of save {i}" for i in (1, 2, 3)]
    assert sys.unraisablehook is hook and _writer.safe_string is plain


def test_a_save_inside_a_save_of_the_same_thread_keeps_the_patch_for_the_outer_one():
    """A save begun inside another of the same thread (a nested call) ends first: the outer one writes exactly still,
    and openpyxl is as it was once both are done."""
    from openpyxl.cell import _writer

    plain = _writer.safe_string
    inner: list[bytes] = []
    data = saving.workbook_bytes(_book(lambda: inner.append(saving.workbook_bytes(_book()))))
    assert _cell(data)[0] == _cell(inner[0])[0] == THIRD
    assert _writer.safe_string is plain



def test_a_full_temporary_folder_met_after_a_save_inside_it_fails_the_outer_save():
    """The outer save of two in one thread meets a full temporary folder once the inner one has ended (printed by
    openpyxl, not raised): it is still that save's to raise, not printed and the sheet passed over."""

    class SerialisationError(Exception):  # as lxml raises it, writing to a full disk
        pass

    def inner_then_full():
        assert isinstance(saving.workbook_bytes(_book()), bytes)  # (a save inside this one, ended)
        sys.unraisablehook(types.SimpleNamespace(exc_type=SerialisationError, exc_value=SerialisationError(
            "IO_ENOSPC"), exc_traceback=None, err_msg=None, object=None))  # (as Python gives what a finaliser raised)

    with pytest.raises(OSError) as got:
        saving.workbook_bytes(_book(inner_then_full))
    assert got.value.errno == errno.ENOSPC, got.value
