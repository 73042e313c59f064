"""Tally lines that are not holders but totals: an agent's ``Total`` line, Excel's Data > Subtotal rows.

With a mapping's ``[defaults]`` stating the method and status, such a line
would be one more holder and count its units twice, so the tally reader
refuses it by row.  A line is a total when its holder id holds a totals
word anywhere (``total``, ``sum``, ``aggregate``, ``summary``, ``TTL``,
``Tot.``, ``Summe``, ``Ergebnis``...: a word, so the account ``SUM001`` is
none; or ``all holders``), whatever stands around it (``Grand Total (4 holders)``, ``GRAND
TOTAL 2/19``, ``Grand total of shares``), and:

* the id is a **totals label** and nothing else, or but qualifiers: ``Total``,
  ``Grand total``, ``Sub-total:``, ``SUM``, ``Gesamtergebnis``, ``Eindtotaal``,
  ``** Total **``, ``Total holders``, ``Total tendered``, ``Total (4 holders)``; or
* the id begins (``Total``, ``Grand Total``, ``All holders``) or ends with the
  word, before any qualifiers (``DTC Subtotal (2 holders)``, ``A-1 Total 2/19``,
  ``DTC total tendered``: a remark in brackets, a number, an ordinal, a date, a
  word of status, count or quantity), and its units are those of lines above
  it added up: of the lines since the last total (two or more, or one whose
  holder its id names, as Excel's Data > Subtotal writes ``B Total`` under a
  single line of ``B``: ``Subtotal DTC``, ``A-1 Total``), or since any earlier
  total (a total over subtotals: ``Euroclear Total`` under ``C Total`` and ``D
  Total``), of all the holders' lines above it, or of those above, or since
  the last total, of one status (``Total tendered``, ``Euroclear Total
  tendered``); or
* the id is a holder's followed by a totals word or Count, as Excel's Data >
  Subtotal writes its rows (``A Total``, ``Acme Inc. Count``, ``A Anzahl``; or preceded by
  the word, as French and Spanish Excel write ``Total A``, ``Total 12345678``),
  and its units are those of that holder's lines directly above it added up,
  or their number, past the group's own subtotal rows (``B Count`` under
  ``B Total`` under the B lines), or else of those directly below it (Summary
  below data off): judged by name, a subtotal missed or a holder refused
  above it hides none below it; or
* the id begins or ends with the word and stands on two or more lines (an
  agent's page-total label, ``DTC Total``, not a holder's whom another line
  subtotals), and each of its lines between the first and the last adds up the
  lines since the one before of that id (as the first and the last may), or,
  with no line since the one before, is a grand total of the page totals (all
  of them, or a section's) or repeats one (a summary); one of them adds up two
  or more lines, or a grand total standing first or last adds up the others, or
  the file's own grand total (a label, or an id saying grand) leaves them out:
  a page total over a single line is one too, and one read as a holder hides
  no later one (:func:`_label_pages`; a page total may add up its page's
  tendered lines only); or
* the id ends with Count after words of holders, records or shares only
  (``Holder count: 3``, ``Record Count``, ``Share Count``): a footer
  whatever its units (any other Count row counts, and is never judged a
  sum); or
* the id begins with the word, it is the first line, and its units are those
  of the other lines (at least two) added up, all of them or those tendered; or
* the word stands inside the id only (``Vanguard Total Stock Market Index
  Fund``, or a subtotal worded as no list foresees, ``DTC Total Memo``), and
  its units are those of the holders' lines since the last total (two or
  more); or, no line but totals following it (the end of the file), of all
  the holders' lines above it.

``TTL`` and ``Tot`` are totals words at either end of an id (``TTL DTC``, ``DTC TTL``) or in a label, and
``Count`` at its end or in a label (:func:`_short_holder`): ``Count Basie Trust``, ``Stichting tot Beheer``
and the account ``TOT-74898`` are names.  A first line headed by a totals word is judged as a total first,
and is one when the lines below it, once judged, add up to it.  No line is a total of lines whose units are all on
lines of its own id (``PIMCO Total Return Fund`` 200 under its 100 and 100), a line directly under its own group's
subtotal rows (``Sum Ka Wai`` under ``Sum Ka Wai Total``) is that holder's, and in a summary (the lines at the end of
the file that all hold a totals word, or a line directly under a total or over another such line) a line of the id
and units of one judged a total above it is a total too, as it is wherever it stands when its id is a subtotal row
naming a holder of the file (``Total DTC 0022``).  No line is a total of the lines of one status whose units are all
on lines of its own id.

A holder whose name merely holds the word (``Total Return Fund``, ``Chan Ka
Sum``) is read as a holder unless its units happen to be such a sum; the
message then says which rows they add up, and how to have it read: its id in
a mapping file's ``[holders] not_totals`` list, whose ids are holders
whatever their units (matched in any case and spacing).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from functools import cache

from ..engine.errors import InputError
from .sums import Lines, Sums, as_array, cumulative

__all__ = ["totals_rows", "not_totals_problems"]

#: Words that make a line a total wherever they stand in its id (English, and as German, French, Dutch,
#: Italian and Spanish Excel, and LibreOffice, label their subtotals).
TOTALS_WORDS = ("total", "totals", "subtotal", "subtotals", "grandtotal", "sum", "summe", "zwischensumme", "gesamt",
                "gesamtsumme", "insgesamt", "ergebnis", "gesamtergebnis", "somme", "totaal", "eindtotaal", "subtotaal",
                "totale", "suma",
                "aggregate", "summary", "ttl", "tot", "count", "anzahl", "gesamtanzahl")
#: Words that may stand beside a totals word in a label that is a total whatever its units.
_LABEL_WORDS = frozenset(TOTALS_WORDS + ("grand", "sub", "general", "général", "generale"))
#: The substrings one of which any id with a totals word holds: a tally holding none is passed over at once.
_ANY = ("tota", "sum", "gesamt", "ergebnis", "somme", "aggregate", "holders", "accounts", "anzahl")
#: The short totals words, found as words only (``Account``, ``Seattle``, ``Tottenham`` hold none): each pattern begins
#: with its word, so it is searched for at C speed as a string is.
_ANY_WORDS = tuple((w, re.compile(rf"{w}(?<!\w{w})(?!\w)")) for w in ("tot", "ttl", "count"))
_WORDS = "|".join(sorted(TOTALS_WORDS, key=len, reverse=True)) + r"|all[^\w\0]+(?:holders|accounts)"
_NOT_WORD = r"[^\w\0]*"  # within one line: spaces and punctuation
#: An id holding a totals word (letters and digits: ``SUM001`` is one word) anywhere.
_CANDIDATE = re.compile(rf"[^\0]*?(?<!\w)(?:{_WORDS})(?!\w)[^\0]*")
#: An id headed by a totals word (``Grand Total`` too).
_FIRST = re.compile(rf"{_NOT_WORD}(?:(?:grand|general)[^\w\0]+)?(?:{_WORDS})(?!\w)")
_LAST = re.compile(rf"(?<!\w)(?:{_WORDS}){_NOT_WORD}\Z")
#: Words that make a line holding a totals word the file's grand total, as a label does (``Overall Total``).
_GRAND_WORDS = frozenset(("grand", "overall", "general", "report", "final"))
#: The short totals words: an id holding only these is a total only in the shapes :func:`_short_holder` names.
_SHORT = ("tot", "ttl", "count")
#: An id holding a totals word other than the short ones and Count's (``Anzahl``, as German Excel writes Count).
_MAIN = re.compile(r"(?<!\w)(?:%s|all[^\w\0]+(?:holders|accounts))(?!\w)" % "|".join(
    sorted(set(TOTALS_WORDS) - set(_SHORT) - {"anzahl"}, key=len, reverse=True)))
#: An id (without its qualifiers) beginning or ending with TTL or Tot (``TTL DTC``, ``DTC TTL``, ``CEDE Tot.``).
_SHORT_ENDS = re.compile(r"\W*(?:tot|ttl)(?!\w)|[^\0]*(?<!\w)(?:tot|ttl)\W*\Z")
#: An account number headed TOT or TTL (``TOT-74898``, ``TTL001``): a name.
_SHORT_ACCOUNT = re.compile(r"(?:tot|ttl)(?:[-_ ]?[0-9]+|[-_/]?(?=[\w\-/]*[0-9])\w[\w\-/]*)")
#: The words before Count in a count footer, a total whatever its units (``Holder count: 3``, ``Record Count``,
#: ``Shareholder Count``, ``Share Count``, ``Number of holders: Count``).
_COUNT_LABEL_WORDS = frozenset((
    "holder", "holders", "shareholder", "shareholders", "record", "records", "row", "rows", "line", "lines",
    "account", "accounts", "participant", "participants", "investor", "investors", "client", "clients",
    "beneficial", "owner", "owners", "instruction", "instructions", "voi", "position", "positions", "tender",
    "tenders", "tendered", "share", "shares", "unit", "units", "note", "notes", "number", "of", "no", "total",
    "grand", "sub"))
_TOKEN = re.compile(r"\w+")
#: An id ending in Count, as Excel's Data > Subtotal labels a subtotal made with the function Count (``A Count``;
#: ``A Anzahl`` in German Excel).
_COUNTED = re.compile(r"(?<!\w)(?:count|anzahl)\W*(?:[0-9]+\W*)?\Z")
#: Words that may follow a totals word in a total's id (``DTC total tendered``, ``Total 4 holders as of 2/19``,
#: ``DTC Total - Feb 19, 2004``, ``DTC Total Qty``): of status, count, quantity and date.
_QUALIFIER_WORDS = frozenset((
    "tendered", "withdrawn", "accepted", "rejected", "defective", "deficient", "pending", "valid", "invalid",
    "guaranteed", "delivery", "delivered", "book", "entry", "certificated", "certificate", "certificates", "final",
    "shares", "share", "shs", "sh", "units", "unit", "notes", "holders", "holder", "accounts", "account", "accts",
    "acct", "lines", "line", "records", "positions", "qty", "quantity", "amount", "amt", "count", "no", "nr",
    "only", "as", "of", "at", "on", "per", "to", "for", "by", "thru", "through", "date", "day", "days",
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
    "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december"))
#: Qualifiers that make a totals word a label whatever the units (``Total holders``, ``Total tendered``).
_LABEL_QUALIFIERS = frozenset(("tendered", "withdrawn", "accepted", "rejected", "defective", "guaranteed", "shares",
                               "shs", "units", "notes", "holders", "accounts", "accts", "lines", "records", "positions",
                               "qty", "quantity", "amount"))
_ORDINAL = re.compile(r"[0-9]+(?:st|nd|rd|th)")
_CLOSING = {")": "(", "]": "[", "}": "{"}
_SPACES_BACKWARDS = re.compile(r"[^\w)\]}]*")  # (what stands between qualifiers, read backwards)
_TOKEN_BACKWARDS = re.compile(r"[\w/.\-]*[^\W_][\w/.\-]*")  # a word, number or date (not _ alone)
_PARTS = re.compile(r"[/.\-_]")

#: What a line judged a total is told, and both ways out ({holder}: :data:`HOLDER`).
LABEL = "looks like a totals row, not a holder: delete it if it is one; {holder}"
ADDED = "looks like a totals row, not a holder: its units are those of {} added up; delete it if it is one; {holder}"
COUNTED = ("looks like a totals row, not a holder: its units are a count of the lines of {} (Excel's Count subtotal); "
           "delete it if it is one; {holder}")
REPEATED = ("looks like a totals row, not a holder: its id and units are those of row {}, a total (repeated in a "
            "summary); delete it if it is one; {holder}")
PAGE = ("looks like a totals row, not a holder: its units are those of {} added up, the lines since the line before "
        "of its id (a page total), as row {}'s are; delete it if it is one; {holder}")
GRAND = ("looks like a totals row, not a holder: its units are those of the page totals of its id ({}) added up; "
         "delete it if it is one; {holder}")
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
    if found and not_totals:  # (in any case and spacing: TOTAL RETURN  FUND is the Total Return Fund named)
        named = {" ".join(h.casefold().split()) for h in not_totals}
        found = [i for i in found if " ".join(ids[i].casefold().split()) not in named]
    found = [i for i in found if not _short_holder(ids[i].casefold())]
    if not found:
        return []
    statuses = statuses if statuses is not None and None not in statuses else None
    candidates = set(found)
    tail = len(ids)  # the first of the lines at the end that hold a totals word
    while tail and tail - 1 in candidates:
        tail -= 1
    held: set[int] = set()  # ids with the word inside, judged at the end, that a holder's line follows after all
    pages = _pages(ids, units, statuses, found, row_of)  # (an agent's page totals: DTC Total over one line too)
    first = None  # why the first line is a total of the lines below, once those holding a totals word are judged
    if found[0] == 0 and units[0] and _FIRST.match(ids[0].casefold()):  # judged a total, are the rest its lines?
        trial = _judged(ids, units, statuses, found, set(), row_of, tail, "(the first line, on trial)", False, pages)
        first = _first_after_all(ids, units, statuses, {i for i, _ in trial}, row_of)
    while True:
        out = _judged(ids, units, statuses, found, held, row_of, tail, first, pages=pages)
        totals = {i for i, _ in out}
        if first is None and found[0] == 0 and 0 not in totals:
            first = _first_after_all(ids, units, statuses, totals, row_of)
            if first is not None:
                continue
        last = next((j for j in range(len(ids) - 1, -1, -1) if j not in totals), -1)  # the last holder's line
        late = {i for i in totals if tail <= i < last and _inside(ids[i].casefold())} - held
        if not late:
            return out
        held |= late  # (judged again as mid-file: a total only when it sums its block)


def _judged(ids, units, statuses, found, held, row_of, tail, first=None, repeats=True,
            pages=None) -> list[tuple[int, str]]:
    """:func:`totals_rows` of the lines *found* holding a totals word, those *held* with the word inside and a
    holder's line after them (a total only when they sum their block); the lines from *tail* on hold one; *first*:
    why the first line is a total, when known; *repeats*: whether a line with the id and units of one judged a total
    above is one in a summary (:func:`_in_summary`; not on trial); *pages*: why the lines of page-total labels are
    totals (:func:`_pages`)."""
    out: list[tuple[int, str]] = []
    lines = Lines(ids, units, statuses, found)
    start, judged = 0, set()  # the first line since the last total; the lines judged totals
    since = {0: (0, 0)}  # the holders' units above a line following a total -> (that line, the totals above it)
    repeated: dict[tuple[str, int], int] = {}  # (id, units) of a line judged a total -> that line

    @cache
    def holders() -> frozenset[str]:  # (the holders' ids, bare: worked out when first asked)
        return frozenset(_bare(h.casefold()) for k, h in enumerate(ids) if k not in lines.found)

    for i in found:
        above, block = lines.sums(0, i), lines.sums(start, i)  # the holders' lines above it
        earlier = lambda added, i=i: (  # noqa: E731 (directly under a total, over two or more totals)
            lines.sums(since[added][0], i) if start == i and len(out) - since.get(added, (0, len(out)))[1] >= 2
            else None)
        why = first if i == 0 and first else (pages or {}).get(i)
        if why is None:
            why = _why(ids, units, i, above, block, row_of, len(ids) + 1 if i in held else tail, earlier, judged,
                       lines.found)
        if why is None and i == 0:
            why = _first_line(ids, units, lines, row_of)
        if why is None and repeats and units[i] and (ids[i], units[i]) in repeated and _in_summary(
                ids, units, i, lines.found, judged, repeated, tail, holders):
            why = REPEATED.format(row_of(repeated[ids[i], units[i]]),
                                  holder=HOLDER.format(json.dumps(ids[i], ensure_ascii=False)))
        if why is None:
            lines.hold(i)  # a holder after all
        else:
            out.append((i, why))
            start = i + 1
            judged.add(i)
            since.setdefault(above.total, (start, len(out)))
            repeated.setdefault((ids[i], units[i]), i)
    return out


def _in_summary(ids, units, i, found, judged, repeated, tail, holders) -> bool:
    """Whether line *i*, of the id and units of a line judged a total above it, stands in a summary of totals: among
    the lines at the end of the file that all hold a totals word (from *tail* on), directly under a line judged a
    total, or directly over another line of a total's id and units (past lines of no units holding a totals word,
    ``Smith Total`` 0, either way); or, wherever it stands, its id is a subtotal row's naming a holder of the file
    (``Total DTC 0022``; *holders()*: the holders' ids, bare).  A holder's line between keeps a holder's second line
    (``Chan Ka Sum`` 100 under a page of 100) a holder's."""
    text = ids[i].casefold()
    if i >= tail or not holders().isdisjoint(_named(text, _without_qualifiers(text))):
        return True
    j = i - 1
    while j in found and not units[j] and j not in judged:
        j -= 1
    if j in judged:
        return True
    k = i + 1
    while k in found and not units[k]:
        k += 1
    return k in found and (ids[k], units[k]) in repeated


def _pages(ids, units, statuses, found, row_of) -> dict[int, str]:
    """Line -> why it is a total, for the lines of an agent's page-total labels (:func:`_label_pages`): ids begun or
    ended by a totals word on two or more lines (``DTC Total``, in any case and spacing) that are not a holder's
    whom another line subtotals (``Total SA`` under ``Total Total SA``).  Judged first, a page total over a single
    line is found, and one read as a holder hides no later one.  *statuses*: the lines' statuses, or None (a page
    total may add up its page's tendered lines only, past a withdrawn one)."""
    import numpy as np

    by_id: dict[str, list[int]] = {}
    for i in found:
        by_id.setdefault(" ".join(ids[i].casefold().split()), []).append(i)
    repeated = {key: at for key, at in by_id.items() if len(at) >= 2 and not _inside(key)}
    if not repeated:
        return {}
    named, inside, labels, grand = set(), [], [], []  # the holders named by a subtotal row (Acme Total); the word
    for i in found:  # inside; labels; labels and ids saying grand (Euroclear Grand Total)
        text = ids[i].casefold()
        core = _without_qualifiers(text)
        named.update(_named(text, core))
        inside += [i] if _inside(text, core) else []
        words = _TOKEN.findall(text)
        labels += [i] if set(words) <= _LABEL_WORDS or _label(text, core) else []
        grand += [i] if labels[-1:] == [i] or _GRAND_WORDS.intersection(words) else []
    added = as_array(units)
    plain = np.ones(len(units), dtype=bool)
    plain[list(found)] = False
    inner = plain.copy()
    inner[inside] = True
    unlabelled = np.ones_like(plain)
    unlabelled[labels] = False
    masks = [(plain, None), (inner, None), (unlabelled, None)]
    if statuses is not None and any(s != "tendered" for s in statuses):
        masks.append((plain & np.fromiter((s == "tendered" for s in statuses), bool, len(statuses)), "tendered"))
    kinds = [(cumulative(np.where(m, added, 0)), cumulative(m & (added != 0)), status)  # (units, lines of some units:
             for m, status in masks]                                                 # cumulative; of one status)
    elsewhere = _grand_elsewhere(added, grand, kinds[:2] + kinds[3:])  # (the kinds leaving the labels' lines out)
    certain = _Certain(labels)  # (the lines certainly totals: labels, and the labels' lines judged totals)
    out: dict[int, str] = {}
    for key, at in repeated.items():  # (in the order of their first lines; a grand total of the tendered lines says
        told = elsewhere if statuses is None or all(statuses[i] == "tendered" for i in at if units[i]) else _no
        judged = None if _bare(key) in named else _label_pages(units, at, kinds, told, certain.before(at[0]))
        if judged is not None:                                               # nothing of withdrawn ones)
            out.update(_page_totals(ids, *judged, row_of))
            certain.add([i for i, *_ in judged[0]] + [*judged[1], *judged[2]])
    return out


class _Certain:
    """The lines certainly totals, for :func:`_pages`: the last of them above a label's first line, asked for in the
    order of those first lines (each line is moved once: a heap, not a list sorted again for each label)."""

    def __init__(self, lines):
        self.sorted, self.later, self.last, self.now = sorted(lines), [], -1, -1

    def before(self, first: int) -> int:
        """The last line certainly a total above line *first* (no earlier than the one asked before), or -1."""
        from heapq import heappop

        self.now = first
        while self.later and self.later[0] < first:
            self.last = max(self.last, heappop(self.later))
        k = bisect_left(self.sorted, first)
        return max(self.last, self.sorted[k - 1] if k else -1)

    def add(self, lines) -> None:
        """Lines judged totals (of a label whose first line was the last asked for)."""
        from heapq import heappush

        for i in lines:
            if i < self.now:
                self.last = max(self.last, i)
            else:
                heappush(self.later, i)


def _no(*_) -> bool:
    """No evidence (:func:`_pages`)."""
    return False


def _label_pages(units, at: list[int], kinds, elsewhere, certain: int) -> tuple[list, dict, dict] | None:
    """The page totals of one label on lines *at* (:func:`_pages`; *kinds*: the lines' units, and lines of some units,
    cumulative, of three or four kinds; *elsewhere*: :func:`_grand_elsewhere`'s test; *certain*: the last line
    above its first certainly a total, or -1), or None: each of its lines between the first and the last adds
    up the lines since the line before of that id (the lines holding no totals word, or those and the ones holding
    it inside, or all but labels, or the tendered of the first kind; one or more), as the first (since the first
    line, or since the last line above it certainly a total: ``Summe``, another label's page total) and the last
    may.  A line with no line of some units since the one before but labels (``Gesamtsumme`` above the first,
    ``Page Total`` 0) is a grand total, a summary's or a grand total over the pages below it (:class:`_Sections`);
    first or last, it is a grand total of all the page totals, or first, of one or more next below it.  Judged so
    when a page total adds up two or more lines of some units (from the line before of its id, not of its tendered
    lines only; the first, from the first line), or a grand total first or last two or more page totals, or a label
    or an id saying grand below or above the label's lines adds up every line above or below it but those holding a
    totals word, and at least their page totals (:func:`_grand_elsewhere`): a holder's name on lines here and there
    (``Total SA``) or one under another (``Total SA`` 100, ``Total SA`` 150) is judged as any line is; a grand total
    of one page total first or last stands above it.  Returns ``(pages, grands, repeats)``: (line, the first and
    last line it adds up, the status of those it adds up or None) of each page total; grand total -> the page totals
    it adds up; summary line -> the page total or grand total it repeats."""
    walk = _Sections(units)
    for a, i in zip([-1] + at, at):
        if not units[i]:
            continue
        if i == a + 1 or all(c[i] == c[a + 1] for _, c, _ in kinds):  # (no line of some units since the one before
            walk.under(i, a, i == at[0], i == at[-1])                   # but labels)
            continue
        # (the first line's page: since the first line, or since the last line above it certainly a total)
        froms = [a + 1] if a >= 0 else [0] + [certain + 1] * (certain >= 0)
        some = next(((lo, int(c[i] - c[lo]), status) for lo in froms for u, c, status in kinds  # (its lines of some
                     if c[i] > c[lo] and int(u[i] - u[lo]) == units[i]), None)  # units, of the first kind adding up)
        if some is not None:  # (a page of the tendered lines only, or since another total, is no proof on its own)
            lo, count, status = some
            walk.page(i, lo, count if status is None and lo == froms[0] else min(count, 1), status)
        elif at[0] < i < at[-1]:
            return None  # (a line of the label adding up nothing between the first and the last: no page total's)
    pages, grands, ends = walk.pages, walk.grands, walk.ends
    starts = walk.starts
    bounds = sorted([*grands, *walk.repeats, *(i for i, _ in walk.over), *ends])

    def next_below(i: int, least: int) -> list[int] | None:  # (the *least* or more page totals next below it
        k = bisect_left(bounds, i) + 1                          # adding up to it)
        below = starts[bisect_left(starts, i):bisect_left(starts, bounds[k] if k < len(bounds) else at[-1] + 1)]
        total, k = 0, 0
        while k < len(below) and total < units[i]:
            total, k = total + units[below[k]], k + 1
        return below[:k] if total == units[i] and k >= least else None

    strong = any(count >= 2 for _, _, _, count, _ in pages)  # (a page total of two or more lines)
    added = walk.everything
    grand = [i for i in ends if units[i] == added and (len(pages) >= 2 or strong and i < starts[0])]
    styled = at[0] in ends and next_below(at[0], 1) is not None  # (the first line a grand total over its pages)
    for i, under_total in walk.over:  # (over one page under a total, or with the file's grand total found, or the
        grands[i] = next_below(i, 1 if under_total or grand or styled else 2)  # first line over its pages; else two)
        if grands[i] is None:
            return None  # (a holder's lines one under another: Total SA 100, Total SA 150)
    if not pages or len(pages) + len(grand) < 2 or not (strong or grand or elsewhere(at[0], at[-1], added)):
        return None
    grands.update((i, starts) for i in grand)
    if walk.last and at[-1] not in grands:
        grands[at[-1]] = walk.last
    first = next_below(at[0], 1) if at[0] in ends and at[0] not in grands else None
    if first:  # (the first section's grand total, over its pages)
        grands[at[0]] = first
    return [(i, a, b, status) for i, a, b, _, status in pages], grands, walk.repeats


class _Sections:
    """An agent's page totals under one label as :func:`_label_pages` meets them, line by line, and what a line of
    the label directly under another is: a grand total of its section's page totals (since the last grand total, of
    one page too, repeating it; or since the last of two or more, past those of one page or of all above), of all
    the page totals above it (:class:`_Prefix`), a summary's (the units of a page total or grand total above), or
    else a grand total over the page totals below it, if they add up to it (judged once they are known).  The
    label's first and last lines are its ends; the last may be its section's grand total."""

    def __init__(self, units):
        self.units = units
        self.pages, self.grands, self.repeats, self.ends, self.over = [], {}, {}, [], []
        self.seen: dict[int, int] = {}  # a page total's or grand total's units -> it
        self.section, self.since = [], 0  # the page totals since the last grand total, their units added up
        self.wide, self.wide_since = [], 0  # since the last grand total of two or more, their units added up
        self.starts, self.everything = [], 0  # all the page totals, their units added up
        self.last = None  # the last section's page totals, when the last line is its grand total (not the file's)

    def page(self, i: int, first: int, count: int, status: str | None) -> None:
        """Line *i* is a page total of lines *first* to the one above it (*count* of some units; of *status*)."""
        self.pages.append((i, first, i - 1, count, status))
        self.seen.setdefault(self.units[i], i)
        for group in (self.section, self.wide, self.starts):
            group.append(i)
        u = self.units[i]
        self.since, self.wide_since, self.everything = self.since + u, self.wide_since + u, self.everything + u

    def _section(self, units: int) -> list[int] | None:
        """The page totals a grand total of *units* under them adds up: the widest section's, or None."""
        if len(self.wide) >= 2 and units == self.wide_since:
            return self.wide
        return self.section if self.section and units == self.since else None

    def under(self, i: int, a: int, first: bool, last: bool) -> None:
        """Line *i* of the label, directly under line *a* of it (or the first, *first*, under none but labels)."""
        u = self.units[i]
        below = self._section(u)
        if first or last:
            self.ends.append(i)
            self.last = below if last and below is not None and len(below) < len(self.starts) else self.last
            return
        if below is None and len(self.starts) >= 2 and u == self.everything:
            below = _Prefix(self.starts, len(self.starts))  # (a grand total of all the page totals above it)
        if below is not None:
            self.grands[i] = below
            if below is self.wide or below is self.section and len(below) >= 2:  # (not past a grand total of
                self.wide, self.wide_since = [], 0  # one page, or of all above: perhaps a summary's, a running one)
            self.section, self.since = [], 0
            self.seen.setdefault(u, i)  # (a summary may repeat it)
        elif u in self.seen:
            self.repeats[i] = self.seen[u]  # (a summary)
        else:  # (a grand total over the page totals below it, if they add up to it)
            self.over.append((i, a in self.grands or a in self.repeats or a in self.ends))


class _Prefix:
    """The first *n* items of a list that only grows, not copied: the page totals above a grand total of all of them
    (a running grand total under each page would otherwise hold a list of every page total above it)."""

    __slots__ = ("items", "n")

    def __init__(self, items: list, n: int):
        self.items, self.n = items, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, k: slice) -> list:
        return self.items[slice(*k.indices(self.n))]


def _grand_elsewhere(added, found, kinds):
    """A test ``(first, last, pages) -> bool`` for :func:`_label_pages`: whether one of lines *found* (labels, and
    ids saying grand: ``Grand Total``, ``Euroclear Grand Total``) below line *last* adds up every line above it of
    one of *kinds* (the lines holding no totals word..., none of a label's: were they holders, it would have counted
    them), or one above line *first* every line below it, and its units are at least *pages*, a label's page totals
    added up.  The file's own grand total then says the
    label's lines were not counted in it, though every page is of one line (``A`` 100, ``DTC Total`` 100, ``B``
    120, ``DTC Total`` 120, ``Grand Total`` 220: 440 if they were holders).  The lines adding up all those above
    or below them are found at once (numpy, *added*: the lines' units), and each label is a lookup."""
    import numpy as np
    from itertools import accumulate

    at = np.asarray(found, dtype=np.int64)
    own = added[at]
    under = np.zeros(len(at), dtype=bool)  # (adding up every line above it)
    over = np.zeros(len(at), dtype=bool)  # (every line below it)
    for u, _, _ in kinds:
        under |= u[at] == own
        over |= u[-1] - u[at + 1] == own
    below = [int(g) for g in at[under & (own != 0)]]
    above = [int(g) for g in at[over & (own != 0)]]
    most_below = list(accumulate((int(added[g]) for g in reversed(below)), max))[::-1]  # (the most from k on)
    most_above = list(accumulate((int(added[g]) for g in above), max))  # (the most up to k)

    def test(first: int, last: int, pages: int) -> bool:
        k, j = bisect_right(below, last), bisect_left(above, first)
        return bool(pages) and (k < len(below) and most_below[k] >= pages or j > 0 and most_above[j - 1] >= pages)
    return test


def _page_totals(ids, pages, grands, repeats, row_of) -> dict[int, str]:
    """Line -> its message, for the page totals of one label (:func:`_label_pages`).  Each page total's message names
    another."""
    holder = lambda i: HOLDER.format(json.dumps(ids[i], ensure_ascii=False))  # noqa: E731 (as written there)
    two = [i for i, *_ in pages[:2]] + list(grands)[:1]
    out = {}
    for i, first, last, status in pages:
        rows = f"row {row_of(first)}" if first == last else f"rows {row_of(first)} to {row_of(last)}"
        rows = f"the {status} lines of {rows}" if status else rows
        out[i] = PAGE.format(rows, row_of(two[1] if i == two[0] else two[0]), holder=holder(i))
    for i, below in grands.items():
        listed = ", ".join(str(row_of(j)) for j in below[:5]) + (f", ... ({len(below):,} page totals)"
                                                                 if len(below) > 5 else "")
        out[i] = GRAND.format(("rows " if len(below) > 1 else "row ") + listed, holder=holder(i))
    out.update((i, REPEATED.format(row_of(j), holder=holder(i))) for i, j in repeats.items())
    return out


def _named(text: str, core: str) -> list[str]:
    """The holders (bare) a subtotal row's id (case-folded; *core* without its qualifiers) may name: the id but its
    totals word or Count at the end (``Acme Total``, ``Acme Count``), or at the start (``Total Acme``)."""
    count = _COUNTED.search(text)
    if count is not None:
        return [_bare(text[:count.start()])]
    names = [_bare(_LAST.sub("", core))] if _LAST.search(core) else []
    first = _FIRST.match(text)
    if first is not None:  # the name as written, and without its qualifiers (Total A (2 holders))
        names += [_bare(text[first.end():]), _bare(core[first.end():])]
    return [name for name in dict.fromkeys(names) if name]


def _why(ids, units, i, above: Sums, block: Sums, row_of, tail: int, since, judged=frozenset(),
         found=frozenset()) -> str | None:
    """Why line *i* is a total (a label, or a sum of lines above it), or None; the lines from *tail* on hold a
    totals word; *since(added)*: the sum of the lines since the total below which the holders' lines above added up
    to *added* (or since the first line), or None when none did; *judged*: the lines above judged totals; *found*:
    the lines holding a totals word."""
    text = ids[i].casefold()
    holder = lambda: HOLDER.format(json.dumps(ids[i], ensure_ascii=False))  # noqa: E731 (when told)
    if set(_TOKEN.findall(text)) <= _LABEL_WORDS:
        return LABEL.format(holder=holder())
    if i and i - 1 in judged and _of_group(ids[i - 1].casefold(), _bare(text)):
        return None  # (a line of the group whose subtotal rows stand just above it: Sum Ka Wai under Sum Ka Wai Total)
    core = _without_qualifiers(text)
    grouped = _grouped(ids, units, i, text, core, judged, found, row_of)  # (Data > Subtotal: A Total, A's lines)
    if grouped is not None:
        return grouped.format(holder=holder())
    count = _COUNTED.search(text) if not _MAIN.search(text) else None
    if count is not None and set(_TOKEN.findall(text[:count.start()])) <= _COUNT_LABEL_WORDS:
        return LABEL.format(holder=holder())  # (Holder count: 3, Share Count: a footer whatever its units)
    if not units[i] or count is not None:  # (a Count row counts, never adds up)
        return LABEL.format(holder=holder()) if _label(text, core) else None
    inside = _inside(text, core)
    if block.all_of(ids[i]):
        block = Sums()  # (a sum of a holder's own lines: PIMCO Total Return Fund 200 under its 100 and 100 is its)
    if above.all_of(ids[i]):
        above = Sums()
    if inside and i + 1 < tail and not (block.count >= 2 and block.total == units[i]):
        return None  # the word inside a name, a holder's line below it: a holder, unless it sums its block
    named = not inside and _names(ids, block, core)
    if (block.count >= 2 or named) and block.total == units[i]:
        return ADDED.format(block.rows(row_of), holder=holder())
    if above.count >= 2 and above.total == units[i]:
        return ADDED.format(above.rows(row_of), holder=holder())
    if inside:
        return None
    earlier = since(above.total - units[i])  # (a total over subtotals: Euroclear Total under its own ones)
    if earlier is not None and earlier.count >= 2 and not earlier.all_of(ids[i]):
        return ADDED.format(earlier.rows(row_of), holder=holder())
    for lines, where in ((above, "above it"), (block, "since the last total")):
        for status, (added, count) in lines.by_status.items() if lines.count else ():
            if count >= 2 and added == units[i] and lines.own_of_status(ids[i], status) != added:  # (not its own)
                return ADDED.format(f"the {status} lines {where}", holder=holder())
    return LABEL.format(holder=holder()) if _label(text, core) else None


def _names(ids, lines: Sums, core: str) -> bool:
    """Whether a subtotal's id (*core*: case-folded, without its qualifiers) names the holder of the one line of
    *lines*, as Data > Subtotal writes ``B Total`` under a single line of ``B``."""
    return lines.count == 1 and bool(_LAST.search(core)) and _bare(ids[lines.last].casefold()) == _bare(
        _LAST.sub("", core))


def _heads(text: str, name: str) -> bool:
    """Whether *name* (bare) heads an id (case-folded) as a word or words (``acme inc`` heads ``Acme Inc. Total``)."""
    text = text.strip()
    return text.startswith(name) and len(text) > len(name) and not text[len(name)].isalnum()


def _of_group(text: str, name: str) -> bool:
    """Whether an id (case-folded) is one of the subtotal rows of holder *name* (bare): the name and a totals word
    or Count (``Acme Inc. Total``), or a totals word and the name (``Total Acme Inc.``)."""
    first = _FIRST.match(text)
    return _heads(text, name) and bool(_FIRST.match(text.strip()[len(name):])) or \
        first is not None and _bare(text[first.end():]) == name


def _bare(text: str) -> str:
    """A name as a subtotal's label repeats it, without the spaces and punctuation at its ends (``Acme Inc.``
    heads ``Acme Inc. Count``)."""
    return text.strip(" \t-–—:*.,;")


def _grouped(ids, units, i, text: str, core: str, judged, found, row_of) -> str | None:
    """What line *i* is told when it is a subtotal as Excel's Data > Subtotal writes one (its message, ``{holder}``
    to fill in), or None: its id a holder's and a totals word or Count (``A Total``, ``Acme Inc. Count``), or the
    word and a holder's (``Total A``, ``Total 12345678``, as French, Spanish and Italian Excel write it), and its
    units those of that holder's lines next to it added up, or their number (:func:`_group_sum`).  Judged by name,
    not by where the last total stands, a subtotal missed or a holder refused above it hides none below it."""
    counted = _COUNTED.search(text) is not None
    for name in _named(text, core):  # (both readings when the word stands at both ends: Total Chan Ka Sum)
        why = _group_sum(ids, units, i, name, counted, judged, found, row_of)
        if why is not None:
            return why
    return None


def _group_sum(ids, units, i, name: str, counted: bool, judged, found, row_of) -> str | None:
    """Line *i*'s message (``{holder}`` to fill in) when its units are those of the lines of holder *name* (bare)
    directly above it added up (their number when *counted*), past up to 8 of the group's own subtotal rows judged
    just above it (``B Count`` under ``B Total`` under the B lines); else those directly below it, past up to 8 of
    the group's own rows (*found*: the lines holding a totals word) below it, as Data > Subtotal writes with
    Summary below data off (``A Total`` over ``A Count`` over the A lines); else None.  The group's own rows are
    its rows of the other function (Subtotal run twice: Sum and Count) or this row again: ``Chan Ka Sum`` steps
    over no ``Chan Ka Total`` to the Chan Ka lines."""
    text = ids[i].casefold()

    def own_row(k: int) -> bool:
        row = ids[k].casefold()
        return _of_group(row, name) and (row == text or bool(_COUNTED.search(row)) != counted)

    j, own = i - 1, 0
    while j >= 0 and j in judged and own < 8 and own_row(j):  # (the group's own rows)
        j, own = j - 1, own + 1
    last = j
    while j >= 0 and j not in judged and _bare(ids[j].casefold()) == name:
        j -= 1
    groups = [(j + 1, last)] if last > j else []
    k, own = i + 1, 0  # (the lines below it, as Data > Subtotal writes with Summary below data off)
    while k < len(ids) and k in found and own < 8 and own_row(k):
        k, own = k + 1, own + 1
    start = k
    while k < len(ids) and _bare(ids[k].casefold()) == name:
        k += 1
    groups += [(start, k - 1)] if k > start else []
    for a, b in groups:
        if (b - a + 1 if counted else sum(units[x] for x in range(a, b + 1))) == units[i]:
            rows = f"row {row_of(a)}" if a == b else f"rows {row_of(a)} to {row_of(b)}"
            return (COUNTED if counted else ADDED).replace("{}", rows, 1)
    return None


def _label(text: str, core: str) -> bool:
    """Whether an id (*text*; *core* without its qualifiers) is a totals label and qualifiers of status or count
    (``Total holders``, ``Grand Total (4 holders)``, ``Total tendered``, ``Count of holders``): a total whatever its
    units.  ``Sum May``, ``Total 2``, ``+SUM(A1:A9)`` are none: names, or a formula's text, judged by their units."""
    if not _TOKEN.search(core):  # (a word of count, itself a qualifier, heads it: Count of holders)
        word = _TOKEN.search(text)
        core = text[:word.end()] if word else core
    words = set(_TOKEN.findall(core))
    return bool(words) and words <= _LABEL_WORDS and bool(_LABEL_QUALIFIERS & set(_TOKEN.findall(text[len(core):])))


def _inside(text: str, core: str | None = None) -> bool:
    """Whether the (case-folded) id holds its totals word inside only: neither first (``Grand Total``, ``All
    holders`` too) nor last, before any qualifiers (``DTC Subtotal (2 holders)``, ``A-1 Total 2/19``, ``DTC
    total tendered`` end with theirs)."""
    return not _FIRST.match(text) and not _LAST.search(text) and not _LAST.search(
        _without_qualifiers(text) if core is None else core)


def _without_qualifiers(text: str) -> str:
    """The (case-folded) id without the qualifiers that end it: remarks in brackets, nested or not (``(2
    holders)``), numbers, ordinals and dates (``2/19``, ``19-feb-2004``, ``2nd``), and words of
    :data:`_QUALIFIER_WORDS`.  Read from the end (the id reversed, matched a token at a time), each character
    once: a long id costs no more than a short one."""
    backwards, at = text[::-1], 0
    while at < len(backwards):
        j = _SPACES_BACKWARDS.match(backwards, at).end()  # spaces and punctuation
        if j < len(backwards) and backwards[j] in _CLOSING:  # a remark in brackets, back to its opening one
            closing, opening, depth, k = backwards[j], _CLOSING[backwards[j]], 0, j
            while k < len(backwards):
                depth += (backwards[k] == closing) - (backwards[k] == opening)
                k += 1
                if not depth:
                    break
            if depth:  # (never opened)
                break
            at = k
            continue
        token = _TOKEN_BACKWARDS.match(backwards, j)
        if token is None or not all(p.isdigit() or p in _QUALIFIER_WORDS or _ORDINAL.fullmatch(p)
                                    for p in _PARTS.split(token.group()[::-1]) if p):
            break
        at = token.end()
    return text[:len(text) - at]


def _short_holder(text: str) -> bool:
    """Whether an id (case-folded) whose only totals words are the short ones (:data:`_SHORT`) is a holder's all
    the same.  As a total such an id ends in Count (``A Count``, ``Holder count: 3``), begins or ends with TTL or
    Tot (``TTL DTC``, ``DTC TTL``, ``CEDE Tot.``, ``TTL 2/19``) or is a label (``Grand Count``, ``Count of
    holders``); ``Count Basie Trust``, ``Stichting tot Beheer`` and the account ``TOT-74898`` are names."""
    if _MAIN.search(text) or _COUNTED.search(text) or set(_TOKEN.findall(text)) <= _LABEL_WORDS:
        return False
    if _SHORT_ACCOUNT.fullmatch(text):
        return True
    core = _without_qualifiers(text)
    return not _SHORT_ENDS.match(text) and not _SHORT_ENDS.match(core) and not _label(text, core)


def _first_after_all(ids, units, statuses, totals: set[int], row_of) -> str | None:
    """Why the first line, headed by a totals word, is a total of the lines below it once they are judged
    (*totals*: those judged totals), the holders among them whose ids hold a totals word too (``Count Basie
    Trust``) added in; or None."""
    if not _FIRST.match(ids[0].casefold()) or not units[0]:
        return None
    holder = HOLDER.format(json.dumps(ids[0], ensure_ascii=False))
    for status in (None, "tendered") if statuses is not None else (None,):
        below = [j for j in range(1, len(ids)) if j not in totals and (status is None or statuses[j] == status)]
        if {ids[j] for j in below if units[j]} == {ids[0]}:  # (its own lines: TTL Partners 200 over its 100, 100)
            continue
        if len(below) >= 2 and sum(units[j] for j in below) == units[0]:
            what = f"rows {row_of(below[0])} to {row_of(below[-1])}" if status is None else \
                "the tendered lines below it"
            return ADDED.format(what, holder=holder)
    return None


def _first_line(ids, units, lines: Lines, row_of) -> str | None:
    """Why the first line, headed by a totals word, is a total of the lines below it (some agents put it
    first), or None."""
    if not _FIRST.match(ids[0].casefold()) or not units[0]:
        return None
    below = lines.sums(1, len(ids))  # (none of the lines holding a totals word)
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
    held = lambda word: all(c in folded for c in word)  # noqa: E731 (a letter is found at memchr speed)
    for needle in filter(held, _ANY):  # (ids of letters and digits, H0000001, hold none of most needles' letters)
        at = folded.find(needle)
        while at >= 0:
            starts.add(folded.rfind("\0", 0, at) + 1)
            end = folded.find("\0", at)
            at = folded.find(needle, end) if end >= 0 else -1
    for word, pattern in _ANY_WORDS:
        if held(word):
            starts.update(folded.rfind("\0", 0, m.start()) + 1 for m in pattern.finditer(folded))
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
