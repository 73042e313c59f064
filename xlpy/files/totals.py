"""Tally lines that are not holders but totals: an agent's ``Total`` line, Excel's Data > Subtotal rows.

With a mapping's ``[defaults]`` stating the method and status, such a line
would be one more holder and count its units twice, so the tally reader
refuses it by row.  A line is a total when its holder id's first or last
word is a totals word (``total``, ``sum``, ``Summe``, ``Ergebnis``...: a
word, so the account ``SUM001`` is none) and:

* the id is a **totals label** and nothing else: ``Total``, ``Grand total``,
  ``Sub-total:``, ``SUM``, ``Gesamtergebnis``, ``** Total **``; or
* it is a **subtotal** as Excel's (and LibreOffice's) Data > Subtotal writes
  one: ``A-1 Total`` under the lines of ``A-1``, its units theirs added up; or
* it is a **grand total** with more words (``Total tendered``, ``Totals (3
  holders)``), its units those of the other holders' lines added up (at least
  two of them), all of them or those still tendered, wherever it stands.

A holder whose name merely holds the word (``Total Return Fund``, ``Chan Ka
Sum``) is read as a holder.
"""

from __future__ import annotations

import re

__all__ = ["totals_rows"]

#: Words that make a line a total where they begin or end its id (English, and as German, French, Dutch,
#: Italian and Spanish Excel, and LibreOffice, label their subtotals).
TOTALS_WORDS = ("total", "totals", "subtotal", "subtotals", "sum", "summe", "zwischensumme", "gesamt",
                "gesamtsumme", "insgesamt", "ergebnis", "gesamtergebnis", "somme", "totaal", "totale", "suma")
#: Words that may stand beside a totals word in a label that is a total whatever its units.
_LABEL_WORDS = frozenset(TOTALS_WORDS + ("grand", "sub", "general", "général", "generale"))
#: The substrings one of which any id with a totals word holds: a tally holding none is passed over at once.
_ANY = ("tota", "sum", "gesamt", "ergebnis", "somme")
_WORDS = "|".join(sorted(TOTALS_WORDS, key=len, reverse=True))
_NOT_WORD = r"[^\w\0]*"  # within one line: spaces and punctuation
#: An id whose first or last word (letters and digits: ``SUM001`` is one word) is a totals word.
_CANDIDATE = re.compile(rf"{_NOT_WORD}(?:{_WORDS})(?!\w)[^\0]*|[^\0]*?(?<!\w)(?:{_WORDS}){_NOT_WORD}")
_LAST = re.compile(rf"(?<!\w)(?:{_WORDS}){_NOT_WORD}\Z")
_TOKEN = re.compile(r"\w+")

LABEL = "looks like a totals row, not a holder: delete it"
SUBTOTAL = "looks like a subtotal row, not a holder (its units are those of the lines of {} above it, added up): delete it"
GRAND = "looks like a totals row, not a holder (its units are those of the other lines, added up): delete it"


def totals_rows(ids, joined: str | None, units, statuses=None) -> list[tuple[int, str]]:
    """``(index, why)`` of each line that is a total (see the module), in order.

    *joined* is ``"\\0".join(ids)`` or None; *units* the lines' units (0 where a cell was refused); *statuses*
    their statuses in our words (``tendered``, ``withdrawn``...), or None when not known: a total of the
    tendered lines then is found only as a total of all of them.  The ids are searched joined, at C speed: a
    tally holding no totals word anywhere is passed over at once.
    """
    folded = ("\0".join(ids) if joined is None else joined).casefold()
    found = _lines_with_a_totals_word(folded)
    if found and folded.count("\0") != len(ids) - 1:  # an id holding a NUL: one at a time
        found = [i for i, h in enumerate(ids) if _CANDIDATE.fullmatch(h.casefold())]
    if not found:
        return []
    out: dict[int, str] = {}
    for i in found:
        words = _TOKEN.findall(ids[i].casefold())
        if set(words) <= _LABEL_WORDS:
            out[i] = LABEL
        elif _LAST.search(ids[i].casefold()) and (group := _subtotal_of(ids, units, i)):
            out[i] = SUBTOTAL.format(group)
    all_units = sum(units)
    tendered = None if statuses is None or None in statuses else sum(
        u for u, s in zip(units, statuses) if s == "tendered")
    for i in found:
        if i in out or not units[i] or len(ids) - len(out) < 3:  # (a total of at least two holders' lines)
            continue
        others = all_units - units[i] - sum(units[j] for j in out)
        others_tendered = None if tendered is None else tendered - sum(
            units[j] for j in (i, *out) if statuses[j] == "tendered")
        if units[i] in (others, others_tendered):
            out[i] = GRAND
    return sorted(out.items())


def _subtotal_of(ids, units, i: int) -> str:
    """The holder whose lines, just above line *i*, its id names before its totals word (``A-1`` for ``A-1
    Total``) and whose units add up to its: that holder's id, or "" when it is not a subtotal."""
    prefix = _LAST.sub("", ids[i].casefold()).strip(" \t-–—:*.,;")
    j, added = i - 1, 0
    while j >= 0 and ids[j].casefold().strip() == prefix and prefix:
        added += units[j]
        j -= 1
    return ids[i - 1] if j < i - 1 and added == units[i] else ""


def _lines_with_a_totals_word(folded: str) -> list[int]:
    """The indexes of the lines of *folded* (ids joined by ``\\0``) whose first or last word is a totals word."""
    starts = set()  # where each line holding a needle starts
    for needle in _ANY:
        at = folded.find(needle)
        while at >= 0:
            starts.add(folded.rfind("\0", 0, at) + 1)
            end = folded.find("\0", at)
            at = folded.find(needle, end) if end >= 0 else -1
    found, line, counted = [], 0, 0
    for start in sorted(starts):
        line += folded.count("\0", counted, start)
        counted = start
        end = folded.find("\0", start)
        if _CANDIDATE.fullmatch(folded, start, len(folded) if end < 0 else end):
            found.append(line)
    return found
