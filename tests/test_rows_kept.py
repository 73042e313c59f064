"""Rows of a table a refresh rewrites that a filter hid or an outline grouped (xlpy/workbook/rows_shown.py): shown
and ungrouped where the rewrite puts another line in them, said so, and kept as they were where their line stays."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from repo_paths import PRICES
from test_table_extent import _copy, _edit, _findings, _parts, _row, _tally

from xlpy.cli import main


# --- a filtered holder table ----------------------------------------------------------------------------------


def _filtered(path: Path, beside: bool, spelled: str = "excel") -> None:
    """The holder table filtered in Excel on Status = withdrawn... as Excel saves it: the criteria in the table's
    autoFilter, the rows it hides marked hidden (here rows 23 and 26); with *beside*, a note in N25.  *spelled*
    "libreoffice": every row's flags written out as LibreOffice writes them, ``hidden="false" outlineLevel="0"``,
    the rows hidden ``hidden="true"``."""
    sheet, table = _parts(path, "Tenders", "tblTenders")

    def rows(text: str) -> str:
        if spelled == "libreoffice":
            text = re.sub(r'<row r="(\d+)"', r'<row r="\1" hidden="false" outlineLevel="0" collapsed="false"', text)
        for r in (23, 26):
            if spelled == "libreoffice":
                text = text.replace(f'<row r="{r}" hidden="false"', f'<row r="{r}" hidden="true"', 1)
            else:
                text = text.replace(f'<row r="{r}"', f'<row r="{r}" hidden="1"', 1)
        if beside:
            row = _row(text, 25).group()
            text = text.replace(row, row.replace("</row>", '<c r="N25" t="inlineStr"><is><t>call back</t></is></c>'
                                                           "</row>"))
        return text

    criteria = '<filterColumn colId="4"><filters><filter val="tendered"/></filters></filterColumn>'
    _edit(path, {sheet: rows, table: lambda t: re.sub(r'(<autoFilter ref="[^"]+")/>', rf"\1>{criteria}</autoFilter>",
                                                         t)})


def _moved(folder: Path) -> Path:
    """The first 289 lines of the example tally after a new holder's line: every line one row further down."""
    out = _tally(folder, 289)
    head, *lines = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join([head, "AAA-0001,100,book-entry,tendered", *lines]) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("beside, spelled", [(False, "excel"), (True, "excel"), (False, "libreoffice")])
def test_a_filtered_table_is_shown_whole_and_the_filter_to_be_reapplied(standard_books, tmp_path, capsys,
                                                                        monkeypatch, beside, spelled):
    """Rows a filter hid hold other lines once the table is rewritten: they are shown, and the report says the
    filter must be reapplied (Excel does not reapply it when it opens the file).  LibreOffice's spelling of the
    flags, on every row, is read alike."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    _filtered(book, beside, spelled)
    sheet = _parts(book, "Tenders", "tblTenders")[0]
    with zipfile.ZipFile(book) as zf:
        assert zf.read(sheet).decode().count('hidden="1"' if spelled == "excel" else 'hidden="true"') == 2
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert ("book.xlsm: Tenders: the table tblTenders is filtered: the rows it hid (23, 26) were shown again, as "
            "the rewrite puts other lines in them; reapply its filter (Data > Reapply) to hide the lines its "
            "criteria select: Excel does not reapply it when it opens the file") in out.splitlines()
    with zipfile.ZipFile(book) as zf:
        text = zf.read(sheet).decode()
    assert 'hidden="1"' not in text and 'hidden="true"' not in text and ('<c r="N25"' in text) == beside
    assert _findings(book) == []


def _grouped(path: Path, collapsed: bool, beside: bool, above: bool) -> None:
    """Rows 25 to 27 of the holder table grouped (Data > Group) as Excel saves it: outlineLevel="1" on each, and
    when the group is collapsed hidden="1" on each and collapsed="1" on the row below; the sheet's outline depth
    in <sheetFormatPr outlineLevelRow="1">; with *beside*, a note in N26 (the rows are then rewritten keeping
    their own attributes); with *above*, rows 5 and 6, above the table, grouped too (and shown)."""
    sheet, _ = _parts(path, "Tenders", "tblTenders")

    def rows(text: str) -> str:
        for r in (25, 26, 27) + ((5, 6) if above else ()):
            hidden = ' hidden="1"' if collapsed and r > 20 else ""
            text = text.replace(f'<row r="{r}"', f'<row r="{r}" outlineLevel="1"{hidden}', 1)
        if collapsed:
            text = text.replace('<row r="28"', '<row r="28" collapsed="1"', 1)
        if beside:
            row = _row(text, 26).group()
            text = text.replace(row, row.replace("</row>", '<c r="N26" t="inlineStr"><is><t>same agent</t></is></c>'
                                                           "</row>"))
        return re.sub(r"<sheetFormatPr\b", '<sheetFormatPr outlineLevelRow="1"', text, count=1)

    _edit(path, {sheet: rows})


@pytest.mark.parametrize("collapsed, beside, above", [(True, False, False), (False, True, False),
                                                      (True, True, True)])
def test_grouped_rows_of_a_table_are_ungrouped_and_said_so(standard_books, tmp_path, capsys, monkeypatch,
                                                           collapsed, beside, above):
    """Review 98: rows of the holder table grouped in an outline lost it on a refresh from a new tally (the rows
    rewritten whole), or kept it (a row with a note beside it keeps its own attributes), grouping lines that have
    nothing to do with each other; the report said only that hidden rows were shown again. They are taken out of
    the outline and the report says so; rows grouped elsewhere on the sheet keep their outline and its depth."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    _grouped(book, collapsed, beside, above)
    sheet = _parts(book, "Tenders", "tblTenders")[0]
    with zipfile.ZipFile(book) as zf:
        assert zf.read(sheet).decode().count('outlineLevel="1"') == 3 + 2 * above
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if "outline" in line or "shown again" in line] == [
        f"book.xlsm: Tenders: rows of the table tblTenders grouped in an outline (25, 26, 27) were ungrouped"
        f"{' and shown again' if collapsed else ''}, as the rewrite puts other lines in them: group again "
        "(Data > Group) the rows of the lines you want grouped"]
    with zipfile.ZipFile(book) as zf:
        text = zf.read(sheet).decode()
    table_rows = "".join(_row(text, r).group() for r in range(21, 300) if _row(text, r))
    assert "outlineLevel" not in table_rows and "hidden" not in table_rows and "collapsed" not in table_rows
    assert text.count('outlineLevel="1"') == 2 * above and ('<c r="N26"' in text) == beside
    assert re.search(r'<sheetFormatPr\b[^>]*\soutlineLevelRow="(\d)"', text).group(1) == ("1" if above else "0")
    assert _findings(book) == []


@pytest.mark.parametrize("state", ["filtered", "grouped"])
def test_rows_hidden_or_grouped_keep_their_flags_where_their_lines_stay(standard_books, tmp_path, capsys,
                                                                        monkeypatch, state):
    """Review 149: a refresh whose lines stayed in their rows (a tally of the same lines, one changed) showed every
    row a filter hid, and ungrouped an outline, saying the rewrite put other lines in them. A row keeping its line
    keeps its flags; one whose line changed, or that the table no longer reaches, is shown and said."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    _filtered(book, False) if state == "filtered" else _grouped(book, True, False, False)
    tally = _tally(tmp_path, 299)  # (the example's lines, the fourth's units changed: row 24's line is another)
    head, *lines = tally.read_text(encoding="utf-8").splitlines()
    holder, units, *rest = lines[3].split(",")
    lines[3] = ",".join([holder, str(int(units) + 1), *rest])
    tally.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line]
    sheet = _parts(book, "Tenders", "tblTenders")[0]
    with zipfile.ZipFile(book) as zf:
        text = zf.read(sheet).decode()
    if state == "filtered":
        assert out == ["book.xlsm: Tenders: the table tblTenders is filtered: the rows it hid whose lines stay where "
                       "they were stay hidden; reapply its filter (Data > Reapply) to hide the lines its criteria "
                       "select: Excel does not reapply it when it opens the file"]
        assert [r for r in range(21, 320) if 'hidden="1"' in _row(text, r).group().split(">", 1)[0]] == [23, 26]
    else:
        assert out == []
        assert [r for r in range(21, 320) if "outlineLevel" in _row(text, r).group().split(">", 1)[0]] == [25, 26, 27]
    assert _findings(book) == []
    # the next refresh, whose lines move, shows and ungroups them as ever
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup"]) == 0
    assert "shown again" in capsys.readouterr().out
    with zipfile.ZipFile(book) as zf:
        text = zf.read(sheet).decode()
    assert not re.search(r'<row r="(?:2[1-9]|[3-9]\d)"[^>]*\s(?:hidden="1"|outlineLevel)', text)


@pytest.mark.parametrize("first_bold", [False, True])
def test_cells_formatted_by_hand_are_named_as_written_in_their_columns_format(standard_books, tmp_path, capsys,
                                                                            first_bold):
    """Review 149: a holder's line highlighted by hand (a fill on D40, B30 in bold) lost its format to the rewrite
    without a word, its line perhaps gone to another row. The cells are named, in row order, ten and a count of
    the rest; a column formatted whole (its first line's format) is kept down the column and not named; one
    formatted but for its first line is no line marked.  Review 151: the first line in bold alone was written down
    the whole column, and B30's fill under it was not named."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font, PatternFill

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    ws = wb["Tenders"]
    ws["D40"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["B30"].font = Font(bold=True, italic=True)
    for row in [100, *range(200, 210)]:
        ws[f"C{row}"].fill = PatternFill("solid", fgColor="FFFF00")
    for row in range(21, 320):
        ws[f"E{row}"].fill = PatternFill("solid", fgColor="DDEBF7")
    for row in range(22, 320):  # (all but the first line: no line marked, the first line's format spreads)
        ws[f"F{row}"].fill = PatternFill("solid", fgColor="E2EFDA")
    if first_bold:
        ws["B21"].font = Font(bold=True)
    wb.save(book)
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup"]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line and "format" in line]
    assert said == [
        "book.xlsm: Tenders: cells of the table tblTenders formatted by hand (B30, D40, C100, C200, C201, C202, C203, "
        "C204, C205, C206 and 3 more) are written in their column's format again: the rewrite writes each column in "
        "one format, its lines in the table's own order (by holder, and a holder's lines in the tally file's "
        "order); format again the lines you marked",
        "book.xlsm: Tenders: the format of the first line of the table tblTenders "
        f"({'B21, ' if first_bold else ''}F21), not that of the rest of its column, is now the whole column's: the "
        "rewrite writes each column in its first line's format; if it marked that line alone, take it off the column "
        "(Home tab)"]
    ws = load_workbook(book)["Tenders"]
    assert bool(ws["B30"].font.i) is False and ws["D40"].fill.fgColor.rgb != "00FFFF00"
    assert {ws[f"E{row}"].fill.fgColor.rgb for row in range(21, 311)} == {"00DDEBF7"}
    assert {bool(ws[f"B{row}"].font.b) for row in range(21, 311)} == {first_bold}


def test_a_first_line_that_lost_its_number_format_is_not_said_to_be_the_whole_columns(standard_books, tmp_path,
                                                                                     capsys):
    """Review 161: the first line's number format cleared (General on D21, the units) was said to be "now the whole
    column's", to be taken off the column, where the rewrite writes the column in the layout's format: nothing is
    said of that line, the column keeps the layout's format, and a line marked below it is still named."""
    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    wb["Tenders"]["D21"].number_format = "General"
    wb["Tenders"]["D40"].fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(book)
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup"]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line and "format" in line]
    assert said == [
        "book.xlsm: Tenders: cells of the table tblTenders formatted by hand (D40) are written in their column's "
        "format again: the rewrite writes each column in one format, its lines in the table's own order (by "
        "holder, and a holder's lines in the tally file's order); format "
        "again the lines you marked"], said
    ws = load_workbook(book)["Tenders"]
    assert {ws[f"D{row}"].number_format for row in range(21, 311)} == {"#,##0"}


@pytest.mark.parametrize("code", ["General", "general"])  # (review 167: a format's code is read in any case)
def test_a_column_cleared_to_general_as_libreoffice_writes_it_is_written_in_the_layouts_format(standard_books,
                                                                                            tmp_path, code):
    """Review 163: LibreOffice writes General as a format of its own (``<numFmt numFmtId="165"
    formatCode="General"/>``), which was not taken for General: the units cleared to it stayed General."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    with zipfile.ZipFile(book) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = next(n for n, d in parts.items() if n.startswith("xl/worksheets/sheet") and b'<c r="D21"' in d)
    style = int(re.search(rb'<c r="D21" s="(\d+)"', parts[sheet]).group(1))
    text = parts["xl/styles.xml"].decode()
    xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", text, re.S)
    items = re.findall(r"<xf\b[^>]*/>|<xf\b[^>]*>.*?</xf>", xfs.group(1), re.S)
    items[style] = re.sub(r'numFmtId="\d+"', 'numFmtId="190"', items[style])  # (every line's units: one style)
    text = text[:xfs.start(1)] + "".join(items) + text[xfs.end(1):]
    text = re.sub(r"(<numFmts\b[^>]*>)", rf'\1<numFmt numFmtId="190" formatCode="{code}"/>', text, count=1)
    parts["xl/styles.xml"] = re.sub(r'<numFmts count="(\d+)"', lambda m: f'<numFmts count="{int(m[1]) + 1}"', text,
                                    count=1).encode()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    ws = load_workbook(book)["Tenders"]
    assert {ws[f"D{row}"].number_format for row in range(21, 320)} == {code}
    assert main(["refresh", str(book), "--tally", str(_moved(tmp_path)), "--no-backup", "-q"]) == 0
    ws = load_workbook(book)["Tenders"]
    assert {ws[f"D{row}"].number_format for row in range(21, 311)} == {"#,##0"}


def test_a_first_lines_style_past_the_style_sheet_or_without_a_number_format_has_lost_the_layouts():
    """Review 167: a style one past the last (a damaged index), or one whose ``<xf>`` names no number format (0,
    General, as OOXML reads it), has lost the layout's; a column whose layout format is General has nothing to lose."""
    from xlpy.workbook.style_map import _lost

    xfs = ['<xf numFmtId="0" fontId="0"/>', '<xf numFmtId="3" fontId="0"/>', '<xf fontId="1"/>']
    assert [_lost(xfs, s, "count", set()) for s in (None, "0", "1", "2", "3", "9")] == [True, True, False, True, True,
                                                                                          True]
    assert _lost(xfs, "1", "count", {"3"}) and not _lost(xfs, "2", "general", set())


def _flag_rows(path: Path, sheet_title: str, flags: dict[int, str]) -> str:
    """Rows of *sheet_title* given flags as Excel writes them (row -> attributes added to its ``<row>``; a row the
    sheet does not hold is added, empty): the sheet's part."""
    from xlpy.workbook import package

    pkg = package.Package(path)
    sheet = pkg.sheet_parts()[sheet_title]
    pkg.close()

    def edit(text: str) -> str:
        for r, attrs in flags.items():
            if f'<row r="{r}"' in text:
                text = text.replace(f'<row r="{r}"', f'<row r="{r}" {attrs}', 1)
            else:
                text = text.replace("</sheetData>", f'<row r="{r}" {attrs}/></sheetData>', 1)
        return text

    _edit(path, {sheet: edit})
    return sheet


def _flags(path: Path, sheet: str) -> dict[int, str]:
    """Row -> the flags its ``<row>`` carries (hidden, outlineLevel, collapsed), of the rows carrying any."""
    with zipfile.ZipFile(path) as zf:
        text = zf.read(sheet).decode()
    out = {}
    for m in re.finditer(r'<row r="(\d+)"([^>]*?)/?>', text):
        got = " ".join(re.findall(r'(?:hidden|outlineLevel|collapsed)="[^"]*"', m[2]))
        if got:
            out[int(m[1])] = got
    return out


def _one_changed(tmp_path: Path, line: int = 4) -> Path:
    """The example tally with its *line*-th line's units one more: that line's row alone takes another line."""
    tally = _tally(tmp_path, 299)
    head, *lines = tally.read_text(encoding="utf-8").splitlines()
    holder, units, *rest = lines[line - 1].split(",")
    lines[line - 1] = ",".join([holder, str(int(units) + 1), *rest])
    tally.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    return tally


def test_a_kept_group_keeps_its_collapsed_mark_and_a_filter_says_stay_hidden_only_of_hidden_rows(
        standard_books, tmp_path, capsys, monkeypatch):
    """Review 150: a collapsed group whose lines stayed kept its rows hidden but lost the collapsed mark on the row
    below it, whose line changed (Excel's +/- then said it was open); and a filtered table whose kept rows were
    grouped, none hidden, was said to keep rows hidden."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    sheet = _flag_rows(book, "Tenders", {25: 'outlineLevel="1" hidden="1"', 26: 'outlineLevel="1" hidden="1"',
                                         27: 'collapsed="1"', 24: 'hidden="1"', 30: 'outlineLevel="1"'})
    _, table = _parts(book, "Tenders", "tblTenders")
    criteria = '<filterColumn colId="4"><filters><filter val="tendered"/></filters></filterColumn>'
    _edit(book, {table: lambda t: re.sub(r'(<autoFilter ref="[^"]+")/>', rf"\1>{criteria}</autoFilter>", t)})
    assert main(["refresh", str(book), "--tally", str(_one_changed(tmp_path, 7)), "--no-backup"]) == 0
    assert _flags(book, sheet) == {24: 'hidden="1"', 25: 'outlineLevel="1" hidden="1"',
                                   26: 'outlineLevel="1" hidden="1"', 27: 'collapsed="1"', 30: 'outlineLevel="1"'}
    capsys.readouterr()
    (tmp_path / "b").mkdir()
    book = _copy(standard_books["holders"], tmp_path / "b")
    sheet = _flag_rows(book, "Tenders", {24: 'hidden="1"', 30: 'outlineLevel="1"'})
    _, table = _parts(book, "Tenders", "tblTenders")
    _edit(book, {table: lambda t: re.sub(r'(<autoFilter ref="[^"]+")/>', rf"\1>{criteria}</autoFilter>", t)})
    assert main(["refresh", str(book), "--tally", str(_one_changed(tmp_path)), "--no-backup"]) == 0
    assert [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line] == [
        "book.xlsm: Tenders: the table tblTenders is filtered: the rows it hid (24) were shown again, as the rewrite "
        "puts other lines in them; reapply its filter (Data > Reapply) to hide the lines its criteria select: Excel "
        "does not reapply it when it opens the file"]
    assert _flags(book, sheet) == {30: 'outlineLevel="1"'}


@pytest.mark.parametrize("lines", [300, 200])
def test_a_hidden_row_the_table_grows_over_or_leaves_is_shown_and_said_so(standard_books, tmp_path, capsys,
                                                                          monkeypatch, lines):
    """Review 150: rows hidden below the table that it grows over, and rows hidden that a shorter table leaves
    past its end (the rewrite empties them), are shown; the latter said as such."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    sheet = _flag_rows(book, "Tenders", {250: 'hidden="1"'} | ({320: 'hidden="1"'} if lines > 299 else {}))
    tally = _tally(tmp_path, min(lines, 299))
    if lines > 299:  # (a holder sorting last: the lines before it stay in their rows)
        tally.write_text(tally.read_text(encoding="utf-8") + "ZZZ-0001,100,book-entry,tendered\n", encoding="utf-8")
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup"]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line]
    if lines == 300:
        assert said == ["book.xlsm: Tenders: hidden rows of the table tblTenders (320) were shown again, as the "
                        "rewrite puts other lines in them"]
        assert _flags(book, sheet) == {250: 'hidden="1"'}
    else:
        assert said == ["book.xlsm: Tenders: hidden rows of the table tblTenders (250) were shown again, as the "
                        "rewrite puts other lines in them, or none past the table's new end (row 220)"]
        assert _flags(book, sheet) == {}


def test_hidden_price_days_stay_hidden_when_the_same_days_are_refreshed_with_one_more(standard_books, tmp_path,
                                                                                    capsys, monkeypatch):
    """Review 150: the price table's dates are read back as date-times and written as dates; the rows a person hid
    keep their flag when their day and price stay."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    sheet = _flag_rows(book, "Prices", {14: 'hidden="1"', 16: 'hidden="1"'})
    prices = tmp_path / "more-prices.csv"
    prices.write_text((tmp_path / PRICES).read_text(encoding="utf-8") + "2004-03-01,7.6000,2000000\n",
                      encoding="utf-8")
    assert main(["refresh", str(book), "--prices", str(prices), "--no-backup"]) == 0
    assert not [line for line in capsys.readouterr().out.splitlines() if "Prices:" in line]
    assert _flags(book, sheet) == {14: 'hidden="1"', 16: 'hidden="1"'}


def test_a_two_line_tables_second_line_formatted_is_named_not_taken_for_the_first_lines_format(standard_books,
                                                                                               tmp_path, capsys):
    """Review 152: in a table of two lines, the second in bold was said to be the first line's format spread down
    the column (one cell of one "differs" from most), and itself not named."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    book = _copy(standard_books["holders"], tmp_path)
    two = _tally(tmp_path, 2)
    assert main(["refresh", str(book), "--tally", str(two), "--no-backup", "-q"]) == 0
    wb = load_workbook(book, keep_vba=True)
    wb["Tenders"]["B22"].font = Font(bold=True)
    wb.save(book)
    head, first, second = two.read_text(encoding="utf-8").splitlines()
    two.write_text("\n".join([head, second, first]) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["refresh", str(book), "--tally", str(two), "--no-backup"]) == 0
    assert [line for line in capsys.readouterr().out.splitlines() if "Tenders:" in line and "format" in line] == [
        "book.xlsm: Tenders: cells of the table tblTenders formatted by hand (B22) are written in their column's "
        "format again: the rewrite writes each column in one format, its lines in the table's own order (by "
        "holder, and a holder's lines in the tally file's order); format "
        "again the lines you marked"]
