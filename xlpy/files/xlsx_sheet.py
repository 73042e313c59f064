"""A tally's XLSX sheet: its lines (to the sheet's last cell), and its formulas that hold no saved value.

Read by :func:`xlpy.files.sources.read_tally` and the count file's reader
(:func:`sheet_rows`, :func:`has_formulas`): openpyxl in read-only mode, cell
values as saved.
"""

from __future__ import annotations

import contextvars
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

from ..engine.errors import InputError, InputErrors
from .settled import check_package_settled
from .sniff import blank_first_row, not_xlsx_problem, ole_problem, zip_no_workbook

__all__ = ["XLPY_WORKBOOK_NAME", "cannot_read", "check_xlsx", "empty_sheet", "has_formulas", "load", "merged_cells",
           "merged_ranges", "one_load", "release", "sheet_rows", "table_rows", "strict_ooxml", "unsaved_formulas",
           "xlsx_columns", "xlsx_sheet"]

_LOADED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("xlpy_xlsx_loaded", default=None)


@contextmanager
def one_load() -> Iterator[None]:
    """Within it, a package loaded again, unchanged (its inode, size and time), is the workbook loaded first: a
    tally's header (which tells a count file from a holder tally) and its lines come from one load, its shared
    strings read once (100,000 holder ids: a second of each load).  Each is closed at its end.  Nested, the outer
    one keeps them."""
    if _LOADED.get() is not None:
        yield
        return
    loaded: dict = {}
    token = _LOADED.set(loaded)
    try:
        yield
    finally:
        _LOADED.reset(token)
        for wb in loaded.values():
            wb.close()


def load(path: Path, data_only: bool = True):
    """openpyxl's read-only workbook at *path* (saved values when *data_only*); within :func:`one_load`, the one
    loaded there before when the file is unchanged.  Give it back with :func:`release`."""
    from openpyxl import load_workbook

    from .steady import state

    loaded = _LOADED.get()
    key = (os.path.abspath(path), state(path), data_only)
    if loaded is not None and key in loaded:
        return loaded[key]
    wb = load_workbook(path, read_only=True, data_only=data_only)
    _stored_strings(path, wb)
    if loaded is not None and key[1] is not None:
        loaded[key] = wb
    return wb


#: Excel's escape of a character in a string (``_x000D_``: a carriage return; ``_x005F_``: the underscore itself,
#: before text that would read as one).
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(value):
    """*value*, a cell's, with Excel's escapes in a string read, as Excel shows it (review 174: a carriage return
    Excel saved in an id, ``R-ODD_x000D_``, was seven characters of it, and the holder a second holder).

    >>> unescape("R-ODD_x000D_"), unescape("DTC_x005F_x0041_0022"), unescape(25)
    ('R-ODD\\r', 'DTC_x0041_0022', 25)
    """
    if value.__class__ is not str or "_x" not in value:
        return value
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def _stored_strings(path: Path, wb) -> None:
    """*wb*'s shared strings (openpyxl's list, in place) as the package stores them, escapes and all, as an inline
    string's text is read: openpyxl reads ``_x005F_`` alone in them (``_x005F_x000D_``, a ``_x000D_`` typed, and
    ``_x000D_``, a carriage return, were both ``_x000D_``), so the rows' values are read with :func:`unescape`
    once, whichever kind their text is.  Read again only where a string holds ``_x``."""
    sheets = getattr(wb, "_sheets", [])
    strings = getattr(sheets[0], "_shared_strings", None) if sheets else None
    if not strings or not any("_x" in t for t in strings if isinstance(t, str)):
        return
    from xml.etree.ElementTree import iterparse

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        name = next((n for n in z.namelist() if n.lower().endswith("sharedstrings.xml")), None)
        if name is None:
            return
        raw = []
        with z.open(name) as fh:  # (check_xlsx refused a part declaring a DTD before openpyxl read any)
            for _, node in iterparse(fh):
                if node.tag == f"{main}si":  # (its text, and its runs' text, not phonetic guides: openpyxl's)
                    raw.append("".join([node.findtext(f"{main}t") or "",
                                        *(r.findtext(f"{main}t") or "" for r in node.findall(f"{main}r"))]))
                    node.clear()
    if len(raw) == len(strings):
        strings[:] = [r if isinstance(t, str) else t for r, t in zip(raw, strings)]


def release(wb) -> None:
    """Close *wb* (:func:`load`), unless :func:`one_load` keeps it for the next reading."""
    loaded = _LOADED.get()
    if loaded is None or not any(wb is kept for kept in loaded.values()):
        wb.close()


#: The hidden name every workbook xlpy builds holds (:data:`xlpy.workbook.layout.model.LAYOUT_NAME`): a file holding
#: it is offer results, never an agent's tally.
XLPY_WORKBOOK_NAME = "xlpyLayout"


def xlsx_columns(path: Path, sheet: str, is_header=None, refused=None) -> tuple[list[str], list[list], list[int]]:
    """(the header's names, the columns' cells, each line's row on the sheet) of worksheet *sheet* (the first when
    empty, unless it is hidden, or, with *is_header*, more than one visible sheet has a tally header:
    :func:`~xlpy.files.tally_shape.unnamed_sheet`): blank rows are no lines, nor are rows of spaces alone after the
    last line (cells "cleared" with the space bar), as a CSV tally's separators alone at its end are not.  The
    columns' ``sheet``: the one read.  *refused(headers)*: the problems that refuse a tally by its header alone,
    raised before a line is read (a CSV tally's are: :func:`~xlpy.files.tally_csv.csv_columns`)."""
    from .tally_shape import unnamed_sheet

    with xlsx_sheet(path, sheet) as (wb, ws), ExitStack() as stack:
        unnamed = None if sheet or is_header is None else unnamed_sheet(path.name, wb, ws, is_header)
        if unnamed is not None:
            raise InputErrors([unnamed])
        merged = merged_ranges(path, ws.title)
        # to its last row, whatever size the file states; as wide as a header merged past its last name
        rows = stack.enter_context(closing(table_rows(ws, max((c2 + 1 for _, _, r1, c2, _ in merged if r1 == 1),
                                                              default=0))))  # (closed when refused early too)
        header = next(rows, None)
        if header is None:
            raise InputErrors([empty_sheet(path.name, wb, ws)])
        if is_header is not None and not is_header(header) and XLPY_WORKBOOK_NAME in wb.defined_names:
            raise InputErrors([InputError(path.name, None, "is an xlpy workbook (offer results: it holds the name "
                                          f"{XLPY_WORKBOOK_NAME}), not a tally: give the exchange agent's tally file",
                                          show_value=False)])
        if refused is not None and (problems := refused(["" if h is None else str(h) for h in header])):
            raise InputErrors(problems)  # (two columns that could be one of ours: the lines never read for it)
        data, numbers = [], []  # the lines, and their rows on the sheet (blank rows are skipped)
        for n, r in enumerate(rows, start=2):
            if any(v is not None for v in r):
                data.append(r)
                numbers.append(n)
        while data and _blank(data[-1]):
            del data[-1], numbers[-1]  # (rows "cleared" with the space bar at the end: no lines, as a CSV's ,,,)
        if _blank(header):  # (row 1 blank above the header, as a CSV's empty line or ,,,; or nothing under it)
            raise InputErrors([blank_first_row(path.name, next(n for n, r in zip(numbers, data) if not _blank(r)) - 1)
                               if data else empty_sheet(path.name, wb, ws)])
        title = _title_above(path.name, ws, header, numbers, is_header)
        if title is not None:
            raise InputErrors([title])
    headers = ["" if h is None else str(h) for h in header]
    columns = _Columns(data, len(headers), merged)
    columns.sheet = ws.title
    return headers, columns, numbers


def _blank(row) -> bool:
    """Whether a sheet's *row* holds nothing: empty cells, or spaces alone (a cell "cleared" with the space bar)."""
    return all(v is None or isinstance(v, str) and not v.strip() for v in row)


def _title_above(name: str, ws, header, numbers: list[int], is_header):
    """The problem of a title in A1 alone over the tally's header (:func:`~xlpy.files.tally_shape.title_row`): the
    lines are cut to the title's width, so the first is read again whole; a title as wide as the header (merged
    across it) is found by :func:`~xlpy.files.tally_shape.headless_columns`."""
    from .tally_shape import title_row

    if is_header is None or not numbers or is_header(header) or len([h for h in header if h is not None]) != 1:
        return None
    first = next(iter(sheet_rows(ws, numbers[0], numbers[0])), ())
    return title_row(name, [h for h in header if h is not None], first, numbers[0], is_header)


@contextmanager
def xlsx_sheet(path: Path, sheet: str, data_only: bool = True):
    """The workbook at *path* (openpyxl, read-only; saved values when *data_only*) and its worksheet *sheet* (the
    first when empty), closed after; a package that cannot be read, while it is opened or while its sheet is read,
    is refused in one line naming why (and the part, when one is not well-formed XML)."""
    text = not_xlsx_problem(path)  # (an .ods or a CSV renamed .xlsx: not "File is not a zip file")
    if text is not None:
        raise InputErrors([text])
    check_package_settled(path)  # (a package whose end has not come: still being copied, or cut short)
    check_xlsx(path)  # before openpyxl unpacks anything
    other = ole_problem(path) or strict_ooxml(path)  # (encrypted, an .xls renamed; Strict Open XML)
    if other:
        raise InputErrors([other])
    if kind := zip_no_workbook(path):  # (a zip of text files: said as every command says it)
        raise InputErrors([InputError(path.name, None, f"is not a workbook: it is {kind}", show_value=False)])
    try:
        wb = load(path, data_only)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise InputErrors([cannot_read(path, exc)]) from None
    try:
        if sheet and sheet not in wb.sheetnames:
            raise InputErrors([InputError(f"{path.name}: sheet", sheet, "is not in the workbook")])
        if sheet in [c.title for c in wb.chartsheets]:  # (it has no cells: openpyxl's rows of one end in its own error)
            raise InputErrors([InputError(f"{path.name}: sheet", sheet, "is a chart sheet, not a worksheet")])
        if not sheet and not wb.worksheets:
            raise InputErrors([_no_worksheet(path.name, [c.title for c in wb.chartsheets])])
        yield wb, wb[sheet] if sheet else wb.worksheets[0]
    except (InputErrors, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001  (a sheet's XML not well-formed, a cell openpyxl cannot make: many kinds)
        raise InputErrors([cannot_read(path, exc)]) from None
    finally:
        release(wb)


def _no_worksheet(name: str, charts: list[str]) -> InputError:
    """The problem of a package that holds no worksheet: only chart sheets (*charts*), or nothing openpyxl reads."""
    if not charts:
        return InputError(name, None, "cannot be read as XLSX: it holds no worksheet", show_value=False)
    shown = ", ".join(map(repr, charts[:5])) + (f" and {len(charts) - 5:,} more" if len(charts) > 5 else "")
    return InputError(name, None, f"holds no worksheet to read, only the chart sheet{'s' * (len(charts) > 1)} "
                      f"{shown}", show_value=False)


def check_xlsx(path: Path) -> None:
    """Refuse the package at *path* before openpyxl unpacks it (:func:`xlpy.files.safety.check_package`: the limits,
    a part named twice, a file in use; then :func:`~xlpy.files.safety.check_no_dtd`: a part declaring a DTD, as a
    workbook's is refused), as :class:`InputErrors`, which the offer file locates as every other problem of its
    tally (``tally.file: t.xlsx: part ...``); a file in use stays :class:`~xlpy.engine.errors.Busy`."""
    from .safety import check_no_dtd, check_package

    try:
        check_package(path, path.name)
        check_no_dtd(path, path.name)  # (only each part's start is read: no entity reaches a parser)
    except InputError as exc:
        raise InputErrors([exc]) from None


#: The namespaces of a package saved as Strict Open XML (Excel's "Strict Open XML Spreadsheet"), which openpyxl
#: does not read: it finds no worksheet, or a sheet with no rows.
_STRICT = b"http://purl.oclc.org/ooxml/"


def strict_ooxml(path: Path) -> InputError | None:
    """The problem of a package saved as Strict Open XML: its package relationships or its workbook part (the
    opening of each, where the namespaces are declared) name Strict's namespaces."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for name in ("_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
                if name in names:
                    with z.open(name) as part:
                        if _STRICT in part.read(4096):
                            return InputError(path.name, None, "is saved as Strict Open XML, which xlpy does not "
                                              "read: save it as Excel Workbook (.xlsx)", show_value=False)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return None  # (openpyxl says why)
    return None


#: What openpyxl raises from inside its own code on a package it does not expect (a chart sheet with no chart in
#: it, as openpyxl itself writes one): Python's words, no reason a user can act on, so the line says what to do.
_INSIDE = (AttributeError, TypeError, IndexError)


def _raised_in_openpyxl(exc: Exception) -> bool:
    """Whether *exc* was raised in openpyxl's code (a frame of its traceback is openpyxl's)."""
    tb = exc.__traceback__
    while tb is not None:
        if f"{os.sep}openpyxl{os.sep}" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def _size(path: Path) -> int | None:
    """The size of the file *path* in bytes, None when it cannot be told."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def cannot_read(path: Path, exc: Exception) -> InputError:
    """The one line for a package openpyxl fails on (*exc*): the first of its XML parts that is not well-formed,
    named, when one is the cause; openpyxl failing inside its own code, said so, with what to do."""
    why = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, zipfile.BadZipFile) and _size(path) == 0:  # (said as an empty workbook is)
        why = "it is an empty file (0 bytes): a save or a copy that did not finish? save or copy it again"
    elif "not well-formed" in why or type(exc).__name__ in ("ParseError", "XMLSyntaxError"):
        bad = _bad_part(path)
        why = f"part {bad[0]} is not well-formed XML ({bad[1]})" if bad else why
    elif isinstance(exc, _INSIDE) and _raised_in_openpyxl(exc):  # (not xlpy's own fault, told as the file's)
        why = (f"the XLSX reader (openpyxl) fails inside it ({type(exc).__name__}: {why}): open it in Excel or "
               "LibreOffice Calc and save it again as Excel Workbook (.xlsx)")
    return InputError(path.name, None, f"cannot be read as XLSX: {why}", show_value=False)


class _Nothing:
    """A parser's target that keeps nothing: the XML is only checked."""


def _bad_part(path: Path) -> tuple[str, str] | None:
    """(name, why) of the first XML part of the package at *path* that does not parse (expat, read in slices)."""
    from xml.etree.ElementTree import ParseError, XMLParser

    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not name.endswith((".xml", ".rels")):
                    continue
                parser = XMLParser(target=_Nothing())  # (no tree built: a sheet may be large)
                try:
                    with z.open(name) as part:
                        while chunk := part.read(1 << 20):
                            parser.feed(chunk)
                    parser.close()
                except ParseError as exc:
                    return name, str(exc)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return None
    return None


#: A merged range of a sheet's ``<mergeCells>``: ``<mergeCell ref="D3:D4"/>`` (any namespace prefix).
_MERGE_CELL = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]+)"""
                         rb"""(?::\$?([A-Za-z]{1,3})\$?([0-9]+))?["']""")
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_part(z: zipfile.ZipFile, title: str) -> str | None:
    """The name of the part of worksheet *title* in the package *z* (the workbook's part, from the package's
    relationships, then the sheet's, from the workbook's); None when it cannot be found (openpyxl has read it)."""
    import posixpath
    from xml.etree import ElementTree

    def targets(rels: str, base: str) -> dict[str, tuple[str, str]]:  # id -> (type, part)
        if rels not in z.namelist():
            return {}
        root = ElementTree.fromstring(z.read(rels))  # (check_xlsx has refused a part declaring a DTD)
        return {r.get("Id"): (r.get("Type", ""), posixpath.normpath(t.lstrip("/") if t.startswith("/") else
                                                                   posixpath.join(base, t)))
                for r in root if (t := r.get("Target", ""))}

    book = next((p for kind, p in targets("_rels/.rels", "").values() if kind.endswith("/officeDocument")), None)
    if book is None or book not in z.namelist():
        return None
    folder, leaf = posixpath.split(book)
    sheets = targets(posixpath.join(folder, "_rels", leaf + ".rels"), folder)
    for el in ElementTree.fromstring(z.read(book)).iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet" and el.get("name") == title:
            return sheets.get(el.get(_RELATIONSHIP_ID), ("", None))[1]
    return None


def merged_ranges(path: Path, title: str) -> list[tuple[str, int, int, int, int]]:
    """The merged ranges of worksheet *title* of the package at *path*, each (its reference as written, first
    column, first row, last column, last row; columns from 0, rows from 1): openpyxl's read-only mode does not give
    them, so the sheet's part is scanned for its ``<mergeCells>`` (after its rows: only from there is it kept)."""
    from openpyxl.utils import column_index_from_string

    with zipfile.ZipFile(path) as z:
        part = _sheet_part(z, title)
        if part is None or part not in z.namelist():
            return []
        kept, tail = [], b""
        with z.open(part) as fh:
            while chunk := fh.read(1 << 20):
                if not kept:  # (before the first: only a tail kept, for a tag split between two reads)
                    data, tail = tail + chunk, (tail + chunk)[-64:]
                    at = data.find(b"mergeCell")
                    if at < 0:
                        continue
                    chunk = data[max(at - 32, 0):]
                kept.append(chunk)
    out = []
    for m in _MERGE_CELL.finditer(b"".join(kept)):
        c1, r1 = m[1].decode().upper(), int(m[2])
        c2, r2 = (m[3].decode().upper(), int(m[4])) if m[3] else (c1, r1)
        out.append((f"{c1}{r1}:{c2}{r2}" if m[3] else f"{c1}{r1}", column_index_from_string(c1) - 1, r1,
                    column_index_from_string(c2) - 1, r2))
    return out


def merged_cells(name: str, merged, headers, ours: set[int], columns, rows: list[int]) -> list[InputError]:
    """A merged range (:func:`merged_ranges`) covering, other than by its first cell, a cell of a line in a column
    read (*ours*: their indexes): only the first cell holds the value, the others read as empty, and would be
    refused as missing or take the mapping's [defaults] (a merged "withdrawn" over two holders would count the
    second as tendered).  A line: a row holding a value in a column read (*rows*: each line's row on the sheet,
    ascending).  A merged title or header above the lines, or a band over blank rows below or between them (a
    separator, a status merged down into the blank row under the last line), is no matter here."""
    from bisect import bisect_left, bisect_right

    from openpyxl.utils import get_column_letter

    out = []
    for ref, c1, r1, c2, r2 in merged:
        cols = sorted(c for c in ours if c1 <= c <= c2)
        if not cols or r2 < 2:
            continue
        held = [rows[i] for i in range(bisect_left(rows, max(r1, 2)), bisect_right(rows, r2))
                if any(columns[k][i] not in ("", None) for k in ours)]  # (the lines' rows under the range)
        for c in cols:
            if any(c > c1 or n > r1 for n in held):
                out.append(InputError(f"{name}: cells {ref}, column {headers[c] or get_column_letter(c + 1)}", None,
                                      "are merged: only the first cell of a merged range holds its value, the "
                                      "others read as empty; unmerge it and fill each row", show_value=False))
    return out


class _Columns(Sequence):
    """A sheet's columns, each made from its lines when first asked for (blank cells as ""): a header 16,384
    columns wide (a note in column XFD) over 60,000 lines costs the columns read, not a billion empty cells."""

    def __init__(self, lines: list[tuple], width: int, merged: list = ()):
        self._lines, self._width, self._made = lines, width, {}
        self.merged = merged  # the sheet's merged ranges (merged_ranges)

    def __len__(self) -> int:
        return self._width

    def first_values(self, columns: list[int]) -> dict[int, int | None]:
        """Each of *columns* (indexes) -> the first line holding something in it (not spaces alone), or None: the
        lines are looked at as read, none padded (16,000 blank columns over 60,000 lines cost the cells held)."""
        wanted, out = set(columns), dict.fromkeys(columns)
        for i, r in enumerate(self._lines):
            for k, v in enumerate(r):  # (a row as long as its last cell: a line of 4 cells costs 4)
                if v is not None and k in wanted and str(v).strip():
                    out[k] = i
                    wanted.discard(k)
            if not wanted:
                break
        return out

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
    others = [w.title for w in wb.worksheets if w.title != ws.title]  # (not a chart sheet: it holds no rows)
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
    wb = load(path, data_only=False)  # formulas, not their saved values
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        last, cols = max(n for n, _ in empty), sorted({c for _, c in empty})
        formulas = {(n, c): r[c] for n, r in enumerate(sheet_rows(ws, 2, last, cols[-1] + 1), 2)
                    for c in cols
                    if c < len(r) and (n, c) in empty and isinstance(r[c], str) and r[c].startswith("=")}
    finally:
        release(wb)
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
    return [tuple(map(unescape, r[:width])) for r in ws.iter_rows(min_row=min_row, max_row=max_row, values_only=True)]


def table_rows(ws, at_least: int = 0) -> Iterator[tuple]:
    """The rows of the read-only openpyxl worksheet *ws* as a table: its header (row 1, to its last cell that is
    not empty), then every row below it, each cut at the header's width (a note to the right of the columns is no
    part of the table, however far right) and not padded, but at least *at_least* wide (a header merged across
    columns past its last name: the columns under the merge have no header).  Nothing when the sheet has no rows.

    A row with nothing under the header but something to the right of it
    keeps the first such cell, one past the header's width: it is still a
    line, named as one with no holder or no count, not dropped without a
    word (it may be a line written a few columns too far right).
    """
    ws.reset_dimensions()  # (its stored size is not trusted: see sheet_rows)
    rows = ws.iter_rows(values_only=True)
    with closing(rows):  # (left early, the sheet's part is closed now: not when Python collects it)
        header = next(rows, None)
        if header is None:
            return
        header = tuple(map(unescape, header)) + (None,) * (at_least - len(header))
        width = len(header)
        while width > at_least and header[width - 1] is None:
            width -= 1
        yield tuple(header[:width])
        for r in rows:
            cut = tuple(map(unescape, r[:width]))
            if len(r) > width and all(v is None for v in cut):
                cut += tuple(unescape(v) for v in r[width:] if v is not None)[:1]
            yield cut
