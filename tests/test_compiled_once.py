"""The ``formulas`` leg compiles a cell once for all it depends on: its reference, its formula, its sheet, the text
of each defined name it reads, and the function table as it compiles (AND and OR element by element or not, xlpy's
functions registered).  Validating a second workbook of the same layout reuses the first one's compiled cells
(parsing and compiling was 1.5 s of a small workbook's 2 s), and anything a cell's compilation depends on that
differs compiles it again."""

from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest
from openpyxl import load_workbook

from xlpy.workbook import formulas_access as fa
from xlpy.workbook.validate import validate


def _value(cell, rate):
    """*cell*, reading the one name RATE (``'S'!B1``), given RATE's value."""
    return float(np.asarray(cell.func(fa.range_of("S!B1", np.asarray([[rate]], object)))).ravel()[0])


def test_a_cell_is_compiled_once_for_what_it_reads_and_again_when_that_differs():
    fa.register_functions()
    names = {"RATE": "'S'!B1", "OTHER": "'S'!B9"}
    first = fa.compile_cell("'S'!A1", "=Rate*2", "S", names)
    assert fa.compile_cell("'S'!A1", "=Rate*2", "S", dict(names, OTHER="'S'!C9")) is first  # (a name not read)
    assert list(first.inputs) == ["RATE"] and _value(first, 3) == 6
    moved = fa.compile_cell("'S'!A1", "=Rate*2", "S", dict(names, RATE="'S'!B2"))
    assert moved is not first
    assert fa.compile_cell("'S'!A2", "=Rate*2", "S", names) is not first  # (another cell)
    assert fa.compile_cell("'S'!A1", "=Rate*3", "S", names) is not first
    deleted = fa.compile_cell("'S'!A1", "=Rate*2", "S", dict(names, RATE=None))  # (a name deleted: #NAME? later)
    assert deleted is not first and list(deleted.inputs) == ["RATE"]
    with fa.elementwise_and_or():
        row = fa.compile_cell("'S'!A1", "=AND(B1>0,C1>0)", "S", {})
    whole = fa.compile_cell("'S'!A1", "=AND(B1>0,C1>0)", "S", {})
    assert row is not whole
    for cell in (row, whole):
        assert [bool(np.asarray(cell.func(fa.range_of("S!B1", np.asarray([[b]], object)),
                                          fa.range_of("S!C1", np.asarray([[1]], object)))).ravel()[0])
                for b in (1, 0)] == [True, False]
    assert fa.compile_name("X", "=Rate+1", names) is fa.compile_name("X", "=Rate+1", names)


@pytest.fixture
def books(standard_books, tmp_path):
    """The holders workbook and a copy whose name UnitsAccepted points at another cell."""
    good = standard_books.copy_into("holders", tmp_path)
    wb = load_workbook(good, keep_vba=True)
    wb.defined_names["UnitsAccepted"].attr_text = "Results!$C$10"
    moved = tmp_path / "moved.xlsm"
    wb.save(moved)
    shutil.copy(good, tmp_path / "again.xlsm")
    return good, moved, tmp_path / "again.xlsm"


def test_a_workbook_validated_after_another_is_judged_on_its_own_formulas(books):
    """A clean workbook, one with a name pointed elsewhere, the clean one again: the compiled cells the first left
    do not pass the second, nor does the second's finding stay with the third."""
    good, moved, again = books
    assert validate(good, legs=("formulas",)).findings == []
    found = validate(moved, legs=("formulas",)).findings
    assert any(f.where.startswith("name UnitsAccepted") or "UnitsAccepted" in f.what for f in found), found
    assert validate(again, legs=("formulas",)).findings == []


def test_a_long_table_s_compiled_cells_are_not_kept_past_its_workbook(books, monkeypatch):
    """Each compiled cell holds its last call's values: after a long table (here past 10 rows), its whole
    columns; they are dropped with the workbook, and a short table's kept for the next one."""
    from xlpy.workbook import recalc

    good, _, again = books
    fa.forget_compiled()
    assert validate(good, legs=("formulas",)).findings == []
    kept = fa.compiled_count()
    assert kept > 100  # (the layout's formulas, the table's templates, the names)
    monkeypatch.setattr(recalc, "KEEP_COMPILED_ROWS", 10)
    assert validate(again, legs=("formulas",)).findings == []
    assert fa.compiled_count() == 0


@pytest.mark.parametrize("name", ["Rate", "\u0915\u093f", "Rate\u093fx", "\u0e01\u0e34", "Ma\u00df", "R.a_te\\1"])
def test_a_name_the_parser_reads_is_read_however_it_is_spelled(name):
    """Review 131: the names a compiled cell reads were found by a pattern of words (Python's \\w), which a
    combining mark (Devanagari \u0915\u093f, Thai \u0e01\u0e34) splits: the name was left out and the cell
    read #REF!.  They are found by their text now."""
    fa.register_functions()
    fa.forget_compiled()
    cell = fa.compile_cell("'S'!A1", f"={name}*2", "S", {name.upper(): "'S'!B1", "OTHER": "'S'!B9"})
    assert list(cell.inputs) == [name.upper()] and _value(cell, 21) == 42


def test_threads_never_share_a_compiled_cell():
    """Review 131: a compiled cell keeps its last call's solution for the next (not thread-safe), and threads
    validating at once shared them: 13 of 124 concurrent validations gave other figures.  Each thread keeps its
    own; one compiles while another's AND and OR are element by element, and compiles with its own."""
    fa.register_functions()
    names = {"RATE": "'S'!B1"}
    mine = fa.compile_cell("'S'!A1", "=Rate*2", "S", names)
    got, started, go, done = {}, threading.Event(), threading.Event(), threading.Event()

    def other():
        got["cell"] = fa.compile_cell("'S'!A1", "=Rate*2", "S", names)
        started.set()
        go.wait(30)
        got["whole"] = fa.compile_cell("'S'!A1", "=AND(B1>0,C1>0)", "S", {})
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    assert started.wait(30)
    with fa.elementwise_and_or():
        go.set()
        assert not done.wait(0.5)  # (it waits: the function table is this thread's meanwhile)
        row = fa.compile_cell("'S'!A1", "=AND(B1>0,C1>0)", "S", {})
    thread.join(30)
    assert done.is_set() and got["cell"] is not mine and got["whole"] is not row
    assert fa.compile_cell("'S'!A1", "=Rate*2", "S", names) is mine
