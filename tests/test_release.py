"""The results paragraph: the engine's words, and the Release sheet's native formulas giving the same words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlpy.engine.release import approx


@pytest.mark.parametrize(("value", "style", "words"), [
    ("10521246", "dollars", "$10.5 million"),
    ("16280487.62", "dollars", "$16.3 million"),
    ("123456789", "dollars", "$123.5 million"),
    ("9597836.4", "dollars", "$9.6 million"),
    ("999500", "dollars", "$1.0 million"),
    ("999499.99", "dollars", "$999,000"),
    ("-20420", "dollars", "-$20,000"),
    ("999600", "auto", "1.0 million"),
    ("999499", "auto", "999,000"),
    ("9960000", "auto", "10 million"),
    ("9949999", "auto", "9.9 million"),
    ("117175560", "auto", "117 million"),
    ("9960000", "millions", "10 million"),
])
def test_money_keeps_a_decimal_of_millions_and_the_bracket_follows_the_rounding(value, style, words):
    assert approx(Decimal(value), style) == words


@pytest.mark.parametrize("style", ["auto", "dollars", "millions"])
def test_the_new_brackets_in_excel_formulas_match_the_engine(style):
    """The Release sheet's native approximation gives the engine's words at the brackets' edges."""
    import formulas

    from xlpy.workbook.formulas_access import register_functions
    from xlpy.workbook.layout import approx_formula

    register_functions()  # ROUND as Excel rounds
    for text in ("999500", "999499", "999600", "9949999", "9950000", "9960000", "10521246", "16280487.62",
                 "123456789", "-20420", "-999500", "2450000"):
        if style == "millions" and text == "-20420":
            continue  # "-0.0 million": a millions style is never asked of a figure that small
        compiled = formulas.Parser().ast("=" + approx_formula(f"({text})", style))[1].compile()
        got = compiled()
        got = str(got.item() if hasattr(got, "item") else got)
        assert got == approx(Decimal(text), style), (style, text, got)
