"""Cells of the holder table formatted by hand, and the outline left on its sheet, as a refresh rewriting its lines
says and leaves them (xlpy/workbook/rows_shown.py): review 154's mutants the suite let live, and the cells below
the table that it grows over."""

from __future__ import annotations

import re
import zipfile

from test_rows_kept import _moved
from test_table_extent import _copy, _edit, _parts

from xlpy.cli import main


def test_the_outline_depth_left_is_the_deepest_group_still_on_the_sheet(standard_books, tmp_path, monkeypatch):
    """Rows 4:7 grouped above the table with rows 5:6 nested inside (levels 1 and 2), the table's rows 25:27
    grouped too: once the table's rows are ungrouped, the sheet's outline depth is 2 (Excel's level buttons 1 2 3),
    not 1 (R04: min for max)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    sheet, _ = _parts(book, "Tenders", "tblTenders")
    levels = {4: 1, 5: 2, 6: 2, 7: 1, 25: 1, 26: 1, 27: 1}

    def rows(text: str) -> str:
        for r, level in levels.items():
            text = text.replace(f'<row r="{r}"', f'<row r="{r}" outlineLevel="{level}"', 1)
        return re.sub(r"<sheetFormatPr\b", '<sheetFormatPr outlineLevelRow="2"', text, count=1)

    _edit(book, {sheet: rows})
    with zipfile.ZipFile(book) as zf:
        assert zf.read(sheet).decode().count('outlineLevel="2"') == 2
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup", "-q"]) == 0
    with zipfile.ZipFile(book) as zf:
        text = zf.read(sheet).decode()
    assert text.count('outlineLevel="2"') == 2 and text.count('outlineLevel="1"') == 2
    assert re.search(r'<sheetFormatPr\b[^>]*\soutlineLevelRow="(\d)"', text).group(1) == "2"


def test_a_column_half_formatted_by_hand_names_its_cells_not_the_first_lines_format(standard_books, tmp_path,
                                                                                 capsys):
    """Exactly half the lines below the first (149 of 298, F22:F170) filled by hand: the first line's format is
    the column's (no majority against it), so the 149 cells are named, not F21 said to be spread (R08: <= for <)."""
    from openpyxl.styles import PatternFill

    def mark(ws):
        for row in range(22, 171):
            ws[f"F{row}"].fill = PatternFill("solid", fgColor="E2EFDA")

    assert _said(standard_books, tmp_path, capsys, mark, _moved(tmp_path)) == [
        "book.xlsm: Tenders: cells of the table tblTenders formatted by hand (F22, F23, F24, F25, F26, F27, F28, F29, "
        "F30, F31 and 139 more) are written in their column's format again: the rewrite writes each column in one "
        "format, its lines in the table's own order (by holder, and a holder's lines in the tally file's "
        "order); format again the lines you marked"]


def test_cells_formatted_by_hand_are_named_in_row_order_across_columns(standard_books, tmp_path, capsys):
    """B30 and B200 in bold, D40 filled: named B30, D40, B200 (row order), not column by column (R13: the sort
    dropped; with more than ten cells, which ten are named would follow the columns, not the rows)."""
    from openpyxl.styles import Font, PatternFill

    def mark(ws):
        ws["B30"].font = ws["B200"].font = Font(bold=True)
        ws["D40"].fill = PatternFill("solid", fgColor="FFFF00")

    assert _said(standard_books, tmp_path, capsys, mark, _moved(tmp_path)) == [
        "book.xlsm: Tenders: cells of the table tblTenders formatted by hand (B30, D40, B200) are written in their "
        "column's format again: the rewrite writes each column in one format, its lines in the table's own "
        "order (by holder, and a holder's lines in the tally file's order); "
        "format again the lines you marked"]


def test_ten_cells_formatted_by_hand_are_all_named_without_a_count(standard_books, tmp_path, capsys):
    """Ten cells filled (C100, C200:C208): all ten named, no "and 0 more" (R26: > SHOWN for >= SHOWN)."""
    from openpyxl.styles import PatternFill

    def mark(ws):
        for row in [100, *range(200, 209)]:
            ws[f"C{row}"].fill = PatternFill("solid", fgColor="FFFF00")

    assert _said(standard_books, tmp_path, capsys, mark, _moved(tmp_path)) == [
        "book.xlsm: Tenders: cells of the table tblTenders formatted by hand (C100, C200, C201, C202, C203, C204, "
        "C205, C206, C207, C208) are written in their column's format again: the rewrite writes each column in one "
        "format, its lines in the table's own order (by holder, and a holder's lines in the tally file's "
        "order); format again the lines you marked"]


def test_cells_below_the_table_formatted_by_hand_that_it_grows_over_are_named(standard_books, tmp_path, capsys):
    """Review 154: B320 in bold and C320 filled, below the holder table (B20:L319), which a tally of one line more
    grows over: the rewrite writes them in their columns' format, and they were lost without a word. A cell below
    it in the column's own format (D320) or past the new end (B330) is not named."""
    from openpyxl.styles import Font, PatternFill
    from test_beside_formulas import _moved_tally

    def mark(ws):
        ws["B320"].font = ws["B330"].font = Font(bold=True)
        ws["C320"].fill = PatternFill("solid", fgColor="FFFF00")
        ws["D320"]._style = ws["D21"]._style

    assert _said(standard_books, tmp_path, capsys, mark, _moved_tally(tmp_path)) == [
        "book.xlsm: Tenders: cells below the table tblTenders formatted by hand (B320, C320), which it now grows over, "
        "are written in their column's format: format again the cells you marked"]


def _said(standard_books, tmp_path, capsys, mark, tally) -> list[str]:
    """The refresh's report lines of formats, of the holder workbook (its table B20:L319) with cells of its holder
    sheet marked by *mark* (given the sheet, as openpyxl opens it), refreshed from *tally*."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    assert wb["Tenders"].tables["tblTenders"].ref.endswith("319")
    mark(wb["Tenders"])
    wb.save(book)
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup"]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line and "format" in line]
