"""The vectorised allocation (xlpy.files.vector) gives exactly what the engine's Decimal path gives.

Random tallies (sizes, repeated holders, every method and status, units near
the int64 bounds), ratios with up to 6 decimals, every fractional policy,
capped offers with odd lots: the Count and the Delivery must be identical
(per-holder shares compared as multisets: neither path promises an order),
and so must every result of a full compute.  Where a product or sum could
reach 2**63 the vectorised path must hand the step to the engine.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal as D

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import base_offer

from xlpy.engine import Consideration, HolderTable, InputErrors, Tally, allocation, compute
from xlpy.files import vector
from xlpy.files.sources import read_tally

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICIES = ("cash", "down", "nearest")
EVERY_LINE = vector.Allocator(min_lines=0)  # the vectorised path on tallies of any length


def decimals(max_digits: int, max_places: int):
    return st.builds(lambda n, p: D(n).scaleb(-p), st.integers(1, 10**max_digits), st.integers(0, max_places))


@st.composite
def tables(draw, max_lines: int = 60, max_units: int = 5000):
    """Holder lines: ids from a small pool (so holders repeat), every method and status."""
    n = draw(st.integers(0, max_lines))
    pool = draw(st.integers(1, 30))
    ids, units, methods, statuses = [], [], [], []
    for _ in range(n):
        method = draw(st.sampled_from(("book-entry", "certificate", "guaranteed")))
        failed = ("failed",) if method == "guaranteed" else ()
        status = draw(st.sampled_from(("tendered", "tendered", "withdrawn", *failed)))
        ids.append(f"H{draw(st.integers(0, pool))}")
        units.append(draw(st.integers(0, max_units)))
        methods.append(method)
        statuses.append(status)
    return HolderTable(tuple(ids), tuple(units), tuple(methods), tuple(statuses))


def same_count(a: allocation.Count, b: allocation.Count) -> None:
    for f in dataclasses.fields(allocation.Count):
        if f.name != "holders":
            assert getattr(a, f.name) == getattr(b, f.name), f.name
    assert Counter(map(int, a.holders)) == Counter(map(int, b.holders))


def capped(data, table):
    live = sum(u for u, s in zip(table.units, table.status) if s != "withdrawn")
    max_units = data.draw(st.one_of(st.none(), st.integers(1, max(1, live))))
    odd_lot = data.draw(st.one_of(st.none(), st.integers(0, 3000)))
    return max_units, odd_lot


@SETTINGS
@given(table=tables(), data=st.data())
def test_count_is_the_engines(table, data):
    max_units, odd_lot = capped(data, table)
    tally = Tally(holders=table)
    fast = vector.count_tally(tally, max_units, odd_lot, min_lines=0)
    assert isinstance(fast.holders, np.ndarray)  # the vectorised path did run
    same_count(fast, allocation.count_tally(tally, max_units, odd_lot))


@SETTINGS
@given(holders=st.lists(st.integers(0, 10**9), max_size=50), r=decimals(9, 6),
       policy=st.sampled_from(POLICIES), price=decimals(6, 4))
def test_deliver_is_the_engines(holders, r, policy, price):
    fast = vector.deliver(np.array(holders, dtype=np.int64), r, policy, price)
    assert fast == allocation.deliver(holders, r, policy, price)


@SETTINGS
@given(table=tables(), r=decimals(7, 4), policy=st.sampled_from(POLICIES), data=st.data())
def test_compute_is_the_engines(table, r, policy, data):
    max_units, odd_lot = capped(data, table)
    live = sum(u for u, s in zip(table.units, table.status) if s != "withdrawn")
    offer = base_offer(outstanding=max(1, live) + 10, tally=Tally(holders=table), max_units=max_units,
                       odd_lot=odd_lot, consideration=Consideration(ratio=r + D("3.2"), fractional=policy),
                       carrying_amount=D(1000))  # (fractions forfeited near R0: a redemption, not an error)
    assert compute(offer, allocator=EVERY_LINE).to_dict() == compute(offer).to_dict()


@SETTINGS
@given(table=tables(max_lines=8, max_units=2**62), data=st.data())
def test_units_near_the_bounds(table, data):
    """Units up to 2**62: sums that could pass 2**63 go to the engine, the rest stay exact."""
    max_units, odd_lot = capped(data, table)
    tally = Tally(holders=table)
    fast = vector.count_tally(tally, max_units, odd_lot, min_lines=0)
    same_count(fast, allocation.count_tally(tally, max_units, odd_lot))
    if max(table.units, default=0) * len(table) >= 2**63:
        assert isinstance(fast.holders, tuple)  # the engine counted


def test_a_sum_past_int64_is_left_to_the_engine():
    table = HolderTable(("A", "B", "A"), (2**62, 2**62, 2**62), ("book-entry",) * 3, ("tendered",) * 3)
    fast = vector.count_tally(Tally(holders=table), min_lines=0)
    assert isinstance(fast.holders, tuple)
    assert sorted(fast.holders) == [2**62, 2**63]


def test_a_proration_product_past_int64_is_left_to_the_engine():
    units = (2**40, 3, 2**40 + 7)
    table = HolderTable(("A", "B", "C"), units, ("book-entry",) * 3, ("tendered",) * 3)
    tally = Tally(holders=table)
    max_units = 2**40 + 5  # holders × capacity reaches 2**80
    fast = vector.count_tally(tally, max_units, 10, min_lines=0)
    assert isinstance(fast.holders, tuple)
    same_count(fast, allocation.count_tally(tally, max_units, 10))


@pytest.mark.parametrize("policy", POLICIES)
def test_a_delivery_product_past_int64_is_left_to_the_engine(policy):
    holders = [2**40, 5, 2**40 + 1]
    r = D("123456.789012")  # 2**40 × 123456789012 passes 2**63
    fast = vector.deliver(np.array(holders, dtype=np.int64), r, policy, D("8.31"))
    assert fast == allocation.deliver(holders, r, policy, D("8.31"))
    assert fast.common_issued > 2**63 // 10**6  # an exact figure beyond int64's reach at this scale


@SETTINGS
@given(table=tables(), data=st.data())
def test_colliding_hashes_never_merge_holders(table, data):
    """Every id given the same hash: the ids themselves still decide who is who."""
    units = np.array(table.units, dtype=np.int64)
    good = np.array([s == "tendered" for s in table.status], dtype=bool)
    key = data.draw(st.sampled_from((lambda s: 0, len, hash)))
    got = vector._per_holder(table.holder_id, good, units, key=key)
    want: dict[str, int] = {}
    for h, u, ok in zip(table.holder_id, table.units, good):
        if ok:
            want[h] = want.get(h, 0) + u
    assert Counter(got.tolist()) == Counter(want.values())


def test_a_read_tally_carries_the_same_lines_as_arrays(tmp_path):
    """The arrays read_tally attaches say what its tuples say, words mapped and defaults filled."""
    path = tmp_path / "t.csv"
    lines = ["Holder,Shares,Delivery,Status"]
    rng = np.random.default_rng(7)
    words = {"method": ["DTC", "cert", "NGD", ""], "status": ["Valid", "W/D", "withdrawn", "tendered", ""]}
    for i in range(3000):
        m = words["method"][rng.integers(4)]
        s = "failed" if m == "NGD" and rng.random() < 0.3 else words["status"][rng.integers(5)]
        lines.append(f"A{rng.integers(2000):05d},{rng.integers(0, 500)},{m},{s}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # (empty cells are refused unless the mapping states their default)
    (tmp_path / "m.toml").write_text('[statuses]\n"W/D" = "withdrawn"\n[defaults]\nmethod = "book-entry"\n'
                                     'status = "tendered"\n', encoding="utf-8")
    from xlpy.files.sources import read_mapping

    table = read_tally(path, read_mapping(tmp_path / "m.toml"))
    arrays = vars(table)["_arrays"]
    assert arrays["units"].tolist() == list(table.units)
    (digest, exact), (want, want_exact) = arrays["holders"], vector.holder_digest(table.holder_id)
    assert digest.tolist() == want.tolist() and exact is want_exact is True
    for key, column in (("method", table.method), ("status", table.status)):
        codes, ours = arrays[key]
        assert [ours[c] for c in codes.tolist()] == list(column)
    plain = dataclasses.replace(table)  # no arrays: the vectorised path converts the tuples
    assert "_arrays" not in vars(plain)
    for max_units, odd_lot in ((None, None), (100_000, 100), (5_000, 0)):
        want = allocation.count_tally(Tally(holders=table), max_units, odd_lot)
        same_count(vector.count_tally(Tally(holders=table), max_units, odd_lot, min_lines=0), want)
        same_count(vector.count_tally(Tally(holders=plain), max_units, odd_lot, min_lines=0), want)


#: Holder ids of every shape the digest reads: one width (up to 8 bytes, or longer), many widths,
#: NULs, spaces, non-ASCII, and ids past vector.DIGEST_BYTES (hashed instead).
ID_KINDS = (
    st.integers(0, 40).map(lambda i: f"H{i:07d}"),
    st.integers(0, 40).map(lambda i: f"ACCOUNT-{i:012d}"),
    st.integers(0, 40).map(lambda i: f"{i:016d}"),
    st.integers(0, 40).map(lambda i: f"{i:05d}"),
    st.integers(0, 40).map(lambda i: f"H{i}"),
    st.text(alphabet="ab\0 \té€\U0001f600", max_size=vector.DIGEST_BYTES // 4 + 3),
    st.text(max_size=3),
    st.integers(0, 3).map(lambda i: "x" * (vector.DIGEST_BYTES - 1 + i)),
)


@SETTINGS
@given(data=st.data())
def test_the_digest_groups_every_kind_of_id(data):
    """Equal ids, equal digests; ids of up to 8 bytes, distinct digests; the sums per holder are the engine's."""
    kind = data.draw(st.sampled_from(ID_KINDS + (st.one_of(ID_KINDS),)))
    ids = tuple(data.draw(st.lists(kind, max_size=60)))
    taken = vector.holder_digest(ids)
    if taken is not None:
        digest, exact = taken
        assert digest.dtype == np.uint64 and len(digest) == len(ids)
        seen: dict[str, int] = {}
        for h, d in zip(ids, digest.tolist()):
            assert seen.setdefault(h, d) == d
        assert exact == all(len(h.encode("utf-8", "surrogatepass")) <= 8 for h in ids)
        if exact:
            assert len(set(digest.tolist())) == len(seen)
    units = data.draw(st.lists(st.integers(0, 5000), min_size=len(ids), max_size=len(ids)))
    good = np.array(data.draw(st.lists(st.booleans(), min_size=len(ids), max_size=len(ids))), dtype=bool)
    got = vector._per_holder(ids, good, np.array(units, dtype=np.int64))
    want: dict[str, int] = {}
    for h, u, ok in zip(ids, units, good):
        if ok:
            want[h] = want.get(h, 0) + u
    assert Counter(got.tolist()) == Counter(want.values())


def test_a_read_tally_strips_ids_before_it_groups_them(tmp_path):
    """Spaces around an id are not part of it; an id of only spaces is no id (the row is named)."""
    from xlpy.files.sources import ASCII_SPACE

    assert set(ASCII_SPACE) == {chr(c) for c in range(128) if chr(c).strip() == ""}  # what strip removes
    head = ["holder_id,units,method,status"] + [f"H{i:05d},1,book-entry,tendered" for i in range(1500)]
    path = tmp_path / "t.csv"
    for space in (" ", "\t", "\x0b", "\x0c", "\x1f", '\n"', "\xa0", "\u3000"):
        quote = '"' if space.endswith('"') else ""
        lines = head + [f"{quote}A{space},100,book-entry,tendered", "A,50,book-entry,tendered"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        table = read_tally(path)
        assert table.holder_id[-2:] == ("A", "A"), repr(space)
        fast = vector.count_tally(Tally(holders=table), min_lines=0)
        assert max(fast.holders.tolist()) == 150
        same_count(fast, allocation.count_tally(Tally(holders=table)))
    lines = head + ["A,100,book-entry,tendered", "A,50,book-entry,tendered"]
    for blank, rows in (([0], [2]), ([5, 6], [7, 8]), ([1499], [1501]), ([1501], [1503])):
        body = [ln if i - 1 not in blank else "  ,1,book-entry,tendered" for i, ln in enumerate(lines)]
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        with pytest.raises(InputErrors) as info:
            read_tally(path)
        assert [p.field for p in info.value.problems] == [f"t.csv: row {r}, column holder_id" for r in rows]


def test_leading_spaces_are_skipped_where_a_file_has_any(tmp_path):
    """pandas skips a field's leading spaces only for a file with a space in it; it reads the same."""
    from xlpy.files.tally_csv import spaced as _spaced

    path = tmp_path / "t.csv"
    plain = "holder_id,units,method,status\nA,1500,book-entry,tendered\n"
    spaced = 'holder_id, units, method, status\n  A, "1,500", book-entry,  tendered\n'
    for body, skip in ((plain, False), (spaced, True)):
        path.write_text(body, encoding="utf-8")
        assert _spaced(path, "utf-8-sig") is skip
        table = read_tally(path)
        assert (table.holder_id, table.units, table.method, table.status) == (
            ("A",), (1500,), ("book-entry",), ("tendered",))
    path.write_text(plain, encoding="cp1252")
    assert _spaced(path, "cp1252") is True  # not UTF-8: left to pandas as before


def test_a_tally_of_long_ids_is_hashed_once(tmp_path, monkeypatch):
    """Ids past DIGEST_BYTES: read_tally records that they have no digest, and the count hashes them."""
    long = "x" * vector.DIGEST_BYTES
    lines = ["holder_id,units,method,status"] + [f"{long}{i % 1200},{i % 7},book-entry,tendered" for i in range(1500)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_tally(path)
    assert vars(table)["_arrays"]["holders"] is False
    monkeypatch.setattr(vector, "holder_digest", None)  # not called again
    same_count(vector.count_tally(Tally(holders=table), min_lines=0), allocation.count_tally(Tally(holders=table)))
