"""The standard offer-results workbook: build, structure, recalculation, tampering."""

from __future__ import annotations

import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from repo_paths import OFFERS, ROOT, SEED

from xlpy import cli
from xlpy.excel import vba
from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import CONF_SHEET, REQUIRED_NAMES, SHEETS, Shape, layout
from xlpy.workbook.validate import Expect, _compare, validate

COMMITTED = ROOT / "workbook" / "offer_results.xlsm"
#: The committed workbook is built at the seed release's date (README: "Regenerating the committed workbook").
COMMITTED_EPOCH = "1077494400"


@pytest.fixture
def seed_book(standard_books) -> Path:
    """The seed workbook as build_workbook writes it at COMMITTED_EPOCH (tests/conftest.py), shared read-only."""
    return standard_books["plain"]


def _cell(path: Path, name: str):
    wb = load_workbook(path)
    lay = layout(Shape.decode(wb.defined_names["xlpyLayout"].attr_text))
    sheet, ref = lay.cell(name)
    return wb, sheet, ref


def test_build_is_deterministic(standard_books, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", COMMITTED_EPOCH)
    offer, results = compute_file(SEED)
    a = standard_books["plain"].read_bytes()  # built the same way, earlier in the run (tests/conftest.py)
    b = build_workbook(offer, results, tmp_path / "b.xlsm").read_bytes()
    assert a == b
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(COMMITTED_EPOCH) + 86400))
    c = build_workbook(offer, results, tmp_path / "c.xlsm").read_bytes()
    assert c != a  # the build time is recorded on the cover


def test_committed_workbook_is_current(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", COMMITTED_EPOCH)
    monkeypatch.chdir(tmp_path)  # (the seed in offers/ beside it, as in workbook/: the Cover records that path)
    (tmp_path / "offers").mkdir()
    shutil.copy(SEED, tmp_path / "offers" / SEED.name)
    assert cli.main(["build", f"offers/{SEED.name}", "-o", "offer_results.xlsm", "--no-validate"]) == 0
    rebuilt = (tmp_path / "offer_results.xlsm").read_bytes()
    assert rebuilt == COMMITTED.read_bytes(), (
        "workbook/offer_results.xlsm is stale: regenerate it with the command in the README"
    )


def test_xlwings_is_pinned_to_the_release_the_committed_workbook_carries():
    # A range would let pip put a patch release under workbooks whose macros call the add-in of theirs by name.
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [d for d in deps if d.split("=")[0].split(">")[0].split("<")[0].strip() == "xlwings"]
    carried = vba.release_named(vba.module_code(vba.vba_modules(COMMITTED)["xlwings"]))
    assert carried is not None
    assert pins == [f"xlwings=={carried}"]
    assert f"xlwings64-{carried}.dll" in (ROOT / "README.md").read_text()


def test_vba_project_is_the_templates_byte_for_byte(seed_book):
    assert vba.vba_project_bytes(seed_book) == vba.vba_project_bytes(vba.template_path(standalone=True))
    with zipfile.ZipFile(seed_book) as z:
        types = z.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types


def test_sheets_names_and_settings(seed_book):
    wb = load_workbook(seed_book)
    assert wb.sheetnames == list(SHEETS)
    assert wb[CONF_SHEET].sheet_state == "hidden"
    rows = list(wb[CONF_SHEET].iter_rows(max_col=2, values_only=True))
    # Only UDF Modules, in the rows xlwings reads (A1 down to a blank): any other row, blank or not, overrides each
    # person's own settings (the template's Interpreter_Win "python" started whatever Python the PATH gave).
    assert rows[0] == ("UDF Modules", "xlpy.udfs;xlpy.macros") and rows[1] == (None, None), rows
    assert vba.sheet_settings(rows) == {"UDF MODULES": "xlpy.udfs;xlpy.macros"}
    for name in REQUIRED_NAMES:
        assert name in wb.defined_names, name
    assert not wb._external_links
    # Inputs are blue and named; Results are formulas only.
    lay = layout(Shape.decode(wb.defined_names["xlpyLayout"].attr_text))
    sheet, ref = lay.cell("Outstanding")
    assert wb[sheet][ref].value == 464777
    assert wb[sheet][ref].font.color.rgb.endswith("0000FF")
    for row in wb["Results"].iter_rows(min_col=3, max_col=3):
        for cell in row:
            if cell.value is not None and cell.row > 3:
                assert isinstance(cell.value, str) and cell.value.startswith("="), cell.coordinate


def test_table_headers_sit_over_their_values_and_show_whole(standard_books):
    wb = load_workbook(standard_books["holders"])
    lay = layout(Shape.decode(wb.defined_names["xlpyLayout"].attr_text))
    sheet, table = lay.table("tblTenders")
    ws = wb[sheet.title]
    sides = {c.header: ws.cell(table.header_row, table.first_col + i).alignment.horizontal
             for i, c in enumerate(table.columns)}
    # The holder table's first columns are wide (the count block above them): numbers' headers go right.
    assert sides["Tally line"] == sides["Units"] == sides["Holder running total"] == "right"
    assert sides["Holder"] == sides["Method"] == "left"
    # "Holder running total" wraps to two lines in its 12-wide column; the row is tall enough for both.
    assert ws.row_dimensions[table.header_row].height == 28.5


def test_validate_clean_with_formulas(seed_book):
    report = validate(seed_book, SEED, legs=("formulas",))
    assert report.findings == []
    assert report.legs_run == ["formulas"]
    assert report.cells_compared > 80  # every figure of Results, Check, Sensitivity, Release


def test_validate_names_an_interpreter_the_xlwings_settings_pin_for_everyone(seed_book, tmp_path):
    """A workbook of an earlier xlpy (or one a person typed a path into) pins the Python on its xlwings.conf sheet
    for everyone who opens it: validate says so in a note; the figures are no matter of it."""
    wb = load_workbook(seed_book, keep_vba=True)
    conf = wb[CONF_SHEET]
    conf.insert_rows(1, 2)
    conf["A1"], conf["B1"] = "Interpreter_Win", r"C:\Users\ann\venv\Scripts\python.exe"
    conf["A2"] = "Conda Env"
    wb.save(tmp_path / "pinned.xlsm")
    report = validate(tmp_path / "pinned.xlsm", SEED, legs=())
    assert report.findings == []
    assert [n for n in report.notes if n.startswith("xlwings.conf pins")] == [
        r"xlwings.conf pins INTERPRETER_WIN = 'C:\Users\ann\venv\Scripts\python.exe', CONDA ENV = (blank) for "
        "everyone who opens the workbook, over the Python each person's xlwings settings name (xlwings addin install "
        "records the one it ran with): delete those rows unless every computer that runs the workbook has that "
        "Python with xlpy installed"]
    # xlwings' reading (GetConfigFromSheet): below the first blank row nothing; from an empty A1, down to the first
    # filled cell; keys upper-cased, not trimmed
    read = vba.sheet_settings
    assert read([("UDF Modules", "x"), (None, None), ("Interpreter_Win", "python")]) == {"UDF MODULES": "x"}
    assert read([(None, None), ("Interpreter_Win", "C:\\py.exe"), ("UDF Modules", "x")]) == {
        "": None, "INTERPRETER_WIN": "C:\\py.exe"}
    assert read([(None, None), (None, None), (None, None), ("UDF Modules", "x")]) == {"": None}
    assert read([("Interpreter_Win ", "x"), (" ", None), ("udf modules", "y")]) == {
        "INTERPRETER_WIN ": "x", " ": None, "UDF MODULES": "y"}
    assert vba.pinned_settings(read([("Interpreter_Win ", "x"), ("UDF Modules", "y")])) == []
    # pinned for everyone, while UDF Modules is never read: a finding, and the note
    wb = load_workbook(seed_book, keep_vba=True)
    conf = wb[CONF_SHEET]
    conf.insert_rows(1, 2)  # UDF Modules now in A3, under an empty A1
    conf["A2"], conf["B2"] = "Interpreter_Win", "python"
    wb.save(tmp_path / "a2.xlsm")
    report = validate(tmp_path / "a2.xlsm", SEED, legs=())
    assert [(f.where, f.what) for f in report.findings] == [
        ("xlwings.conf!A3", "xlwings setting below the rows xlwings reads (A1 down to the first empty cell)")]
    assert any(n.startswith("xlwings.conf pins INTERPRETER_WIN = 'python'") for n in report.notes)
    # a key twice in the rows xlwings reads stops every call (its dictionary's Add): a finding
    assert vba.settings_findings([("UDF Modules", "xlpy.udfs;xlpy.macros"), ("udf modules", "x")]) == [
        ("A2", "xlwings setting given twice (xlwings stops with an error)", "'UDF MODULES' once", "rows 1 and 2")]
    assert vba.settings_findings([("UDF Modules", "other")]) == [
        ("UDF Modules", "xlwings setting is wrong", "'xlpy.udfs;xlpy.macros'", "other")]
    assert vba.settings_findings([("Show Console", False)]) == [
        ("UDF Modules", "xlwings setting is wrong", "'xlpy.udfs;xlpy.macros'", None)]


@pytest.mark.libreoffice
def test_libreoffice_results_equal_compute(seed_named_values):
    """Every named result, recalculated by LibreOffice, equals `xlpy compute` to the cent."""
    values = seed_named_values  # libreoffice.named_values of the seed workbook, shared (tests/conftest.py)
    _, results = compute_file(SEED)
    data = results.to_dict()
    pairs = {
        "Tendered": "units_tendered", "GuaranteedDelivery": "units_guaranteed_delivery",
        "FailedDelivery": "units_failed_delivery", "UnitsAccepted": "units_accepted",
        "CommonIssued": "common_issued", "IncrementalShares": "incremental_shares",
        "InducedCharge": "induced_charge", "UnitsRemaining": "units_remaining", "CommonAfter": "common_outstanding_after",
        "FairValueOffer": "fair_value_offer", "FairValueOriginal": "fair_value_original", "OfferRatio": "offer_ratio",
    }
    for name, key in pairs.items():
        got = Decimal(repr(values[name])).quantize(Decimal("0.01"))
        assert got == Decimal(data[key]).quantize(Decimal("0.01")), name
    assert abs(Decimal(repr(values["Participation"])) - Decimal(data["participation"])) < Decimal("1e-12")
    assert values["ReleaseChargeText"] == "$9.6 million"


@pytest.mark.libreoffice
def test_validate_clean_with_both_engines_and_checks_pass(seed_report):
    report = seed_report  # validate(seed workbook, SEED) on both legs, shared (tests/conftest.py)
    assert report.findings == []
    assert report.legs_run == ["formulas", "libreoffice"]


@pytest.mark.libreoffice
def test_validate_records_each_legs_count_and_the_engines_versions(seed_report):
    """Left alone, then taken: an auditor's record of a validation said which legs ran but not how many figures
    each compared, nor which versions of the engines proved the workbook."""
    import subprocess
    from importlib.metadata import version

    from xlpy import __version__
    from xlpy.workbook.libreoffice import find_soffice

    report = seed_report
    by_leg = report.compared_by_leg
    assert set(by_leg) == {"saved", "formulas", "libreoffice"} and sum(by_leg.values()) == report.cells_compared
    assert by_leg["formulas"] == by_leg["libreoffice"] > 80 and by_leg["saved"] > 80
    said = subprocess.run([find_soffice(), "--version"], capture_output=True, text=True, timeout=120).stdout
    assert report.versions["libreoffice"] in said.split(), (report.versions, said)  # "LibreOffice 7.4.7.2 40(Build:2)"
    assert report.versions == {"xlpy": __version__, "formulas": version("formulas"),
                               "libreoffice": report.versions["libreoffice"]}
    assert report.to_dict()["versions"] == report.versions and report.to_dict()["compared_by_leg"] == by_leg


@pytest.mark.libreoffice
@pytest.mark.parametrize("offer", sorted(p.name for p in OFFERS.glob("*.toml")))
def test_every_example_builds_and_validates(offer, tmp_path):
    out = tmp_path / "book.xlsm"
    assert cli.main(["build", str(OFFERS / offer), "-o", str(out), "--require-libreoffice"]) == 0


# --- tampering: the validator must be able to fail --------------------------------


def _tampered(src: Path, dst: Path, edit) -> Path:
    wb = load_workbook(src, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names["xlpyLayout"].attr_text))
    edit(wb, lay)
    wb.save(dst)
    return dst


def _set_name(name, value):
    def edit(wb, lay):
        sheet, ref = lay.cell(name)
        wb[sheet][ref].value = value

    return edit


def _delete_name(name):
    def edit(wb, lay):
        del wb.defined_names[name]

    return edit


def _results_extra(formula):
    def edit(wb, lay):
        wb["Results"]["F5"].value = formula

    return edit


TAMPERS = {
    "formula replaced by a number": (_set_name("InducedCharge", 9597836.4), "InducedCharge",
                                     "formula replaced by a value"),
    "wrong reference": (_set_name("IncrementalShares", "=Tenders!C5*(OfferRatio-OriginalRatio)"),
                        "IncrementalShares", "formula differs from the layout"),
    "deleted name": (_delete_name("InducedCharge"), "name InducedCharge", "name is missing"),
    "input holding text": (_set_name("Outstanding", "464777"), "Outstanding", "must be a number, not text"),
    "fiscal year ending in month 13": (_set_name("FiscalYearEnd", 13), "FiscalYearEnd", "must be a month, 1 to 12"),
    "external link": (_results_extra("='[budget.xlsx]Sheet1'!$A$1*2"), "Results!F5", "another workbook"),
    "external link by index": (_results_extra("=[1]Sheet1!$A$1*2"), "Results!F5", "another workbook"),
    "literal number": (_results_extra("=InducedCharge*1.1"), "Results!F5", "literal number"),
}


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampering_is_caught_and_named(case, seed_book, tmp_path):
    edit, where, what = TAMPERS[case]
    path = _tampered(seed_book, tmp_path / "tampered.xlsm", edit)
    report = validate(path, legs=())
    lay = layout(Shape.decode(load_workbook(path).defined_names["xlpyLayout"].attr_text))
    if where in lay.names:
        sheet, ref = lay.cell(where)
        where = f"{sheet}!{ref}"
    hits = [f for f in report.findings if f.where == where and what in f.what]
    assert hits, [str(f) for f in report.findings]
    assert not report.ok


def test_a_persons_own_sheet_with_structured_references_validates(standard_books, tmp_path):
    """Excel writes a sum over the workbook's own table as tblTenders[Units]: not a reference to another workbook,
    and a sheet of a person's own is not the layout's to recalculate (formulas does not know structured
    references); the layout's figures are compared as ever."""
    def notes(wb, lay):
        ws = wb.create_sheet("My notes")
        ws["B2"] = "=SUM(tblTenders[Units])"
        ws["B3"] = "=tblTenders[[#Totals],[Units]]"
        ws["B4"] = "=InducedCharge/1000000"

    path = _tampered(standard_books["holders"], tmp_path / "notes.xlsm", notes)
    report = validate(path, legs=("formulas",))
    assert [str(f) for f in report.findings] == [] and report.legs_run == ["formulas"]


def test_a_column_added_to_the_holder_table_is_named_as_a_column(standard_books, tmp_path):
    """Typing beside a table makes Excel take that column in: named as a column the refresh will leave out of the
    table, not as rows that count nowhere."""
    from openpyxl.worksheet.table import TableColumn

    def widen(wb, lay):
        sheet, t = lay.table("tblTenders")
        ws = wb[sheet.title]
        ws[f"M{t.header_row}"] = "Note"
        ws.tables["tblTenders"].ref = t.ref.replace(f"L{t.last_row}", f"M{t.last_row}")
        ws.tables["tblTenders"].tableColumns.append(TableColumn(id=13, name="Note"))  # (as Excel lists it)

    path = _tampered(standard_books["holders"], tmp_path / "wide.xlsm", widen)
    lay = layout(Shape.decode(load_workbook(path).defined_names["xlpyLayout"].attr_text))
    _, t = lay.table("tblTenders")
    found = [str(f) for f in validate(path, legs=()).findings if "tblTenders" in f.where]
    assert found == [
        f"wide.xlsm: Tenders!tblTenders: table spans other columns than the workbook's ({t.ref}): a column added to it "
        "is not the workbook's, and xlpy refresh rewrites the table without it (its cells stay where they are, "
        f"beside rows that may then hold other lines): expected {t.ref}, found {t.ref.replace('L', 'M')} [structure]"]


def test_a_bad_input_reads_as_the_refresh_and_the_offer_file_word_it(seed_book, tmp_path):
    path = _tampered(seed_book, tmp_path / "text.xlsm", _set_name("Outstanding", "464777"))
    sheet, ref = layout(Shape()).cell("Outstanding")
    inputs = [str(f) for f in validate(path, legs=()).findings if f.leg == "inputs"]
    assert inputs == [f"text.xlsm: {sheet}!{ref}: Outstanding must be a number, not text, got '464777' [inputs]"]



def _typed(src: Path, dst: Path, **values) -> tuple[Path, dict[str, str]]:
    """*src* with *values* typed into the inputs of those names, and each name's cell (``Inputs!C22``)."""
    cells = {}

    def edit(wb, lay):
        for name, value in values.items():
            sheet, ref = lay.cell(name)
            wb[sheet][ref].value = value
        cells.update({name: "!".join(lay.cell(name)) for _, _, item, _ in lay.items("Inputs")
                      if (name := item.name) in lay.names})

    return _tampered(src, dst, edit), cells


def test_a_date_input_whose_format_was_dropped_is_named_as_its_day_and_its_format(standard_books, tmp_path, capsys):
    """Review 93: Inputs!C15 given Excel's Long Date ([$-x-sysdate]dddd, mmmm dd, yyyy), which LibreOffice saves as
    General, held 38037, and refresh said only "Expiration must be a date, got 38037": not that 38037 is 2004-02-20,
    nor that the cell's number format is at fault, as validate's finding of the format says."""
    def edit(wb, lay):  # (as LibreOffice saves it: the serial number under General)
        sheet, ref = lay.cell("Expiration")
        wb[sheet][ref].value, wb[sheet][ref].number_format = 38037, "General"

    path = _tampered(standard_books.copy_into("holders", tmp_path), tmp_path / "lo.xlsm", edit)
    said = ("Inputs!C15: Expiration must be a date (2004-02-20 as a serial number: the cell's number format shows "
            "the date as a number; give the cell a date format, yyyy-mm-dd), got 38037")
    assert cli.main(["refresh", str(path), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: lo.xlsm: {said}",
                                                    f"xlpy refresh: {path} was not changed"]
    from xlpy.files.typed import DATE_AS_NUMBER
    from xlpy.workbook.shown import misleading_format

    found = [(f.where, f.what, f.leg) for f in validate(path, legs=()).findings if f.where == "Inputs!C15"]
    assert found == [("Inputs!C15", f"number format {DATE_AS_NUMBER}", "shown"),
                     ("Inputs!C15", said.split(": ", 1)[1].removesuffix(", got 38037"), "inputs")], found
    assert cli.main(["refresh", str(path), "--no-backup", "--json"]) == 2  # (its value as the line shows it)
    (error,) = json.loads(capsys.readouterr().out)["errors"]
    assert (error["field"], error["value"]) == ("lo.xlsm: Inputs!C15", "38037"), error
    assert misleading_format("General", "date") == DATE_AS_NUMBER  # (one wording: validate's finding of the format)


def test_inputs_are_held_to_the_offer_file_s_least_price_and_its_id_rule(standard_books, tmp_path, capsys):
    """Review: a price for cash in lieu of 0.0000001, which the offer file refuses (at least 0.000001), and an offer
    id 'Bad Id!' (the offer file's is [a-z0-9-]+) were taken from Inputs by refresh and validate."""
    path, c = _typed(standard_books["plain"], tmp_path / "loose.xlsm", FractionalPrice=0.0000001, Price=0.0000005,
                     OfferId="Bad Id!")
    said = [f"{c['OfferId']}: OfferId must be lower-case letters, digits and hyphens (as an offer file's id), got "
            "'Bad Id!'",
            f"{c['FractionalPrice']}: FractionalPrice must be at least 0.000001 (the least price per share taken), "
            "got 1e-07",
            f"{c['Price']}: Price must be at least 0.000001 (the least price per share taken), got 5e-07"]
    assert sorted(str(f) for f in validate(path, legs=()).findings if f.leg == "inputs") == sorted(
        f"loose.xlsm: {line} [inputs]" for line in said)
    (tmp_path / "c.csv").write_text("tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    before = path.read_bytes()
    assert cli.main(["refresh", str(path), "--tally", str(tmp_path / "c.csv"), "--no-backup"]) == 2
    *lines, last = capsys.readouterr().err.splitlines()
    assert sorted(lines) == sorted(f"xlpy refresh: loose.xlsm: {line}" for line in said)
    assert last == f"xlpy refresh: {path} was not changed"
    assert path.read_bytes() == before


def test_a_tax_rate_typed_as_a_percentage_is_held_to_the_offer_file_s_rule(standard_books, tmp_path, capsys):
    """Review 67: 25 typed for 25% (the offer file refuses it: a fraction below 1) was taken from Inputs: EPS after
    the inducement expense rose tenfold, and validate said valid."""
    notes = build_workbook(*compute_file(OFFERS / "notes-capped-example.toml"), tmp_path / "notes.xlsm")
    path, c = _typed(notes, tmp_path / "tax.xlsm", TaxRate=25)
    said = f"{c['TaxRate']}: TaxRate must be a fraction below 1 (0.25 for 25%), got 25"
    assert [str(f) for f in validate(path, legs=()).findings if f.leg == "inputs"] == [f"tax.xlsm: {said} [inputs]"]
    before = path.read_bytes()
    assert cli.main(["refresh", str(path), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: tax.xlsm: {said}",
                                                    f"xlpy refresh: {path} was not changed"]
    assert path.read_bytes() == before
    ok, _ = _typed(notes, tmp_path / "ok.xlsm", TaxRate=0.999)  # a fraction: taken
    assert [f for f in validate(ok, legs=()).findings if f.leg == "inputs"] == []
    sheet, ref = c["TaxRate"].split("!")  # and Excel refuses 25 as it is typed (a percentage typed 25% is 0.25)
    rules = [dv for dv in load_workbook(notes, keep_vba=True)[sheet].data_validations.dataValidation
             if ref in str(dv.sqref)]
    assert [(r.type, r.operator, r.formula1, r.formula2) for r in rules] == [
        ("decimal", "between", "0", "0.999999999999999")]


@pytest.mark.parametrize("kind", ["plain", "holders"])
def test_inputs_given_both_ways_name_both_cells_and_inputs(kind, standard_books, tmp_path):
    """Cash and the carrying amount, each given per unit and in total, are named at the total's cell by the
    input's name, with the per-unit input's cell beside it, whichever cells the book's shape puts them in (not
    at the ratio's cell, nor by the offer file's key), and beside a bad input elsewhere."""
    path, c = _typed(standard_books[kind], tmp_path / "both.xlsm", CashPerUnit=0.5, CashTotal=1000,
                     CarryingPerUnit=50, CarryingTotal=1000, Price=-1)
    assert [str(f) for f in validate(path, legs=()).findings if f.leg == "inputs"] == [
        f"both.xlsm: {c['CashTotal']}: CashTotal and CashPerUnit ({c['CashPerUnit']}, 0.5) are both given: give cash "
        "per unit or in total, not both, got 1000 [inputs]",
        f"both.xlsm: {c['Price']}: Price must be > 0, got -1 [inputs]",
        f"both.xlsm: {c['CarryingTotal']}: CarryingTotal and CarryingPerUnit ({c['CarryingPerUnit']}, 50) are both "
        "given: give the carrying amount per unit or in total, not both, got 1000 [inputs]"]


def test_refresh_names_inputs_given_both_ways_as_validate_does(standard_books, tmp_path, capsys):
    path, c = _typed(standard_books.copy_into("holders", tmp_path), tmp_path / "both.xlsm", CashPerUnit=0.5,
                     CashTotal=1000)
    before = path.read_bytes()
    assert cli.main(["refresh", str(path), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: both.xlsm: {c['CashTotal']}: CashTotal and CashPerUnit ({c['CashPerUnit']}, 0.5) are both given: "
        "give cash per unit or in total, not both, got 1000", f"xlpy refresh: {path} was not changed"]
    assert path.read_bytes() == before


_LAST_DAY = ("Expiration must be a date from 1900-03-01 to 9999-12-31, not an error: a date cell shows #VALUE! for a "
             "number past 2958465 (20040220 typed for 2004-02-20), got '#VALUE!'")
_DAYS = "must be a date from 1900-03-01 to 9999-12-31 (a serial number from 61 to 2958465, the days a workbook holds)"


@pytest.mark.parametrize("typed, said", [
    ({"LagDays": 1000000}, "{LagDays} (LagDays): must be at most 10,000 (trading days, about 40 years), got 1000000"),
    ({"AveragingDays": 20040220},
     "{AveragingDays} (AveragingDays): must be at most 10,000 (trading days, about 40 years), got 20040220"),
    ({"Expiration": -5}, f"{{Expiration}}: Expiration {_DAYS}, got 1899-12-25"),
    ({"Expiration": 20040220}, f"{{Expiration}}: {_LAST_DAY}"),
    ({"Expiration": 61}, "{Expiration} (Expiration): is too early for calendar XNYS, whose records start on "
     "1990-01-02: a window of 5 trading days ending 2 before it needs 6 trading days before it, and the calendar has "
     "none, got 1900-03-01")])
def test_a_window_or_expiration_no_calendar_holds_is_one_line_naming_its_cell(standard_books, tmp_path, capsys,
                                                                               typed, said):
    """Review: a lag of 1,000,000 days typed on Inputs ended refresh and validate in a traceback; an expiration
    before 1900-03-01 (typed -5) was taken, and its window blamed on the calendar's cell; 20040220 typed for a date
    printed openpyxl's warning and "not text: type it again"."""
    path, c = _typed(standard_books.copy_into("holders", tmp_path), tmp_path / "typed.xlsm", **typed)
    before = path.read_bytes()
    assert cli.main(["refresh", str(path), "--no-backup"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["xlpy refresh: typed.xlsm: " + said.format(**c),
                                f"xlpy refresh: {path} was not changed"]
    assert path.read_bytes() == before
    assert cli.main(["validate", str(path), "--no-libreoffice", "--no-formulas"]) == 1  # the same cell and value
    out = capsys.readouterr()
    (name,) = typed
    first = out.out.splitlines()[0]
    assert first.startswith(f"typed.xlsm: {c[name]}") and said.rsplit(", got ", 1)[1] + " [" in first
    assert out.err == ""  # (no library's warning)


def test_ratio_places_and_calendar_typed_are_named_by_cell_input_and_value(standard_books, tmp_path):
    """Decimals past the 15 Excel holds are refused as an offer file's places are; places that give a ratio finer
    than the workbook counts shares in are named with the places typed (the ratio beside them); a calendar whose
    week is not Monday to Friday, and a cap finer than the places, by the input's name."""
    path, c = _typed(standard_books["holders"], tmp_path / "typed.xlsm", RatioPlaces=16, Calendar="XSAU")
    assert [str(f) for f in validate(path, legs=()).findings if f.leg == "inputs"] == [
        f"typed.xlsm: {c['Calendar']}: Calendar does not trade Monday to Friday (its days off: Friday, Saturday), and "
        "a workbook counts trading days with WORKDAY, which skips Saturday and Sunday: the engine computes it (xlpy "
        "compute), a workbook cannot, got 'XSAU' [inputs]",
        f"typed.xlsm: {c['RatioPlaces']}: RatioPlaces must be at most 15 (Excel holds 15 digits exactly), got 16 "
        "[inputs]"]
    path, c = _typed(standard_books["holders"], tmp_path / "ten.xlsm", RatioPlaces=10)
    assert [str(f) for f in validate(path, legs=()).findings if f.leg == "inputs"] == [
        f"ten.xlsm: {c['RatioPlaces']} (RatioPlaces): gives a ratio (7.9422382671) with more decimals than a workbook "
        "counts shares in (parts of 1/1,000,000 share): at most 6, got 10 [inputs]"]
    path, c = _typed(standard_books["holders"], tmp_path / "cap.xlsm", RatioCap=8.255)
    assert [str(f) for f in validate(path, legs=()).findings if f.leg == "inputs"] == [
        f"cap.xlsm: {c['RatioCap']}: RatioCap has more decimals than the ratio is rounded to (2), so the rounded ratio "
        "could pass it: give it to 2 decimals or raise places, got 8.255 [inputs]"]


#: Inputs' workbook settings typed over, and how validate and refresh name each (after the cell).
_SCALE = ("RatioScale must be 1,000,000 (the engine counts shares in parts of 1/1,000,000 share exactly, and the "
          "workbook's formulas divide by it)")
_TOLERANCE = ("Tolerance must be > 0 and below 0.01 (a cent: the figures tied out are stated to the cent, and a "
              "Check identity passes a difference only below the tolerance)")
_STEP = ("SensitivityStep must be > 0 and below 0.5 (the Sensitivity grid's lowest price is 2 steps below Price, "
         "Price × (1 − 2 × step), which must stay above 0)")
BAD_SETTINGS = {
    "scale 7": ("RatioScale", 7, f"{_SCALE}, got 7"),
    "scale 0": ("RatioScale", 0, f"{_SCALE}, got 0"),
    "scale a part more": ("RatioScale", 1000000.5, f"{_SCALE}, got 1000000.5"),
    "scale as text": ("RatioScale", "1000000", "RatioScale must be a number, not text, got '1000000'"),
    "tolerance as text": ("Tolerance", "abc", "Tolerance must be a number, not text, got 'abc'"),
    "tolerance 0": ("Tolerance", 0, f"{_TOLERANCE}, got 0"),
    "tolerance a cent": ("Tolerance", 0.01, f"{_TOLERANCE}, got 0.01"),
    "tolerance negative": ("Tolerance", -0.001, f"{_TOLERANCE}, got -0.001"),
    "step 100": ("SensitivityStep", 100, f"{_STEP}, got 100"),
    "step a half": ("SensitivityStep", 0.5, f"{_STEP}, got 0.5"),
    "step 0": ("SensitivityStep", 0, f"{_STEP}, got 0"),
    "step blank": ("SensitivityStep", None, "SensitivityStep is required, got nothing"),
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_a_workbook_setting_the_formulas_cannot_compute_with_is_named_by_cell_input_and_value(case, seed_book,
                                                                                                  tmp_path):
    """A ratio precision other than the engine's (every share count off, or #DIV/0!), a tolerance no tie-out can
    pass or one that passes a cent, and a price step that takes the grid's prices to zero or below are findings,
    not a workbook said valid whose figures the engine does not give."""
    name, value, said = BAD_SETTINGS[case]
    path, c = _typed(seed_book, tmp_path / "set.xlsm", **{name: value})
    report = validate(path, legs=())
    assert [str(f) for f in report.findings if f.leg == "inputs"] == [f"set.xlsm: {c[name]}: {said} [inputs]"]
    assert not report.ok


def test_refresh_refuses_bad_workbook_settings_one_line_a_cell_and_writes_nothing(standard_books, tmp_path, capsys):
    path, c = _typed(standard_books.copy_into("holders", tmp_path), tmp_path / "set.xlsm", RatioScale=7,
                     Tolerance="abc", SensitivityStep=100)
    before = path.read_bytes()
    assert cli.main(["refresh", str(path), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: set.xlsm: {c['RatioScale']}: {_SCALE}, got 7",
        f"xlpy refresh: set.xlsm: {c['Tolerance']}: Tolerance must be a number, not text, got 'abc'",
        f"xlpy refresh: set.xlsm: {c['SensitivityStep']}: {_STEP}, got 100",
        f"xlpy refresh: {path} was not changed"]
    assert path.read_bytes() == before


def test_workbook_settings_inside_their_bounds_validate_and_refresh(standard_books, tmp_path):
    """The defaults, and settings just inside each bound (the scale as Excel may store it, a float), pass."""
    book = standard_books.copy_into("holders", tmp_path)
    assert [str(f) for f in validate(book, legs=()).findings] == []
    assert cli.main(["refresh", str(book), "--no-backup"]) == 0
    path, _ = _typed(book, tmp_path / "edge.xlsm", RatioScale=1000000.0, Tolerance=0.0099, SensitivityStep=0.49)
    assert [str(f) for f in validate(path, legs=()).findings] == []
    assert cli.main(["refresh", str(path), "--no-backup"]) == 0


def test_formulas_leg_names_cells_as_the_workbook_spells_its_sheets(seed_book, tmp_path):
    path = _tampered(seed_book, tmp_path / "typed.xlsm", _set_name("InducedCharge", 1))
    sheet, ref = layout(Shape()).cell("InducedCharge")
    found = [(f.where, f.found) for f in validate(path, legs=("formulas",)).findings if f.leg == "formulas"]
    assert (f"{sheet}!{ref}", "1") in found, found  # "Results!C28", not the library's "RESULTS!C28"; 1, not 1.0
    assert all(not where.split("!")[0].isupper() for where, _ in found)


def test_a_renamed_sheet_is_named_and_nothing_is_recalculated_without_it(seed_book, tmp_path):
    def rename(wb, lay):
        wb["Results"].title = "Results Q1"
        for dn in wb.defined_names.values():  # as Excel and LibreOffice rename the sheet in every name over it
            dn.attr_text = dn.attr_text.replace("'Results'!", "'Results Q1'!").replace("Results!", "'Results Q1'!")

    path = _tampered(seed_book, tmp_path / "renamed.xlsm", rename)
    report = validate(path, legs=("formulas",))
    assert [str(f) for f in report.findings if f.what == "sheet is missing"] == [
        "renamed.xlsm: Results: sheet is missing: expected Results, found no such sheet (sheets not in the layout: "
        "'Results Q1'; if one of them is Results renamed, name it Results again) [structure]"]
    # review 56: every name over its cells followed, "refers elsewhere", 22 of them; now one line
    names = sorted(n for n, (s, _) in layout(Shape()).names.items() if s == "Results")
    assert len(names) > 3 and not [f for f in report.findings if f.what == "name refers elsewhere"]
    assert (f"renamed.xlsm: Results: and {len(names)} names of its cells ({', '.join(names[:3])}, ...) refer to it as "
            "renamed, or to nothing if it was deleted: naming the sheet Results again puts them back; a sheet deleted "
            "needs a rebuild (xlpy build) [structure]") in [str(f) for f in report.findings]
    # The library's "no sheet RESULTS" is not reported beside it: the leg is not run without the sheet.
    assert report.legs_run == [] and not [f for f in report.findings if f.leg == "formulas"]
    assert report.notes == ["inputs and recalculation skipped: the workbook has no sheet Results"]


def test_rows_deleted_inside_the_holder_table_are_counted_not_listed_cell_by_cell(standard_books, tmp_path):
    def delete(wb, lay):
        sheet, table = lay.table("tblTenders")
        wb[sheet.title].delete_rows(table.first_row + 3, 3)  # as openpyxl does it: later rows move, formulas don't

    path = _tampered(standard_books["holders"], tmp_path / "deleted.xlsm", delete)
    lay = layout(Shape.decode(load_workbook(path).defined_names["xlpyLayout"].attr_text))
    sheet, table = lay.table("tblTenders")
    findings = validate(path, legs=()).findings
    formula_columns = [table.letter(c.key) for c in table.columns if c.formula is not None]
    for letter in formula_columns:
        column = [f for f in findings if f.where.startswith(f"{sheet.title}!{letter}")]
        assert len(column) == 10 + 1, [str(f) for f in column]  # ten shown, then one line for the rest
        rest = column[-1]
        assert rest.where == f"{sheet.title}!{letter}{table.first_row}:{letter}{table.last_row}"
        assert rest.what.endswith("differ from the layout (the first 10 are shown); they look like other rows' "
                                  "formulas: rows inserted or deleted inside the table (xlpy refresh rewrites it)")
        assert int(rest.what.split()[0]) == table.last_row - (table.first_row + 3) + 1 - 10


def test_unexpected_vba_module_is_caught(seed_book, tmp_path):
    """A VBA project with a module the template does not have (taken from another xlwings template)."""
    other = vba.template_path(standalone=True).parent / "quickstart_addin_ribbon.xlam"
    foreign = zipfile.ZipFile(other).read("xl/vbaProject.bin")
    path = tmp_path / "vba.xlsm"
    with zipfile.ZipFile(seed_book) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = foreign if info.filename == "xl/vbaProject.bin" else src.read(info.filename)
            dst.writestr(info, data)
    report = validate(path, legs=())
    assert any(f.where == "VBA module RibbonMyAddin" and f.what == "unexpected VBA module" for f in report.findings)


def test_value_comparison_can_fail():
    exp = {("Results", "C25"): Expect("InducedCharge", Decimal("9597836.4"), "money")}
    findings = []
    _compare("book.xlsm", exp, {("Results", "C25"): 9597836.404}, "formulas", findings, [])
    assert findings == []  # within half a cent
    _compare("book.xlsm", exp, {("Results", "C25"): 9597837.0}, "formulas", findings, [])
    assert [f.where for f in findings] == ["Results!C25"]
    assert findings[0].expected == "9597836.4" and findings[0].found == "9597837"


def test_offer_file_mismatch_is_caught(seed_book, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(SEED.read_text().replace("price = 7.39", "price = 7.40"))
    report = validate(seed_book, other, legs=())
    assert [f.where for f in report.findings if f.leg == "inputs"] == [f"Inputs!{layout(Shape()).cell('Price')[1]}"]


def test_cli_validate_exit_status_and_json(seed_book, tmp_path, capsys):
    assert cli.main(["validate", str(seed_book), "--no-libreoffice"]) == 0
    assert "valid" in capsys.readouterr().out
    bad = _tampered(seed_book, tmp_path / "bad.xlsm", _set_name("InducedCharge", 1))
    assert cli.main(["validate", str(seed_book), str(bad), "--no-libreoffice", "--no-formulas", "--json"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [r["ok"] for r in reports] == [True, False]
    assert reports[1]["findings"][0]["where"].startswith("Results!")
    # a workbook named by its file's name, and by its path as given (review 73: several deals' offer.xlsm)
    assert [(r["workbook"], r["path"]) for r in reports] == [(seed_book.name, str(seed_book)), ("bad.xlsm", str(bad))]


def test_cli_validate_names_workbooks_of_the_same_name_by_their_paths(seed_book, tmp_path, capsys, monkeypatch):
    for folder in ("q1", "q2"):
        (tmp_path / folder).mkdir()
        shutil.copy(seed_book, tmp_path / folder / "book.xlsm")
    shutil.copy(seed_book, tmp_path / "other.xlsm")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "q1/book.xlsm", "q2/book.xlsm", "other.xlsm", "--no-libreoffice",
                     "--no-formulas"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in out] == [str(Path("q1/book.xlsm")), str(Path("q2/book.xlsm")), "other.xlsm"]


def test_cli_validate_missing_file(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path / "nope.xlsm"), "--no-libreoffice"]) == 1
    assert "workbook not found" in capsys.readouterr().out


@pytest.mark.libreoffice
def test_render_gives_readable_pages(seed_book, tmp_path):
    assert cli.main(["render", str(seed_book), "-o", str(tmp_path)]) == 0
    pngs = sorted(tmp_path.glob("*.png"))
    # every visible sheet fits one page, but History: its figures on one, its price file, SHA-256, user and xlpy
    # version on the page beside (layout 15; layout 16 the tally's SHA-256 with them)
    assert len(pngs) == len(SHEETS) - 1 + 1
    for png in pngs:
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert min(width, height) > 800 and max(width, height) > 1000


def test_build_cli_default_uses_the_bundled_seed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "--no-validate"]) == 0
    assert (tmp_path / "hecla-2004-series-b.xlsm").is_file()
    assert "induced charge $9,597,836.40" in capsys.readouterr().out


def test_build_refuses_bad_offer_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(SEED.read_text().replace("outstanding = 464777", "outstanding = -5"))
    out = tmp_path / "out.xlsm"
    assert cli.main(["build", str(bad), "-o", str(out)]) == 2
    assert not out.exists()
    assert "offer.outstanding" in capsys.readouterr().err
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_every_results_key_the_layout_checks_is_in_the_results_schema():
    """The validator reads each figure through the engine's schema: a key it does not know is an error, not a skip."""
    from xlpy.engine.schema import field_for

    full = Shape(ratio="formula", tally="holders", holder_rows=3, price_rows=8, holiday_rows=1, exchange_rows=1,
                 period=True)
    checked = set()
    for shape in (Shape(), full):
        for _, _, item, _ in layout(shape).items():
            if item.key and not item.key.startswith("entry.") and item.key not in ("release_charge_text",
                                                                                    "count.status"):
                checked.add(field_for(item.key).key)
    assert {"units_outstanding", "induced_charge", "total_induced_charge", "average_price"} <= checked


def test_openpyxl_access_cells_and_sheet_order(tmp_path):
    """The one module that reaches into openpyxl: cells made there save and load as openpyxl's own would."""
    from openpyxl import Workbook

    from xlpy.workbook import openpyxl_access as oa

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "probe"
    style = oa.style_array(ws["A1"])
    cells = oa.cell_map(ws)
    for col, (value, kind) in enumerate((("=not a formula", "s"), (7, "n"), ("=1+1", "f")), 1):
        cells[(2, col)] = oa.new_cell(ws, 2, col, style, value, kind)
    other = wb.create_sheet("Other")
    with pytest.raises(ValueError, match="every sheet"):
        oa.order_sheets(wb, [other])
    oa.order_sheets(wb, [other, ws])
    wb.save(tmp_path / "t.xlsx")
    back = load_workbook(tmp_path / "t.xlsx")
    assert back.sheetnames == ["Other", ws.title]
    row = back[ws.title][2]
    assert [(c.value, c.data_type) for c in row] == [("=not a formula", "s"), (7, "n"), ("=1+1", "f")]
    assert (3, 1) not in oa.cell_map(back[ws.title])  # asking the map makes no cell


def _locked(book: Path, sheet: str, refs: list[str]) -> list[bool]:
    ws = load_workbook(book)[sheet]
    return [ws[ref].protection.locked for ref in refs]


def test_inputs_stay_editable_under_sheet_protection_and_a_refresh_keeps_them_so(standard_books, tmp_path):
    """Review 67: every cell was locked, inputs too, so a controller who protected a sheet (Review > Protect Sheet)
    could no longer type an input; now the input cells and the input tables' columns are unlocked, the formulas, the
    labels and History (the refreshes' log) locked, and a refresh's rows are styled as the build's."""
    book = standard_books.copy_into("holders", tmp_path)
    lay = layout(Shape.decode(load_workbook(book).defined_names["xlpyLayout"].attr_text))
    inputs = ["!".join(lay.cell(n))[len("Inputs!"):] for n in ("Outstanding", "Price", "OddLot")]
    assert _locked(book, "Inputs", inputs) == [False] * 3
    assert _locked(book, "Inputs", [f"B{int(ref[1:])}" for ref in inputs]) == [True] * 3  # their labels
    sheet, t = lay.table("tblTenders")
    first, last = t.first_row, t.first_row + t.rows - 1
    holder, eligible = t.letter("holder"), t.letter(next(c.key for c in t.columns if c.formula is not None))
    assert _locked(book, sheet.title, [f"{holder}{first}", f"{holder}{last}", f"{eligible}{first}"]) == [
        False, False, True]
    h_sheet, h = lay.table("tblHistory")
    assert _locked(book, h_sheet.title, [f"{h.letter(h.columns[0].key)}{h.first_row}"]) == [True]
    tally = tmp_path / "more.csv"  # one line more: a refresh writes the table anew
    lines = (tmp_path / "hecla-2004-tally.csv").read_text(encoding="utf-8").splitlines()
    tally.write_text("\n".join(lines + ["DTC-9999,100,book-entry,tendered"]) + "\n", encoding="utf-8")
    assert cli.main(["refresh", str(book), "--tally", str(tally), "--no-backup", "-q"]) == 0
    last += 1
    assert _locked(book, sheet.title, [f"{holder}{first}", f"{holder}{last}", f"{eligible}{last}"]) == [
        False, False, True]


@pytest.mark.libreoffice
def test_the_cover_says_n_a_for_the_change_since_a_count_that_was_none(standard_books):
    """Review 67: on a workbook just built the Cover's "Change since the previous count" read 0, as if a count had
    been made before the build's; it reads n/a until a refresh adds History's second row."""
    from xlpy.workbook.libreoffice import recalculated_values

    cover = recalculated_values(standard_books["plain"])["Cover"]
    label = next(ref for ref, v in cover.items() if v == "Change since the previous count")
    assert cover[label.replace("B", "C", 1)] == "n/a"


@pytest.mark.libreoffice
def test_the_eps_block_foots_on_the_page(tmp_path):
    """Review 67: the EPS block went from the charges in the period ($4,539,999.00) to income after ($8,595,000.75)
    with no tax line, so $12,000,000 less the charge did not give the figure below it; the charges after tax stand
    between them (notes: 25% off; preferred: the charge itself, a deemed dividend)."""
    from xlpy.workbook.libreoffice import named_values

    notes = build_workbook(*compute_file(OFFERS / "notes-capped-example.toml"), tmp_path / "notes.xlsm")
    v = named_values(notes)
    assert [v["ChargesInPeriod"], v["ChargesAfterTax"], v["IncomeBefore"], v["IncomeAfter"]] == [
        4539999, 3404999.25, 12000000, 8595000.75]
    assert v["IncomeBefore"] - v["ChargesAfterTax"] == v["IncomeAfter"]
