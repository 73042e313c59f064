"""A cell beside the holder table as a refresh's report names it (xlpy/workbook/beside_formulas.py), and a file's
cells read as entered (PackageBook.rows_as_entered), a shared formula's member and a formula's XML escapes too.

Review 98: a formula of one's own beside the holder table (=D25*2) was named by the 4200 it showed."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from xlpy.workbook import package
from xlpy.workbook.backends import PackageBook
from xlpy.workbook.beside_formulas import shown, table_rows_read

#: The holder table as the layout puts it: B20:L320, its lines from row 21.
TABLE = SimpleNamespace(name="tblTenders", first_col=2, columns=[None] * 11, first_row=21, last_row=320)


@pytest.mark.parametrize("formula, rows", [
    ("=D25*2", [25]),
    ("=$D$25+Tenders!E26-'Tenders'!$F30", [25, 26, 30]),
    ("=tenders!D25", [25]),  # (a sheet's name in other letter case is the sheet)
    ("=Cover!D25+'My notes'!D26", []),  # (another sheet's cells)
    ("=SUM(D21:D320)+SUM(tblTenders[Units])+SUM(D:D)", []),  # (every line, in whatever order)
    ("=SUM(D21:D23)+VLOOKUP(1,$B$319:$L$400,2)", [21, 22, 23, 319, 320]),  # (some lines: those rows)
    ("=tblTenders[@Units]*2", [40]),  # (the formula's own row, in row 40)
    ("=TBLTENDERS[[#This Row],[Units]]", [40]),  # (as a file stores it)
    ("=otherTable[@Units]", []),
    ('="D25"&A25&M25&D321&D20', []),  # (text; columns and rows outside the table's lines)
    ("=IF(D21>0,D22,D23)", [21, 22, 23]),
])
def test_the_table_rows_a_formula_reads_cell_by_cell(formula, rows):
    assert table_rows_read(formula, "Tenders", TABLE, 40) == rows


def test_this_row_outside_the_table_s_lines_reads_none_of_them():
    assert table_rows_read("=tblTenders[@Units]", "Tenders", TABLE, 400) == []


@pytest.mark.parametrize("value, said", [(4200, "4,200"), (1234567.5, "1,234,567.5"), ("call back", "'call back'"),
                                          (True, "True")])
def test_a_value_is_shown_as_the_report_shows_numbers(value, said):
    assert shown(value) == said


def test_a_file_s_shared_formula_member_and_escapes_read_as_entered(standard_books, tmp_path):
    """A column of formulas filled down beside the table, as Excel saves it (one shared formula: its first cell's
    text, the others ``<f t="shared" si="7"/>``), read as each cell's own formula, where the members read "=" and
    so were no formula; a formula's ``&gt;`` read as ``>``."""
    cells = {21: '<c r="N21"><f t="shared" ref="N21:N22" si="7">D21*2</f><v>8400</v></c>',
             22: '<c r="N22"><f t="shared" si="7"/><v>100</v></c>',
             23: '<c r="N23" t="str"><f>IF(D23&gt;0,"a","b")</f><v>a</v></c>'}
    book = _holders_with(standard_books, tmp_path, cells)
    with PackageBook(book) as b:
        assert b.rows_as_entered("Tenders", "N21:N23") == [["=D21*2"], ["=D22*2"], ['=IF(D23>0,"a","b")']]
        assert b.rows_as_entered("Tenders", "N22:N22") == [["=D22*2"]]  # (its master in a row not read)


def _holders_with(standard_books, tmp_path, cells: dict[int, str]) -> Path:
    """A copy of the holder workbook, with the files its Cover records beside it, holding *cells* (row -> the XML of
    cells added to that row of the holder sheet)."""
    for f in standard_books["holders"].parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    book = tmp_path / standard_books["holders"].name
    pkg = package.Package(book)
    part = pkg.sheet_parts()["Tenders"]
    pkg.close()

    def edit(text: str) -> str:
        for row, cell in sorted(cells.items()):  # (a row the sheet does not hold added below the rest)
            text, n = re.subn(rf'(<row r="{row}"[^>]*>.*?)(</row>)', lambda m: m.group(1) + cell + m.group(2), text,
                              count=1, flags=re.S)
            text = text if n else text.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>', 1)
        return text

    with zipfile.ZipFile(standard_books["holders"]) as src, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, edit(data.decode()).encode() if info.filename == part else data)
    return book


def _moved_tally(tmp_path, grown: bool = True) -> Path:
    """The example tally with a new holder's line first, every line a row further down (the last one left out
    unless *grown*: the table then as long as before)."""
    from repo_paths import DATA, TALLY

    tally = tmp_path / "tally.csv"
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines()
    tally.write_text("\n".join([lines[0], "DTC-0001,100,book-entry,tendered", *lines[1:None if grown else -1]])
                     + "\n", encoding="utf-8")
    return tally


@pytest.mark.parametrize("saved", ["<v>8400</v>", "", "<v></v>", 't="str"'])
def test_a_formula_beside_the_table_is_named_whatever_it_shows(standard_books, tmp_path, capsys, saved):
    """Review 149: a formula beside a holder's line was named by the refresh only when it had saved a value: one
    saved without it (openpyxl writes none) or showing "" (a flag column, ``=IF(D21>1000,"big","")``, on the rows it
    does not mark) stayed beside another holder's line without a word."""
    from xlpy.cli import main

    attrs, value = (' t="str"', "<v></v>") if saved == 't="str"' else ("", saved)
    book = _holders_with(standard_books, tmp_path, {21: f'<c r="N21"{attrs}><f>D21*2</f>{value}</c>'})
    assert main(["refresh", str(book), "--tally", str(_moved_tally(tmp_path)), "--no-backup"]) == 0
    shows = " (showing 8,400)" if saved == "<v>8400</v>" else ""
    assert (f"{book.name}: Tenders!N21: the formula =D21*2{shows} beside the holder table stays in row 21, which now "
            "holds the line of 'DTC-0001' (it was beside the line of 'DTC-0022'): move it if it belongs to "
            "'DTC-0022'; it reads the table's row 21, which now holds another holder's line: point it at the row of "
            "the line it is about") in capsys.readouterr().out.splitlines()


def _filled(formula: str, rows: range = range(21, 320), **cells: str) -> dict[int, str]:
    """Column N filled down over *rows* with *formula* (``{r}`` its row), as Excel saves a fill (written out cell by
    cell, as LibreOffice saves it); *cells* (``N100="call back"``) typed over some of it."""
    out = {r: f'<c r="N{r}"><f>{formula.format(r=r, s=r + 1)}</f><v>2</v></c>' for r in rows}
    for ref, value in cells.items():
        out[int(ref[1:])] = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return out


_FILLED = ("{book}: Tenders!N21:N319: the formulas filled down beside the holder table ({first} in N21) compute row "
           "by row from its lines, and the table now ends at row 320: fill them down to row 320 for its last line")


@pytest.mark.parametrize("grown", [True, False])
def test_a_column_filled_down_beside_the_table_is_said_once_and_where_the_table_outgrew_it(standard_books, tmp_path,
                                                                                          capsys, grown):
    """Review 149: a column of one's own filled down beside every line (``=D21*2``, as Excel saves a fill: one shared
    formula) was named cell by cell, ten lines and "289 more", each told to point its formula at the line it is
    about, though it computes for whatever line its row holds; and the new lines the table grew by were left
    without it, unsaid. It is said once, where the table outgrew it, with the row to fill it down to."""
    from xlpy.cli import main

    cells = {row: f'<c r="N{row}"><f t="shared" si="9"/><v>2</v></c>' for row in range(22, 320)}
    cells[21] = '<c r="N21"><f t="shared" ref="N21:N319" si="9">D21*2</f><v>2</v></c>'
    book = _holders_with(standard_books, tmp_path, cells)
    assert main(["refresh", str(book), "--tally", str(_moved_tally(tmp_path, grown)), "--no-backup"]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "Tenders!" in line or " more " in line]
    assert said == ([_FILLED.format(book=book.name, first="=D21*2")] if grown else [])


@pytest.mark.parametrize("formula, typed, said", [
    ("D{r}*$P$1", {}, "filled"),  # (a rate in a cell of its own, above the table)
    ('IF(B{r}=B{s},"",1)', {}, "filled"),  # (another row read, relatively)
    ("LOG10(D{r})", {}, "filled"),  # (a function's name ending in digits is no cell)
    ("D{r}*2", {"N100": "call back"}, "filled and N100"),  # (a value typed over one cell of it: named as ever)
    ("D{r}*2", {"N319": "x"}, "cell by cell"),  # (its last line holds no fill: no column filled)
    ("D{r}/$D$100", {}, "cell by cell"),  # (review 152: a fixed row of the table read from every line)
    ("D{r}-D$21", {}, "cell by cell"),
    ("D{r}*2", {"rows": "sparse"}, "cell by cell"),  # (beside 12 lines of 299: no column filled)
])
def test_what_a_column_filled_down_is(standard_books, tmp_path, capsys, formula, typed, said):
    """Review 151: a column filled with a formula reading more than its own row (a rate, a next row) was named cell
    by cell; a value typed over one cell of a filled column was no longer named; a column filled past the table's
    new end was told to be filled down.  Review 152: one reading a fixed row of the table (``$D$100``, ``D$21``)
    was said to compute for the line in its row, where each cell now reads another line: named cell by cell, as
    formulas reading the table."""
    from xlpy.cli import main

    rows = [21, *range(100, 110), 319] if typed.pop("rows", None) else range(21, 320)
    book = _holders_with(standard_books, tmp_path, _filled(formula, rows, **typed))
    assert main(["refresh", str(book), "--tally", str(_moved_tally(tmp_path)), "--no-backup"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "Tenders!" in line or " more " in line]
    filled = _FILLED.format(book=book.name, first="=" + formula.format(r=21, s=22))
    if said == "filled":
        assert out == [filled]
    elif said == "filled and N100":
        assert out[0] == filled and len(out) == 2 and out[1].startswith(f"{book.name}: Tenders!N100: 'call back' "
                                                                         "beside the holder table stays in row 100")
    else:
        assert filled not in out and len(out) >= 11 and out[0].startswith(f"{book.name}: Tenders!N21: "), out


def test_a_column_filled_past_the_tables_new_end_is_not_told_to_be_filled(standard_books, tmp_path, capsys):
    from xlpy.cli import main

    book = _holders_with(standard_books, tmp_path, _filled("D{r}*2", range(21, 331)))
    assert main(["refresh", str(book), "--tally", str(_moved_tally(tmp_path)), "--no-backup"]) == 0
    assert not [line for line in capsys.readouterr().out.splitlines() if "Tenders!" in line or " more " in line]


def test_the_buttons_see_a_flag_column_showing_nothing_as_a_column_filled_down(standard_books, tmp_path):
    """Review 151, then documented: the Refresh buttons read what is beside the table from ``Range.value``, which
    hands a formula showing "" over as None, so a flag column (``=IF(D21>1000,"big","")``) was beside only the lines
    it marks, no column filled, and named cell by cell. Its formulas are read as well: said once, as a file's."""
    from fake_excel import FakeBook
    from openpyxl.utils.cell import coordinate_to_tuple

    from xlpy import macros
    from xlpy.workbook.live_book import XlwingsBook

    book = _holders_with(standard_books, tmp_path, _filled('IF(D{r}>1000,"big","")'))
    fake = FakeBook(book)
    ws = fake.sheets["Tenders"]
    ws.shown.update({coordinate_to_tuple(f"N{r}"): "big" if ws.cells[(r, 4)] > 1000 else None for r in range(21, 320)})
    assert 0 < sum(v == "big" for v in ws.shown.values()) < 150  # (the lines it marks: fewer than half)
    report = macros.refresh_tenders(XlwingsBook(fake), _moved_tally(tmp_path))
    said = [line for line in report.lines() if line.startswith("Tenders!") or " more " in line]
    assert said == [_FILLED.format(book=book.name, first='=IF(D21>1000,"big","")').split(": ", 1)[1]], said


def test_a_column_filled_down_beside_exactly_half_the_lines_is_a_column_filled(standard_books, tmp_path, capsys):
    """A table of 298 lines (21:318), N filled with =D{r}*2 beside 149 of them (21:168 and 318, its first and
    last): "beside half its lines at least" holds, so it is said once, not named cell by cell (B01: >= for >
    when picking the columns; B03: < for <= in the majority of the fill: review 154; the example's 299 lines, an
    odd count, have no such edge)."""
    from repo_paths import DATA, TALLY
    from test_table_extent import _edit

    from xlpy.cli import main
    book = _holders_with(standard_books, tmp_path, {})
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # (298 lines)
    assert main(["refresh", str(book), "--tally", str(short), "--no-backup", "-q"]) == 0
    pkg = package.Package(book)
    part = pkg.sheet_parts()["Tenders"]
    pkg.close()
    rows = [*range(21, 169), 318]
    assert len(rows) * 2 == 298

    def edit(text: str) -> str:
        for r in rows:
            text = re.sub(rf'(<row r="{r}"[^>]*>.*?)(</row>)', rf'\g<1><c r="N{r}"><f>D{r}*2</f><v>2</v></c>\g<2>',
                          text, count=1, flags=re.S)
        return text

    _edit(book, {part: edit})
    capsys.readouterr()
    assert main(["refresh", str(book), "--tally", str(_moved_tally(tmp_path)), "--no-backup"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "Tenders!" in line]
    assert out and out[0].startswith(f"{book.name}: Tenders!N21:N318: the formulas filled down beside the holder "
                                     "table (=D21*2 in N21)"), out
    assert not any(line.startswith(f"{book.name}: Tenders!N21: ") for line in out), out
