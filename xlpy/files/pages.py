"""An agent's page totals under one label (``DTC Total`` after each page), for :mod:`xlpy.files.totals`.

A label that begins or ends with a totals word and stands on two or more lines is judged as a whole, before the
other rules judge each line: its lines are page totals when each adds up the lines since the line before of that
label, grand totals of page totals (a section's, the file's, over or under them) or a summary's repeats
(:func:`agent_pages`).  A page total over a single line is found so, and one read as a holder hides no later one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from heapq import heappop, heappush

from .sums import as_array, cumulative
from .words import (FIRST, GRAND, GRAND_WORDS, LABEL_WORDS, LAST, PAGE, REPEATED, TOKEN, bare, label, named_holders,
                    way_out, without_qualifiers, word_inside)

__all__ = ["agent_pages"]


def agent_pages(ids, units, statuses, found, row_of) -> dict[int, str]:
    """Line -> why it is a total, for the lines of an agent's page-total labels (:func:`_label_pages`): ids begun or
    ended by a totals word on two or more lines (``DTC Total``, in any case and spacing) that are not a holder's
    whom another line subtotals (``Total SA`` under ``Total Total SA``).  Judged first, a page total over a single
    line is found, and one read as a holder hides no later one.  *statuses*: the lines' statuses, or None (a page
    total may add up its page's tendered lines only, past a withdrawn one)."""
    import numpy as np

    by_id, parts = _by_label(ids, found)
    repeated = {key: at for key, at in by_id.items() if len(at) >= 2 and not word_inside(key)}
    if not repeated:
        return {}
    named, inside, labels, grand = set(), [], [], []  # the holders named by a subtotal row (Acme Total); the word
    for i in found:  # inside; labels; labels and ids saying grand (Euroclear Grand Total)
        text = ids[i].casefold()
        core = without_qualifiers(text)
        named.update(named_holders(text, core))
        inside += [i] if word_inside(text, core) else []
        words = TOKEN.findall(text)
        labels += [i] if set(words) <= LABEL_WORDS or label(text, core) else []
        grand += [i] if labels[-1:] == [i] or GRAND_WORDS.intersection(words) else []
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
    many = {i for at in by_id.values() if len(at) >= 2 for i in at}.union(inside)  # (judged so, or names perhaps)
    once = [i for i in _sums_since_the_last(added, found, kinds[0]) if i not in many]
    certain = _Certain(labels + once)  # (the lines certainly totals: labels, one-off totals of two or more lines,
                                       # and the labels' lines judged totals)
    out: dict[int, str] = {}
    queue = [(at[0], key, at) for key, at in repeated.items()]  # (in the order of their first lines: a heap)
    while queue:
        _, key, at = heappop(queue)  # (a grand total of the tendered lines says nothing of withdrawn ones)
        told = elsewhere if statuses is None or all(statuses[i] == "tendered" for i in at if units[i]) else _no
        judged = None if bare(key) in named else _label_pages(units, at, kinds, told, certain.before(at[0]))
        if judged is not None:
            out.update(_page_totals(ids, *judged, row_of))
            certain.add([i for i, *_ in judged[0]] + [*judged[1], *judged[2]])
        for part, lines in parts.pop(key, ()) if judged is None else ():  # (numbered ids, not one label's: each
            if len(lines) >= 2 and not word_inside(part):                 # alone, as a total of each broker's, once)
                heappush(queue, (lines[0], part, lines))
    return out


def _by_label(ids, found) -> tuple[dict[str, list[int]], dict[str, list[tuple[str, list[int]]]]]:
    """The lines of *found* by id (case-folded, its spaces single), in the order of their first lines, the ids of one
    label numbered page by page (``Page Total 1``, ``Page Total 2``...: :func:`_page_number`) taken together when
    their numbers rise from line to line (then perhaps rise again through some of them: a summary's); else
    (``Total Broker 22`` twice, then ``Total Broker 55`` twice: a total of each broker's) each id is a label of its
    own.  Returns those lines by label, and the ids taken together under each such label with their lines (judged
    alone when the label is not one)."""
    by_id: dict[str, list[int]] = {}
    for i in found:
        by_id.setdefault(" ".join(ids[i].casefold().split()), []).append(i)
    numbered: dict[str, list[tuple[int, str]]] = {}  # what is left of an id -> (its page number, the id)
    parts: dict[str, list[tuple[str, list[int]]]] = {}
    for key in by_id:
        rest, number = _page_number(key)
        if number is not None:
            numbered.setdefault(rest, []).append((number, key))
    for rest, keys in numbered.items():
        lines = sorted((i, n) for n, key in keys for i in by_id[key])
        runs = [[lines[0][1]]]  # (the numbers in file order, in rising runs: the pages, then perhaps a summary's)
        for (_, a), (_, b) in zip(lines, lines[1:]):
            if a < b:
                runs[-1].append(b)
            else:
                runs.append([b])
        pages = set(runs[0])
        if len(pages) >= 2 and all(pages.issuperset(run) for run in runs[1:]):
            parts[rest] = [(key, by_id.pop(key)) for _, key in keys] + ([(rest, by_id[rest])] if rest in by_id else [])
            by_id[rest] = sorted(i for _, at in parts[rest] for i in at)
    return dict(sorted(by_id.items(), key=lambda item: item[1][0])), parts


#: A page number ending an id (``Page Total 3``, ``DTC Total #12``): 1 to 9999, no date, no account number.
_PAGE_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{0,3}\Z")


def _page_number(key: str) -> tuple[str, int | None]:
    """An id (case-folded, its spaces single) without a page number after it, and that number, when what is left is
    two words or more beginning or ending with a totals word (``page total 3``: ``page total``, 3; ``total 2`` and
    ``total dtc 0022`` are ids of their own: a holder's number, an account); else the id and None."""
    number = _PAGE_NUMBER.search(key)
    if number is None or not number.start() or key[number.start() - 1] not in " #:-":
        return key, None
    rest = key[:number.start()].rstrip(" #:-")
    if len(TOKEN.findall(rest)) >= 2 and (FIRST.match(rest) or LAST.search(rest)):
        return rest, int(number.group())
    return key, None


class _Certain:
    """The lines certainly totals, for :func:`agent_pages`: the last of them above a label's first line, asked for in
    the order of those first lines (each line is moved once: a heap, not a list sorted again for each label)."""

    def __init__(self, lines):
        self.sorted, self.later, self.last = sorted(lines), [], -1

    def before(self, first: int) -> int:
        """The last line certainly a total above line *first* (no earlier than the one asked before), or -1."""
        while self.later and self.later[0] < first:
            self.last = max(self.last, heappop(self.later))
        k = bisect_left(self.sorted, first)
        return max(self.last, self.sorted[k - 1] if k else -1)

    def add(self, lines) -> None:
        """Lines judged totals (of a label whose first line was the last asked for: none stands above it)."""
        for i in lines:
            heappush(self.later, i)


def _sums_since_the_last(added, found, kind) -> list[int]:
    """The lines of *found* (holding a totals word) whose units are those of two or more lines of some units since
    the one before of *found* added up (*kind*: the lines' units and lines of some units, cumulative, of the lines
    holding no totals word): ``Total Certificated`` 150 under ``A`` 100 and ``B`` 50, a one-off total certainly, from
    which the first page of a label below it may run."""
    import numpy as np

    at = np.asarray(found, dtype=np.int64)
    since = np.concatenate(([0], at[:-1] + 1))
    u, c, _ = kind
    return [int(i) for i in at[(c[at] - c[since] >= 2) & (u[at] - u[since] == added[at]) & (added[at] != 0)]]


def _no(*_) -> bool:
    """No evidence (:func:`agent_pages`)."""
    return False


def _label_pages(units, at: list[int], kinds, elsewhere, certain: int) -> tuple[list, dict, dict] | None:
    """The page totals of one label on lines *at* (:func:`agent_pages`; *kinds*: the lines' units, and lines of some
    units, cumulative, of three or four kinds; *elsewhere*: :func:`_grand_elsewhere`'s test; *certain*: the last line
    above its first certainly a total, or -1), or None: each of its lines between the first and the last adds
    up the lines since the line before of that id (the lines holding no totals word, or those and the ones holding
    it inside, or all but labels, or the tendered of the first kind; one or more), as the first (since the first
    line, or since the last line above it certainly a total: ``Summe``, another label's page total, a one-off total
    of two or more lines) and the last may.  A line with no line of some units since the one before but labels (``Gesamtsumme`` above the first,
    ``Page Total`` 0) is a grand total, a summary's or a grand total over the pages below it (:class:`_Sections`);
    first or last, it is a grand total of all the page totals, or first, of one or more next below it.  Judged so
    when a page total adds up two or more lines of some units (from the line before of its id, not of its tendered
    lines only; the first, from the first line), or a grand total first or last two or more page totals, or two grand
    totals (of sections, under or over them; or a summary's line adding up those next below it) two or more each
    (six sums, were they a holder's lines), or a label or an id saying grand below or above the label's lines adds
    up every line above or below it but those holding a totals word, and at least their page totals
    (:func:`_grand_elsewhere`): a holder's name on lines here and there (``Total SA``) or one under another
    (``Total SA`` 100, ``Total SA`` 150) is judged as any line is; a grand total of one page total first or last
    stands above it.  Returns ``(pages, grands, repeats)``: (line, the first and
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
        elif a >= 0 and kinds[0][1][i] == kinds[0][1][a + 1]:  # (no line between but those holding a totals word,
            walk.under(i, a, False, i == at[-1])                  # Section Total: as directly under it)
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
    if not pages or len(pages) + len(grand) < 2:
        return None
    for i, below in [(i, next_below(i, 2)) for i in walk.repeats]:  # (a summary's line, or a grand total of the two
        if below is not None:                                         # or more page totals next below it)
            grands[i] = below
            del walk.repeats[i]
    sections = lambda: sum(len(g) >= 2 for g in grands.values()) + (walk.last is not None and len(walk.last) >= 2) \
        + (at[0] in ends and next_below(at[0], 2) is not None)  # noqa: E731
    if not (strong or grand or elsewhere(at[0], at[-1], added) or sections() >= 2):  # (sections: the grand totals,
        return None  # under or over them, of two or more page totals each; two are six sums, were they a holder's)
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
    holder = lambda i: way_out(ids[i])  # noqa: E731 (as written there)
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
