"""Every formula the standard workbook writes, and every data validation's title, stays within what Excel opens.

Excel refuses a formula longer than 8,192 characters or nesting functions
more than 64 levels deep ("Excel specifications and limits"); LibreOffice and
the ``formulas`` library accept both, so validation alone would not notice.
The Release sheet's drafted sentences are the longest formulas by far.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from repo_paths import FORMULA, NOTES, ROOT

from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook

MAX_LENGTH = 8192
MAX_NESTING = 64


def nesting(formula: str) -> int:
    """The deepest function nesting of *formula* (parentheses outside string literals)."""
    depth = deepest = 0
    quoted = False
    for ch in formula:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and ch == ")":
            depth -= 1
    return deepest


def test_nesting_counts_parentheses_outside_text():
    assert nesting('=IF(A1="(",ROUND(SUM(B1:B3),2),0)') == 3
    assert nesting('="((("&A1') == 0


def formulas_of(path) -> dict[str, str]:
    wb = load_workbook(path)
    return {f"{ws.title}!{c.coordinate}": c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    """The committed counts workbook, and a holder workbook of each other example (formula ratio; notes with a
    cap, odd lots and a period)."""
    folder = tmp_path_factory.mktemp("limits")
    books = {"committed": ROOT / "workbook" / "offer_results.xlsm"}
    for path in (FORMULA, NOTES):
        offer, results = compute_file(path)
        books[path.stem] = build_workbook(offer, results, folder / f"{path.stem}.xlsm")
    return books


@pytest.mark.parametrize("name", ["committed", FORMULA.stem, NOTES.stem])
def test_every_formula_is_within_excels_limits(workbooks, name):
    found = formulas_of(workbooks[name])
    assert len(found) > 100  # the sheets' formulas were read
    too_long = {where: len(f) for where, f in found.items() if len(f) > MAX_LENGTH}
    too_deep = {where: nesting(f) for where, f in found.items() if nesting(f) > MAX_NESTING}
    assert (too_long, too_deep) == ({}, {})
    # the Release sheet's sentences are the longest: measured, so a change that doubles them is seen here
    longest = max(found, key=lambda where: len(found[where]))
    assert longest.startswith("Release!") and len(found[longest]) < MAX_LENGTH // 2, (longest, len(found[longest]))


#: Excel's most characters in a data validation's error title ([MS-OI29500] 2.1.613): a longer one has Excel repair
#: the file, dropping the rules; LibreOffice and openpyxl take any length.
DV_TITLE_MOST = 32


@pytest.mark.parametrize("name", ["committed", FORMULA.stem, NOTES.stem])
def test_every_validation_title_is_within_excels_limit(workbooks, name):
    """Ten titles of the committed workbook were longer ("Carrying amount of units accepted, in total", 43)."""
    rules = [dv for ws in load_workbook(workbooks[name]).worksheets for dv in ws.data_validations.dataValidation]
    assert len(rules) > 20  # the inputs' rules were read
    assert {dv.errorTitle: len(dv.errorTitle) for dv in rules if len(dv.errorTitle) > DV_TITLE_MOST} == {}
    shortened = {dv.errorTitle: dv.error for dv in rules if dv.errorTitle.endswith("…")}
    assert shortened, "no label is longer than 32 characters: nothing shortened"
    for title, error in shortened.items():  # the whole label stands in the message under the shortened title
        label = error.split(": ")[0]
        assert len(label) > DV_TITLE_MOST and label.startswith(title[:-1]), (title, error)
    assert shortened.get("Carrying amount of units…") in (
        "Carrying amount of units accepted: Enter a number, 0 or more.",
        "Carrying amount of units accepted, in total: Enter a number, 0 or more.")
