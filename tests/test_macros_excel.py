"""Refresh macros on aggregate counts (the seed), the defaults the Cover records, the draft release, and the buttons
in a live Excel book, faked through xlwings' calls (``fake_excel.py``; the session: ``test_macros.py``)."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
import refresh_books
from fake_excel import FakeApi, FakeBook, _written
from refresh_books import (HOSTILE_NAMES, _cell, _cells_as_excel_writes_them, _layout, _new_prices, _person_edits,
                           _refresh, _tally_rows, _write_csv)
from repo_paths import DATA, PRICES, TALLY

from xlpy import macros
from xlpy.engine.errors import InputErrors
from xlpy.excel import registry, vba
from xlpy.files.recorded import sha256
from xlpy.workbook import libreoffice
from xlpy.workbook.backends import OpenpyxlBook, PackageBook, open_book
from xlpy.workbook.layout import COVER_BUTTONS, LAYOUT_NAME, Shape, layout
from xlpy.workbook.live_book import XlwingsBook

built, holders, seed = refresh_books.built, refresh_books.holders, refresh_books.seed  # (the fixtures)


# --- aggregate counts (the seed) ------------------------------------------------------------------------


def test_seed_refreshes_counts_keeps_input_and_note(seed, tmp_path):
    _person_edits(seed)
    counts = _write_csv(tmp_path / "agent-summary.csv", [["Shares Tendered", "NGD", "Failed Delivery"],
                                                          ["300,000", "4000", "0"]])
    assert _refresh([str(seed), "--tally", str(counts)]) == 0
    assert [_cell(seed, n).value for n in ("Tendered", "GuaranteedDelivery", "FailedDelivery")] == [300000, 4000, 0]
    assert _cell(seed, "CommonBefore").value == 116_000_000
    assert load_workbook(seed)["Inputs"]["F2"].value == "checked by J. Smith"
    assert _cell(seed, "TallySource").value == "agent-summary.csv"
    assert vba.vba_project_bytes(seed) == vba.vba_project_bytes(vba.template_path(standalone=True))
    from xlpy.workbook.validate import validate

    assert validate(seed, legs=("formulas",)).findings == []


@pytest.mark.libreoffice
def test_seed_refreshed_checks_pass_under_libreoffice(seed, tmp_path):
    from xlpy.workbook.validate import validate

    counts = _write_csv(tmp_path / "c.csv", [["tendered", "guaranteed delivery"], ["290000", "2500"]])
    assert _refresh([str(seed), "--tally", str(counts)]) == 0
    report = validate(seed, legs=("libreoffice",), require_libreoffice=True)
    assert report.findings == [], [str(f) for f in report.findings]
    assert libreoffice.named_values(seed)["UnitsAccepted"] == 290000


def test_seed_skips_what_it_has_no_source_for(seed):
    book = PackageBook(seed)
    report = macros.refresh_all(book)
    assert report.tally is None and report.prices is None
    assert any("tally: not refreshed" in n and "aggregate counts in the offer file" in n for n in report.notes)
    # nothing to read: nothing is written, not even the refresh time
    assert report.written == () and not report.changed
    assert report.lines()[0].startswith("nothing to refresh")


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_holder_table_edited_since_is_rewritten_from_the_same_tally(holders, tmp_path, engine):
    """The same tally file as the Cover records is "nothing to refresh" only while the holder table still holds its
    lines: one edited since (units typed over, a status changed) is rewritten from it, and the report says why."""
    book = open_book(holders, engine)
    assert macros.refresh_all(book).lines()[0].startswith("nothing to refresh")
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    units, status = f"{t.letter('units')}{t.first_row + 1}", f"{t.letter('status')}{t.first_row + 2}"
    was = wb["Tenders"][units].value, wb["Tenders"][status].value
    who = [wb["Tenders"][f"{t.letter('holder')}{t.first_row + i}"].value for i in (1, 2)]
    wb["Tenders"][units], wb["Tenders"][status] = 2000, "withdrawn"
    wb.save(holders)
    book = open_book(holders, engine)
    report = macros.refresh_all(book)
    assert report.changed
    assert ("warning: Tenders: the holder table differed from the tally the Cover records (edited since): rewritten "
            f"from it (Tenders!{units} ({who[0]}): 2,000, the file {was[0]:,}; Tenders!{status} ({who[1]}): "
            f"'withdrawn', the file {was[1]!r}: a value that belongs goes in the file)") in report.notes, report.notes
    book.save()
    ws = load_workbook(holders)["Tenders"]
    assert (ws[units].value, ws[status].value) == was
    assert macros.refresh_all(open_book(holders, engine)).lines()[0].startswith("nothing to refresh")


def test_the_buttons_say_how_to_get_back_a_value_typed_into_the_holder_table_they_write_over(holders, monkeypatch):
    """The buttons keep no backup: their warning of the holder table rewritten from the tally over a value typed
    says the workbook is not saved, and closing it without saving gets the value back (review 158)."""
    import xlwings

    wb = load_workbook(holders, keep_vba=True)
    _, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblTenders")
    status = f"{t.letter('status')}{t.first_row + 2}"
    wb["Tenders"][status] = "failed"  # (a guaranteed delivery's failure heard by email)
    wb.save(holders)
    fake = FakeBook(holders)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    [said] = [line for line in text.splitlines() if "rewritten from it" in line]
    assert title == "xlpy" and said.startswith("warning: Tenders: the holder table differed from the tally the Cover "
                                               f"records (edited since): rewritten from it (Tenders!{status} "), said
    assert said.endswith("; the workbook is not saved: close it without saving to get back what was typed (with "
                         "AutoSave on, from File > Info > Version History)"), said


def test_a_price_table_edited_since_is_rewritten_from_the_same_price_file(holders):
    """As for the holder table: a price typed over and a date moved onto a holiday since the last refresh from the
    recorded price file are put back from it (validate would have named the holiday), with a note."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblPrices")
    price, date = f"{t.letter('price')}{t.first_row + 3}", f"{t.letter('date')}{t.last_row}"
    was = wb["Prices"][price].value, wb["Prices"][date].value
    wb["Prices"][price], wb["Prices"][date] = 99.5, dt.datetime(2004, 2, 16)
    wb.save(holders)
    book = PackageBook(holders)
    report = macros.refresh_all(book)
    day = was[1].date().isoformat()
    first = wb["Prices"][f"{t.letter('date')}{t.first_row + 3}"].value.date().isoformat()
    assert ("warning: Prices: the price table differed from the price file the Cover records (edited since): "
            f"rewritten from it (Prices!{price} ({first}): 99.5, the file {was[0]}; Prices!{date} ({day}): 2004-02-16, "
            f"the file {day}: a value that belongs goes in the file)") in report.notes, report.notes
    book.save()
    ws = load_workbook(holders)["Prices"]
    assert (ws[price].value, ws[date].value) == was
    assert macros.refresh_all(PackageBook(holders)).lines()[0].startswith("nothing to refresh")


def test_an_id_stored_escaped_is_the_same_line(holders, tmp_path):
    """A holder id such as A_x0041_ is stored escaped (A_x005F_x0041_, as Excel does): the same tally again is
    still nothing to refresh, not a table "edited since"."""
    rows = _tally_rows(0)[:3] + [["A_x0041_", "400", "book-entry", "tendered"]]
    tally = _write_csv(tmp_path / "t.csv", rows)
    assert _refresh([str(holders), "--tally", str(tally), "--no-backup"]) == 0
    for engine in ("package", "openpyxl"):
        assert macros.refresh_all(open_book(holders, engine), tally).lines()[0].startswith("nothing to refresh")


def test_price_file_into_fixed_ratio_workbook_is_refused(seed):
    # a tally of the other kind switches the workbook instead: tests/test_switch.py
    before = seed.read_bytes()
    with pytest.raises(InputErrors, match="fixes its ratio"):
        _refresh([str(seed), "--prices", str(DATA / PRICES)])
    assert seed.read_bytes() == before


def test_count_file_problems_are_named(seed, tmp_path):
    bad = _write_csv(tmp_path / "c.csv", [["tendered", "ngd", "failed"], ["1000", "2000", "-1"]])
    with pytest.raises(InputErrors) as exc:
        _refresh([str(seed), "--tally", str(bad)])
    assert "row 2, column failed" in str(exc.value)
    two = _write_csv(tmp_path / "c2.csv", [["tendered"], ["1000"], ["2000"]])
    with pytest.raises(InputErrors, match="exactly one row"):
        _refresh([str(seed), "--tally", str(two)])
    over = _write_csv(tmp_path / "c3.csv", [["tendered"], ["999999999"]])
    with pytest.raises(InputErrors, match=r"c3.csv: units tendered and not withdrawn must not exceed Outstanding "
                                          r"\(Inputs!C\d+: 464,777\), got 999,999,999"):
        _refresh([str(seed), "--tally", str(over)])


# --- defaults recorded on the Cover, mapping ------------------------------------------------------------


def test_default_sources_are_the_recorded_ones(holders):
    (holders.parent / TALLY).write_text(
        (DATA / TALLY).read_text(encoding="utf-8") + "LATE-0001,1000,book-entry,tendered\n", encoding="utf-8")
    book = PackageBook(holders)
    report = macros.refresh_all(book)
    book.save()
    assert report.tally.path == TALLY and report.prices.path == PRICES
    assert report.tally.rows == 300
    assert _cell(holders, "TallySha256").value == sha256(holders.parent / TALLY)


def test_missing_recorded_source_is_named(holders):
    (holders.parent / TALLY).unlink()
    with pytest.raises(InputErrors, match=r"Cover!C\d+ \(TallySource\)"):
        macros.refresh_tenders(PackageBook(holders))


def test_mapping_file_is_used_and_recorded(holders, tmp_path):
    rows = _tally_rows(2)
    rows[0] = ["Acct #", "Shs", "How", "State"]
    source = _write_csv(holders.parent / "agent.csv", rows)
    (holders.parent / "agent.toml").write_text(
        '[columns]\nholder_id = "Acct #"\nunits = "Shs"\nmethod = "How"\nstatus = "State"\n', encoding="utf-8")
    book = PackageBook(holders)
    report = macros.refresh_tenders(book, source, holders.parent / "agent.toml")
    book.save()
    assert report.tally.mapping == "agent.toml"
    assert _cell(holders, "TallyMapping").value == "agent.toml"
    # The next refresh, with nothing given, reads the recorded file with the recorded mapping.
    book = PackageBook(holders)
    assert macros.refresh_tenders(book).tally.rows == len(rows) - 1
    book.save()
    # A tally given without a mapping is read with the common spellings, and the record says so.
    book = PackageBook(holders)
    assert macros.refresh_tenders(book, DATA / TALLY).tally.mapping == ""
    book.save()
    assert _cell(holders, "TallyMapping").value is None


# --- draft_release ----------------------------------------------------------------------------------------------


def test_draft_release_on_a_file_writes_nothing(holders):
    book = PackageBook(holders)
    check = macros.draft_release(book)
    assert not check.compared and check.ok
    assert check.text.startswith("Based on a preliminary count, approximately 274,000 shares were tendered")
    assert book.pkg.changed == set()


# --- a live Excel book, faked -------------------------------------------------------------------------------------


def test_xlwings_book_refresh(holders, tmp_path):
    fake = FakeBook(holders)
    book = XlwingsBook(fake)
    assert book.folder == holders.parent
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(20, HOSTILE_NAMES))
    report = macros.refresh_all(book, tally, _new_prices(tmp_path / "p.csv"))
    lay = layout(Shape.decode(book.name(LAYOUT_NAME)))
    _, t = lay.table("tblTenders")
    ws = fake.sheets["Tenders"]
    lines = len(_tally_rows(20, HOSTILE_NAMES)) - 1
    assert t.rows == lines and ws.tables["tblTenders"].ref == t.ref
    col = t.first_col + [c.key for c in t.columns].index("holder")
    holders_col = [ws.cells.get((r, col)) for r in range(t.first_row, t.last_row + 1)]
    for name in HOSTILE_NAMES:
        assert name in holders_col
        assert (t.first_row + holders_col.index(name), col) not in ws.formulas  # text, not a formula
    assert (t.first_row, 7) in ws.formulas and ws.cells[(t.first_row, 7)] == "=IF(F21=\"tendered\",D21,0)"
    assert fake.names["TenderHolder"].refers_to == f"='Tenders'!$B${t.first_row}:$B${t.last_row}"
    assert fake.names[LAYOUT_NAME].refers_to.startswith('="ratio=formula;tally=holders;holders=')
    # Only output areas were written.
    areas = lay.refresh_areas("tenders") + lay.refresh_areas("prices")
    from openpyxl.utils.cell import range_boundaries

    def inside(sheet, key):
        r, c = key
        for s, a in areas:
            c1, r1, c2, r2 = range_boundaries(a)
            if s == sheet and c1 <= c <= c2 and r1 <= r <= r2 + 400:
                return True
        return False

    for s in fake.sheets:
        assert all(inside(s.name, k) for k in s.writes), [k for k in s.writes if not inside(s.name, k)][:5]
    # The live book holds current formula results: the draft is compared with the engine.
    assert report.release.compared and not report.release.ok  # the fake does not calculate
    for i, text in enumerate(report.release.engine, 1):
        ref = lay.cell(f"ReleaseSentence{i}")[1]
        fake.sheets["Release"].cells[(int(ref[1:]), 3)] = text
    assert macros.draft_release(book).ok


def test_a_button_s_message_shows_the_warnings_without_the_workbook_s_name(holders, monkeypatch, capsys):
    """``xlpy refresh`` names the workbook before each warning of it, as ``xlpy compute`` given a workbook does; the
    buttons' message is the workbook's own, so it shows them as ``warning: ...``, the engine's as every other."""
    import xlwings

    from xlpy import cli

    fake = FakeBook(holders)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    cash = "cash in lieu of fractional shares is valued at the formula's average price (8.31)"
    assert title == "xlpy" and f"warning: {cash}" in text.splitlines() and holders.name not in text, text
    capsys.readouterr()
    assert cli.main(["refresh", str(holders), "--no-backup"]) == 0
    assert f"xlpy refresh: warning: {holders.name}: {cash}" in capsys.readouterr().err.splitlines()


def test_excel_buttons_run_the_macros_on_the_caller(holders, tmp_path, monkeypatch):
    import xlwings

    fake = FakeBook(holders)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy" and "holder tally: hecla-2004-tally.csv (299 lines" in text
    (holders.parent / TALLY).write_text("holder_id,units,method,status\nA,-3,book-entry,tendered\n", encoding="utf-8")
    macros.xlpy_refresh_all()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused" and "row 2, column units" in text and "Nothing was changed" in text


@pytest.mark.parametrize("below", ["tblHistory", "tblTenders"])
@pytest.mark.parametrize("result", [None, 0])  # shows "" or #N/A (xlwings reads None), or a number
def test_a_button_refuses_a_formula_below_a_growing_table_whatever_it_shows(holders, monkeypatch, below, result):
    """xlwings reads a formula's result, and "" or an error value comes as None: a formula showing "" below a table
    that grows read as blank and was written over; one showing a number below the holder table read as a holder
    line typed there. Both are named by their cell, as xlpy refresh on the file names them, nothing written."""
    import xlwings

    fake = FakeBook(holders)
    _, lay = _layout(holders)
    sheet, t = lay.table(below)
    at = (t.last_row + 1, t.first_col + 1)
    formula = '=IFERROR(VLOOKUP("x",Tenders!B:D,3,FALSE),"")'
    fake.sheets[sheet.title].cells[at], fake.sheets[sheet.title].shown[at] = formula, result
    (holders.parent / TALLY).write_text("holder_id,units,method,status\n" + "".join(
        f"NEW-{i},100,book-entry,tendered\n" for i in range(t.rows + 5)), encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused", text
    assert f"{sheet.title}!{get_column_letter(at[1])}{at[0]}: is in the way" in text, text
    assert f"got {formula!r}" in text, text
    assert not any(s.writes for s in fake.sheets), _written(fake)


def test_a_merged_record_cell_is_refused_before_anything_is_written(holders, monkeypatch):
    """Review 138: the Cover's record cell merged with its label let a button write the holder table, History and
    the names, then Excel refused the record's write; the dialog's advice (close without saving, refresh again) led
    back to the same error.  The cells a refresh writes one by one are now looked at first: one inside a merged
    block other than as its first cell is refused by name, with how to mend it, nothing written.  Review 139: the
    first cell of a block (a record merged to the right to show a long file name) is written, as Excel writes it."""
    import xlwings

    fake = FakeBook(holders)
    sheet, ref = _layout(holders)[1].cell("RefreshedAt")
    row, col = coordinate_to_tuple(ref)
    fake.sheets[sheet].merged = {(row, col - 1), (row, col)}  # (merged with its label, to the left)
    (holders.parent / TALLY).write_text("holder_id,units,method,status\nNEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    block = f"{get_column_letter(col - 1)}{row}:{ref}"
    assert fake.app.alerts[-1] == ("xlpy: refresh refused", f"Nothing was changed:\n{sheet}!{ref}: is part of merged "
                                   f"cells ({block}), not their first cell: the refresh writes RefreshedAt there, "
                                   "which Excel refuses or keeps out of sight (a merged block shows its first cell "
                                   "alone); unmerge it (Home > Merge & Center), then refresh again; nothing was "
                                   "written")
    assert not any(s.writes for s in fake.sheets), _written(fake)
    fake.sheets[sheet].merged = {(row, col), (row, col + 1)}  # (merged to the right: its first cell)
    macros.xlpy_refresh_tenders()
    assert fake.app.alerts[-1][0] == "xlpy" and fake.app.alerts[-1][1].startswith("refreshed at "), fake.app.alerts
    assert (row, col) in fake.sheets[sheet].writes


def test_a_write_excel_refuses_halfway_is_shown_with_what_to_do(holders, monkeypatch):
    """Excel refusing a write the refresh did not foresee (here a merged record cell the refresh's look for merged
    cells was not told of) raised out of the macro as a VBA run-time error, the tables and names written and the
    Cover's record not: the dialog now says what failed, that the workbook is partly written, and to close it without
    saving and refresh again."""
    import xlwings

    fake = FakeBook(holders)
    sheet, ref = _layout(holders)[1].cell("RefreshedAt")  # merged with the cell beside it, in Excel
    row, col = coordinate_to_tuple(ref)
    fake.sheets[sheet].merged = {(row, col - 1), (row, col)}
    monkeypatch.setattr(XlwingsBook, "merge_area", lambda self, sheet, ref: None)  # (unforeseen)
    (holders.parent / TALLY).write_text("holder_id,units,method,status\nNEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh failed", text
    assert text.startswith("The refresh stopped with an error from Excel (ComError: Cannot change part of a merged "
                           "cell.) after it had written part of the workbook"), text
    assert "Close the workbook without saving (or open the file again), then refresh again" in text
    fake.sheets["Tenders"].api = FakeApi(ProtectContents=True)
    fake.api = FakeApi()
    monkeypatch.setattr(XlwingsBook, "not_writable", lambda self, sheets: None)
    monkeypatch.setattr(macros, "refresh_tenders", lambda book: 1 / 0)
    macros.xlpy_refresh_tenders()
    assert fake.app.alerts[-1] == ("xlpy: refresh failed", "Nothing was changed: the refresh stopped with an error "
                                   "(ZeroDivisionError: division by zero).")


def test_a_button_refuses_merged_cells_below_a_growing_table_before_writing(holders, monkeypatch):
    """A blank merged block below a table that grows: Excel refused the write into it halfway through the refresh;
    each of its cells in the way is now named, nothing written."""
    import xlwings

    fake = FakeBook(holders)
    sheet, t = _layout(holders)[1].table("tblHistory")
    below = t.last_row + 1
    fake.sheets[sheet.title].merged = {(below, t.first_col + len(t.columns) - 1), (below, t.first_col + len(t.columns))}
    (holders.parent / TALLY).write_text("holder_id,units,method,status\nNEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused", text
    last = get_column_letter(t.first_col + len(t.columns) - 1)
    assert text == (f"Nothing was changed:\n{sheet.title}!{last}{below}: is part of merged cells: tblHistory grows to "
                    f"row {below}, and Excel cannot write part of a merged block; unmerge it (Home > Merge & Center) "
                    "or move it"), text
    assert not any(s.writes for s in fake.sheets), _written(fake)


def test_a_button_names_a_newer_error_value_in_an_input(holders, monkeypatch):
    """xlwings maps only the seven classic error codes: an input showing #SPILL! came to the refresh as COM's code,
    a bare int taken for a number; it is now its text, refused by its cell as a file's error value is."""
    import xlwings

    fake = FakeBook(holders)
    sheet, ref = _layout(holders)[1].cell("CommonBefore")
    fake.sheets[sheet].shown[coordinate_to_tuple(ref)] = -2146828288 + 2045  # #SPILL!
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused" and f"{sheet}!{ref}" in text and "'#SPILL!'" in text, text
    assert "2146826243" not in text
    book = XlwingsBook(fake)
    assert book.get(sheet, ref) == "#SPILL!" and book.get_rows(sheet, f"{ref}:{ref}") == [["#SPILL!"]]


def test_a_button_reads_a_currency_formatted_price_exactly(holders, tmp_path, monkeypatch):
    """On Windows xlwings reads Range.Value, which gives a currency-formatted cell as COM's Currency: a Decimal of 4
    places. The price table and Price are formatted "$...": a price of 6 decimals read back rounded, so the price
    table seemed edited on every refresh from the same file, and the inputs lost digits. The live book reads such
    cells from Range.Value2."""
    import xlwings

    fake = FakeBook(holders)
    _, lay = _layout(holders)
    sheet, t = lay.table("tblPrices")
    rows = list(csv.reader((DATA / PRICES).open(encoding="utf-8")))
    prices = _write_csv(holders.parent / PRICES, [rows[0]] + [[d, p + "37", v] for d, p, v in rows[1:]])
    book = XlwingsBook(fake)
    macros.refresh_prices(book, prices)
    col = t.first_col + [c.key for c in t.columns].index("price")
    ws = fake.sheets[sheet.title]
    ws.currency = {(r, col) for r in range(t.first_row, t.last_row + 1)}
    first = coordinate_to_tuple(f"{get_column_letter(col)}{t.first_row}")
    assert ws.cells[first] == float(rows[1][1] + "37")
    assert book.get(sheet.title, f"{get_column_letter(col)}{t.first_row}") == ws.cells[first]
    assert book.get_rows(sheet.title, f"B{t.first_row}:{get_column_letter(col)}{t.first_row}")[0][-1] == ws.cells[first]
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    ws.writes.clear()
    macros.xlpy_refresh_prices()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy" and "nothing to refresh" in text.lower(), text


@pytest.mark.parametrize("where, flags, said", [
    ("book", {"ReadOnly": True}, "the workbook is open read-only (someone else has the file open"),
    ("Cover", {"ProtectContents": True}, "the sheet Cover is protected (Review > Unprotect Sheet): a refresh writes"),
])
def test_a_button_refuses_a_book_it_could_not_write_whole(holders, monkeypatch, where, flags, said):
    """Excel refuses a write to a protected sheet (a COM error) after the holder table, its names and History were
    written: the Cover's record then no longer described the data. A book open read-only was refreshed, though
    nothing could be saved. Both are refused before anything is written; a protected Release (the draft button
    only reads it) is no matter, nor a protected sheet the button's own refresh does not write."""
    import xlwings

    fake = FakeBook(holders)
    fake.api = FakeApi(**(flags if where == "book" else {}))
    for sheet in fake.sheets:
        sheet.api = FakeApi(**(flags if sheet.name == where else {}))
    (holders.parent / TALLY).write_text("holder_id,units,method,status\nNEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused" and text == "Nothing was changed:\n" + text.split("\n", 1)[1]
    assert said in text, text
    assert not any(s.writes for s in fake.sheets), _written(fake)
    fake.api = FakeApi()
    for sheet in fake.sheets:
        sheet.api = FakeApi(ProtectContents=sheet.name == "Release")
    macros.xlpy_draft_release()
    assert fake.app.alerts[-1][0] == "xlpy"
    if where == "Cover":  # each button looks at the sheets its own refresh writes: Prices' protection is no matter
        for sheet in fake.sheets:  # to the tenders (nor Tenders' to the prices)
            sheet.api = FakeApi(ProtectContents=sheet.name == "Prices")
        macros.xlpy_refresh_tenders()
        assert fake.app.alerts[-1][0] == "xlpy", fake.app.alerts[-1]
        macros.xlpy_refresh_prices()
        assert "the sheet Prices is protected" in fake.app.alerts[-1][1]


def _refusal_of_negative_units(holders, monkeypatch, lines: int) -> tuple[list[str], str]:
    """(the lines the refresh button's refusal lists, its whole text) of a tally whose *lines* all have negative
    units."""
    import xlwings

    fake = FakeBook(holders)
    tally = "".join(f"A{i},-{i},book-entry,tendered\n" for i in range(1, lines + 1))
    (holders.parent / TALLY).write_text("holder_id,units,method,status\n" + tally, encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused", text
    return text.split("\n")[1:], text


def test_a_refusal_in_excel_counts_the_problems_it_does_not_list(holders, monkeypatch):
    shown, text = _refusal_of_negative_units(holders, monkeypatch, 30)
    assert len(shown) == macros.SHOWN + 1, text
    assert shown[-1] == (f"{TALLY}: and 10 more problems, all in column units (xlpy refresh on the workbook "
                         "lists them all)")
    assert "row 2," in shown[0] and "row 21," in shown[macros.SHOWN - 1]


def test_a_button_in_a_book_whose_synced_folder_xlwings_cannot_find_says_so(holders, monkeypatch):
    """xlwings turns a OneDrive or SharePoint address into the synced folder's path, and raises where it finds
    none: that was a Python error box; now the recorded files are refused by their cell, saying why."""
    import xlwings

    class Unsynced(FakeBook):
        @property
        def fullname(self):
            raise xlwings.XlwingsError("Couldn't find your local OneDrive for Business file")

        @fullname.setter
        def fullname(self, value):
            pass

    fake = Unsynced(holders)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused", text
    assert "the workbook's folder cannot be found on this computer (Couldn't find your local OneDrive for " \
           "Business file): open the workbook from a folder synced to this computer" in text
    assert not any(s.writes for s in fake.sheets)
    book = XlwingsBook(FakeBook(holders))
    book.book.fullname = "https://contoso.sharepoint.com/sites/fin/Shared Documents/offer.xlsm"
    assert XlwingsBook(book.book).folder is None
    assert "is open from https://contoso.sharepoint.com/" in XlwingsBook(book.book).no_folder


def test_a_buttons_advice_is_what_can_be_done_from_excel(holders, monkeypatch):
    """The dialog said "give the tally file with --tally" and, for a workbook never saved, "save it first, or give
    the file": neither a button can take."""
    import xlwings

    fake = FakeBook(holders)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    (holders.parent / TALLY).unlink()
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused" and "--tally, got" not in text
    assert "; put the file back, or save and close the workbook and give another with xlpy refresh WORKBOOK " \
           "--tally FILE" in text, text
    fake.fullname = "Book1"
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert "is relative, and the workbook has not been saved yet: save it in the folder that holds its files" in text
    assert not any(s.writes for s in fake.sheets)


def test_a_button_warns_of_an_offer_file_it_cannot_read_after_the_refresh(holders, monkeypatch):
    """An offer file a sync service has not brought down (or one locked) could not be hashed: the refresh had
    written the book and then ended in an error box; now the outcome is shown with a warning naming the file."""
    import xlwings

    from xlpy.files import recorded

    fake = FakeBook(holders)
    offer = _cell(holders, "OfferFile").value
    (holders.parent / offer).write_text("# the offer file, online only\n", encoding="utf-8")

    def unreadable(path):
        raise OSError(22, "The cloud file provider is not running")

    monkeypatch.setattr(recorded, "sha256", unreadable)  # (what the comparison with the offer file reads by)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy" and "holder tally: hecla-2004-tally.csv (299 lines" in text, text
    assert f"warning: the offer file {offer} beside the workbook cannot be read to compare with the one it was " \
           "built from ([Errno 22] The cloud file provider is not running)" in text


def test_macros_are_registered_for_import_functions():
    names = {s.name for s in registry.macros() if s.module == "xlpy.macros"}
    assert names == {b.macro for b in COVER_BUTTONS}
    text = vba.generate_bas("xlpy.macros")
    for b in COVER_BUTTONS:
        assert f"Sub {b.macro}()" in text
        assert f'XLPy.CallUDF "xlpy.macros", "{b.macro}", Array(), ThisWorkbook, Application.Caller' in text


def test_buttons_are_in_the_built_workbook_and_survive_an_openpyxl_refresh(holders, tmp_path):
    with zipfile.ZipFile(holders) as z:
        vml_before = z.read("xl/drawings/vmlDrawing1.vml")
    with OpenpyxlBook(holders) as book:
        macros.refresh_tenders(book, _write_csv(tmp_path / "t.csv", _tally_rows(5)))
        book.save()
    assert book.wb.vba_archive.fp is None  # openpyxl's in-memory copy of the VBA parts, let go of
    wb = load_workbook(holders, keep_vba=True)
    assert wb["Cover"].legacy_drawing
    with zipfile.ZipFile(holders) as z:
        assert z.read(wb["Cover"].legacy_drawing) == vml_before
        assert 'Extension="vml"' in z.read("[Content_Types].xml").decode()


def test_refresh_refuses_a_workbook_whose_standard_sheet_was_renamed(holders, tmp_path):
    wb = load_workbook(holders, keep_vba=True)
    wb["Results"].title = "Results Q1"
    wb.save(holders)
    before = holders.read_bytes()
    with pytest.raises(InputErrors) as info:
        _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(2)))])
    assert str(info.value) == (
        f"{holders.name}: sheet Results: is missing (sheets not in the layout: 'Results Q1'; if one of them is Results "
        "renamed, name it Results again); the refresh writes to it, so nothing was written")
    assert holders.read_bytes() == before and sorted(p.name for p in holders.parent.iterdir() if p.suffix == ".xlsm") \
        == [holders.name]


def test_refresh_report_lines(holders, tmp_path):
    with PackageBook(holders) as book:
        report = macros.refresh_all(book, _write_csv(tmp_path / "t.csv", _tally_rows(1)))
        assert book._reader is not None  # the refresh read cells through openpyxl's read-only reader
    assert book._reader is None  # ... which the book let go of when done
    lines = report.lines()
    assert lines[0] == "refreshed at 2004-02-24 00:00:00 UTC"
    assert any(line.startswith("holder tally: ") and "(300 lines" in line for line in lines)
    assert report.release is not None and not report.release.compared


def test_refresh_time_honours_source_date_epoch(holders, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2004, 3, 1, 12, 30, tzinfo=dt.UTC)
                                                      .timestamp())))
    assert _refresh([str(holders), "--no-backup", "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(2)))]) == 0
    assert _cell(holders, "RefreshedAt").value == "2004-03-01 12:30:00"


def test_a_columns_formulas_made_by_string_format_are_the_layouts(standard_books):
    """The fast reading of a long column compares its cells with formulas made by one string format a row: the
    same text as Table.row_formula gives, in every formula column of every table, first rows included."""
    from xlpy.workbook.overrides import column_formulas

    wb = load_workbook(standard_books["holders"])
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    checked = 0
    for name in ("tblTenders", "tblPrices", "tblHistory", "tblHolidays"):
        _, t = lay.table(name)
        rows = [t.first_row, t.first_row + 1, t.first_row + 7, t.last_row]
        for i, c in enumerate(t.columns):
            if c.formula is not None:
                assert column_formulas(t, t.first_col + i, rows) == [t.row_formula(c, r)[1:] for r in rows], (name, c)
                checked += 1
    assert checked >= 7  # the holder table's six and the price table's


def test_a_merged_block_below_a_growing_table_is_one_finding_not_one_a_cell(holders):
    """Review 169: a block two rows deep across the table's width below History, which a refresh grows into, was
    named cell by cell; it is one finding, naming its first cell and how many more of the block are in the way."""
    _, lay = _layout(holders)
    wb = load_workbook(holders, keep_vba=True)
    sheet, t = lay.table("tblHistory")
    below, first = t.last_row + 1, get_column_letter(t.first_col)
    end = get_column_letter(t.first_col + len(t.columns) - 1)
    wb[sheet.title].merge_cells(f"{first}{below}:{end}{below + 1}")
    wb.save(holders)
    before = holders.read_bytes()
    with pytest.raises(InputErrors) as info:
        _refresh([str(holders), "--tally", str(_write_csv(holders.parent / "new.csv", _tally_rows(3))),
                  "--no-backup"])
    said = [str(p) for p in info.value.problems if "merged" in str(p)]
    assert said == [f"{holders.name}: {sheet.title}!{first}{below}: is part of merged cells: tblHistory grows to row "
                    f"{below}, and "
                    "Excel cannot write part of a merged block; unmerge it (Home > Merge & Center) or move it (it and "
                    f"{len(t.columns) - 1:,} more cells of the merged block {first}{below}:{end}{below + 1} in the "
                    "way)"], said
    assert holders.read_bytes() == before
    wb = load_workbook(holders, keep_vba=True)  # two cells of a block in the way: "it and 1 more cell"
    wb[sheet.title].unmerge_cells(f"{first}{below}:{end}{below + 1}")
    second = get_column_letter(t.first_col + 1)
    wb[sheet.title].merge_cells(f"{first}{below}:{second}{below}")
    wb.save(holders)
    with pytest.raises(InputErrors) as info:
        _refresh([str(holders), "--tally", str(holders.parent / "new.csv"), "--no-backup"])
    assert [str(p).split("move it ")[-1] for p in info.value.problems if "merged" in str(p)] == [
        f"(it and 1 more cell of the merged block {first}{below}:{second}{below} in the way)"]
    wb = load_workbook(holders, keep_vba=True)  # review 170: a note typed in the block is one refusal, not two
    wb[sheet.title][f"{first}{below}"] = "Reviewed by J. Smith"
    wb.save(holders)
    with pytest.raises(InputErrors) as info:
        _refresh([str(holders), "--tally", str(holders.parent / "new.csv"), "--no-backup"])
    assert [str(p) for p in info.value.problems if f"{first}{below}" in str(p) or "merged" in str(p)] == [
        f"{holders.name}: {sheet.title}!{first}{below}: is in the way: tblHistory grows to row {below}; move what is "
        f"below the table (and the merged block {first}{below}:{second}{below} it is in: Excel cannot write part of a "
        "merged block), got 'Reviewed by J. Smith'"]


@pytest.mark.parametrize("merge", ["A{r}:B{r}", "M{r}:N{r}"])
def test_xlpy_refresh_on_the_file_refuses_merged_cells_below_a_growing_table(holders, merge):
    """Review: only the button refused merged cells below a growing table; `xlpy refresh` on the file grew History
    over part of a merged block (a file Excel repairs, its first value in a cell it does not show)."""
    _, lay = _layout(holders)
    wb = load_workbook(holders, keep_vba=True)
    sheet, t = lay.table("tblHistory")
    below = t.last_row + 1
    wb[sheet.title].merge_cells(merge.format(r=below))
    wb.save(holders)
    before = holders.read_bytes()
    tally = _write_csv(holders.parent / "new.csv", _tally_rows(3))
    cell = "B" if merge.startswith("A") else "M"
    with pytest.raises(InputErrors, match=rf"{sheet.title}!{cell}{below}: is part of merged cells: tblHistory grows "
                                          rf"to row {below}"):
        _refresh([str(holders), "--tally", str(tally), "--no-backup"])
    assert holders.read_bytes() == before


def test_a_formula_broken_by_a_row_deleted_is_named_as_such(holders, tmp_path):
    """Review 56: after a row deleted, the refresh said "held another formula than the table's
    (=IF(B24<>#REF!,H24,0): typed over it, or moved by a sort)" of a formula the deletion broke."""
    with PackageBook(holders) as book:
        _, t = layout(Shape.decode(book.name(LAYOUT_NAME))).table("tblTenders")
    j, i, r = t.letter("accepted"), t.letter("holder_units"), t.first_row + 3
    _cells_as_excel_writes_them(holders, {f"{j}{r}": f"<f>IF(B{r}&lt;&gt;#REF!,{i}{r},0)</f><v>1</v>"})
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    assert [line for line in report.lines() if "#REF!" in line] == [
        f"Tenders!{j}{r}: held another formula than the table's (=IF(B{r}<>#REF!,{i}{r},0): broken by a row or "
        "column deleted: #REF!), and now holds the table's"]


def test_a_refusal_of_one_problem_more_than_shown_lists_them_all(holders, monkeypatch):
    """A line counting one more problem would take the place of that problem: 21 are all listed."""
    shown, text = _refusal_of_negative_units(holders, monkeypatch, macros.SHOWN + 1)
    assert len(shown) == macros.SHOWN + 1, text
    assert "row 22," in shown[-1] and "more problem" not in text, text


def test_refresh_all_refuses_a_book_whose_prices_sheet_is_protected_before_writing(holders, monkeypatch):
    """Refresh all writes the price history too: a protected Prices sheet is refused before the tally is written."""
    import xlwings

    fake = FakeBook(holders)
    fake.api = FakeApi()
    for sheet in fake.sheets:
        sheet.api = FakeApi(ProtectContents=sheet.name == "Prices")
    (holders.parent / TALLY).write_text("holder_id,units,method,status\nNEW-1,100,book-entry,tendered\n",
                                        encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_all()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused" and "the sheet Prices is protected" in text, text
    assert not any(s.writes for s in fake.sheets), _written(fake)


def test_the_draft_button_compares_a_book_open_read_only_and_says_whether_the_draft_matches(holders, monkeypatch):
    """The draft button only reads: a book open read-only is compared, not refused, and the dialog says the draft
    matches the engine's text, or where it differs."""
    import xlwings

    fake = FakeBook(holders)
    fake.api = FakeApi(ReadOnly=True)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    check = macros.draft_release(XlwingsBook(fake))
    assert check.compared and not check.ok  # (the fake does not calculate)
    macros.xlpy_draft_release()
    title, text = fake.app.alerts[-1]
    assert title == "xlpy" and text == "The draft differs from the engine's text:\n" + "\n".join(check.differences)
    lay = _layout(holders)[1]
    for i, sentence in enumerate(check.engine, 1):
        ref = lay.cell(f"ReleaseSentence{i}")[1]
        fake.sheets["Release"].cells[coordinate_to_tuple(ref)] = sentence
    macros.xlpy_draft_release()
    assert fake.app.alerts[-1] == ("xlpy", "The draft matches the engine's text word for word.")
    assert not any(s.writes for s in fake.sheets), _written(fake)
