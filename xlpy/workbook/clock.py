"""The time a build or a refresh records: ``SOURCE_DATE_EPOCH`` when set (a reproducible build), else now.

Both are UTC, to the second.  ``SOURCE_DATE_EPOCH`` is whole seconds since 1970 (the reproducible-builds
convention), within what a workbook's package can date its parts with: 1980 to 2107.  Who ran it
(:func:`run_by`) is History's too, left blank under ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import datetime as dt
import os

from ..engine.errors import InputError

__all__ = ["AHEAD", "computer_now", "run_by", "utc_now"]

#: How far past the computer's clock a time recorded earlier (a backup's name, a History row) may be and not be said
#: to be ahead of it: two computers sharing a folder, their clocks a few minutes apart.
AHEAD = dt.timedelta(minutes=15)

#: What a ZIP entry can be dated with (its DOS date: 1980 to 2107).
_FIRST, _LAST = dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31, 23, 59, 58)


def utc_now() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` as a UTC time when set, else now (to the second); a value that is not whole seconds
    from 1980 to 2107 is an input error naming it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    when = None
    if epoch.isascii() and epoch.isdigit():
        try:
            when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):  # (past what the platform's clock can say)
            when = None
    if when is None or not _FIRST <= when <= _LAST:
        raise InputError("SOURCE_DATE_EPOCH", os.environ["SOURCE_DATE_EPOCH"], "must be whole seconds since "
                         "1970-01-01 UTC, from 1980 to 2107 (what a workbook file can be dated with), e.g. 1077494400; "
                         "unset it to record the time now")
    return when


def computer_now() -> dt.datetime:
    """The computer's clock now, UTC, to the second, whatever ``SOURCE_DATE_EPOCH`` says: what a time recorded
    earlier (a backup's name, a History row) is told against, to find one written by a clock set ahead."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def run_by() -> str:
    """The operating-system user a build or refresh records in History (an Excel button's: the user Excel's Python
    runs as); blank under ``SOURCE_DATE_EPOCH`` (a reproducible build gives the same bytes whoever runs it) or where
    the system cannot say (no login name, no user database entry)."""
    import getpass

    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return ""
    try:
        return getpass.getuser().strip()
    except Exception:  # noqa: BLE001  (OSError, KeyError, ImportError: getpass raises what the platform does)
        return ""
