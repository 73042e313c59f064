"""Figures at the edges of binary numbers, where Excel, LibreOffice and the engine must still agree.

* A half cent that binary holds just below the half (0.59 x 9.5 is
  5.6049999999999995): Excel and LibreOffice round the 5.605 they show, to
  5.61, as the engine rounds the exact decimal; so must the validator's
  ``formulas`` leg.
* A ratio whose nearest double takes 17 digits (a note's original ratio at a
  $30 conversion price, 100/3): the workbook's cell must hold that double,
  not the one its first 16 digits name.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import numpy as np
import pytest
from openpyxl import load_workbook

from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.validate import validate

#: One unit at 2.59 against 2.5: 2 shares delivered and 0.59 of a share paid in cash at $9.50 = $5.605.
HALF_CENT = """schema = 1
[offer]
id = "half-cent"
issuer = "Example"
kind = "preferred"
outstanding = 100
original_ratio = 2.5
common_outstanding_before = 1000000
expiration = 2024-03-15
[offer.consideration]
ratio = 2.59
fractional = "cash"
fractional_price = 9.5
[tally]
tendered = 1
final = true
[valuation]
date = 2024-03-15
price = 10
[accounting]
par_value = 1
carrying_per_unit = 20
"""

#: Notes of $1,000 convertible at $30: R0 = 100/3.
THIRDS = """schema = 1
[offer]
id = "r0-thirds"
issuer = "Example"
kind = "note"
face_per_unit = 1000
outstanding = 100
original_conversion_price = 30
common_outstanding_before = 1000000
expiration = 2024-06-14
[offer.consideration]
ratio = 35
[tally]
tendered = 10
final = true
[valuation]
date = 2024-06-14
price = 28
"""


@pytest.mark.parametrize("formula, rounded", [
    ("=ROUND(0.59*9.5,2)", 5.61),  # 5.6049999999999995 in binary, 5.605 as shown
    ("=ROUND(-0.59*9.5,2)", -5.61),
    ("=ROUND(1.005,2)", 1.01),  # 1.00499999999999989...
    ("=ROUND(2.675,2)", 2.68),
    ("=ROUND(5.60499999,2)", 5.6),  # a number below the half as shown stays below it
    ("=ROUND(123456789012.34497,2)", 123456789012.34),  # 17 digits held: LibreOffice rounds what is held
    ("=ROUND(1234567.8949999999,2)", 1234567.9),
    ("=ROUND(13615*46.245-3890*3.2*46.245,2)", 53967.91),  # 53967.91499999992: noise past 15 digits stays
    ("=ROUND(274321,-3)", 274000),
    ("=ROUND(-2.5,0)", -3),
    ("=ROUND(0.49999999999999994,0)", 0),  # to whole units LibreOffice rounds what is held
    ("=ROUND(2.4999999999999996,0)", 2),
    ("=ROUND(1603999807499999/1000000,0)", 1603999807),  # a billion shares issued, 'nearest': not one too many
    ("=ROUND(1E+300,2)", 1e300),  # past 2^52: as round as binary holds it
    ("=ROUND(-0.005,2)", -0.01),
])
def test_round_takes_the_number_as_excel_shows_it(formula, rounded):
    from xlpy.workbook import formulas_access as fa

    fa.register_functions()
    cell = fa.compile_cell("'S'!A1", formula, "S", {})
    assert float(np.asarray(cell.func()).ravel()[0]) == rounded


def _built(tmp_path, text: str, name: str):
    offer_path = tmp_path / f"{name}.toml"
    offer_path.write_text(text, encoding="utf-8")
    offer, results = compute_file(offer_path)
    return offer_path, build_workbook(offer, results, tmp_path / f"{name}.xlsm"), results


def test_a_half_cent_below_the_half_in_binary_validates(tmp_path):
    offer_path, book, results = _built(tmp_path, HALF_CENT, "half-cent")
    assert results.cash_paid == Decimal("5.605")
    report = validate(book, offer_path, legs=("formulas",))
    assert report.ok, [str(f) for f in report.findings]
    assert report.cells_compared > 100


def test_a_ratio_whose_double_takes_17_digits_is_the_cell_s_value(tmp_path):
    offer_path, book, _ = _built(tmp_path, THIRDS, "thirds")
    wb = load_workbook(book)
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("OriginalRatio")
    value = wb[sheet][ref].value
    assert value == float(Decimal(1000) / Decimal(30)) == 33.333333333333336
    report = validate(book, offer_path, legs=("formulas",))
    assert report.ok, [str(f) for f in report.findings]


@pytest.mark.libreoffice
def test_libreoffice_agrees_on_both(tmp_path):
    for text, name in ((HALF_CENT, "half-cent"), (THIRDS, "thirds")):
        offer_path, book, _ = _built(tmp_path, text, name)
        report = validate(book, offer_path, legs=("libreoffice",), require_libreoffice=True)
        assert report.ok, [str(f) for f in report.findings]


#: 3,890 preferred at 3.5 against 3.2 and $46.245: the charge is exactly $53,967.915, which binary arithmetic
#: holds as 53967.91499999992 (13,615 x 46.245 - 3,890 x 3.2 x 46.245), so a workbook rounds it to .91.
HALF_CENT_CHARGE = """schema = 1
[offer]
id = "half-cent-charge"
issuer = "Edge Co"
kind = "preferred"
outstanding = 3890
original_ratio = 3.2
common_outstanding_before = 50000000
expiration = 2024-05-15
[offer.consideration]
ratio = 3.5
[tally]
tendered = 3890
final = true
[valuation]
date = 2024-05-15
price = 46.245
[accounting]
par_value = 0.01
carrying_per_unit = 50
"""


def test_a_half_cent_is_known_within_the_noise_of_the_figures_it_comes_from():
    from xlpy.workbook.expected import at_half_cent

    assert at_half_cent(Decimal("53967.915"), Decimal("1205283.435"))
    assert at_half_cent(Decimal("-0.005"), Decimal(1))
    assert not at_half_cent(Decimal("53967.914"), Decimal("1205283.435"))
    # 0.0087 of a cent from the half: within the noise of figures of 500 billion, not of a million
    assert at_half_cent(Decimal("8036459354.80500874"), Decimal("5.4e11"))
    assert not at_half_cent(Decimal("8036459354.80500874"), Decimal("1e6"))


def test_a_charge_at_a_half_cent_booked_a_cent_apart_by_binary_arithmetic_is_a_note(tmp_path):
    offer_path, book, results = _built(tmp_path, HALF_CENT_CHARGE, "half-cent-charge")
    assert results.charge == Decimal("53967.915")
    report = validate(book, offer_path, legs=("formulas",))
    assert report.ok, [str(f) for f in report.findings]
    note, = [n for n in report.notes if "a cent from the engine's figures" in n]
    assert note.startswith("formulas leg: Entries!C8, ") and "an amount of the journal entry" in note


def test_a_cent_apart_is_still_a_finding_where_the_charge_is_no_half_cent(tmp_path):
    """The seed's charge, 9,597,836.40, is no half cent: an entry line a cent off is a finding."""
    from xlpy.workbook.expected import Expect
    from xlpy.workbook.validate import _compare

    exp = {("Entries", "C8"): Expect("EntryCharge", Decimal("9597836.40"), "money")}
    findings, notes = [], []
    _compare("b.xlsm", exp, {("Entries", "C8"): 9597836.41}, "formulas", findings, notes)
    assert [f.what for f in findings] == ["EntryCharge differs from the engine"] and notes == []
    half = {k: Expect(e.label, e.value, e.fmt, cent=True) for k, e in exp.items()}
    findings = []
    _compare("b.xlsm", half, {("Entries", "C8"): 9597836.41}, "formulas", findings, notes)
    assert findings == [] and len(notes) == 1
    _compare("b.xlsm", half, {("Entries", "C8"): 9597836.42}, "formulas", findings, notes)  # two cents: a finding
    assert [f.found for f in findings] == ["9597836.42"]


def test_a_cent_apart_is_one_cent_either_way_to_binary_noise_not_anything_within_a_cent():
    """A mutation review: a cent apart taken as anything from nothing to two cents off survived the tests of the
    comparison (the test above caught it only by its two cents)."""
    from xlpy.workbook.validate import _a_cent_apart

    assert _a_cent_apart(Decimal("53967.92"), 53967.91) and _a_cent_apart(Decimal("53967.92"), 53967.93)
    assert _a_cent_apart(Decimal("53967.92"), 53967.91 + 1e-9)  # (binary noise)
    assert not _a_cent_apart(Decimal("53967.92"), 53967.925) and not _a_cent_apart(Decimal("53967.92"), 53967.935)
    assert not _a_cent_apart(Decimal("53967.92"), 53967.92) and not _a_cent_apart(Decimal("53967.92"), "53967.91")


@pytest.mark.libreoffice
def test_a_half_cent_workbook_saved_by_libreoffice_still_validates(tmp_path):
    """LibreOffice recalculates and saves the journal entry's cents its own binary way (.91): the saved values a cent
    from the engine's are a note, as the recalculation legs say, not a doctored file."""
    from test_roundtrip import resave_with_libreoffice

    offer_path, book, _ = _built(tmp_path, HALF_CENT_CHARGE, "half-cent-charge")
    saved, = resave_with_libreoffice([book], tmp_path / "saved")
    report = validate(saved, offer_path, require_libreoffice=True)
    assert report.ok, [str(f) for f in report.findings]
    assert any(n.startswith("saved values: EntryCharge, ") for n in report.notes), report.notes


#: A carrying amount at a half cent past 2^41 cents, where nothing forgives binary noise: $1,000.055 x 25,000,003
#: = $25,001,378,000.165, which a workbook's ROUND books at .16.
HALF_CENT_CARRYING = HALF_CENT_CHARGE.replace("outstanding = 3890", "outstanding = 30000000").replace(
    "tendered = 3890", "tendered = 25000003").replace("carrying_per_unit = 50", "carrying_per_unit = 1000.055").replace(
    "price = 46.245", "price = 10").replace("common_outstanding_before = 50000000", "common_outstanding_before = 1000000000")


def test_a_carrying_amount_at_a_half_cent_booked_a_cent_apart_is_a_note(tmp_path):
    from xlpy.engine.entries import amounts_to_book

    offer_path, book, results = _built(tmp_path, HALF_CENT_CARRYING, "half-cent-carrying")
    offer, _ = compute_file(offer_path)
    assert amounts_to_book(offer, results)[0] == Decimal("25001378000.165")
    report = validate(book, offer_path, legs=("formulas",))
    assert report.ok, [str(f) for f in report.findings]
    assert any("Entries!C6" in n and "an amount of the journal entry" in n for n in report.notes), report.notes


#: A later exchange whose price and cash per unit have 16 significant digits, which LibreOffice saves to 15 (review
#: 120 H1: its line was "table differs from the offer file" under validate --offer, shown as Python wrote it).
EXCHANGE_16 = '\n[[exchange]]\ndate = 2024-06-20\nunits = 5\nratio = 35\nprice = "40.12345678901234"\n' \
    'cash_per_unit = "1.234567890123456"\n'


@pytest.mark.libreoffice
def test_a_ratio_libreoffice_saves_to_15_digits_is_not_typed_and_matches_the_offer_file(tmp_path, monkeypatch, capsys):
    """Review 118 M1: LibreOffice writes R0 = 1000 / 30 (33.333333333333336 in the cell) back as 33.3333333333333, the
    15 significant digits it keeps; opened and saved unchanged, the workbook failed ``validate --offer``
    (OriginalRatio differs from the offer file) and plain ``validate`` said the input was typed since the build."""
    from test_roundtrip import resave_with_libreoffice

    from xlpy import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "thirds.toml").write_text(THIRDS + EXCHANGE_16, encoding="utf-8")
    assert cli.main(["build", "thirds.toml", "-o", "thirds.xlsm", "--no-validate", "-q"]) == 0
    (saved,) = resave_with_libreoffice([tmp_path / "thirds.xlsm"], tmp_path / "saved")
    wb = load_workbook(saved)
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    sheet, ref = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).cell("OriginalRatio")
    assert wb[sheet][ref].value == 33.3333333333333  # (what LibreOffice writes: the case at issue)
    shutil.copy(tmp_path / "thirds.toml", saved.parent / "thirds.toml")
    capsys.readouterr()
    assert cli.main(["validate", str(saved), "--offer", "thirds.toml", "--no-libreoffice"]) == 0
    out = capsys.readouterr().out
    assert "differs from the offer file" not in out and ": valid" in out, out
    assert cli.main(["validate", str(saved), "--no-libreoffice"]) == 0
    out = capsys.readouterr().out
    assert "inputs typed since the build" not in out and ": valid" in out, out


def test_an_input_reads_alike_at_the_15_digits_a_spreadsheet_keeps_and_no_further():
    from xlpy.workbook.data import same_input

    r0, cell = Decimal(1000) / Decimal(30), Decimal  # (to the context's 28 digits; a cell's number as read)
    assert same_input(r0, cell("33.333333333333336")) and same_input(r0, cell("33.3333333333333"))
    assert same_input(r0, cell("33.33333333333334"))  # (openpyxl's save: 16 digits; review 120 H2)
    assert not same_input(r0, cell("33.3333333333334")) and not same_input(r0, cell("33.33333333333"))
    assert same_input(Decimal("7.94"), cell("7.94")) and not same_input(Decimal("7.94"), cell("7.9400000000001"))


def test_a_later_exchange_s_16_digit_price_held_to_15_is_the_offer_file_s(tmp_path, monkeypatch):
    """Review 121: review 120 H1's case without LibreOffice: the exchange's price and cash set to the 15 digits
    LibreOffice saves are the offer file's; a 15th digit changed is a finding, its line shown as the workbook
    shows it."""
    from xlpy import cli
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    monkeypatch.chdir(tmp_path)
    (tmp_path / "thirds.toml").write_text(THIRDS + EXCHANGE_16, encoding="utf-8")
    assert cli.main(["build", "thirds.toml", "-o", "thirds.xlsm", "--no-validate", "-q"]) == 0
    book = tmp_path / "thirds.xlsm"
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    sheet, t = lay.table("tblExchanges")
    with PackageBook(book) as pb:
        pb.set(sheet.title, f"{t.letter('price')}{t.first_row}", 40.1234567890123)  # (as LibreOffice saves it)
        pb.set(sheet.title, f"{t.letter('cash')}{t.first_row}", 1.23456789012346)
        pb.save()
    found = [f for f in validate(book, offer_path=tmp_path / "thirds.toml", legs=()).findings if f.leg == "inputs"]
    assert found == [], [str(f) for f in found]
    with PackageBook(book) as pb:
        pb.set(sheet.title, f"{t.letter('price')}{t.first_row}", 40.1234567890124)  # a 15th digit typed: differs
        pb.save()
    found = [f for f in validate(book, offer_path=tmp_path / "thirds.toml", legs=()).findings if f.leg == "inputs"]
    assert [(f.where, f.what, f.found) for f in found] == [
        (f"Inputs!tblExchanges row {t.first_row}", "table differs from the offer file on 1 line(s), the first here",
         "(2024-06-20, 5, 35, 40.1234567890124, 1.23456789012346)")], [str(f) for f in found]
