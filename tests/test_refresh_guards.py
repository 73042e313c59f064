"""What the Cover's buttons refuse before they write, and warn of after (review 138).

Each drives a button through the stand-in for Excel's workbook (:mod:`fake_excel`) on the holder workbook, as
the person would meet it: a row inserted or deleted inside a table that button reads but does not rewrite, a
source file open in Excel, a price file of another security.
"""

from __future__ import annotations

import re

import pytest
import refresh_books
from fake_excel import FakeBook, _written
from openpyxl.utils.cell import coordinate_to_tuple
from refresh_books import _layout, _new_prices
from repo_paths import DATA, PRICES, TALLY

from xlpy import macros

built, holders = refresh_books.built, refresh_books.holders  # (the fixtures)


def _click(fake, monkeypatch, which: str) -> tuple[str, str]:
    import xlwings

    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    getattr(macros, which)()
    return fake.app.alerts[-1]


def _shifted(value, by: int, at: int):
    """A formula's row numbers from *at* down moved by *by*, as Excel moves them when a row is inserted or deleted."""
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    def moved(m: re.Match) -> str:
        row = int(m.group(2))
        return f"{m.group(1)}{row + by * (row >= at)}"

    return re.sub(r"\b([A-Z]{1,2})\$?(\d+)\b", moved, value)


def _row_moved(fake, name: str, at: int, by: int) -> tuple[str, int, int]:
    """Insert (*by* = 1) or delete (-1) the sheet row *at* inside table *name*, as Excel does: the rows below move,
    and the table and every name over its columns stretch or shrink with them.  (sheet, first row, new last row)."""
    sheet, t = _layout(fake.fullname)[1].table(name)
    cells = fake.sheets[sheet.title].cells
    old = dict(cells)
    for (r, c) in list(cells):
        if r >= at:
            del cells[(r, c)]
    for (r, c), v in old.items():
        if r >= at + (by < 0):
            cells[(r + by, c)] = _shifted(v, by, at)
    last = t.last_row + by
    fake.sheets[sheet.title].tables[name].ref = re.sub(r"\d+$", str(last), fake.sheets[sheet.title].tables[name].ref)
    for n in fake.names.values():
        if f"'{sheet.title}'!$" in n.refers_to and n.refers_to.endswith(f"${t.last_row}"):
            n.refers_to = n.refers_to[: -len(str(t.last_row))] + str(last)
    return sheet.title, t.first_row, last


@pytest.mark.parametrize("button", ["xlpy_refresh_prices", "xlpy_draft_release"])
def test_a_row_inserted_in_the_holder_table_is_refused_by_a_button_that_does_not_rewrite_it(holders, monkeypatch,
                                                                                            button):
    """Review 138, HIGH: a holder line typed in a row inserted inside the table (Excel stretched the table and its
    names to row 320) was left out by Refresh prices, which read the layout's rows 21:319, and History gained a row
    of units tendered that neither the tally file nor the workbook gives, without a word."""
    _new_prices(holders.parent / PRICES)
    fake = FakeBook(holders)
    sheet, first, last = _row_moved(fake, "tblTenders", 25, 1)
    for col, value in zip(range(2, 7), ["DTC-NEW", 99, 5000, "book-entry", "tendered"]):
        fake.sheets[sheet].cells[(25, col)] = value
    for s in fake.sheets:
        s.writes.clear()
    title, text = _click(fake, monkeypatch, button)
    assert title in ("xlpy: refresh refused", "xlpy: refused"), text
    assert text == (f"Nothing was changed:\n{sheet}!tblTenders: the table spans rows {first - 1}:{last}, not the "
                    f"layout's {first - 1}:{last - 1}, and the names TenderHolder, TenderUnits and 6 more point at "
                    "other rows: a row was inserted or deleted inside it by hand, so the workbook's formulas count "
                    f"other rows than the refresh reads (the layout's, {first}:{last - 1}); undo that (Edit > Undo), "
                    "or refresh the tally (the Refresh tenders button, or xlpy refresh), which writes the table and "
                    "its names where the layout puts them; nothing was written"), text
    assert not any(s.writes for s in fake.sheets), _written(fake)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")  # (the advice: the table is written again)
    assert title == "xlpy" and "the table and its names were reset to" in text, text
    assert fake.sheets[sheet].tables["tblTenders"].ref.endswith(str(last - 1))


def test_a_holder_line_deleted_is_said_as_such_not_as_a_blank_holder_below_the_table(holders, monkeypatch):
    """Review 138, MEDIUM: a line deleted (the table and names shrunk to row 318) made Refresh prices refuse with
    ``Tenders!B319: TenderHolder is required, got nothing``, which asks for a holder typed below the table."""
    _new_prices(holders.parent / PRICES)
    fake = FakeBook(holders)
    sheet, first, last = _row_moved(fake, "tblTenders", 25, -1)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_prices")
    assert title == "xlpy: refresh refused", text
    assert text.startswith(f"Nothing was changed:\n{sheet}!tblTenders: the table spans rows {first - 1}:{last}, not "
                           f"the layout's {first - 1}:{last + 1}"), text
    assert "is required" not in text and not any(s.writes for s in fake.sheets), text


def test_the_holder_tables_header_row_turned_off_is_said_as_such_by_refresh_prices(holders, monkeypatch):
    """Review 139: the header row turned off (Table Design > Header Row; the table then begins at its first line)
    was refused by Refresh prices as "a row was inserted or deleted above it"."""
    _new_prices(holders.parent / PRICES)
    fake = FakeBook(holders)
    sheet, t = _layout(fake.fullname)[1].table("tblTenders")
    table = fake.sheets[sheet.title].tables["tblTenders"]
    table.ref, table.show_headers = re.sub(r"\d+", str(t.first_row), table.ref, count=1), False
    for c in range(t.first_col, t.first_col + len(t.columns)):
        fake.sheets[sheet.title].cells.pop((t.header_row, c), None)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_prices")
    assert title == "xlpy: refresh refused", text
    assert text == (f"Nothing was changed:\n{sheet.title}!tblTenders: the table's header row is turned off (Table "
                    f"Design > Header Row), so the table begins in row {t.first_row}, not with its header in row "
                    f"{t.header_row} where the layout puts it: turn the Header Row on again, then refresh; nothing "
                    "was written"), text
    assert not any(s.writes for s in fake.sheets), _written(fake)


def test_a_row_inserted_in_the_price_table_is_refused_by_refresh_tenders(holders, monkeypatch):
    """The same for the price table under Refresh tenders, which reads the prices from the book: the workbook's
    average runs over the row inserted, the engine's over the layout's rows."""
    (holders.parent / TALLY).write_text((DATA / TALLY).read_text(encoding="utf-8") + "NEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    fake = FakeBook(holders)
    sheet, first, last = _row_moved(fake, "tblPrices", first_row := _layout(holders)[1].table("tblPrices")[1]
                                    .first_row + 2, 1)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")
    assert title == "xlpy: refresh refused", text
    assert f"{sheet}!tblPrices: the table spans rows {first - 1}:{last}" in text, text
    assert "refresh the prices (the Refresh prices button, or xlpy refresh)" in text, text
    assert first_row > first and not any(s.writes for s in fake.sheets), _written(fake)


def test_a_button_warns_of_a_source_open_in_excel(holders, monkeypatch):
    """Review 138, MEDIUM: the tally open in Excel with edits not saved (its owner file beside it) was read as last
    saved without a word from the button; ``xlpy refresh`` warned of it."""
    (holders.parent / TALLY).write_text((DATA / TALLY).read_text(encoding="utf-8") + "NEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    (holders.parent / f"~${TALLY}").write_bytes(b"\x0aJ. Smith" + b" " * 44 + b"\x0aJ. Smith" + b"\x00" * 100)
    fake = FakeBook(holders)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")
    assert title == "xlpy", text
    assert f"warning: {TALLY}: is open in Excel by " in text and "this refresh read it as last saved" in text, text
    (holders.parent / f"~${TALLY}").unlink()
    title, text = _click(FakeBook(holders), monkeypatch, "xlpy_refresh_tenders")
    assert "is open in" not in text, text


def test_a_price_file_of_another_security_is_named_as_the_file(holders, monkeypatch):
    """Review 138, MEDIUM: prices three times the offer's gave a ratio below R0, refused in offer-file words
    (``offer.consideration.formula``), of an average "in Prices" (which still held the old prices), advising a
    carrying amount alone."""
    _new_prices(holders.parent / PRICES, "3.1")
    fake = FakeBook(holders)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_prices")
    assert title == "xlpy: refresh refused", text
    line = text.splitlines()[1]
    assert line.startswith(f"{PRICES}: gives a ratio below Inputs!"), text
    assert f"the average price in {PRICES} from " in line and "offer.consideration" not in line, text
    assert line.endswith(", or a price file of this security if this one is another's, got "
                         + line.rsplit("got ", 1)[1]), text
    assert not any(s.writes for s in fake.sheets), _written(fake)


def test_a_table_grown_over_a_row_typed_below_it_is_not_taken_for_a_row_inserted(holders, monkeypatch):
    """A price table Excel grew over a day typed below it, its names where they were: the workbook's formulas and the
    engine read the same rows, so Refresh tenders, which does not rewrite it, is not refused for it."""
    (holders.parent / TALLY).write_text((DATA / TALLY).read_text(encoding="utf-8") + "NEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    fake = FakeBook(holders)
    sheet, t = _layout(holders)[1].table("tblPrices")
    fake.sheets[sheet.title].tables["tblPrices"].ref = re.sub(r"\d+$", str(t.last_row + 1), t.ref)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")
    assert title == "xlpy" and text.startswith("refreshed at "), text


@pytest.mark.parametrize(("merge", "refused"), [("right", False), ("label", True)])
def test_xlpy_refresh_writes_a_record_cell_merged_to_the_right_and_refuses_one_merged_with_its_label(
        holders, capsys, merge, refused):
    """Review 139: the record's cell merged to the right (C26:F26, to show a long file name) is the block's first
    cell, which Excel and the file both show: refreshed, as before review 138's guard; merged with its label
    (B26:C26) it is out of sight, and refused."""
    from openpyxl import load_workbook

    from xlpy.cli import main

    sheet, ref = _layout(holders)[1].cell("PriceSource")
    row, col = coordinate_to_tuple(ref)
    wb = load_workbook(holders, keep_vba=True)
    wb[sheet].merge_cells(f"C{row}:F{row}" if merge == "right" else f"B{row}:C{row}")
    wb.save(holders)
    prices = _new_prices(holders.parent / "p2.csv")
    capsys.readouterr()
    code = main(["refresh", str(holders), "--prices", str(prices), "--no-backup"])
    out, err = capsys.readouterr()
    if refused:
        assert code == 2 and f"{sheet}!{ref}: is part of merged cells (B{row}:C{row}), not their first cell" in err, err
    else:
        assert code == 0 and load_workbook(holders)[sheet][ref].value == "p2.csv", (out, err)


def test_a_name_defined_again_by_hand_is_refused_as_such_not_as_a_row_inserted(holders, monkeypatch):
    """Review 139 to 141: a name of the table's column defined again by hand (``=tblTenders[Units]``, as the Name
    Manager writes one picked from the table; or ``tblTenders[Holder]``, another column, which the workbook's
    formulas would then sum) is a name validate finds refers elsewhere: refused, said as such, with the address to
    type (not as a row inserted, where none was); the refresh that writes it again says so in the same words."""
    _new_prices(holders.parent / PRICES)
    offset = "=OFFSET('Tenders'!$D$21,0,0,COUNTA('Tenders'!$D$21:$D$5000),1)+0*SUM('Tenders'!$E$21:$E$5000)"
    for definition, said in (("=tblTenders[Units]", "the table by structured reference, tblTenders[Units]"),
                             ("=tblTenders[Holder]", "the table by structured reference, tblTenders[Holder]"),
                             ("=tblTenders[[#Data],[Units]]", "the table by structured reference, "
                                                              "tblTenders[[#Data],[Units]]"),
                             ("='Tenders'!$D$21:$D$300", "'Tenders'!$D$21:$D$300"),
                             (offset, offset[1:78] + "...")):  # (a long one cut, as a cell's text is)
        fake = FakeBook(holders)
        fake.names["TenderUnits"].refers_to = definition
        title, text = _click(fake, monkeypatch, "xlpy_refresh_prices")
        assert title == "xlpy: refresh refused", (definition, text)
        assert text == (f"Nothing was changed:\nTenders!tblTenders: the name TenderUnits refers to {said}, not to "
                        "the layout's address 'Tenders'!$D$21:$D$319, which the refresh reads and validate checks: "
                        "define it again as ='Tenders'!$D$21:$D$319 (Formulas > Name Manager, the address typed), or "
                        "refresh the tally (the Refresh tenders button, or xlpy refresh), which writes the table and "
                        "its names where the layout puts them; nothing was written"), (definition, text)
        assert not any(s.writes for s in fake.sheets), _written(fake)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")  # (the advice: the names written again)
    assert title == "xlpy" and "Tenders: the name TenderUnits pointed at other cells: defined again by hand; the " \
                               "table and its names were reset to" in text, text


def test_a_table_typed_in_with_no_file_recorded_is_told_to_undo_the_row_not_to_refresh_from_none(holders,
                                                                                                monkeypatch):
    """Review 139: with no tally file recorded (a table typed in), the advice to refresh the tally led to "no tally
    file is recorded on the Cover"."""
    _new_prices(holders.parent / PRICES)
    fake = FakeBook(holders)
    sheet, ref = _layout(holders)[1].cell("TallySource")
    fake.sheets[sheet].cells.pop(coordinate_to_tuple(ref), None)
    _row_moved(fake, "tblTenders", 25, 1)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_prices")
    assert title == "xlpy: refresh refused", text
    assert text.endswith("undo that (Edit > Undo), the Cover recording no tally file to write the table again from "
                         "(give one: xlpy refresh WORKBOOK --tally FILE, which writes the table and its names where "
                         "the layout puts them); nothing was written"), text


def test_a_ratio_below_r0_from_the_recorded_prices_is_named_in_the_workbook_not_as_the_file(holders, monkeypatch):
    """Review 139: an input typed (the formula's value, 20 for 66) that takes the ratio below R0 was blamed on the
    price file the Cover records, which Refresh all reads again, unchanged."""
    fake = FakeBook(holders)
    sheet, ref = _layout(holders)[1].cell("RatioValue")
    fake.sheets[sheet].cells[coordinate_to_tuple(ref)] = 20
    title, text = _click(fake, monkeypatch, "xlpy_refresh_all")
    assert title == "xlpy: refresh refused", text
    ratio = "!".join(_layout(holders)[1].cell("OfferRatio"))  # (review 140: not the TOML key; 141: the ratio's cell)
    assert f"\n{ratio} (OfferRatio): gives a ratio below Inputs!" in text and text.endswith("got 2.41"), text
    assert "the average price in Prices from" in text and "offer.consideration" not in text, text
    assert "another's" not in text and f"{PRICES}: gives" not in text, text
    record = _layout(holders)[1].cell("PriceSha256")  # (its SHA-256 blanked: the same path is the recorded file)
    fake.sheets[record[0]].cells.pop(coordinate_to_tuple(record[1]), None)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_all")
    assert f"{ratio} (OfferRatio): gives" in text and "another's" not in text, text


def test_a_file_s_merged_block_of_each_cell_is_openpyxl_s(tmp_path):
    """``PackageBook.merge_area`` against openpyxl's merged ranges on random blocks (review 140's idea), each cell of
    the sheet asked, the first cells of blocks among them."""
    import random

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from xlpy.workbook.backends import PackageBook

    rng = random.Random(140)
    for round_ in range(5):
        wb = Workbook()
        ws = wb.active
        ws.title = "Cover"
        taken: set = set()
        for _ in range(12):
            r, c = rng.randint(1, 20), rng.randint(1, 8)
            cells = {(r + i, c + j) for i in range(rng.randint(1, 3)) for j in range(rng.randint(1, 3))}
            if len(cells) > 1 and not cells & taken:
                taken |= cells
                ws.merge_cells(start_row=r, start_column=c, end_row=max(i for i, _ in cells),
                               end_column=max(j for _, j in cells))
        ws["A1"] = "x"
        path = tmp_path / f"m{round_}.xlsx"
        wb.save(path)
        want = {}
        for block in ws.merged_cells.ranges:
            for row, col in ((r, c) for r in range(block.min_row, block.max_row + 1)
                             for c in range(block.min_col, block.max_col + 1)):
                want[f"{get_column_letter(col)}{row}"] = block.coord
        with PackageBook(path) as book:
            for row in range(1, 24):
                for col in range(1, 12):
                    ref = f"{get_column_letter(col)}{row}"
                    assert book.merge_area("Cover", ref) == want.get(ref), ref


def test_the_recorded_price_file_is_known_by_its_bytes_then_by_its_path_its_accents_composed_alike():
    """Review 141: a price file whose name a Mac decomposed (``donne\\u0301es.csv`` for the Cover's ``données.csv``)
    was blamed as another security's for an input typed; so was a copy of the same bytes elsewhere.  The SHA-256
    recorded decides; where it is blank, the path, its accents composed alike."""
    from dataclasses import replace

    from xlpy.workbook.refresh import SourceRecord
    from xlpy.workbook.refresh_guards import other_prices

    read = SourceRecord("prices", "donne\u0301es.csv", "ab" * 32, 39, "prices")
    recorded = {"PriceSource": "donn\u00e9es.csv", "PriceSha256": "ab" * 32}
    assert other_prices(recorded.get, read) is None
    assert other_prices(recorded.get, replace(read, path="dl/copy.csv")) is None
    assert other_prices(recorded.get, replace(read, sha256="cd" * 32)) == "donne\u0301es.csv"
    recorded["PriceSha256"] = None
    assert other_prices(recorded.get, read) is None
    assert other_prices(recorded.get, replace(read, path="dl/other.csv")) == "other.csv"
    assert other_prices(recorded.get, None) is None


def test_the_note_of_names_written_again_says_why_by_what_the_book_holds_of_the_table(holders):
    """Review 142: names off with the table where the layout has it were defined again by hand; with a book that
    does not say where the table is (converted to a range), a row inserted stays the likelier cause, as before."""
    from xlpy.workbook.table_edits import extent_note

    _, t = _layout(holders)[1].table("tblPrices")
    again = extent_note("Prices", t, (t.header_row, t.last_row), ["PriceDates"], t)
    unknown = extent_note("Prices", t, None, ["PriceDates"], t)
    assert again.startswith("Prices: the name PriceDates pointed at other cells: defined again by hand;"), again
    assert unknown.startswith("Prices: the name PriceDates pointed at other rows: a row was inserted or deleted in it "
                              "by hand;"), unknown


@pytest.mark.parametrize("button", ["xlpy_refresh_tenders", "xlpy_refresh_prices"])
def test_a_table_converted_to_a_range_is_refused_before_a_button_writes(holders, monkeypatch, button):
    """Table Design > Convert to Range on the holder table: Refresh tenders wrote its lines, then failed on the
    table's resize (``KeyError: 'tblTenders'``), the workbook half written, its advice (close without saving, refresh
    again) leading back to the same failure. It is refused before anything is written, naming the table and how to
    make it again; Refresh prices, which reads the holder table where the layout puts it, still refreshes."""
    (holders.parent / TALLY).write_text((DATA / TALLY).read_text(encoding="utf-8") + "NEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    _new_prices(holders.parent / PRICES)
    fake = FakeBook(holders)
    sheet, t = _layout(fake.fullname)[1].table("tblTenders")
    del fake.sheets[sheet.title].tables["tblTenders"]
    title, text = _click(fake, monkeypatch, button)
    if button == "xlpy_refresh_prices":
        assert title != "xlpy: refresh refused" and "tblTenders" not in text, text
        return
    assert title == "xlpy: refresh refused", text
    assert text == (f"Nothing was changed:\n{sheet.title}!tblTenders: the table is gone (converted to a range with "
                    f"Table Design > Convert to Range, deleted, or renamed): if it was renamed, name it tblTenders "
                    f"again (Table Design > Table Name); else make it again over {sheet.title}!{t.ref} "
                    "(select it, Insert > Table, My table has headers; then Table Design > Table Name: tblTenders), "
                    "or rebuild the workbook (xlpy build); the refresh writes its lines into it, so nothing was "
                    "written"), text
    assert not any(s.writes for s in fake.sheets), _written(fake)


def _filtered_on_guaranteed(holders):
    """The holder workbook open in the tests' stand-in for Excel, its holder table filtered on Method = guaranteed as
    Excel for Windows says it (ListObject.AutoFilter): (the book, the holder sheet, the table, the stand-in's sheet,
    the method column, the filter)."""
    from types import SimpleNamespace

    from fake_excel import FakeAutoFilter

    fake = FakeBook(holders)
    sheet, t = _layout(fake.fullname)[1].table("tblTenders")
    ws = fake.sheets[sheet.title]
    method = t.first_col + [c.key for c in t.columns].index("method")
    auto = FakeAutoFilter(ws.tables["tblTenders"], ws, method - t.first_col + 1, {"guaranteed"})
    ws.tables["tblTenders"].api = SimpleNamespace(AutoFilter=auto)
    auto.ApplyFilter()
    return fake, sheet, t, ws, method, auto


@pytest.mark.parametrize("reapplied", [True, False])
def test_a_filtered_holder_table_is_filtered_again_over_the_lines_a_button_writes(holders, monkeypatch, reapplied):
    """Review 149: Refresh tenders wrote other lines into the rows a filter hid (Method = guaranteed) and left them
    hidden, the filter over lines its criteria never chose, without a word. Where Excel says the table is filtered
    (ListObject.AutoFilter on Windows), the filter is applied again to the lines written (Data > Reapply, its
    criteria kept: review 151, ShowAllData would have cleared them), and the dialog says so; without one (a Mac's
    ``api``), nothing changes."""
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines()
    (holders.parent / TALLY).write_text("\n".join([lines[0], "AAA-1,100,guaranteed,tendered", *lines[1:]]) + "\n",
                                        encoding="utf-8")
    fake, sheet, t, ws, method, auto = _filtered_on_guaranteed(holders)
    before = {r for r in range(t.first_row, t.last_row + 1) if ws.cells.get((r, method)) == "guaranteed"}
    assert before and ws.hidden == set(range(t.first_row, t.last_row + 1)) - before
    if not reapplied:  # (review 152: Excel refuses it: every row shown, not a filter over other lines)
        monkeypatch.setattr(auto, "ApplyFilter", lambda: (_ for _ in ()).throw(RuntimeError("COM error")))
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")
    assert title != "xlpy: refresh refused", text
    assert (f"{sheet.title}: the table tblTenders is filtered: its filter was applied again to the lines written "
            "(Data > Reapply)" if reapplied else f"{sheet.title}: the table tblTenders is filtered, and Excel did not "
            "apply its filter again to the lines written: every row is shown; filter it again") in text.splitlines()
    assert auto.cleared == (0 if reapplied else 1)  # (ShowAllData is Data > Clear: it drops the criteria)
    shown = set(range(t.first_row, t.last_row + 2)) - ws.hidden
    if not reapplied:
        assert title != "xlpy: refresh failed" and not ws.hidden, text
        return
    assert auto.applied == 2 and shown == {r for r in range(t.first_row, t.last_row + 2)
                                           if ws.cells.get((r, method)) == "guaranteed"} != before


def test_rows_a_filter_hid_below_a_table_a_button_shrinks_are_shown(holders, monkeypatch):
    """Review 152: Refresh tenders wrote fewer lines into a filtered table; the filter, applied again over the
    table's fewer rows, no longer reaches the rows it hid below the new end, which stayed hidden, empty, under the
    table. They are shown, and the dialog says so."""
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines()
    (holders.parent / TALLY).write_text("\n".join(lines[:-10]) + "\n", encoding="utf-8")
    fake, sheet, t, ws, method, auto = _filtered_on_guaranteed(holders)
    below = set(range(t.last_row - 9, t.last_row + 1))
    assert below & ws.hidden, sorted(ws.hidden)[-12:]  # (the last lines, not guaranteed, hidden by the filter)
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")
    assert title != "xlpy: refresh refused", text
    end = t.last_row - 10
    assert (f"{sheet.title}: the table tblTenders is filtered: its filter was applied again to the lines written "
            f"(Data > Reapply), and the rows below its new end (row {end}) shown") in text.splitlines(), text
    assert not ws.hidden & below and ws.hidden == {r for r in range(t.first_row, end + 1)
                                                   if ws.cells.get((r, method)) != "guaranteed"}, sorted(ws.hidden)


def test_a_holder_table_with_its_filter_buttons_but_no_criteria_is_not_said_filtered(holders, monkeypatch):
    """Every table xlpy builds shows its filter buttons (an AutoFilter, FilterMode False: no row hidden). A refresh
    does not apply a filter that hides nothing, nor says the table is filtered (L01: the FilterMode check dropped,
    every Refresh tenders said 'the table tblTenders is filtered: its filter was applied again': review 154)."""
    from types import SimpleNamespace

    from fake_excel import FakeAutoFilter

    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines()
    (holders.parent / TALLY).write_text("\n".join([lines[0], "AAA-1,100,guaranteed,tendered", *lines[1:]]) + "\n",
                                        encoding="utf-8")
    fake = FakeBook(holders)
    sheet, t = _layout(fake.fullname)[1].table("tblTenders")
    ws = fake.sheets[sheet.title]
    auto = FakeAutoFilter(ws.tables["tblTenders"], ws, 1, None)  # (buttons, no criteria)
    ws.tables["tblTenders"].api = SimpleNamespace(AutoFilter=auto)
    assert not auto.FilterMode
    title, text = _click(fake, monkeypatch, "xlpy_refresh_tenders")
    assert title != "xlpy: refresh refused", text
    assert "filtered" not in text, text
    assert auto.applied == auto.cleared == 0 and not ws.hidden
