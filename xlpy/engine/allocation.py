"""From the tally to what is accepted and delivered.

* counting: tendered, guaranteed deliveries, failed deliveries;
* proration of a capped offer, odd lots first and in full;
* shares delivered per holder under the fractional-share policy, with cash
  in lieu of fractions.

Holder-level rounding is why filed share counts differ from units × ratio by a
few shares; with only aggregate counts, the whole count is one "holder".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate, chain, compress, repeat
from operator import and_, eq, mul, ne, not_, sub
from typing import TYPE_CHECKING

from .errors import InputError
from .numbers import CONTEXT, ONE, ZERO, excel_round

if TYPE_CHECKING:  # the model's records are only named here; importing them costs the worksheet functions
    from .model import HolderTable, Tally

__all__ = ["Count", "Delivery", "HolderLines", "count_tally", "prorate", "deliver", "holder_lines", "proration_factor"]

#: Decimals to which the proration factor is *shown*; acceptance itself is
#: computed exactly (floor of units × capacity ÷ eligible).
FACTOR_PLACES = 10


@dataclass(frozen=True)
class Count:
    """The tally counted and, for a capped offer, prorated.

    Attributes:
        tendered: units tendered and not withdrawn, including guaranteed deliveries.
        guaranteed_delivery: of which by notice of guaranteed delivery.
        failed_delivery: guaranteed deliveries not made.
        eligible: tendered less failed deliveries: what could be accepted.
        accepted: units the issuer takes.
        proration_factor: accepted share of the eligible non-odd-lot units
            (1 for any and all), shown to 10 decimals.
        odd_lot_units: units accepted in full as odd lots (0 when none).
        odd_lot_tendered: units of the odd-lot holders of an oversubscribed capped offer, counted before the
            rule that they are accepted in full only when they fit under the cap (0 otherwise).
        holders: accepted units per holder, in no particular order (None for
            aggregate counts); a tuple here, an array from :mod:`xlpy.files.vector`.
        holder_count: number of holders with units accepted (None for aggregate counts).
    """

    tendered: int
    guaranteed_delivery: int
    failed_delivery: int
    eligible: int
    accepted: int
    proration_factor: Decimal
    odd_lot_units: int = 0
    holders: Sequence[int] | None = None
    holder_count: int | None = None
    odd_lot_tendered: int = 0


@dataclass(frozen=True)
class Delivery:
    """Common shares delivered for accepted units.

    Attributes:
        common_issued: whole shares delivered.
        fractional_shares: fractions not delivered as shares (paid in cash
            under the ``cash`` policy, forfeited under ``down``; 0 under ``nearest``).
        fractional_cash: cash in lieu of fractions.
    """

    common_issued: int
    fractional_shares: Decimal
    fractional_cash: Decimal


def proration_factor(eligible: int, capacity: int) -> Decimal:
    """Share of the eligible units that fits under the cap (1 when all fit).

    >>> proration_factor(400000, 300000)
    Decimal('0.75')
    """
    if eligible <= capacity or eligible == 0:
        return ONE
    return excel_round(CONTEXT.divide(Decimal(capacity), Decimal(eligible)), FACTOR_PLACES).normalize(CONTEXT)


def prorate(units: int, eligible: int, capacity: int) -> int:
    """Units accepted from one holder: ``floor(units × capacity ÷ eligible)``, exactly.

    >>> prorate(1000, 400000, 300000)
    750
    """
    if eligible <= capacity:
        return units
    return units * capacity // eligible


def count_tally(tally: Tally, max_units: int | None = None, odd_lot: int | None = None) -> Count:
    """Count the tally and apply the cap, if any.

    For a holder table, each holder's lines are summed; withdrawn lines are
    dropped; failed lines count as tendered (they were, by notice of
    guaranteed delivery) but are not accepted.  In a capped offer, holders
    tendering fewer than ``odd_lot`` units are accepted in full first, then
    the others pro rata, each rounded down to a whole unit.
    """
    if tally.holders is None:
        eligible = tally.tendered - tally.failed_delivery
        accepted = eligible if max_units is None else min(eligible, max_units)
        factor = ONE if max_units is None else proration_factor(eligible, max_units)
        return Count(
            tally.tendered, tally.guaranteed_delivery, tally.failed_delivery, eligible, accepted, factor
        )
    return _count_holders(tally.holders, max_units, odd_lot)


def _count_holders(table: HolderTable, max_units: int | None, odd_lot: int | None) -> Count:
    # Column-wise passes run at C speed; only the accepted lines of holders
    # with more than one line are summed in a Python loop.
    units, status, method = table.units, table.status, table.method
    live = list(map(ne, status, repeat("withdrawn")))
    good = list(map(eq, status, repeat("tendered")))
    tendered = sum(compress(units, live))
    failed = sum(compress(units, map(eq, status, repeat("failed"))))
    guaranteed = sum(compress(units, map(and_, live, map(eq, method, repeat("guaranteed")))))
    ids = list(compress(table.holder_id, good))
    accepted_lines = list(compress(units, good))
    seen: set[str] = set()
    add = seen.add
    repeated = {h for h in ids if h in seen or add(h)}
    if not repeated:
        per_holder = accepted_lines
    else:
        # Sum the lines of holders with more than one; only their lines pass through Python.
        mask = list(map(repeated.__contains__, ids))
        per_holder = list(compress(accepted_lines, map(not_, mask)))
        sums = dict.fromkeys(repeated, 0)
        for holder, u in compress(zip(ids, accepted_lines), mask):
            sums[holder] += u
        per_holder.extend(sums.values())
    eligible = tendered - failed
    holders, odd_units, factor, odd_tendered = _accept(list(filter(None, per_holder)), eligible, max_units, odd_lot)
    accepted = sum(holders)
    return Count(
        tendered,
        guaranteed,
        failed,
        eligible,
        accepted,
        factor,
        odd_units,
        tuple(holders),
        len(holders) - holders.count(0),
        odd_tendered,
    )


def _accept(holders: list[int], eligible: int, max_units: int | None, odd_lot: int | None
            ) -> tuple[list[int], int, Decimal, int]:
    """Units accepted of each holder's total (zeros stay zeros), the odd-lot units accepted in full, the
    proration factor, and the odd-lot holders' units before the cap's rule (:attr:`Count.odd_lot_tendered`)."""
    if max_units is None or eligible <= max_units:
        return holders, 0, ONE, 0
    threshold = odd_lot or 0
    odd_units = odd_tendered = sum(u for u in holders if 0 < u < threshold)
    if odd_units > max_units:
        # Not even the odd lots fit: every holder is prorated alike.
        threshold, odd_units = 0, 0
    capacity = max_units - odd_units
    rest = eligible - odd_units
    return [u if u < threshold else prorate(u, rest, capacity) for u in holders], odd_units, \
        proration_factor(rest, capacity), odd_tendered


@dataclass(frozen=True)
class HolderLines:
    """The holder table's formula columns, line by line, as the engine gives them.

    Lines come sorted by holder (the workbook's order: a holder's lines are
    consecutive).  Each column is a tuple with one value per line:

    Attributes:
        eligible: the line's units when its status is ``tendered``, else 0.
        run: the holder's eligible units up to and including this line.
        holder_units: on a holder's last line, its eligible total; 0 on its other lines.
        accepted: the units accepted of that total (prorated in a capped offer; odd lots in full).
        shares: whole common shares for them under the fractional-share policy.
        fraction: the fraction of a share not delivered as a share (0 under ``nearest``).
    """

    eligible: tuple[int, ...]
    run: tuple[int, ...]
    holder_units: tuple[int, ...]
    accepted: tuple[int, ...]
    shares: tuple[int, ...]
    fraction: tuple[Decimal, ...]


def holder_lines(holder_id: Sequence[str], units: Sequence[int], status: Sequence[str], ratio: Decimal,
                 policy: str = "cash", max_units: int | None = None, odd_lot: int | None = None) -> HolderLines:
    """Each line's acceptance and delivery, by the rules of :func:`count_tally` and :func:`deliver`.

    >>> from decimal import Decimal as D
    >>> h = holder_lines(["a", "a", "b"], [100, 50, 75], ["tendered", "tendered", "withdrawn"], D("7.94"))
    >>> h.holder_units, h.accepted, h.shares, h.fraction
    ((0, 150, 0), (0, 150, 0), (0, 1191, 0), (Decimal('0'), Decimal('0'), Decimal('0')))
    """
    n = len(holder_id)
    eligible = list(map(mul, units, map(eq, status, repeat("tendered"))))
    # The running total within each holder: the running total of all lines, less its value before the
    # holder's first line (column-wise passes; no Python work per line).
    ids = list(holder_id)
    first = list(map(ne, ids, [object()] + ids[:-1]))
    cumulative = list(accumulate(eligible))
    starts = list(compress(range(n), first))
    before = [cumulative[i - 1] if i else 0 for i in starts]
    lengths = list(map(sub, starts[1:] + [n], starts))
    run = list(map(sub, cumulative, chain.from_iterable(map(repeat, before, lengths))))
    # A holder's last line: the next line is another holder's (or there is none).
    last = first[1:] + [True] if n else []
    holder_units = list(map(mul, run, last))
    failed = sum(compress(units, map(eq, status, repeat("failed"))))
    tendered = sum(compress(units, map(ne, status, repeat("withdrawn"))))
    accepted, _, _, _ = _accept(holder_units, tendered - failed, max_units, odd_lot)
    scale = max(0, -ratio.as_tuple().exponent)
    denominator, numerator = 10**scale, int(ratio.scaleb(scale))
    wholes: dict[int, int] = {}  # accepted units -> shares, and -> fraction: each count worked out once
    parts: dict[int, Decimal] = {}
    for a in set(accepted):
        whole, frac = divmod(a * numerator, denominator)
        if policy == "nearest":
            whole, frac = (whole + 1 if 2 * frac >= denominator else whole), 0
        wholes[a], parts[a] = whole, Decimal(frac).scaleb(-scale) if frac else Decimal(0)
    shares, fraction = tuple(map(wholes.__getitem__, accepted)), tuple(map(parts.__getitem__, accepted))
    return HolderLines(tuple(eligible), tuple(run), tuple(holder_units), tuple(accepted), shares, fraction)


def deliver(
    holders: Iterable[int] | int, ratio: Decimal | Fraction, policy: str = "cash", fractional_price: Decimal = ZERO
) -> Delivery:
    """Whole shares delivered to each holder and cash in lieu of fractions.

    Parameters
    ----------
    holders : int or iterable of int
        Accepted units: one count (treated as one holder) or one per holder.
    ratio : Decimal or Fraction
        Common shares per unit: a decimal, or an exact fraction (2000/77, a face of 1,000 over a conversion
        price of 38.50, as a worksheet function reads ``=1000/38.5``: :func:`xlpy.excel.args.share_ratio`).
    policy : {"cash", "down", "nearest"}
        ``cash``: floor, fractions paid at *fractional_price*; ``down``: floor,
        fractions forfeited; ``nearest``: half away from zero, no cash.
    fractional_price : Decimal
        Price of one share for cash in lieu.

    Whole shares are exact for either ratio.  For a Decimal ratio the fractional shares are exact (a finite
    decimal, to the ratio's places) and the cash is their product with the price.  For a Fraction they are a
    Decimal too, exact where the fraction of a share is a finite decimal and otherwise rounded to the engine's 34
    significant digits (:data:`~xlpy.engine.numbers.CONTEXT`), and the cash is the exact fraction times the
    price, rounded once likewise: 1/3 of a share at 3 is cash of exactly 1.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> d = deliver([150, 75], D("7.94"), "cash", D("8.31"))
    >>> d.common_issued, d.fractional_shares, d.fractional_cash
    (1786, Decimal('0.50'), Decimal('4.1550'))
    >>> from fractions import Fraction as F
    >>> deliver(77, F(2000, 77), "cash", D("38.5"))
    Delivery(common_issued=2000, fractional_shares=Decimal('0'), fractional_cash=Decimal('0'))
    >>> d = deliver([1, 2], F(1, 3), "cash", D("3"))
    >>> d.common_issued, d.fractional_shares, d.fractional_cash
    (0, Decimal('1'), Decimal('3'))
    >>> d = deliver(1, F(4, 3), "cash", D("3"))
    >>> d.common_issued, d.fractional_shares, d.fractional_cash
    (1, Decimal('0.3333333333333333333333333333333333'), Decimal('1'))
    """
    if policy not in ("cash", "down", "nearest"):
        raise InputError("fractional", policy, "must be one of cash, down, nearest")
    if isinstance(holders, int):
        holders = (holders,)
    if isinstance(ratio, Fraction):
        issued, remainder = _whole_shares(holders, ratio.numerator, ratio.denominator, policy)
        exact = Fraction(remainder, ratio.denominator)
        cash = exact * Fraction(fractional_price) if policy == "cash" else Fraction(0)
        return Delivery(issued, CONTEXT.divide(exact.numerator, exact.denominator),
                        CONTEXT.divide(cash.numerator, cash.denominator))
    # A Decimal ratio is a finite decimal: ratio = numerator / 10**scale exactly,
    # so each holder's shares are integer arithmetic, as for a Fraction.
    sign, digits, exponent = ratio.as_tuple()
    scale = max(0, -exponent)
    issued, remainder = _whole_shares(holders, int(ratio.scaleb(scale)), 10**scale, policy)
    fractional = Decimal(remainder).scaleb(-scale)
    cash = fractional * fractional_price if policy == "cash" else ZERO
    return Delivery(issued, fractional, cash)


def _whole_shares(holders: Iterable[int], numerator: int, denominator: int, policy: str) -> tuple[int, int]:
    """Whole shares delivered to the holders at numerator/denominator shares a unit under *policy*, and the
    fractions left, in units of 1/denominator; holders with the same units share one computation."""
    issued = 0
    remainder = 0
    for units, holders_with in Counter(holders).items():
        whole, frac = divmod(units * numerator, denominator)
        if policy == "nearest" and 2 * frac >= denominator:
            whole, frac = whole + 1, 0
        elif policy == "nearest":
            frac = 0
        issued += whole * holders_with
        remainder += frac * holders_with
    return issued, remainder
