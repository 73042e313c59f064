"""The holder workbook's shape edited by hand in Excel or LibreOffice beyond its tables' rows: a holder table of
other rows than the layout's, a column typed beside it or inserted inside it, rows inserted or deleted above named
cells, a name moved alone, a table cleared whole (rows deleted, inserted or filtered inside the tables:
``test_table_extent.py``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from repo_paths import PRICES, TALLY
# (the helpers that edit a holder workbook as the application saves an edit: with the table tests, not copied)
from test_table_extent import NAMES, _copy, _edit, _findings, _line_inserted, _parts, _resized, _row, _tally

from xlpy.cli import main

_OTHER_ROWS = {
    "deleted": "Tenders!tblTenders: table ends 1 row above the workbook's (B20:L319): a row was deleted inside it, so "
               "a line is gone and the last rows the names and formulas reach are blank; xlpy refresh rewrites it "
               "from the file the Cover records: found B20:L318; nothing was computed",
    "inserted": "Tenders!tblTenders: table ends 1 row below the workbook's (B20:L319), and so do the names over its "
                "columns: a row was inserted inside it, so the workbook's formulas count the rows past row 319, which "
                "xlpy does not read (it reads the layout's rows); xlpy refresh rewrites it from the file the Cover "
                "records: found B20:L320; nothing was computed",
    "grown": "Tenders!tblTenders: table spans other rows than the workbook computes (rows outside B20:L319 count "
             "nowhere: rebuild it with xlpy build from an offer file that holds them; tallies and prices: xlpy "
             "refresh): found B20:L320; nothing was computed",
    "below": "Tenders!B320: is just below the holder table (Tenders!B20:L319), where a holder line counts nowhere: "
             "clear the row, adding the line to the tally file first if it is one, then refresh (a Refresh button, "
             "or xlpy refresh); a note of your own goes beside the table or a row further down, got 'NEW-0001'",
}


@pytest.mark.parametrize("edit", list(_OTHER_ROWS))
def test_a_holder_table_of_other_rows_than_the_layouts_is_refused_by_compute(standard_books, tmp_path, capsys,
                                                                             edit):
    """Review 96: a row deleted inside the holder table (its table and names a row shorter) was refused for
    "Tenders!B319: TenderHolder is required, got nothing", which a user would mend by typing a line there; a row
    inserted inside it (names stretched with it) or a line typed below it that Excel grew the table over gave
    274,000 units accepted where the workbook counts the line past the layout's rows, and a line typed below it
    (LibreOffice: the table not grown) was left out without a word.  Each refused in validate's words, which no
    longer say "count nowhere" of the rows the stretched names count."""
    from openpyxl import load_workbook

    from xlpy.workbook.validate import validate

    book = _copy(standard_books["holders"], tmp_path)
    if edit == "deleted":
        _resized(book, 319, 318, lambda t: t.replace(_row(t, 319).group(), ""))
    elif edit == "inserted":
        _resized(book, 319, 320, _line_inserted)
    else:
        wb = load_workbook(book, keep_vba=True)
        for col, value in zip("BDEF", ("NEW-0001", 5000, "book-entry", "tendered")):
            wb["Tenders"][f"{col}320"] = value
        if edit == "grown":
            wb["Tenders"].tables["tblTenders"].ref = "B20:L320"  # (as Excel grows a table over a row typed below)
        wb.save(book)
    found = [f for f in validate(book, legs=()).findings if f.where in ("Tenders!tblTenders", "Tenders!B320")]
    assert [f"{f.where}: {f.what}" for f in found] == [_OTHER_ROWS[edit].rsplit(": found", 1)[0].rsplit(", got", 1)[0]]
    for command in ("compute", "release", "entries"):
        assert main([command, str(book)]) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy {command}: {book}: {_OTHER_ROWS[edit]}"]


@pytest.mark.parametrize("inside", [False, True])
def test_a_column_typed_beside_the_holder_table_is_computed_one_inserted_inside_it_refused(standard_books, tmp_path,
                                                                                          capsys, inside):
    """A note column typed beside the holder table (Excel takes it in; the names stay over the layout's columns) is
    validate's finding, but its inputs are read where they are: computed, with no warning the built workbook has
    not.  A column inserted inside it moves the names over the columns after it, and the layout's columns hold
    other inputs: refused, as a row inserted inside it is."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    ws = wb["Tenders"]
    if inside:  # (before Method: the names over E:L move right one, as Excel and Calc move them)
        ws.insert_cols(5)
        for name, col in zip(NAMES, "BDEFIJKL"):
            if col >= "E":
                wb.defined_names[name].attr_text = f"'Tenders'!${chr(ord(col) + 1)}$21:${chr(ord(col) + 1)}$319"
    else:
        ws["M20"] = "Note"
    ws.tables["tblTenders"].ref = "B20:M319"
    wb.save(book)
    assert main(["compute", str(book)]) == (2 if inside else 0)
    got = capsys.readouterr()
    if inside:
        assert got.err.splitlines() == [
            f"xlpy compute: {book}: Tenders!tblTenders: table spans other columns than the workbook's (B20:L319): a "
            "column added to it is not the workbook's, and xlpy refresh rewrites the table without it (its cells "
            "stay where they are, beside rows that may then hold other lines): found B20:M319; nothing was computed"]
    else:
        assert main(["compute", str(standard_books["holders"])]) == 0
        want = capsys.readouterr()
        assert (got.out, got.err.splitlines()[1:]) == (want.out, want.err.splitlines()[1:])


def _moved_as_calc_moves(book: Path, sheet: str, edit: str, at: int) -> None:
    """*book* with a row inserted at row *at* of *sheet* (``row+``), the row above it deleted (``row-``), a column
    inserted at A (``col+``) or column A deleted (``col-``), or cells inserted in column C at *at*, shifting it down
    (``cells+``): the cells moved, and every name over a cell moved with it, as Excel and LibreOffice move them."""
    from openpyxl import load_workbook

    wb = load_workbook(book, keep_vba=True)
    ws = wb[sheet]
    dr, dc = {"row+": (1, 0), "row-": (-1, 0), "col+": (0, 1), "col-": (0, -1), "cells+": (1, 0)}[edit]
    if edit == "row+":
        ws.insert_rows(at)
    elif edit == "row-":
        ws.delete_rows(at - 1)
    elif edit == "col+":
        ws.insert_cols(1)
    elif edit == "col-":
        ws.delete_cols(1)
    else:
        ws.move_range(f"C{at}:C{ws.max_row}", rows=1)

    def moved(m) -> str:
        col, row = m[2], int(m[3])
        if row < at and edit.startswith(("row", "cells")) or edit == "cells+" and col != "C":
            return m[0]
        return f"{m[1]}${get_column_letter(column_index_from_string(col) + dc)}${row + dr}"

    for dn in wb.defined_names.values():
        if dn.attr_text.replace("'", "").startswith(f"{sheet}!") and ":" not in dn.attr_text:
            dn.attr_text = re.sub(r"^(.*!)\$([A-Z]+)\$(\d+)$", moved, dn.attr_text)
    wb.save(book)


@pytest.mark.parametrize("sheet, edit, which", [
    ("Cover", "row+", "first"), ("Cover", "row-", "first"), ("Inputs", "row+", "first"), ("Cover", "col+", "first"),
    ("Inputs", "col-", "first"), ("Results", "row+", "last"), ("Inputs", "cells+", "first")])
def test_a_row_inserted_or_deleted_above_named_cells_is_refused_before_anything_is_read(standard_books, tmp_path,
                                                                                      capsys, sheet, edit, which):
    """Review 56: a row inserted on the Cover (LibreOffice moves each name with its cell) was refused for a mapping
    "(39) not there"; with the files given, the refresh wrote its time over "Built at" and a tally's name over the
    offer file's SHA-256, exit 0.  Now one line per sheet, before the Cover's record is read, the files unchanged.
    Review 59: a column inserted at A did the same.  Review 61: a row inserted above a sheet's last named cell alone
    passed (235724f asked for two names moved alike), and cells inserted in one column were called a row."""
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    book = _copy(standard_books["holders"], tmp_path)
    with PackageBook(book) as pb:
        lay = layout(Shape.decode(pb.name(LAYOUT_NAME)))
    cells = {n: ref for n, (s, ref) in lay.names.items() if s == sheet and ":" not in ref}
    order = sorted(cells, key=lambda n: int(cells[n].split("$")[2]))
    first = order[0] if which == "first" else order[-1]
    col, row = cells[first].split("$")[1:]
    _moved_as_calc_moves(book, sheet, edit, int(row))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    tally = _tally(tmp_path, 290)
    dr, dc = {"row+": (1, 0), "row-": (-1, 0), "col+": (0, 1), "col-": (0, -1), "cells+": (1, 0)}[edit]
    held = f"{get_column_letter(column_index_from_string(col) + dc)}{int(row) + dr}"
    way = f"1 row {'below' if dr > 0 else 'above'}" if dr else f"1 column {'right of' if dc > 0 else 'left of'}"
    done, fix = {"row+": (f"a row was inserted above row {row}", "delete the row inserted"),
                 "row-": (f"a row was deleted above row {row}", "insert the row deleted again"),
                 "col+": (f"a column was inserted left of column {col}", "delete the column inserted"),
                 "col-": (f"a column was deleted left of column {col}", "insert the column deleted again"),
                 "cells+": (f"cells were inserted in column {col} above row {row}",
                            f"delete the cells inserted in column {col}, shifting cells up")}[edit]
    said = (f"{sheet}!{col}{row}: the name {first} refers to {sheet}!{held}, {way} where the layout puts it: {done} "
            f"on {sheet} (or more than one)")
    for args in ([], ["--tally", str(tally)]):
        assert main(["refresh", str(book), *args]) == 2
        assert capsys.readouterr().err.strip() == (
            f"xlpy refresh: book.xlsm: {said}, and the refresh would read and save that sheet's cells in the wrong "
            f"places; undo that (Edit > Undo, or {fix}), or rebuild the workbook from its offer file (xlpy build) "
            "and refresh it; nothing was written")
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p != tally} == before
    # validate says it once, first, rather than every name, label and formula of the sheet one row off
    assert main(["validate", str(book), "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"book.xlsm: {said}: the sheet's names, labels and formulas from there on sit in other cells "
                      "than the layout's, so nothing else on it is told, nor the figures checked, until it is mended; "
                      f"undo that (Edit > Undo, or {fix}) [structure]"), out
    assert "book.xlsm: note: inputs and recalculation skipped: rows or columns were inserted or deleted before " \
           f"named cells on {sheet}" in out, out
    # review 96: entries read the inputs at the layout's cells, printing figures of other cells or their errors
    assert main(["entries", str(book)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy entries: {book}: {said}, and xlpy would read that sheet's inputs from other cells than the layout's; "
        f"undo that (Edit > Undo, or {fix}), or rebuild the workbook from its offer file (xlpy build) and refresh it; "
        "nothing was computed"]


@pytest.mark.parametrize("rows, columns", [(11, 0), (0, 1)])
def test_one_name_moved_alone_is_a_name_moved_not_a_row_or_column_inserted(standard_books, tmp_path, capsys, rows,
                                                                           columns):
    """Review 60: a cell cut and pasted 11 rows down (its name with it) was refused as "a row was inserted above row
    29", with the advice to delete rows.  A name moved alone is named as moved, and the refresh is not refused."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    book = _copy(standard_books["holders"], tmp_path)
    with PackageBook(book) as pb:
        lay = layout(Shape.decode(pb.name(LAYOUT_NAME)))
    sheet, ref = lay.names["ChargeAccount"]
    col, row = ref.split("$")[1:]
    held = f"${get_column_letter(column_index_from_string(col) + columns)}${int(row) + rows}"
    _edit(book, {"xl/workbook.xml": lambda text: re.sub(
        r'(<definedName name="ChargeAccount"[^>]*>[^<]*!)\$[A-Z]+\$\d+<', lambda m: f"{m[1]}{held}<", text)})
    found = _findings(book)
    assert [f for f in found if f.startswith("book.xlsm: name ChargeAccount")] == [
        f"book.xlsm: name ChargeAccount: name refers elsewhere: expected '{sheet}'!{ref}, found "
        f"'{sheet}'!{held} [structure]"], found
    assert all("it follows from the name ChargeAccount, pointed at another cell" in f for f in found
               if f.endswith("[formulas]")), found  # (review 96: the figures following from it say so)
    assert not any("was inserted" in f or "was deleted" in f for f in found), found
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 290)), "--no-backup", "-q"]) == 0
    assert "name ChargeAccount" in capsys.readouterr().err


@pytest.mark.parametrize("definition", ["'Cover'!#REF!", "#REF!", '"text"'])
def test_a_name_of_no_single_cell_is_passed_over_by_the_check_of_moved_cells(standard_books, tmp_path, capsys,
                                                                            definition):
    """72df567 (review 60: no test of its own): a name whose definition is no cell stopped validate with openpyxl's
    UnboundLocalError; it is named as the name it is, and refresh goes on past the check."""
    book = _copy(standard_books["holders"], tmp_path)
    _edit(book, {"xl/workbook.xml": lambda text: re.sub(r'(<definedName name="BuiltAt"[^>]*>)[^<]*<',
                                                        lambda m: f"{m[1]}{escape(definition)}<", text)})
    found = _findings(book)
    assert any(f.startswith("book.xlsm: name BuiltAt: name refers elsewhere") for f in found), found
    assert not any("was inserted" in f for f in found), found
    capsys.readouterr()
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 290)), "--no-backup", "-q"]) == 0
    said = capsys.readouterr().err
    assert "Traceback" not in said and "BuiltAt" in said and "was inserted" not in said, said


# --- a table cleared whole (Excel's Clear All: values and formats) ---------------------------------------------


def _looks(ws, ref: str) -> list[list[tuple]]:
    """Each cell's number format, lock, font colour and alignment in *ref* of *ws*."""
    return [[(c.number_format, c.protection.locked, c.font.color.value if c.font.color else None, c.alignment.indent,
              bool(c.alignment.shrink_to_fit)) for c in row] for row in ws[ref]]


def test_a_table_cleared_whole_is_refreshed_in_the_layouts_styles(standard_books, tmp_path, capsys):
    """Excel's Clear All on a table's data rows takes their formats with their values. A refresh copied each
    column's style from the table's first row: the price file's dates went in as bare serial numbers (General),
    which validate then called typed, and the holder table's lines came back locked, black, its ids without the
    Text format. A column whose first row has lost its style is written in the layout's, as a build writes it."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    tables = {"Prices": "B13:D51", "Tenders": "B21:L319"}
    wb = load_workbook(book, keep_vba=True)
    built = {sheet: _looks(wb[sheet], ref) for sheet, ref in tables.items()}
    for sheet, ref in tables.items():
        for row in wb[sheet][ref]:
            for cell in row:
                cell.value = None
                cell.style = "Normal"
    wb.save(book)
    assert main(["refresh", str(book), "--tally", str(tmp_path / TALLY), "--prices", str(tmp_path / PRICES),
                 "--no-backup", "-q"]) == 0
    capsys.readouterr()
    wb = load_workbook(book)
    for sheet, ref in tables.items():
        assert _looks(wb[sheet], ref) == built[sheet], sheet
    assert wb["Prices"]["B13"].is_date and wb["Prices"]["C13"].number_format == "$#,##0.0000"
    assert _findings(book) == []


def test_a_format_of_ones_own_on_a_tables_first_row_is_kept_down_the_column(standard_books, tmp_path, capsys):
    """Dates shown another way (a date format of one's own on the first row) are not the layout's lost: kept."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    wb["Prices"]["B13"].number_format = "d mmm yyyy"
    wb.save(book)
    lines = (tmp_path / PRICES).read_text(encoding="utf-8").splitlines()
    (tmp_path / "later.csv").write_text("\n".join(lines + ["2004-03-01,8.5,1000000"]) + "\n", encoding="utf-8")
    assert main(["refresh", str(book), "--prices", str(tmp_path / "later.csv"), "--no-backup", "-q"]) == 0
    capsys.readouterr()
    ws = load_workbook(book)["Prices"]
    assert {ws.cell(r, 2).number_format for r in range(13, 53)} == {"d mmm yyyy"}


def test_dates_that_lost_their_format_are_no_values_typed(standard_books, tmp_path, capsys):
    """Review 86: the price table's dates with their date format cleared (General: Excel shows 37,988) were said to
    be typed since the last refresh, each against the file's day, though each held its day's serial number: a
    refresh from the same file names them as dates without their format, written as dates again, and one from
    another file warns of nothing typed.  Validate names each as a date to format again, not as a figure other
    than the price file's (review 158)."""
    from openpyxl import load_workbook

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    for (cell,) in wb["Prices"]["B13:B51"]:
        cell.number_format = "General"
    wb.save(book)
    again = tmp_path / "again.xlsm"
    shutil.copy(book, again)
    # validate names each as a date to format again, never as a figure not the price file's (the same day)
    found = _findings(book)
    assert any("Prices!B13: PriceDates must be a date (2004-01-02 as a serial number" in f for f in found), found
    assert not [f for f in found if "[sources]" in f], found
    assert main(["refresh", str(book), "--prices", str(tmp_path / PRICES), "--no-backup"]) == 0
    out, err = capsys.readouterr()
    assert ("Prices: the price table differed from the price file the Cover records (edited since): rewritten from "
            "it (Prices!B13 (2004-01-02, shown as 37,988); Prices!B14 (2004-01-05, shown as 37,991); ") in out, out
    assert "dates without their date format, written as dates again)" in out and "typed" not in err
    assert load_workbook(book)["Prices"]["B13"].is_date and _findings(book) == []
    lines = (tmp_path / PRICES).read_text(encoding="utf-8").splitlines()
    (tmp_path / "later.csv").write_text("\n".join(lines + ["2004-03-01,8.5,1000000"]) + "\n", encoding="utf-8")
    assert main(["refresh", str(again), "--prices", str(tmp_path / "later.csv"), "--no-backup"]) == 0
    assert "typed" not in capsys.readouterr().err


_GONE = "the table is gone (converted to a range with Table Design > Convert to Range, deleted, or renamed): "


def test_a_table_converted_to_a_range_is_named_by_validate_and_refused_by_a_refresh(standard_books, tmp_path,
                                                                                  capsys):
    """Table Design > Convert to Range keeps the cells and takes the table away. Validate passed such a workbook,
    and a refresh wrote the holder lines into no table (a button wrote them, then failed on the table's resize,
    the workbook half written). Validate names each table gone, with how to make it again; a refresh that writes
    it refuses before it writes; compute, which reads the cells where the layout puts them, is not refused; the
    table made again with Insert > Table is valid and refreshed."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from xlpy.workbook.validate import validate

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    del wb["Tenders"].tables["tblTenders"], wb["History"].tables["tblHistory"]
    wb.save(book)
    found = {f.where: f for f in validate(book, legs=()).findings}
    for where in ("Tenders!tblTenders", "History!tblHistory"):
        assert found[where].what.startswith(_GONE), found[where]
        assert "a refresh (xlpy refresh, the Refresh buttons) writes its lines into it" in found[where].what
        assert (found[where].found, found[where].leg) == ("no table", "structure")
    assert found["Tenders!tblTenders"].what.endswith(
        "if it was renamed, name it tblTenders again (Table Design > Table Name); else make it again over "
        "Tenders!B20:L319 (select it, Insert > Table, My table has headers; then Table Design > "
        "Table Name: tblTenders), or rebuild the workbook (xlpy build)")
    before = book.read_bytes()
    tally = _tally(tmp_path, 300)
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup"]) == 2
    err = capsys.readouterr().err
    assert f"xlpy refresh: {book.name}: Tenders!tblTenders: {_GONE}if it was renamed, name it tblTenders again" \
           in err and err.rstrip().endswith("the refresh writes its lines into it, so nothing was written"), err
    assert book.read_bytes() == before
    assert main(["compute", str(book)]) == 0
    capsys.readouterr()
    wb = load_workbook(book, keep_vba=True)
    for sheet, name, ref in (("Tenders", "tblTenders", "B20:L319"), ("History", "tblHistory", "B25:Q26")):
        made = Table(displayName=name, ref=ref)  # (as Insert > Table makes it: Excel's default style)
        made.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        wb[sheet].add_table(made)
    wb.save(book)
    assert not [f for f in validate(book, legs=()).findings if f.found == "no table"]
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup", "-q"]) == 0
    assert _findings(book) == []


def test_a_table_known_by_its_display_name_or_renamed_is_no_table_gone(standard_books, tmp_path, capsys):
    """Review 150: a table part whose ``name`` is not its ``displayName`` (``Table1`` beside the ``tblTenders`` the
    formulas, the Name Manager and the refresh know) was said to be gone, though a refresh wrote it; a table renamed
    was told to be made again with Insert > Table, which Excel refuses over a table."""
    from openpyxl import load_workbook

    from xlpy.workbook.validate import validate

    book = _copy(standard_books["holders"], tmp_path)
    _, part = _parts(book, "Tenders", "tblTenders")
    _edit(book, {part: lambda t: re.sub(r'(<table\b[^>]*?\s)name="tblTenders"', r'\1name="Table1"', t, count=1)})
    assert not [f for f in validate(book, legs=()).findings if f.where == "Tenders!tblTenders"]
    wb = load_workbook(book, keep_vba=True)
    wb["Tenders"].tables["Table1"].displayName = "tblHolders"
    wb.save(book)
    assert [f.what for f in validate(book, legs=()).findings if f.where == "Tenders!tblTenders"] == [
        "the table is named tblHolders, not tblTenders: name it tblTenders again (Table Design > Table Name); a "
        "refresh (xlpy refresh, the Refresh buttons) writes its lines into it by that name, and refuses to while it "
        "has another"]


def test_a_table_no_refresh_writes_gone_or_with_a_total_row_is_said_without_the_refresh(standard_books, tmp_path):
    """Review 150: the journal entry's table gone, or showing a Total Row, is not told of a refresh, which does not
    write it."""
    from openpyxl import load_workbook

    from xlpy.workbook.validate import validate

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    ref = wb["Entries"].tables["tblEntries"].ref
    del wb["Entries"].tables["tblEntries"]
    wb.save(book)
    assert [f.what for f in validate(book, legs=()).findings if f.where == "Entries!tblEntries"] == [
        f"{_GONE}if it was renamed, name it tblEntries again (Table Design > Table Name); else make it again over "
        f"Entries!{ref} (select it, Insert > Table, My table has headers; then Table Design > Table Name: "
        "tblEntries), or rebuild the workbook (xlpy build)"]
    (tmp_path / "t").mkdir()
    book = _copy(standard_books["holders"], tmp_path / "t")
    _, part = _parts(book, "Entries", "tblEntries")
    last = int(re.search(r"\d+$", ref)[0])
    _edit(book, {part: lambda t: re.sub(r'(<table\b[^>]*?) ref="([A-Z]+\d+:[A-Z]+)\d+"',
                                        rf'\1 ref="\g<2>{last + 1}" totalsRowCount="1"', t, count=1)})
    assert [f.what for f in validate(book, legs=()).findings if f.where == "Entries!tblEntries"] == [
        "table shows a Total Row (Table Design > Total Row) below its lines: the workbook's own rows below the table "
        "are not its totals; turn the Total Row off"]


def test_a_total_row_over_a_table_grown_by_a_line_too_is_not_said_to_be_the_total_row_alone(standard_books,
                                                                                               tmp_path):
    """tblEntries showing a Total Row and two rows longer than the layout's (a line more above its Total Row): the
    Total Row is no account of the extra row (review 154: the rows check dropped, G09)."""
    from xlpy.workbook.validate import validate

    book = _copy(standard_books["holders"], tmp_path)
    _, part = _parts(book, "Entries", "tblEntries")
    _edit(book, {part: lambda t: re.sub(r'(<table\b[^>]*?) ref="([A-Z]+\d+:[A-Z]+)(\d+)"',
                                        lambda m: f'{m[1]} ref="{m[2]}{int(m[3]) + 2}" totalsRowCount="1"', t,
                                        count=1)})
    said = [f.what for f in validate(book, legs=()).findings if f.where == "Entries!tblEntries"]
    assert said and not any(w.startswith("table shows a Total Row") for w in said), said


def test_a_table_no_refresh_writes_renamed_is_not_said_to_be_written_by_a_refresh(standard_books, tmp_path):
    """tblEntries renamed tblJournal: told to be named back, without a refresh that would write it (review 154, G11: the
    renamed wording's in _REFRESHED flipped)."""
    from openpyxl import load_workbook

    from xlpy.workbook.validate import validate

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    wb["Entries"].tables["tblEntries"].displayName = "tblJournal"
    wb.save(book)
    assert [f.what for f in validate(book, legs=()).findings if f.where == "Entries!tblEntries"] == [
        "the table is named tblJournal, not tblEntries: name it tblEntries again (Table Design > Table Name); the "
        "workbook knows it by that name"]
