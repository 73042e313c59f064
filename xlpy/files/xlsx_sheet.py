"""A tally's XLSX sheet: its lines (to the sheet's last cell), and its formulas that hold no saved value.

Read by :func:`xlpy.files.sources.read_tally` and the count file's reader
(:func:`sheet_rows`, :func:`has_formulas`): openpyxl in read-only mode, cell
values as saved.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..engine.errors import InputError, InputErrors

__all__ = ["empty_sheet", "has_formulas", "sheet_rows", "table_rows", "unsaved_formulas", "xlsx_columns"]


def xlsx_columns(path: Path, sheet: str) -> tuple[list[str], list[list], list[int]]:
    """(the header's names, the columns' cells, each line's row on the sheet) of worksheet *sheet* (the first when
    empty): blank rows are no lines."""
    from openpyxl import load_workbook

    from .safety import check_package

    check_package(path, path.name)  # before openpyxl unpacks anything
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise InputErrors([InputError(path.name, None, f"cannot be read as XLSX: {exc}", show_value=False)]) from None
    try:
        if sheet and sheet not in wb.sheetnames:
            raise InputErrors([InputError(f"{path.name}: sheet", sheet, "is not in the workbook")])
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = table_rows(ws)  # to its last row, whatever size the file states
        header = next(rows, None)
        if header is None:
            raise InputErrors([empty_sheet(path.name, wb, ws)])
        data, numbers = [], []  # the lines, and their rows on the sheet (blank rows are skipped)
        for n, r in enumerate(rows, start=2):
            if any(v is not None for v in r):
                data.append(r)
                numbers.append(n)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # damaged, or a directory that understates a part
        raise InputErrors([InputError(path.name, None, f"cannot be read as XLSX: {exc}", show_value=False)]) from None
    finally:
        wb.close()
    headers = ["" if h is None else str(h) for h in header]
    return headers, _Columns(data, len(headers)), numbers


class _Columns(Sequence):
    """A sheet's columns, each made from its lines when first asked for (blank cells as ""): a header 16,384
    columns wide (a note in column XFD) over 60,000 lines costs the columns read, not a billion empty cells."""

    def __init__(self, lines: list[tuple], width: int):
        self._lines, self._width, self._made = lines, width, {}

    def __len__(self) -> int:
        return self._width

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._width))]
        k = range(self._width)[i]  # (IndexError past the width; a negative index from the end)
        if k not in self._made:
            self._made[k] = ["" if len(r) <= k or r[k] is None else r[k] for r in self._lines]
        return self._made[k]


def empty_sheet(name: str, wb, ws) -> InputError:
    """The problem of a tally whose sheet read (*ws* of *wb*) is empty, naming it, and the file's other sheets, if any,
    with where to name the one to read: the data may be on another (the first sheet is read unless the mapping's
    ``sheet`` names one)."""
    others = [n for n in wb.sheetnames if n != ws.title]
    reason = f"sheet {ws.title!r} is empty (no header row)"
    if others:
        shown = ", ".join(map(repr, others[:5])) + (f" and {len(others) - 5:,} more" if len(others) > 5 else "")
        reason += (f"; the file has other sheets: {shown}: name the one to read with a mapping file's sheet key "
                   f"(sheet = \"{others[0]}\")")
    return InputError(name, None, reason, show_value=False)


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the package at *path* holds a formula (an ``<f>`` element): a quick look, so that a
    tally of values is not parsed a second time."""
    with zipfile.ZipFile(path) as z:
        return any(re.search(rb"<(?:\w+:)?f[\s>/]", z.read(n)) for n in z.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def unsaved_formulas(path: Path, sheet: str, headers, columns, rows: list[int], ours: set[int]) -> list[InputError]:
    """The cells of our columns (*ours*: their indexes) that hold a formula with no saved value (a file a program
    wrote with openpyxl and Excel never calculated): read as empty, each would be refused as missing, or taken as
    the mapping's default method or status.  *rows*: each line's row on the sheet."""
    empty = {(rows[i], c): i for c in sorted(ours) for i, v in enumerate(columns[c]) if v == ""}
    if not empty or not has_formulas(path):
        return []
    from openpyxl import load_workbook


    wb = load_workbook(path, read_only=True)  # formulas, not their saved values
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        last, cols = max(n for n, _ in empty), sorted({c for _, c in empty})
        formulas = {(n, c): r[c] for n, r in enumerate(sheet_rows(ws, 2, last, cols[-1] + 1), 2)
                    for c in cols
                    if c < len(r) and (n, c) in empty and isinstance(r[c], str) and r[c].startswith("=")}
    finally:
        wb.close()
    return [InputError(f"{path.name}: row {n}, column {headers[c]}", f,
                       "is a formula with no saved value (a file written by a program, never calculated): open "
                       "and save the file in Excel, or paste values") for (n, c), f in sorted(formulas.items())]


def sheet_rows(ws, min_row: int | None = None, max_row: int | None = None, width: int | None = None) -> list[tuple]:
    """Every row of the read-only openpyxl worksheet *ws* (from *min_row* to *max_row*), each to its own last cell
    or its first *width* cells (a row the sheet leaves out, as Excel leaves out an empty one, is empty): the
    sheet's stored size (its ``<dimension>``) is not trusted.

    Some writers (Apache POI's streaming one, common in back offices) store
    it too small, and openpyxl's read-only reader stops there: the lines and
    columns past it would be dropped without a word.  Rows are not padded to
    the widest: one note in column XFD would make every row 16,384 cells.
    """
    ws.reset_dimensions()
    return [tuple(r[:width]) for r in ws.iter_rows(min_row=min_row, max_row=max_row, values_only=True)]


def table_rows(ws) -> Iterator[tuple]:
    """The rows of the read-only openpyxl worksheet *ws* as a table: its header (row 1, to its last cell that is
    not empty), then every row below it, each cut at the header's width (a note to the right of the columns is no
    part of the table, however far right) and not padded.  Nothing when the sheet has no rows.

    A row with nothing under the header but something to the right of it
    keeps the first such cell, one past the header's width: it is still a
    line, named as one with no holder or no count, not dropped without a
    word (it may be a line written a few columns too far right).
    """
    ws.reset_dimensions()  # (its stored size is not trusted: see sheet_rows)
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    width = len(header)
    while width and header[width - 1] is None:
        width -= 1
    yield tuple(header[:width])
    for r in rows:
        cut = tuple(r[:width])
        if len(r) > width and all(v is None for v in cut):
            cut += tuple(v for v in r[width:] if v is not None)[:1]
        yield cut
