"""A column Excel took into a table the refresh rewrites (a header typed just right of it: AutoCorrect's "Include
new rows and columns in table"), and a table part whose columns are not its range's.

Review 98: the refresh wrote the holder table back to the layout's range (B20:L320) but left the column Excel had
added listed in the part (``<tableColumns count="12">`` ... ``name="Checked"``): a part Excel repairs on opening
("Removed Feature: Table from /xl/tables/table1.xml"), the table gone, and validate called the file valid.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from test_table_extent import _copy, _edit, _findings, _parts, _refreshed, _tally

from xlpy.cli import main
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

_SHEETS = {"tblTenders": "Tenders", "tblHolidays": "Prices", "tblHistory": "History", "tblEntries": "Entries"}


def _table(path: Path, name: str):
    """The layout's table *name* of the workbook at *path*, as its layout name has it now."""
    return layout(Shape.decode(load_workbook(path).defined_names[LAYOUT_NAME].attr_text)).table(name)[1]


def _taken_in(path: Path, name: str, filtered: bool = False, also: int | None = None, by: bool = False) -> str:
    """The table *name* as Excel saves it after "Checked" was typed in the header row just right of it (and "yes"
    below, in its first row): its range and filter a column wider, a 12th ``<tableColumn>``; with *filtered*, the
    table filtered on that column (and on its column *also* too, counted from 0); with *by*, sorted by it.  The
    column's letter."""
    t = _table(path, name)
    letter = get_column_letter(t.first_col + len(t.columns))
    sheet, part = _parts(path, _SHEETS[name], name)
    wider = re.sub(r"[A-Z]+(\d+)$", rf"{letter}\g<1>", t.ref)
    criteria = "".join(f'<filterColumn colId="{c}"><filters><filter val="yes"/></filters></filterColumn>'
                       for c in ([also] if also is not None else []) + [len(t.columns)]) if filtered else ""
    first = re.sub(r"^[A-Z]+\d+", lambda m: f"{m[0][0]}{t.first_row}", wider)
    sort = (f'<sortState ref="{first}"><sortCondition ref="{letter}{t.first_row}:{letter}{t.last_row}"/></sortState>'
            if by else "")

    def cells(text: str) -> str:
        for row, value in ((t.header_row, "Checked"), (t.first_row, "yes")):
            text = re.sub(rf'(<row r="{row}"[^>]*>.*?)(</row>)', rf'\g<1><c r="{letter}{row}" t="inlineStr"><is><t>'
                          rf"{value}</t></is></c>\g<2>", text, count=1, flags=re.S)
        return text

    def table(text: str) -> str:
        text = text.replace(f'ref="{t.ref}"', f'ref="{wider}"')
        text = re.sub(r'<tableColumns count="\d+">', f'<tableColumns count="{len(t.columns) + 1}">', text)
        text = re.sub(r"(<autoFilter [^>]*?)/>", rf"\g<1>>{criteria}</autoFilter>", text) if criteria else text
        text = text.replace("</autoFilter>", f"</autoFilter>{sort}", 1) if "</autoFilter>" in text else re.sub(
            r"(<autoFilter [^>]*?/>)", rf"\g<1>{sort}", text)
        return text.replace("</tableColumns>", '<tableColumn id="99" name="Checked"/></tableColumns>')

    _edit(path, {sheet: cells, part: table})
    return letter


def _part(path: Path, name: str) -> tuple[str, list[str], str]:
    """(range, the names of the columns listed, the whole text) of the table part of *name*."""
    part = _parts(path, _SHEETS[name], name)[1]
    with zipfile.ZipFile(path) as zf:
        text = zf.read(part).decode("utf-8")
    ref = re.search(r'<table\b[^>]*?\sref="([^"]+)"', text).group(1)
    count = int(re.search(r'<tableColumns count="(\d+)"', text).group(1))
    names = re.findall(r'<tableColumn\b[^>]*?\sname="([^"]*)"', text)
    assert count == len(names), text
    return ref, names, text


def _said(name: str, letter: str) -> str:
    return (f"book.xlsm: {_SHEETS[name]}: the column 'Checked' ({letter}) added to the table {name} was taken out of "
            f"it, as the layout has it; its cells stay in column {letter}")


@pytest.mark.parametrize(("name", "lines"), [("tblTenders", 290), ("tblTenders", None), ("tblHolidays", None),
                                             ("tblHistory", None)])
def test_a_column_excel_took_in_is_taken_out_of_the_table_part_too(standard_books, tmp_path, capsys, monkeypatch,
                                                                   name, lines):
    """The refresh (from a new tally, or from the very files the Cover records: then not "nothing to refresh")
    writes the table's range and its listed columns as the layout has them, says so, and leaves the cells typed
    beside it where they are; the refreshed file is valid."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    letter = _taken_in(book, name)
    wide = _part(book, name)
    assert len(wide[1]) == len(_table(book, name).columns) + 1 and wide[0].startswith(_table(book, name).ref[:3])
    assert main(["refresh", str(book), "--no-backup", *(["--tally", str(_tally(tmp_path, lines))] if lines else [])]) \
        == 0
    out = capsys.readouterr().out.splitlines()
    t = _table(book, name)
    ref, names, _ = _part(book, name)
    assert (ref, names) == (t.ref, [c.header for c in t.columns])
    assert _said(name, letter) in out, out
    ws = load_workbook(book)[_SHEETS[name]]
    assert (ws[f"{letter}{t.header_row}"].value, ws[f"{letter}{t.first_row}"].value) == ("Checked", "yes")
    assert _findings(book) == []


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_filter_on_the_column_taken_out_goes_with_it_in_either_disk_book(standard_books, tmp_path, capsys,
                                                                           monkeypatch, engine):
    """Both disk books (the package one ``xlpy refresh`` uses, the openpyxl reference book) write the listed
    columns as the range's, and drop a filter and a sort on the column taken out (its colId past the table's
    columns): the line taking it out says they went with it, and no line says to reapply a filter no longer there
    (review 101: "the table tblTenders is filtered: reapply its filter ...") or to sort again by it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    letter = _taken_in(book, "tblTenders", filtered=True, by=True)
    assert "<filterColumn" in _part(book, "tblTenders")[2] and "<sortState" in _part(book, "tblTenders")[2]
    status, said = _refreshed(book, _tally(tmp_path, 250), engine, capsys)
    assert status == 0, said
    t = _table(book, "tblTenders")
    ref, names, text = _part(book, "tblTenders")
    assert (ref, names) == (t.ref, [c.header for c in t.columns])
    assert "filterColumn" not in text and "sortState" not in text
    assert re.search(r"<autoFilter [^>]*/>", text) and "</autoFilter>" not in text, text
    lines = [line for line in said.splitlines() if "tblTenders" in line]
    assert lines == [_said("tblTenders", letter) + "; the table's filter and sort on it went with it"], said
    assert _findings(book) == []


def test_a_filter_on_a_column_of_the_layouts_too_is_to_be_reapplied(standard_books, tmp_path, capsys, monkeypatch):
    """A filter on the layout's Status column as well as on the column taken out: that criterion stays in the
    table, so the report says to reapply it (and that the one on the column taken out went with it)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    letter = _taken_in(book, "tblTenders", filtered=True, also=4)
    status, said = _refreshed(book, _tally(tmp_path, 250), "package", capsys)
    assert status == 0, said
    text = _part(book, "tblTenders")[2]
    assert re.findall(r'<filterColumn colId="(\d+)"', text) == ["4"], text
    assert [line for line in said.splitlines() if "tblTenders" in line] == [
        _said("tblTenders", letter) + "; the table's filter on it went with it",
        "book.xlsm: Tenders: the table tblTenders is filtered: reapply its filter (Data > Reapply) to hide the lines "
        "its criteria select: Excel does not reapply it when it opens the file"], said


def test_a_live_book_is_told_of_the_column_taken_out(standard_books, tmp_path, monkeypatch):
    """In Excel the refresh resizes the ListObject to the layout's range, which takes the column out of the table
    (Excel writes its part); the report says so as a file's does."""
    from types import SimpleNamespace

    from fake_excel import FakeBook, FakeTable

    from xlpy import macros
    from xlpy.workbook.live_book import XlwingsBook

    class ListObject(FakeTable):
        @property
        def range(self):  # (Excel's ListObject.Range, its address absolute)
            return SimpleNamespace(address=re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", self.ref))

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    letter = _taken_in(book, "tblTenders")
    fake = FakeBook(book)
    tables = fake.sheets["Tenders"].tables
    tables["tblTenders"] = ListObject(tables["tblTenders"].ref)
    report = macros.refresh_tenders(XlwingsBook(fake), _tally(tmp_path, 250))
    assert _said("tblTenders", letter).removeprefix("book.xlsm: ") in report.notes, report.notes
    t = layout(Shape.decode(fake.names[LAYOUT_NAME].refers_to[2:-1])).table("tblTenders")[1]
    assert fake.sheets["Tenders"].tables["tblTenders"].ref == t.ref


def _left_listed(path: Path) -> str:
    """The holder table's part as the refresh before review 98 left it: its range the layout's, the column Excel
    took in still listed (12 columns for a range 11 wide)."""
    part = _parts(path, "Tenders", "tblTenders")[1]
    _edit(path, {part: lambda t: t.replace('<tableColumns count="11">', '<tableColumns count="12">').replace(
        "</tableColumns>", '<tableColumn id="13" name="Checked"/></tableColumns>')})
    return part


def test_validate_names_a_table_listing_other_columns_than_its_range_and_a_refresh_mends_it(standard_books, tmp_path,
                                                                                           capsys, monkeypatch):
    """A part Excel repairs by taking the table out is never valid: validate names the table and both counts; the
    refresh from the very files the Cover records writes it again and says so."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    _left_listed(book)
    assert _findings(book) == [
        "book.xlsm: Tenders!tblTenders: table lists 12 columns for a range 11 wide: Excel repairs the file when it "
        "opens it, taking the table out (Removed Feature: Table); xlpy refresh writes it again with the layout's "
        "columns: expected 11 columns (B20:L319), found 12 [structure]"]
    assert main(["refresh", str(book), "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("book.xlsm: Tenders: the table tblTenders listed 12 columns for the layout's 11 (a column Excel took in, "
            "left listed by an earlier refresh: Excel would repair the file, taking the table out): written again "
            "with the layout's columns") in out, out
    assert _part(book, "tblTenders")[1] == [c.header for c in _table(book, "tblTenders").columns]
    assert _findings(book) == []


def test_a_table_of_ones_own_listing_other_columns_than_its_range_is_named(standard_books, tmp_path):
    """Not only the layout's tables: any table part Excel would repair is a finding, with what to do."""
    from openpyxl.worksheet.table import Table, TableColumn

    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    ws = wb.create_sheet("My notes")
    for col, value in enumerate(("Holder", "Called", "Notes"), 1):
        ws.cell(1, col, value)
    mine = Table(displayName="tblMine", ref="A1:C3")
    mine.tableColumns = [TableColumn(id=1, name="Holder"), TableColumn(id=2, name="Called")]
    ws.add_table(mine)
    wb.save(book)
    assert _findings(book) == [
        "book.xlsm: My notes!tblMine: table lists 2 columns for a range 3 wide: Excel repairs the file when it opens "
        "it, taking the table out (Removed Feature: Table); make the table again (Insert > Table): expected 3 "
        "columns (A1:C3), found 2 [structure]"]


def test_a_column_taken_into_a_table_no_refresh_writes_is_to_be_taken_out_by_hand(standard_books, tmp_path, capsys,
                                                                                  monkeypatch):
    """The journal entry's table is no table a refresh writes: validate said "xlpy refresh rewrites the table
    without it", and a refresh left it as it was (its part whole: Excel's, range and columns alike)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    letter = _taken_in(book, "tblEntries")
    t = _table(book, "tblEntries")
    wide = re.sub(r"[A-Z]+(\d+)$", rf"{letter}\g<1>", t.ref)
    said = [f"book.xlsm: Entries!tblEntries: table spans other columns than the workbook's ({t.ref}): a column added "
            f"to it is not the workbook's; take it out of the table (Table Design > Resize Table: {t.ref}), its cells "
            f"staying where they are: expected {t.ref}, found {wide} [structure]"]
    assert _findings(book) == said
    before = _part(book, "tblEntries")
    assert main(["refresh", str(book), "--tally", str(_tally(tmp_path, 250)), "--no-backup", "-q"]) == 0
    assert "tblEntries" not in capsys.readouterr().out
    assert _part(book, "tblEntries") == before and _findings(book) == said


def _resized(path: Path, name: str, ref: str) -> None:
    """The table *name* as Excel saves it after Table Design > Resize Table to *ref* (its header row the same): the
    columns left in it keep their ``<tableColumn>``, a column taken in left of it is listed as Excel names one with
    a blank header (``Column1``, written in its header cell too)."""
    t = _table(path, name)
    sheet, part = _parts(path, _SHEETS[name], name)
    left, _, right, _ = range_boundaries(ref)

    def table(text: str) -> str:
        held = re.findall(r"<tableColumn\b[^>]*/>", text)
        listed = [held[c - t.first_col] if t.first_col <= c < t.first_col + len(held) else
                  f'<tableColumn id="{90 + c}" name="Column{c}"/>' for c in range(left, right + 1)]
        text = re.sub(r"<tableColumns\b.*</tableColumns>", f'<tableColumns count="{len(listed)}">{"".join(listed)}'
                      "</tableColumns>", text, flags=re.S)
        return text.replace(f'ref="{t.ref}"', f'ref="{ref}"')

    def cells(text: str) -> str:
        for c in range(left, t.first_col):
            text = re.sub(rf'(<row r="{t.header_row}"[^>]*>)', rf'\g<1><c r="{get_column_letter(c)}{t.header_row}" '
                          rf't="inlineStr"><is><t>Column{c}</t></is></c>', text, count=1)
        return text

    _edit(path, {sheet: cells, part: table})


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_table_resized_narrower_is_said_so_and_written_again(standard_books, tmp_path, capsys, monkeypatch,
                                                                engine):
    """Table Design > Resize Table to B20:K319 takes the layout's Fractional share column out of the holder table
    (its part then lists 10 columns, as its range spans): validate says a column of the workbook's was taken out
    (it said "a column added to it"), and the refresh that writes it again says it was resized (it said the part
    listed a column Excel took in, left listed by an earlier refresh: review 101)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    t = _table(book, "tblTenders")
    narrower = t.ref.replace("L", "K")
    _resized(book, "tblTenders", narrower)
    assert len(_part(book, "tblTenders")[1]) == 10
    assert _findings(book) == [
        f"book.xlsm: Tenders!tblTenders: table spans other columns than the workbook's ({t.ref}): the workbook's "
        "column L was taken out of it; xlpy refresh writes the table again to the workbook's columns, or resize it "
        f"(Table Design > Resize Table: {t.ref}): expected {t.ref}, found {narrower} [structure]"]
    status, said = _refreshed(book, _tally(tmp_path, 250), engine, capsys)
    assert status == 0, said
    new = _table(book, "tblTenders")
    assert [line for line in said.splitlines() if "tblTenders" in line] == [
        f"book.xlsm: Tenders: the table tblTenders was resized to {narrower}: written again to the layout's "
        f"{new.ref}"], said
    assert _part(book, "tblTenders")[:2] == (new.ref, [c.header for c in new.columns])
    assert _findings(book) == []


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_table_resized_to_start_left_of_the_layout_keeps_the_layouts_columns(standard_books, tmp_path, capsys,
                                                                                monkeypatch, engine):
    """Resized to A20:L319 (a column taken in on the left, listed first): the refresh keeps the columns listed
    for the layout's own (B to L, Excel's ids with them), where it kept the first eleven listed (Column1 to Common
    shares: names not the header cells' over them), and the column taken in goes with its filter."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    t = _table(book, "tblTenders")
    wider = "A" + t.ref[1:]
    _resized(book, "tblTenders", wider)
    held = re.findall(r'<tableColumn id="(\d+)"', _part(book, "tblTenders")[2])
    _edit(book, {_parts(book, "Tenders", "tblTenders")[1]: lambda text: re.sub(
        r"(<autoFilter [^>]*?)/>", r'\g<1>><filterColumn colId="0"><filters><filter val="x"/></filters>'
                                   r'</filterColumn><filterColumn colId="5"><filters><filter val="tendered"/>'
                                   r"</filters></filterColumn></autoFilter>", text)})
    status, said = _refreshed(book, _tally(tmp_path, 250), engine, capsys)
    assert status == 0, said
    new = _table(book, "tblTenders")
    ref, names, text = _part(book, "tblTenders")
    assert (ref, names) == (new.ref, [c.header for c in new.columns])
    assert re.findall(r'<tableColumn id="(\d+)"', text) == held[1:]
    assert re.findall(r'<filterColumn colId="(\d+)"', text) == ["4"], text  # (Status: the sixth column held)
    assert (f"book.xlsm: Tenders: the table tblTenders was resized to {wider}: written again to the layout's "
            f"{new.ref}; its filter on column A went with it") in said.splitlines(), said
    assert _findings(book) == []


def test_validate_names_a_column_taken_out_of_a_table_no_refresh_writes(standard_books, tmp_path):
    """The journal entry's table resized narrower: a column of the workbook's taken out, to be put back."""
    book = _copy(standard_books["holders"], tmp_path)
    t = _table(book, "tblEntries")
    narrower = re.sub(r"^([A-Z]+\d+:)[A-Z]+", lambda m: m[1] + get_column_letter(t.first_col + len(t.columns) - 2),
                      t.ref)
    _resized(book, "tblEntries", narrower)
    last = get_column_letter(t.first_col + len(t.columns) - 1)
    assert _findings(book) == [
        f"book.xlsm: Entries!tblEntries: table spans other columns than the workbook's ({t.ref}): the workbook's "
        f"column {last} was taken out of it; resize it (Table Design > Resize Table: {t.ref}): expected {t.ref}, "
        f"found {narrower} [structure]"]
