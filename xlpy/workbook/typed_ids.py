"""Holder ids typed into a workbook's holder table that no agent meant, each named by its cell.

A tally's reader refuses, by its row, an id that prints as another line's but differs (a zero-width space, a dash
of another kind, a Cyrillic letter, an accent written two ways), an Excel error saved as a value, a date and TRUE or
FALSE (:mod:`xlpy.files.holder_ids`), and ``build`` and ``refresh`` refuse a tally holding two ids that differ only
in letter case (:func:`~xlpy.files.holder_ids.case_twins`: Excel compares text without regard to case): the
workbook rounds shares and cash in lieu holder by holder, so one holder under two spellings moves them and the
charge.  The holder table on Tenders is edited in Excel too, and its ids are held to the same checks, in the same
words, when :func:`xlpy.workbook.data.read_offer` reads it: a finding of ``xlpy validate``, which still compares
the figures (they follow from the ids, as the workbook's do), and bad input to a refresh that computes from the
table (one that rewrites it from a tally reads the tally's ids, which its reader checks).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..engine.errors import InputError
from ..files.holder_ids import case_twins, odd_ids

__all__ = ["SHOWN", "odd_typed_ids"]

#: The ids named one by one; one more problem counts the rest (as ``validate`` names a table's rows).
SHOWN = 10


def odd_typed_ids(sheet: str, letter: str, first_row: int, raw: Sequence, ids: Sequence[str],
                  text: bool) -> list[InputError]:
    """The holder table's ids (column *letter* of *sheet*, from *first_row* down) no agent meant, each at its cell
    and under the column's name, as a bad cell of the table is named.  *raw*: the cells as read (a date, TRUE);
    *ids*: their text, stripped; *text*: every cell is text, as *ids* hold it (the table read column by column),
    which is checked at C speed."""
    joined = "\0".join(ids) if text else None
    found = odd_ids(raw, ids, joined, first_row.__add__, saved="workbook")
    named = {i for i, _ in found}  # (and two ids differing only in letter case, as build and refresh refuse them)
    found = sorted(found + [(i, why) for i, why in case_twins(ids, first_row.__add__, joined) if i not in named])
    out = [InputError(f"{sheet}!{letter}{first_row + i}", raw[i], f"TenderHolder {why}") for i, why in found[:SHOWN]]
    if len(found) > SHOWN:
        out.append(InputError(f"{sheet}!{letter}{first_row}:{letter}{first_row + len(ids) - 1}", None,
                              f"TenderHolder: {len(found) - SHOWN:,} more holder ids like these (the first {SHOWN} "
                              "are shown)", show_value=False))
    return out
