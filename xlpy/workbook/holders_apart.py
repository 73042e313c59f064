"""A holder's lines apart in the workbook's holder table: the table sorted by another column than Holder.

The holder table's formulas add up a holder's lines over rows next to each other (``Holder running total``,
``=IF(B22=B21,H21,0)+G22``, and ``Holder units`` on the holder's last line), as build and refresh write the table:
sorted by holder.  Sorted since in Excel by another column (units, say), a holder's lines may lie apart; the
workbook then counts that holder once for each group of its lines and works out its acceptance, shares and cash in
lieu on each group apart, where the engine takes all its lines together: the holder count, a share, a few cents
of cash in lieu and of the charge differ.  A sort keeps every line (the holder table still holds the tally's lines,
:mod:`xlpy.workbook.typed_since`), so nothing else names it.  :func:`apart` finds such holders in one pass over the
ids (a dict of the rows where each group begins, at C speed when no holder is apart); :func:`findings` words each
at its cell, the first :data:`SHOWN` and a line counting the rest.  ``xlpy validate`` reports them (leg
``inputs``) and the figures that differ say they follow from them (:func:`with_apart`, as from a value typed over
a formula); ``xlpy compute``, ``release`` and ``entries`` given the workbook warn of them
(:mod:`xlpy.workbook.book_offer`).  A refresh writes each holder's lines together again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress
from operator import ne
from typing import TYPE_CHECKING

from .findings import Finding

if TYPE_CHECKING:
    from .layout import Layout

__all__ = ["APART", "KIND", "SHOWN", "WithApart", "apart", "findings", "refresh_notes", "said", "unsaved",
           "with_apart"]

#: The holders named one by one; one more line counts the rest (as validate names a table's rows).
SHOWN = 10
#: Rows named of one holder's groups of lines; the rest are counted.
ROWS_SHOWN = 3
#: What a holder's lines apart do, and what puts them back together: each finding's words after the rows.
APART = ("not next to each other: the table's formulas add up a holder's lines only where they are together, so "
         "the workbook counts this holder once for each group of its lines and works out its acceptance, shares "
         "and cash in lieu on each apart (the engine takes all its lines together); sort the table by Holder, or "
         "refresh it from the tally (xlpy refresh writes each holder's lines together)")
#: The :attr:`~xlpy.workbook.findings.Finding.kind` of validate's findings of a holder's lines apart.
KIND = "lines apart"


def apart(ids: Sequence[str], first_row: int) -> list[tuple[str, list[int]]]:
    """Each holder of the holder table's *ids* (its first line on row *first_row*) whose lines lie in more than one
    group of rows next to each other: (its id, the first row of each group), in the order their second groups
    begin.  Ids are compared as the engine groups a holder's lines: as read, without spaces before or after them
    (the table's formulas compare the cells as typed: an id typed with a space beside a line of its holder typed
    without one is named by :func:`xlpy.workbook.typed_ids.spaced`)."""
    ids = list(ids)
    starts = list(compress(range(len(ids)), map(ne, ids, [None, *ids[:-1]])))  # (each group's first line)
    if len(starts) == len(set(ids)):  # (one group a holder: at C speed, a table sorted by holder)
        return []
    groups: dict[str, list[int]] = {}
    for i in starts:
        groups.setdefault(ids[i], []).append(first_row + i)
    found = [(holder, rows) for holder, rows in groups.items() if len(rows) > 1]
    return sorted(found, key=lambda hit: hit[1][1])


def said(lay: Layout, ids: Sequence[str], shown: int = SHOWN) -> list[tuple[str, str]]:
    """(where, what) of each holder whose lines are apart in *lay*'s holder table of *ids*: the cell where its
    lines begin again apart (``Tenders!B130``), and ``holder 'H-0042' has lines in rows 25 and 130, not next to
    each other: ...`` (:data:`APART`); the first *shown*, and one more counting the rest at the column."""
    return [(where, what) for where, what, _ in _counted(lay, ids, shown)]


def _counted(lay: Layout, ids: Sequence[str], shown: int) -> list[tuple[str, str, int]]:
    """What :func:`said` says, each with the holders it counts past those named: 0 for a holder named, the number
    of the rest for the line counting them."""
    if lay.shape.tally != "holders":
        return []
    sheet, t = lay.table("tblTenders")
    letter = t.letter("holder")
    found = apart(ids, t.first_row)
    out = [(f"{sheet.title}!{letter}{rows[1]}", f"holder {holder!r} has lines in rows {_rows(rows)}, {APART}", 0)
           for holder, rows in found[:shown]]
    if len(found) > shown:
        out.append((f"{sheet.title}!{letter}{t.first_row}:{letter}{t.last_row}",
                    f"{len(found) - shown:,} more holders have lines apart like these (the first {shown} are named)",
                    len(found) - shown))
    return out


#: Holders a refresh's warnings name one by one (as compute's do); one more counts the rest.
WARNED = 3
#: What a refresh's warning of a holder's lines apart says of the figures it saved.
REFRESH_SAVED = ("the figures this refresh saved with the workbook are the engine's, not those its formulas "
                 "compute (xlpy validate names those that differ)")


def refresh_notes(lay: Layout, offer, tally) -> list[str]:
    """A refresh's warnings (``warning: ...``) of the holders whose lines lie apart in the holder table it computed
    from (no tally given: *tally* None; one given is written in the workbook's order, each holder's lines together),
    as :func:`said` words them, the first :data:`WARNED`: the refresh saves the engine's figures, which the
    workbook's formulas do not give (review 95: it wrote them without a word)."""
    holders = offer.tally.holders if tally is None else None
    found = said(lay, holders.holder_id, WARNED) if holders is not None else []
    return [f"warning: {where}: {what}; {REFRESH_SAVED}" for where, what in found]


def unsaved(notes: list[str]) -> list[str]:
    """*notes* of a refresh that wrote nothing ("nothing to refresh"): its warnings of a holder's lines apart
    (:func:`refresh_notes`) without the words on the figures it saved, as it saved none (review 161)."""
    return [n.replace(f"; {REFRESH_SAVED}", "") for n in notes]


def _rows(rows: list[int]) -> str:
    """``25 and 130``; ``25, 130 and 200``; ``25, 130, 200 and 4 more``."""
    if len(rows) > ROWS_SHOWN:
        return f"{', '.join(map(str, rows[:ROWS_SHOWN]))} and {len(rows) - ROWS_SHOWN:,} more"
    return f"{', '.join(map(str, rows[:-1]))} and {rows[-1]}"


def findings(book: str, lay: Layout, offer) -> list[Finding]:
    """Validate's findings (leg ``inputs``, of :data:`KIND`) of the holders whose lines lie apart in the holder
    table *offer* was read from (:func:`said`); the line counting the rest holds their number (``more``)."""
    holders = getattr(offer.tally, "holders", None)
    return [] if holders is None else [Finding(book, where, what, leg="inputs", kind=KIND, more=more)
                                       for where, what, more in _counted(lay, holders.holder_id, SHOWN)]


class WithApart(list):
    """The causes of the figures that differ from the engine (:class:`~xlpy.workbook.saved_values.Overridden`, or
    :class:`~xlpy.workbook.typed_ids.WithIds`: *typed*) and the holders' lines apart (the cells of their findings,
    :attr:`ids`, :attr:`more_apart` past them): validate's findings of the figures following from them say so."""

    def __init__(self, typed: list, cells: Sequence[str], more: int):
        super().__init__([*typed, *cells])
        self.inner, self.ids, self.more_apart = typed, tuple(cells), more
        self.formulas = getattr(typed, "formulas", typed)  # (the formula cells, as saved_values counts them)
        self.changed = getattr(typed, "changed", frozenset())

    def why(self, follows: str, formulas_why: Callable[[list], str]) -> str:
        """Why a figure differs (*follows*: ``it follows`` or ``it may follow``), the other causes first."""
        n = len(self.ids) + self.more_apart
        if n == 1:
            said = (f"{follows} from a holder's lines apart in the holder table ({self.ids[0]}, named in a finding "
                    "of its own): sort the table by Holder, or refresh it from the tally, then validate again")
        else:
            named = " and ".join(self.ids) if n == 2 else f"{self.ids[0]}, {self.ids[1]} and {n - 2:,} more"
            own = ("named in findings of their own" if not self.more_apart else  # (review 95: not all of them)
                   f"the first {len(self.ids):,} named in findings of their own, the other {self.more_apart:,} "
                   "counted in one")
            said = (f"{follows} from the lines of {n:,} holders apart in the holder table ({named}, {own}): sort the "
                    "table by Holder, or refresh it from the tally, then validate again")
        return f"{formulas_why(self.inner)}; or {said}" if self.inner else said

    def causes(self, formulas: str) -> str:
        """The causes a note counting the rest names (*formulas*: the formulas' words, where there are some)."""
        lines = "a holder's lines apart" if len(self.ids) + self.more_apart == 1 else "the holders' lines apart"
        if not self.inner:
            return lines
        inner = self.inner.causes(formulas) if getattr(self.inner, "ids", ()) else formulas
        return f"{inner}, or {lines}"


def with_apart(typed: list, found: Sequence[Finding], lay: Layout) -> list:
    """*typed* (as :func:`~xlpy.workbook.typed_ids.with_ids` gives it) with the holders' lines apart that
    validate's *found* name (:func:`findings`), or *typed* when there are none: the figures that differ following
    from them are said to, the first few shown, and do not drown them."""
    if lay.shape.tally != "holders":
        return typed
    ours = [f for f in found if f.kind == KIND]
    cells = [f.where for f in ours if not f.more]
    return WithApart(typed, cells, sum(f.more for f in ours)) if cells else typed
