"""The worksheet functions (issue 3) as Excel shows and calls them: the registry's Function Wizard text and
examples, bad arguments refused with a short message naming the argument and the value, error cells read as their
text, and the module "Import Functions" writes (the figures of each function: ``test_udfs.py``)."""

from __future__ import annotations

import datetime as dt
import doctest
import io
import math
import sys
from contextlib import redirect_stdout

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repo_paths import ROOT

# The helpers that run xlwings' own VBA generator on Linux live with the
# registry tests; reused here, not copied.
from test_registry_vba import FakeWorkbook, _xlwings_text, xlwings_udfs  # noqa: F401  (fixture)

import xlpy.excel.udfs as udfs
from xlpy.cli import main as cli_main
from xlpy.engine import charge
from xlpy.excel import registry, vba
from xlpy.excel.args import ERROR_PREFIX

ISSUE_3_FUNCTIONS = {
    "INDUCED_CHARGE", "INCREMENTAL_SHARES", "SHARES_ISSUED", "CASH_IN_LIEU", "EXCHANGE_RATIO", "OFFER_VWAP",
    "AVERAGING_WINDOW", "PRORATION", "WEIGHTED_SHARES", "EPS_AFTER", "APPROX", "OFFER_RESULTS", "CHARGE_GRID",
    "XLPY_VERSION",
}

EXPIRATION = dt.date(2004, 2, 20)  # Hecla's offer
EXPIRATION_SERIAL = 38037.0


def specs():
    return [s for s in registry.functions() if s.module == "xlpy.udfs"]


def is_message(value, argument: str) -> bool:
    return isinstance(value, str) and value.startswith(f"{ERROR_PREFIX} {argument} ")


# --------------------------------------------------------------------------- #
# the registry: Function Wizard text and examples


def test_every_issue_3_function_is_registered():
    names = {s.name for s in specs()}
    assert ISSUE_3_FUNCTIONS <= names
    for s in specs():
        assert getattr(udfs, s.name) is s.func
        assert s.category == "xlpy"


@pytest.mark.parametrize("name", sorted(ISSUE_3_FUNCTIONS))
def test_function_wizard_text_and_docstring_example(name):
    spec = registry.get(name)
    assert spec.description and len(spec.description) <= 255
    assert spec.description == spec.func.__doc__.strip().splitlines()[0]
    for a in spec.args:
        assert a.help.strip(), f"{name}: no help for {a.name}"
        assert len(a.help) <= 255  # Excel's limit for an argument description
    doc = spec.func.__doc__
    assert f"={name}(" in doc, "an example formula as typed in a cell"
    parser = doctest.DocTestParser()
    test = parser.get_doctest(doc, dict(vars(udfs)), f"xlpy.udfs.{name}", udfs.__file__, 0)
    assert test.examples, f"{name}: no runnable example"
    assert any(name + "(" in ex.source for ex in test.examples)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = io.StringIO()
    runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()


# --------------------------------------------------------------------------- #
# bad arguments: a short message naming the argument and the value


def _hist():
    days = [[dt.datetime(2004, 2, d)] for d in (11, 12, 13, 17, 18)]
    return days, [[8.0]] * 5, [[100.0]] * 5


BAD_CALLS = [
    # (function, args, argument named, text the message contains)
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, -3.0), "price", "must be > 0, got -3"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, None), "price", "is required, got an empty cell"),
    ("INDUCED_CHARGE", (-5.0, 7.94, 3.2, 7.39), "units", "must not be negative, got -5"),
    ("INDUCED_CHARGE", (True, 7.94, 3.2, 7.39), "units", "must be a number, got TRUE"),
    ("INDUCED_CHARGE", ("274,000", 7.94, 3.2, 7.39), "units",
     'must be a number, not text (a number stored as text: Convert to Number, or VALUE()), got "274,000"'),
    ("INDUCED_CHARGE", (274000.0, 3.0, 3.2, 7.39), "offer_ratio", "must not be below original_ratio (3.2)"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, 7.39, -1.0), "cash_per_unit", "must not be negative, got -1"),
    ("INDUCED_CHARGE", (274000.0, float("nan"), 3.2, 7.39), "offer_ratio", "must be a finite number"),
    ("INDUCED_CHARGE", ([[1.0], [2.0]], 7.94, 3.2, 7.39), "units", "must be a single cell"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, -1e300), "price", "must be > 0, got -1e+300"),
    ("INDUCED_CHARGE", (274000.5, 7.94, 3.2, 7.39), "units", "must be a whole number, got 274000.5"),
    ("INDUCED_CHARGE", (1e15, 7.94, 3.2, 7.39), "units", "must be below 1,000,000,000,000,000"),
    ("INDUCED_CHARGE", ("274,000\n", 7.94, 3.2, 7.39), "units",
     'must be a number, not text (a number stored as text: Convert to Number, or VALUE()), got "274,000\\n"'),
    ("INCREMENTAL_SHARES", (274000.0, "7.94", 3.2), "offer_ratio", "a number stored as text"),
    # review 168: text VALUE() reads, a currency or percent sign, an accounting negative, gets the same way out
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, "$9.60"), "price", 'a number stored as text: Convert to Number, or '
     'VALUE()), got "$9.60"'),
    ("EPS_AFTER", ("$6,200,000", None, 1.0, 117500000.0), "net_income", "a number stored as text"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[7.0]], [["50%"]]), "participations", "a number stored as text"),
    ("INDUCED_CHARGE", ("(1,000)", 7.94, 3.2, 9.6), "units", "a number stored as text"),
    ("INDUCED_CHARGE", ("(1,000", 7.94, 3.2, 9.6), "units", 'must be a number, got "(1,000"'),
    ("INDUCED_CHARGE", ("$", 7.94, 3.2, 9.6), "units", 'must be a number, got "$"'),
    ("AVERAGING_WINDOW", ("2/20/2004",), "expiration", 'must be a date, not text (a date stored as text: '
     'DATEVALUE(), or text written 2004-02-20), got "2/20/2004"'),
    ("AVERAGING_WINDOW", ("20.02.2004",), "expiration", "a date stored as text"),
    ("AVERAGING_WINDOW", ("soon",), "expiration", 'must be a date, got "soon"'),
    # (review 169: text that is no day, written as ISO's or another way, is not told of DATEVALUE())
    ("AVERAGING_WINDOW", ("2004-02-30",), "expiration", 'must be a date, got "2004-02-30"'),
    ("AVERAGING_WINDOW", ("13/13/2004",), "expiration", 'must be a date, got "13/13/2004"'),
    ("AVERAGING_WINDOW", ("Feb 20, 2004",), "expiration", "a date stored as text"),
    ("INDUCED_CHARGE", ("1,000-", 7.94, 3.2, 9.6), "units", "a number stored as text"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, "9.60$"), "price", "a number stored as text"),
    # (review 170: text VALUE() refuses, two signs or two currencies, gets no way out; 2004-2-20 gets one, a day of
    # 1850 none)
    ("INDUCED_CHARGE", ("--5", 7.94, 3.2, 9.6), "units", 'must be a number, got "--5"'),
    ("INDUCED_CHARGE", ("(-1,000)", 7.94, 3.2, 9.6), "units", 'must be a number, got "(-1,000)"'),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, "$9.60$"), "price", 'must be a number, got "$9.60$"'),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, "-$9.60"), "price", "a number stored as text"),
    ("AVERAGING_WINDOW", ("2004-2-20",), "expiration", "a date stored as text"),
    ("AVERAGING_WINDOW", ("1/2/1850",), "expiration", 'must be a date, got "1/2/1850"'),
    # (review 171: VALUE() reads scientific notation too; "E3" and "1E" are no numbers)
    ("INDUCED_CHARGE", ("1E3", 7.94, 3.2, 9.6), "units", "a number stored as text"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, "9.6e-0"), "price", "a number stored as text"),
    ("INDUCED_CHARGE", ("E3", 7.94, 3.2, 9.6), "units", 'must be a number, got "E3"'),
    ("INDUCED_CHARGE", ("1E", 7.94, 3.2, 9.6), "units", 'must be a number, got "1E"'),
    ("INDUCED_CHARGE", ("1e400", 7.94, 3.2, 9.6), "units", 'must be a number, got "1e400"'),  # (review 176: past
    ("INDUCED_CHARGE", ("-1E999999", 7.94, 3.2, 9.6), "units", 'must be a number, got "-1E999999"'),  # Excel's)
    ("SHARES_ISSUED", ([[150.0], ["2"]], 7.94), "units (cell 2)", "a number stored as text"),
    ("INDUCED_CHARGE", ("a\u2028b\tc", 7.94, 3.2, 7.39), "units", 'must be a number, got "a\\u2028b\\tc"'),
    ("INDUCED_CHARGE", (274000.0, 7.94, 1e300, 7.39), "offer_ratio",
     "must not be below original_ratio (1e+300): not an induced conversion, got 7.94"),
    ("INCREMENTAL_SHARES", (274000.0, 7.94, "x"), "original_ratio", 'must be a number, got "x"'),
    ("INCREMENTAL_SHARES", (274000.0, 0.0, 3.2), "offer_ratio", "must be > 0, got 0"),
    ("INCREMENTAL_SHARES", (0.5, 7.94, 3.2), "units", "must be a whole number, got 0.5"),
    ("SHARES_ISSUED", ([[150.0], [2.5]], 7.94), "units (cell 2)", "must be a whole number, got 2.5"),
    ("SHARES_ISSUED", (150.0, 7.94, "up"), "fractional", 'must be one of cash, down, nearest, got "up"'),
    ("SHARES_ISSUED", ([[150.0, 1.0], [2.0, 3.0]], 7.94), "units", "must be one row or one column"),
    ("SHARES_ISSUED", (None, 7.94), "units", "is required"),
    ("SHARES_ISSUED", (1e23, 1.0), "units", "must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly)"),
    ("CASH_IN_LIEU", (150.0, 7.94, 0.0), "price", "must be > 0, got 0"),
    ("CASH_IN_LIEU", (1e23, 7.94, 10.0), "units",
     "must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly), got 1e+23"),
    ("CASH_IN_LIEU", ([[150.0], [1e15]], 7.94, 10.0), "units (cell 2)",
     "must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly), got 1e+15"),
    ("CASH_IN_LIEU", ([[150.0], [-1.0]], 7.94, 8.31), "units (cell 2)", "must not be negative, got -1"),
    ("EXCHANGE_RATIO", (66.0, 0.0), "average_price", "must be > 0, got 0"),
    ("EXCHANGE_RATIO", (66.0, 8.3, 8.0, 9.0), "floor", "must not exceed the cap 8"),
    ("EXCHANGE_RATIO", (66.0, 8.3, None, None, -1.0), "places", "must not be negative, got -1"),
    ("EXCHANGE_RATIO", (-66.0, 8.3), "value", "must be > 0, got -66"),
    ("EXCHANGE_RATIO", (66.0, 8.3125, None, None, 40.0), "places",
     "must be at most 15 (Excel holds 15 digits exactly), got 40"),
    ("EXCHANGE_RATIO", (66.0, 1e-300), "average_price",
     "must make value ÷ average_price below 1e24 to hold it to 10 decimals (34 significant digits), got 1e-300"),
    ("EXCHANGE_RATIO", (1e300, 8.3), "value",
     "must make value ÷ average_price below 1e24 to hold it to 10 decimals (34 significant digits), got 1e+300"),
    ("EXCHANGE_RATIO", (1e24, 1.0), "value",  # (review 116: said below 1e32, which 1e24 is)
     "must make value ÷ average_price below 1e24 to hold it to 10 decimals (34 significant digits), got 1e+24"),
    ("EXCHANGE_RATIO", (66.0, 8.3125, 1e32), "cap",  # (review 116: blamed value, got 66)
     "must be below 1e32 to bound a ratio rounded to 2 decimals (34 significant digits), got 1e+32"),
    ("EXCHANGE_RATIO", (66.0, 8.3125, None, 1e300), "floor",
     "must be below 1e32 to bound a ratio rounded to 2 decimals (34 significant digits), got 1e+300"),
    ("OFFER_VWAP", (*_hist(), "soon"), "expiration", 'must be a date, got "soon"'),
    ("OFFER_VWAP", (*_hist(), EXPIRATION, 0.0), "days", "must be at least 1, got 0"),
    ("OFFER_VWAP", (*_hist(), EXPIRATION, 5.0, -1.0), "lag", "must not be negative, got -1"),
    ("OFFER_VWAP", (*_hist(), EXPIRATION, 1e9), "days", "must be at most 10,000 (trading days, about 40 years)"),
    ("OFFER_VWAP", (*_hist(), EXPIRATION, 5.0, 1e9), "lag", "must be at most 10,000 (trading days, about 40 years)"),
    ("OFFER_VWAP", (*_hist(), EXPIRATION, 5.0, 2.0, "NOPE"), "calendar", 'is not a known exchange calendar'),
    ("OFFER_VWAP", (*_hist(), EXPIRATION, 6.0), "dates",
     'has no row for trading day(s) in the averaging window, got "2004-02-10"'),
    # review 82: the range's size is shown, as another range argument's is
    ("OFFER_VWAP", (_hist()[0], [[8.0]] * 4, _hist()[2], EXPIRATION), "prices",
     "must have as many cells as dates (5), got a range of 4 cells"),
    ("OFFER_VWAP", ([38000.0, 38001.0], [1.0, 2.0, 3.0], [1.0, 2.0], 38005.0), "prices",
     "#xlpy! prices must have as many cells as dates (2), got a range of 3 cells"),
    ("OFFER_VWAP", (_hist()[0], _hist()[1], 100.0, EXPIRATION), "volumes",
     "must have as many cells as dates (5), got a range of 1 cell"),
    ("OFFER_VWAP", (_hist()[0], [[8.0]] * 4 + [[-8.0]], _hist()[2], EXPIRATION), "prices (cell 5)", "must be > 0"),
    # review 168: an error value for a whole range (FILTER finding nothing, a lookup failing), named, not by size
    ("OFFER_VWAP", ("#N/A", *_hist()[1:], EXPIRATION), "dates",
     'must be a range of cells, not an error value (mend the formula or cell it comes from), got "#N/A"'),
    ("OFFER_VWAP", ([["#N/A"]], *_hist()[1:], EXPIRATION), "dates", 'not an error value'),
    ("OFFER_VWAP", (-2146828288 + 2050, *_hist()[1:], EXPIRATION), "dates", 'not an error value (mend the formula '
     'or cell it comes from), got "#CALC!"'),
    ("OFFER_VWAP", (_hist()[0], "#N/A", _hist()[2], EXPIRATION), "prices", 'not an error value'),
    ("OFFER_VWAP", ([[38035.0]], "#N/A", [[5.0]], EXPIRATION), "prices", 'must be a number, got "#N/A"'),
    ("OFFER_VWAP", ([[38028.0]] * 5, *_hist()[1:], EXPIRATION), "dates (cell 2)", "repeats cell 1"),
    # a blank cell for one of the three ranges, beside the others: required, not of the wrong size
    ("OFFER_VWAP", (*_hist()[:2], [[None]], EXPIRATION), "volumes", "is required, got an empty cell"),
    ("OFFER_VWAP", (*_hist()[:2], None, EXPIRATION), "volumes", "is required, got an empty cell"),
    ("OFFER_VWAP", ([[None]], *_hist()[1:], EXPIRATION), "dates", "is required, got an empty cell"),
    ("OFFER_VWAP", (_hist()[0], None, _hist()[2], EXPIRATION), "prices", "is required, got an empty cell"),
    ("AVERAGING_WINDOW", (0.0,), "expiration", "must be a date (a serial number from 1 to 2958465), got 0"),
    ("AVERAGING_WINDOW", (EXPIRATION, 2.5), "days", "must be a whole number, got 2.5"),
    ("AVERAGING_WINDOW", (None,), "expiration", "is required, got an empty cell"),
    ("AVERAGING_WINDOW", (EXPIRATION, 1e9), "days", "must be at most 10,000 (trading days, about 40 years), got 1000000000"),
    ("AVERAGING_WINDOW", (EXPIRATION, 10001.0), "days", "must be at most 10,000 (trading days, about 40 years), got 10001"),
    ("AVERAGING_WINDOW", (EXPIRATION, 1e20), "days", "must be at most 10,000 (trading days, about 40 years)"),
    ("AVERAGING_WINDOW", ("0001-01-05",), "expiration",
     'is before the records of calendar XNYS, which start on 1990-01-02: it has no trading days from 0001-01-01 to '
     '0001-01-05, got "0001-01-05"'),
    ("AVERAGING_WINDOW", (EXPIRATION, 5.0, 1e9), "lag", "must be at most 10,000 (trading days, about 40 years)"),
    ("AVERAGING_WINDOW", (EXPIRATION, 3565.0), "days",
     "must be at most 3,564 with lag 2: calendar XNYS has 3,565 trading days before 2004-02-20 "
     "(its records start on 1990-01-02), got 3565"),
    ("AVERAGING_WINDOW", (EXPIRATION, 1.0, 3566.0), "lag",
     "must be at most 3,565: calendar XNYS has 3,565 trading days before 2004-02-20 "
     "(its records start on 1990-01-02), got 3566"),
    ("AVERAGING_WINDOW", (EXPIRATION, 3567.0, 0.0), "days",
     "must be at most 3,566 with lag 0: calendar XNYS has 3,566 trading days up to 2004-02-20"),
    ("AVERAGING_WINDOW", (EXPIRATION, 5.0, 2.0, 7.0), "calendar", 'must be an exchange calendar code such as "XNYS"'),
    ("PRORATION", (400000.0, -1.0), "max_units", "must be at least 1, got -1"),
    ("PRORATION", (400000.5, 300000.0), "tendered", "must be a whole number, got 400000.5"),
    ("PRORATION", (1000.0, 500.0, 2000.0), "odd_lot_units", "must not exceed tendered (1,000), got 2,000"),
    ("PRORATION", (1e15, 500.0), "tendered", "must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly)"),
    ("PRORATION", (1000.0, 500.0, 1e20), "odd_lot_units", "must be below 1,000,000,000,000,000"),
    ("WEIGHTED_SHARES", (115e6, 1e16, 38042.0, 37987.0, 38077.0), "shares_issued",
     "must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly), got 1e+16"),
    ("OFFER_RESULTS", (1e15, 274000.0, 3500.0, 7.94, 3.2, 7.39, 115e6), "outstanding",
     "must be below 1,000,000,000,000,000"),
    ("WEIGHTED_SHARES", (115e6, 2175560.0, 38042.0, 38077.0, 37987.0), "period_end",
     "must not be before period_start (2004-03-31), got 2004-01-01"),
    ("WEIGHTED_SHARES", (115e6, [[1.0], [2.0]], [[38042.0]], 37987.0, 38077.0), "issue_date",
     "must have as many cells as shares_issued (2), got a range of 1 cell"),
    ("WEIGHTED_SHARES", (1e8, "#N/A", [[38042.0], [38050.0]], 37987.0, 38077.0), "shares_issued",
     'must be a range of cells, not an error value (mend the formula or cell it comes from), got "#N/A"'),
    ("WEIGHTED_SHARES", (1e8, [[5.0], [6.0]], "#REF!", 37987.0, 38077.0), "issue_date", 'got "#REF!"'),
    ("WEIGHTED_SHARES", (-1.0, 2175560.0, 38042.0, 37987.0, 38077.0), "shares_before", "must not be negative"),
    ("WEIGHTED_SHARES", (115e6, [[1.0], [2.0]], [[None]], 37987.0, 38077.0), "issue_date",
     "is required, got an empty cell"),
    ("WEIGHTED_SHARES", (115e6, None, [[38042.0], [38043.0]], 37987.0, 38077.0), "shares_issued",
     "is required, got an empty cell"),
    ("WEIGHTED_SHARES", (115e6, 2175560.0, False, 37987.0, 38077.0), "issue_date", "must be a date, got FALSE"),
    # an issue before the period: silently counted for all of it on top of shares_before
    ("WEIGHTED_SHARES", (115e6, 2175560.0, dt.datetime(2003, 2, 25), dt.datetime(2004, 1, 1), dt.datetime(2004, 3, 31)),
     "issue_date", "must not be before the period (2004-01-01 to 2004-03-31): shares issued before it belong in "
     "shares_before, got 2003-02-25"),
    ("WEIGHTED_SHARES", (115e6, [[1.0], [2.0]], [[38042.0], [37986.0]], 37987.0, 38077.0), "issue_date (cell 2)",
     "must not be before the period (2004-01-01 to 2004-03-31): shares issued before it belong in shares_before, "
     "got 2003-12-31"),
    ("EPS_AFTER", (6.2e6, 0.0, 1.09e7, 0.0), "weighted_shares", "must be > 0, got 0"),
    ("EPS_AFTER", (6.2e6, -1.0, 1.09e7, 1.175e8), "preferred_dividends", "must not be negative, got -1"),
    ("APPROX", ("many",), "value", 'must be a number, got "many"'),
    ("APPROX", (400.0, "thousands"), "value", 'rounds to 0 in thousands: use "auto", got 400'),  # it said "0"
    ("APPROX", (12.0, "millions"), "value", 'rounds to 0 in millions: use "auto", got 12'),  # "0.0 million"
    ("APPROX", (1e300,), "value", "is too large to state (34 significant digits), got 1e+300"),
    ("APPROX", (274000.0, "roughly"), "style",
     'must be one of auto, sig2, thousands, millions, dollars, got "roughly"'),
    ("OFFER_RESULTS", (464777.0, 500000.0, 3500.0, 7.94, 3.2, 7.39, 115e6), "tendered",
     "must not exceed outstanding (464,777), got 500,000"),
    ("OFFER_RESULTS", (464777.0, 274000.0, 300000.0, 7.94, 3.2, 7.39, 115e6), "guaranteed",
     "must not exceed tendered (274,000), got 300,000"),
    ("OFFER_RESULTS", (464777.0, 274000.0, 3500.0, 3.0, 3.2, 7.39, 115e6), "offer_ratio",
     "must not be below original_ratio (3.2): not an induced conversion, got 3"),
    ("OFFER_RESULTS", (0.0, 0.0, 0.0, 7.94, 3.2, 7.39, 115e6), "outstanding", "must be at least 1, got 0"),
    ("OFFER_RESULTS", (464777.0, 274000.0, 3500.0, 7.94, 3.2, 7.39, None), "common_before", "is required"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[7.0], [-1.0]], [[0.5]]), "prices (cell 2)", "must be > 0, got -1"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[7.0]], [[0.5, 60.0]]), "participations (cell 2)",
     "must be from 0 to 1 (0% to 100%), got 60"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[None]], [[0.5]]), "prices", "is required, got an empty cell"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[None], [None]], [[0.5]]), "prices",
     "has no values, got a range of 2 cells"),
    ("SHARES_ISSUED", ([[None]], 7.94), "units", "is required, got an empty cell"),  # a blank cell, as xlwings gives it
    ("EXCHANGE_RATIO", (66.0, 8.3125, 5.0, 9.0), "floor", "must not exceed the cap 5, got 9"),  # as Excel shows 5
    ("AVERAGING_WINDOW", (EXPIRATION, None, None, [["XNYS"], ["XTSE"]]), "calendar",
     "must be a single cell, got a range of 2 cells"),
    # days and lag not given: their defaults do not fit before the calendar's records, so the expiration is named
    ("AVERAGING_WINDOW", (dt.datetime(1990, 1, 8),), "expiration",
     "is too early for a window of 5 trading days with lag 2: calendar XNYS has 4 trading days before 1990-01-08 "
     "(its records start on 1990-01-02), got 1990-01-08"),
    ("AVERAGING_WINDOW", (dt.datetime(1990, 1, 3),), "expiration", "calendar XNYS has 1 trading day before 1990-01-03"),
    # review 116 L3: a code no calendar has is shown as typed (it showed "ABC"); one typed in lower case is matched
    # and named as the library names it
    ("AVERAGING_WINDOW", (EXPIRATION, 5.0, 2.0, " abc "), "calendar", 'is not a known exchange calendar (e.g. XNYS, '
     'XNAS, XTSE, XLON), got "abc"'),
    ("AVERAGING_WINDOW", (dt.datetime(1990, 1, 3), None, None, "xnys"), "expiration",
     "calendar XNYS has 1 trading day before 1990-01-03"),
    ("AVERAGING_WINDOW", (dt.datetime(1990, 1, 3), 1.0), "expiration", "a window of 1 trading day with lag 2"),
    ("AVERAGING_WINDOW", (dt.datetime(1990, 1, 3), None, 3.0), "lag",
     "must be at most 1: calendar XNYS has 1 trading day before 1990-01-03"),
    ("AVERAGING_WINDOW", (dt.datetime(1985, 6, 3),), "expiration",
     "is before the records of calendar XNYS, which start on 1990-01-02: it has no trading days from 1985-05-04 to "
     "1985-06-03, got 1985-06-03"),
    ("CHARGE_GRID", (464777.5, 7.94, 3.2, [[7.0]], [[0.5]]), "units", "must be a whole number, got 464777.5"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[7.0, 8.0], [9.0, 10.0]], [[0.5]]), "prices",
     "must be one row or one column"),
    ("CHARGE_GRID", (464777.0, 7.94, 3.2, [[7.0]], [[0.5]], -1.0), "cash_per_unit", "must not be negative, got -1"),
]


def test_a_result_beyond_excels_largest_number_is_named_not_inf():
    beyond = "is beyond Excel's largest number (about 1.8e308)"
    assert udfs.INDUCED_CHARGE(1e14, 1e300, 3.2, 1e300) == f"{ERROR_PREFIX} the charge {beyond}"
    assert udfs.EPS_AFTER(1e300, 0.0, 0.0, 1e-300) == f"{ERROR_PREFIX} the EPS {beyond}"
    assert udfs.CHARGE_GRID(1e14, 7.94, 3.2, [[7.0], [1e300]], [[1.0]]) == (
        f"{ERROR_PREFIX} the charge for prices (cell 2) {beyond}")
    assert udfs.OFFER_RESULTS(1.0, 1.0, 0.0, 9e14, 3.2, 1e300, 0.0) == (
        f'{ERROR_PREFIX} the row "fair value offer" {beyond}')
    assert udfs.EPS_AFTER(1.7e308, 0.0, 0.0, 1.0) == 1.7e308  # the largest numbers still fit


def test_a_count_result_is_below_10_to_the_15_as_a_count_argument_is():
    # SHARES_ISSUED(274000, 1e300) gave an int of 306 digits; INCREMENTAL_SHARES and OFFER_RESULTS floats past 2^53
    past = "reaches 1,000,000,000,000,000, past the 15 digits Excel holds exactly"
    assert udfs.SHARES_ISSUED(274000.0, 1e300) == f"{ERROR_PREFIX} the number of shares issued {past}, got 2.74e+305"
    assert udfs.SHARES_ISSUED(999999999999999.0, 1.0) == 999999999999999  # the largest count, exact
    assert udfs.SHARES_ISSUED(999999999999999.0, 1.1).startswith(f"{ERROR_PREFIX} the number of shares issued {past}")
    assert udfs.INCREMENTAL_SHARES(1e14, 1e300, 3.2).startswith(
        f"{ERROR_PREFIX} the number of incremental shares {past}, got 1e+314")
    assert udfs.INCREMENTAL_SHARES(999999999999999.0, 1.5, 1.0) == 499999999999999.5
    assert udfs.OFFER_RESULTS(999999999999999.0, 999999999999999.0, 0.0, 7.94, 3.2, 7.39, 0.0) == (
        f'{ERROR_PREFIX} the row "common issued" {past}, got 7.939999999999992e+15')
    assert udfs.WEIGHTED_SHARES(9e14, 9e14, 37987.0, 37987.0, 38077.0) == (
        f"{ERROR_PREFIX} the weighted average of shares {past}, got 1.8e+15")


def test_counts_past_15_digits_are_shown_in_one_form_whatever_their_length():
    """Review 93: 1e+20 beside 99999900000000000000, shown in full for its 20 characters (and 7939999999999992 beside
    1.8e+15): every number of 10^15 and more is shown short, one way."""
    past = "reaches 1,000,000,000,000,000, past the 15 digits Excel holds exactly"
    assert (udfs.SHARES_ISSUED(1e14, 1e6), udfs.INCREMENTAL_SHARES(1e14, 1e6, 1.0)) == (
        f"{ERROR_PREFIX} the number of shares issued {past}, got 1e+20",
        f"{ERROR_PREFIX} the number of incremental shares {past}, got 9.99999e+19")


def test_huge_and_tiny_numbers_give_short_messages_naming_the_argument():
    for s in specs():
        required = [a for a in s.args if not a.optional]
        for i, a in enumerate(s.args):
            for v in (1e300, -1e300, 1e-300):
                args = [1.0] * len(required) + [None] * (len(s.args) - len(required))
                args[i] = v
                result = s.func(*args)
                texts = [c for row in result for c in row] if isinstance(result, list) else [result]
                # text over 255 characters reaches a cell through xlwings' COM server as #VALUE! (issue #456)
                assert all(len(t) <= 255 for t in texts if isinstance(t, str)), (s.name, a.name, v, result)
                if isinstance(result, str) and result.startswith(ERROR_PREFIX):
                    assert len(result) < 160 and "please report" not in result, (s.name, a.name, v, result)
                    assert not result.startswith(f"{ERROR_PREFIX} number "), (s.name, a.name, v, result)


def test_long_numbers_in_a_message_are_shown_short_and_no_text_passes_255_characters():
    # the floor above a tiny cap: the cap was written out in 300 digits, a 346-character message
    tiny_cap = udfs.EXCHANGE_RATIO(66.0, 8.3125, 1e-300, 9.0)
    assert tiny_cap == f"{ERROR_PREFIX} floor must not exceed the cap 1e-300, got 9"
    # one form for a float and a Decimal in one message (the ratio read was shown 1E-299, the float 1e-300)
    assert udfs.INDUCED_CHARGE(274000.0, 1e-300, 1e-299, 7.39) == (
        f"{ERROR_PREFIX} offer_ratio must not be below original_ratio (1e-299): not an induced conversion, got 1e-300")
    assert udfs.APPROX(1e-300) == f"{ERROR_PREFIX} value is too small to state in 255 characters, got 1e-300"
    assert udfs.APPROX(-1e-260, "sig2").startswith(f"{ERROR_PREFIX} value is too small to state")
    assert udfs.APPROX(1e-200) == "0." + "0" * 199 + "10"  # (202 characters: still a figure)
    # any message, however long its parts, is cut to 255 characters, what follows the cut kept
    from xlpy.engine.errors import InputError, InputErrors
    from xlpy.excel.args import cell_message

    long = InputError("units", "x", "must be " + "very " * 100 + "short")
    assert len(cell_message(long)) == 255 and cell_message(long).endswith("...")
    two = cell_message(InputErrors([long, long]))
    assert len(two) == 255 and two.endswith("... (and 1 more problem)")
    assert len(cell_message(ValueError("x" * 300), tail=" (in F; please report)")) == 255
    # a spilled table's text too: the longest warning OFFER_RESULTS writes, of counts near 10^15
    table = udfs.OFFER_RESULTS(999999999999999.0, 999999999999999.0, 999999999999999.0, 7.94, 3.2, 7.39, 0.0)
    assert all(len(c) <= 255 for row in table for c in row if isinstance(c, str)), table


def test_exchange_ratio_places_up_to_fifteen():
    assert udfs.EXCHANGE_RATIO(66.0, 8.3125, None, None, 15.0) == 7.93984962406015


def test_bad_calls_cover_every_function_with_arguments():
    covered = {name for name, *_ in BAD_CALLS}
    assert covered == {s.name for s in specs() if s.args}


@pytest.mark.parametrize("name, args, argument, text", BAD_CALLS, ids=[f"{c[0]}-{c[2]}" for c in BAD_CALLS])
def test_bad_argument_gives_a_cell_message(name, args, argument, text):
    result = getattr(udfs, name)(*args)  # never raises
    assert is_message(result, argument), result
    assert text in result, result
    assert "\n" not in result and "Traceback" not in result
    assert len(result) < 200


# --------------------------------------------------------------------------- #
# error cells: read by xlwings as their text, refused by name


COM_NA = -2146826246  # what COM hands over for a #N/A cell (the VT_ERROR code)
OFFICEJS_NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}  # Office.js, xlwings Lite


def _xlwings_read(monkeypatch, engine_module: str):
    """xlwings' own argument conversion (``conversion.read``), cleaning cells as *engine_module* does.

    The engine modules need pywin32 or a licence key to import, so their
    ``_clean_value_data_element`` (and COM's ``cell_errors``) are taken from
    the installed xlwings' source and run here; the rest of the pipeline is
    xlwings' as imported.
    """
    import ast
    from pathlib import Path
    from types import SimpleNamespace

    import xlwings
    from xlwings import conversion

    path = Path(xlwings.__file__).parent / engine_module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wanted = [
        node for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "_clean_value_data_element"
        or isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "cell_errors" for t in node.targets)
    ]
    namespace = {"time_types": (dt.datetime,), "_com_time_to_datetime": lambda v, b: v, "_is_jsnull": lambda v: False}
    exec(compile(ast.Module(wanted, []), str(path), "exec"), namespace)
    element = namespace["_clean_value_data_element"]
    impl = SimpleNamespace(clean_value_data=lambda data, *how: [[element(c, *how) for c in row] for row in data])
    monkeypatch.setattr(xlwings, "engines", {"excel": SimpleNamespace(impl=impl)})
    return lambda value, options: conversion.read(None, value, dict(options))


@pytest.mark.parametrize("engine_module, na", [("_xlwindows.py", COM_NA), ("pro/_xlofficejs.py", OFFICEJS_NA)])
def test_an_error_cell_is_refused_by_name_never_skipped(monkeypatch, engine_module, na):
    read = _xlwings_read(monkeypatch, engine_module)
    assert read([[150.0], [na]], {"ndim": 2}) == [[150.0], [None]]  # xlwings' default: an error is a blank
    for s in specs():
        for a in s.args:
            assert a.options.get("err_to_str") is True, (s.name, a.name)
    arg = {s.name: {a.name: a.options for a in s.args} for s in specs()}
    units = read([[150.0], [na], [75.0]], arg["SHARES_ISSUED"]["units"])
    assert units == [[150.0], ["#N/A"], [75.0]]
    message = '#xlpy! units (cell 2) must be a number, got "#N/A"'
    assert udfs.SHARES_ISSUED(units, 7.94) == message
    assert udfs.CASH_IN_LIEU(read([[150.0], [na], [75.0]], arg["CASH_IN_LIEU"]["units"]), 7.94, 8.31) == message
    prices = read([[7.0], [na]], arg["CHARGE_GRID"]["prices"])
    assert udfs.CHARGE_GRID(464777.0, 7.94, 3.2, prices, [[1.0]]) == (
        '#xlpy! prices (cell 2) must be a number, got "#N/A"')
    issued = read([[1000.0], [na]], arg["WEIGHTED_SHARES"]["shares_issued"])
    assert udfs.WEIGHTED_SHARES(115e6, issued, [[38042.0], [38043.0]], 37987.0, 38077.0) == (
        '#xlpy! shares_issued (cell 2) must be a number, got "#N/A"')
    single = read(na, arg["INDUCED_CHARGE"]["units"])
    assert single == "#N/A"
    assert udfs.INDUCED_CHARGE(single, 7.94, 3.2, 7.39) == '#xlpy! units must be a number, got "#N/A"'


COM_SPILL, COM_CALC = -2146828288 + 2045, -2146828288 + 2050  # Excel's newer error values, as COM's codes


def test_a_newer_error_value_is_refused_by_name_not_read_as_a_number(monkeypatch):
    """xlwings' COM engine maps only the seven classic error codes: #SPILL!, #CALC! and the rest reached a
    function as a bare int, taken for a number (EPS_AFTER computed with -2146826238 for the net income)."""
    read = _xlwings_read(monkeypatch, "_xlwindows.py")
    arg = {s.name: {a.name: a.options for a in s.args} for s in specs()}
    net = read(COM_CALC, arg["EPS_AFTER"]["net_income"])
    assert net == COM_CALC and type(net) is int  # as xlwings hands it over
    assert udfs.EPS_AFTER(net, None, 9597836.4, 1.2e6) == '#xlpy! net_income must be a number, got "#CALC!"'
    units = read([[150.0], [COM_SPILL]], arg["SHARES_ISSUED"]["units"])
    assert udfs.SHARES_ISSUED(units, 7.94) == '#xlpy! units (cell 2) must be a number, got "#SPILL!"'
    assert udfs.INDUCED_CHARGE(1000.0, 7.94, 3.2, -2146828288 + 2099) == (
        '#xlpy! price must be a number, got "#ERROR 2099"')


# --------------------------------------------------------------------------- #
# xlpy vba: the module "Import Functions" would write


def _run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(list(argv))
    return code, out.getvalue()


def test_xlpy_vba_prints_generate_bas():
    code, text = _run_cli("vba")
    assert code == 0
    assert text == vba.generate_bas(vba.UDF_MODULES)
    for s in specs():
        assert text.count(f"\nFunction {s.name}(") == 1, s.name
        assert f'XLPy.CallUDF("xlpy.udfs", "{s.name}", ' in text
    assert text.count("\nFunction ") == len(specs())
    for sub in ("xlpy_refresh_all", "xlpy_refresh_tenders", "xlpy_refresh_prices", "xlpy_draft_release"):
        assert f"\nSub {sub}()" in text and f'XLPy.CallUDF "xlpy.macros", "{sub}", ' in text
    assert "Function INDUCED_CHARGE(units, offer_ratio, original_ratio, price, Optional cash_per_unit)\n" in text
    assert "Function XLPY_VERSION()\n" in text
    code, addin = _run_cli("vba", "--addin")
    assert code == 0 and addin == vba.generate_bas(vba.UDF_MODULES, addin=True)
    assert "ActiveWorkbook" in addin and "ThisWorkbook" not in addin


def test_xlpy_vba_writes_the_bas_file(tmp_path):
    target = tmp_path / "xlpy_udfs.bas"
    code, text = _run_cli("vba", "-o", str(target))
    assert code == 0 and str(target) in text
    expected = tmp_path / "expected.bas"
    vba.write_bas(expected, vba.generate_bas(vba.UDF_MODULES))
    assert target.read_bytes() == expected.read_bytes()
    assert b"\r\n" in target.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.bas", "xlpy_udfs.bas"]  # no temporary left


def test_xlpy_vba_unwritable_output(tmp_path, capsys):
    assert cli_main(["vba", "-o", str(tmp_path / "missing" / "x.bas")]) == 2
    assert "--output" in capsys.readouterr().err


@pytest.mark.parametrize("folder", [".", "/", "somedir"])
def test_xlpy_vba_output_a_folder_is_one_line(tmp_path, monkeypatch, capsys, folder):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "somedir").mkdir()
    assert cli_main(["vba", "-o", folder]) == 2
    err = capsys.readouterr().err
    assert err == f"xlpy vba: --output: cannot be written (Is a directory), got '{folder}'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["somedir"]  # no temporary left


def test_generate_bas_matches_xlwings_for_xlpy_udfs(xlwings_udfs):  # noqa: F811
    for workbook, addin in [(FakeWorkbook("xlpy.xlsm"), False), (FakeWorkbook("xlpy.xlam"), True)]:
        assert vba.generate_bas("xlpy.udfs", addin=addin) == _xlwings_text(xlwings_udfs, udfs, "xlpy.udfs", workbook)


def test_xlwings_import_udfs_registers_the_wizard_text(xlwings_udfs):  # noqa: F811
    wb = FakeWorkbook("xlpy.xlsm")
    xlwings_udfs.import_udfs("xlpy.udfs", wb)
    assert wb.imported.decode("ascii") == vba.generate_bas("xlpy.udfs")
    options = dict(wb.macro_options)
    for s in specs():
        got = options[f"'xlpy.xlsm'!{s.name}"]
        assert got["Category"] == "xlpy"
        assert got["Description"].startswith(s.description)
        assert got["ArgumentDescriptions"] == ([a.help for a in s.args] or None)


def test_import_does_not_load_exchange_calendars():
    import subprocess

    code = "import sys, xlpy.udfs; print('exchange_calendars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_a_bug_is_still_a_one_line_message(monkeypatch):
    def broken(*args):
        raise KeyError("oops")

    monkeypatch.setattr(charge, "incremental_shares", broken)
    result = udfs.INCREMENTAL_SHARES(274000.0, 7.94, 3.2)
    assert result == f"{ERROR_PREFIX} KeyError: 'oops' (in INCREMENTAL_SHARES; please report)"
    monkeypatch.setattr(charge, "induced_charge", broken)  # its general path (a private function) names it too
    result = udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39, 0.12345678901)
    assert result == f"{ERROR_PREFIX} KeyError: 'oops' (in INDUCED_CHARGE; please report)"


def test_dates_as_text_and_date_objects():
    want = udfs.AVERAGING_WINDOW(EXPIRATION_SERIAL)
    assert udfs.AVERAGING_WINDOW("2004-02-20") == want
    assert udfs.AVERAGING_WINDOW(EXPIRATION) == want


def test_xlpy_udfs_imports_xlwings_at_its_own_top_level():
    """``import xlpy.udfs`` (the module Excel loads) imports xlwings itself, first, not two modules down in the
    registry's decorators: imported there, xlwings' import was measured 30-50 ms slower (benchmarks/bench_udfs.py).
    ``-X importtime`` indents each module by how deep in the import chain it was first imported."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import xlpy.udfs"], env=env,
                         capture_output=True, text=True, check=True).stderr
    depth = {}
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1]
            depth.setdefault(name.strip(), (len(name) - len(name.lstrip()) - 1) // 2)
    assert depth["xlpy.udfs"] == 0
    assert depth["xlwings"] == 1, f"xlwings was first imported {depth['xlwings']} levels down, not by xlpy.udfs itself"
    assert depth["xlpy.excel.udfs"] == 1


@pytest.mark.parametrize(("call", "expected"), [
    (lambda: udfs.SHARES_ISSUED(150.0, 7.64 + 0.3), 1191),  # (=R0+premium, shown 7.94: held 7.9399999999999995)
    (lambda: udfs.CASH_IN_LIEU(150.0, 7.64 + 0.3, 10.0), 0.0),
    (lambda: udfs.SHARES_ISSUED(100.0, 0.01 + 0.09), 10),  # (held 0.09999999999999999)
    (lambda: udfs.SHARES_ISSUED([[150.0], [75.0]], 7.64 + 0.3), 1786),
    (lambda: udfs.SHARES_ISSUED(6.0, 5 / 6), 5),  # (a result standing for no short decimal: here a fraction)
    (lambda: udfs.SHARES_ISSUED(3.0, 100 / 3), 100),
], ids=["sum-ratio", "sum-ratio-cash", "tenth", "sum-ratio-holders", "five-sixths", "hundred-thirds"])
def test_a_ratio_made_by_a_formula_counts_the_shares_its_cell_shows(call, expected):
    """Review 116: a ratio a formula made (=7.64+0.3, shown 7.94) that binary arithmetic held a unit in the last
    place below its decimal was read at its exact binary value: SHARES_ISSUED(150, that) gave 1,190 shares and
    CASH_IN_LIEU the cash of a whole share, where the cell shows 7.94 and Excel's own INT(150*A1) gives 1,191."""
    assert call() == expected


@pytest.mark.parametrize(("call", "expected"), [
    (lambda: udfs.INDUCED_CHARGE(4.35 * 100, 7.94, 3.2, 7.39), udfs.INDUCED_CHARGE(435.0, 7.94, 3.2, 7.39)),
    (lambda: udfs.SHARES_ISSUED([[150.0], [4.35 * 100]], 7.94), 1191 + 3453),  # (cell 2 of a range)
    (lambda: udfs.WEIGHTED_SHARES(4.35 * 100, 1.0, 38042.0, 37987.0, 38077.0),
     udfs.WEIGHTED_SHARES(435.0, 1.0, 38042.0, 37987.0, 38077.0)),
    (lambda: udfs.EXCHANGE_RATIO(66.0, 8.3125, None, None, 2.0000000000000004), 7.94),  # (places)
    (lambda: udfs.INDUCED_CHARGE(434.5, 7.94, 3.2, 7.39), f"{ERROR_PREFIX} units must be a whole number, got 434.5"),
    (lambda: udfs.INDUCED_CHARGE(0.1 + 0.2, 7.94, 3.2, 7.39),
     f"{ERROR_PREFIX} units must be a whole number, got 0.30000000000000004"),
], ids=["units", "units-in-a-range", "shares-before", "places", "a-half-refused", "a-fraction-refused"])
def test_a_count_made_by_a_formula_is_the_whole_number_its_cell_shows(call, expected):
    """Review 136: a count a formula made (=4.35*100, held as 434.99999999999994 and shown 435) was refused with the
    float's digits, where a ratio so made was read as the decimal its cell shows; a count not whole is refused."""
    assert call() == expected


def test_an_offer_results_warning_row_is_cut_to_a_cells_text():
    """Review 136: a warning row of OFFER_RESULTS (the charge written out in full at a price of 1e-300) passed the 255
    characters a function's text cell holds through xlwings on Windows; it is cut with "...", as messages are."""
    rows = udfs.OFFER_RESULTS(464777.0, 274000.0, 3500.0, 7.94, 3.2, 1e-300, 115e6)
    warnings = [text for label, text in rows if label == "warning"]
    assert len(warnings) == 2 and max(map(len, warnings)) == 255 and warnings[0].endswith("...")
    assert all(len(v) <= 255 for row in rows for v in row if isinstance(v, str))


@settings(deadline=None, max_examples=300)
@given(st.integers(1, 10**6), st.integers(1, 10**6), st.integers(0, 4))
def test_a_sum_of_short_decimals_is_read_as_its_decimal_and_a_typed_number_as_typed(a, b, places):
    """The sum of two decimals of up to 4 places, as Excel's arithmetic holds it, is read as that decimal exactly;
    a number of up to 15 significant digits (all one can type) reads as itself."""
    from decimal import Decimal

    from xlpy.excel.args import cell_float, number

    x, y = Decimal(a).scaleb(-places), Decimal(b).scaleb(-places)
    assert cell_float(float(x) + float(y), "ratio") == x + y
    assert number(float(x), "ratio") == x
    typed = Decimal(a * 10**8 + b).scaleb(-places)  # (up to 15 significant digits)
    assert cell_float(float(typed), "ratio") == typed


# --------------------------------------------------------------------------- #
# what a message shows of a value (a mutation review's survivors)


@pytest.mark.parametrize(("call", "said"), [
    (lambda: udfs.INDUCED_CHARGE("x" * 60, 7.94, 3.2, 7.39), 'units must be a number, got "' + "x" * 37 + '..."'),
    (lambda: udfs.SHARES_ISSUED([[150.0, 1.0], [2.0, 3.0], [4.0, 5.0]], 7.94),
     "units must be one row or one column, got a 3×2 range"),
    (lambda: udfs.INDUCED_CHARGE(dt.datetime(2004, 2, 20, 18, 30), 7.94, 3.2, 7.39),
     "units must be a number, got 2004-02-20 18:30:00"),
], ids=["long-text", "block-of-cells", "date-and-time"])
def test_a_message_shows_a_long_text_cut_a_block_by_its_shape_and_a_date_with_its_time(call, said):
    """A text of more than 40 characters is shown by its first 37 and "...", a block of cells by its rows and
    columns, and a date cell holding a time of day with that time."""
    assert call() == f"{ERROR_PREFIX} {said}"


@pytest.mark.parametrize(("call", "said"), [
    (lambda: udfs.WEIGHTED_SHARES(115e6, None, None, 37987.0, 38077.0), "issue_date is required, got an empty cell"),
    (lambda: udfs.OFFER_VWAP([[dt.datetime(2004, 2, 11)], [None], [dt.datetime(2004, 2, 13)]], [[8.0]] * 3,
                             [[100.0]] * 3, EXPIRATION), "dates (cell 2) is required, got an empty cell"),
    (lambda: udfs.AVERAGING_WINDOW(EXPIRATION, None, None, "  "),
     'calendar must be an exchange calendar code such as "XNYS", got "  "'),
    (lambda: udfs.EXCHANGE_RATIO(66.0, 8.3125, 0.0), "cap must be > 0, got 0"),
], ids=["blank-issue", "price-day-without-date", "calendar-of-spaces", "cap-of-0"])
def test_a_blank_that_a_figure_needs_is_required_never_skipped_and_a_bound_of_nothing_is_refused(call, said):
    """An issue left blank (shares and date) is a missing issue, not none; a history row with a price and a volume but
    no date is refused by its cell, not skipped as a blank row; a calendar cell of spaces names no calendar; a cap of
    0 caps every ratio to nothing, and is refused."""
    assert call() == f"{ERROR_PREFIX} {said}"


def test_a_lag_of_every_trading_day_the_calendar_holds_names_the_days_to_lower():
    """XNYS holds one trading day before 1990-01-03: a lag of 1 ends the window on it, so a window of 2 days is too
    long (days named), where a lag of 2 would be past it (lag named)."""
    start = dt.datetime(1990, 1, 3)
    said = "calendar XNYS has 1 trading day before 1990-01-03 (its records start on 1990-01-02)"
    assert udfs.AVERAGING_WINDOW(start, 2.0, 1.0) == f"{ERROR_PREFIX} days must be at most 1 with lag 1: {said}, got 2"
    assert udfs.AVERAGING_WINDOW(start, 1.0, 2.0) == f"{ERROR_PREFIX} lag must be at most 1: {said}, got 2"
    assert udfs.AVERAGING_WINDOW(start, 1.0, 1.0) == [[dt.date(1990, 1, 2), dt.date(1990, 1, 2)]]


# --------------------------------------------------------------------------- #
# the Function Wizard's help says what an omitted argument is


#: (function, argument, the words of its help that state what it is when left out, the value it is then)
DEFAULTS = [
    ("INDUCED_CHARGE", "cash_per_unit", "(optional; empty = 0)", 0.0),
    ("SHARES_ISSUED", "fractional", '"cash" (round down, pay cash; the default)', "cash"),
    ("EXCHANGE_RATIO", "places", "(optional; default 2)", 2.0),
    ("OFFER_VWAP", "days", "(optional; default 5)", 5.0),
    ("OFFER_VWAP", "lag", "(optional; default 2)", 2.0),
    ("OFFER_VWAP", "calendar", '(optional; default "XNYS", the NYSE)', "XNYS"),
    ("AVERAGING_WINDOW", "days", "(optional; default 5)", 5.0),
    ("AVERAGING_WINDOW", "lag", "(optional; default 2)", 2.0),
    ("AVERAGING_WINDOW", "calendar", '(optional; default "XNYS", the NYSE)', "XNYS"),
    ("PRORATION", "odd_lot_units", "(optional; empty = 0)", 0.0),
    ("EPS_AFTER", "preferred_dividends", "(may be an empty argument, as in =EPS_AFTER(A1, , A3, A4); empty = 0)", 0.0),
    ("APPROX", "style", '"auto" (the default)', "auto"),
    ("OFFER_RESULTS", "cash_per_unit", "(optional; empty = 0)", 0.0),
    ("CHARGE_GRID", "cash_per_unit", "(optional; empty = 0)", 0.0),
]
#: Arguments each function is called with to compare an omitted argument with its default.
_DEFAULT_CALLS = {
    "INDUCED_CHARGE": (274000.0, 7.94, 3.2, 7.39, 1.25), "SHARES_ISSUED": ([[1.0], [3.0], [5.0]], 0.5, "nearest"),
    "EXCHANGE_RATIO": (66.0, 8.3125, None, None, 4.0), "OFFER_VWAP": (*_hist(), dt.date(2004, 7, 2), 3.0, 0.0, "XTSE"),
    "AVERAGING_WINDOW": (dt.date(2004, 7, 2), 3.0, 0.0, "XTSE"),  # (Canada Day: XTSE closed, XNYS open)
    "PRORATION": (400000.0, 300000.0, 2000.0),
    "EPS_AFTER": (6.2e6, 125000.5, 1.09e7, 1.175e8), "APPROX": (190777.0, "sig2"),
    "OFFER_RESULTS": (1000.0, 600.0, 0.0, 2.5, 2.0, 10.0, 50000.0, 1.5),
    "CHARGE_GRID": (464777.0, 7.94, 3.2, [[7.0]], [[0.5]], 1.5),
}


@pytest.mark.parametrize(("name", "argument", "words", "default"), DEFAULTS, ids=[f"{n}-{a}" for n, a, *_ in DEFAULTS])
def test_the_help_of_an_optional_argument_states_what_the_function_takes_when_it_is_left_out(name, argument, words,
                                                                                             default):
    """The Function Wizard's help (and xlwings Lite's) says what an empty or omitted argument is, and the function
    takes just that: left out, given as an empty cell, or given as the value the help states, one result
    (EPS_AFTER's preferred_dividends, between required ones, is left empty: ``=EPS_AFTER(A1, , A3, A4)``)."""
    spec = registry.get(name)
    (arg,) = [a for a in spec.args if a.name == argument]
    assert words in arg.help and (arg.optional or argument == "preferred_dividends"), arg
    assert arg.optional or "(optional" not in arg.help, arg  # (one between required ones is not called optional)
    at = [a.name for a in spec.args].index(argument)
    given = list(_DEFAULT_CALLS[name])
    other = spec.func(*given)
    given[at] = None
    left_out = spec.func(*given)
    given[at] = default
    assert left_out == spec.func(*given) != other  # (the call with another value shows the argument counts)


def test_every_optional_argument_s_default_is_stated_but_a_bound_s():
    """Every optional argument is in DEFAULTS, but EXCHANGE_RATIO's cap and floor, which are no bound when empty."""
    optional = {(s.name, a.name) for s in specs() for a in s.args if a.optional}
    assert optional - {(n, a) for n, a, *_ in DEFAULTS} == {("EXCHANGE_RATIO", "cap"), ("EXCHANGE_RATIO", "floor")}


# --------------------------------------------------------------------------- #
# numbers at their edges


def test_a_float_in_the_range_of_coms_error_codes_is_a_number_wherever_it_is_read():
    """COM hands an error value over as an int: a float of the same size is a number, read as one in a one-cell
    range and in an optional count alike, never taken for "#N/A"."""
    na = float(COM_NA)
    assert udfs.EPS_AFTER([[na]], 0.0, 0.0, 1000.0) == udfs.EPS_AFTER(na, 0.0, 0.0, 1000.0) == -2146826.246
    assert udfs.EXCHANGE_RATIO(66.0, 8.3125, None, None, na) == (
        f"{ERROR_PREFIX} places must not be negative, got {na:.0f}")
    assert udfs.AVERAGING_WINDOW(EXPIRATION, na) == f"{ERROR_PREFIX} days must be at least 1, got {na:.0f}"


def test_a_formula_result_two_units_in_the_last_place_from_a_short_decimal_is_that_decimal():
    """``=0.013-0.01`` is held as 0.002999999999999999, two units in the last place below 0.003: read as 0.003, what
    the cell shows, as one a unit away is."""
    from decimal import Decimal

    from xlpy.excel.args import cell_float

    held = 0.013 - 0.01
    assert repr(held) == "0.002999999999999999" and abs(held - 0.003) == 2 * math.ulp(held)
    assert cell_float(held, "ratio") == Decimal("0.003")
    assert udfs.INDUCED_CHARGE(1000.0, held, 0.001, 1.0) == 2.0  # (1,000 × 0.002 × 1, not 1.999999999999999)


def test_a_count_result_of_exactly_10_to_the_15_is_refused_as_a_count_argument_is():
    past = "reaches 1,000,000,000,000,000, past the 15 digits Excel holds exactly, got 1e+15"
    assert udfs.SHARES_ISSUED(500000000000000.0, 2.0) == f"{ERROR_PREFIX} the number of shares issued {past}"
    assert udfs.INCREMENTAL_SHARES(500000000000000.0, 3.0, 1.0) == (
        f"{ERROR_PREFIX} the number of incremental shares {past}")
    assert udfs.SHARES_ISSUED(499999999999999.0, 2.0) == 999999999999998


def test_approx_gives_a_text_of_255_characters_and_refuses_one_longer():
    """255 characters is the longest text a cell shows through xlwings: 1e-252 is stated in 255, 1e-253 is refused."""
    text = udfs.APPROX(1e-252)
    assert len(text) == 255 and text.startswith("0.000") and text.endswith("10")
    assert udfs.APPROX(1e-253) == f"{ERROR_PREFIX} value is too small to state in 255 characters, got 1e-253"
