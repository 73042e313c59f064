"""Reading the price history: a CSV of date, price and volume, one row per trading day.

Separated by commas, or by semicolons with decimal commas (``7,39``) as
spreadsheet applications export in many European locales.  Every problem is
reported with the file, the row and the column, all at once
(:mod:`xlpy.files.sources` reads the tallies the same way).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

from ..engine.errors import InputError, InputErrors
from ..engine.model import PriceDay
from ..engine.numbers import to_decimal
from .sources import PRICE_COLUMNS, _capped, _match_columns, delimiter, european_number

__all__ = ["read_prices"]


def _price_rows(path: Path) -> tuple[str, list[list[str]]]:
    """A price file's separator and rows (at least its header); problems opening it are raised."""
    if path.is_dir():
        raise InputErrors([InputError(str(path), None, "is a folder, not a price file", show_value=False)])
    if not path.is_file():
        raise InputErrors([InputError(str(path), None, "price file not found", show_value=False)])
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise InputErrors([InputError(path.name, None, f"is not UTF-8 text: {exc.reason}",
                                      show_value=False)]) from None
    sep = delimiter(text.partition("\n")[0])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    if not rows:
        raise InputErrors([InputError(path.name, None, "is empty: no header row", show_value=False)])
    return sep, rows


#: In a ';' file, ``2.517`` is 2517 with a thousands dot, or 2.517 with a decimal point: never guessed.
_ONE_GROUP = re.compile(r"[+-]?[0-9]{1,3}[.][0-9]{3}")
_AMBIGUOUS = ("could be thousands or decimals in a ';'-separated file: write 2517 or 2,517 (a decimal comma), "
              "not 2.517")


def read_prices(path: str | os.PathLike, calendar: str | None = None) -> tuple[PriceDay, ...]:
    """Read a price history CSV: columns date, price, volume; one row per trading day.

    Separated by commas, or by semicolons with decimal commas (``7,39``), as
    spreadsheet applications export in many European locales.

    With *calendar* (an exchange calendar code, ``XNYS``), a row dated on a
    day that exchange was closed (a weekend, a holiday) is refused, inside
    the averaging window or not: the engine averages the window's trading
    days only, but a workbook's price table averages every row between the
    window's first and last day, so such a row would make the two disagree.
    An unknown code is left for the engine to report.

    Raises
    ------
    InputErrors
        Missing file or column, bad date, non-numeric or non-positive price,
        negative volume, a date given twice; each naming the row and column.
    """
    path = Path(path)
    name = path.name
    sep, rows = _price_rows(path)
    number = european_number if sep == ";" else str
    headers = [h.strip() for h in rows[0]]
    found, problems = _match_columns(headers, PRICE_COLUMNS, {}, name, tuple(PRICE_COLUMNS))
    if problems:
        raise InputErrors(problems)
    days, seen, written = [], {}, {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in found.items()}
        where = f"{name}: row {line}, column "
        if sep == ";":
            problems += [InputError(where + headers[found[k]], cells[k], _AMBIGUOUS) for k in ("price", "volume")
                         if _ONE_GROUP.fullmatch(cells[k])]
        cells["price"], cells["volume"] = number(cells["price"]), number(cells["volume"])
        try:
            day = dt.date.fromisoformat(cells["date"])
        except ValueError:
            problems.append(InputError(where + headers[found["date"]], cells["date"], "must be a date YYYY-MM-DD"))
            day = None
        price = volume = None
        try:
            price = to_decimal(cells["price"], "price")
            if price <= 0:
                problems.append(InputError(where + headers[found["price"]], cells["price"], "must be > 0"))
        except InputError as exc:
            problems.append(InputError(where + headers[found["price"]], cells["price"], exc.reason))
        try:
            volume = to_decimal(cells["volume"], "volume")
            if volume < 0:
                problems.append(InputError(where + headers[found["volume"]], cells["volume"], "must not be negative"))
        except InputError as exc:
            problems.append(InputError(where + headers[found["volume"]], cells["volume"], exc.reason))
        if day is not None and day in seen:
            problems.append(InputError(where + headers[found["date"]], cells["date"],
                                       f"is given twice (also row {seen[day]})"))
        elif day is not None:
            seen[day] = line
            written[day] = cells["date"]
        if day is not None and price is not None and volume is not None:
            days.append(PriceDay(day, price, volume))
    if calendar is not None and seen:
        problems += _closed_day_rows(calendar, seen, written, f"{name}: row {{}}, column {headers[found['date']]}")
    if problems:
        raise InputErrors(_capped(problems))
    if not days:
        raise InputErrors([InputError(name, None, "has a header but no price rows", show_value=False)])
    return tuple(sorted(days, key=lambda p: p.date))


def _closed_day_rows(calendar: str, seen: dict[dt.date, int], written: dict[dt.date, str],
                     where: str) -> list[InputError]:
    """A problem for each price row (*seen*: day -> row) dated on a day *calendar*'s exchange was closed."""
    from . import calendars

    try:
        closed = calendars.closed_days(calendar, seen)
    except InputError:
        return []  # an unknown calendar: the engine says so
    return [InputError(where.format(seen[day]), written[day],
                       f"must be a trading day of {calendar}, which was closed ({closed[day]})")
            for day in sorted(closed, key=seen.__getitem__)]
