"""Every figure the workbook shows is the engine's: saved with its formula and tied out by ``validate``.

A preview, pandas or ``openpyxl`` with ``data_only=True`` shows the saved
values and never calculates: a figure without one reads as blank.  So every
formula cell of the sheets the engine speaks for holds the engine's value
(cells that need xlpy's worksheet functions are Excel's to calculate, and a
journal-entry line's other column is blank by design).  The Sensitivity grid
measures the charge as Results does, the extinguishment measure too, and a
capped offer's participations stop at its cap.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from repo_paths import NOTES, SEED_TEXT

from xlpy.engine.numbers import excel_round
from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout, sensitivity_origin
from xlpy.workbook.validate import validate

#: The sheets whose every formula the engine can give a value (Check: only its native column).
ENGINE_SHEETS = ("Results", "Tenders", "Prices", "Release", "Sensitivity", "Entries")

#: The seed, its ratio below the original: the induced-conversion test fails (a redemption).
REDEMPTION = SEED_TEXT.replace("ratio = 7.94", "ratio = 3.0") + "\n[extinguishment]\ncarrying_amount = 13700000\n"


@pytest.fixture(scope="module")
def books(tmp_path_factory, standard_books):
    """{name: (offer file, workbook, results)} for the seed with holders, the capped notes and a redemption."""
    folder = tmp_path_factory.mktemp("every-figure")
    (folder / "redemption.toml").write_text(REDEMPTION, encoding="utf-8")
    out = {}
    for name, path in (("notes", NOTES), ("redemption", folder / "redemption.toml")):
        offer, results = compute_file(path)
        out[name] = (path, build_workbook(offer, results, folder / f"{name}.xlsm"), results)
    return out


def _blank_formula_cells(book) -> dict[str, list[str]]:
    """Sheet -> the formula cells of *book* with no saved value."""
    formulas, values = load_workbook(book), load_workbook(book, data_only=True)
    return {s: [c.coordinate for row in formulas[s].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=") and values[s][c.coordinate].value is None]
            for s in ENGINE_SHEETS}


@pytest.mark.parametrize("name", ["notes", "redemption", "holders"])
def test_every_engine_figure_has_its_saved_value(books, standard_books, name):
    book = standard_books["holders"] if name == "holders" else books[name][1]
    blank = _blank_formula_cells(book)
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    _, entries = lay.table("tblEntries")
    debit, credit = entries.letter("debit"), entries.letter("credit")
    assert all(ref[0] in (debit, credit) for ref in blank.pop("Entries")), "only a line's other column is blank"
    assert blank == {s: [] for s in ENGINE_SHEETS if s != "Entries"}


def test_the_steps_between_inputs_and_results_are_the_engines(books):
    """Values the results object now carries, read back from the workbook the way a preview reads them."""
    _, book, results = books["notes"]
    values = load_workbook(book, data_only=True)
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    for name, want in (("Eligible", results.units_eligible), ("FractionalShares", results.fractional_shares),
                       ("Sweetener", results.cash_sweetener), ("ArrearsPaid", results.arrears_paid),
                       ("ChargesInPeriod", results.eps.charges_in_period),
                       ("EntryCharge", excel_round(results.charge, 2))):
        sheet, ref = lay.cell(name)
        assert Decimal(str(values[sheet][ref].value)) == want, name
    sheet, ref = lay.cell("InducedTest")
    assert values[sheet][ref].value is True
    # the capped notes: 79,300 tendered less 300 failed; 40,000 accepted, the 1,000 units of odd lots in full;
    # $20.00 and $12.50 a note accepted; 5 shares in fractions, paid at 35.80
    assert (results.units_eligible, results.units_accepted, results.odd_lot_units_tendered,
            results.odd_lot_units_accepted) == (79000, 40000, 1000, 1000)
    assert (results.cash_sweetener, results.arrears_paid, results.fractional_shares) == (800000, 500000, 5)


@pytest.mark.parametrize("name", ["notes", "redemption"])
def test_the_sensitivity_grid_measures_the_charge_as_results_does(books, name):
    offer_path, book, results = books[name]
    report = validate(book, offer_path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []
    ws = load_workbook(book, data_only=True)["Sensitivity"]
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    top, left = sensitivity_origin(lay)
    parts = [Decimal(str(ws.cell(top, left + 1 + j).value)) for j in range(5)]
    at_price = [Decimal(str(ws.cell(top + 3, left + 1 + j).value)) for j in range(5)]  # the valuation price's row
    if name == "redemption":
        # the test fails: fair value of the consideration less the carrying amount, 274,000 x (3.0 x 7.39 - 50)
        assert results.charge == Decimal("-7625420.00") == at_price[-1]
    else:
        # capped at 40,000 of 100,000: the grid runs to 40%, never past it; the offer's own is the cap
        assert parts == [Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.4"), Decimal("0.4")]
        # the charge but for cash in lieu of fractions (-1.00 here, at the average price)
        assert at_price[-1] - results.charge == Decimal("1.00")


def test_the_cover_shows_the_charge_in_a_preview(books):
    """The Cover's count line, charge, common issued and journal-entry status are saved with their formulas (its
    checks need xlpy's functions and its latest count is History's, which only a refresh writes: Excel calculates
    those)."""
    _, book, results = books["redemption"]
    values = load_workbook(book, data_only=True)["Cover"]
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    shown = {item.label: values[f"C{row}"].value for s, _, item, row in lay.items() if s.title == "Cover" and item.key}
    # the redemption: 274,000 x 3.0 = 822,000 shares; the seed's [accounting] books the entry, which balances
    assert shown == {"Count": "preliminary: 3,500 shares by guaranteed delivery not yet delivered",
                     "Charge": float(results.charge), "Common issued": 822000, "Journal entry": "balances"}


def test_a_blank_optional_input_checks_as_zero(books, tmp_path):
    """Preferred dividends left blank (an optional input, 0 in the offer file) is none paid: the Check sheet's
    EPS_AFTER reads the blank as the native formula and the engine do, and the checks pass."""
    import shutil

    book = shutil.copy(books["notes"][1], tmp_path / "blank.xlsm")
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("PreferredDividends")
    wb = load_workbook(book, keep_vba=True)
    assert wb[sheet][ref].value in (0, None)
    wb[sheet][ref].value = None
    wb.save(book)
    report = validate(book, None, ("formulas",))
    assert report.ok, [str(f) for f in report.findings]
    assert report.cells_compared > 100
