"""CSV records held to what a worksheet holds: a cell of at most 32,767 characters, a header of at most 16,384 columns.

Every CSV reader of a tally, a count file or a price file reads its records
through :func:`records`, so a cell longer than a worksheet cell holds
(:data:`~xlpy.files.typed.CELL_TEXT`) and a header wider than a sheet
(:data:`MAX_COLUMNS`) are refused alike, in one line naming the file, the
row and the column, with the value shortened.  Python's csv module refuses a
field over its own ``field_size_limit`` (131,072 characters unless changed)
with an error of its own: that limit is one setting for the whole process,
shared with every other library, so it is left as it is; a field csv stops
at is found in the text again (:func:`_cells`), its row and column named as
any other.  A tally pandas reads is held to the same by
:func:`refuse_long_cells`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator

from ..engine.errors import InputError, InputErrors
from .typed import CELL_TEXT, too_long

__all__ = ["MAX_CELL", "MAX_COLUMNS", "file_text", "records", "refuse_long_cells", "wide_header"]

#: The characters a CSV cell may hold: a worksheet cell's.
MAX_CELL = CELL_TEXT
#: The columns a CSV header may have: a worksheet's (A to XFD).  pandas renames each repeated header apart (a
#: million took hours) and makes a column of each (a million distinct took 2.3 GB): refused before it reads them.
MAX_COLUMNS = 16_384
#: How a quote not matched on its line is mended (:mod:`xlpy.files.quotes` says it so too).
STRAY_QUOTE_FIX = ("delete the stray quote, or close the quoted value on its line (a quote inside a quoted value is "
                   'written twice, "")')
#: A line break as csv reads one: CR LF, LF, or a CR alone.
_BREAK = re.compile(r"\r\n|\r|\n")


def file_text(path, encoding: str) -> str:
    """The text of the file *path* as csv reads it (line ends as written)."""
    with open(path, encoding=encoding, newline="") as fh:
        return fh.read()


def records(name: str, lines: Iterable[str], sep: str, text: Callable[[], str], *,
            checked: bool = True) -> Iterator[list[str]]:
    """``csv.reader``'s records of *lines* (a file's, opened with ``newline=""``), the first (the header) held to
    :data:`MAX_COLUMNS` cells and :data:`MAX_CELL` characters a cell, the others too when *checked* (a reader whose
    values are measured elsewhere leaves them to it), and none past csv's own field limit: a record beyond is
    refused, :class:`InputErrors` naming file *name*, the row (records counted from 1, as the readers count rows)
    and the column (its header's name, else its number from 1).  *text()*: the same text whole, read again only to
    find the cell csv stopped at."""
    reader = csv.reader(lines, delimiter=sep)
    try:
        header = next(reader, None)
        if header is None:
            return
        wide = wide_header(name, header)
        if wide is not None:
            raise InputErrors([wide])
        _check(name, 1, header, None, (1, reader.line_num))
        yield header
        if not checked:
            yield from reader  # (at csv's own speed)
            return
        lines_read = reader.line_num
        for row, record in enumerate(reader, 2):
            if record and max(map(len, record)) > MAX_CELL:
                _check(name, row, record, header, (lines_read + 1, reader.line_num))
            lines_read = reader.line_num
            yield record
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            raise
        raise InputErrors([_stopped(name, text(), sep)]) from None


def _check(name: str, row: int, record: list[str], header: list[str] | None, lines: tuple[int, int]) -> None:
    """Refuse the first cell of *record* (on *row*, the file's *lines*) longer than :data:`MAX_CELL`."""
    for j, value in enumerate(record):
        if len(value) > MAX_CELL:
            raise InputErrors([long_cell(name, row, _column(header, j), value,
                                         lines if _BREAK.search(value) else None)])


def _column(header: list[str] | None, j: int) -> str:
    """Column *j* (from 0) as a message names it: by its *header* (None: the header's own), else its number from 1."""
    held = header[j].strip() if header is not None and j < len(header) else ""
    return held or str(j + 1)


def _stopped(name: str, text: str, sep: str) -> InputError:
    """The refusal of the cell csv stopped at in *text* (longer than its field limit): the records before it
    counted again, the cell found in the text after them (:func:`_cells`)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    row, lines, header = 1, 0, None
    try:
        for record in reader:
            header = record if header is None else header
            row, lines = row + 1, reader.line_num
    except csv.Error:
        pass
    at = 0
    for n, match in enumerate(_BREAK.finditer(text), 1):  # (the record starts after the lines read)
        if n > lines:
            break
        at = match.end()
    for j, (start, end, value, closed) in enumerate(_cells(text, at, sep)):
        if len(value) > MAX_CELL:
            first = lines + 1 + len(_BREAK.findall(text, at, start))
            return long_cell(name, row, _column(header if row > 1 else None, j), value,
                             (first, first + len(_BREAK.findall(text, start, end))), closed)
    return InputError(f"{name}: row {row}", None, f"holds a value longer than a cell holds ({MAX_CELL:,} "
                      "characters)", show_value=False)


def _cells(text: str, at: int, sep: str):
    """Each cell of the CSV record starting at offset *at* of *text*, as csv reads it: ``(start, end, value,
    closed)``, its offsets in *text*, its value, and whether a quote opening it is closed (else it runs to the end
    of the text)."""
    s = re.escape(sep)
    cell = re.compile(rf'"([^"]*(?:""[^"]*)*)("[^{s}\r\n]*)?|([^{s}\r\n]*)')
    while True:
        match = cell.match(text, at)
        quoted, after, plain = match.groups()
        if plain is not None:
            yield match.start(), match.end(), plain, True
        else:
            yield match.start(), match.end(), quoted.replace('""', '"') + (after or "")[1:], after is not None
        at = match.end()
        if at >= len(text) or text[at] != sep:
            return
        at += 1


def long_cell(name: str, row: int, column: str, value: str, lines: tuple[int, int] | None = None,
              closed: bool = True) -> InputError:
    """The refusal of a cell longer than :data:`MAX_CELL` characters (*lines*: the first and last lines of the
    file it spans, when more than one: a stray quote joined them; *closed*: whether its quote is closed)."""
    why = too_long()
    if not closed:
        why += (f": a quote on line {lines[0]:,} of the file is never closed, so the rest of the file is one value: "
                f"{STRAY_QUOTE_FIX}")
    elif lines is not None and lines[1] > lines[0]:
        why += (f": a quote on line {lines[0]:,} of the file is not matched on its line and joins lines {lines[0]:,} "
                f"to {lines[1]:,} into one value: {STRAY_QUOTE_FIX}")
    return InputError(f"{name}: row {row}, column {column}", value, why)


def wide_header(name: str, header: list[str]) -> InputError | None:
    """The refusal of a CSV *header* of more than :data:`MAX_COLUMNS` cells, naming the count; else None."""
    if len(header) <= MAX_COLUMNS:
        return None
    shown = ", ".join(h.strip()[:20] for h in header[:5])
    return InputError(f"{name}: header", None, f"has {len(header):,} columns ({shown}, ...), more than a worksheet "
                      f"holds ({MAX_COLUMNS:,}): no tally, count or price file is so wide; it is not read",
                      show_value=False)


def refuse_long_cells(name: str, headers, columns, row_of) -> None:
    """Refuse the first cell of *columns* (a list of values a column, named by *headers*; a column pandas read as
    numbers, or as a few words, measured by its words) longer than :data:`MAX_CELL` characters, by its row
    (*row_of(line index)*) and column.  One list given for many columns (a CSV's under empty names) is measured
    once: its first such cell is in the first of them."""
    found, seen = [], {}
    for j, column in enumerate(columns):
        if getattr(column, "array", None) is not None or id(column) in seen:  # (whole numbers; measured)
            continue
        seen[id(column)] = column  # (kept: no other column takes its id)
        words = getattr(column, "categories", None)
        if words is not None and max(map(len, words), default=0) <= MAX_CELL:
            continue
        try:
            longest = max(map(len, column), default=0)
        except TypeError:  # (numbers: pandas read the units as int64, some negative)
            continue
        if longest > MAX_CELL:
            found.append((next(i for i, v in enumerate(column) if len(v) > MAX_CELL), j))
    if found:
        i, j = min(found)
        header = str(headers[j]).strip() if j < len(headers) else ""
        raise InputErrors([long_cell(name, row_of(i), header or str(j + 1), columns[j][i])])
