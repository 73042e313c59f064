"""A carrying amount given as a total, when a refresh moves the count it was given for: said in the refresh's words.

The engine books a total carrying amount (``[accounting] carrying_amount``, the workbook's *CarryingTotal*; an
extinguishment's ``carrying_amount``, *CarryingAmount*) against whatever units are accepted, and says so every
time it computes (``... is taken as the carrying amount of the 272,200 units accepted ...: give it again whenever
the count changes``).  That sentence is the same on every day of the offer, so on the day a refresh moves the count
(the final count drops the failed deliveries) it does not stand out, and the entry books the old count's amount for
the new count.  The refresh knows the count before it (History's last row): where the units accepted moved, its
warning says from what to what, and the amount in proportion, in place of "whenever the count changes".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .layout.history import HISTORY_COLUMNS, latest

__all__ = ["given_at_build", "restated"]

#: The clause of the engine's warnings on a total carrying amount that a refresh moving the count makes specific.
WHENEVER = "give it again whenever the count changes"


def restated(warnings: list[str], records: list[tuple], offer, results) -> list[str]:
    """*warnings* (the engine's, as the workbook words them), the total carrying amount's made specific where the
    units accepted (*results*) are not those of History's last row of *records*: ``the count moved since History's
    last row (274,000 units accepted, 2004-02-23 00:00:00 UTC): give it again for the 272,200 accepted now (in
    proportion: 13,610,000.00), unless given for them already``.  Every other warning as it is."""
    last = latest(records)
    before = _whole(last[HISTORY_COLUMNS.index("accepted")]) if last is not None else None
    now = results.units_accepted
    total = _total(offer, results)
    if before is None or before == now or total is None:
        return warnings
    share = f" (in proportion: {(total * now / before).quantize(Decimal('0.01'), ROUND_HALF_UP):,})" if before else ""
    when = f", {last[0]} UTC" if str(last[0] or "").strip() else ""
    said = (f"the count moved since History's last row ({before:,} units accepted{when}): give it again for the "
            f"{now:,} accepted now{share}, unless given for them already")
    return [w.replace(WHENEVER, said) if "is taken as the carrying amount of the" in w else w for w in warnings]


def given_at_build(records: list[tuple], built_at, offer, results, lay) -> str | None:
    """``validate``'s note where the workbook holds the offer file's total carrying amount as at the build (the
    caller has compared it with the file, unchanged since) and the units accepted now (*results*) are not those
    of History's row of the build (the one timed *built_at*, the Cover's *Built at*): the amount was given for that
    count, and the journal entry books it for this one.  None otherwise: no total, the count as at the build, no
    row of the build's (a build carrying another workbook's History writes none)."""
    row = next((r for r in records if str(r[0] or "").strip() == str(built_at or "").strip() != ""), None)
    before = _whole(row[HISTORY_COLUMNS.index("accepted")]) if row is not None else None
    now, total = results.units_accepted, _total(offer, results)
    if before is None or total is None or before == now:
        return None
    name = "CarryingAmount" if results.treatment != "induced_conversion" else "CarryingTotal"
    share = f" (in proportion: {(total * now / before).quantize(Decimal('0.01'), ROUND_HALF_UP):,})" if before else ""
    return (f"{'!'.join(lay.cell(name))} ({name}) {total:,} is the offer file's, given for the count at the build "
            f"({before:,} units accepted, History's row of {row[0]} UTC); {now:,} are accepted now, and the journal "
            f"entry books it for them: type into it the carrying amount of the units accepted now{share}, unless "
            "it is theirs already")


def _total(offer, results) -> Decimal | None:
    """The carrying amount the engine takes as a total of the units accepted, or None: the extinguishment's where
    the exchange is measured so, else the journal entry's ``[accounting] carrying_amount``."""
    if results.treatment != "induced_conversion" and offer.carrying_amount is not None:
        return Decimal(offer.carrying_amount)
    total = getattr(offer.accounting, "carrying_total", None)
    return None if total is None else Decimal(total)


def _whole(value) -> int | None:
    """A count as History holds it (a number, or its text), or None: blank, or not a whole number."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return int(d) if d.is_finite() and d == d.to_integral_value() else None
