"""Rows found and a long table's cells read straight from a worksheet's text (xlpy/workbook/sheet_data.py,
:class:`xlpy.workbook.package.SheetXml`).

A refresh of a workbook some program saved looks for what was typed below its
100,000-line holder table: the row past the table was found by walking every
row before it (0.15-0.2 s a look, five looks a refresh).  The rows are now
found by bisection; these tests hold it to a walk's answer on random sheets.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpy.workbook.package import PackageError, SheetXml

_ROW = re.compile(r'<row r="(\d+)"')


def _sheet(rows: list[tuple[int, str]]) -> SheetXml:
    body = "".join(f'<row r="{r}"/>' if not cells else f'<row r="{r}" spans="1:3">{cells}</row>'
                   for r, cells in rows)
    return SheetXml(f'<worksheet><sheetData>{body}</sheetData><rowBreaks count="0"/></worksheet>'.encode())


@st.composite
def sheets(draw):
    """Rows in ascending order with gaps, some empty (``<row r="N"/>``), some long enough that a bisection's
    last walk meets only part of one."""
    numbers = sorted(draw(st.sets(st.integers(1, 400), max_size=60)))
    rows = []
    for r in numbers:
        width = draw(st.sampled_from([0, 1, 3, 900]))
        rows.append((r, "".join(f'<c r="A{r}"><v>{i}</v></c>' for i in range(width))))
    return rows


@settings(max_examples=300, deadline=None)
@given(sheets(), st.integers(0, 410), st.integers(0, 60))
def test_the_rows_of_a_span_are_those_a_walk_finds(rows, r1, length):
    """The positions of rows r1..r2 are those of the first row numbered r1 or more and of the first after r2, as
    a walk over every row finds them (a bisection of rows 900 cells wide meets tags at every distance)."""
    sx = _sheet(rows)
    r2 = r1 + length
    tags = [(m.start(), int(m.group(1))) for m in _ROW.finditer(sx.text)]
    first = next((p for p, n in tags if n >= r1), sx.data_end)
    after = next((p for p, n in tags if n > r2), sx.data_end)
    assert sx.span(r1, r2) == ((first, after) if first < sx.data_end else (sx.data_end, sx.data_end))
    assert sx.has_row_content(r1, r2) == any(r1 <= n <= r2 for _, n in tags)


def test_a_row_past_a_long_table_is_found_in_a_few_looks(monkeypatch):
    """A row after 100,000 others is found by looking at some 20 rows' numbers, not all of them."""
    sx = _sheet([(r, f'<c r="B{r}"><v>{r}</v></c>') for r in range(1, 100_001)])
    looked = []
    at = sx._row_at
    monkeypatch.setattr(sx, "_row_at", lambda pos: looked.append(pos) or at(pos))
    assert not sx.has_row_content(100_001, 1_048_576)
    assert 0 < len(looked) < 50
    looked.clear()
    assert sx.has_row_content(99_999, 99_999)
    assert 0 < len(looked) < 50


def _unnumbered_at(row: int, rows: int = 199) -> SheetXml:
    body = "".join('<row><c><v>7</v></c></row>' if r == row else f'<row r="{r}"><c r="A{r}"><v>0</v></c></row>'
                   for r in range(1, rows + 1))
    return SheetXml(f"<worksheet><sheetData>{body}</sheetData></worksheet>".encode())


@pytest.mark.parametrize("r1, r2", [(10, 190), (1, 199), (30, 120), (45, 55)])
def test_a_row_without_its_number_inside_a_span_is_refused_not_read_blank(r1, r2):
    """Review 129: a row written without its ``r`` (openpyxl reads it as the row after the one before) was read as
    blank by the table's reading, the bisection passing over it, and ended in an AttributeError where the rows were
    parsed; both refuse the sheet by name, as a row without its number always was where the walk met it."""
    sx = _unnumbered_at(51)
    with pytest.raises(PackageError, match=r"a row has no number \(r attribute\)"):
        sx.rows_of_columns(r1, r2, ["A"], list)
    with pytest.raises(PackageError, match=r"a row has no number \(r attribute\)"):
        sx.rows_between(r1, r2)
    assert sx.rows_of_columns(60, 70, ["A"], list) == [(0,)] * 11  # (rows apart from it are read)


@pytest.mark.parametrize("flag", ['collapsed="1"', 'collapsed="true"', 'outlineLevel="9"'])
def test_each_flag_a_rewrite_clears_is_found_among_libreoffice_s(flag):
    """Each flag :mod:`xlpy.workbook.rows_shown` clears is searched for on its own among the flags LibreOffice
    writes on every row (review 129: a row whose one flag set was collapsed, or an outline level of 9, was
    untested)."""
    from xlpy.workbook.rows_shown import show_rows

    name = flag.split("=")[0]
    flags = {"hidden": 'hidden="false"', "outlineLevel": 'outlineLevel="0"', "collapsed": 'collapsed="false"'}
    row = " ".join(flags.values())
    body = "".join(f'<row r="{r}" {row.replace(flags[name], flag) if r == 7 else row}><c r="A{r}"><v>0</v></c></row>'
                   for r in range(1, 11))
    sx = SheetXml(f"<worksheet><sheetData>{body}</sheetData></worksheet>".encode())
    hidden, grouped = show_rows(sx, 1, 10)
    assert flag not in sx.text
    assert (hidden, grouped) == ([], [7] if name == "outlineLevel" else [])
