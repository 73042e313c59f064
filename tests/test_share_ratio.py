"""A ratio a formula makes as a fraction (``=1000/38.5``, ``=2/3``) is that fraction to the delivery functions.

SHARES_ISSUED and CASH_IN_LIEU read their ratio through :func:`xlpy.excel.args.share_ratio`: a float within two
units in the last place of a fraction of small denominator, other than the decimal it is read as, is that fraction,
and the engine's :func:`~xlpy.engine.allocation.deliver` counts shares on it.  They read a ratio at its shortest
text, where 77 notes at ``=1000/38.5`` (25.974025974025974) were 1,999.999999999999998 shares: 1,999 shares and
the cash of almost a whole one, where the holder is owed 2,000 (2000/77 × 77).
"""

from __future__ import annotations

import math
from decimal import Decimal as D
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlpy.excel.udfs as udfs
from xlpy.engine.allocation import deliver
from xlpy.engine.errors import InputError
from xlpy.excel.args import MOST_DENOMINATOR, cell_float, share_ratio


@pytest.mark.parametrize(("value", "expected"), [
    (2 / 3, F(2, 3)),
    (5 / 6, F(5, 6)),
    (1000 / 38.5, F(2000, 77)),  # a conversion rate: face over conversion price
    (1000 / 38.47, F(100000, 3847)),
    (100 / 3, F(100, 3)),
    (1000 / 10.01, F(100000, 1001)),  # (its float is 99.9000999000999, 15 digits: Excel shows it so)
    (1000 / 111.69, F(100000, 11169)),  # (review 121: a unit in the last place from 8.95335303071, a short decimal)
    (1000 / 100.01, F(100000, 10001)),  # (its float is 9.99900009999, 12 digits, a rounded fraction)
    (0.6666666666666666, F(2, 3)),  # a float of 16 digits from Python is taken as a formula's
    ([[2 / 3]], F(2, 3)),  # a one-cell range
    (math.pi, D("3.141592653589793")),  # near no small fraction: its shortest text, as before
    (math.sqrt(2), D("1.4142135623730951")),
    (7.64 + 0.3, D("7.94")),  # a short decimal first, as before
    (0.01 + 0.09, D("0.1")),
    (7.94, D("7.94")),  # typed: as typed
    (0.666666666667, D("0.666666666667")),  # typed 12 digits: as typed, though near 2/3
    (25.974025974026, D("25.974025974026")),  # 2000/77 typed to 14 digits is 7 units in the last place off it
    (274000.0, D("274000.0")),
    (1e20 / 3, D("3.333333333333333E+19")),  # past 2^50 no denominator keeps a match unique: its shortest text
], ids=["2/3", "5/6", "1000/38.5", "1000/38.47", "100/3", "1000/10.01", "1000/111.69", "1000/100.01", "typed-16-digits",
        "range", "pi", "sqrt2",
        "7.64+0.3", "0.01+0.09", "7.94", "typed-12-digits", "typed-14-digits", "whole", "huge"])
def test_a_ratio_is_read_as_the_fraction_a_formula_made(value, expected):
    got = share_ratio(value, "ratio")
    assert type(got) is type(expected)
    assert got == expected
    assert str(got) == str(expected)


@pytest.mark.parametrize("value", [-2 / 3, 0.0, "2/3", None, True, math.inf, [[1.0, 2.0]]])
def test_a_ratio_that_is_no_positive_number_is_refused_as_before(value):
    from xlpy.excel.args import positive

    with pytest.raises(InputError) as got:
        share_ratio(value, "ratio")
    with pytest.raises(InputError) as before:
        positive(value, "ratio")
    assert str(got.value) == str(before.value)


def test_the_denominator_bound_keeps_the_match_unique():
    """Two fractions of denominators at most q are 1/q² apart or more; both within 2 ulp of a float, they are within
    4 ulp of each other: q² × 4 ulp < 1 leaves one.  10^6 does so below 2,048, and the bound shrinks above."""
    assert MOST_DENOMINATOR**2 * 4 * F(math.ulp(2047.9)) < 1 <= MOST_DENOMINATOR**2 * 4 * F(math.ulp(2048.0))
    # above 2,048: a denominator of 741,455 still (741455² × 4 × 2^-41 < 1), one of 999,983 no longer
    assert share_ratio((2048 * 741455 + 1) / 741455, "ratio") == F(2048 * 741455 + 1, 741455)
    assert share_ratio((2048 * 999983 + 1) / 999983, "ratio") == D("2048.000001000017")


@pytest.mark.parametrize(("call", "expected", "before"), [
    (lambda: udfs.SHARES_ISSUED(3.0, 2 / 3), 2.0, 1),  # =INT(3*A1) is 2
    (lambda: udfs.CASH_IN_LIEU(6.0, 5 / 6, 10.0), 0.0, 4e-15),
    (lambda: udfs.SHARES_ISSUED(77.0, 1000 / 38.5), 2000.0, 1999),
    (lambda: udfs.CASH_IN_LIEU(77.0, 1000 / 38.5, 38.5), 0.0, 38.49999999999992),
    (lambda: udfs.SHARES_ISSUED([[77.0], [154.0], [1.0]], 1000 / 38.5), 6025.0, 6023),
    (lambda: udfs.SHARES_ISSUED(19.0, 1000 / 38), 500.0, 499),
    (lambda: udfs.SHARES_ISSUED(1001.0, 1000 / 10.01), 100000.0, 99999),
    (lambda: udfs.CASH_IN_LIEU(3847.0, 1000 / 38.47, 38.47), 0.0, 1.581117e-11),
    (lambda: udfs.CASH_IN_LIEU(1.0, 2 / 3, 3.0), 2.0, 1.9999999999999998),  # 2/3 of a share at 3
    (lambda: udfs.SHARES_ISSUED(3.0, 1 / 6, "nearest"), 1.0, 0),  # half a share, rounded up
], ids=["2/3", "5/6-cash", "1000/38.5", "1000/38.5-cash", "holders", "1000/38", "1000/10.01", "1000/38.47-cash",
        "2/3-cash", "nearest"])
def test_the_delivery_functions_count_a_fraction_exactly(call, expected, before):
    """*before*: what they gave reading the ratio at its shortest text."""
    got = call()
    assert got == expected and type(got) is type(expected)
    assert got != before


@pytest.mark.parametrize(("call", "expected"), [
    (lambda: udfs.CASH_IN_LIEU(1.0, math.pi, 10.0), float((D(repr(math.pi)) - 3) * 10)),
    (lambda: udfs.SHARES_ISSUED(10**9, math.pi), 3141592653),
    (lambda: udfs.CASH_IN_LIEU([[150.0], [75.0]], 7.94, 8.31), 4.155),
    (lambda: udfs.CASH_IN_LIEU(150.0, 7.64 + 0.3, 10.0), 0.0),
    (lambda: udfs.CASH_IN_LIEU(3.0, 0.666666666667, 1000.0), float(D("0.000000000001") * 1000)),
])
def test_a_ratio_near_no_fraction_typed_or_a_short_decimal_gives_what_it_gave(call, expected):
    assert call() == expected


_BELOW = 2048  # (ratios below it: denominators up to MOST_DENOMINATOR)


@st.composite
def fractions_and_units(draw):
    q = draw(st.integers(1, MOST_DENOMINATOR))
    p = draw(st.integers(1, _BELOW * q - 1))
    units = draw(st.one_of(st.integers(1, 10**6), st.integers(1, 10**6 // q).map(lambda k: k * q)))
    return p, q, units


@settings(deadline=None, max_examples=300)
@given(fractions_and_units())
def test_shares_issued_of_a_formulas_fraction_is_the_floor_of_units_times_it(case):
    """For any p/q (q up to 10^6, below 2,048) and units: floor(units × p/q), as the holder is owed; units a
    multiple of q are owed whole shares and no cash, a float that is also within 2 ulp of a short decimal
    included (1000/111.69, review 121)."""
    p, q, units = case
    x = p / q
    assert share_ratio(x, "ratio") == F(p, q)
    assert udfs.SHARES_ISSUED(float(units), x) == units * p // q
    if units % q == 0:
        assert udfs.CASH_IN_LIEU(float(units), x, 38.5) == 0.0


@settings(deadline=None, max_examples=300)
@given(st.integers(1, 10**12 - 1), st.integers(4, 15), st.integers(1, 10**6))
def test_a_number_of_12_digits_or_fewer_is_read_as_before(digits, places, units):
    """A typed number of up to 12 significant digits, and a sum of such, give the results they gave: the
    engine's on the decimal; but one within 2 ulp of a fraction of small denominator other than itself (a rounded
    fraction: 9.99900009999 for 1000/100.01) is that fraction, no more than 2 ulp from it."""
    typed = D(digits).scaleb(-places)
    for x in (float(typed), float(typed) + 0.3):
        before = cell_float(x, "ratio")
        if len(before.as_tuple().digits) > 12:
            continue  # (a sum that is no short decimal)
        got = share_ratio(x, "ratio")
        if type(got) is F:
            assert got != F(before) and abs(got - F(x)) <= 2 * F(math.ulp(x)) and got.denominator <= MOST_DENOMINATOR
            continue
        assert got == before and type(got) is D
        d = deliver(units, before, "cash", D("8.31"))
        assert udfs.SHARES_ISSUED(float(units), x) == d.common_issued
        assert udfs.CASH_IN_LIEU(float(units), x, 8.31) == float(d.fractional_cash)


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=5), st.integers(1, 10**6), st.integers(0, 6),
       st.sampled_from(["cash", "down", "nearest"]))
def test_deliver_a_fraction_that_is_a_decimal_gives_the_decimals_values(holders, digits, places, policy):
    """A Fraction ratio that is a finite decimal delivers what the Decimal does: the same shares, fractions
    and cash, in value."""
    ratio = D(digits).scaleb(-places)
    a, b = deliver(holders, ratio, policy, D("8.31")), deliver(holders, F(ratio), policy, D("8.31"))
    assert (a.common_issued, a.fractional_shares, a.fractional_cash) == (
        b.common_issued, b.fractional_shares, b.fractional_cash)
    assert type(b.fractional_shares) is type(b.fractional_cash) is D


def test_deliver_a_fraction_of_a_share_that_is_no_decimal():
    """Its fractional shares are the engine's 34 digits; the cash is the exact fraction times the price, rounded
    once: a third of a share at 3 is 1 exactly."""
    d = deliver([1, 4], F(1, 3), "cash", D("3"))
    assert (d.common_issued, d.fractional_shares, d.fractional_cash) == (1, D("0.6666666666666666666666666666666667"),
                                                                         D("2"))
    assert deliver(77, F(2000, 77), "down", D("38.5")).fractional_cash == 0
    assert deliver(78, F(2000, 77), "nearest").common_issued == 2026  # 2025.97...


@pytest.mark.parametrize(("name", "args"), [
    ("INCREMENTAL_SHARES", (150.0, 7.64 + 0.3, 3.2)),
    ("INDUCED_CHARGE", (150.0, 7.64 + 0.3, 3.2, 0.1 + 0.2)),
    ("EPS_AFTER", (1000.0, 0.1 + 0.2, 7.64 + 0.3, 150.0)),
])
def test_a_one_cell_range_is_read_as_its_cell_is(name, args):
    """A number given as a one-cell range (``[[x]]``, as xlwings hands a range argument over) was read by its
    exact binary value, where the cell itself is read as the short decimal it stands for (INCREMENTAL_SHARES
    gave 710.9999999999999 for the range, 711 for the cell)."""
    f = getattr(udfs, name)
    as_cells = f(*args)
    assert isinstance(as_cells, float), as_cells
    assert f(*([[a]] for a in args)) == as_cells
    assert f(*(((a,),) for a in args)) == as_cells


@pytest.mark.parametrize(("value", "expected"), [
    (1000 / 8237.29, F(100000, 823729)),  # 1.43 ulp from its fraction
    (math.nextafter(math.nextafter(2 / 3, 1), 1), F(2, 3)),  # 1.67 ulp
    (1 + 2**-19 + 2**-51, F(524289, 524288)),  # exactly 2 ulp: taken
    (math.nextafter(math.nextafter(math.nextafter(2 / 3, 1), 1), 1), D("0.666666666666667")),  # 2.67 ulp: not
], ids=["1.43-ulp", "1.67-ulp", "2-ulp", "2.67-ulp"])
def test_within_two_units_in_the_last_place_and_no_further(value, expected):
    """Review 121: the bound of 2 ulp, each side of it."""
    got = share_ratio(value, "ratio")
    assert type(got) is type(expected) and got == expected


def test_deliver_a_fractions_cash_is_rounded_once_to_34_digits():
    """Review 121: the exact fraction of a share times the price, rounded once (not the rounded fraction times it)."""
    assert deliver(1, F(1, 3), "cash", D("1")).fractional_cash == D("0.3333333333333333333333333333333333")
    assert deliver(1, F(1, 7), "cash", D("7.5")).fractional_cash == D("1.071428571428571428571428571428571")
