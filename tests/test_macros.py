"""Refresh macros: headless (xlpy refresh) and through a live-book interface, and every safety point.

Workbooks are built once per run (tests/conftest.py) from the bundled offers and copied per
test: the seed (aggregate counts, fixed ratio) and the formula offer (a
holder tally and a price history), each beside copies of its source files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import shutil
import signal
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy import macros
from xlpy.cli import refresh as cli_refresh
from xlpy.engine.errors import InputError, InputErrors, XlpyError
from xlpy.excel import registry, vba
from xlpy.files import sources
from xlpy.files.offerfile import compute_file
from xlpy.files.recorded import sha256
from xlpy.workbook import libreoffice, locks, package
from xlpy.workbook.backends import OpenpyxlBook, PackageBook, open_book
from xlpy.workbook.layout import COVER_BUTTONS, LAYOUT_NAME, Shape, layout
from xlpy.workbook.live_book import XlwingsBook
from xlpy.workbook.seal import SEAL_NAME

REFRESH_EPOCH = "1077580800"  # a day later
HOSTILE_NAMES = ("=1+1", "+SUM(A1:A9)", "-2", "@cmd", "=HYPERLINK(\"http://example.com\",\"x\")", "'quoted")


# --- workbooks and sources -------------------------------------------------------------------


@pytest.fixture
def built(standard_books):
    """{'seed': path, 'holders': path}: built once per run, with their sources beside them (tests/conftest.py)."""
    return {"seed": standard_books["seed"], "holders": standard_books["holders"]}


def _copy(built, kind: str, tmp_path: Path) -> Path:
    src = built[kind]
    for f in src.parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / src.name


@pytest.fixture
def holders(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REFRESH_EPOCH)
    return _copy(built, "holders", tmp_path)


@pytest.fixture
def seed(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REFRESH_EPOCH)
    return _copy(built, "seed", tmp_path)


def _tally_rows(extra: int = 40, names=()) -> list[list[str]]:
    rows = list(csv.reader((DATA / TALLY).open(encoding="utf-8")))
    rows += [[f"NEW-{i:04d}", str(100 + i), "book-entry", "tendered"] for i in range(extra)]
    rows += [[n, "10", "certificate", "tendered"] for n in names]
    return rows


def _write_csv(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _new_prices(path: Path, factor: str = "1.01") -> Path:
    rows = list(csv.reader((DATA / PRICES).open(encoding="utf-8")))
    out = [rows[0]] + [[d, str((Decimal(p) * Decimal(factor)).quantize(Decimal("0.0001"))), v] for d, p, v in rows[1:]]
    return _write_csv(path, out)


def _refresh(argv: list[str]) -> int:
    """`xlpy refresh ...` as the command line runs it (the lead registers the command)."""
    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args(argv))


def _cells(path: Path) -> dict[tuple[str, str], tuple]:
    wb = load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.data_type, c.number_format,
                                       c.font.color.rgb if c.font.color else None)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}


def _layout(path: Path):
    wb = load_workbook(path)
    return wb, layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))


def _cell(path: Path, name: str):
    wb, lay = _layout(path)
    sheet, ref = lay.cell(name)
    return wb[sheet][ref]


def _person_edits(path: Path) -> None:
    """What a person does in Excel: change an input, add a comment and a note (saved with openpyxl here)."""
    wb = load_workbook(path, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("CommonBefore")
    wb[sheet][ref].value = 116_000_000
    wb[sheet][ref].comment = Comment("Per the 10-K cover page.", "J. Smith")
    wb["Inputs"]["F2"] = "checked by J. Smith"
    wb["Tenders"]["N25"] = "call the agent about this line"  # beside the holder table
    wb.save(path)


def _equivalent_offer(folder: Path, tally: Path, prices: Path) -> Path:
    text = FORMULA.read_text(encoding="utf-8")
    text = text.replace('prices = "data/hecla-2004-prices-illustrative.csv"', f'prices = "{prices.name}"')
    text = text.replace('file = "data/hecla-2004-tally.csv"', f'file = "{tally.name}"')
    text = text.replace("common_outstanding_before = 115000000", "common_outstanding_before = 116000000")
    out = folder / "equivalent.toml"
    out.write_text(text, encoding="utf-8")
    return out


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
    """Past the new table's end the cell is blank, not "replaced by the formula"."""
    wb = load_workbook(holders, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    near, far = (f"{t.letter('accepted')}{t.first_row + k}" for k in (5, 200))
    wb["Tenders"][near] = 5
    wb["Tenders"][far] = 111
    wb.save(holders)
    rows = _tally_rows(0)[:101]  # the header and 100 lines
    book = PackageBook(holders)
    report = macros.refresh_tenders(book, _write_csv(tmp_path / "t.csv", rows))
    book.save()
    last = t.first_row + 99
    assert [line for line in report.lines() if "typed over" in line] == [
        f"Tenders!{near}: the value typed over its formula (5) was replaced by the formula",
        f"Tenders!{far}: what was typed over its formula (111) was cleared with the rows past the table's new end "
        f"(row {last})"]
    assert load_workbook(holders)["Tenders"][far].value is None


def _cells_as_excel_writes_them(path: Path, cells: dict[str, str]) -> None:
    """Give cells of Tenders (its sheet part in *path*) the inner XML *cells* maps them to (``<f>...</f>``, ``<v>``),
    keeping each one's style: what Excel writes for a formula filled down or typed over, by hand."""
    with PackageBook(path) as book:
        part = book.pkg.sheet_parts()["Tenders"]
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    text = parts[part].decode("utf-8")
    for ref, inner in cells.items():
        text, n = re.subn(rf'<c r="{ref}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)', lambda m: f'<c r="{ref}"{m.group(1) or ""}>'
                          f"{inner}</c>", text, count=1, flags=re.DOTALL)
        assert n == 1, ref
    parts[part] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


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
    assert [line.split(":")[0] for line in said] == [f"My notes!B{2 + i}" for i in range(10)] + ["Tenders"]
    assert said[-1] == "Tenders: 2 more formulas read rows of the holder table that now hold other holders' lines"


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


# --- safety: a malformed source changes nothing and names every problem ------------------------------


def _bad_rows():
    rows = _tally_rows(0)
    rows[2][1] = "-5"          # row 3: negative units
    rows[4][1] = "lots"        # row 5: not a number
    rows[6][3] = "pending"     # row 7: unknown status
    rows[8][0] = ""            # row 9: no holder
    rows[10][1] = "12.5"       # row 11: not whole
    return rows


def _lines(*rows):
    """A tally of book-entry tenders: (holder, units) rows under the four contract columns."""
    return [["holder_id", "units", "method", "status"]] + [[h, u, "book-entry", "tendered"] for h, u in rows]


MALFORMED = {
    "bad rows": (_bad_rows, ["row 3, column units", "row 5, column units", "row 7, column status",
                             "row 9, column holder_id", "row 11, column units"]),
    "unknown columns": (lambda: [["Participant Code", "Qty Tendered"], ["A", "1"]], ["header"]),
    "totals above outstanding": (lambda: _lines(("BIG-1", "400000"), ("BIG-2", "100000")), ["Outstanding"]),
    "negative units": (lambda: _lines(("A", "10"), ("B", "-1")), ["row 3, column units"]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_tally_changes_nothing_and_names_every_problem(holders, tmp_path, case):
    make, wanted = MALFORMED[case]
    before = holders.read_bytes()
    source = _write_csv(tmp_path / "bad.csv", make())
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(source)])
    text = str(exc.value)
    for w in wanted:
        assert w in text, (w, text)
    assert holders.read_bytes() == before
    assert sorted(p.name for p in holders.parent.iterdir()) == sorted(
        [holders.name, TALLY, PRICES, "bad.csv"]), "a backup or temporary file was left"


def test_malformed_prices_change_nothing(holders, tmp_path):
    before = holders.read_bytes()
    rows = list(csv.reader((DATA / PRICES).open(encoding="utf-8")))
    rows[3][1] = "-8.1"
    rows[5][0] = "2004-13-01"
    rows[7][2] = "many"
    bad = _write_csv(tmp_path / "bad-prices.csv", rows)
    good_tally = _write_csv(tmp_path / "t.csv", _tally_rows(3))
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(good_tally), "--prices", str(bad)])
    text = str(exc.value)
    for w in ("row 4, column price", "row 6, column date", "row 8, column volume"):
        assert w in text, w
    assert holders.read_bytes() == before


def test_a_price_file_missing_a_window_day_is_named_as_given(holders, tmp_path):
    """The engine finds the averaging window's missing day; the refresh names the price file given, as its reader
    and compute name it, not the workbook's sheet the prices would have gone to."""
    rows = [r for r in csv.reader((DATA / PRICES).open(encoding="utf-8")) if r[0] != "2004-02-13"]
    before = holders.read_bytes()
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--prices", str(_write_csv(tmp_path / "short.csv", rows))])
    assert [str(p) for p in exc.value.problems] == [  # (by the path given on the command line)
        f"{tmp_path / 'short.csv'}: has no row for trading day(s) in the averaging window, got '2004-02-13'"]
    assert holders.read_bytes() == before


# --- safety: a hostile tally gives a clear error or safe text, never a crash -------------------------------


HOSTILE = {
    "huge number": (_lines(("A", str(10**30)), ("B", "5")), ["row 2, column units"]),
    "wrong encoding": ("café,1\n".encode("cp1252"), ["not UTF-8 text"]),
    "control character": (_lines(("A\x07B", "5")), ["row 2, column holder", "control character"]),
    "binary garbage": (bytes(range(256)) * 4, ["bad.csv"]),
    "huge text": (_lines(("x" * 40000, "5")), ["longer than a cell holds"]),
    "ids differing only in case": (_lines(("ODD-1", "5"), ("odd-1", "6")),
                                   ["row 3, column holder", "from the holder id on row 2 ('ODD-1') only in letter case"]),
    "empty": (b"", ["no header row"]),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_tally_is_refused_clearly(holders, tmp_path, case):
    content, wanted = HOSTILE[case]
    source = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        source.write_bytes(b"holder_id,units\n" + content if case == "wrong encoding" else content)
    else:
        _write_csv(source, content)
    before = holders.read_bytes()
    with pytest.raises(XlpyError) as exc:
        _refresh([str(holders), "--tally", str(source)])
    assert isinstance(exc.value, InputErrors)
    for w in wanted:
        assert w in str(exc.value), (w, str(exc.value))
    assert holders.read_bytes() == before


def test_xlsx_tally_as_agents_send_it(holders, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Account", "Shares Tendered", "Delivery", "NGD"])
    for i in range(30):
        ws.append([f"ACCT-{i:03d}", 1000 + i, "DTC", "Y" if i % 10 == 0 else "N"])
    ws.append(["=cmd|' /C calc'!A0", 5, "DTC", "N"])  # text an agent's system let through
    ws.cell(row=ws.max_row, column=1).data_type = "s"
    wb.save(tmp_path / "agent.xlsx")
    book = PackageBook(holders)
    # no status column: refused unless a mapping states every line's status
    with pytest.raises(InputErrors, match=r"agent.xlsx: header: has no status column"):
        macros.refresh_tenders(book, tmp_path / "agent.xlsx")
    stated = sources.ColumnMapping(defaults={"status": "tendered"})
    report = macros.refresh_tenders(book, tmp_path / "agent.xlsx", stated)
    book.save()
    assert report.tally.rows == 31 and report.tally.kind == "holders"
    wb, lay = _layout(holders)
    _, t = lay.table("tblTenders")
    methods = [wb["Tenders"][f"E{r}"].value for r in range(t.first_row, t.last_row + 1)]
    assert methods.count("guaranteed") == 3
    h = t.letter("holder")
    holders_col = {wb["Tenders"][f"{h}{r}"].value: wb["Tenders"][f"{h}{r}"] for r in range(t.first_row, t.last_row + 1)}
    assert holders_col["=cmd|' /C calc'!A0"].data_type == "s"


def test_formula_text_in_a_source_file_name_is_recorded_as_text(holders, tmp_path):
    source = tmp_path / "=cmd.csv"
    shutil.copy(DATA / TALLY, source)
    book = PackageBook(holders)
    macros.refresh_tenders(book, source)
    book.save()
    cell = _cell(holders, "TallySource")
    assert cell.data_type == "s" and cell.value.endswith("=cmd.csv")


# --- safety: temporary file, replace, backup, interrupted write -------------------------------------------


def test_backup_beside_the_workbook(holders, tmp_path):
    before = holders.read_bytes()
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    backup = holders.with_name("book.20040224-000000.bak.xlsm")
    assert backup.read_bytes() == before
    assert holders.read_bytes() != before
    # A second refresh in the same second keeps both backups.
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t4.csv", _tally_rows(4)))]) == 0
    assert holders.with_name("book.20040224-000000-2.bak.xlsm").is_file()
    assert not list(holders.parent.glob(".*.tmp"))


def test_no_backup(holders, tmp_path):
    assert _refresh([str(holders), "--no-backup", "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    assert not list(holders.parent.glob("*.bak.xlsm"))


def test_keep_zero_writes_no_backup_and_removes_the_older_ones(holders, tmp_path, capsys):
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    assert [p.name for p in holders.parent.glob("*.bak.xlsm")] == ["book.20040224-000000.bak.xlsm"]
    capsys.readouterr()
    assert _refresh([str(holders), "--keep", "0", "--tally", str(_write_csv(tmp_path / "t4.csv", _tally_rows(4)))]) == 0
    assert not list(holders.parent.glob("*.bak.xlsm"))
    out = capsys.readouterr().out
    assert "previous version kept" not in out  # no backup named that is not there
    assert "book.xlsm: removed 1 older backup(s) (--keep 0)" in out


def test_keep_keeps_the_newest_backups_of_refreshes_in_one_second(holders, tmp_path, capsys):
    """Four refreshes in the same second (a fixed SOURCE_DATE_EPOCH, as the README's example sets), --keep 2: the
    backup each writes is the newest and is kept; the freed first name is not taken again, where the fourth's
    backup took it, sorted first and was removed as it was reported kept."""
    names = []
    for k in range(3, 7):
        assert _refresh([str(holders), "--keep", "2", "--tally", str(_write_csv(tmp_path / f"t{k}.csv",
                                                                               _tally_rows(k)))]) == 0
        kept = capsys.readouterr().out.split("previous version kept as ")[1].split()[0]
        names.append(kept)
        assert holders.with_name(kept).is_file()
    assert names == ["book.20040224-000000.bak.xlsm", "book.20040224-000000-2.bak.xlsm",
                     "book.20040224-000000-3.bak.xlsm", "book.20040224-000000-4.bak.xlsm"]
    assert sorted(p.name for p in holders.parent.glob("*.bak.xlsm")) == names[2:]


def test_keep_never_removes_the_backup_just_written(holders, tmp_path, capsys, monkeypatch):
    """A backup whose name carries a later time than this refresh's (an earlier refresh run without
    SOURCE_DATE_EPOCH, a clock set apart): --keep 1 keeps the one just written, the one it reports.  Review 84: one
    named after now (the computer's clock) is not counted and never removed, and the refresh says so."""
    from xlpy.workbook import clock

    monkeypatch.setattr(clock, "computer_now", lambda: dt.datetime(2026, 12, 5, 16, 0))
    later = holders.with_name("book.20261204-120000.bak.xlsm")  # (after this refresh's time, before now)
    later.write_bytes(holders.read_bytes())
    ahead = holders.with_name("book.20991231-235959.bak.xlsm")
    ahead.write_bytes(holders.read_bytes())
    assert _refresh([str(holders), "--keep", "1", "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    out, err = capsys.readouterr()
    assert "previous version kept as book.20040224-000000.bak.xlsm" in out
    assert "removed 1 older backup(s) (--keep 1)" in out
    assert "a backup is named after now (2026-12-05 16:00:00 UTC, this computer's clock): " \
           "book.20991231-235959.bak.xlsm: " in err, err
    assert sorted(p.name for p in holders.parent.glob("*.bak.xlsm")) == ["book.20040224-000000.bak.xlsm", ahead.name]


def test_keep_reads_the_time_after_the_workbooks_own_name(holders, tmp_path, capsys, monkeypatch):
    """A workbook whose own name looks like a backup's (b.20040101-000000.bak.xlsm): --keep 1 keeps its newest
    backup, by the time after its name, not the one its name gives every backup alike."""
    book = holders.rename(holders.with_name("b.20040101-000000.bak.xlsm"))
    for day, k in enumerate(range(3, 6)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1077580800 + 86400 * day))
        assert _refresh([str(book), "--keep", "1", "--tally", str(_write_csv(tmp_path / f"t{k}.csv",
                                                                             _tally_rows(k)))]) == 0
    assert "previous version kept as b.20040101-000000.bak.20040226-000000.bak.xlsm" in capsys.readouterr().out
    assert [p.name for p in locks.backups_of(book)] == ["b.20040101-000000.bak.20040226-000000.bak.xlsm"]


def _boom(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("where", ["compressing", "flushing", "replacing", "interrupted"])
def test_interrupted_write_leaves_the_original(holders, tmp_path, monkeypatch, where):
    before = holders.read_bytes()
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(10))
    if where == "compressing":
        monkeypatch.setattr(package.fast, "deflate", _boom)
    elif where == "flushing":
        monkeypatch.setattr(package.os, "fsync", _boom)
    elif where == "replacing":
        monkeypatch.setattr(package.os, "replace", _boom)
    else:
        def interrupt(*args):
            raise KeyboardInterrupt

        monkeypatch.setattr(package.os, "fsync", interrupt)
    with pytest.raises((InputErrors, KeyboardInterrupt)) as exc:
        _refresh([str(holders), "--tally", str(tally)])
    if where != "interrupted":
        assert "No space left on device" in str(exc.value) and "was not changed" in str(exc.value)
    assert holders.read_bytes() == before
    assert not list(holders.parent.glob(".*.tmp")), "the temporary file was left behind"
    assert not list(holders.parent.glob("*.bak.xlsm")), "a backup of an unchanged workbook was left behind"


def test_a_backup_that_does_not_fit_is_named_and_the_workbook_kept(holders, tmp_path, monkeypatch):
    """A full disk while copying the old workbook said "cannot be written (No space left on device)", as if the
    workbook were the file that did not fit; --no-backup, which then succeeds, was not mentioned."""
    before = holders.read_bytes()
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(10))
    monkeypatch.setattr(locks.shutil, "copy2", _boom)
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(tally)])
    said = str(exc.value)
    assert re.search(rf"{re.escape(holders.stem)}\.\d{{8}}-\d{{6}}\.bak\.xlsm cannot be written \(No space left on "
                     r"device\); free space, or refresh without a backup \(--no-backup\)", said), said
    assert "was not changed" in said
    assert holders.read_bytes() == before and not list(holders.parent.glob("*.bak.xlsm"))
    assert not [p.name for p in holders.parent.iterdir() if p.name.startswith(".")], "a temporary file was left"
    def not_permitted(*args, **kwargs):  # (copystat on a FAT stick): no word of space
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(locks.shutil, "copy2", not_permitted)
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(tally)])
    assert "cannot be written (Operation not permitted); refresh without a backup (--no-backup)" in str(exc.value)
    monkeypatch.setattr(locks.shutil, "copy2", shutil.copy2)
    assert _refresh([str(holders), "--tally", str(tally), "--no-backup"]) == 0
    assert holders.read_bytes() != before


def test_an_interrupt_once_the_workbook_is_replaced_says_so_and_keeps_the_backup(holders, tmp_path, monkeypatch,
                                                                                capsys):
    """Ctrl-C landing just as the rename completes: the refreshed workbook stands, so does the backup of the old
    one, and the message says so (it said "nothing was written", and the backup was deleted)."""
    from xlpy.cli import main

    real = locks.os.replace

    def replace_then_interrupt(src, dst):
        real(src, dst)
        if str(dst) == str(holders):
            raise KeyboardInterrupt

    before = holders.read_bytes()
    monkeypatch.setattr(locks.os, "replace", replace_then_interrupt)
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(3))
    assert main(["refresh", str(holders), "--tally", str(tally)]) == 130
    backup = holders.with_name("book.20040224-000000.bak.xlsm")
    assert capsys.readouterr().err == (f"xlpy refresh: interrupted after {holders} was written (the previous version "
                                       f"is kept as {backup.name})\n")
    assert backup.read_bytes() == before and holders.read_bytes() != before
    assert not list(holders.parent.glob(".*.tmp"))


@pytest.mark.parametrize(("where", "signalled"), [("prune", "interrupted"), ("report", "interrupted"),
                                                  ("lock", "terminated"), ("print", "interrupted")])
def test_an_interrupt_anywhere_after_the_workbook_is_replaced_says_it_was_written(holders, tmp_path, monkeypatch,
                                                                                 capsys, where, signalled):
    """Ctrl-C or SIGTERM while older backups are pruned, the report is made, the lock is let go or the report is
    printed: the refreshed workbook stands with its backup, and the message says so (it said "nothing was
    written" everywhere but the pruning)."""
    from xlpy.cli import main
    from xlpy.cli.commands import Terminated
    from xlpy.workbook import refresh_file as rf

    signal_class = Terminated if signalled == "terminated" else KeyboardInterrupt

    def interrupt(*args, **kwargs):
        raise signal_class

    if where == "prune":
        monkeypatch.setattr(locks, "prune_backups", interrupt)
    elif where == "report":
        monkeypatch.setattr(rf.FileRefresh, "report", interrupt)
    elif where == "lock":
        real_exit = locks.RefreshLock.__exit__

        def exit_then_interrupt(self, *exc):
            real_exit(self, *exc)
            raise signal_class

        monkeypatch.setattr(locks.RefreshLock, "__exit__", exit_then_interrupt)
    else:
        monkeypatch.setattr(cli_refresh, "print", interrupt, raising=False)
    before = holders.read_bytes()
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(3))
    assert main(["refresh", str(holders), "--tally", str(tally)]) == (143 if signalled == "terminated" else 130)
    backup = holders.with_name("book.20040224-000000.bak.xlsm")
    assert capsys.readouterr().err == (f"xlpy refresh: {signalled} after {holders} was written (the previous "
                                       f"version is kept as {backup.name})\n")
    assert backup.read_bytes() == before and holders.read_bytes() != before


def test_signals_are_held_while_a_file_is_put_in_place():
    """A Ctrl-C during the backup and the rename is delivered once they are done, not halfway through."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    done = []
    with pytest.raises(KeyboardInterrupt):
        with locks.held_signals():
            # (to this thread, at once: os.kill may hand it to another thread of the process, an xdist worker's,
            # whose handler ran after the block had ended, and the test failed on a busy machine)
            signal.raise_signal(signal.SIGINT)
            done.append("renamed")  # still runs: the interrupt waits for the block's end
    assert done == ["renamed"]


def test_not_a_workbook_or_not_a_standard_one(tmp_path):
    bogus = tmp_path / "notes.xlsm"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="is not a workbook: it is a file of no kind xlpy knows"):  # (as an .xls)
        _refresh([str(bogus)])
    plain = tmp_path / "plain.xlsm"
    shutil.copy(vba.template_path(standalone=True), plain)
    with pytest.raises(InputErrors, match="not a standard xlpy workbook"):
        _refresh([str(plain)])
    with pytest.raises(InputErrors, match="workbook not found"):
        _refresh([str(tmp_path / "missing.xlsm")])


def test_longer_price_history_changes_the_holiday_list(holders, tmp_path):
    rows = list(csv.reader((DATA / PRICES).open(encoding="utf-8")))
    closed = (dt.date(2003, 9, 1), dt.date(2003, 11, 27), dt.date(2003, 12, 25), dt.date(2004, 1, 1))
    day, extra = dt.date(2003, 8, 1), []
    while day < dt.date(2004, 1, 2):
        if day.weekday() < 5 and day not in closed:
            extra.append([day.isoformat(), "7.5000", "1000000"])
        day += dt.timedelta(days=1)
    prices = _write_csv(tmp_path / "long.csv", [rows[0]] + extra + rows[1:])
    _, before = _layout(holders)
    book = PackageBook(holders)
    macros.refresh_prices(book, prices)
    book.save()
    wb, lay = _layout(holders)
    assert lay.shape.price_rows == len(extra) + len(rows) - 1
    assert lay.shape.holiday_rows > before.shape.holiday_rows
    _, t = lay.table("tblHolidays")
    assert wb["Prices"].tables["tblHolidays"].ref == t.ref
    assert wb["Prices"][f"F{t.first_row}"].value.date() == dt.date(2003, 7, 4)  # 45 days before the first price
    from xlpy.workbook.validate import validate

    assert validate(holders, legs=("formulas",)).findings == []


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
    assert ("Tenders: the holder table differed from the tally the Cover records (edited since): rewritten from it "
            f"(Tenders!{units} ({who[0]}): 2,000, the file {was[0]:,}; Tenders!{status} ({who[1]}): 'withdrawn', the "
            f"file {was[1]!r}: a value that belongs goes in the file)") in report.notes, report.notes
    book.save()
    ws = load_workbook(holders)["Tenders"]
    assert (ws[units].value, ws[status].value) == was
    assert macros.refresh_all(open_book(holders, engine)).lines()[0].startswith("nothing to refresh")


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
    assert ("Prices: the price table differed from the price file the Cover records (edited since): rewritten from it "
            f"(Prices!{price} ({first}): 99.5, the file {was[0]}; Prices!{date} ({day}): 2004-02-16, the file {day}: a "
            "value that belongs goes in the file)") in report.notes, report.notes
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


class ComError(Exception):
    """pywin32's ``pywintypes.com_error``, as Excel raises it through xlwings."""


class FakeRange:
    """The few xlwings Range calls XlwingsBook uses, on a dict of cells (Excel's text and formula rules)."""

    def __init__(self, sheet, ref, ndim=None):
        from openpyxl.utils.cell import range_boundaries

        self.sheet, self.ref, self.ndim = sheet, ref.replace("$", ""), ndim
        self.c1, self.r1, self.c2, self.r2 = range_boundaries(self.ref)

    @property
    def address(self):
        return self.ref

    @property
    def last_cell(self):
        return FakeRange(self.sheet, f"{self.ref.split(':')[-1]}")

    @property
    def column(self):
        return self.c1

    def options(self, ndim=None):
        return FakeRange(self.sheet, self.ref, ndim)

    @property
    def value(self):
        """A cell's value; a formula's result where the test says what it shows (``sheet.shown``), as xlwings reads
        it: a result of "" or an error value (#N/A) as None."""
        rows = [[self._read(r, c) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows

    def _read(self, r, c):
        """A cell as xlwings reads Range.Value on Windows: a number in a currency-formatted cell (``sheet.currency``)
        as pywin32 hands over COM's Currency, a Decimal of 4 places."""
        v = self.sheet.shown.get((r, c), self.sheet.cells.get((r, c)))
        if (r, c) in self.sheet.currency and isinstance(v, (int, float)) and not isinstance(v, bool):
            return Decimal(v).quantize(Decimal("0.0001"))  # (COM rounds half to even too)
        return v

    @property
    def api(self):
        """Excel's Range object: its Value2, the double Excel holds whatever the cell's format."""
        cells = tuple(tuple(self.sheet.shown.get((r, c), self.sheet.cells.get((r, c)))
                            for c in range(self.c1, self.c2 + 1)) for r in range(self.r1, self.r2 + 1))

        class Api:
            Value2 = cells[0][0] if len(cells) == 1 and len(cells[0]) == 1 else cells
        return Api()

    @value.setter
    def value(self, v):
        rows = v if isinstance(v, list) and v and isinstance(v[0], list) else [[v]]
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                key = (self.r1 + i, self.c1 + j)
                if key in self.sheet.merged:  # (pywin32's com_error: hresult, text, excepinfo, argerr)
                    raise ComError(-2147352567, "Exception occurred.",
                                   (0, "Microsoft Excel", "Cannot change part of a merged cell.", None, 0, -2146827284),
                                   None)
                self.sheet.formulas.discard(key)
                if isinstance(x, str) and x.startswith("'"):
                    x = x[1:]  # Excel keeps the text, without the apostrophe
                elif isinstance(x, str) and x.startswith("="):
                    self.sheet.formulas.add(key)
                elif isinstance(x, Decimal):
                    raise TypeError("xlwings cannot write a Decimal")
                self.sheet.cells[key] = x
                self.sheet.writes.add(key)

    @property
    def merge_cells(self):
        """Excel's Range.MergeCells: True when every cell is in a merged block, False when none is, None (Null)
        for a mix."""
        inside = {(r, c) in self.sheet.merged for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)}
        return inside.pop() if len(inside) == 1 else None

    @property
    def formula(self):
        """As Excel gives it: a cell's formula or its constant as text ("" when blank); rows of them for an area."""
        rows = tuple(tuple("" if self.sheet.cells.get((r, c)) is None else str(self.sheet.cells[(r, c)])
                           for c in range(self.c1, self.c2 + 1)) for r in range(self.r1, self.r2 + 1))
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def clear_contents(self):
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.cells.pop((r, c), None)
                self.sheet.writes.add((r, c))


class FakeTable:
    def __init__(self, ref):
        self.ref = ref

    def resize(self, rng):
        self.ref = rng.address


class FakeSheet:
    def __init__(self, name):
        self.name, self.cells, self.formulas, self.writes, self.tables = name, {}, set(), set(), {}
        self.shown = {}  # (row, col) -> what xlwings reads for a formula cell there (its result)
        self.merged = set()  # (row, col) of cells in a merged block: Excel refuses a write to them
        self.currency = set()  # (row, col) of cells with a currency format: Range.Value rounds them to 4 places

    def range(self, ref):
        return FakeRange(self, ref)

    @property
    def used_range(self):
        from openpyxl.utils import get_column_letter

        rows, cols = zip(*self.cells) if self.cells else ((1,), (1,))
        return FakeRange(self, f"A1:{get_column_letter(max(cols))}{max(rows)}")


class FakeSheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            for s in self:
                if s.name == key:
                    return s
            raise KeyError(key)
        return list.__getitem__(self, key)


class FakeName:
    def __init__(self, refers_to):
        self.refers_to = refers_to


class FakeNames(dict):
    def add(self, name, refers_to):
        self[name] = FakeName(refers_to)


class FakeApp:
    def __init__(self):
        self.alerts = []

    def alert(self, prompt, title=None, **kwargs):
        self.alerts.append((title, prompt))

    def calculate(self):
        pass


class FakeBook:
    def __init__(self, path: Path):
        wb = load_workbook(path)
        self.fullname = str(path)
        self.sheets = FakeSheets()
        self.app = FakeApp()
        for ws in wb.worksheets:
            s = FakeSheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None:
                        s.cells[(c.row, c.column)] = c.value
            s.tables = {n: FakeTable(ref) for n, ref in ws.tables.items()}
            self.sheets.append(s)
        self.names = FakeNames({n: FakeName("=" + d.attr_text) for n, d in wb.defined_names.items()})


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


def test_a_write_excel_refuses_halfway_is_shown_with_what_to_do(holders, monkeypatch):
    """Excel refusing a write the refresh did not foresee (the Cover's record cell merged with its neighbour) raised out
    of the macro as a VBA run-time error, the tables and names written and the Cover's record not: the dialog now
    says what failed, that the workbook is partly written, and to close it without saving and refresh again."""
    import xlwings

    fake = FakeBook(holders)
    sheet, ref = _layout(holders)[1].cell("RefreshedAt")  # merged with the cell beside it, in Excel
    row, col = coordinate_to_tuple(ref)
    fake.sheets[sheet].merged = {(row, col), (row, col + 1)}
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


class FakeApi:
    """The COM objects' attributes a button looks at before it writes (Workbook.ReadOnly,
    Worksheet.ProtectContents)."""

    def __init__(self, **flags):
        self.ReadOnly = self.ProtectContents = False
        self.__dict__.update(flags)


def _written(fake) -> set:
    return {s.name for s in fake.sheets if s.writes}


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


def test_a_refusal_in_excel_counts_the_problems_it_does_not_list(holders, monkeypatch):
    import xlwings

    fake = FakeBook(holders)
    lines = "".join(f"A{i},-{i},book-entry,tendered\n" for i in range(1, 31))
    (holders.parent / TALLY).write_text("holder_id,units,method,status\n" + lines, encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    shown = text.split("\n")[1:]
    assert title == "xlpy: refresh refused" and len(shown) == macros.SHOWN + 1, text
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
