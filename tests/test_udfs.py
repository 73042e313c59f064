"""The worksheet functions (issue 3), called the way xlwings calls them.

Excel hands a UDF floats, ``None`` for empty cells, lists for ranges and
datetimes (or serial numbers) for dates.  Each function's result is compared
with the engine's, computed here independently from exact decimals.
"""

from __future__ import annotations

import datetime as dt
import doctest
import io
import sys
from contextlib import redirect_stdout
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repo_paths import ROOT

# The helpers that run xlwings' own VBA generator on Linux live with the
# registry tests; reused here, not copied.
from test_registry_vba import FakeWorkbook, _xlwings_text, xlwings_udfs  # noqa: F401  (fixture)

import xlpy
import xlpy.excel.udfs as udfs
from xlpy.cli import main as cli_main
from xlpy.engine import allocation, charge, eps, ratio, release
from xlpy.engine.compute import compute
from xlpy.engine.model import (
    Consideration,
    HolderTable,
    Offer,
    PriceDay,
    Tally,
    Valuation,
)
from xlpy.engine.numbers import to_decimal
from xlpy.engine.ratio import session_range
from xlpy.excel import registry, vba
from xlpy.excel.args import ERROR_PREFIX, from_serial, to_serial
from xlpy.files.calendars import sessions

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
# the seed and the charge


def test_seed_induced_charge_is_exact_float():
    value = udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39)
    assert type(value) is float and value == 9597836.4
    exact = charge.induced_charge(274000, D("7.94"), D("3.2"), D("7.39"))
    assert exact == D("9597836.40")
    assert value == float(exact)
    # an omitted or empty cash_per_unit is None; a single cell may come as a 1×1 range
    assert udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39, None) == 9597836.4
    assert udfs.INDUCED_CHARGE([[274000.0]], [[7.94]], 3.2, 7.39) == 9597836.4
    assert udfs.INDUCED_CHARGE(274000, 7.94, 3.2, 7.39) == 9597836.4  # ints from Python callers


def test_a_function_computes_under_the_engines_decimal_settings_whatever_the_threads_are():
    """Every UDF module (and an xlwings Lite project's own script) runs in one interpreter: code that set the
    thread's decimal precision to 6 made =INDUCED_CHARGE(274000, 7.94, 3.2, 7.39) 9597840 where OFFER_RESULTS on the
    same interpreter said 9597836.4. Each function now computes under the engine's settings and puts the thread's
    back."""
    import decimal

    calls = (lambda: udfs.INDUCED_CHARGE(274000, 7.94, 3.2, 7.39),
             lambda: udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.3912345678901),
             lambda: udfs.WEIGHTED_SHARES(115000000.0, 2175560.0, 38042.0, 37987.0, 38077.0))
    usual = [call() for call in calls]
    assert usual[0] == 9597836.4
    theirs = decimal.Context(prec=6, rounding=decimal.ROUND_DOWN)
    with decimal.localcontext(theirs) as ctx:
        assert [call() for call in calls] == usual
        assert decimal.getcontext() is ctx and ctx.prec == 6 and ctx.rounding == decimal.ROUND_DOWN
        assert udfs.INDUCED_CHARGE("x", 7.94, 3.2, 7.39).startswith(ERROR_PREFIX)  # a refusal puts it back too
        assert decimal.getcontext() is ctx


@pytest.mark.parametrize(
    "args",
    [
        (274000.0, 7.94, 3.2, 7.39, 1.25),
        (40000.0, 14.2179, 13.3333, 11.83, None),
        (307000.0, 7.94, 3.2154, 8.1, 0.0),
        (0.0, 7.94, 3.2, 7.39, None),
        (1000.0, 3.2, 3.2, 7.39, None),  # R1 = R0: no charge
        (274000.0, 7.94, 3.2, 7.39, 0.123456789012),  # more than 9 decimals: the general path
        (123456789.0, 50 / 15.12, 50 / 15.12, 9.99, None),  # a ratio that does not terminate
    ],
)
def test_induced_charge_matches_engine(args):
    units, r1, r0, price, cash = args
    expected = charge.induced_charge(
        to_decimal(units, "units"), to_decimal(r1, "r1"), to_decimal(r0, "r0"), to_decimal(price, "price"),
        D(0) if cash is None else to_decimal(cash, "cash"),
    )
    assert udfs.INDUCED_CHARGE(*args) == float(expected)


# floats as Excel holds typed figures: up to 6 decimals, or any finite float
_DECIMALS = st.integers(0, 6)
_TYPED = st.builds(lambda n, k: float(D(n).scaleb(-k)), st.integers(1, 10**12), _DECIMALS)
_POSITIVE = st.one_of(_TYPED, st.floats(min_value=1e-9, max_value=1e7, allow_nan=False, allow_infinity=False))


@settings(max_examples=300, deadline=None)
@given(
    units=st.one_of(st.integers(0, 10**9).map(float), st.integers(0, 10**15 - 1).map(float)),
    r0=_POSITIVE,
    extra=st.one_of(st.just(0.0), _POSITIVE),
    price=_POSITIVE,
    cash=st.one_of(st.none(), st.just(0.0), _POSITIVE),
)
def test_induced_charge_fast_path_equals_engine(units, r0, extra, price, cash):
    """Whatever path a float call takes, it gives float(engine result of to_decimal inputs)."""
    r1 = r0 + extra
    expected = charge.induced_charge(
        to_decimal(units, "units"), to_decimal(r1, "r1"), to_decimal(r0, "r0"), to_decimal(price, "price"),
        D(0) if cash is None else to_decimal(cash, "cash"),
    )
    assert udfs.INDUCED_CHARGE(units, r1, r0, price, cash) == float(expected)


def test_induced_charge_typical_floats_take_the_fast_path(monkeypatch):
    calls = []
    real = charge.induced_charge
    monkeypatch.setattr(charge, "induced_charge", lambda *a: calls.append(a) or real(*a))
    assert udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39) == 9597836.4
    assert udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39, 2.5) == 10282836.4
    assert calls == []
    assert udfs.INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39, 0.1234567891) == float(
        real(274000, D("7.94"), D("3.2"), D("7.39"), D("0.1234567891"))
    )
    assert len(calls) == 1  # ten decimals: the general path, through the engine


def test_incremental_shares():
    assert udfs.INCREMENTAL_SHARES(274000.0, 7.94, 3.2) == 1298760
    assert udfs.INCREMENTAL_SHARES(40000.0, 14.2179, 0.0001) == float(
        charge.incremental_shares(40000, D("14.2179"), D("0.0001"))
    )
    assert udfs.INCREMENTAL_SHARES([[274000.0]], 7.94, 7.94) == 0.0


# --------------------------------------------------------------------------- #
# delivery


@pytest.mark.parametrize(
    "units",
    [
        [[150.0], [75.0]],  # a column, as ndim=2 hands it over
        [[150.0, 75.0]],  # a row
        [150.0, 75.0],  # a single row or column without ndim
        [[150.0], [None], [75.0], [None]],  # blank cells skipped
    ],
)
def test_shares_issued_and_cash_in_lieu_per_holder(units):
    d = allocation.deliver([150, 75], D("7.94"), "cash", D("8.31"))
    assert udfs.SHARES_ISSUED(units, 7.94) == d.common_issued == 1786
    assert udfs.SHARES_ISSUED(units, 7.94, None) == 1786
    assert udfs.CASH_IN_LIEU(units, 7.94, 8.31) == float(d.fractional_cash) == 4.155
    assert type(udfs.SHARES_ISSUED(units, 7.94)) is int


def test_counts_up_to_fifteen_digits_are_exact():
    most = 999_999_999_999_999.0
    assert udfs.SHARES_ISSUED(most, 1.0) == 999_999_999_999_999
    assert udfs.PRORATION(most, 1.0) == float(allocation.proration_factor(999_999_999_999_999, 1))
    assert udfs.CASH_IN_LIEU(1e15, 7.94, 10.0).startswith(f"{ERROR_PREFIX} units must be below 1,000,000,000,000,000")


def test_shares_issued_policies_and_aggregate():
    assert udfs.SHARES_ISSUED(274000.0, 7.94) == 2175560
    assert udfs.SHARES_ISSUED([[274000.0]], 7.94) == 2175560
    holders = [[1.0], [3.0], [5.0]]
    for policy in ("cash", "down", "nearest"):
        expected = allocation.deliver([1, 3, 5], D("0.5"), policy).common_issued
        assert udfs.SHARES_ISSUED(holders, 0.5, policy) == expected
    assert udfs.SHARES_ISSUED(holders, 0.5, " Nearest ") == 6  # 0.5, 1.5, 2.5 half up: 1 + 2 + 3
    # per-holder rounding: 40,000 units in 3 lines deliver fewer shares than in one
    assert udfs.SHARES_ISSUED([[13333.0], [13333.0], [13334.0]], 14.2179) == allocation.deliver(
        [13333, 13333, 13334], D("14.2179")
    ).common_issued
    assert udfs.CASH_IN_LIEU(40000.0, 14.2179, 11.5) == 0.0


# --------------------------------------------------------------------------- #
# the ratio by formula


def test_exchange_ratio():
    assert udfs.EXCHANGE_RATIO(66.0, 8.3125, 8.25) == 7.94
    assert udfs.EXCHANGE_RATIO(66.0, 7.5, 8.25) == 8.25
    assert udfs.EXCHANGE_RATIO(66.0, 8.3125, None, None, None) == 7.94
    assert udfs.EXCHANGE_RATIO(66.0, 8.3125, None, 8.0) == 8.0
    assert udfs.EXCHANGE_RATIO(66.0, 8.3125, None, None, 4.0) == float(
        ratio.exchange_ratio(D(66), D("8.3125"), places=4)
    )
    assert udfs.EXCHANGE_RATIO(1.0, 8.0, None, None, 2.0) == 0.13  # 0.125 rounds half away from zero


def _history(first: dt.date, last: dt.date):
    """A synthetic price history on XNYS trading days: (dates, prices, volumes)."""
    days = sessions("XNYS", first, last)
    prices = [round(8 + (i % 7) * 0.0731 - (i % 3) * 0.05, 4) for i in range(len(days))]
    volumes = [1_000_000.0 + 12_345 * (i % 5) for i in range(len(days))]
    return days, prices, volumes


def _engine_vwap(days, prices, volumes, expiration, n=5, lag=2, code="XNYS"):
    history = [PriceDay(d, to_decimal(p, "p"), to_decimal(v, "v")) for d, p, v in zip(days, prices, volumes)]
    window = ratio.averaging_window(expiration, sessions(code, *session_range(expiration, n, lag)), n, lag)
    return ratio.average_price(history, window)


_WEEK = [[dt.datetime(2004, 2, d)] for d in (11, 12, 13, 17, 18)]
_PRICES = [[8.25], [8.30], [8.35], [8.30], [8.3625]]


def _past_records() -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The calendar's last known trading day (it moves with the date the library is run on), and two days after."""
    from xlpy.files.calendars import _calendar

    last = _calendar("XNYS").last_session.date()
    return last, dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), \
        dt.datetime.combine(last + dt.timedelta(days=34), dt.time())


@pytest.mark.parametrize(("call", "said"), [
    (lambda: udfs.OFFER_VWAP(None, None, None, dt.datetime(2004, 2, 20)), "dates is required, got an empty cell"),
    (lambda: udfs.OFFER_VWAP([[None]], [[None]], [[None]], dt.datetime(2004, 2, 20)),
     "dates is required, got an empty cell"),
    (lambda: udfs.OFFER_VWAP(_WEEK, _PRICES, [[0.0]] * 5, dt.datetime(2004, 2, 20)),
     "volumes must total more than 0 over the averaging window, got 0"),
    (lambda: udfs.AVERAGING_WINDOW(_past_records()[1], 1.0, 0.0),
     "expiration is after the records of calendar XNYS: it knows trading days only up to {last} (a year from "
     "this computer's date, {today} UTC: a later day is not known yet, or the computer's clock is behind), got {next}"),
    (lambda: udfs.OFFER_VWAP(_WEEK, _PRICES, [[1.0]] * 5, _past_records()[2]),
     "expiration is after the records of calendar XNYS: it knows trading days only up to {last} (a year from "
     "this computer's date, {today} UTC: a later day is not known yet, or the computer's clock is behind), "
     "got {later}"),
    (lambda: udfs.EXCHANGE_RATIO(1.0, 1e20), "places rounds the ratio 1e-20 to 0: give more decimals or a floor, got 2"),
])
def test_a_price_function_names_the_argument_at_fault(call, said):
    """A blank range is "is required" as a blank argument is; no volume names the volumes; an expiration past the
    calendar's records names the expiration, not the calendar; a quotient whose ten decimals are 0 is shown
    itself, not as 0 (each named the wrong argument or value)."""
    last, after, later = _past_records()
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()  # (the calendar is built to a year from it)
    assert call() == "#xlpy! " + said.format(last=last.isoformat(), next=after.date().isoformat(),
                                             later=later.date().isoformat(), today=today)


def test_offer_vwap_with_datetimes_serials_and_layouts():
    days, prices, volumes = _history(dt.date(2004, 1, 2), dt.date(2004, 2, 27))
    expected = float(_engine_vwap(days, prices, volumes, EXPIRATION))

    def col(xs):
        return [[x] for x in xs]

    as_datetimes = [dt.datetime.combine(d, dt.time()) for d in days]
    as_serials = [float(to_serial(d)) for d in days]
    assert udfs.OFFER_VWAP(col(as_datetimes), col(prices), col(volumes), dt.datetime(2004, 2, 20)) == expected
    assert udfs.OFFER_VWAP(col(as_serials), col(prices), col(volumes), EXPIRATION_SERIAL) == expected
    assert udfs.OFFER_VWAP([as_serials], [prices], [volumes], EXPIRATION_SERIAL, None, None, None) == expected
    assert udfs.OFFER_VWAP(as_datetimes, prices, volumes, EXPIRATION, 5.0, 2.0, "xnys") == expected
    # trailing blank rows of a selected range are skipped
    pad = [[None]] * 3
    assert udfs.OFFER_VWAP(col(as_serials) + pad, col(prices) + pad, col(volumes) + pad, EXPIRATION_SERIAL) == expected
    # other window
    assert udfs.OFFER_VWAP(col(as_serials), col(prices), col(volumes), EXPIRATION_SERIAL, 10.0, 0.0) == float(
        _engine_vwap(days, prices, volumes, EXPIRATION, 10, 0)
    )
    # the Hecla ratio follows from it
    assert udfs.EXCHANGE_RATIO(66.0, expected, 8.25) == float(ratio.exchange_ratio(D(66), D(repr(expected)), D("8.25")))


def test_averaging_window():
    expected = ratio.averaging_window(EXPIRATION, sessions("XNYS", dt.date(2004, 1, 1), EXPIRATION), 5, 2)
    assert (expected[0], expected[-1]) == (dt.date(2004, 2, 11), dt.date(2004, 2, 18))
    want = [[expected[0], expected[-1]]]
    assert udfs.AVERAGING_WINDOW(dt.datetime(2004, 2, 20)) == want
    assert udfs.AVERAGING_WINDOW(EXPIRATION_SERIAL) == want
    assert udfs.AVERAGING_WINDOW(EXPIRATION_SERIAL + 0.75) == want  # a time of day is cut off
    assert udfs.AVERAGING_WINDOW([[EXPIRATION_SERIAL]], 5.0, 2.0, "XNYS") == want
    assert udfs.AVERAGING_WINDOW(EXPIRATION, None, None, None) == want
    three = ratio.averaging_window(EXPIRATION, sessions("XNYS", dt.date(2004, 1, 1), EXPIRATION), 3, 0)
    assert udfs.AVERAGING_WINDOW(EXPIRATION_SERIAL, 3.0, 0.0) == [[three[0], three[-1]]]
    assert all(type(d) is dt.date for d in udfs.AVERAGING_WINDOW(EXPIRATION)[0])


# --------------------------------------------------------------------------- #
# proration


def test_averaging_window_as_long_as_the_calendar_holds():
    # XNYS' records start on 1990-01-02: 3,565 trading days before Hecla's expiration, 3,566 up to it
    first = dt.date(1990, 1, 2)
    assert udfs.AVERAGING_WINDOW(EXPIRATION, 3564.0) == [[first, dt.date(2004, 2, 18)]]
    assert udfs.AVERAGING_WINDOW(EXPIRATION, 3566.0, 0.0) == [[first, EXPIRATION]]
    assert udfs.AVERAGING_WINDOW(EXPIRATION, 1.0, 3565.0) == [[first, first]]


def test_proration_matches_the_engines_count():
    def engine_factor(tendered, cap, odd_lines=(), big_lines=(), odd_lot=None):
        if not odd_lines:
            return allocation.count_tally(Tally(tendered=tendered), cap).proration_factor
        lines = list(odd_lines) + list(big_lines)
        table = HolderTable(
            tuple(f"h{i}" for i in range(len(lines))), tuple(lines), ("book-entry",) * len(lines),
            ("tendered",) * len(lines),
        )
        count = allocation.count_tally(Tally(holders=table), cap, odd_lot)
        assert count.tendered == tendered
        return count.proration_factor

    assert udfs.PRORATION(400000.0, 300000.0) == float(engine_factor(400000, 300000)) == 0.75
    assert udfs.PRORATION(200000.0, 300000.0) == 1.0
    assert udfs.PRORATION(400000.0, 300000.0, None) == 0.75
    odd, big = [50] * 40, [99500] * 4  # 2,000 odd-lot units, 398,000 others
    assert udfs.PRORATION(400000.0, 300000.0, 2000.0) == float(engine_factor(400000, 300000, odd, big, 100))
    # the odd lots alone exceed the cap: everyone prorated alike
    odd, big = [90] * 100, [1000] * 10  # 9,000 odd-lot units
    assert udfs.PRORATION(19000.0, 5000.0, 9000.0) == float(engine_factor(19000, 5000, odd, big, 100))
    # a cap of nothing is no capped offer, as the offer file's max_units (review 64: it gave 0.0)
    assert udfs.PRORATION(1000.0, 0.0) == "#xlpy! max_units must be at least 1, got 0"


# --------------------------------------------------------------------------- #
# EPS


def test_weighted_shares():
    start, end, issued_on = dt.date(2004, 1, 1), dt.date(2004, 3, 31), dt.date(2004, 2, 25)
    expected = float(eps.weighted_shares(115000000, [(2175560, issued_on)], start, end))
    assert udfs.WEIGHTED_SHARES(115000000.0, 2175560.0, 38042.0, 37987.0, 38077.0) == expected
    assert udfs.WEIGHTED_SHARES(
        115000000.0, 2175560.0, dt.datetime(2004, 2, 25), dt.datetime(2004, 1, 1), dt.datetime(2004, 3, 31)
    ) == expected
    assert udfs.WEIGHTED_SHARES(115000000.0, [[2175560.0]], [[38042.0]], 37987.0, 38077.0) == expected
    # several issues: columns of shares and dates, with a blank row
    issues = [(2175560, issued_on), (250000, dt.date(2004, 3, 15))]
    expected = float(eps.weighted_shares(115000000, issues, start, end))
    shares_col = [[2175560.0], [None], [250000.0]]
    dates_col = [[dt.datetime(2004, 2, 25)], [None], [dt.datetime(2004, 3, 15)]]
    assert udfs.WEIGHTED_SHARES(115000000.0, shares_col, dates_col, start, end) == expected
    # both ends of the period are in it: an issue on the last day counts for that one day
    assert udfs.WEIGHTED_SHARES(0.0, 91.0, 38077.0, 37987.0, 38077.0) == 1.0
    assert udfs.WEIGHTED_SHARES(0.0, 91.0, 37987.0, 37987.0, 38077.0) == 91.0
    # an offer settled after the quarter it closed in: its shares count no day of it, as in the engine (the standard
    # workbook's Check calls this function so for an offer accepted on 31 March and settled on 5 April)
    assert udfs.WEIGHTED_SHARES(115000000.0, 2175560.0, 38082.0, 37987.0, 38077.0) == 115000000.0


def test_eps_after():
    expected = eps.basic_eps(D(6200000) - D(0) - D(10900000), D(117500000))
    assert udfs.EPS_AFTER(6200000.0, 0.0, 10900000.0, 117500000.0) == float(expected) == -0.04
    expected = eps.basic_eps(D("6200000") - D("125000.5") - D("9597836.4"), D("115860661.0989"))
    assert udfs.EPS_AFTER(6200000.0, 125000.5, 9597836.4, 115860661.0989) == float(expected)
    # the input is optional (Inputs' blank cell, the offer file's default): an empty cell is none paid, as =N() reads it
    assert udfs.EPS_AFTER(6200000.0, None, 10900000.0, 117500000.0) == -0.04


# --------------------------------------------------------------------------- #
# the announcement


@pytest.mark.parametrize(
    "value, style",
    [(274000.0, None), (3500.0, None), (190777.0, "auto"), (117175560.0, None), (9597836.4, "dollars"),
     (2400000.0, "millions"), (3549.0, "sig2"), (950.0, "thousands"), (-9597836.4, "Dollars")],
)
def test_approx(value, style):
    assert udfs.APPROX(value, style) == release.approx(to_decimal(value, "v"), (style or "auto").lower())


# --------------------------------------------------------------------------- #
# the whole offer and the grid


def test_offer_results_matches_compute_and_the_offer_file():
    table = udfs.OFFER_RESULTS(464777.0, 274000.0, 3500.0, 7.94, 3.2, 7.39, 115000000.0, None)
    assert all(len(row) == 2 for row in table)
    rows = dict((label, value) for label, value in table if label != "warning")
    offer = Offer(
        id="t", issuer="", security="", kind="preferred", outstanding=464777, original_ratio=D("3.2"),
        common_outstanding_before=115000000, expiration=EXPIRATION, consideration=Consideration(ratio=D("7.94")),
        tally=Tally(tendered=274000, guaranteed_delivery=3500), valuation=Valuation(EXPIRATION, D("7.39")),
    )
    expected = compute(offer).to_dict()
    from xlpy.engine.schema import WORKSHEET_ROWS

    assert [label for label, _ in table[:len(WORKSHEET_ROWS)]] == [f.label for f in WORKSHEET_ROWS]
    for f in WORKSHEET_ROWS:
        assert rows[f.label] == float(D(expected[f.key])), f.key
        assert (type(rows[f.label]) is int) == (f.kind == "count"), f.key
    assert rows["induced charge"] == 9597836.4
    assert rows["common issued"] == 2175560 and type(rows["common issued"]) is int
    assert rows["units remaining"] == 190777
    assert rows["common outstanding after"] == 117175560
    assert rows["charge kind"] == "deemed dividend"
    assert [v for k, v in table if k == "warning"] == list(compute(offer).warnings)

    # the same figures as the seed offer file through `xlpy compute`
    from xlpy.files.offerfile import compute_file

    _, seed = compute_file(ROOT / "workbook" / "offers" / "hecla-2004.toml")
    seed_row = seed.to_dict()
    for key in ("units_accepted", "common_issued", "incremental_shares", "induced_charge", "units_remaining",
                "common_outstanding_after"):
        assert rows[key.replace("_", " ")] == float(D(seed_row[key])), key


def test_offer_results_with_cash():
    table = dict(udfs.OFFER_RESULTS(1000.0, 600.0, 0.0, 2.5, 2.0, 10.0, 50000.0, 1.5))
    assert table["induced charge"] == float(charge.induced_charge(600, D("2.5"), D("2"), D("10"), D("1.5")))
    assert table["cash paid"] == 900.0


def test_offer_results_past_the_engines_digits_names_its_arguments_not_an_inner_figure():
    """Review 57: a price of 1e300 beside ratios of 1e-300 said `number cannot be rounded to 6 decimals...`, a name
    of the engine's own, no argument of the function's."""
    assert udfs.OFFER_RESULTS(464777.0, 274000.0, 3500.0, 1e-300, 1e-300, 1e300, 115000000.0) == (
        "#xlpy! price, offer_ratio and original_ratio give a figure that cannot be rounded to 6 decimals in 34 "
        "significant digits: the results cannot be exact, got 1e+300")


def test_charge_grid():
    grid = udfs.CHARGE_GRID(464777.0, 7.94, 3.2, [[7.0], [7.39], [8.0]], [[0.25, 0.5, 1.0]])
    assert grid[0] == ["", 0.25, 0.5, 1.0]
    assert [row[0] for row in grid[1:]] == [7.0, 7.39, 8.0]
    for row, price in zip(grid[1:], ("7", "7.39", "8")):
        for cell, share in zip(row[1:], ("0.25", "0.5", "1")):
            assert cell == float(charge.induced_charge(D(464777) * D(share), D("7.94"), D("3.2"), D(price)))
    # prices as a row and participations as a column give the same grid
    assert udfs.CHARGE_GRID(464777.0, 7.94, 3.2, [[7.0, 7.39, 8.0]], [[0.25], [0.5], [1.0]]) == grid
    # full participation of the tendered units is the seed charge
    assert udfs.CHARGE_GRID(274000.0, 7.94, 3.2, 7.39, 1.0) == [["", 1.0], [7.39, 9597836.4]]


def test_charge_grid_with_cash_is_the_sensitivity_sheets_charge():
    """With the offer's cash per unit, each cell is the charge the Sensitivity sheet (and the validator) expects."""
    from xlpy.files.offerfile import compute_file

    offer, r = compute_file(ROOT / "workbook" / "offers" / "notes-capped-example.toml")
    per_unit = (r.cash_paid - r.fractional_cash) / r.units_accepted
    assert per_unit > 0  # the example pays a sweetener: the grid must count it
    prices, parts = [offer.valuation.price, offer.valuation.price * 2], [D("0.5"), r.participation]
    grid = udfs.CHARGE_GRID(float(offer.outstanding), float(r.offer_ratio), float(r.original_ratio),
                            [[float(p)] for p in prices], [[float(s) for s in parts]], float(per_unit))
    for row, price in zip(grid[1:], prices):
        for cell, part in zip(row[1:], parts):
            want = offer.outstanding * part * ((r.offer_ratio - r.original_ratio) * price + per_unit)
            assert abs(D(repr(cell)) - want) <= D("0.01"), (price, part)
    without = udfs.CHARGE_GRID(float(offer.outstanding), float(r.offer_ratio), float(r.original_ratio),
                               [[float(p)] for p in prices], [[float(s) for s in parts]])
    assert without == udfs.CHARGE_GRID(float(offer.outstanding), float(r.offer_ratio), float(r.original_ratio),
                                       [[float(p)] for p in prices], [[float(s) for s in parts]], 0.0)
    assert all(a > b for a, b in zip(grid[1][1:], without[1][1:]))


def test_xlpy_version():
    assert udfs.XLPY_VERSION() == xlpy.__version__


# --------------------------------------------------------------------------- #
# dates the way Excel numbers them


def test_excel_serial_dates_1900_system():
    assert from_serial(1) == dt.date(1900, 1, 1)
    assert from_serial(59) == dt.date(1900, 2, 28)
    assert from_serial(61) == dt.date(1900, 3, 1)  # serial 60 is Excel's fictitious 29 February 1900
    assert from_serial(38037) == EXPIRATION
    assert from_serial(2958465) == dt.date(9999, 12, 31)
    for day in (dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), EXPIRATION):
        assert from_serial(to_serial(day)) == day
    assert udfs.AVERAGING_WINDOW(60.0) == (
        f"{ERROR_PREFIX} expiration is 29 February 1900, a day that does not exist, got 60"
    )


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
    ("INDUCED_CHARGE", ("274,000", 7.94, 3.2, 7.39), "units", 'must be a number, got "274,000"'),
    ("INDUCED_CHARGE", (274000.0, 3.0, 3.2, 7.39), "offer_ratio", "must not be below original_ratio (3.2)"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, 7.39, -1.0), "cash_per_unit", "must not be negative, got -1"),
    ("INDUCED_CHARGE", (274000.0, float("nan"), 3.2, 7.39), "offer_ratio", "must be a finite number"),
    ("INDUCED_CHARGE", ([[1.0], [2.0]], 7.94, 3.2, 7.39), "units", "must be a single cell"),
    ("INDUCED_CHARGE", (274000.0, 7.94, 3.2, -1e300), "price", "must be > 0, got -1e+300"),
    ("INDUCED_CHARGE", (274000.5, 7.94, 3.2, 7.39), "units", "must be a whole number, got 274000.5"),
    ("INDUCED_CHARGE", (1e15, 7.94, 3.2, 7.39), "units", "must be below 1,000,000,000,000,000"),
    ("INDUCED_CHARGE", ("274,000\n", 7.94, 3.2, 7.39), "units", 'must be a number, got "274,000\\n"'),
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
     "must make value ÷ average_price below 1e32 to round it to 2 decimals (34 significant digits), got 1e-300"),
    ("EXCHANGE_RATIO", (1e300, 8.3), "value",
     "must make value ÷ average_price below 1e32 to round it to 2 decimals (34 significant digits), got 1e+300"),
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
