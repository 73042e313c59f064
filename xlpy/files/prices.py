"""Reading the price history: a CSV of date, price and volume, one row per trading day.

Separated by commas, or by semicolons with decimal commas (``7,39``) as
spreadsheet applications export in many European locales.  Every problem is
reported with the file, the row and the column, all at once
(:mod:`xlpy.files.sources` reads the tallies the same way).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from decimal import Decimal
from pathlib import Path

from ..engine.errors import InputError, InputErrors
from ..engine.model import PriceDay
from ..engine.numbers import engine_context, to_decimal
from . import steady
from .csv_cells import records
from .quotes import unclosed_quote
from .safety import unreadable
from .settled import check_settled
from .sniff import DEFAULT_ENCODING, nul_problem, undecodable, utf16_bom, workbook_problem
from .sources import PRICE_COLUMNS, cap_problems, match_columns
from .typed import excel_day_problem
from .written_numbers import (GROUPED, ambiguous_whole, delimiter, european_number, lone_group, separated,
                              wide_row)

#: A day as the price file's contract writes it (YYYY-MM-DD), nothing else ISO 8601 allows.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

__all__ = ["read_prices"]


def _price_rows(path: Path) -> tuple[str, list[list[str]]]:
    """A price file's separator and rows (at least its header); problems opening it are raised."""
    if path.is_dir():
        raise InputErrors([InputError(str(path), None, "is a folder, not a price file", show_value=False)])
    piped = steady.not_a_file(path, "a price file")  # (a pipe; /dev/stdin, even redirected from a file)
    if piped is not None or not path.is_file():
        raise InputErrors([piped or InputError(str(path), None, steady.not_found(path, "price file"),
                                               show_value=False)])
    steady.reading(path)
    utf16 = utf16_bom(path)  # Excel's "Unicode Text": the byte-order mark names it
    workbook = workbook_problem(path, "save the price history as CSV UTF-8") or nul_problem(
        path, "utf-16" if utf16 else "utf-8", "save the price history as CSV UTF-8")
    if workbook is not None:
        raise InputErrors([workbook])
    check_settled(path)  # (ending inside a line, and still growing: a transfer under way)
    try:
        with open(path, encoding="utf-16" if utf16 else "utf-8-sig", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:  # (named by its row and byte, as a tally's)
        raise InputErrors([undecodable(path, "utf-16" if utf16 else "utf-8-sig", exc,
                                       "save the price history as CSV UTF-8")]) from None
    except OSError as exc:  # (locked by Excel, or no permission)
        raise InputErrors([unreadable(path.name, exc)]) from None
    sep = delimiter(text.partition("\n")[0])
    rows = list(records(path.name, io.StringIO(text, newline=""), sep, lambda: text))  # (a cell too long: refused)
    if not rows:
        raise InputErrors([InputError(path.name, None, "is empty: no header row", show_value=False)])
    return sep, rows


def _number(text: str, convert, where: str, problems: list[InputError], volume: bool = False) -> Decimal | None:
    """A price (> 0) or a volume (>= 0) as written in the file, or None with the problem (naming the cell as written)."""
    if not text:
        problems.append(InputError(where, None, _BLANK_VOLUME if volume else "is blank: give the day's price",
                                   show_value=False))
        return None
    try:
        value = to_decimal(convert(text), "volume" if volume else "price")
    except InputError as exc:
        problems.append(InputError(where, text, exc.reason))
        return None
    if volume and value < 0:
        problems.append(InputError(where, text, "must not be negative"))
        return None
    if not volume and value <= 0:
        problems.append(InputError(where, text, "must be > 0"))
        return None
    if len(value.normalize().as_tuple().digits) > EXCEL_DIGITS:  # the workbook's price table would round it
        problems.append(InputError(where, text, f"has more than {EXCEL_DIGITS} significant digits, which a workbook "
                                                "cannot hold exactly"))
        return None
    return value


#: Why a blank volume is refused (a day the stock did not trade has a volume of 0).
_BLANK_VOLUME = "is blank: give the day's volume (0 for a day the stock did not trade)"


def _european_converters() -> dict:
    """How a ';' file's price and volume are read: decimal commas; a volume (a share count) reads ``251.700``,
    dots between groups of three, as thousands; a price's lone dot before three digits is refused as ambiguous."""
    def volume(text: str) -> str:
        return european_number(text.replace(".", "") if GROUPED.fullmatch(text.strip()) else text)

    return {"price": european_number, "volume": volume}


#: A workbook holds 15 significant digits.
EXCEL_DIGITS = 15


def _ambiguous_price(text: str, sep: str) -> str:
    """Why a price could be either of two numbers ("" when it cannot): a lone mark before exactly three digits.

    In a ';' file ``2.517`` is 2517 with a thousands dot, or 2.517 with a
    decimal point; in a comma or tab file ``8,306`` (as a European export
    writes a decimal comma) is 8306, or 8.306: never guessed.

    >>> _ambiguous_price("2.517", ";")
    "could be thousands or decimals in a ';'-separated file: write 2517, or 2,517 with a decimal comma, not 2.517"
    >>> _ambiguous_price("8,306", "\\t")
    'could be thousands or decimals in a tab-separated file: write 8306, or 8.306 with a decimal point, not 8,306'
    >>> _ambiguous_price("8.306", ","), _ambiguous_price("1,234,567", ","), _ambiguous_price("7,39", ";")
    ('', '', '')
    """
    mark, other, name = (".", ",", "comma") if sep == ";" else (",", ".", "point")
    parts = lone_group(text, mark)
    if parts is None:
        return ""
    whole, decimals = parts
    return (f"could be thousands or decimals in {separated(sep)}: write {whole}{decimals}, or {whole}{other}{decimals} "
            f"with a decimal {name}, not {text}")


@engine_context()
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
        negative volume, a date given twice; each naming the row and column.  A quote never closed (the rest of
        the file one value) is named alone, by its row.
    """
    path = Path(path)
    name = path.name
    sep, rows = _price_rows(path)
    convert = _european_converters() if sep == ";" else {"price": str, "volume": str}
    headers = [h.strip() for h in rows[0]]
    found, problems = match_columns(headers, PRICE_COLUMNS, {}, name, tuple(PRICE_COLUMNS), mapped=False)
    if problems:
        raise InputErrors(_left_open(path, problems))
    days, seen, written, undated = [], {}, {}, []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        wide = wide_row(name, line, row, len(rows[0]), sep)  # 1,845,000 unquoted: the volume read as 1
        if wide is not None:
            problems.append(wide)
            continue
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in found.items()}
        where = f"{name}: row {line}, column "
        try:
            if not _ISO_DAY.fullmatch(cells["date"]):  # Python also reads 20040212 and 2004-W07-4
                raise ValueError(cells["date"])
            day = dt.date.fromisoformat(cells["date"])
        except ValueError:
            problems.append(InputError(where + headers[found["date"]], cells["date"], "must be a date YYYY-MM-DD"))
            undated.append(problems[-1])
            day = None
        if day is not None and excel_day_problem(day):  # (the offer file's rule: 0001-01-01 has no serial)
            problems.append(InputError(where + headers[found["date"]], cells["date"], excel_day_problem(day)))
            day = None
        # (a volume is a share count, read as the tally's units are)
        ambiguous = {"price": _ambiguous_price(cells["price"], sep), "volume": ambiguous_whole(cells["volume"], sep)}
        for column, reason in ambiguous.items():
            if reason:
                problems.append(InputError(where + headers[found[column]], cells[column], reason))
        price = None if ambiguous["price"] else _number(cells["price"], convert["price"],
                                                        where + headers[found["price"]], problems)
        volume = None if ambiguous["volume"] else _number(cells["volume"], convert["volume"],
                                                          where + headers[found["volume"]], problems, volume=True)
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
    if len(undated) > 1 and not seen:  # no row's date read: the column's format, said once (not a line a row)
        problems = [_undated_column(name, headers[found["date"]], undated)] + [p for p in problems if p not in undated]
    blank = [p for p in problems if p.reason == _BLANK_VOLUME]
    if len(blank) > 1 and len(blank) == sum(any(c.strip() for c in r) for r in rows[1:]):  # (a column left empty)
        problems = [InputError(f"{name}: column {headers[found['volume']]}", None, f"is blank in every row (all "
                               f"{len(blank):,} of them): give each day's volume, as the price vendor's file has it",
                               show_value=False)] + [p for p in problems if p not in blank]
    if problems:
        raise InputErrors(cap_problems(_left_open(path, problems)))
    if not days:
        raise InputErrors([InputError(name, None, "has a header but no price rows", show_value=False)])
    return tuple(sorted(days, key=lambda p: p.date))


def _left_open(path: Path, problems: list[InputError]) -> list[InputError]:
    """*problems*, or in their place the quote the price file *path* opens and never closes, which made the rest of
    the file one value (its cells after it, read so, are not as written): the tally's words for it, its row named."""
    try:
        unclosed = unclosed_quote(path, DEFAULT_ENCODING)  # (UTF-16 after its byte-order mark)
    except InputErrors:  # (its first line refused by the tally's rules: a price file's problems are its own)
        return problems
    return problems if unclosed is None else [unclosed]


def _undated_column(name: str, header: str, undated: list[InputError]) -> InputError:
    """One problem for a date column none of whose rows is a date YYYY-MM-DD (*undated*: each row's): its first
    value and row, how many, and how to write them (``01/02/2004`` could be either day first or month first)."""
    first = undated[0]
    row = first.field.split(": row ", 1)[1].split(",", 1)[0]
    either = (" (a date such as 01/02/2004 could be day or month first)" if re.fullmatch(
        r"\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?\s*",
        str(first.value)) else "")  # (01/02/2004 0:00 or 12:00:00 AM too, as Excel writes a time; not a serial)
    return InputError(f"{name}: column {header}", first.value,
                      f"must hold dates written YYYY-MM-DD, and none of its {len(undated):,} rows does{either}: "
                      f"format the column as yyyy-mm-dd in Excel (Format Cells, Custom) and save it as CSV again; "
                      f"row {row}")


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
