"""A table the refresh rewrites, moved or resized by hand in Excel or LibreOffice.

Deleting or inserting a row inside the holder table shrinks or grows the
Excel table and every name over its columns (``TenderUnits``...); inserting a
row above it moves its header.  The copies here are the standard holder
workbook with its package edited as the application saves such an edit: the
table's range (``xl/tables/tableN.xml``), the names in ``workbook.xml``, the
validation of its columns and the rows themselves.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from repo_paths import DATA, PRICES, TALLY

from xlpy.cli import main


def _copy(path: Path, tmp_path: Path) -> Path:
    for f in path.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / path.name


def _parts(path: Path, sheet: str, table: str) -> tuple[str, str]:
    from xlpy.workbook import package

    pkg = package.Package(path)
    try:
        part = pkg.sheet_parts()[sheet]
        return part, package.table_parts(pkg, part)[table]
    finally:
        pkg.close()


def _edit(path: Path, edits: dict) -> None:
    """Rewrite parts of the package: part -> function of its text."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            edit = edits.get(info.filename)
            out.writestr(info, edit(data.decode("utf-8")).encode("utf-8") if edit else data)


def _resized(path: Path, last: int, new_last: int, row_edit) -> None:
    """The holder table (B20:L*last*) as the application saves it after a row deleted or inserted inside it:
    its range, its names and its columns' validation end at *new_last*; *row_edit* edits the sheet's rows."""
    sheet, table = _parts(path, "Tenders", "tblTenders")

    def names(text: str) -> str:
        return re.sub(rf"(>'?Tenders'?!\$[A-L]\$21:\$[A-L]\$){last}<", rf"\g<1>{new_last}<", text)

    def rows(text: str) -> str:
        return row_edit(re.sub(rf'sqref="([EF])21:\1{last}"', rf'sqref="\g<1>21:\g<1>{new_last}"', text))

    _edit(path, {"xl/workbook.xml": names, sheet: rows,
                 table: lambda t: t.replace(f'ref="B20:L{last}"', f'ref="B20:L{new_last}"')})


def _row(text: str, r: int) -> re.Match:
    return re.search(rf'<row r="{r}"[^>]*>.*?</row>', text, re.DOTALL)


def _tally(folder: Path, lines: int) -> Path:
    """The first *lines* lines of the example tally (299 lines), or all of them and new holders' lines."""
    out = folder / f"tally-{lines}.csv"
    text = (DATA / TALLY).read_text(encoding="utf-8").splitlines()
    text = text[:lines + 1] + [f"NEW-{i:04d},100,book-entry,tendered" for i in range(lines + 1 - len(text))]
    out.write_text("\n".join(text) + "\n", encoding="utf-8")
    return out


def _held(path: Path) -> tuple[str, dict[str, str], list[tuple]]:
    """(the holder table's range, the Tender* names, the rows of B:L from row 300 down) as the file holds them."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Tenders"]
    names = {n: d.attr_text for n, d in wb.defined_names.items() if n.startswith("Tender") and n != "Tendered"}
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=300, max_row=330, min_col=2, max_col=12)]
    return ws.tables["tblTenders"].ref, names, rows


def _findings(path: Path) -> list[str]:
    from xlpy.workbook.validate import validate

    return [str(f) for f in validate(path, legs=("formulas",)).findings]


NAMES = ("TenderHolder", "TenderUnits", "TenderMethod", "TenderStatus", "TenderHolderUnits", "TenderAccepted",
         "TenderShares", "TenderFraction")


def _names(last: int) -> dict[str, str]:
    cols = dict(zip(NAMES, "BDEFIJKL"))
    return {n: f"'Tenders'!${c}$21:${c}${last}" for n, c in cols.items()}


def test_a_line_deleted_by_hand_gets_its_names_back_when_the_table_is_rewritten(standard_books, tmp_path, capsys,
                                                                                monkeypatch):
    """The holder's last line deleted in Excel: table and names end at 318; the refresh from the same tally
    rewrites 299 lines and must make the names cover them all, or the last holder counts nowhere in Excel."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    assert _held(book)[:2] == ("B20:L319", _names(319))
    _resized(book, 319, 318, lambda t: t.replace(_row(t, 319).group(), ""))
    assert _held(book)[:2] == ("B20:L318", _names(318))
    # review 56: validate said "rows outside B20:L319 count nowhere: rebuild it ...", of a table that shrank
    extent = [f for f in _findings(book) if "tblTenders:" in f]
    assert extent == ["book.xlsm: Tenders!tblTenders: table ends 1 row above the workbook's (B20:L319): a row was "
                      "deleted inside it, so a line is gone and the last rows the names and formulas reach are "
                      "blank; xlpy refresh rewrites it from the file the Cover records: expected B20:L319, found "
                      "B20:L318 [structure]"], extent
    assert main(["refresh", str(book), "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert ("book.xlsm: Tenders: the table tblTenders spanned rows 20:318 (the layout's: 20:319), and the names "
            "TenderHolder, TenderUnits and 6 more pointed at other rows: a row was inserted or deleted in it by "
            "hand; the table and its names were reset to B20:L319 as the layout has them") in out.splitlines()
    ref, names, rows = _held(book)
    assert (ref, names) == ("B20:L319", _names(319))
    assert rows[319 - 300][:2] == ("R-30033", 300)  # line 299, the file's row 300 and not any(rows[320 - 300])
    assert _findings(book) == []


def _line_inserted(text: str) -> str:
    """A row 320 inside the table: the inputs of line 299 typed again, its tally line left blank (what Excel's
    table then counts)."""
    last = _row(text, 319).group()
    cells = re.findall(r'<c r="[BD-F]319".*?(?:/>|</c>)', last, re.DOTALL)
    row = '<row r="320">' + "".join(c.replace("319", "320", 1) for c in cells) + "</row>"
    return text.replace(last, last + row)


@pytest.mark.parametrize("lines", [290, 300])
def test_a_row_inserted_inside_the_table_is_the_tables_own(standard_books, tmp_path, capsys, monkeypatch, lines):
    """Table and names grown to row 320 by hand: a shorter tally clears row 320 too (else Excel still counts it
    in the names), and a longer one writes over it (it is not something in the table's way)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    _resized(book, 319, 320, _line_inserted)
    assert _held(book)[2][320 - 300][:3] == ("R-30033", None, 250)
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, lines)), "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert ("book.xlsm: Tenders: the table tblTenders spanned rows 20:320 (the layout's: 20:319), and the names "
            "TenderHolder, TenderUnits and 6 more pointed at other rows: Excel grew it over a holder line typed just "
            f"below it; the table and its names were reset to B20:L{20 + lines} as the layout has them"
            ) in out.splitlines()
    dropped = ("book.xlsm: Tenders!B320: the holder line 'R-30033' (250 units), typed just below the table (Excel "
               "grew the table over it), is not in the tally file and was dropped: the table is written from that "
               "file; add it there if it belongs, then refresh again")
    assert (dropped in out.splitlines()) == (lines == 290)  # (the longer tally has R-30033's line)
    ref, names, rows = _held(book)
    assert (ref, names) == (f"B20:L{20 + lines}", _names(20 + lines))
    assert rows[20 + lines - 300][1] is not None and not any(v for row in rows[21 + lines - 300:] for v in row)
    assert _findings(book) == []


@pytest.mark.parametrize("sheet, table", [("Tenders", "tblTenders"), ("Prices", "tblPrices"),
                                          ("Prices", "tblHolidays"), ("History", "tblHistory")])
def test_a_row_inserted_above_a_table_is_refused_before_anything_is_written(standard_books, tmp_path, capsys,
                                                                            sheet, table):
    """The table's header one row down (a row inserted above it): refused in one line, the file unchanged and
    no backup written, rather than lines written over the header."""
    book = _copy(standard_books["holders"], tmp_path)
    part = _parts(book, sheet, table)[1]

    def down(text: str) -> str:
        m = re.search(r'\sref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', text)
        return text.replace(m.group(), f' ref="{m[1]}{int(m[2]) + 1}:{m[3]}{int(m[4]) + 1}"')

    _edit(book, {part: down})
    with zipfile.ZipFile(book) as zf:
        header = int(re.search(r'\sref="[A-Z]+(\d+)', zf.read(part).decode())[1])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    tally = _tally(tmp_path, 290)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"xlpy refresh: book.xlsm: {sheet}!{table}: the table's header is in row {header}, not in row "
                   f"{header - 1} where the layout puts it: a row was inserted or deleted above it; undo that, or "
                   "rebuild the workbook from its offer file (xlpy build) and refresh it; nothing was written")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p != tally} == before


def _history(path: Path) -> tuple[str, list[tuple]]:
    """(the History table's range, its rows of B:M as the file holds them, from its header down 6 rows)."""
    from openpyxl import load_workbook

    ws = load_workbook(path)["History"]
    header = int(re.match(r"B(\d+):", ws.tables["tblHistory"].ref).group(1))
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=header + 1, max_row=header + 6,
                                                                min_col=2, max_col=13)]
    return ws.tables["tblHistory"].ref, rows


@pytest.mark.parametrize("edit", ["inserted", "deleted"])
def test_history_keeps_every_record_when_a_row_was_inserted_or_deleted_inside_it(standard_books, tmp_path, capsys,
                                                                                  monkeypatch, edit):
    """History is the refreshes' record, rebuilt from no file: a blank row inserted inside it pushes the last
    record past the layout's rows, a row deleted takes one away. The refresh keeps every record the table holds
    (the blank row is no record), adds its own, and sizes the table to them: it validates."""
    book = _copy(standard_books["holders"], tmp_path)
    for epoch, lines in (("1077580800", 250), ("1077667200", 200)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, lines)), "--no-backup"]) == 0
    ref, before = _history(book)
    first, last = (int(x) for x in re.findall(r"\d+", ref))  # the header, then the build's and two refreshes' rows
    assert last == first + 3 and [r[1] for r in before[:3]] == ["hecla-2004-tally.csv", "tally-250.csv",
                                                              "tally-200.csv"]
    sheet, table = _parts(book, "History", "tblHistory")
    middle = first + 2  # the first refresh's row

    def rows(text: str) -> str:
        if edit == "deleted":
            text = text.replace(_row(text, middle).group(), "")
            for r in (middle + 1,):  # the rows below move up one
                text = re.sub(rf'(<row r="){r}(")', rf"\g<1>{r - 1}\2", text)
                text = re.sub(rf'(<c r="[A-Z]+){r}(")', rf"\g<1>{r - 1}\2", text)
            return text
        for r in (last, middle):  # the rows from the middle down move down one; the middle row is left blank
            text = re.sub(rf'(<row r="){r}(")', rf"\g<1>{r + 1}\2", text)
            text = re.sub(rf'(<c r="[A-Z]+){r}(")', rf"\g<1>{r + 1}\2", text)
        return text

    new_last = last + (1 if edit == "inserted" else -1)

    def names(text: str) -> str:
        return re.sub(rf"(>'?History'?!\$[A-Q]\${first + 1}:\$[A-Q]\$){last}<", rf"\g<1>{new_last}<", text)

    _edit(book, {"xl/workbook.xml": names, sheet: rows,
                 table: lambda t: t.replace(f'ref="B{first}:Q{last}"', f'ref="B{first}:Q{new_last}"')})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077753600")  # a new count: a record of its own (the same count again
    # would add none: tests/test_history_rows.py)
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 220)), "--no-backup"]) == 0
    capsys.readouterr()
    ref, after = _history(book)
    kept = [r[1] for r in before[:3]] if edit == "inserted" else [before[0][1], before[2][1]]
    assert [r[1] for r in after if r[1]] == kept + ["tally-220.csv"]  # every record, then this refresh's
    assert ref == f"B{first}:Q{first + len(kept) + 1}" and not any(after[len(kept) + 1])
    assert _findings(book) == []


def _list_ranges(path: Path) -> list[str]:
    """The ranges of the holder table's Method and Status lists (columns E and F), spelt as the file holds them."""
    with zipfile.ZipFile(path) as z:
        text = z.read(_parts(path, "Tenders", "tblTenders")[0]).decode("utf-8")
    return sorted(r for r in re.findall(r'<dataValidation\b[^>]*\ssqref="([^"]*)"', text) if r[0] in "EF")


@pytest.mark.parametrize("spelling", ["E21:E21", "E21"])
def test_the_method_and_status_lists_follow_a_table_grown_from_one_line(standard_books, tmp_path, capsys, spelling):
    """A table of one line has its lists on one cell, which Excel and LibreOffice spell ``E21`` and xlpy ``E21:E21``:
    either way the next refresh that grows the table takes the lists down with it, as a build of that tally does
    (package and openpyxl engines)."""
    from xlpy import macros
    from xlpy.workbook.backends import OpenpyxlBook

    book = _copy(standard_books["holders"], tmp_path)
    tally = _tally(tmp_path, 1)
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup", "-q"]) == 0
    assert f"book.xlsm: holder tally: {tally} (1 line; SHA-256 " in capsys.readouterr().out  # (as given)
    assert _list_ranges(book) in (["E21:E21", "F21:F21"], ["E21", "F21"])
    sheet, _ = _parts(book, "Tenders", "tblTenders")

    def spelt(text: str) -> str:  # each list's one cell spelt as *spelling* is for column E
        return re.sub(r'sqref="([EF])21(:[EF]21)?"', lambda m: f'sqref="{spelling.replace("E", m.group(1))}"', text)

    _edit(book, {sheet: spelt})
    assert _list_ranges(book) == sorted([spelling, spelling.replace("E", "F")])
    one = tmp_path / "one.xlsm"
    shutil.copy(book, one)
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 4)), "--no-backup", "-q"]) == 0
    assert _list_ranges(book) == ["E21:E24", "F21:F24"]
    with OpenpyxlBook(one) as ob:
        macros.refresh_tenders(ob, _tally(tmp_path, 4))
        ob.save()
    assert _list_ranges(one) == ["E21:E24", "F21:F24"]
    assert main(["validate", str(book), "--no-libreoffice"]) == 0
    capsys.readouterr()


def test_a_table_shrunk_by_either_engine_leaves_no_styled_rows_behind(standard_books, tmp_path, capsys):
    """299 lines refreshed to 3: the package and openpyxl engines both end the sheet at the table's last line
    (the rows it gave up went with their styles, not kept as blank formatted cells)."""
    from openpyxl import load_workbook

    from xlpy import macros
    from xlpy.workbook.backends import OpenpyxlBook

    book = _copy(standard_books["holders"], tmp_path)
    other = tmp_path / "other.xlsm"
    shutil.copy(book, other)
    three = _tally(tmp_path, 3)
    assert main(["refresh", str(book), "--tally", str(three), "--no-backup", "-q"]) == 0
    with OpenpyxlBook(other) as ob:
        macros.refresh_tenders(ob, three)
        ob.save()
    for path in (book, other):
        ws = load_workbook(path)["Tenders"]
        assert (ws.tables["tblTenders"].ref, ws.max_row) == ("B20:L23", 23), path.name
    capsys.readouterr()


# --- a sorted table, a table with a Total Row -----------------------------------------------------------------


def _refreshed(book: Path, tally: Path, engine: str, capsys) -> tuple[int, str]:
    """(exit status, the report and errors) of a refresh of *book* by the package engine (``xlpy refresh``) or
    the openpyxl one (the reference book the macros may be given)."""
    if engine == "package":
        status = main(["refresh", str(book), "--tally", str(tally), "--no-backup"])
        out = capsys.readouterr()
        return status, out.out + out.err
    from xlpy import macros
    from xlpy.engine.errors import InputErrors
    from xlpy.workbook.backends import OpenpyxlBook

    with OpenpyxlBook(book) as ob:
        try:
            report = macros.refresh_tenders(ob, tally)
        except InputErrors as exc:
            return 2, "\n".join(map(str, exc.problems))
        ob.save()
    return 0, "\n".join(f"book.xlsm: {line}" for line in report.notes)


def _sorted(path: Path) -> str:
    """The holder table sorted in Excel by Units, largest first, as Excel saves it: a sortState in the table part,
    over the rows the table held (the rows themselves reordered, which the rewrite replaces); the table part."""
    _, table = _parts(path, "Tenders", "tblTenders")
    sort = '<sortState ref="B21:L319"><sortCondition descending="1" ref="D21:D319"/></sortState>'
    _edit(path, {table: lambda t: re.sub(r'(<autoFilter ref="[^"]+"/>)', rf"\1{sort}", t)})
    return table


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_sorted_table_loses_its_sort_and_the_report_says_so(standard_books, tmp_path, capsys, monkeypatch, engine):
    """A sort recorded over 299 rows stayed on a table rewritten to 199 lines in the tally's order: it reached
    100 rows past the table and described an order the lines no longer had."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    table = _sorted(book)
    with zipfile.ZipFile(book) as zf:
        assert "<sortState" in zf.read(table).decode()
    status, said = _refreshed(book, _tally(tmp_path, 199), engine, capsys)
    assert status == 0, said
    assert ("book.xlsm: Tenders: the table tblTenders was sorted: its lines are written in the table's own order "
            "(by holder, and a holder's lines in the tally file's order), and its sort was dropped; sort it again to "
            "see them otherwise") in said.splitlines(), said
    with zipfile.ZipFile(book) as zf:
        text = zf.read(table).decode()
    assert "sortState" not in text and "sortCondition" not in text and 'ref="B20:L219"' in text
    assert _findings(book) == []
    status, said = _refreshed(book, _tally(tmp_path, 150), engine, capsys)
    assert status == 0 and "was sorted" not in said  # said once: the table is no longer sorted


def _totals(path: Path) -> None:
    """The History table with Excel's Total Row (Table Design > Total Row) as Excel saves it: the table's range
    one row longer, totalsRowCount, and the row's label and SUBTOTAL below the last record."""
    sheet, table = _parts(path, "History", "tblHistory")
    with zipfile.ZipFile(path) as zf:
        last = int(re.search(r'<table\b[^>]*? ref="B\d+:Q(\d+)"', zf.read(table).decode()).group(1))
    total = (f'<row r="{last + 1}"><c r="B{last + 1}" t="inlineStr"><is><t>Total</t></is></c><c r="E{last + 1}">'
             f"<f>SUBTOTAL(109,tblHistory[Lines])</f><v>299</v></c></row>")
    _edit(path, {table: lambda t: re.sub(r'(<table\b[^>]*?) ref="(B\d+):Q\d+"', rf'\1 ref="\2:Q{last + 1}" '
                                         'totalsRowCount="1"', t, count=1),
                 sheet: lambda s: s.replace("</sheetData>", total + "</sheetData>")})


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_table_with_a_total_row_is_refused_and_nothing_written(standard_books, tmp_path, capsys, monkeypatch,
                                                                  engine):
    """The refresh took Excel's Total Row for a History record: its SUBTOTAL became text, the newest record became
    the totals row, and the report said a row had been inserted by hand.  Validate says the same of it (review 149:
    it said "rows outside B25:Q26 count nowhere", sending the person to the refresh that refuses it)."""
    from xlpy.workbook.validate import validate

    book, said = _refused_unchanged(standard_books, tmp_path, capsys, monkeypatch, engine, _totals)
    assert ("History!tblHistory: the table shows a Total Row (Table Design > Total Row): the refresh rewrites the "
            "table's lines and would take that row for one; turn the Total Row off, refresh, then turn it on again; "
            "nothing was written") in said, said
    assert [f.what for f in validate(book, legs=()).findings if f.where == "History!tblHistory"] == [
        "table shows a Total Row (Table Design > Total Row) below its lines: a refresh rewrites the lines and would "
        "take that row for one, so it refuses while the row is shown; turn the Total Row off, refresh, then turn it "
        "on again"]


def _refused_unchanged(standard_books, tmp_path, capsys, monkeypatch, engine: str, edit) -> tuple[Path, str]:
    """A refresh by *engine* of a copy of the holder workbook *edit* made, refused with the file unchanged: (the
    copy, what the refresh said)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    edit(book)
    before = book.read_bytes()
    status, said = _refreshed(book, _tally(tmp_path, 199), engine, capsys)
    assert status == 2 and book.read_bytes() == before, said
    return book, said


def _headers_off(path: Path) -> None:
    """The holder table with its header row turned off (Table Design > Header Row) as Excel saves it: the range
    begins at the first line, headerRowCount="0", no autoFilter (it needs a header), the header cells blank."""
    sheet, table = _parts(path, "Tenders", "tblTenders")
    _edit(path, {table: lambda t: re.sub(r"<autoFilter\b[^>]*?(?:/>|>.*?</autoFilter>)", "", re.sub(
                     r'(<table\b[^>]*?) ref="B20:(L\d+)"', r'\1 ref="B21:\2"', t, count=1).replace(
                     'headerRowCount="1"', 'headerRowCount="0"'),
                     flags=re.S),
                 sheet: lambda s: re.sub(r'<c r="[B-L]20"[^>]*?(?:/>|>.*?</c>)', "", s, flags=re.S)})


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_header_row_turned_off_is_said_as_such(standard_books, tmp_path, capsys, monkeypatch, engine):
    """Review 139: the holder table's header row turned off was refused as "a row was inserted or deleted above
    it", which no one did; undoing such a row is no way back."""
    book, said = _refused_unchanged(standard_books, tmp_path, capsys, monkeypatch, engine, _headers_off)
    assert ("Tenders!tblTenders: the table's header row is turned off (Table Design > Header Row), so the table "
            "begins in row 21, not with its header in row 20 where the layout puts it: turn the Header Row on "
            "again, then refresh; nothing was written") in said, said
    assert "inserted or deleted" not in said
    if engine == "package":  # (validate says it alike)
        assert ("book.xlsm: Tenders!tblTenders: table's header row is turned off (Table Design > Header Row), "
                "so the table begins in row 21, not with its header where the layout puts it, and its labels are "
                "gone: turn the Header Row on again: expected B20:L319, found B21:L319 [structure]") in _findings(book)


@pytest.mark.parametrize("method, attribute, missing", [("table_totals", "show_totals", False),
                                                        ("table_headers", "show_headers", True)])
def test_a_live_books_total_and_header_rows_are_read_from_excel(method, attribute, missing):
    """A button in Excel asks the table itself (ListObject.ShowTotals, ShowHeaders); a missing table shows no
    Total Row and is not said to hide its header."""
    from types import SimpleNamespace

    from xlpy.workbook.live_book import XlwingsBook

    tables = {"tblHistory": SimpleNamespace(**{attribute: True}), "tblTenders": SimpleNamespace(**{attribute: False})}
    book = XlwingsBook(SimpleNamespace(sheets={"History": SimpleNamespace(tables=tables)}, fullname=""))
    read = getattr(book, method)
    assert (read("History", "tblHistory"), read("History", "tblTenders"), read("History", "tblPrices")) == (
        True, False, missing)


@pytest.mark.parametrize(("table", "typed", "said"), [
    ("tblTenders", {"holder": "NEW-0001", "units": 50000, "method": "book-entry", "status": "tendered"},
     "the holder table ({ref}), where a holder line counts nowhere: clear the row, adding the line to the tally "
     "file first if it is one, then refresh (a Refresh button, or xlpy refresh); a note of your own goes beside "
     "the table or a row further down, got 'NEW-0001'"),
    ("tblPrices", {"date": "2004-03-01", "price": 8.5, "volume": 100000},
     "the price table ({ref}), where a price day counts nowhere: clear the row, adding the day to the price file "
     "first if it is one, then refresh (a Refresh button, or xlpy refresh); a note of your own goes beside the "
     "table or a row further down, got 2004-03-01"),
])
def test_a_line_typed_just_below_an_input_table_is_named_by_validate_and_refresh(standard_books, tmp_path, capsys,
                                                                                table, typed, said):
    """QA (round trip): a holder line typed just below the holder table (LibreOffice does not grow a table over
    it, nor does openpyxl) counted nowhere, and validate called the workbook valid; a refresh from a shorter
    tally left it there, still counted nowhere. Named as the row below the table of exchanges is."""
    import datetime as dt

    from openpyxl import load_workbook

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, t = lay.table(table)
    row = t.last_row + 1
    for key, value in typed.items():
        wb[sheet.title][f"{t.letter(key)}{row}"] = dt.datetime.fromisoformat(value) if key == "date" else value
    wb.save(book)
    first = f"{sheet.title}!{t.letter(t.columns[0].key)}{row}"
    found = next(k for k in (c.key for c in t.columns) if k in typed)
    where = f"{sheet.title}!{t.letter(found)}{row}"
    message = f"{where}: is just below " + said.format(ref=f"{sheet.title}!{t.ref}")
    assert _findings(book) == [f"book.xlsm: {message} [inputs]"], first
    before = book.read_bytes()
    shorter = _tally(tmp_path, 290)  # (the tally refresh rewrites the holder table, shorter; prices as recorded)
    assert main(["refresh", str(book), "--tally", str(shorter), "--no-backup"]) == 2
    unchanged = f"xlpy refresh: {book} was not changed"
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: book.xlsm: {message}", unchanged]
    assert book.read_bytes() == before
    if table == "tblTenders":  # review 56: a table that grows over it said "is in the way" for each of its cells
        assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 310)), "--no-backup"]) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: book.xlsm: {message}", unchanged]
        assert book.read_bytes() == before


def test_a_total_below_the_holder_table_or_a_row_excel_grew_it_over_is_no_typed_line(standard_books, tmp_path,
                                                                                    capsys):
    """Review: a column total (a formula) under the holder table was called a holder line, refused by refresh
    (it refreshed before), and a row Excel grew the table over was named twice, stopping the comparison."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    ws = wb["Tenders"]
    ws["E320"] = "=SUM(E21:E319)"  # (under Units)
    ws["L321"] = "checked by J. Doe"  # (two rows down: a note, not the row below)
    wb.save(book)
    assert _findings(book) == []
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 290)), "--no-backup", "-q"]) == 0
    capsys.readouterr()
    grown = _copy(standard_books["holders"], tmp_path / "grown") if (tmp_path / "grown").mkdir() is None else None
    wb = load_workbook(grown, keep_vba=True)
    wb["Tenders"]["B320"] = "NEW-0001"
    wb["Tenders"].tables["tblTenders"].ref = "B20:L320"  # (as Excel grows a table over a row typed below it)
    wb.save(grown)
    found = _findings(grown)
    assert len(found) == 1 and "Tenders!tblTenders: table spans other rows than the workbook computes" in found[0]


@pytest.mark.parametrize("table, typed, said", [
    ("tblTenders", {"holder": "NEW-0001", "units": 50000, "method": "book-entry", "status": "tendered"},
     "the holder line 'NEW-0001' (50,000 units), typed just below the table (Excel grew the table over it), is not in "
     "the tally file and was dropped: the table is written from that file; add it there if it belongs, then refresh "
     "again"),
    ("tblPrices", {"date": "2004-03-01", "price": 8.5, "volume": 100000},
     "the price day 2004-03-01, typed just below the table (Excel grew the table over it), is not in the price file "
     "and was dropped: the table is written from that file; add it there if it belongs, then refresh again"),
])
def test_a_line_typed_in_a_row_excel_grew_the_table_over_is_named_as_dropped(standard_books, tmp_path, capsys,
                                                                            monkeypatch, table, typed, said):
    """Round trip: a holder line (or price day) typed just below its table in Excel, which grows the table over
    it, was dropped by the next refresh from the file with "a row was inserted or deleted in it by hand". The
    file is the table's source, so the line goes, but the report names it and says how to keep it."""
    import datetime as dt

    from openpyxl import load_workbook

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, t = lay.table(table)
    row = t.last_row + 1
    for key, value in typed.items():
        wb[sheet.title][f"{t.letter(key)}{row}"] = dt.datetime.fromisoformat(value) if key == "date" else value
    first = t.letter(t.columns[0].key)
    wb[sheet.title].tables[table].ref = f"{first}{t.header_row}:{t.letter(t.columns[-1].key)}{row}"
    wb.save(book)
    args = ["--tally", str(_tally(tmp_path, 290))] if table == "tblTenders" else ["--prices", str(DATA / PRICES)]
    assert main(["refresh", str(book), *args, "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"book.xlsm: {sheet.title}!{first}{row}: {said}" in out
    grown = [line for line in out if f"the table {table} spanned rows" in line]
    assert len(grown) == 1 and ": Excel grew it over a " in grown[0] and "by hand" not in grown[0], out
    assert _findings(book) == []


class _Grid:
    """A book of one sheet's cells by (row, column), read as :class:`xlpy.workbook.backends.Book` reads ranges."""

    def __init__(self, cells: dict[tuple[int, int], object]):
        self.cells = cells

    def get_rows(self, sheet: str, ref: str) -> list[list[object]]:
        from openpyxl.utils.cell import range_boundaries

        c1, r1, c2, r2 = range_boundaries(ref)
        return [[self.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def _grown(book_lines: list[tuple], file_lines: list[tuple]):
    """grown_lines over a holder table of 5 lines (the layout's, 'file_lines' as the tally gives them) that holds
    *book_lines* (holder, units, its tally line or None; None alone: a blank row) from its first row down."""
    from xlpy.workbook import table_edits
    from xlpy.workbook.layout import Shape, layout

    _, t = layout(Shape(tally="holders", holder_rows=5)).table("tblTenders")
    col = {c.key: t.first_col + i for i, c in enumerate(t.columns)}
    cells = {}
    for r, line in enumerate(book_lines, start=t.first_row):
        if line is not None:
            cells[(r, col["holder"])], cells[(r, col["units"])], cells[(r, col["line"])] = line
    rows = [(h, n, u, "book-entry", "tendered") for h, u, n in file_lines]
    held = (t.header_row, max(t.last_row, t.first_row + len(book_lines) - 1))
    return table_edits.grown_lines(_Grid(cells), "Tenders", t, held, t, rows)


_FILE = [(f"H-{i}", i + 1, i + 2) for i in range(5)]


@pytest.mark.parametrize("book_lines, said, why", [
    (_FILE, [], None),  # (nothing past the end)
    (_FILE[:2] + [None] + _FILE[2:], [], None),  # a blank row inserted inside pushed the last line past the end
    (_FILE + [("NEW-1", 7, None)], ["Tenders!B26: the holder line 'NEW-1' (7 units), typed just below the table "
                                    "(Excel grew the table over it), is not in the tally file and was dropped"],
     "Excel grew it over a holder line typed just below it"),
    (_FILE[:2] + [("NEW-1", 7, None)] + _FILE[2:],  # review: typed in a row inserted inside, the usual way
     ["Tenders!B23: the holder line 'NEW-1' (7 units), typed in a row inserted in the table, is not in the tally "
      "file and was dropped"], "a row was inserted in it by hand and a holder line typed there"),
    (_FILE + [("H-4", 5, None)], [], "Excel grew it over a holder line typed just below it"),  # (the tally has it)
    (_FILE[:2] + [None] + _FILE[3:] + [("NEW-1", 7, None)],  # review: a line cleared, another typed below: as many
     ["Tenders!B26: the holder line 'NEW-1' (7 units), typed just below the table"],
     "Excel grew it over a holder line typed just below it"),
    (_FILE[:2] + [_FILE[1]] + _FILE[2:],  # a line copied whole, its tally line too: told by the count
     ["Tenders: the table tblTenders held 6 holder lines where the layout has 5: the table was written from the "
      "tally file alone"], "a row was inserted in it by hand, or a line typed below it"),
])
def test_the_lines_past_a_grown_tables_end_are_told_from_its_own(book_lines, said, why):
    """Review: what lies past the layout's last row of a table Excel grew is a line typed there only when the
    table holds more lines than the layout has (a blank row inserted inside pushes its own last line there), and a
    line typed in a row inserted inside is named too: a line a refresh wrote carries its tally line."""
    notes, got = _grown(book_lines, _FILE)
    assert got == why and len(notes) == len(said), (notes, got)
    assert all(note.startswith(s) for note, s in zip(notes, said)), notes


def test_a_formula_below_a_table_excel_grew_is_no_line_in_a_live_book():
    """Review: a live book reads a formula as its result; a formula's figure under the holder table Excel grew
    over it read as a holder line typed there, and named as dropped. Read as entered, it is no line."""
    from xlpy.workbook import table_edits
    from xlpy.workbook.layout import Shape, layout

    _, t = layout(Shape(tally="holders", holder_rows=2)).table("tblTenders")
    col = {c.key: t.first_col + i for i, c in enumerate(t.columns)}
    cells = {(t.first_row + i, col["holder"]): f"H-{i}" for i in range(2)}
    cells.update({(t.first_row + i, col["units"]): 10 for i in range(2)})
    below = (t.last_row + 1, col["units"])
    cells[below] = 20  # (what =SUM(D21:D22) shows)

    class Live(_Grid):
        def entries(self, sheet: str, ref: str) -> list[list[object]]:
            rows = self.get_rows(sheet, ref)
            from openpyxl.utils.cell import range_boundaries

            c1, r1, _, _ = range_boundaries(ref)
            return [["=SUM(D21:D22)" if (r1 + i, c1 + j) == below else v for j, v in enumerate(row)]
                    for i, row in enumerate(rows)]

    rows = [(f"H-{i}", 2 + i, 10, "book-entry", "tendered") for i in range(2)]
    held = (t.header_row, t.last_row + 1)
    assert table_edits.grown_lines(_Grid(cells), "Tenders", t, held, t, rows)[1] is not None  # (read as a figure)
    assert table_edits.grown_lines(Live(cells), "Tenders", t, held, t, rows) == ([], None)


def test_a_formula_excel_grew_the_holder_table_over_is_no_dropped_line_in_a_file(standard_books, tmp_path, capsys):
    """Review: the rows past the layout's end of a table Excel grew are read alone from the sheet's text (openpyxl
    streamed a 100,000-line sheet from its top, twice: two minutes); a formula there, read as entered, is no
    holder line typed there."""
    from openpyxl import load_workbook

    from xlpy.workbook.backends import PackageBook

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    wb["Tenders"]["D320"] = "=SUM(D21:D319)"
    wb["Tenders"]["B321"] = "NEW-0001"  # (a row further down: a value, as the sheet's text stores it)
    wb["Tenders"].tables["tblTenders"].ref = "B20:L321"
    wb.save(book)
    pkg = PackageBook(book)
    try:
        assert pkg.rows_as_entered("Tenders", "B320:E321") == [[None, None, "=SUM(D21:D319)", None],
                                                                ["NEW-0001", None, None, None]]
    finally:
        pkg.close()
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 290)), "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("Tenders!B321: the holder line 'NEW-0001', typed just below the table" in line for line in out), out
    assert not any("Tenders!D320" in line or "Tenders!B320" in line for line in out), out


#: What compute, release and entries said of the holder table edited (review 96), after ``xlpy compute: PATH: ``.


def test_the_dimension_and_validations_of_a_table_whose_rows_change_are_set_as_its_rows_are_joined():
    """Review 166: a refresh whose tally gained or lost a line copied the 60 MB sheet again to set the ``<dimension>``
    and the data validations' ranges after the join; they are set in the text around the rows as they are joined,
    and the same once the rows are written in place (other cells beside them)."""
    from xlpy.workbook.package import SheetXml

    def sheet(extra: str = "") -> SheetXml:
        rows = "".join(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c>{extra}</row>' for r in range(1, 31))
        return SheetXml(f'<worksheet xmlns="x"><dimension ref="B1:L30"/><sheetData>{rows}</sheetData>'
                        '<dataValidations count="1"><dataValidation type="list" sqref="E21:E30 Z1"/>'
                        '</dataValidations></worksheet>'.encode())

    sx = sheet()
    sx.at_join = (22, {"E21:E30": "E21:E22"})
    sx.replace_rows(21, 30, ['<row r="21"><c r="B21"><v>1</v></c></row><row r="22"><c r="B22"><v>2</v></c></row>'])
    assert sx.at_join is None and '<dimension ref="B1:L22"/>' in sx.text and 'sqref="E21:E22 Z1"' in sx.text
    sx.set_dimension()  # (what to_bytes does: nothing left to change)
    assert '<dimension ref="B1:L22"/>' in sx.text
    sx = sheet()  # rows below the table's: the dimension is theirs, set after the join as before
    sx.at_join = (25, {"E21:E30": "E21:E25"})
    sx.replace_rows(21, 25, ['<row r="21"><c r="B21"><v>1</v></c></row>'])
    assert '<dimension ref="B1:L30"/>' in sx.text and 'sqref="E21:E25 Z1"' in sx.text
    assert sx.replace_ranges_after_data("dataValidation", "sqref", {"E21:E9": "E21:E1"}) == 0


def test_values_in_a_merged_block_in_the_way_are_said_with_the_block():
    """Review 170: a note typed in a merged block below a table that grows was two refusals, the note's and the
    block's; review 176: a value LibreOffice keeps in a cell the block covers is said of the block too."""
    from xlpy.engine.errors import InputError
    from xlpy.workbook.table_edits import _with_blocks

    way = "is in the way: tblTenders grows to row 324; move what is below the table"
    held = [InputError("Tenders!B321", "note", way), InputError("Tenders!C321", "hidden", way),
            InputError("Tenders!B322", "loose", way)]
    blocks = {"B321:D321": ["B321", "C321", "D321"], "F322:G322": ["F322", "G322"]}
    assert [str(e) for e in _with_blocks(held, blocks, "Tenders", "tblTenders", 324)] == [
        f"Tenders!B321: {way} (and the merged block B321:D321 it is in: Excel cannot write part of a merged block), "
        "got 'note'",
        f"Tenders!C321: {way} (a cell the merged block B321:D321 covers), got 'hidden'",
        f"Tenders!B322: {way}, got 'loose'",
        "Tenders!F322: is part of merged cells: tblTenders grows to row 324, and Excel cannot write part of a merged "
        "block; unmerge it (Home > Merge & Center) or move it (it and 1 more cell of the merged block F322:G322 in "
        "the way)"]
