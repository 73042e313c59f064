"""``validate``'s comparisons: a figure a leg gives against the engine's (a text, a date, a figure the leg did not
give), each recalculation's own figures (LibreOffice's, not the engine's again), and a formula against the layout's
(a Release sentence's too). A mutation review found each of these unguarded by the tests of its part of the
validator: a mutant letting the comparison pass what it must name survived them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.validate import Expect, _compare, same_figure, validate


def test_a_text_figure_is_the_engines_words_or_the_other_words_it_allows():
    """A mutation review: a text figure agreeing with any text (``same_figure``) survived."""
    e = Expect("ReleaseSentence2", "Example will accept 40,000 notes.", "text")
    assert same_figure(e, "Example will accept 40,000 notes.")
    assert not same_figure(e, "Example will not accept 40,000 notes.") and not same_figure(e, "")
    other_cent = Expect("ReleaseChargeText", "$1.0 million", "text", also=("$1.1 million",))
    assert same_figure(other_cent, "$1.1 million") and not same_figure(other_cent, "$1.2 million")


def test_a_date_figure_a_day_or_a_year_off_is_not_the_same():
    """A mutation review: a date figure agreeing with any date (``same_figure``) survived; a date-time at midnight, as a
    recalculation reads a date back, is the date."""
    e = Expect("EntryDate", dt.date(2024, 5, 15), "date")
    assert same_figure(e, dt.datetime(2024, 5, 15)) and same_figure(e, dt.date(2024, 5, 15))
    assert not same_figure(e, dt.datetime(2024, 5, 16)) and not same_figure(e, dt.date(2004, 5, 15))


def test_a_figure_a_leg_did_not_give_is_a_finding():
    """A mutation review: a figure a leg gave no value for (a blank cell) passed over without a finding survived."""
    findings, notes = [], []
    exp = {("Results", "C28"): Expect("InducedCharge", Decimal("9597836.40"), "money")}
    assert _compare("book.xlsm", exp, {}, "libreoffice", findings, notes) == 1
    assert [(f.where, f.what, f.found, f.leg) for f in findings] == [
        ("Results!C28", "InducedCharge differs from the engine", "a blank cell", "libreoffice")]
    assert notes == []


def _edited(standard_books, tmp_path, edit):
    """A copy of the ``plain`` seed workbook with *edit(wb, lay)* made to it."""
    book = tmp_path / "edited.xlsm"
    wb = load_workbook(standard_books["plain"], keep_vba=True)
    edit(wb, layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)))
    wb.save(book)
    return book


def test_a_release_sentence_typed_over_as_its_own_words_is_named_by_its_formula(standard_books, tmp_path):
    """A mutation review: the Release sheet's formulas passed over in the comparison with the layout's survived.
    A sentence's formula replaced by a formula of its own words computes what the engine says, so every figure
    agrees: only the formula against the layout's tells it (and would not follow a count that moves)."""
    where = []

    def edit(wb, lay):
        sheet, ref = lay.cell("ReleaseSentence2")
        where.append(f"{sheet}!{ref}")
        wb[sheet][ref] = '="Hecla will accept all of the properly tendered shares."'

    report = validate(_edited(standard_books, tmp_path, edit), legs=("formulas",))
    assert [(f.where, f.what, f.leg) for f in report.findings] == [
        (where[0], "formula differs from the layout", "structure")], [str(f) for f in report.findings]


@pytest.mark.libreoffice
def test_the_libreoffice_leg_names_a_figure_its_recalculation_gives_otherwise(standard_books, tmp_path):
    """A mutation review: the LibreOffice leg comparing the engine's figures with themselves, not with what
    LibreOffice recalculated, survived. The Cover's charge made a thousandth of Results' is that leg's finding."""
    where = []

    def edit(wb, lay):
        row, = [row for s, _, item, row in lay.items() if s.title == "Cover" and item.key == "induced_charge"]
        where.append(f"Cover!C{row}")
        wb["Cover"][f"C{row}"] = "=InducedCharge/1000"

    report = validate(_edited(standard_books, tmp_path, edit), legs=("libreoffice",), require_libreoffice=True)
    assert report.legs_run == ["libreoffice"]
    told = [(f.where, f.expected, f.found) for f in report.findings if f.leg == "libreoffice"]
    assert told == [(where[0], "9597836.4", "9597.8364")], [str(f) for f in report.findings]
