"""Earnings per share before and after the exchange.

    income available to common = net income − preferred dividends − charge
    weighted shares = Σ shares outstanding × days outstanding / days in period
    basic EPS = income available to common / weighted shares

For preferred stock the charge is a deemed dividend: it does not touch net
income, only income available to common.  For notes it is an expense in net
income, net of any tax effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from .errors import InputError
from .numbers import CONTEXT
from .rules import check_period

__all__ = ["weighted_shares", "basic_eps", "days_outstanding"]


def days_outstanding(issue_date: dt.date, start: dt.date, end: dt.date) -> int:
    """Days in [start, end] on which shares issued on *issue_date* are outstanding (issue day included).

    >>> days_outstanding(dt.date(2004, 2, 25), dt.date(2004, 1, 1), dt.date(2004, 3, 31))
    36
    """
    check_period(start, end)
    first = max(issue_date, start)
    if first > end:
        return 0
    return (end - first).days + 1


def weighted_shares(
    shares_before: int | Decimal, issues: Iterable[tuple[int | Decimal, dt.date]], start: dt.date, end: dt.date
) -> Decimal:
    """Weighted average common shares over the period.

    Parameters
    ----------
    shares_before : int
        Shares outstanding through the whole period before any issue.
    issues : iterable of (shares, issue date)
        Shares issued during the period; each counts from its issue date.
    start, end : date
        The period, both days included.

    Examples
    --------
    >>> weighted_shares(115000000, [(2175560, dt.date(2004, 2, 25))],
    ...                 dt.date(2004, 1, 1), dt.date(2004, 3, 31))
    Decimal('115860661.0989010989010989010989011')
    """
    check_period(start, end)
    days = (end - start).days + 1
    total = Decimal(shares_before) * days
    for shares, issued_on in issues:
        total += Decimal(shares) * days_outstanding(issued_on, start, end)
    if total == 0:
        return Decimal(0)
    return CONTEXT.divide(total, Decimal(days))


def basic_eps(income_available: Decimal, weighted: Decimal) -> Decimal:
    """Income available to common ÷ weighted shares.

    >>> basic_eps(Decimal("-4700000"), Decimal("117500000"))
    Decimal('-0.04')
    """
    if weighted <= 0:
        raise InputError("weighted_shares", weighted, "must be > 0")
    return CONTEXT.divide(income_available, weighted)
