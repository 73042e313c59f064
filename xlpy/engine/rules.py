"""Business rules that relate two inputs, each written once.

The offer file, the workbook's refresh and the worksheet functions each name
their inputs their own way (``tally.tendered``, ``tally.csv: row 2, column
units``, ``tendered``), so every rule here takes the names to use and gives its
problems back as data: a list of :class:`~xlpy.engine.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from .errors import Counted, InputError

__all__ = ["TALLY_LIMITS", "tally_problems", "period_problems", "check_period"]

#: Each count of a tally and the count it must not exceed.
TALLY_LIMITS = (
    ("tendered", "outstanding"),
    ("guaranteed_delivery", "tendered"),
    ("failed_delivery", "guaranteed_delivery"),
)


def tally_problems(
    counts: Mapping[str, int],
    fields: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    show: Callable[[int], str] = "{:,}".format,
    nouns: Mapping[str, str] | None = None,
) -> list[InputError]:
    """The tally limits that do not hold: tendered ≤ outstanding, guaranteed ≤ tendered, failed ≤ guaranteed; each
    count at fault held as :class:`~xlpy.engine.errors.Counted`, shown as its limit is (``got 500,000``).

    Parameters
    ----------
    counts : mapping
        ``outstanding``, ``tendered``, ``guaranteed_delivery``, ``failed_delivery``;
        a limit with a count absent is not checked.
    fields : mapping, optional
        Where each count came from (the problem's field); the count's key when absent.
    labels : mapping, optional
        How a limit is named in the reason; its field when absent.
    show : callable
        How the limit's value is written: with thousands separators unless told (``Inputs!C12: 464,777``).
    nouns : mapping, optional
        Words put before ``must not exceed`` for a count (``units tendered and not withdrawn``).

    Examples
    --------
    >>> [str(p) for p in tally_problems({"outstanding": 464777, "tendered": 500000}, {"tendered": "tally.tendered"})]
    ['tally.tendered: must not exceed outstanding (464,777), got 500,000']
    """
    fields, labels, nouns = fields or {}, labels or {}, nouns or {}
    problems = []
    for count, limit in TALLY_LIMITS:
        if count in counts and limit in counts and counts[count] > counts[limit]:
            label = labels.get(limit, fields.get(limit, limit))
            noun = nouns.get(count, "")
            problems.append(InputError(fields.get(count, count), Counted.of(counts[count]),
                                       f"{noun + ' ' if noun else ''}must not exceed {label} ({show(counts[limit])})"))
    return problems


def period_problems(start: dt.date | None, end: dt.date | None,
                    fields: tuple[str, str] = ("period.start", "period.end")) -> list[InputError]:
    """The period's end before its start, as a problem at the end's field (none when either is unknown).

    >>> [str(p) for p in period_problems(dt.date(2004, 3, 31), dt.date(2004, 1, 1))]
    ['period.end: must not be before period.start (2004-03-31), got 2004-01-01']
    """
    if start is None or end is None or end >= start:
        return []
    return [InputError(fields[1], end, f"must not be before {fields[0]} ({start.isoformat()})")]


def check_period(start: dt.date, end: dt.date, fields: tuple[str, str] = ("period.start", "period.end")) -> None:
    """Raise the :func:`period_problems` problem, if any."""
    for problem in period_problems(start, end, fields):
        raise problem
