"""Hostile XLSX tallies and count files: read with modest memory, or refused in one line naming the file.

A note far to the right of a tally's columns (column XFD, the last) is left
alone without making every line 16,384 cells wide; a package openpyxl cannot
parse, one saved as Strict Open XML and one protected by a password are each
named as such rather than ending in a traceback.
"""

from __future__ import annotations

import tracemalloc

import pytest

from xlpy.engine import InputErrors
from xlpy.files import counts, sources

XFD = 16384  # the last column a sheet has


def _write(path, rows) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    wb.save(path)


def _problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def _peak(call, *args):
    """What *call* returns, and the most memory (bytes) Python held meanwhile beyond what it held before."""
    tracemalloc.start()
    try:
        got = call(*args)
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_note_in_column_xfd_keeps_a_tally_as_wide_as_its_header(tmp_path):
    """Every line was padded to the widest row, and a column built for each of its 16,384 cells: 60,000 lines took
    gigabytes, and ended in MemoryError.  600 lines here took about 160 MB; now what the columns read hold."""
    lines = 600
    header = ["holder_id", "units", "method", "status"] + [None] * (XFD - 5) + ["note"]
    _write(tmp_path / "t.xlsx", [header] + [[f"H{k}", 1, "book-entry", "tendered"] for k in range(lines)])
    table, peak = _peak(sources.read_tally, tmp_path / "t.xlsx")
    assert table.units == (1,) * lines and table.holder_id[-1] == f"H{lines - 1}"
    assert peak < 25_000_000, f"{peak:,} bytes"
    _write(tmp_path / "c.xlsx", [["tendered", "guaranteed delivery"] + [None] * (XFD - 3) + ["note"]]
           + [[274000, 3500]] * lines)  # (a holder tally taken for a count file, say: refused, not a MemoryError)
    (got,), peak = _peak(_problems, counts.read_counts, tmp_path / "c.xlsx")
    assert got.startswith("c.xlsx: must hold exactly one row of counts under the header"), got
    assert peak < 25_000_000, f"{peak:,} bytes"


def test_a_note_right_of_the_header_is_left_alone_and_a_row_of_only_such_a_note_still_named(tmp_path):
    """A note past the header's last named column (XFD here) is no part of the tally; a row holding nothing else
    is still a line, named (it may be a line written too far right), not dropped without a word.  The rows are
    kept as wide as the header, not as the widest row."""
    from openpyxl import Workbook, load_workbook

    from xlpy.files.xlsx_sheet import table_rows

    wb = Workbook()
    for row in (["holder_id", "units", "method", "status", None], ["A", 10, "book-entry", "tendered"],
                ["B", 20, "book-entry", "tendered"]):
        wb.active.append(row)
    wb.active["XFD2"] = "checked by JS"
    wb.save(tmp_path / "t.xlsx")
    assert sources.read_tally(tmp_path / "t.xlsx").units == (10, 20)
    wb.active["XFD5"] = "total 30"
    wb.save(tmp_path / "t.xlsx")
    assert _problems(sources.read_tally, tmp_path / "t.xlsx")[:2] == [
        "t.xlsx: row 5, column units: must be a number, got ''",
        "t.xlsx: row 5, column holder_id: must name the holder, got ''"]
    wb = load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert [len(r) for r in table_rows(wb.worksheets[0])] == [4, 4, 4, 0, 5]
    wb.close()
