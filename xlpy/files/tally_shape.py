"""How a tally is laid out, checked before its columns are matched: a column with values but no header; a title
above the header; a CSV's rows wider than its header; the sheet of an XLSX with several, when the mapping names
none; and, in a tally refused, the header repeated on a line.

Read by :func:`xlpy.files.sources.read_tally`, CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import json
from itertools import chain
from pathlib import Path

from ..engine.errors import InputError
from .csv_cells import file_text, records
from .written_numbers import wide_row

__all__ = ["beside_notes", "header_again", "headless_columns", "title_row", "unnamed_sheet", "wide_rows"]


def headless_columns(name: str, headers, columns, row_of, lettered: bool, is_header=None) -> list[InputError]:
    """A column whose header is empty but which holds a value on some line: refused, naming it (its letter when
    *lettered*, an XLSX's; else its number, a CSV's, counted from 1) and its first value.  Not read, it would leave
    the tally without the column it is (a status: then a mapping's ``[defaults] status`` would count its
    withdrawals as tendered).  *row_of*: line index -> its row in the file.  When the first line is the tally's
    header (``is_header(values)``) under a title (``Tally as of 2004-02-19``, merged across the columns or not),
    that is said once, not a column at a time."""
    blank = [j for j, header in enumerate(headers) if not str(header).strip()]
    if not blank:
        return []
    title = _title_row(name, headers, columns, row_of, is_header)
    if title is not None:
        return [title]
    if hasattr(columns, "first_values"):  # (an XLSX sheet's: its rows read as they are, no column made)
        firsts = columns.first_values(blank)
    else:  # (one list given for many columns, a CSV's under empty names: looked at once)
        seen: dict[int, tuple] = {}
        firsts = {j: _first_held(columns[j], seen) for j in blank}
    out = []
    for j, first in sorted(firsts.items()):
        if first is not None:
            where = _letter(j) if lettered else str(j + 1)
            out.append(InputError(f"{name}: column {where}", columns[j][first],
                                  f"has no header but holds values (the first on row {row_of(first)}): write its "
                                  "header (Status, Method...) in the header row, or delete the column if it is not "
                                  "part of the tally"))
    return out


def _first_held(column, seen: dict) -> int | None:
    """The index of *column*'s first cell holding something, or None; *seen*: each column already looked at (by its
    id, kept with it: no other can take that id) and its answer, which *column* may be again."""
    if id(column) not in seen:
        seen[id(column)] = column, next((i for i, v in enumerate(column) if _held(v)), None)
    return seen[id(column)][1]


def _title_row(name: str, headers, columns, row_of, is_header) -> InputError | None:
    """The problem of a title above the header: row 1 is no header, the first line holding something (past up to
    :data:`_BLANK_ROWS` of separators alone, ``,,,``: a blank row under the title) is one (*is_header*)."""
    width = range(len(headers))
    if is_header is None or not any(len(columns[j]) for j in width) or is_header(headers):
        return None
    lines = min(len(columns[j]) for j in width)
    first = next((i for i in range(min(lines, _BLANK_ROWS + 1)) if any(_held(columns[j][i]) for j in width)), None)
    if first is None:
        return None
    return title_row(name, headers, [columns[j][first] for j in width], row_of(first), is_header)


#: At most this many blank rows between a title and the header are looked past.
_BLANK_ROWS = 20


def title_row(name: str, headers, first, row: int, is_header) -> InputError | None:
    """The problem of row 1 (*headers*) when it is a title and *first*, the values of the first line holding
    something (on *row*: blank rows between, past row 2), is the tally's header (*is_header*); else None."""
    if not is_header(first):
        return None
    names = ", ".join(str(v).strip() for v in first if _held(v))
    blank = "" if row <= 2 else " and the blank row under it" if row == 3 else f" and the {row - 2} blank rows under it"
    return InputError(f"{name}: row 1", " ".join(str(h).strip() for h in headers if _held(h)),
                      f"is a title, not the header (the header is on row {row}: {names}): the header must be "
                      f"the first row; delete the title row{blank}")


def wide_rows(path: Path, encoding: str, sep: str, width: int, is_header) -> list[InputError]:
    """A CSV's rows with more cells than the header's *width* (a trailing separator, a stray one); or, when row 1 is
    a title with no separators after it and the next row holding something (row 2, or past blank rows) the header
    (*is_header*), that alone."""
    try:  # (a cell longer than a cell holds is refused by its row: csv_cells)
        with open(path, encoding=encoding, newline="") as fh:
            rows = enumerate(records(path.name, fh, sep, lambda: file_text(path, encoding)), 1)
            first, below = next(rows, (1, [])), []  # (row 1, and the rows under it up to one holding something)
            for n, row in rows:
                below.append((n, row))
                if any(map(_held, row)) or len(below) > _BLANK_ROWS:
                    break
            line, second = below[-1] if below else (2, [])
            title = title_row(path.name, first[1], second, line, is_header) if len(second) > width else None
            if title is not None:
                return [title]
            rows = chain([first], below, rows)
            return [p for p in (wide_row(path.name, n, row, width, sep) for n, row in rows) if p is not None]
    except (csv.Error, UnicodeError):
        return []


def header_again(name: str, headers, columns, found, row_of) -> tuple[list[InputError], list[int]]:
    """The lines that repeat the header (one exported above each page, or pasted with lines added: ``holder_id,units,
    method,status`` on row 151), each named once, where each of its cells was refused as a value (its units 'must be
    a number', its method and status words to map); and their indexes, for the other lines' problems to be found
    without them (:func:`~xlpy.files.tally_csv.without_lines`).  *found*: our column -> its index; *row_of*: line
    index -> its row.
    Looked for in a tally refused only (such a line's units are never a number), by its holder and units."""
    if "holder_id" not in found or "units" not in found or getattr(columns[found["units"]], "array", None) is not None:
        return [], []  # (units pandas read as whole numbers: no line holds a word there)
    folded = lambda v: " ".join(str(v).casefold().split())  # noqa: E731
    holder, units = folded(headers[found["holder_id"]]), folded(headers[found["units"]])
    ids = columns[found["holder_id"]]
    names = ", ".join(str(h) for h in headers if _held(h))
    at = [i for i, v in enumerate(columns[found["units"]])
          if type(v) is str and folded(v) == units and folded(ids[i]) == holder]
    return [InputError(f"{name}: row {row_of(i)}", None, f"repeats the header ({names}): a tally has one header, its "
                       "first row; delete this row", show_value=False) for i in at], at


def beside_notes(name: str, headers, columns, found, ours) -> list[InputError]:
    """The problem of a tally whose units are read from its ``Notes`` column (a notes tally's units, or remarks:
    read only when no header is one of ours for the units) beside a column of none of ours whose every cell held
    is a whole number as the units are read (``Shs Tendered``, ``ADS``, ``Position``: ``1,000.00`` too): that may
    be the units and the Notes remarks, perhaps numbers.  A ``CUSIP``, ``Comments`` or date column is no matter,
    nor one of identifiers written with leading zeros (``0005``).  *ours*: the columns headed as one of ours (a
    withdrawals column too), or as the mapping names one."""
    from .written_numbers import whole_cell

    read, notes, seen = set(found.values()), headers[found["units"]], {}
    for j, header in enumerate(headers):
        if j in read or j in ours:
            continue
        column = columns[j]
        if id(column) not in seen:  # (one list given for many columns, a CSV's under empty names: looked at once)
            held = [v for v in column if _held(v)]
            seen[id(column)] = column, bool(held) and not any(
                type(v) is str and len(v.strip()) > 1 and v.strip()[0] == "0" for v in held) and all(
                whole_cell(v, ",")[0] is not None for v in held)
        if seen[id(column)][1]:
            return [InputError(f"{name}: column {notes}", notes, f"is read as the units only when no other column "
                               f"could be, and column {header} holds whole numbers: give the units column a header "
                               "of the units (Number of Notes, Units), or name it in a mapping file (units = "
                               f"{json.dumps(str(notes))} if {notes} holds them)")]
    return []


def _held(v) -> bool:
    """Whether a cell holds something (a blank cell is "" or None, spaces alone are blank)."""
    return v is not None and bool(str(v).strip())


def _letter(j: int) -> str:
    """Column index *j* (from 0) as a sheet names it (A, B, ... AA)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def unnamed_sheet(name: str, wb, ws, is_header) -> InputError | None:
    """The problem of reading *ws*, the first sheet of the read-only openpyxl workbook *wb*, when the mapping names
    no ``sheet``: it is hidden (the agent's tab of yesterday, say), or more than one visible sheet's first row is a
    tally header (``is_header(row)``: a sheet a day).  Reading the first would count an old tally without a word."""
    sheets = wb.worksheets
    if len(sheets) < 2:
        return None
    visible = [s for s in sheets if s.sheet_state == "visible"]
    if ws.sheet_state != "visible":
        why = f"its first sheet {ws.title!r} is hidden; the sheets: {_titles(sheets)}"
        pick = _active(wb, visible) or ws
    else:
        headed = [s for s in visible if is_header(next(s.iter_rows(max_row=1, values_only=True), ()))]
        if len(headed) < 2:
            return None
        why = f"more than one sheet holds a tally header: {_titles(headed)}"
        pick = _active(wb, headed) or headed[-1]
    return InputError(name, None, f"{why}: name the one to read with a mapping file's sheet key "
                      f"(sheet = \"{pick.title}\")", show_value=False)


def _titles(sheets) -> str:
    shown = ", ".join(repr(s.title) for s in sheets[:5])
    return shown + (f" and {len(sheets) - 5:,} more" if len(sheets) > 5 else "")


def _active(wb, among):
    """The sheet the workbook was saved showing, when it is one of *among*; else None."""
    try:
        active = wb.active
    except (IndexError, AttributeError):  # (an active index past the sheets)
        return None
    return active if any(s is active for s in among) else None
