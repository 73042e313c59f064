"""A cash sweetener given in total (``cash_total``) is paid to the units accepted: with none, nothing is paid.

The engine, the journal entry and the workbook's Sweetener formula agree: no charge, no cash credited.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from repo_paths import SEED_TEXT

from xlpy.engine.entries import journal_entry
from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.readback import formulas_table_values
from xlpy.workbook.validate import validate

OFFER = SEED_TEXT.replace('fractional = "cash"\n', 'fractional = "cash"\ncash_total = 250000\n').replace(
    "tendered = 274000\nguaranteed_delivery = 3500\nfailed_delivery = 0\n", "tendered = {tendered}\n")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """{units tendered: (offer file, workbook, offer, results)} for none and for the seed's 274,000."""
    folder = tmp_path_factory.mktemp("cash-total")
    out = {}
    for tendered in (0, 274000):
        path = folder / f"offer-{tendered}.toml"
        path.write_text(OFFER.format(tendered=tendered))
        offer, results = compute_file(path)
        out[tendered] = (path, build_workbook(offer, results, folder / f"book-{tendered}.xlsm"), offer, results)
    return out


def test_no_unit_accepted_no_sweetener_in_the_engine_and_the_entry(books):
    _, _, offer, results = books[0]
    assert (results.units_accepted, results.cash_paid, results.fair_value_offer, results.charge) == (0, 0, 0, 0)
    assert (results.cash_sweetener, results.exchanges[0].cash_per_unit, results.arrears_paid) == (0, 0, 0)
    entry = journal_entry(offer, results)
    assert not [x for x in entry.lines if x.account == "Cash"]
    assert all(not x.debit and not x.credit for x in entry.lines)


def test_units_accepted_share_the_whole_total(books):
    _, _, _, results = books[274000]
    # 274,000 x 7.94 = 2,175,560 shares; charge 9,597,836.40 + the 250,000 paid
    assert (results.cash_paid, results.charge) == (250000, Decimal("9847836.4"))
    # the whole total is the sweetener; 250,000 / 274,000 a unit, carried to 34 digits
    assert (results.cash_sweetener, results.arrears_paid, results.fractional_shares) == (250000, 0, 0)
    assert results.exchanges[0].cash_per_unit == Decimal("0.9124087591240875912408759124087591")


@pytest.mark.parametrize("tendered", [0, 274000])
def test_the_workbook_sweetener_is_the_engines(books, tendered):
    offer_path, book, _, results = books[tendered]
    report = validate(book, offer_path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    cells = {name: lay.cell(name) for name in ("Sweetener", "CashPaid", "InducedCharge")}
    values = formulas_table_values(wb, lay, list(cells.values()))
    got = {name: values[(sheet.upper(), ref)] for name, (sheet, ref) in cells.items()}
    assert got["Sweetener"] == (250000 if tendered else 0)
    assert got["CashPaid"] == pytest.approx(float(results.cash_paid), abs=1e-6)
    assert got["InducedCharge"] == pytest.approx(float(results.charge), abs=1e-6)


@pytest.mark.parametrize("cash, tendered", [("arrears_per_unit = 10", 0), ("arrears_per_unit = 10", 7),
                                            ("cash_per_unit = 2", 0), ("cash_total = 1000", 0)])
def test_the_sensitivity_grid_counts_the_cash_per_unit_as_offered(tmp_path, cash, tendered):
    """The grid's charge at each participation adds the cash as offered (the arrears and a sweetener per unit
    whatever is accepted; a total whole, to whatever is accepted): the workbook and the validator agree, with
    nothing accepted as with some."""
    text = OFFER.replace("cash_total = 250000", cash).format(tendered=tendered)
    path = tmp_path / "grid.toml"
    path.write_text(text)
    offer, results = compute_file(path)
    book = build_workbook(offer, results, tmp_path / "grid.xlsm")
    report = validate(book, path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []
    assert report.cells_compared > 100


def test_the_sensitivity_grid_adds_a_total_once_whatever_the_participation(books):
    """A total of 250,000 is paid whole to the units accepted, however many: the grid took it as 250,000 / 274,000
    a unit and so scaled it with participation (about 106,000 of it at 25%, 424,000 at 100%)."""
    from xlpy.workbook.layout.sensitivity import sensitivity_origin

    offer_path, book, offer, results = books[274000]
    ws = load_workbook(book, data_only=True)["Sensitivity"]
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    top, left = sensitivity_origin(lay)
    for j in range(5):
        part = Decimal(str(ws.cell(top, left + 1 + j).value))
        units = offer.outstanding * part
        want = units * (results.offer_ratio - results.original_ratio) * offer.valuation.price + 250000
        assert Decimal(str(ws.cell(top + 3, left + 1 + j).value)) == pytest.approx(want, abs=Decimal("0.01")), part
    assert ws.cell(top + 3, left + 5).value == pytest.approx(float(results.charge), abs=0.01)  # the offer's own
