"""How an exchange agent lays out a tally, read as it means or refused: merged cells, a column with no header,
the sheet of a workbook with several."""

from __future__ import annotations

import pytest

from xlpy.engine import InputErrors
from xlpy.files import sources

HEADER = ["Holder", "Shares", "Method", "Status"]


def _problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def _book(path, rows, merge=()):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    for ref in merge:
        wb.active.merge_cells(ref)
    wb.save(path)
    return path


def test_a_merged_status_over_two_lines_is_refused_not_read_as_the_default(tmp_path):
    """A merged "withdrawn" over D3:D4 read D4 as empty, which the mapping's [defaults] status made tendered:
    4,000 units tendered where 1,000 were."""
    path = _book(tmp_path / "merged.xlsx", [HEADER, ["Alpha Fund", 1000, "book-entry", "tendered"],
                                           ["Beta LLC", 2000, "book-entry", "withdrawn"],
                                           ["Gamma SA", 3000, "book-entry", None]], merge=["D3:D4"])
    mapping = sources.ColumnMapping(defaults={"method": "book-entry", "status": "tendered"})
    assert _problems(sources.read_tally, path, mapping) == [
        "merged.xlsx: cells D3:D4, column Status: are merged: only the first cell of a merged range holds its "
        "value, the others read as empty; unmerge it and fill each row"]
    path = _book(tmp_path / "method.xlsx", [HEADER, ["A", 1, "guaranteed", "tendered"], ["B", 2, None, "tendered"],
                                           ["C", 3, "book-entry", "tendered"]], merge=["C2:C3"])
    assert [p.split(": are")[0] for p in _problems(sources.read_tally, path, mapping)] == [
        "method.xlsx: cells C2:C3, column Method"]


def test_a_merged_title_or_a_merged_unread_column_is_read(tmp_path):
    """A merge in the header row within one header, or over the lines of a column not read, changes nothing."""
    rows = [HEADER + ["Note"], ["A", 1, "book-entry", "tendered", "see"], ["B", 2, "book-entry", "tendered"]]
    path = _book(tmp_path / "t.xlsx", rows, merge=["E2:E3"])
    assert sources.read_tally(path).units == (1, 2)
