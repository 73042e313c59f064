"""Identities the engine must keep for any offer (hypothesis).

* remaining + accepted = outstanding;
* shares issued are within rounding of accepted × ratio: below it by less than
  one share per holder when fractions are rounded down, within half a share
  per holder when rounded to nearest;
* the charge is zero when R1 = R0 and no cash is paid;
* the charge is linear in units and in price;
* cash in lieu = fractional shares × their price;
* proration never accepts more than max_units, and odd lots are accepted in full.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpy.engine import (
    Consideration,
    Exchange,
    HolderTable,
    Offer,
    Tally,
    Valuation,
    allocation,
    charge,
    compute,
)
from xlpy.engine.errors import InputErrors

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

POLICIES = ("cash", "down", "nearest")


def decimals(max_units: int, max_places: int = 4, min_units: int = 1):
    """Exact decimals n / 10**p: what a user writes, never a binary float."""
    return st.builds(lambda n, p: D(n).scaleb(-p), st.integers(min_units, max_units), st.integers(0, max_places))


ratios = decimals(200_000, 4)          # up to 20 shares per unit at 4 places, or 200,000 at 0
prices = decimals(50_000, 2)           # up to $500.00
cash = st.one_of(st.just(D(0)), decimals(10_000, 2))


@st.composite
def holder_tables(draw, max_lines: int = 40):
    """Holder lines with repeated ids, every method and status (failed only for guaranteed)."""
    n = draw(st.integers(1, max_lines))
    ids, units, methods, statuses = [], [], [], []
    for _ in range(n):
        method = draw(st.sampled_from(("book-entry", "certificate", "guaranteed")))
        status = draw(st.sampled_from(("tendered", "tendered", "tendered", "withdrawn")
                                      + (("failed",) if method == "guaranteed" else ())))
        ids.append(draw(st.sampled_from([f"H{i}" for i in range(25)])))
        units.append(draw(st.integers(0, 3000)))
        methods.append(method)
        statuses.append(status)
    return HolderTable(tuple(ids), tuple(units), tuple(methods), tuple(statuses))


def base_offer(**changes) -> Offer:
    o = Offer(
        id="p",
        issuer="Property Co",
        security="Convertible Preferred",
        kind="preferred",
        outstanding=1_000_000,
        original_ratio=D("3.2"),
        common_outstanding_before=100_000_000,
        expiration=dt.date(2024, 2, 20),
        consideration=Consideration(ratio=D("7.94")),
        tally=Tally(1000, 0, 0),
        valuation=Valuation(dt.date(2024, 2, 20), D("7.39")),
    )
    return dataclasses.replace(o, **changes)


def per_holder_exact(table: HolderTable) -> dict[str, int]:
    """Tendered units per holder, summed independently of the engine."""
    out: dict[str, int] = {}
    for h, u, s in zip(table.holder_id, table.units, table.status):
        if s == "tendered":
            out[h] = out.get(h, 0) + u
    return out


@SETTINGS
@given(
    outstanding=st.integers(1, 10_000_000),
    data=st.data(),
)
def test_remaining_plus_accepted_is_outstanding_aggregate(outstanding, data):
    tendered = data.draw(st.integers(0, outstanding))
    guaranteed = data.draw(st.integers(0, tendered))
    failed = data.draw(st.integers(0, guaranteed))
    max_units = data.draw(st.one_of(st.none(), st.integers(1, outstanding)))
    later = data.draw(st.integers(0, outstanding - min(tendered - failed, max_units or outstanding)))
    exchanges = (Exchange(dt.date(2024, 3, 1), later, D("7.5"), D("8")),) if later else ()
    r = compute(base_offer(outstanding=outstanding, tally=Tally(tendered, guaranteed, failed),
                           max_units=max_units, exchanges=exchanges))
    assert r.units_remaining + r.units_accepted + later == r.units_outstanding == outstanding
    assert r.units_accepted == min(tendered - failed, max_units if max_units is not None else outstanding)


@SETTINGS
@given(table=holder_tables(), extra=st.integers(0, 100_000), capped=st.booleans(), data=st.data())
def test_remaining_plus_accepted_is_outstanding_holders(table, extra, capped, data):
    live = sum(u for u, s in zip(table.units, table.status) if s != "withdrawn")
    outstanding = max(1, live + extra)
    max_units = data.draw(st.integers(1, outstanding)) if capped else None
    r = compute(base_offer(outstanding=outstanding, tally=Tally(holders=table), max_units=max_units,
                           odd_lot=100 if capped else None))
    assert r.units_remaining + r.units_accepted == outstanding
    assert r.units_tendered == live
    assert r.units_failed_delivery == sum(u for u, s in zip(table.units, table.status) if s == "failed")


@SETTINGS
@given(table=holder_tables(), r1=ratios, policy=st.sampled_from(POLICIES))
def test_issued_within_rounding_of_units_times_ratio(table, r1, policy):
    holders = [u for u in per_holder_exact(table).values() if u > 0]
    # (a carrying amount: fractions forfeited at a ratio near R0 leave holders less than the original terms give,
    # which is then a redemption, not an error; the shares delivered are the same either way)
    r = compute(base_offer(outstanding=10**6, tally=Tally(holders=table), carrying_amount=D(1000),
                           consideration=Consideration(ratio=r1 + D("3.2"), fractional=policy)))
    ratio = r1 + D("3.2")
    exact = r.units_accepted * ratio
    gap = exact - r.common_issued
    assert r.units_accepted == sum(holders)
    assert r.holders_accepted == len(holders)
    if policy == "nearest":
        assert abs(gap) <= D("0.5") * len(holders)
    else:
        assert 0 <= gap < max(len(holders), 1)  # each holder loses less than one share
    assert r.common_issued == sum(_rounded(u * ratio, policy) for u in holders)


def _rounded(x: D, policy: str) -> int:
    whole = int(x)  # x >= 0: int() truncates = floor
    if policy == "nearest" and x - whole >= D("0.5"):
        whole += 1
    return whole


@SETTINGS
@given(units=st.integers(0, 5_000_000), r0=ratios, price=prices, policy=st.sampled_from(("cash", "nearest")))
def test_charge_zero_when_ratio_unchanged_and_no_cash(units, r0, price, policy):
    # R1 = R0 and no cash: holders get exactly what the original terms give.
    o = base_offer(outstanding=max(units, 1), original_ratio=r0, tally=Tally(units, 0, 0),
                   consideration=Consideration(ratio=r0, fractional=policy),
                   valuation=Valuation(dt.date(2024, 2, 20), price))
    if policy == "nearest":
        # one aggregate holder: at most half a share either way, valued at P; rounded down by a cent's worth or
        # more, holders get less than the original terms give: no induced conversion, and no carrying amount given
        try:
            r = compute(o)
        except InputErrors as exc:
            assert "extinguishment.carrying_amount" in str(exc) and "worth less than the original terms give" in \
                str(exc)
        else:
            assert D("-0.005") < r.charge <= price / 2
    else:
        r = compute(o)
        assert r.charge == 0 and r.incremental_shares == 0
    assert charge.induced_charge(units, r0, r0, price) == 0


@SETTINGS
@given(u1=st.integers(0, 2_000_000), u2=st.integers(0, 2_000_000), r0=ratios, step=ratios, price=prices,
       c=cash, a=cash)
def test_charge_linear_in_units(u1, u2, r0, step, price, c, a):
    r1 = r0 + step

    def charge_of(units):
        o = base_offer(outstanding=5_000_000, original_ratio=r0, tally=Tally(units, 0, 0),
                       consideration=Consideration(ratio=r1, cash_per_unit=c, arrears_per_unit=a),
                       valuation=Valuation(dt.date(2024, 2, 20), price))
        return compute(o).charge

    assert charge_of(u1) + charge_of(u2) == charge_of(u1 + u2)
    assert charge_of(u1) == u1 * ((r1 - r0) * price + c + a)


@SETTINGS
@given(units=st.integers(0, 2_000_000), r0=ratios, step=ratios, p1=prices, p2=prices, k=st.integers(1, 50),
       c=cash)
def test_charge_linear_in_price(units, r0, step, p1, p2, k, c):
    r1 = r0 + step

    def charge_of(price, cash_per_unit=D(0)):
        o = base_offer(outstanding=5_000_000, original_ratio=r0, tally=Tally(units, 0, 0),
                       consideration=Consideration(ratio=r1, cash_per_unit=cash_per_unit),
                       valuation=Valuation(dt.date(2024, 2, 20), price))
        return compute(o).charge

    assert charge_of(p1 * k) == k * charge_of(p1)
    assert charge_of(p1 + p2) == charge_of(p1) + charge_of(p2)
    # with cash the charge is affine in price: the cash part does not move
    assert charge_of(p1 + p2, c) - charge_of(p1, c) == charge_of(p2)
    assert charge.induced_charge(units, r1, r0, p1 * k, c) - units * c == k * charge.induced_charge(units, r1, r0, p1)


@SETTINGS
@given(holders=st.lists(st.integers(0, 100_000), min_size=0, max_size=50), ratio=ratios, price=prices)
def test_cash_in_lieu_is_fractional_shares_times_price(holders, ratio, price):
    d = allocation.deliver(holders, ratio, "cash", price)
    exact = sum((u * ratio for u in holders), D(0))
    assert d.fractional_shares == exact - d.common_issued
    assert d.fractional_cash == d.fractional_shares * price
    assert 0 <= d.fractional_shares < max(len(holders), 1)
    down = allocation.deliver(holders, ratio, "down", price)
    assert (down.common_issued, down.fractional_shares, down.fractional_cash) == (
        d.common_issued, d.fractional_shares, 0)


@SETTINGS
@given(table=holder_tables(), fractional_price=prices, r1=ratios)
def test_cash_in_lieu_through_compute(table, fractional_price, r1):
    ratio = r1 + D("3.2")
    # (a carrying amount: cash in lieu priced below P at a ratio near R0 gives holders less than the original
    # terms, which is then a redemption, not an error; the cash in lieu is the same either way)
    r = compute(base_offer(outstanding=10**6, tally=Tally(holders=table), carrying_amount=D(1000),
                           consideration=Consideration(ratio=ratio, fractional_price=fractional_price)))
    assert r.fractional_cash == (r.units_accepted * ratio - r.common_issued) * fractional_price
    assert r.cash_paid == r.fractional_cash


@SETTINGS
@given(table=holder_tables(max_lines=60), odd_lot=st.one_of(st.none(), st.integers(1, 500)), data=st.data())
def test_proration_caps_and_odd_lots(table, odd_lot, data):
    per_holder = {h: u for h, u in per_holder_exact(table).items() if u > 0}
    eligible = sum(per_holder.values())
    max_units = data.draw(st.integers(1, max(eligible, 1) + 100))
    c = allocation.count_tally(Tally(holders=table), max_units=max_units, odd_lot=odd_lot)
    assert c.eligible == eligible
    assert c.accepted <= max_units
    assert len(c.holders) == len(per_holder)
    if eligible <= max_units:
        assert c.accepted == eligible and sorted(c.holders) == sorted(per_holder.values())
        return
    odd = [u for u in per_holder.values() if odd_lot and u < odd_lot]
    if sum(odd) <= max_units:
        # odd lots in full; every other holder floor(units x capacity / rest), capacity and rest net of odd lots
        capacity, rest = max_units - sum(odd), eligible - sum(odd)
        expected = [u if odd_lot and u < odd_lot else u * capacity // rest for u in per_holder.values()]
        assert c.odd_lot_units == sum(odd)
        prorated = len(per_holder) - len(odd)
    else:
        # not even the odd lots fit: everyone prorated alike
        expected = [u * max_units // eligible for u in per_holder.values()]
        assert c.odd_lot_units == 0
        prorated = len(per_holder)
    assert Counter(c.holders) == Counter(expected)
    assert all(a <= u for a, u in zip(sorted(c.holders), sorted(per_holder.values())))
    assert max_units - prorated < c.accepted  # each prorated holder loses less than one unit
