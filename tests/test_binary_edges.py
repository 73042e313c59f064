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
