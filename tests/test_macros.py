"""Refresh macros: headless (xlpy refresh) and through a live-book interface: the session of the issue (an input and
a note kept, the tally and prices refreshed) and the first safety point, only the output areas written (a malformed
or hostile source, the temporary file and the backup: ``test_macros_safety.py``; aggregate counts, the Cover's
defaults, the draft release and a live Excel book, faked: ``test_macros_excel.py``).

Workbooks are built once per run (tests/conftest.py) from the bundled offers and copied per
test: the seed (aggregate counts, fixed ratio) and the formula offer (a
holder tally and a price history), each beside copies of its source files (``refresh_books.py``).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
import refresh_books
from fake_excel import FakeBook
from refresh_books import (HOSTILE_NAMES, REFRESH_EPOCH, _cell, _cells, _cells_as_excel_writes_them, _copy, _equivalent_offer, _layout, _new_prices,
                           _person_edits, _refresh, _tally_rows, _write_csv)
from repo_paths import DATA, PRICES

from xlpy import macros
from xlpy.engine.errors import InputErrors
from xlpy.excel import vba
from xlpy.files.offerfile import compute_file
from xlpy.files.recorded import sha256
from xlpy.workbook import libreoffice, package
from xlpy.workbook.backends import PackageBook, open_book
from xlpy.workbook.layout import COVER_BUTTONS, LAYOUT_NAME, Shape, layout
from xlpy.workbook.live_book import XlwingsBook
from xlpy.workbook.seal import SEAL_NAME

built, holders, seed = refresh_books.built, refresh_books.holders, refresh_books.seed  # (the fixtures)


# --- the session of the issue: input and note kept, tally and prices refreshed ------------------


@pytest.fixture(scope="module")
def session(standard_books, tmp_path_factory):
    """A holder workbook a person edited, refreshed headless from a new tally and a new price file."""
    folder = tmp_path_factory.mktemp("session")
    book = _copy(standard_books, "holders", folder)
    _person_edits(book)
    before = book.read_bytes()
    tally = _write_csv(folder / "tally-day2.csv", _tally_rows(40, HOSTILE_NAMES))
    prices = _new_prices(folder / "prices-day2.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", REFRESH_EPOCH)
        assert _refresh([str(book), "--tally", str(tally), "--prices", str(prices)]) == 0
    return {"book": book, "before": before, "tally": tally, "prices": prices, "folder": folder}


def test_refresh_keeps_input_and_notes(session):
    book = session["book"]
    assert _cell(book, "CommonBefore").value == 116_000_000
    assert _cell(book, "CommonBefore").comment.text == "Per the 10-K cover page."
    wb = load_workbook(book)
    assert wb["Inputs"]["F2"].value == "checked by J. Smith"
    assert wb["Tenders"]["N25"].value == "call the agent about this line"


def test_refresh_updates_tally_prices_and_record(session):
    book, tally, prices = session["book"], session["tally"], session["prices"]
    wb, lay = _layout(book)
    lines = len(_tally_rows(40, HOSTILE_NAMES)) - 1
    assert lay.shape.holder_rows == lines
    sheet, t = lay.table("tblTenders")
    assert wb[sheet.title].tables["tblTenders"].ref == t.ref == f"B{t.header_row}:L{t.header_row + lines}"
    holders = [wb[sheet.title][f"{t.letter('holder')}{r}"].value for r in range(t.first_row, t.last_row + 1)]
    assert "NEW-0039" in holders and sorted(holders) == holders
    assert wb.defined_names["TenderUnits"].attr_text == f"'Tenders'!$D${t.first_row}:$D${t.last_row}"
    record = {n: _cell(book, n).value for n in ("RefreshedAt", "TallySource", "TallySha256", "TallyRows",
                                                  "PriceSource", "PriceSha256", "PriceRows", "BuiltAt")}
    assert record["RefreshedAt"] == "2004-02-24 00:00:00"
    assert record["BuiltAt"] == "2004-02-23 00:00:00"  # the build's record is the build's
    assert record["TallySource"] == tally.name and record["TallySha256"] == sha256(tally)
    assert record["TallyRows"] == lines
    assert record["PriceSource"] == prices.name and record["PriceSha256"] == sha256(prices)
    _, pt = lay.table("tblPrices")
    first_price = wb["Prices"][f"C{pt.first_row}"].value
    assert Decimal(repr(first_price)) == (Decimal("8.3059") * Decimal("1.01")).quantize(Decimal("0.0001"))


def test_refresh_keeps_vba_buttons_chart_validation_and_table(session):
    book = session["book"]
    assert vba.vba_project_bytes(book) == vba.vba_project_bytes(vba.template_path(standalone=True))
    wb = load_workbook(book, keep_vba=True)
    assert wb["Sensitivity"]._charts, "the sensitivity chart is gone"
    assert wb["Cover"].legacy_drawing, "the Cover buttons are gone"
    with zipfile.ZipFile(book) as z:
        vml = z.read(wb["Cover"].legacy_drawing).decode()
    for b in COVER_BUTTONS:
        assert f"[0]!{b.macro}</x:FmlaMacro>" in vml and b.caption in vml
    _, lay = _layout(book)
    _, t = lay.table("tblTenders")
    sqrefs = {str(dv.sqref) for dv in wb["Tenders"].data_validations.dataValidation}
    assert f"E{t.first_row}:E{t.last_row}" in sqrefs and f"F{t.first_row}:F{t.last_row}" in sqrefs
    assert set(wb["Tenders"].tables) == {"tblTenders"} and set(wb["Prices"].tables) == {"tblPrices", "tblHolidays"}
    for name in ("UnitsAccepted", "ChecksPass", "TenderAccepted", "PriceDates", "Holidays", LAYOUT_NAME):
        assert name in wb.defined_names


def test_the_tally_line_is_the_lines_row_in_the_file(holders, tmp_path, capsys):
    """The holder table's "Tally line" was a line's place in the tally plus 2, so a tally with blank rows gave an
    auditor another row of the agent's file than the line's; xlpy's own messages name the file's row."""
    gap = tmp_path / "gap.csv"
    gap.write_text("holder_id,units,method,status\nAA-2,200,book-entry,tendered\n\n\nAA-1,100,book-entry,tendered\n",
                   encoding="utf-8")
    assert _refresh([str(holders), "--tally", str(gap), "--no-backup"]) == 0
    wb, lay = _layout(holders)
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    got = [(ws[f"{t.letter('holder')}{r}"].value, ws[f"{t.letter('line')}{r}"].value) for r in range(t.first_row,
                                                                                                    t.last_row + 1)]
    assert got == [("AA-1", 5), ("AA-2", 2)]
    capsys.readouterr()
    assert _refresh([str(holders), "--tally", str(gap), "--no-backup"]) == 0
    assert "nothing to refresh" in capsys.readouterr().out  # the same lines, each at its row
    from xlpy.workbook.validate import validate

    assert validate(holders, legs=("formulas",)).findings == []


def test_formula_looking_text_is_stored_as_text(session):
    wb, lay = _layout(session["book"])
    _, t = lay.table("tblTenders")
    h = t.letter("holder")
    cells = {wb["Tenders"][f"{h}{r}"].value: wb["Tenders"][f"{h}{r}"] for r in range(t.first_row, t.last_row + 1)}
    for name in HOSTILE_NAMES:
        assert name in cells, name
        assert cells[name].data_type == "s", name
    with zipfile.ZipFile(session["book"]) as z:
        sheet = z.read("xl/worksheets/sheet3.xml").decode()
    assert "<f>1+1</f>" not in sheet and "HYPERLINK" not in re.sub(r"<t>[^<]*</t>", "", sheet)


def test_refreshed_workbook_validates_with_formulas(session):
    from xlpy.workbook.validate import validate

    report = validate(session["book"], legs=("formulas",))
    assert report.findings == [], [str(f) for f in report.findings]


@pytest.mark.libreoffice
def test_refreshed_workbook_checks_pass_under_libreoffice(session):
    """ChecksPass TRUE and every figure equal to the engine, with LibreOffice recalculating the refreshed file."""
    from xlpy.workbook.validate import validate

    report = validate(session["book"], legs=("libreoffice",), require_libreoffice=True)
    assert report.legs_run == ["libreoffice"]
    assert report.findings == [], [str(f) for f in report.findings]
    # The named results equal `xlpy compute` on the offer the refreshed workbook describes.
    offer_file = _equivalent_offer(session["folder"], session["tally"], session["prices"])
    _, results = compute_file(offer_file)
    values = libreoffice.named_values(session["book"])
    data = results.to_dict()
    for name, key in {"UnitsAccepted": "units_accepted", "CommonIssued": "common_issued",
                      "InducedCharge": "induced_charge", "CommonAfter": "common_outstanding_after",
                      "OfferRatio": "offer_ratio", "AveragePrice": "average_price",
                      "Tendered": "units_tendered"}.items():
        got = Decimal(repr(values[name])).quantize(Decimal("0.01"))
        assert got == Decimal(data[key]).quantize(Decimal("0.01")), name
    assert data["offer_ratio"] != "7.94"  # the new prices moved the ratio


# --- safety: only the output areas are written ----------------------------------------------------


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_only_output_areas_change(holders, tmp_path, engine):
    _person_edits(holders)
    before = _cells(holders)
    old_wb, old_lay = _layout(holders)
    old_names = {n: d.attr_text for n, d in old_wb.defined_names.items()}
    tally = _write_csv(tmp_path / "t2.csv", _tally_rows(25))
    book = open_book(holders, engine)
    report = macros.refresh_all(book, tally, _new_prices(tmp_path / "p2.csv"))
    book.save()
    after = _cells(holders)
    new_wb, new_lay = _layout(holders)

    def inside(sheet, coordinate):
        from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

        row, col = coordinate_to_tuple(coordinate)
        for lay in (old_lay, new_lay):
            for part in ("tenders", "prices"):
                for s, area in lay.refresh_areas(part):
                    c1, r1, c2, r2 = range_boundaries(area)
                    if s == sheet and c1 <= col <= c2 and r1 <= row <= max(r2, r1):
                        return True
        # rows between the old and the new end of a table that changed length
        for s in old_lay.sheets:
            for t in s.tables:
                nt = new_lay.table(t.name)[1]
                if s.title == sheet and t.first_col <= col < t.first_col + len(t.columns) and \
                        t.first_row <= row <= max(t.last_row, nt.last_row):
                    return True
        return False

    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    outside = sorted(k for k in changed if not inside(*k))
    assert outside == [], outside[:10]
    assert changed, "nothing was refreshed"
    new_names = {n: d.attr_text for n, d in new_wb.defined_names.items()}
    table_names = {c.name for s in new_lay.sheets for t in s.tables for c in t.columns if c.name}
    moved = {n for n in set(old_names) | set(new_names) if old_names.get(n) != new_names.get(n)}
    assert moved <= table_names | {LAYOUT_NAME}, moved - table_names
    assert set(report.written) >= {"name xlpyLayout"}


def test_package_book_changes_only_the_parts_it_must(holders, tmp_path):
    before = zipfile.ZipFile(holders)
    old = {n: before.read(n) for n in before.namelist()}
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(5))), "--no-backup"]) == 0
    with zipfile.ZipFile(holders) as z:
        new = {n: z.read(n) for n in z.namelist()}
    assert set(new) == set(old)
    pkg = package.Package(holders)
    parts = pkg.sheet_parts()
    tables = {t for s in ("Tenders", "Prices", "History") for t in package.table_parts(pkg, parts[s]).values()}
    history_chart = {n for n in new if n.startswith("xl/charts/") and b"'History'!" in new[n]}
    assert len(history_chart) == 1
    # refresh_all: the tally given, the prices from the file recorded on the Cover, and a History row
    # (its table and its chart's ranges grow by one).
    allowed = {"xl/workbook.xml", parts["Cover"], parts["Tenders"], parts["Prices"], parts["History"]} | tables \
        | history_chart
    changed = {n for n in new if new[n] != old[n]}
    # The sheets of figures change only in their formula cells' saved values (xlpy.workbook.saved_values).
    from xlpy.workbook.saved_values import SAVED_SHEETS

    def without_values(b: bytes) -> bytes:
        return re.sub(rb'<v>[^<]*</v>|\st="(?:str|b|n|e)"', b"", b)

    figures = {parts[s] for s in SAVED_SHEETS if s in parts} - allowed
    for n in changed & figures:
        assert without_values(new[n]) == without_values(old[n]), n
    assert changed <= allowed | figures, changed - allowed - figures
    assert new["xl/vbaProject.bin"] == old["xl/vbaProject.bin"]


def test_a_refresh_leaves_no_figure_of_the_previous_count_saved(holders, tmp_path):
    """A workbook saved by Excel or LibreOffice holds a value beside every formula. A refresh saves the engine's
    values on the sheets it knows (Entries' journal entry and Prices' window among them) and drops the others' (the
    Cover's summary), so a preview never shows the previous count's charge beside the new Results."""
    pkg = package.Package(holders)
    parts = pkg.sheet_parts()
    stale = {}
    for sheet in ("Cover", "Entries"):  # as the application leaves them: a value after each formula
        stale[parts[sheet]] = re.sub(rb"(</f>|<f [^>]*/>)", rb"\1<v>123456789</v>", pkg.read(parts[sheet]))
    with zipfile.ZipFile(holders) as z, zipfile.ZipFile(tmp_path / "saved.xlsm", "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            out.writestr(info, stale.get(info.filename, z.read(info.filename)))
    saved = tmp_path / "saved.xlsm"
    assert b"<v>123456789</v>" in zipfile.ZipFile(saved).read(parts["Cover"])
    assert _refresh([str(saved), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(5))), "--no-backup"]) == 0
    with zipfile.ZipFile(saved) as z:
        assert b"123456789" not in z.read(parts["Cover"]) and b"123456789" not in z.read(parts["Entries"])
    wb, lay = _layout(saved)
    values = load_workbook(saved, data_only=True)
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    offer, results = compute_file(_equivalent_offer(tmp_path, tmp_path / "t.csv", tmp_path / PRICES))
    from xlpy.engine.entries import journal_entry

    entry = journal_entry(offer, results)
    sheet, ref = lay.cell("EntriesDebits")
    assert Decimal(str(values[sheet][ref].value)) == entry.total_debits
    sheet, ref = lay.cell("AveragePrice")
    assert Decimal(str(values[sheet][ref].value)) == results.average_price


def test_both_disk_books_write_the_same_cells(holders, tmp_path):
    other = tmp_path / "other" / holders.name
    other.parent.mkdir()
    for f in holders.parent.iterdir():
        if f.is_file():
            shutil.copy(f, other.parent / f.name)
    for path, engine in ((holders, "package"), (other, "openpyxl")):
        tally = _write_csv(path.parent / "t.csv", _tally_rows(60, HOSTILE_NAMES))
        prices = _new_prices(path.parent / "p.csv", "0.98")
        book = open_book(path, engine)
        macros.refresh_all(book, tally, prices)
        book.save()
    a, b = _cells(holders), _cells(other)
    assert {k: v[:3] for k, v in a.items() if v[0] is not None} == {k: v[:3] for k, v in b.items() if v[0] is not None}
    wa, wb = load_workbook(holders), load_workbook(other)
    names = [{n: d.attr_text for n, d in w.defined_names.items()} for w in (wa, wb)]
    # The package engine seals the holder sheet it wrote (xlpy/workbook/seal.py); openpyxl writes its own bytes.
    assert names[0].pop(SEAL_NAME).startswith('"xl/worksheets/') and SEAL_NAME not in names[1]
    assert names[0] == names[1]
    for ws in wa.worksheets:
        assert dict(ws.tables.items()) == dict(wb[ws.title].tables.items())  # name -> range
        assert sorted(str(d.sqref) for d in ws.data_validations.dataValidation) == sorted(
            str(d.sqref) for d in wb[ws.title].data_validations.dataValidation)


def test_shorter_tally_shrinks_the_table(holders, tmp_path):
    rows = _tally_rows(0)[:51]  # header + 50 lines
    book = PackageBook(holders)
    macros.refresh_tenders(book, _write_csv(tmp_path / "short.csv", rows))
    book.save()
    wb, lay = _layout(holders)
    _, t = lay.table("tblTenders")
    assert t.rows == 50 and wb["Tenders"].tables["tblTenders"].ref == t.ref
    ws = wb["Tenders"]
    assert all(ws.cell(row=r, column=c).value is None for r in range(t.last_row + 1, t.last_row + 260)
               for c in range(2, 13))
    from xlpy.workbook.validate import validate

    assert validate(holders, legs=("formulas",)).findings == []


def test_table_refuses_to_grow_over_a_note(holders, tmp_path):
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    where = f"C{t.last_row + 3}"
    wb["Tenders"][where] = "do not overwrite me"
    wb.save(holders)
    before = holders.read_bytes()
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(40)))])
    assert [p.field for p in exc.value.problems] == [f"{holders.name}: Tenders!{where}"]  # the workbook named
    assert "move what is below the table" in str(exc.value)
    assert holders.read_bytes() == before


@pytest.mark.parametrize("engine", ["package", "openpyxl", "xlwings"])
def test_values_typed_over_holder_formulas_are_named_when_the_refresh_replaces_them(holders, tmp_path, engine):
    """A value typed over a formula of the holder table (an override of one holder's acceptance, say) is put back
    to the formula by the rewrite of the table: the report names each such cell and what it held."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    accepted, shares = (f"{t.letter(k)}{t.first_row + 4}" for k in ("accepted", "shares"))
    wb["Tenders"][accepted] = 1234
    wb["Tenders"][shares] = "see J. Smith"
    wb.save(holders)
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(5))
    if engine == "xlwings":
        fake = FakeBook(holders)
        report = macros.refresh_tenders(XlwingsBook(fake), tally)
        assert fake.sheets["Tenders"].cells[coordinate_to_tuple(accepted)].startswith("=IF(")
    else:
        book = open_book(holders, engine)
        report = macros.refresh_tenders(book, tally)
        book.save()
        ws = load_workbook(holders)["Tenders"]
        assert ws[accepted].value.startswith("=IF(") and ws[shares].value.startswith("=IF(")
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{accepted}: the value typed over its formula (1,234) was replaced by the formula",
        f"Tenders!{shares}: the value typed over its formula ('see J. Smith') was replaced by the formula",
    ]


@pytest.mark.parametrize("engine", ["package", "openpyxl", "xlwings"])
def test_a_formula_typed_over_a_holder_formula_is_named_when_the_refresh_replaces_it(holders, tmp_path, engine):
    """A formula of one's own in place of the table's (half of one holder's acceptance) is put back to the table's
    formula by the rewrite, as a typed value is: it was replaced without a word."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    row = t.first_row + 29
    accepted, holder_units = (f"{t.letter(k)}{row}" for k in ("accepted", "holder_units"))
    wb["Tenders"][accepted] = f"={holder_units}/2"
    wb.save(holders)
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(5))
    if engine == "xlwings":
        report = macros.refresh_tenders(XlwingsBook(FakeBook(holders)), tally)
    else:
        book = open_book(holders, engine)
        report = macros.refresh_tenders(book, tally)
        book.save()
        assert load_workbook(holders)["Tenders"][accepted].value == t.row_formula(t.columns[
            [c.key for c in t.columns].index("accepted")], row)
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{accepted}: held another formula than the table's (={holder_units}/2: typed over it, or moved by a "
        "sort), and now holds the table's"]


def test_a_formula_beside_the_holder_table_hides_no_value_typed_over_it(holders, tmp_path):
    """Counting the formulas in the table's rows said "none typed over" when a column of one's own beside the
    table (or a formula in it) made up for the values typed over the table's formulas: three overrides were
    replaced without a word.  Here as openpyxl saves a workbook (every formula written out), and as Excel does
    (one cell typed, the rest of each column one shared formula)."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    accepted = [f"{t.letter('accepted')}{t.first_row + k}" for k in (9, 19, 29)]
    for ref in accepted:
        wb["Tenders"][ref] = 0
    for r in range(t.first_row, t.last_row + 1):  # a helper column two to the right of the table
        wb["Tenders"][f"{get_column_letter(t.first_col + len(t.columns) + 2)}{r}"] = f"=D{r}/1000"
    wb.save(holders)
    book = PackageBook(holders)
    report = macros.refresh_tenders(book, _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    book.save()
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{ref}: the value typed over its formula (0) was replaced by the formula" for ref in accepted]
    wb = load_workbook(holders)
    assert all(wb["Tenders"][ref].value.startswith("=IF(") for ref in accepted)


def test_a_value_typed_over_a_shared_formula_is_found_beside_a_formula_of_ones_own(holders, tmp_path):
    """As Excel saves it: one cell of a shared formula typed over, and a formula typed beside the table in a
    row below its first two -- the formulas there as many as the table's cells, one short of shared ones."""
    with PackageBook(holders) as book:
        lay = layout(Shape.decode(book.name(LAYOUT_NAME)))
        _, t = lay.table("tblTenders")
        row = t.first_row + 29
        accepted = f"{t.letter('accepted')}{row}"
        book.set("Tenders", accepted, 111)
        book.set("Tenders", f"{get_column_letter(t.first_col + len(t.columns) + 2)}{row}", f"=D{row}/1000")
        book.save()
    text = zipfile.ZipFile(holders).read("xl/worksheets/sheet3.xml").decode("utf-8")
    assert f'<c r="{accepted}"' in text and 't="shared" si=' in text  # still shared elsewhere
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{accepted}: the value typed over its formula (111) was replaced by the formula"]


def test_a_value_typed_over_in_a_row_the_shorter_table_leaves_is_said_to_be_cleared(holders, tmp_path):
    """Past the new table's end the cell is blank, not "replaced by the formula"; in its new last row the formula
    replaces it (review 111: the last row told apart from the first past it)."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    near, edge, past, far = (f"{t.letter('accepted')}{t.first_row + k}" for k in (5, 99, 100, 200))
    for ref, typed in ((near, 5), (edge, 7), (past, 8), (far, 111)):
        wb["Tenders"][ref] = typed
    wb.save(holders)
    rows = _tally_rows(0)[:101]  # the header and 100 lines
    book = PackageBook(holders)
    report = macros.refresh_tenders(book, _write_csv(tmp_path / "t.csv", rows))
    book.save()
    last = t.first_row + 99
    cleared = f"was cleared with the rows past the table's new end (row {last})"
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{near}: the value typed over its formula (5) was replaced by the formula",
        f"Tenders!{edge}: the value typed over its formula (7) was replaced by the formula",
        f"Tenders!{past}: what was typed over its formula (8) {cleared}",
        f"Tenders!{far}: what was typed over its formula (111) {cleared}"]
    sheet = load_workbook(holders)["Tenders"]
    assert str(sheet[edge].value).startswith("=") and sheet[past].value is None and sheet[far].value is None


def test_a_formula_of_ones_own_filled_down_is_named_in_every_cell(holders, tmp_path):
    """Filled down, Excel stores it as one shared formula: its first cell holds the text, the others only point to
    it.  Only the first cell was named; the others were replaced without a word (openpyxl's reading named all)."""
    with PackageBook(holders) as book:
        _, t = layout(Shape.decode(book.name(LAYOUT_NAME))).table("tblTenders")
    j, i, r = t.letter("accepted"), t.letter("holder_units"), t.first_row + 5
    _cells_as_excel_writes_them(holders, {
        f"{j}{r}": f'<f t="shared" ref="{j}{r}:{j}{r + 2}" si="90">{i}{r}/2</f><v>1</v>',
        f"{j}{r + 1}": '<f t="shared" si="90"/><v>1</v>', f"{j}{r + 2}": '<f t="shared" si="90"/><v>1</v>'})
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{j}{k}: held another formula than the table's (={i}{k}/2: typed over it, or moved by a sort), and "
        "now holds the table's"
        for k in (r, r + 1, r + 2)]


def test_a_first_rows_formula_filled_down_the_whole_table_is_named(holders, tmp_path):
    """The running total's first row has a formula of its own (=G21); filled down the whole column, as Excel stores
    it, every row below holds a shared cell of it, as many as the table's own: not the table's formula."""
    with PackageBook(holders) as book:
        _, t = layout(Shape.decode(book.name(LAYOUT_NAME))).table("tblTenders")
    run, eligible, r1, r2 = t.letter("run"), t.letter("eligible"), t.first_row, t.last_row
    cells = {f"{run}{r}": '<f t="shared" si="93"/><v>1</v>' for r in range(r1 + 1, r2 + 1)}
    cells[f"{run}{r1}"] = f'<f t="shared" ref="{run}{r1}:{run}{r2}" si="93">{eligible}{r1}</f><v>1</v>'
    _cells_as_excel_writes_them(holders, cells)
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    lines = [line for line in report.lines() if "typed over" in line]
    assert lines[0] == (f"Tenders!{run}{r1 + 1}: held another formula than the table's (={eligible}{r1 + 1}: typed "
                        "over it, or moved by a sort), and now holds the table's")
    assert lines[-1] == (f"Tenders: {r2 - r1 - 10:,} more values or formulas typed over formulas of tblTenders were "
                         "replaced by the table's formulas") and len(lines) == 11


def test_a_shared_formula_in_an_input_column_hides_no_value_typed_over(holders, tmp_path):
    """A formula filled down the Line column adds a shared cell as one typed over takes one away: counted
    together, they hid the value typed over and the refresh said "nothing to refresh"."""
    with PackageBook(holders) as book:
        _, t = layout(Shape.decode(book.name(LAYOUT_NAME))).table("tblTenders")
    line, j, r = t.letter("line"), t.letter("accepted"), t.first_row
    _cells_as_excel_writes_them(holders, {
        f"{line}{r + 1}": f'<f t="shared" ref="{line}{r + 1}:{line}{r + 2}" si="91">{line}{r}+1</f><v>2</v>',
        f"{line}{r + 2}": '<f t="shared" si="91"/><v>3</v>', f"{j}{r + 50}": "<v>0</v>"})
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{j}{r + 50}: the value typed over its formula (0) was replaced by the formula"]


def test_a_refresh_from_the_same_tally_puts_back_a_formula_typed_over(holders, tmp_path, capsys):
    """The sources the Cover records, byte for byte, but a value typed over a holder formula: rewritten and named,
    not "nothing to refresh" with the override left in place."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    accepted = f"{t.letter('accepted')}{t.first_row + 29}"
    assert _refresh([str(holders), "--no-backup"]) == 0
    assert "nothing to refresh" in capsys.readouterr().out
    wb["Tenders"][accepted] = 111
    wb.save(holders)
    assert _refresh([str(holders), "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "nothing to refresh" not in out
    assert f"Tenders!{accepted}: the value typed over its formula (111) was replaced by the formula" in out
    assert load_workbook(holders)["Tenders"][accepted].value.startswith("=IF(")


@pytest.mark.parametrize("engine", ["package", "openpyxl", "xlwings"])
def test_a_note_beside_a_holder_line_that_moves_is_named(holders, tmp_path, engine):
    """A note typed beside a holder's line stays in its row when the refresh rewrites the table; when that row
    now holds another holder's line, the report says so, naming both."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    note_col = get_column_letter(t.first_col + len(t.columns) + 1)
    holder = t.letter("holder")
    first, second = ws[f"{holder}{t.first_row}"].value, ws[f"{holder}{t.first_row + 1}"].value
    ws[f"{note_col}{t.first_row + 1}"] = "call about the certificate"  # beside the second line
    ws[f"{note_col}{t.first_row}"] = "checked"  # beside a line that stays where it is
    wb.save(holders)
    rows = _tally_rows(0)
    rows.insert(2, [first, "7", "book-entry", "tendered"])  # the first holder's second line comes next to its first
    tally = _write_csv(tmp_path / "t.csv", rows[:3])  # the first holder's two lines
    if engine == "xlwings":
        report = macros.refresh_tenders(XlwingsBook(FakeBook(holders)), tally)
    else:
        book = open_book(holders, engine)
        report = macros.refresh_tenders(book, tally)
    ref = f"Tenders!{note_col}{t.first_row + 1}"
    assert [line for line in report.lines() if "beside the holder table" in line] == [
        f"{ref}: 'call about the certificate' beside the holder table stays in row {t.first_row + 1}, which now holds "
        f"the line of {first!r} (it was beside the line of {second!r}): move it if it belongs to {second!r}"]


@pytest.mark.parametrize("engine", ["package", "openpyxl", "xlwings"])
def test_a_formula_beside_a_holder_line_that_moves_is_named_as_one_with_the_rows_it_reads(holders, tmp_path, engine):
    """Review 98: a formula of one's own beside a holder's line (=D22*2) was named by the value it showed (4200:
    no thousands separator, no word of a formula), where it reads the table's row, which now holds another
    holder's line. A number typed there reads as every number of the report; a formula over a range of some of the
    table's lines names those of its rows that now hold another holder's line; one reading another sheet is named as
    a formula, with no word of rows read."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    col = t.first_col + len(t.columns) + 1
    n, o, p, q = (get_column_letter(col + i) for i in range(4))
    holder, units, row = t.letter("holder"), t.letter("units"), t.first_row + 1
    first, second, shows = ws[f"{holder}{t.first_row}"].value, ws[f"{holder}{row}"].value, ws[f"{units}{row}"].value
    typed = {n: f"={units}{row}*2", o: 4200, p: f"=SUM({units}{t.first_row}:{units}{row})",
             q: f"=Cover!{units}{row}+tblTenders[[#This Row],[Units]]"}
    for letter, v in typed.items():
        ws[f"{letter}{row}"] = v
    wb.save(holders)
    results = {n: shows * 2, p: 1234567, q: 7}  # (what each formula shows, as Excel saved it)
    if engine == "package":  # (openpyxl saves no result beside a formula: Excel's is put in)
        def with_results(text: str) -> str:
            for letter, v in results.items():
                text = re.sub(rf'(<c r="{letter}{row}"[^>]*>(?:<f>[^<]*</f>))(?:<v\s*/>|<v></v>)?', rf"\g<1><v>{v}</v>",
                              text)
            return text

        part = package.Package(holders).sheet_parts()["Tenders"]
        with zipfile.ZipFile(holders) as zf:
            items = [(i, zf.read(i.filename)) for i in zf.infolist()]
        with zipfile.ZipFile(holders, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, data in items:
                zf.writestr(i, with_results(data.decode()).encode() if i.filename == part else data)
    rows = _tally_rows(0)
    rows.insert(2, [first, "7", "book-entry", "tendered"])  # the first holder's second line comes next to its first
    tally = _write_csv(tmp_path / "t.csv", rows[:3])
    if engine == "xlwings":
        fake = FakeBook(holders)
        fake.sheets["Tenders"].shown.update({coordinate_to_tuple(f"{letter}{row}"): v for letter, v in results.items()})
        report = macros.refresh_tenders(XlwingsBook(fake), tally)
    else:
        report = macros.refresh_tenders(open_book(holders, engine), tally)
    stays = (f"beside the holder table stays in row {row}, which now holds the line of {first!r} (it was beside the "
             f"line of {second!r}): move it if it belongs to {second!r}")
    shown = {letter: "" if engine == "openpyxl" else f" (showing {v:,})" for letter, v in results.items()}
    assert [line for line in report.lines() if "beside the holder table" in line] == [
        f"Tenders!{n}{row}: the formula ={units}{row}*2{shown[n]} {stays}; it reads the table's row {row}, which now "
        "holds another holder's line: point it at the row of the line it is about",
        f"Tenders!{o}{row}: 4,200 {stays}",
        f"Tenders!{p}{row}: the formula {typed[p]}{shown[p]} {stays}; it reads the table's row {row}, which now "
        "holds another holder's line: point it at the row of the line it is about",
        f"Tenders!{q}{row}: the formula {typed[q]}{shown[q]} {stays}; it reads the table's row {row}, which now "
        "holds another holder's line: point it at the row of the line it is about"]


def _with_formulas(holders, write) -> tuple:
    """The holder workbook after ``write(wb, t)`` (t the holder table), saved; (t, its first two holders)."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    holder = t.letter("holder")
    first, second = wb["Tenders"][f"{holder}{t.first_row}"].value, wb["Tenders"][f"{holder}{t.first_row + 1}"].value
    write(wb, t)
    wb.save(holders)
    return t, first, second


def _first_holder_twice(holders, tmp_path, engine: str, first):
    """A refresh from the built tally's first lines, the first holder's second line next to its first: the table's
    first row keeps its line, its second then holds the first holder's line, its third the second holder's."""
    rows = _tally_rows(0)
    rows.insert(2, [first, "7", "book-entry", "tendered"])
    return macros.refresh_tenders(open_book(holders, engine), _write_csv(tmp_path / "t.csv", rows[:3]))


def _reads(report) -> list[str]:
    return [line for line in report.lines() if " reads the holder table's " in line or "more formulas read" in line]


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_formula_beside_the_holder_table_reading_a_row_whose_line_changed_is_named(holders, tmp_path, engine):
    """A formula of one's own beside the holder table in a row whose line stays (the first), or above the table,
    that reads by reference a row now holding another holder's line (a cell, or a range over some of the lines)
    was not named: only one in a row whose own line changed was."""
    def write(wb, t):
        ws, u, r = wb["Tenders"], t.letter("units"), t.first_row
        ws[f"N{r}"], ws[f"O{r}"], ws["N5"] = f"={u}{r + 1}*2", f"=SUM({u}{r}:{u}{r + 2})", f"=${u}${r + 1}"
        ws[f"P{r}"] = f"={u}{r}*2"  # (its own row, whose line stays: nothing to say)

    t, first, second = _with_formulas(holders, write)
    report = _first_holder_twice(holders, tmp_path, engine, first)
    u, r = t.letter("units"), t.first_row
    said = (f"reads the holder table's row {r + 1}, which now holds the line of {first!r} (it held the line of "
            f"{second!r}): point it at the row of the line it is about")
    assert _reads(report) == [
        f"Tenders!N5: the formula =${u}${r + 1} {said}",
        f"Tenders!N{r}: the formula ={u}{r + 1}*2 {said}",
        f"Tenders!O{r}: the formula =SUM({u}{r}:{u}{r + 2}) reads the holder table's rows {r + 1} and {r + 2}, which "
        "now hold other holders' lines: point it at the rows of the lines it is about"]


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_formula_on_another_sheet_reading_a_row_whose_line_changed_is_named(holders, tmp_path, engine):
    """A formula of one's own on a sheet of one's own, or in a cell of a layout sheet the layout leaves free, that
    reads the holder table's cells by reference (``Tenders!E22``, quoted, absolute) was not named at all."""
    def write(wb, t):
        u, r = t.letter("units"), t.first_row + 1
        mine = wb.create_sheet("My notes")
        mine["B2"], mine["B3"], mine["B4"] = f"=Tenders!{u}{r}", f"='Tenders'!{u}{r}*2", f"=tenders!${u}${r}"
        mine["B5"] = f"=Tenders!{u}{r - 1}"  # (the first row: its line stays)
        wb["Cover"]["Z3"] = f"=Tenders!{u}{r + 1}+Tenders!{u}{r + 2}"

    t, first, second = _with_formulas(holders, write)
    report = _first_holder_twice(holders, tmp_path, engine, first)
    u, r = t.letter("units"), t.first_row + 1
    said = (f"reads the holder table's row {r}, which now holds the line of {first!r} (it held the line of "
            f"{second!r}): point it at the row of the line it is about")
    assert _reads(report) == [
        f"Cover!Z3: the formula =Tenders!{u}{r + 1}+Tenders!{u}{r + 2} reads the holder table's rows {r + 1} and "
        f"{r + 2}, which now hold other holders' lines: point it at the rows of the lines it is about",
        f"My notes!B2: the formula =Tenders!{u}{r} {said}",
        f"My notes!B3: the formula ='Tenders'!{u}{r}*2 {said}",
        f"My notes!B4: the formula =tenders!${u}${r} {said}"]


def test_formulas_elsewhere_reading_rows_whose_line_changed_are_named_ten_and_counted(holders, tmp_path):
    """Ten named, as the report names cells beside the table, one more line counting the rest."""
    def write(wb, t):
        mine = wb.create_sheet("My notes")
        for i in range(12):
            mine[f"B{2 + i}"] = f"=Tenders!{t.letter('units')}{t.first_row + 1}+{i}"

    _, first, _ = _with_formulas(holders, write)
    said = _reads(_first_holder_twice(holders, tmp_path, "package", first))
    assert [line.split(":")[0] for line in said] == [f"My notes!B{2 + i}" for i in range(10)] + [
        "2 more formulas read rows of the holder table on Tenders that now hold other holders' lines"]


def test_a_fixed_range_over_every_line_that_a_grown_table_outruns_is_named_and_a_chart_sheet_passed_over(
        holders, tmp_path):
    """Review 105: a sum over every line by a fixed range (``=SUM(Tenders!$D$21:$D$319)``, what selecting the
    column's cells gives) leaves out a line the table grows by, and was not named; and a workbook with a chart
    sheet (no cells) was refused by the search for such formulas (``Chart1: not a worksheet``)."""
    from openpyxl.chart import BarChart, Reference

    def write(wb, t):
        u, h, r, last = t.letter("units"), t.letter("holder"), t.first_row, t.last_row
        mine = wb.create_sheet("My notes")
        mine["B2"], mine["B3"] = f"=SUM(Tenders!${u}${r}:${u}${last})", f"=COUNTA(Tenders!{h}{r}:{h}{last + 1})"
        chart = wb.create_chartsheet("Chart1")
        chart.add_chart(BarChart())
        chart._charts[0].add_data(Reference(wb["Results"], min_col=3, min_row=9, max_row=11))

    t, _, _ = _with_formulas(holders, write)
    rows = _tally_rows(2)  # (the built tally and two more lines: the table grows by two rows)
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", rows))
    u, h, r, last = t.letter("units"), t.letter("holder"), t.first_row, t.last_row
    assert [line for line in report.lines() if "by a fixed range" in line] == [
        f"My notes!B2: the formula =SUM(Tenders!${u}${r}:${u}${last}) reads the holder table's rows to {last} by a "
        f"fixed range, and the table now ends at row {last + 2}: its last 2 lines are left out; refer to the "
        "table's column (tblTenders[Units] or its name TenderUnits) to follow it",
        f"My notes!B3: the formula =COUNTA(Tenders!{h}{r}:{h}{last + 1}) reads the holder table's rows to "
        f"{last + 1} by a fixed range, and the table now ends at row {last + 2}: its last line is left out; refer "
        "to the table's column (tblTenders[Holder] or its name TenderHolder) to follow it"]


def test_formulas_reading_the_holder_table_by_its_names_or_all_its_lines_are_not_named(holders, tmp_path):
    """A structured reference (the column, the formula's own row), a sum over the whole column of the table's
    lines or over the sheet's whole column follow every line, wherever it is written: nothing to say of them."""
    def write(wb, t):
        u, r, last = t.letter("units"), t.first_row, t.last_row
        mine = wb.create_sheet("My notes")
        mine["B2"], mine["B3"] = "=SUM(tblTenders[Units])", f"=SUM(Tenders!{u}{r}:{u}{last})"
        mine["B4"] = f"=SUM(Tenders!{u}:{u})"
        wb["Tenders"][f"N{r}"] = "=tblTenders[@Units]*2"
        wb["Tenders"][f"O{r}"] = f"=SUM({u}{r}:{u}{last})"

    _, first, _ = _with_formulas(holders, write)
    assert _reads(_first_holder_twice(holders, tmp_path, "package", first)) == []


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_note_or_link_on_a_holder_line_that_moves_is_named(holders, tmp_path, engine):
    """A note (comment) or a link a person put on a holder's cell stays on that cell, as Excel keeps it, when the
    refresh rewrites the lines; when its row now holds another holder's line, the report names both."""
    from openpyxl.comments import Comment

    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    holder = t.letter("holder")
    first, second = ws[f"{holder}{t.first_row}"].value, ws[f"{holder}{t.first_row + 1}"].value
    cell = f"{holder}{t.first_row + 1}"
    ws[cell].comment = Comment("call about the certificate", "JD")  # on the second line's holder
    ws[cell].hyperlink = "https://example.com/holders/2"
    ws[f"{holder}{t.first_row}"].comment = Comment("checked", "JD")  # on a line that stays where it is
    wb.save(holders)
    rows = _tally_rows(0)
    rows.insert(2, [first, "7", "book-entry", "tendered"])  # the first holder's second line comes next to its first
    book = open_book(holders, engine)
    report = macros.refresh_tenders(book, _write_csv(tmp_path / "t.csv", rows[:3]))
    said = (f"whose row now holds the line of {first!r} (it was on the line of {second!r}): move it if it belongs "
            f"to {second!r}")
    assert [line for line in report.lines() if " stays on " in line] == [
        f"Tenders!{cell}: the note 'call about the certificate' stays on {cell}, {said}",
        f"Tenders!{cell}: the link to 'https://example.com/holders/2' stays on {cell}, {said}"]


def test_a_note_below_the_holder_table_that_a_new_line_reaches_is_named(holders, tmp_path):
    """A note under the table's last line, beside the row a longer tally's new line takes: named too."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    note = f"{get_column_letter(t.first_col + len(t.columns) + 1)}{t.last_row + 1}"
    wb["Tenders"][note] = "below the table"
    wb.save(holders)
    rows = _tally_rows(0) + [["Z-1", "5", "book-entry", "tendered"]]  # the built tally and one more line
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", rows))
    assert [line for line in report.lines() if "beside the holder table" in line] == [
        f"Tenders!{note}: 'below the table' beside the holder table stays in row {t.last_row + 1}, which now holds "
        "the line of 'Z-1' (it was below the table): move it if it is not about that line"]


def test_a_refresh_with_nothing_typed_over_says_nothing_of_it(holders, tmp_path):
    report = macros.refresh_tenders(PackageBook(holders), _write_csv(tmp_path / "t.csv", _tally_rows(5)))
    assert not [line for line in report.lines() if "typed over" in line]
