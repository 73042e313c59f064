"""Excel's date serial numbers, both ways: the one place they are converted.

Excel's 1900 date system: serial 1 is 1900-01-01, and serials from 61 on are
one day off because Excel keeps the fictitious 29 February 1900 (serial 60):
from serial 61 on, date = 1899-12-30 + serial.  The 1904 date system (old Mac
workbooks) counts from 1904-01-01.  A fraction of a serial is a time of day.
"""

from __future__ import annotations

import datetime as dt

from ..engine.errors import InputError

__all__ = ["EPOCH", "EPOCH_1904", "LAST_SERIAL", "from_serial", "to_serial", "serial_text", "serial_day",
           "whole_day"]

#: Day 0 of the 1900 date system for serials from 61 on (every date the workbook holds).
EPOCH = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
_EPOCH_BEFORE_BUG = dt.date(1899, 12, 31)
_LEAP_BUG_SERIAL = 60
LAST_SERIAL = 2958465  # 9999-12-31


def from_serial(serial: int, name: str = "date") -> dt.date:
    """An Excel (1900 date system) serial day number as a date, refusing serials no day has.

    >>> from_serial(1), from_serial(59), from_serial(61), from_serial(38037)
    (datetime.date(1900, 1, 1), datetime.date(1900, 2, 28), datetime.date(1900, 3, 1), datetime.date(2004, 2, 20))
    """
    if serial < 1 or serial > LAST_SERIAL:
        raise InputError(name, serial, f"must be a date (a serial number from 1 to {LAST_SERIAL})")
    if serial == _LEAP_BUG_SERIAL:
        raise InputError(name, serial, "is 29 February 1900, a day that does not exist")
    if serial < _LEAP_BUG_SERIAL:
        return _EPOCH_BEFORE_BUG + dt.timedelta(days=serial)
    return EPOCH.date() + dt.timedelta(days=serial)


def serial_day(serial: int | float) -> dt.date:
    """The day of a serial a calculation gave (from 61 on, as every workbook date is), its time cut off."""
    return EPOCH.date() + dt.timedelta(days=int(serial))


def whole_day(value) -> dt.date | None:
    """The day whose whole serial number (1900 system, from 61: 1900-03-01) *value* is, or None: what a date cell
    whose number format shows no date gives for its day (LibreOffice saves Excel's Long Date as General).

    >>> whole_day(38037), whole_day(38037.0), whole_day(38037.5), whole_day(20040220), whole_day(True)
    (datetime.date(2004, 2, 20), datetime.date(2004, 2, 20), None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return None
    return serial_day(value) if 61 <= value <= LAST_SERIAL else None


def to_serial(day: dt.date) -> int:
    """A date as its Excel (1900 date system) serial number.

    >>> to_serial(dt.date(2004, 2, 20))
    38037
    """
    if isinstance(day, dt.datetime):
        day = day.date()
    if day <= dt.date(1900, 2, 28):
        return (day - _EPOCH_BEFORE_BUG).days
    return (day - EPOCH.date()).days


def serial_text(value: dt.date, date1904: bool = False) -> str:
    """A date or date-time as the serial number a worksheet's XML holds (``38037``, ``38037.5``).

    >>> serial_text(dt.date(2004, 2, 20)), serial_text(dt.datetime(2004, 2, 20, 12))
    ('38037', '38037.5')
    """
    epoch = EPOCH_1904 if date1904 else EPOCH
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - epoch
    days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return str(int(days)) if days == int(days) else repr(days)
