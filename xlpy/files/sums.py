"""The holders' lines of a tally added up between any two lines at once, for :mod:`xlpy.files.totals`.

A total's units are compared with many sums of the lines above it (since the
last total, all of them, of one status, of the lines read as holders after
all); each is a few lookups in cumulative sums (numpy), so a tally of a
million lines is added up in milliseconds, not line by line in Python.
"""

from __future__ import annotations

from bisect import bisect_left

__all__ = ["Lines", "Sums", "as_array", "cumulative"]


class Sums:
    """Some lines' units added up: all of them, and those of each status, with their first and last (worked out
    when asked: most sums are compared and dropped)."""

    def __init__(self):
        self.total, self.count = 0, 0
        self.status_sums = dict  # -> {status: [units, lines]}, worked out when asked
        self.bounds = lambda: (None, None)  # -> (first, last), worked out when asked
        self.all_of = lambda key: False  # -> whether its lines of some units are all of id *key*
        self.own_of_status = lambda key, status: 0  # -> the units of its lines of id *key* and *status*

    @property
    def by_status(self) -> dict[str, list[int]]:
        """Status -> [units, lines] of the lines (worked out once)."""
        if not isinstance(self.status_sums, dict):
            self.status_sums = self.status_sums()
        return self.status_sums

    @property
    def first(self) -> int | None:
        return self.bounds()[0]

    @property
    def last(self) -> int | None:
        return self.bounds()[1]

    def rows(self, row_of) -> str:
        first, last = row_of(self.first), row_of(self.last)
        return f"row {first}" if first == last else f"rows {first} to {last}"


class Lines:
    """The holders' lines of a tally added up between any two lines at once: cumulative sums (numpy) of the
    units of the lines holding no totals word, all of them and (when first asked) those of each status, and of
    those holding one that are read as holders after all.  A tally of a million lines is added up in
    milliseconds, not line by line in Python."""

    def __init__(self, ids, units, statuses, found):
        import numpy as np

        self.ids, self.units, self.statuses, self.found = ids, units, statuses, set(found)
        n = len(units)
        added = as_array(units)
        self.holders = np.ones(n, dtype=bool)  # the lines holding no totals word
        self.holders[list(found)] = False
        self.added = np.where(self.holders, added, 0)
        self.cumulative, self.counted = cumulative(self.added), cumulative(self.holders)
        self.with_units = cumulative(self.holders & (self.added != 0))  # (those of some units)
        self.held: list[int] = []  # the lines holding a totals word read as holders, in order
        self.held_cumulative = [0]
        self.held_with_units = [0]  # (the held of some units, cumulative)
        self.held_of_id: dict[str, list[int]] = {}  # id -> its lines of some units among the held, in order
        self.held_of_id_status: dict[tuple, tuple[list[int], list[int]]] = {}  # (id, status) -> lines, units cumulative
        self.held_of_status: dict[str, list[tuple[int, int]]] = {}  # status -> (units, lines) of the held, cumulative
        self.of_status: dict[str, tuple] | None = None  # status -> (its units, its lines) cumulative

    def hold(self, i: int) -> None:
        """Line *i*, holding a totals word, is a holder after all (the lines are judged in order)."""
        self.held.append(i)
        self.held_cumulative.append(self.held_cumulative[-1] + self.units[i])
        self.held_with_units.append(self.held_with_units[-1] + bool(self.units[i]))
        if self.units[i]:  # (a line of no units is no line of its id: DTC Total 0 hides no later DTC Total)
            self.held_of_id.setdefault(self.ids[i], []).append(i)
            if self.statuses is not None:
                at, added = self.held_of_id_status.setdefault((self.ids[i], self.statuses[i]), ([], [0]))
                at.append(i)
                added.append(added[-1] + self.units[i])
        if self.statuses is not None:
            status = self.statuses[i]
            if status not in self.held_of_status:  # (none of the held before it)
                self.held_of_status[status] = [(0, 0)] * len(self.held)
            for s, added in self.held_of_status.items():
                units, lines = added[-1]
                added.append((units + self.units[i], lines + 1) if s == status else (units, lines))

    def sums(self, start: int, end: int) -> Sums:
        """The holders' lines from *start* up to *end* (not included) added up; by status when first asked.  Each
        sum is a few lookups, however many lines hold a totals word (a tally of fund names with Total in each)."""
        lo, hi = bisect_left(self.held, start), bisect_left(self.held, end)
        got = Sums()
        before, through = int(self.counted[start]), int(self.counted[end])
        got.count = through - before + hi - lo
        got.total = int(self.cumulative[end] - self.cumulative[start]) + self.held_cumulative[hi] - \
            self.held_cumulative[lo]
        if got.count:  # the first and last of them: a line holding no word, or one held
            got.bounds = lambda: self._bounds(before, through, lo, hi)
            got.all_of = lambda key: self._all_of(key, start, end, lo, hi)
            got.own_of_status = lambda key, status: self._own_of_status(key, status, start, end)
        if self.statuses is not None and got.count:
            got.status_sums = lambda: self._by_status(start, end, lo, hi)
        return got

    def _all_of(self, key: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Whether the holders' lines *start* to *end* of some units are all of id *key* (one holding a totals word:
        its lines are among the held ones, *lo* to *hi*), and there are some."""
        if self.with_units[end] != self.with_units[start]:  # (a line holding no totals word, of some units)
            return False
        of_id = self.held_of_id.get(key, ())
        own = bisect_left(of_id, end) - bisect_left(of_id, start)
        return own > 0 and own == self.held_with_units[hi] - self.held_with_units[lo]

    def _own_of_status(self, key: str, status: str, start: int, end: int) -> int:
        """The units of the held lines *start* to *end* of id *key* and *status*."""
        at, added = self.held_of_id_status.get((key, status), ((), [0]))
        return added[bisect_left(at, end)] - added[bisect_left(at, start)]

    def _bounds(self, before: int, through: int, lo: int, hi: int) -> tuple[int, int]:
        """The first and last of the lines whose sum :meth:`sums` made (*before* and *through*: the lines holding no
        word before its start and end; *lo* to *hi*: the held lines in it)."""
        import numpy as np

        ends = [] if through == before else [int(np.searchsorted(self.counted, before, "right")) - 1,
                                             int(np.searchsorted(self.counted, through, "left")) - 1]
        first, last = self.held[lo:min(lo + 1, hi)], self.held[hi - 1:hi] if hi > lo else []
        return min(ends[:1] + first), max(ends[1:] + last)

    def _by_status(self, start: int, end: int, lo: int, hi: int) -> dict[str, list[int]]:
        import numpy as np

        if self.of_status is None:  # (in the order the statuses first come)
            names = list(dict.fromkeys(self.statuses))
            codes = np.fromiter(map({s: k for k, s in enumerate(names)}.__getitem__, self.statuses), np.int64,
                                len(self.statuses))
            self.of_status = {s: (cumulative(np.where(codes == k, self.added, 0)),
                                  cumulative(self.holders & (codes == k))) for k, s in enumerate(names)}
        out = {s: [int(units[end] - units[start]), int(lines[end] - lines[start])]
               for s, (units, lines) in self.of_status.items()}
        for s, added in self.held_of_status.items():  # (the held lines lo to hi, of each status)
            out[s][0] += added[hi][0] - added[lo][0]
            out[s][1] += added[hi][1] - added[lo][1]
        return {s: got for s, got in out.items() if got[1]}


def as_array(units):
    """The units as a numpy array: of 64-bit integers when no sum of them overflows, else of Python's ints."""
    import numpy as np

    n = len(units)
    try:
        added = np.fromiter(units, np.int64, n)
        if n == 0 or max(int(added.max()), -int(added.min())) * n < 2**63:  # (no sum overflows)
            return added
    except (OverflowError, TypeError, ValueError):
        pass
    return np.array([int(u) for u in units], dtype=object)


def cumulative(values):
    """``[0, v0, v0 + v1, ...]``: the sum of the values before each index, and of all of them last."""
    import numpy as np

    dtype = np.int64 if values.dtype == bool else values.dtype
    return np.concatenate((np.zeros(1, dtype=dtype), np.cumsum(values, dtype=dtype)))
