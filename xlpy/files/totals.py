"""Tally lines that are not holders but totals: an agent's ``Total`` line, Excel's Data > Subtotal rows.

With a mapping's ``[defaults]`` stating the method and status, such a line
would be one more holder and count its units twice, so the tally reader
refuses it by row.  A line is a total when its holder id holds a totals
word anywhere (``total``, ``sum``, ``aggregate``, ``summary``, ``Summe``,
``Ergebnis``...: a word, so the account ``SUM001`` is none; or ``all
holders``), whatever stands around it (``Grand Total (4 holders)``, ``GRAND
TOTAL 2/19``, ``Grand total of shares``), and:

* the id is a **totals label** and nothing else: ``Total``, ``Grand total``,
  ``Sub-total:``, ``SUM``, ``Gesamtergebnis``, ``** Total **``; or
* the id begins (``Total``, ``Grand Total``, ``All holders``) or ends with the
  word, and its units are those of lines above it added up: of the lines
  since the last total (two or more, or one whose holder its id names, as
  Excel's Data > Subtotal writes ``B Total`` under a single line of ``B``:
  ``Subtotal DTC``, ``A-1 Total``), of all the holders' lines above it, or of
  those above of one status (``Total tendered``, ``Total withdrawn``); or
* the id begins with the word, it is the first line, and its units are those
  of the other lines (at least two) added up, all of them or those tendered; or
* the word stands inside the id only (``Vanguard Total Stock Market Index
  Fund``), its units are those of the holders' lines above it (two or more),
  all of them or those since the last total, and no line but totals follows
  it: the end of the file.

A holder whose name merely holds the word (``Total Return Fund``, ``Chan Ka
Sum``) is read as a holder unless its units happen to be such a sum; the
message then says which rows they add up, and how to have it read: its id in
a mapping file's ``[holders] not_totals`` list, whose ids are holders
whatever their units.
"""

from __future__ import annotations

import json
import re

from ..engine.errors import InputError

__all__ = ["totals_rows", "not_totals_problems"]

#: Words that make a line a total wherever they stand in its id (English, and as German, French, Dutch,
#: Italian and Spanish Excel, and LibreOffice, label their subtotals).
TOTALS_WORDS = ("total", "totals", "subtotal", "subtotals", "sum", "summe", "zwischensumme", "gesamt",
                "gesamtsumme", "insgesamt", "ergebnis", "gesamtergebnis", "somme", "totaal", "totale", "suma",
                "aggregate", "summary")
#: Words that may stand beside a totals word in a label that is a total whatever its units.
_LABEL_WORDS = frozenset(TOTALS_WORDS + ("grand", "sub", "general", "général", "generale"))
#: The substrings one of which any id with a totals word holds: a tally holding none is passed over at once.
_ANY = ("tota", "sum", "gesamt", "ergebnis", "somme", "aggregate", "holders", "accounts")
_WORDS = "|".join(sorted(TOTALS_WORDS, key=len, reverse=True)) + r"|all[^\w\0]+(?:holders|accounts)"
_NOT_WORD = r"[^\w\0]*"  # within one line: spaces and punctuation
#: An id holding a totals word (letters and digits: ``SUM001`` is one word) anywhere.
_CANDIDATE = re.compile(rf"[^\0]*?(?<!\w)(?:{_WORDS})(?!\w)[^\0]*")
#: An id headed by a totals word (``Grand Total`` too).
_FIRST = re.compile(rf"{_NOT_WORD}(?:(?:grand|general)[^\w\0]+)?(?:{_WORDS})(?!\w)")
_LAST = re.compile(rf"(?<!\w)(?:{_WORDS}){_NOT_WORD}\Z")
_TOKEN = re.compile(r"\w+")

#: What a line judged a total is told, and both ways out ({holder}: :data:`HOLDER`).
LABEL = "looks like a totals row, not a holder: delete it if it is one; {holder}"
ADDED = "looks like a totals row, not a holder: its units are those of {} added up; delete it if it is one; {holder}"
HOLDER = "if it is a holder, name it in a mapping file's [holders] not_totals list (not_totals = [{}])"


def totals_rows(ids, joined: str | None, units, statuses=None, row_of=lambda i: i + 2,
                not_totals=()) -> list[tuple[int, str]]:
    """``(index, why)`` of each line that is a total (see the module), in order.

    *joined* is ``"\\0".join(ids)`` or None; *units* the lines' units (0 where a cell was refused); *statuses*
    their statuses in our words (``tendered``, ``withdrawn``...), or None when not known; *row_of* a line's row
    in the file, for the messages; *not_totals* the ids that are holders whatever their units (a mapping
    file's ``[holders] not_totals``).  The ids are searched joined, at C speed: a tally holding no totals word
    anywhere is passed over at once.
    """
    folded = ("\0".join(ids) if joined is None else joined).casefold()
    found = _lines_with_a_totals_word(folded)
    if found and folded.count("\0") != len(ids) - 1:  # an id holding a NUL: one at a time
        found = [i for i, h in enumerate(ids) if _CANDIDATE.fullmatch(h.casefold())]
    if found and not_totals:
        found = [i for i in found if ids[i] not in not_totals]
    if not found:
        return []
    statuses = statuses if statuses is not None and None not in statuses else None
    held: set[int] = set()  # ids with the word inside that a line other than a total follows
    while True:
        out = _judged(ids, units, statuses, found, held, row_of)
        totals = {i for i, _ in out}
        last = next((j for j in range(len(ids) - 1, -1, -1) if j not in totals), -1)  # the last holder's line
        late = {i for i in totals if i < last and _inside(ids[i].casefold())}
        if not late:
            return out
        held |= late


def _judged(ids, units, statuses, found, held, row_of) -> list[tuple[int, str]]:
    """:func:`totals_rows` of the lines *found* holding a totals word, those *held* being holders."""
    out: list[tuple[int, str]] = []
    candidates = set(found)
    tail = len(ids)  # the first of the lines at the end that hold a totals word
    while tail and tail - 1 in candidates:
        tail -= 1
    above = _Sums()  # the holders' lines above the line judged, and those since the last total
    block = _Sums()
    nxt = 0  # the next line not yet added

    def holder(j: int) -> None:
        above.add(j, units[j], statuses)
        block.add(j, units[j], statuses)

    for i in found:
        for j in range(nxt, i):
            if j not in candidates:
                holder(j)
        nxt = i + 1
        why = None if i in held else _why(ids, units, i, above, block, row_of, tail)
        if why is None and i == 0:
            why = _first_line(ids, units, statuses, candidates, row_of)
        if why is None:
            holder(i)  # a holder after all
        else:
            out.append((i, why))
            block = _Sums()
    return out


class _Sums:
    """Lines' units added up as they come: all of them, and those of each status, with their first and last."""

    def __init__(self):
        self.total, self.count, self.first, self.last = 0, 0, None, None
        self.by_status: dict[str, list[int]] = {}  # status -> [units, lines]

    def add(self, line: int, units: int, statuses) -> None:
        """Line *line* of *units*, its status from *statuses* (None: not known)."""
        self.total, self.count, self.last = self.total + units, self.count + 1, line
        self.first = line if self.first is None else self.first
        if statuses is not None:
            got = self.by_status.setdefault(statuses[line], [0, 0])
            got[0] += units
            got[1] += 1

    def rows(self, row_of) -> str:
        first, last = row_of(self.first), row_of(self.last)
        return f"row {first}" if first == last else f"rows {first} to {last}"


def _why(ids, units, i, above: _Sums, block: _Sums, row_of, tail: int) -> str | None:
    """Why line *i* is a total (a label, or a sum of lines above it), or None; the lines from *tail* on hold a
    totals word."""
    text = ids[i].casefold()
    holder = HOLDER.format(json.dumps(ids[i], ensure_ascii=False))
    if set(_TOKEN.findall(text)) <= _LABEL_WORDS:
        return LABEL.format(holder=holder)
    if not units[i]:
        return None
    inside = _inside(text)
    if inside and i + 1 < tail:  # the word inside a name, a holder's line below it: a holder
        return None
    named = block.count == 1 and not inside and _LAST.search(text) and (
        ids[block.last].casefold().strip() == _LAST.sub("", text).strip(" \t-–—:*.,;"))
    if (block.count >= 2 or named) and block.total == units[i]:
        return ADDED.format(block.rows(row_of), holder=holder)
    if above.count >= 2 and above.total == units[i]:
        return ADDED.format(above.rows(row_of), holder=holder)
    for status, (added, count) in () if inside else above.by_status.items():
        if count >= 2 and added == units[i]:
            return ADDED.format(f"the {status} lines above it", holder=holder)
    return None


def _inside(text: str) -> bool:
    """Whether the (case-folded) id holds its totals word inside only, neither first (``Grand Total``, ``All
    holders`` too) nor last."""
    return not _FIRST.match(text) and not _LAST.search(text)


def _first_line(ids, units, statuses, candidates, row_of) -> str | None:
    """Why the first line, headed by a totals word, is a total of the lines below it (some agents put it
    first), or None."""
    if not _FIRST.match(ids[0].casefold()) or not units[0]:
        return None
    below = _Sums()
    for j in range(1, len(ids)):
        if j not in candidates:
            below.add(j, units[j], statuses)
    holder = HOLDER.format(json.dumps(ids[0], ensure_ascii=False))
    if below.count >= 2 and below.total == units[0]:
        return ADDED.format(below.rows(row_of), holder=holder)
    added, count = below.by_status.get("tendered", (0, 0))
    if count >= 2 and added == units[0]:
        return ADDED.format("the tendered lines below it", holder=holder)
    return None


def _lines_with_a_totals_word(folded: str) -> list[int]:
    """The indexes of the lines of *folded* (ids joined by ``\\0``) holding a totals word."""
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


def not_totals_problems(name: str, table) -> list[InputError]:
    """The problems of a mapping file's ``[holders]`` table (*name*: the file's name): its one key,
    ``not_totals``, a list of holder ids as written in the tally."""
    if not isinstance(table, dict):  # (holders = "X": no table)
        return [InputError(f"{name}: holders", table, "must be a table: [holders], then not_totals = [...]")]
    problems = [InputError(f"{name}: holders.{key}", key, "unknown key (the key of [holders] is not_totals)")
                for key in table if key != "not_totals"]
    ids = table.get("not_totals", [])
    if not isinstance(ids, list):
        return problems + [InputError(f"{name}: holders.not_totals", ids, "must be a list of holder ids, in quotes "
                                      '(not_totals = ["Total Return Fund"])')]
    return problems + [InputError(f"{name}: holders.not_totals", h, "must be a holder id as written in the tally, "
                                  'in quotes (not_totals = ["Total Return Fund"])')
                       for h in ids if not isinstance(h, str) or not h.strip()]
