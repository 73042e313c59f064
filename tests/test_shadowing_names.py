"""A name of one sheet only, spelled as one of the layout's, hides the workbook's name on that sheet.

Excel's Name Manager makes one with the scope set to a sheet: ``Price`` = 10
on Results changes every Results figure that reads ``Price``, in Excel and
in LibreOffice, while the workbook's own ``Price`` is untouched.  ``validate``
names it as a structure finding, on every leg (the `formulas` leg alone
would not see the figures move).
"""

from __future__ import annotations

import shutil

from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName
from repo_paths import SEED

from xlpy.workbook.validate import validate


def test_a_sheet_only_name_hiding_a_layout_name_is_a_finding(standard_books, tmp_path):
    book = tmp_path / "shadow.xlsm"
    shutil.copy(standard_books["plain"], book)
    assert validate(book, SEED, legs=("formulas",)).findings == []
    wb = load_workbook(book, keep_vba=True)
    wb["Results"].defined_names["price"] = DefinedName("price", attr_text="10")  # Excel compares names without case
    wb.save(book)
    report = validate(book, SEED, legs=("formulas",))
    shadow = [f for f in report.findings if f.where.startswith("name price")]
    assert [(f.where, f.what, f.found) for f in shadow] == [
        ("name price (Results only)", "a name of this sheet only hides the workbook's name Price in its formulas",
         "10")]
