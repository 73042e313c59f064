"""Tally lines that are not holders but totals: an agent's ``Total`` line, Excel's Data > Subtotal rows.

With a mapping's ``[defaults]`` stating the method and status, such a line
would be one more holder and count its units twice, so the tally reader
refuses it by row.  Two kinds are told apart:

* a **totals label**, the whole id: ``Total``, ``Grand total``, ``Sub-total:``,
  ``SUM``, ``Summe``, ``Gesamtergebnis``, ``** Total **``: refused whatever its units;
* an id that **starts or ends with a totals word** (``Total tendered``,
  ``A-1 Total`` as Excel's Subtotal writes it, ``Totals (3 holders)``,
  ``Total général``, ``Müller Ergebnis``): refused when its units are the sum
  of the lines above it, since the last such line or from the first.  A
  holder whose name merely holds the word (``Total Return Fund``, 500 units
  after lines of other sums) is read as a holder.
"""

from __future__ import annotations

import re

__all__ = ["totals_rows"]

#: Words that make a line a total where they begin or end its id (English, and as German, French, Dutch,
#: Italian and Spanish Excel label its subtotals).
TOTALS_WORDS = ("total", "totals", "subtotal", "subtotals", "sum", "summe", "zwischensumme", "gesamt",
                "gesamtsumme", "insgesamt", "ergebnis", "gesamtergebnis", "somme", "totaal", "totale", "suma")
#: Words that may stand beside a totals word in a label that is a total whatever its units.
_LABEL_WORDS = frozenset(TOTALS_WORDS + ("grand", "sub", "general", "général", "generale", "gesamt"))
#: The substrings one of which any id with a totals word holds: a tally holding none is passed over at once.
_ANY = ("tota", "sum", "gesamt", "ergebnis", "somme")
_WORDS = "|".join(sorted(TOTALS_WORDS, key=len, reverse=True))
_NO_LETTERS = r"(?:(?![^\W\d_])[^\0])*"  # within one line
#: An id whose first or last word is a totals word (digits and punctuation are no words).
_CANDIDATE = re.compile(rf"{_NO_LETTERS}(?:{_WORDS})(?![^\W\d_])[^\0]*"
                        rf"|[^\0]*?(?<![^\W\d_])(?:{_WORDS}){_NO_LETTERS}")
_WORD = re.compile(r"[^\W\d_]+")


def totals_rows(ids, joined: str | None, units) -> list[tuple[int, str]]:
    """``(index, why)`` of each line that is a total (see the module), in order; *joined* is ``"\\0".join(ids)``
    or None, *units* the lines' units (0 where a cell was refused).

    The ids are searched joined, at C speed: a tally holding no totals word anywhere is passed over at once,
    and only the lines holding one are looked at, a line's index the count of separators before it.
    """
    folded = ("\0".join(ids) if joined is None else joined).casefold()
    found = _lines_with_a_totals_word(folded)
    if found and folded.count("\0") != len(ids) - 1:  # an id holding a NUL: one at a time
        found = [i for i, h in enumerate(ids) if _CANDIDATE.fullmatch(h.casefold())]
    out, since, above, last = [], 0, 0, 0  # sums of the holders' units since the last total, and above
    for i in found:
        between = sum(units[last:i])
        since, above, last = since + between, above + between, i + 1
        if set(_WORD.findall(ids[i].casefold())) <= _LABEL_WORDS:
            out.append((i, "looks like a totals row, not a holder: delete it"))
        elif units[i] and units[i] in (since, above):
            out.append((i, "looks like a totals row, not a holder (its units are those of the lines above it, "
                           "added up): delete it"))
        else:
            since, above = since + units[i], above + units[i]  # a holder after all
            continue
        since = 0
    return out


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
