"""A carrying amount given as a total, when the count it was given for moves: said by the refresh and by validate.

The engine books a total carrying amount (``[accounting] carrying_amount``, the workbook's *CarryingTotal*; an
extinguishment's ``carrying_amount``, *CarryingAmount*) against whatever units are accepted, and says so every
time it computes (``... is taken as the carrying amount of the 272,200 units accepted ...: give it again whenever
the count changes``).  That sentence is the same on every day of the offer, so on the day a refresh moves the count
(the final count drops the failed deliveries) it does not stand out, and the entry books the old count's amount for
the new count.

* The refresh knows the count before it (History's last row): where the units accepted moved, its warning says
  from what to what, in place of "whenever the count changes" (:func:`restated`).
* Which count the total was given for is known only where the workbook holds the offer file's total and that file
  is the build's, byte for byte: the count at the build (:func:`given_for`: the file's own counts, computed, or
  History's row of the build where it names a tally file, which the agent's next file may have been written over).
  Then the refresh gives the amount in proportion, and ``validate`` notes the total while the count is another
  (:func:`stale_note`).  A total typed since was given for a count no record keeps: no proportion is given.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from ..engine.errors import XlpyError
from ..engine.numbers import plain
from .layout.history import HISTORY_COLUMNS, latest

__all__ = ["given_for", "recorded_file", "restated", "stale_note"]

#: The clause of the engine's warnings on a total carrying amount that a refresh moving the count makes specific.
WHENEVER = "give it again whenever the count changes"


def restated(book, lay, records: list[tuple], offer, results) -> list[str]:
    """The engine's warnings (*results*'), as the workbook *book* (of layout *lay*) words them, the total carrying
    amount's made specific where the units accepted are not those of History's last row of *records*: ``the count
    moved since History's last row (274,000 units accepted, 2004-02-23 00:00:00 UTC): give it again for the 272,200
    accepted now (the offer file's total, given for the 274,000 at the build: 13,610,000.00 in proportion), unless
    given for them already``; the proportion only where the count the total was given for is known
    (:func:`given_for`).  Every other warning as it is."""
    from .data import engine_warnings

    warnings = engine_warnings(lay, results.warnings)
    last = latest(records)
    before = _whole(last[HISTORY_COLUMNS.index("accepted")]) if last is not None else None
    now, total = results.units_accepted, _total(offer, results)
    if before is None or before == now or total is None:
        return warnings
    base = given_for(recorded_file(book, lay), offer, results, records, book.get(*lay.cell("BuiltAt")))
    when = f", {last[0]} UTC" if str(last[0] or "").strip() else ""
    share = f" (the offer file's total, given for the {base:,} at the build: {_share(total, now, base)} in " \
        "proportion)" if base else ""
    said = (f"the count moved since History's last row ({before:,} units accepted{when}): give it again for the "
            f"{now:,} accepted now{share}, unless given for them already")
    return [w.replace(WHENEVER, said) if "is taken as the carrying amount of the" in w else w for w in warnings]


def recorded_file(book, lay) -> Path | None:
    """The offer file *book*'s Cover records, where it is found (:func:`~xlpy.files.recorded.recorded_offer`) byte
    for byte as at the build; else None (a book with no folder, none recorded, gone, edited, unreadable)."""
    from ..files.recorded import recorded_offer
    from ..files.steady import digest

    if not {"OfferFile", "OfferSha256"} <= lay.names.keys() or getattr(book, "folder", None) is None:
        return None
    try:
        found = recorded_offer(book.get(*lay.cell("OfferFile")), book.folder)
        same = found is not None and digest(found[0]) == str(book.get(*lay.cell("OfferSha256")) or "").strip()
    except OSError:
        return None
    return found[0] if same else None


def given_for(path: Path | None, offer, results, records: list[tuple], built_at) -> int | None:
    """The count the workbook's total carrying amount (*offer*'s) was given for, where the workbook holds the total
    the offer file at *path* gives (its own inputs, read without its tally): the file's own count where it gives its
    counts itself (aggregate counts, no tally file: computed); else that of History's row of the build (of *records*,
    the one timed *built_at*), since the tally file the offer file names may have been written over since (the
    agent's final count over the preliminary, in place).  None where there is no total, no file, another total in it
    (typed into the workbook since), or no such row (a build carrying another workbook's History writes none)."""
    import tomllib

    from ..files.offerfile import compute_file, load
    from ..files.sniff import toml_text
    from .data import same_input

    total = _total(offer, results)
    if path is None or total is None:
        return None
    try:
        file_total = _total(load(path, read_sources=False), results)
        if file_total is None or not same_input(file_total, total):
            return None
        if "file" not in tomllib.loads(toml_text(path)).get("tally", {}):  # (its counts in it: as at the build)
            return compute_file(path)[1].units_accepted
    except (XlpyError, OSError, ValueError):
        return None
    row = next((r for r in records if str(r[0] or "").strip() == str(built_at or "").strip() != ""), None)
    return _whole(row[HISTORY_COLUMNS.index("accepted")]) if row is not None else None


def stale_note(path: Path | None, offer, results, lay, shown: str, records: list[tuple], built_at) -> str | None:
    """``validate``'s note where the workbook holds the total carrying amount the offer file at *path* (named
    *shown*) gives and the units accepted now (*results*) are not the count it was given for (:func:`given_for`,
    from History's *records* and the Cover's *built_at* where the file names a tally): the measure or the journal
    entry takes it for another count.  None otherwise."""
    base, now = given_for(path, offer, results, records, built_at), results.units_accepted
    if base is None or base == now:
        return None
    total = _total(offer, results)
    extinguished = results.treatment != "induced_conversion"
    name = "CarryingAmount" if extinguished else "CarryingTotal"
    takes = "the measure and the journal entry take" if extinguished else "the journal entry books"
    share = f" (in proportion: {_share(total, now, base)})" if base else ""
    return (f"{'!'.join(lay.cell(name))} ({name}) {plain(total)} is the offer file's ({shown}), given for the count "
            f"at the build ({base:,} units accepted); {now:,} are accepted now, and {takes} it for them: type into it "
            f"the carrying amount of the units accepted now{share}, unless it is theirs already")


def _share(total: Decimal, now: int, base: int) -> str:
    """*total* given for *base* units, for *now* units, to the cent: ``13,610,000.00``."""
    return f"{(total * now / base).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _total(offer, results) -> Decimal | None:
    """The carrying amount the engine takes as a total of the units accepted, or None: the extinguishment's where
    the exchange is measured so, else the journal entry's ``[accounting] carrying_amount``."""
    if results.treatment != "induced_conversion":
        return None if offer.carrying_amount is None else Decimal(offer.carrying_amount)
    total = getattr(offer.accounting, "carrying_total", None)
    return None if total is None else Decimal(total)


def _whole(value) -> int | None:
    """A count as History holds it (a number, or its text), or None: blank, or not a whole number."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return int(d) if d.is_finite() and d == d.to_integral_value() else None
