"""Tally lines that are not holders but totals: an agent's ``Total`` line, Excel's Data > Subtotal rows.

With a mapping's ``[defaults]`` stating the method and status, such a line
would be one more holder and count its units twice, so the tally reader
refuses it by row.  A line is a total when its holder id holds a totals
word anywhere (``total``, ``sum``, ``aggregate``, ``summary``, ``TTL``,
``Tot.``, ``Summe``, ``Ergebnis``...: a word, so the account ``SUM001`` is
none; or ``all holders``), whatever stands around it (``Grand Total (4 holders)``, ``GRAND
TOTAL 2/19``, ``Grand total of shares``), and:

* the id is a **totals label** and nothing else, or but qualifiers: ``Total``,
  ``Grand total``, ``Overall Total``, ``Report Total``, ``Final Total``, ``Sub-total:``, ``SUM``,
  ``Gesamtergebnis``, ``Eindtotaal``,
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
  agent's page-total label, ``DTC Total``, ``Page Total 1`` and ``Page Total 2``
  one label's, not a holder's whom another line
  subtotals), and each of its lines between the first and the last adds up the
  lines since the one before of that id (as the first and the last may), or,
  with no line since the one before, is a grand total of the page totals (all
  of them, or a section's) or repeats one (a summary); one of them adds up two
  or more lines, or a grand total standing first or last adds up the others, or
  two sections' grand totals each add up two or more of them, or the file's
  own grand total (a label, or an id saying grand) leaves them out:
  a page total over a single line is one too, and one read as a holder hides
  no later one (:mod:`xlpy.files.pages`; a page total may add up its page's
  tendered lines only); or
* the id ends with Count after words of holders, records or shares only
  (``Holder count: 3``, ``Record Count``, ``Share Count``): a footer
  whatever its units (any other Count row counts, and is never judged a
  sum); or
* the id begins with the word (or ends with it and says grand: ``DTC Grand
  Total``), it is the first line, and its units are those of the other lines
  (at least two) added up, all of them or those tendered; or
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

Whatever its id, the last line read as a holder's, tendered (or of no status stated), is a total when its units are
those of the holders' lines above it added up, all of them or their tendered ones (``Overall``, ``Σ``, ``Net
tendered``: a footer no totals word names, :func:`_footer`): ten or more of some units when its method and status
cells are written as a holder's are, else two or more, and none of its own id.

A holder whose name merely holds the word (``Total Return Fund``, ``Chan Ka
Sum``) is read as a holder unless its units happen to be such a sum; the
message then says which rows they add up, and how to have it read: its id in
a mapping file's ``[holders] not_totals`` list, whose ids are holders
whatever their units (matched in any case and spacing).
"""

from __future__ import annotations

import json
from functools import cache
from itertools import compress, repeat
from operator import eq

from ..engine.errors import InputError
from .pages import agent_pages
from .sums import Lines, Sums
from .words import (ADDED, ANY, ANY_WORDS, CANDIDATE, COUNTED, COUNT_LABEL_WORDS, ENDS_IN_COUNT, FIRST, FOOTER,
                    GRAND_WORDS, LABEL, LABEL_WORDS, LAST, MAIN, REPEATED, SHORT_ACCOUNT, SHORT_ENDS, TOKEN, bare,
                    label, named_holders, way_out, without_qualifiers, word_inside)

__all__ = ["misspelt_not_totals", "not_totals_problems", "totals_rows"]



def totals_rows(ids, joined: str | None, units, statuses=None, row_of=lambda i: i + 2,
                not_totals=(), stated=None, refused: bool = False) -> list[tuple[int, str]]:
    """``(index, why)`` of each line that is a total (see the module), in order.

    *joined* is ``"\\0".join(ids)`` or None; *units* the lines' units (0 where a cell was refused); *statuses*
    their statuses in our words (``tendered``, ``withdrawn``...), or None when not known; *row_of* a line's row
    in the file, for the messages; *not_totals* the ids that are holders whatever their units (a mapping
    file's ``[holders] not_totals``); *stated(i)*: whether line *i*'s method and status cells are written in the
    file (None: the file has no such column); *refused*: whether a units cell was refused (then read as 0, so the
    last line is not judged by the sum).  The ids are searched joined, at C speed: a tally holding no totals word
    anywhere is passed over at once, and its last line is judged by one sum (:func:`_footer`).
    """
    out = _worded(ids, joined, units, statuses, row_of, not_totals)
    footer = None if refused else _footer(ids, units, {i for i, _ in out}, statuses, stated, not_totals, row_of)
    return out if footer is None else sorted(out + [footer])


#: How many lines of some units above it a last line must add up to be judged a footer when its method and status
#: cells are written as a holder's are: three to five holders' round lots add up by chance (review 97: the last of
#: three did in 1 tally in 100, of five in 1 in 1,000; of ten or more in none of 20,000).  A footer's cells are most
#: often empty (the mapping's [defaults] fills them), and a line so, or a tally without such columns, is judged
#: over two.
FOOTER_OVER = 10


def _footer(ids, units, totals: set[int], statuses, stated, not_totals, row_of) -> tuple[int, str] | None:
    """``(index, why)`` of the last line read as a holder's when it is tendered (or its status is unknown: an empty
    cell without a default, a word not ours) and its units are those of the holders' lines above it added up, all
    of them or their tendered ones, whatever its id (``Overall``, ``Σ``, ``Net tendered``: a footer no totals word
    names); else None.  It adds up :data:`FOOTER_OVER` lines of some
    units or more when its method and status cells are written (*stated*), else two or more; and it is no footer
    when a line above it is of its id (no footer carries a holder's id), or its id is one of *not_totals*.
    *totals*: the lines judged totals by their words.  One sum of the units (a numpy array's, where the CSV reader
    made one), and of the tendered ones when some are not, before anything else: a tally of a million lines costs
    a few milliseconds."""
    last = len(ids) - 1
    while last >= 0 and last in totals:
        last -= 1
    need = FOOTER_OVER if stated is not None and last >= 0 and stated(last) else 2
    if last < need or not units[last] or (statuses is not None and statuses[last] not in ("tendered", None)):
        return None
    array = getattr(units, "array", None)
    array = array if array is not None and int(array.max()) * len(array) < 2**63 else None  # (no sum overflows)
    # (the lines after it are totals: *above* is the units of all the holders' lines above it)
    above = (sum(units) if array is None else int(array.sum())) - sum(units[i] for i in totals) - units[last]
    tendered = False
    if above != units[last]:
        if statuses is None or above < units[last] or _tendered_above(units, array, statuses, totals, last) != \
                units[last]:
            return None
        tendered = True
    lines = [j for j in range(last) if j not in totals and units[j] and (not tendered or statuses[j] == "tendered")]
    if len(lines) < need or any(ids[j] == ids[last] for j in range(last) if j not in totals):
        return None
    if " ".join(ids[last].casefold().split()) in {" ".join(h.casefold().split()) for h in not_totals}:
        return None
    rows = ("the tendered lines of " if tendered else "") + f"rows {row_of(lines[0])} to {row_of(lines[-1])}"
    return last, FOOTER.format(rows, holder=way_out(ids[last]))


def _tendered_above(units, array, statuses, totals: set[int], last: int) -> int | None:
    """The units of the tendered lines above line *last* but the *totals*, or None when every line is tendered
    (they are all the lines'): in numpy where the reader made the units an *array* and the statuses
    :class:`~xlpy.files.tally_csv.Words` (codes of categories)."""
    codes = getattr(statuses, "codes", None)
    if codes is not None:
        if statuses.categories == ["tendered"]:
            return None
        if "tendered" not in statuses.categories:
            return 0
        tendered = codes[:last] == statuses.categories.index("tendered")
        added = int(array[:last][tendered].sum()) if array is not None else sum(compress(units, tendered.tolist()))
    elif statuses.count("tendered") == len(statuses):  # (at C speed)
        return None
    else:
        added = sum(compress(units[:last], map(eq, statuses[:last], repeat("tendered"))))
    return added - sum(units[i] for i in totals if i < last and statuses[i] == "tendered")


def _worded(ids, joined: str | None, units, statuses, row_of, not_totals) -> list[tuple[int, str]]:
    """:func:`totals_rows`' lines holding a totals word judged (see the module)."""
    folded = ("\0".join(ids) if joined is None else joined).casefold()
    found = _lines_with_a_totals_word(folded)
    if found and folded.count("\0") != len(ids) - 1:  # an id holding a NUL: one at a time
        found = [i for i, h in enumerate(ids) if CANDIDATE.fullmatch(h.casefold())]
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
    pages = agent_pages(ids, units, statuses, found, row_of)  # (an agent's page totals: DTC Total over one line too)
    first = None  # why the first line is a total of the lines below, once those holding a totals word are judged
    if found[0] == 0 and units[0] and _heads_the_file(ids[0].casefold()):  # judged a total, are the rest its lines?
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
        late = {i for i in totals if tail <= i < last and word_inside(ids[i].casefold())} - held
        if not late:
            return out
        held |= late  # (judged again as mid-file: a total only when it sums its block)


def _judged(ids, units, statuses, found, held, row_of, tail, first=None, repeats=True,
            pages=None) -> list[tuple[int, str]]:
    """:func:`totals_rows` of the lines *found* holding a totals word, those *held* with the word inside and a
    holder's line after them (a total only when they sum their block); the lines from *tail* on hold one; *first*:
    why the first line is a total, when known; *repeats*: whether a line with the id and units of one judged a total
    above is one in a summary (:func:`_in_summary`; not on trial); *pages*: why the lines of page-total labels are
    totals (:func:`~xlpy.files.pages.agent_pages`)."""
    out: list[tuple[int, str]] = []
    lines = Lines(ids, units, statuses, found)
    start, judged = 0, set()  # the first line since the last total; the lines judged totals
    since = {0: (0, 0)}  # the holders' units above a line following a total -> (that line, the totals above it)
    repeated: dict[tuple[str, int], int] = {}  # (id, units) of a line judged a total -> that line

    @cache
    def holders() -> frozenset[str]:  # (the holders' ids, bare: worked out when first asked)
        return frozenset(bare(h.casefold()) for k, h in enumerate(ids) if k not in lines.found)

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
                                  holder=way_out(ids[i]))
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
    if i >= tail or not holders().isdisjoint(named_holders(text, without_qualifiers(text))):
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


def _why(ids, units, i, above: Sums, block: Sums, row_of, tail: int, since, judged=frozenset(),
         found=frozenset()) -> str | None:
    """Why line *i* is a total (a label, or a sum of lines above it), or None; the lines from *tail* on hold a
    totals word; *since(added)*: the sum of the lines since the total below which the holders' lines above added up
    to *added* (or since the first line), or None when none did; *judged*: the lines above judged totals; *found*:
    the lines holding a totals word."""
    text = ids[i].casefold()
    holder = lambda: way_out(ids[i])  # noqa: E731 (when told)
    if set(TOKEN.findall(text)) <= LABEL_WORDS:
        return LABEL.format(holder=holder())
    if i and i - 1 in judged and _of_group(ids[i - 1].casefold(), bare(text)):
        return None  # (a line of the group whose subtotal rows stand just above it: Sum Ka Wai under Sum Ka Wai Total)
    core = without_qualifiers(text)
    grouped = _grouped(ids, units, i, text, core, judged, found, row_of)  # (Data > Subtotal: A Total, A's lines)
    if grouped is not None:
        return grouped.format(holder=holder())
    count = ENDS_IN_COUNT.search(text) if not MAIN.search(text) else None
    if count is not None and set(TOKEN.findall(text[:count.start()])) <= COUNT_LABEL_WORDS:
        return LABEL.format(holder=holder())  # (Holder count: 3, Share Count: a footer whatever its units)
    if not units[i] or count is not None:  # (a Count row counts, never adds up)
        return LABEL.format(holder=holder()) if label(text, core) else None
    inside = word_inside(text, core)
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
    return LABEL.format(holder=holder()) if label(text, core) else None


def _names(ids, lines: Sums, core: str) -> bool:
    """Whether a subtotal's id (*core*: case-folded, without its qualifiers) names the holder of the one line of
    *lines*, as Data > Subtotal writes ``B Total`` under a single line of ``B``."""
    return lines.count == 1 and bool(LAST.search(core)) and bare(ids[lines.last].casefold()) == bare(
        LAST.sub("", core))


def _heads(text: str, name: str) -> bool:
    """Whether *name* (bare) heads an id (case-folded) as a word or words (``acme inc`` heads ``Acme Inc. Total``)."""
    text = text.strip()
    return text.startswith(name) and len(text) > len(name) and not text[len(name)].isalnum()


def _of_group(text: str, name: str) -> bool:
    """Whether an id (case-folded) is one of the subtotal rows of holder *name* (bare): the name and a totals word
    or Count (``Acme Inc. Total``), or a totals word and the name (``Total Acme Inc.``)."""
    first = FIRST.match(text)
    return _heads(text, name) and bool(FIRST.match(text.strip()[len(name):])) or \
        first is not None and bare(text[first.end():]) == name


def _grouped(ids, units, i, text: str, core: str, judged, found, row_of) -> str | None:
    """What line *i* is told when it is a subtotal as Excel's Data > Subtotal writes one (its message, ``{holder}``
    to fill in), or None: its id a holder's and a totals word or Count (``A Total``, ``Acme Inc. Count``), or the
    word and a holder's (``Total A``, ``Total 12345678``, as French, Spanish and Italian Excel write it), and its
    units those of that holder's lines next to it added up, or their number (:func:`_group_sum`).  Judged by name,
    not by where the last total stands, a subtotal missed or a holder refused above it hides none below it."""
    counted = ENDS_IN_COUNT.search(text) is not None
    for name in named_holders(text, core):  # (both readings when the word stands at both ends: Total Chan Ka Sum)
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
        return _of_group(row, name) and (row == text or bool(ENDS_IN_COUNT.search(row)) != counted)

    j, own = i - 1, 0
    while j >= 0 and j in judged and own < 8 and own_row(j):  # (the group's own rows)
        j, own = j - 1, own + 1
    last = j
    while j >= 0 and j not in judged and bare(ids[j].casefold()) == name:
        j -= 1
    groups = [(j + 1, last)] if last > j else []
    k, own = i + 1, 0  # (the lines below it, as Data > Subtotal writes with Summary below data off)
    while k < len(ids) and k in found and own < 8 and own_row(k):
        k, own = k + 1, own + 1
    start = k
    while k < len(ids) and bare(ids[k].casefold()) == name:
        k += 1
    groups += [(start, k - 1)] if k > start else []
    for a, b in groups:
        if (b - a + 1 if counted else sum(units[x] for x in range(a, b + 1))) == units[i]:
            rows = f"row {row_of(a)}" if a == b else f"rows {row_of(a)} to {row_of(b)}"
            return (COUNTED if counted else ADDED).replace("{}", rows, 1)
    return None


def _short_holder(text: str) -> bool:
    """Whether an id (case-folded) whose only totals words are the short ones (:data:`_SHORT`) is a holder's all
    the same.  As a total such an id ends in Count (``A Count``, ``Holder count: 3``), begins or ends with TTL or
    Tot (``TTL DTC``, ``DTC TTL``, ``CEDE Tot.``, ``TTL 2/19``) or is a label (``Grand Count``, ``Count of
    holders``); ``Count Basie Trust``, ``Stichting tot Beheer`` and the account ``TOT-74898`` are names."""
    if MAIN.search(text) or ENDS_IN_COUNT.search(text) or set(TOKEN.findall(text)) <= LABEL_WORDS:
        return False
    if SHORT_ACCOUNT.fullmatch(text):
        return True
    core = without_qualifiers(text)
    return not SHORT_ENDS.match(text) and not SHORT_ENDS.match(core) and not label(text, core)


def _first_after_all(ids, units, statuses, totals: set[int], row_of) -> str | None:
    """Why the first line, headed by a totals word, is a total of the lines below it once they are judged
    (*totals*: those judged totals), the holders among them whose ids hold a totals word too (``Count Basie
    Trust``) added in; or None."""
    if not _heads_the_file(ids[0].casefold()) or not units[0]:
        return None
    holder = way_out(ids[0])
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
    if not _heads_the_file(ids[0].casefold()) or not units[0]:
        return None
    below = lines.sums(1, len(ids))  # (none of the lines holding a totals word)
    holder = way_out(ids[0])
    if below.count >= 2 and below.total == units[0]:
        return ADDED.format(below.rows(row_of), holder=holder)
    added, count = below.by_status.get("tendered", (0, 0))
    if count >= 2 and added == units[0]:
        return ADDED.format("the tendered lines below it", holder=holder)
    return None


def _heads_the_file(text: str) -> bool:
    """Whether a first line's id (case-folded) may be a total of the lines below it: headed by a totals word
    (``Total``, ``Grand Total``), or ending with one and saying grand (``DTC Grand Total``, ``Euroclear Overall
    Total``), as some agents put the grand total first."""
    return bool(FIRST.match(text)) or bool(LAST.search(without_qualifiers(text))) and not GRAND_WORDS.isdisjoint(
        TOKEN.findall(text))


def _lines_with_a_totals_word(folded: str) -> list[int]:
    """The indexes of the lines of *folded* (ids joined by ``\\0``) holding a totals word."""
    starts = set()  # where each line holding a needle starts
    held = lambda word: all(c in folded for c in word)  # noqa: E731 (a letter is found at memchr speed)
    for needle in filter(held, ANY):  # (ids of letters and digits, H0000001, hold none of most needles' letters)
        at = folded.find(needle)
        while at >= 0:
            starts.add(folded.rfind("\0", 0, at) + 1)
            end = folded.find("\0", at)
            at = folded.find(needle, end) if end >= 0 else -1
    for word, pattern in ANY_WORDS:
        if held(word):
            starts.update(folded.rfind("\0", 0, m.start()) + 1 for m in pattern.finditer(folded))
    found, line, counted = [], 0, 0
    for start in sorted(starts):
        line += folded.count("\0", counted, start)
        counted = start
        end = folded.find("\0", start)
        if CANDIDATE.fullmatch(folded, start, len(folded) if end < 0 else end):
            found.append(line)
    return found


def not_totals_problems(name: str, table) -> list[InputError]:
    """The problems of a mapping file's ``[holders]`` table (*name*: the file's name): its one key,
    ``not_totals``, a list of holder ids as written in the tally."""
    if not isinstance(table, dict):  # (holders = "X": no table)
        return [InputError(f"{name}: holders", table, "must be a table: [holders], then not_totals = [...]")]
    problems = [InputError(f"{name}: holders.{key}", key, "is not a known key of [holders] (its one key is "
                           "not_totals)", show_value=False) for key in table if key != "not_totals"]
    ids = table.get("not_totals", [])
    if not isinstance(ids, list):
        return problems + [InputError(f"{name}: holders.not_totals", ids, "must be a list of holder ids, in quotes "
                                      '(not_totals = ["Total Return Fund"])')]
    return problems + [InputError(f"{name}: holders.not_totals", h, "must be a holder id as written in the tally, "
                                  'in quotes (not_totals = ["Total Return Fund"])')
                       for h in ids if not isinstance(h, str) or not h.strip()]


def misspelt_not_totals(ids, totals, not_totals, source: str, row_of) -> list[InputError]:
    """The ids of a mapping's ``[holders] not_totals`` (*source*: the mapping file's name) on no line of the tally
    but close to the id of a line refused as a totals row (*totals*: :func:`totals_rows`'s), ``Total Retrun Fund``
    for ``Total Return Fund``: that holder is refused still, and this says why.  An id far from every refused one
    is no matter (a mapping kept from day to day may name a holder who has left the tally)."""
    if not totals or not not_totals:
        return []
    from difflib import get_close_matches

    spaced = lambda h: " ".join(h.casefold().split())  # noqa: E731 (as not_totals matches: any case and spacing)
    held = set(map(spaced, ids))
    lines: dict[str, int] = {}
    for i, _ in totals:  # (the first thousand ids refused are compared, not labels: a file of agent totals stays
        if len(lines) >= 1000:  # quick, and no holder is told it is the Total)
            break
        if not set(TOKEN.findall(ids[i].casefold())) <= LABEL_WORDS:
            lines.setdefault(spaced(ids[i]), i)
    out = []
    for h in [h for h in sorted(not_totals) if spaced(h) not in held][:100]:  # (a hundred of those on no line)
        near = get_close_matches(spaced(h), list(lines), n=1, cutoff=0.8)
        out += [InputError(f"{source or 'the mapping file'}: holders.not_totals", h,
                           f"is the holder id of no line of this tally; row {row_of(lines[m])}, refused as a totals "
                           f"row, holds {json.dumps(ids[lines[m]], ensure_ascii=False)}: if that is the holder meant, "
                           "write its id as the tally does") for m in near]
    return out
