"""Line breaks in a tally's cells, and the quotes in a CSV tally that put them there.

One stray quote in a CSV export (``"B Corp`` with no quote to close it, a
``12" Fund``) makes everything up to the next quote one value: the lines
between are read as part of one holder id, and their holders are not
counted.  No holder id, method, status or units cell holds a line break, so
the tally reader refuses one, naming the lines of the file a quote joined;
a quote never closed (to the end of the file) is named by its row.  Rows are
counted as elsewhere (the header row 1, a value holding a line break one
row); lines as a text editor numbers them.
"""

from __future__ import annotations

import csv
from itertools import chain
from pathlib import Path

from ..engine.errors import InputError, capped
from .csv_cells import STRAY_QUOTE_FIX
from .sniff import file_encoding, header_line
from .written_numbers import delimiter

__all__ = ["unclosed_quote", "line_break_problems"]

#: At most this many line breaks are named for one file; a count of the rest follows.
_MOST = 50
_BREAKS = ("\n", "\r")
_FIX = STRAY_QUOTE_FIX


def _records(path: Path, encoding: str) -> tuple[str, list[tuple[int, int]], tuple[int, int] | None]:
    """``(sep, spans, open_at)``: *path*'s separator; each record's first and last line (records of nothing but
    spaces, which the reader skips, left out; the header first); and ``(row, line)`` of a record a quote leaves
    open at the end of the file (None when none).

    A line of a quote alone is read after the file: it closes a value left
    open (the record then runs past the file's lines), else it opens a
    record of its own.
    """
    sep = delimiter(header_line(path, encoding))
    lines = 0

    def counted(fh):
        nonlocal lines
        for line in fh:
            lines += 1
            yield line

    spans, open_at, last = [], None, 0
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(chain(counted(fh), ['"\n']), delimiter=sep, skipinitialspace=True)
        for row, record in enumerate(reader, 1):
            first, last = last + 1, reader.line_num
            if first > lines:  # the quote read after the file, on a record of its own
                break
            if last > lines:
                open_at = (row, first)
                break
            if len(record) > 1 or (record and record[0].strip()):
                spans.append((first, last))
    return sep, spans, open_at


def unclosed_quote(path: Path, encoding: str) -> InputError | None:
    """The problem of a quote in CSV file *path* that no quote closes before the end of the file (pandas then
    refuses the file in its own words, counting rows from 0), or None."""
    try:
        _, _, open_at = _records(path, file_encoding(path, encoding))
    except (OSError, UnicodeError, csv.Error, LookupError):
        return None
    if open_at is None:
        return None
    row, line = open_at
    where = "" if row == line else f" (line {line} of the file)"
    return InputError(f"{path.name}: row {row}", None, f"holds a quote that is never closed{where}, so the rest of "
                      f"the file would be one value: {_FIX}", show_value=False)


def _broken(headers, columns, read) -> list[tuple[int, int]]:
    """``(line, column)`` of each cell of the columns *read* holding a line break within its text, in order."""
    broken = []
    for at in sorted(a for a in set(read) if a < len(columns)):
        values = columns[at]
        if getattr(values, "array", None) is not None:  # whole numbers pandas read (tally_csv.Whole)
            continue
        texts = getattr(values, "categories", None) or values  # (a column of a few words: each word once)
        try:
            joined = "".join(texts)
        except TypeError:  # numbers from a spreadsheet
            joined = "".join(v for v in texts if isinstance(v, str))
        if any(map(joined.__contains__, _BREAKS)):
            broken += [(i, at) for i, v in enumerate(values)  # (one the reader strips at an end is no matter)
                       if isinstance(v, str) and any(map(v.strip().__contains__, _BREAKS))]
    return sorted(broken)


def line_break_problems(path: Path, encoding: str | None, headers, columns, read, row_of
                        ) -> tuple[list[InputError], bool]:
    """``(problems, joined)``: a problem for each cell of the columns *read* (their indexes in *headers* and
    *columns*) holding a line break (CR or LF), at most 50 and a count, and whether a quote joined lines of
    the file into one (the cells after it are then not as written).  *encoding* is a CSV file's (None: a
    workbook's, whose cell may hold one typed with Alt+Enter); *row_of* a line's row, as the reader counts."""
    broken = _broken(headers, columns, read)
    if not broken:
        return [], False
    sep, spans = None, None
    if encoding is not None:
        try:
            sep, spans, _ = _records(path, file_encoding(path, encoding))
        except (OSError, UnicodeError, csv.Error, LookupError):
            spans = None
    if spans is not None and len(spans) <= broken[-1][0] + 1:
        spans = None  # (the file's records and the lines read disagree: no lines named)
    problems, joined = [], False
    for i, at in broken:
        value = columns[at][i]
        first, last = spans[i + 1] if spans is not None else (0, 0)
        if last > first and sep in value:  # whole lines in one cell
            joined = True
            why = (f"holds a line break: a quote on line {first} of the file is not matched on its line and joins "
                   f"lines {first} to {last} into one row, whose holders would not be counted: {_FIX}")
        else:
            why = "holds a line break, which no tally cell holds: make it one line"
        problems.append(InputError(f"{path.name}: row {row_of(i)}, column {headers[at]}", value, why))
    return capped(problems, _MOST), joined
