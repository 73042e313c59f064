"""Holder ids typed into a workbook's holder table that no agent meant, each named by its cell.

A tally's reader refuses, by its row, an id that prints as another line's but differs (a zero-width space, a dash
of another kind, a Cyrillic letter, an accent written two ways), an Excel error saved as a value, a date and TRUE or
FALSE (:mod:`xlpy.files.holder_ids`), and ``build`` and ``refresh`` refuse a tally holding two ids that differ only
in letter case (:func:`~xlpy.files.holder_ids.case_twins`: Excel compares text without regard to case): the
workbook rounds shares and cash in lieu holder by holder, so one holder under two spellings moves them and the
charge.  The holder table on Tenders is edited in Excel too, and its ids are held to the same checks, in the same
words, when :func:`xlpy.workbook.data.read_offer` reads it: a finding of ``xlpy validate``, which still compares
the figures (they follow from the ids, as the workbook's do), and bad input to a refresh that computes from the
table (one that rewrites it from a tally reads the tally's ids, which its reader checks).  Where the workbook's
formulas read such an id otherwise than the engine (an ``#N/A`` typed makes every total after it ``#N/A``), the
figures that differ say they follow from it, the first ten a recalculation and a note counting the rest
(:func:`with_ids`), as those following from a value typed over a formula do: the id is not drowned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..engine.errors import InputError
from ..engine.numbers import whole_text
from ..files.holder_ids import case_twins, counted_alike, odd_ids

if TYPE_CHECKING:
    from .layout import Layout

__all__ = ["KIND", "SHOWN", "OddId", "WithIds", "odd_typed_ids", "with_ids"]

#: The ids named one by one; one more problem counts the rest (as ``validate`` names a table's rows).
SHOWN = 10

#: The :attr:`~xlpy.workbook.findings.Finding.kind` of validate's findings of the holder ids typed that the
#: workbook's formulas read otherwise than the engine (not one that looks like another line's: two holders to both),
#: and of the line counting the ids past the first :data:`SHOWN`.
KIND = "holder id"


class OddId(InputError):
    """A holder id no agent meant, at its cell, or the line counting those past the first :data:`SHOWN`: its
    :attr:`kind` (:data:`KIND`, or "" for an id the workbook's formulas read as the engine does) and, on the counting
    line, how many it counts (:attr:`more`), which validate's finding of it carries (:func:`with_ids` reads them)."""

    kind = ""
    more = 0

    def __init__(self, field: str, value: object, reason: str, *, show_value: bool = True, kind: str = "",
                 more: int = 0):
        self.kind, self.more = kind, more
        super().__init__(field, value, reason, show_value=show_value)


def odd_typed_ids(sheet: str, letter: str, first_row: int, raw: Sequence, ids: Sequence[str],
                  text: bool) -> list[InputError]:
    """The holder table's ids (column *letter* of *sheet*, from *first_row* down) no agent meant, each at its cell
    and under the column's name, as a bad cell of the table is named.  *raw*: the cells as read (a date, TRUE);
    *ids*: their text, stripped; *text*: every cell is text, as *ids* hold it (the table read column by column),
    which is checked at C speed."""
    joined = "\0".join(ids) if text else None
    found = odd_ids(raw, ids, joined, first_row.__add__, saved="workbook")
    named = {i for i, _ in found}  # (and two ids differing only in letter case, as build and refresh refuse them)
    found += [(i, why) for i, why in case_twins(ids, first_row.__add__, joined) if i not in named]
    named = {i for i, _ in found}  # (and an id with a space about it, or a number, beside the holder's line typed
    apart = [] if text else spaced(raw, ids, first_row) + numbered(raw, ids, first_row)  # otherwise: not text alone)
    found = sorted(found + [(i, why) for i, why in apart if i not in named])
    out = [OddId(f"{sheet}!{letter}{first_row + i}", int(v) if whole_text(v := raw[i]) else v,  # (30020.0: as
                 f"TenderHolder {why}", kind="" if counted_alike(why) else KIND)  # Excel shows it, 30020)
           for i, why in found[:SHOWN]]
    if len(found) > SHOWN:
        out.append(OddId(f"{sheet}!{letter}{first_row}:{letter}{first_row + len(ids) - 1}", None,
                         f"TenderHolder: {len(found) - SHOWN:,} more holder ids like these (the first {SHOWN} are "
                         "shown)", show_value=False, kind=KIND, more=len(found) - SHOWN))
    return out


#: Why an id typed with a space before or after it, next to a line of the same holder typed otherwise, is named.
SPACED = ("has a space before or after it where the holder id on row {} ({!r}) is typed otherwise: the table's "
          "formulas compare ids as typed, so the workbook counts this line apart from the holder's other lines, the "
          "engine (which reads ids without their spaces) takes them together; delete the space")


def spaced(raw: Sequence, ids: Sequence[str], first_row: int) -> list[tuple[int, str]]:
    """(line, why) of each id typed with a space before or after it (*raw*, as the cell holds it; *ids*, stripped)
    next to a line of the same holder typed otherwise: the holder table's formulas (``=IF(B22=B21,...)``) compare
    the cells as typed and take the two lines for two holders, the engine for one.  An id alone, or beside lines
    typed alike, is counted as the engine counts it, and passed."""
    out = []
    for i in (i for i, (v, h) in enumerate(zip(raw, ids)) if isinstance(v, str) and v != h):
        for j in (i - 1, i + 1):
            if 0 <= j < len(ids) and ids[j] == ids[i] and raw[j] != raw[i]:
                out.append((i, SPACED.format(first_row + j, raw[j])))
                break
    return out


#: Why an id typed as a number, next to a line of the same holder typed as text, is named.
NUMBER = ("is typed as a number where the holder id on row {} ({!r}) is text: the table's formulas compare ids as "
          "typed, so the workbook counts this line apart from the holder's other lines, the engine (which reads ids "
          "as their text) takes them together; type it as text (with an apostrophe before it: '{}), or refresh the "
          "table from the tally")


def numbered(raw: Sequence, ids: Sequence[str], first_row: int) -> list[tuple[int, str]]:
    """(line, why) of each id typed as a number (*raw*: ``30020``, as Excel stores an id typed without an
    apostrophe; *ids*: its text, ``'30020'``) next to a line of the same holder typed as text (``'30020``, as build
    and refresh write ids): the holder table's formulas (``=IF(B22=B21,...)``) find a number unequal to any text
    and take the two lines for two holders, the engine (reading ids as their text) for one.  An id alone, or beside
    lines typed as numbers too, is counted as the engine counts it, and passed."""
    out = []
    for i in (i for i, v in enumerate(raw) if isinstance(v, (int, float)) and not isinstance(v, bool)):
        for j in (i - 1, i + 1):
            if 0 <= j < len(ids) and ids[j] == ids[i] and isinstance(raw[j], str):
                out.append((i, NUMBER.format(first_row + j, raw[j], ids[i])))
                break
    return out


class WithIds(list):
    """The cells (``sheet!cell``) whose values the figures that differ from the engine follow from: those whose
    layout formula the workbook does not hold (:class:`~xlpy.workbook.saved_values.Overridden`, in
    :attr:`formulas`) and the holder ids no agent meant (:attr:`ids`, :attr:`more` past them): validate's
    findings of the figures following from them say so, the first few shown, a note counting the rest."""

    def __init__(self, formulas: list, ids: Sequence[str], more: int):
        super().__init__([*formulas, *ids])
        self.formulas, self.ids, self.more = formulas, tuple(ids), more
        self.changed = getattr(formulas, "changed", frozenset())

    def why(self, follows: str, formulas_why: Callable[[list], str]) -> str:
        """Why a figure differs (``it follows`` or ``it may follow``, *follows*): the ids named, the formulas'
        words (*formulas_why*) first where a formula is typed over too."""
        n = len(self.ids) + self.more
        if n == 1:
            said = (f"{follows} from the holder id typed at {self.ids[0]} (named in a finding of its own; the "
                    "workbook's formulas read it otherwise than the engine): mend it as that finding says, then "
                    "validate again")
        else:
            named = " and ".join(self.ids) if n == 2 else f"{self.ids[0]}, {self.ids[1]} and {n - 2:,} more"
            said = (f"{follows} from the {n:,} holder ids typed at {named} (named in findings of their own; the "
                    "workbook's formulas read them otherwise than the engine): mend each as its finding says, then "
                    "validate again")
        return f"{formulas_why(self.formulas)}; or {said}" if self.formulas else said

    def causes(self, formulas: str) -> str:
        """The causes a note counting the rest names (*formulas*: the formulas' words, where there are some)."""
        one = len(self.ids) + self.more == 1
        ids = "the holder id named at its cell" if one else "the holder ids named at their cells"
        return f"{formulas}, or {ids}" if self.formulas else ids


def with_ids(typed: list, findings: Sequence, lay: Layout) -> list:
    """*typed* (:class:`~xlpy.workbook.saved_values.Overridden`) with the holder ids no agent meant that validate's
    *findings* name in *lay*'s holder table (of :data:`KIND`, as :func:`odd_typed_ids` makes them), or *typed* when
    there are none: the workbook's formulas read such an id otherwise than the engine (an ``#N/A`` typed makes every
    total after it ``#N/A``), so the figures that differ following from it are said to, the first few shown, and do
    not drown it.  An id that prints as another line's is none of them: two holders to the workbook's formulas as
    to the engine, no figure moves."""
    if lay.shape.tally != "holders":
        return typed
    ours = [f for f in findings if f.kind == KIND and f.leg == "inputs"]
    ids = [f.where for f in ours if not f.more]
    return WithIds(typed, ids, sum(f.more for f in ours)) if ids else typed
