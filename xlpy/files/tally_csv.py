"""A CSV tally read into columns by pandas, for :func:`xlpy.files.sources.read_tally`.

The units column is read as int64 where every cell is a plain whole number
(:class:`Whole`), else as text for the exact reader (:class:`Written`);
method and status as categories (:class:`Words`: a handful of words, one
string each rather than one a line); every other column as text, so holder
ids keep their leading zeros.  Each line's row in the file is the one a
spreadsheet shows (blank lines skipped by pandas counted), and rows of
separators alone at the end are no lines.
"""

from __future__ import annotations

import codecs
import io
import mmap
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from ..engine.errors import InputError, InputErrors
from .csv_cells import MAX_CELL, file_text, records, refuse_long_cells
from .settled import check_settled
from .sniff import file_encoding, header_line, undecodable, utf8_given_another
from .written_numbers import WHOLE_LIMIT, delimiter

__all__ = ["HeaderRefused", "Whole", "Words", "Written", "csv_columns", "csv_rows", "spaced", "without_lines"]


class HeaderRefused(InputErrors):
    """A CSV tally refused by its header alone (two columns that could be one of ours), before a line is read."""


def csv_columns(path: Path, encoding: str, match, is_header, cap, refused):
    """``(headers, columns, rows)`` of a CSV tally: the header's names as written, a list a column (the units as
    :class:`Whole` or :class:`Written`, method and status as :class:`Words` where pandas read them so), and each
    line's row in the file (:func:`csv_rows`).  *encoding*: the mapping's; *match(names)*: our column -> its index
    in the header; *is_header(row)*: whether a row is a tally's header (for a row wider than it); *cap*: the
    problems of rows wider than the header made into those listed (the first 50, a count of the rest);
    *refused(headers)*: the problems that refuse a tally by its header alone, raised before pandas reads a line
    (:func:`_refuse_header`).  A header ending in :data:`EMPTY_NAMES` empty names or more, none of their cells
    holding anything, is read without them (:func:`_named_lines`)."""
    import pandas as pd

    from .tally_shape import wide_rows

    encoding = file_encoding(path, encoding)
    first = header_line(path, encoding)
    check_settled(path)  # (ending inside a line, and still growing: a transfer under way)
    utf8 = utf8_given_another(path, encoding)
    if utf8 is not None:
        raise InputErrors([utf8])
    sep = delimiter(first)
    # (a header wider than a sheet, or a cell longer than a cell holds, refused before pandas reads it)
    header = next(records(path.name, [first], sep, lambda: first), None)
    if not header:
        raise InputErrors([InputError(path.name, None, "is empty: no header row", show_value=False)])
    # (units as int64 where pandas reads every cell so, else again as text; method and status as categories)
    names = [h.strip() for h in header]
    found = match(names)
    units_at = found.get("units") if len(set(names)) == len(names) else None
    options = dict(keep_default_na=False, encoding=encoding, skipinitialspace=spaced(path, encoding), sep=sep)
    _refuse_header(first, names, refused, options)
    named = _named_lines(path, encoding, sep, names) if units_at is None else None  # (None: every column read)
    try:
        if units_at is None:  # (a name repeated: pandas is given distinct labels, not the header it renames apart)
            labels = {"names": range(len(names) if named is None else named[1]), "header": None,
                      "skiprows": 1} if len(set(names)) < len(names) else {}
            frame = pd.read_csv(path if named is None else io.BytesIO(named[0]), dtype=str, **labels, **options)
        else:
            words = {found.get("method"), found.get("status")} - {None, units_at}
            frame = pd.read_csv(path, dtype={i: "category" if i in words else str
                                             for i in range(len(names)) if i != units_at}, **options)
    except UnicodeDecodeError as exc:  # past the header line, which was read: named by its row
        raise InputErrors([undecodable(path, encoding, exc)]) from None
    except (pd.errors.ParserError, ValueError) as exc:
        # (a row with more cells than the header: pandas says "Expected 4 fields", or worse)
        raise InputErrors(cap(wide_rows(path, encoding, sep, len(names), is_header))
                          or [InputError(path.name, None, f"cannot be read as CSV: {exc}", show_value=False)]) from None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas took the first cells as an index: the first line has more cells than the header
        raise InputErrors(cap(wide_rows(path, encoding, sep, len(names), is_header))
                          or [InputError(path.name, None, "cannot be read as CSV: its rows do not match the header",
                                         show_value=False)])
    # Rows of separators alone at the end (,,,: cleared rows Excel still exports) are no lines, as in an XLSX.
    kept = read = len(frame)
    while kept and not any(str(v).strip() for v in frame.iloc[kept - 1].tolist()):
        kept -= 1
    frame = frame.iloc[:kept] if kept < len(frame) else frame
    # (the names as written: pandas renames a repeated name "units.1", hiding it from the column match, and an
    # empty one "Unnamed: 3", which no message shows; given a repeated one, it read the labels 0, 1, 2...)
    headers = names if len(set(names)) < len(names) else [
        "" if i < len(names) and not names[i] else str(c) for i, c in enumerate(frame.columns)]
    columns = _frame_columns(frame, units_at, len(names), kept, lambda i: pd.read_csv(
        path, usecols=[i], dtype=str, **options).iloc[:kept, 0].tolist(), sep)
    if units_at is None and found.get("units") is not None:  # (a name repeated: every column read as text)
        columns[found["units"]] = Written(columns[found["units"]])
        columns[found["units"]].sep = sep  # (so a ';' file's 1.000 is a thousand, as where no name repeats)
    if named is not None:  # (the columns under the empty names: one list of blanks, as pandas would read each)
        columns += [[""] * kept] * (len(names) - named[1])
    return headers, columns, csv_rows(path, encoding, sep, read, kept, (headers, columns),
                                      None if named is None else named[0])


def _frame_columns(frame, units_at: int | None, width: int, kept: int, units_text, sep: str) -> list:
    """The columns of *frame* (the *kept* lines of a CSV tally of *width* columns read by pandas) as lists: the units
    (column *units_at*) as :class:`Whole` where pandas read them as whole numbers none negative, else as
    :class:`Written` of *units_text(units_at)* (the column read again as text); method and status as
    :class:`Words` where pandas read them as categories; every other column as text."""
    import numpy as np
    import pandas as pd

    columns = []
    for i, (_, column) in enumerate(frame.items()):  # (a third of iloc's time a column: 16,384 of them in 0.7 s)
        if i == units_at and len(frame.columns) == width:
            if column.dtype.kind in "iu":
                values = column.tolist()
                column_values = values
                if not len(values) or (column.min() >= 0 and column.max() < WHOLE_LIMIT):
                    column_values = Whole(values)
                    column_values.array = column.to_numpy(dtype="int64")
            else:
                column_values = Written(units_text(i))
                column_values.sep = sep
            columns.append(column_values)
        elif isinstance(column.dtype, pd.CategoricalDtype) and len(column) and column.cat.codes.min() >= 0:
            categories, codes = list(column.cat.categories), column.cat.codes.to_numpy()
            words = Words(np.asarray(categories, dtype=object).take(codes).tolist())  # the words, shared
            words.codes, words.categories = codes, categories
            columns.append(words)
        else:  # (through numpy: pandas' own tolist of a text column takes twice as long)
            columns.append(column.to_numpy(dtype=object).tolist())
    return columns


#: A header ending in this many empty names or more (Excel's CSV of a sheet with one stray cell in column XFD ends
#: every line, header and all, in 16,380 separators) is read without their columns when no cell of them holds
#: anything: 16,384 columns over 20,000 lines took pandas 95 s and 8 GB.
EMPTY_NAMES = 64
#: The bytes of a file looked at at once for them.
_BLOCK = 1 << 23
#: The encodings in which a separator's byte, a quote's and a line break's are one wherever they are (no byte of
#: another character is one): a file in another is read whole.
_BYTEWISE = frozenset({"utf-8", "utf-8-sig", "ascii", "cp1252", "iso8859-1", "iso8859-15"})


def _named_lines(path: Path, encoding: str, sep: str, names: list[str]) -> tuple[bytes, int] | None:
    """``(lines, width)``: the lines of the CSV file *path*, each cut after its *width* named cells (the header's
    *names* to its last not empty) and padded to as many, to be read in the file's place; or None, the file to be
    read whole, unless the header ends in :data:`EMPTY_NAMES` empty names or more and no cell under them holds
    anything (spaces are something), no line has more cells than the header (a row too wide is refused), every
    quote is one Excel writes, its cell closed on its line (:func:`_quoted_cut`), and no line ends in a CR alone
    (the line breaks of a "CSV (Macintosh)" file).

    The same lines, blank ones too, and the same cells: every check that
    looks at a column under an empty name sees it empty, as it is.  Looked
    at a block at a time, in C (``bytes.endswith``, ``bytes.count``): 16,380
    empty columns over 20,000 lines are 328 MB, never held at once.
    """
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    if len(names) - width < EMPTY_NAMES or width < 2 or codecs.lookup(encoding).name not in _BYTEWISE:
        return None  # (one named column: a line of separators alone would be cut to a blank line, which is skipped)
    byte, cut, carry = sep.encode("ascii"), [], b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            data = carry + block
            end = data.rfind(b"\n") + 1 if block else len(data)  # (whole lines; the last, ended or not, at the end)
            lines, carry = data[:end], data[end:]
            lines = _cut_lines(lines, byte, width, len(names)) if lines else b""
            if lines is None:
                return None
            cut.append(lines)
            if not block:
                return b"".join(cut), width


def _cut_lines(lines: bytes, sep: bytes, width: int, cells: int) -> bytes | None:
    """*lines* (whole lines of a CSV file) each cut after its first *width* cells and padded to as many (a line with
    no separator left as it is: a blank one is skipped, as in the file); or None when a cell past them holds
    anything, a line has more than *cells* cells, a CR is not a CR LF's, or a quote is not as Excel writes one
    (:func:`_quoted_cut`).  A line as wide as the header (Excel's) ends in the same separators: compared at once,
    where ``bytes.rstrip`` looks at each in turn (1.7 s for 328 MB)."""
    out, tail = [], sep * (cells - width)
    for line in lines.split(b"\n"):
        end = len(line) - line.endswith(b"\r")  # (CR LF: the CR kept)
        if b'"' in line:  # (a quote may hide a separator: the line read cell by cell to its cut)
            kept = _quoted_cut(line[:end], sep, width, cells)
            if kept is None:
                return None
            out.append(kept + line[end:])
            continue
        held = line[:end - len(tail) if line.endswith(tail, 0, end) else end].rstrip(sep)
        seps = held.count(sep)
        if seps >= width or seps + end - len(held) >= cells:  # (a cell past them held; more cells than the header)
            return None
        if b"\r" in held:  # (a CR alone: a line break to pandas and csv, which these lines are not split at)
            return None
        out.append(held + sep * (width - 1 - seps) + line[end:] if sep in line else line)
    return b"\n".join(out)


def _quoted_cut(line: bytes, sep: bytes, width: int, cells: int) -> bytes | None:
    """*line* (without its line break) holding a quote, cut after its first *width* cells, kept byte for byte, and
    padded to as many (a line of one cell left as it is); or None.  Read strictly as Excel quotes a cell: a quote
    only at a cell's start, the cell then ending at a quote followed by a separator or the line's end (``""``
    inside it one quote).  None, the file to be read whole, for a quote anywhere else (inside a cell not quoted,
    text after a closing quote), a quoted cell not closed on its line (a line break inside it), a CR, a cell past
    the *width* holding anything or more than *cells* cells."""
    if b"\r" in line:
        return None
    at, count = 0, 0
    while True:
        if line.startswith(b'"', at):
            close = at + 1
            while True:
                close = line.find(b'"', close)
                if close < 0:
                    return None  # (not closed on its line)
                if not line.startswith(b'"', close + 1):
                    break
                close += 2  # (an escaped quote)
            after = close + 1
            if after < len(line) and not line.startswith(sep, after):
                return None  # (text after the closing quote)
        else:
            after = line.find(sep, at)
            after = len(line) if after < 0 else after
            if b'"' in line[at:after]:
                return None  # (a quote inside a cell not quoted)
        count += 1
        if count == width or after == len(line):
            break
        at = after + len(sep)
    rest = line[after:]
    if rest.count(sep) != len(rest) or count + len(rest) > cells:  # (a cell past them held; more than the header)
        return None
    return line if count == 1 and not rest else line[:after] + sep * (width - count)


def _refuse_header(first: str, names: list[str], refused, options: dict) -> None:
    """Raise :class:`HeaderRefused` when the header alone refuses the tally (*refused(headers)*: two columns that
    could be one of ours), before pandas reads a line: the refusal depends on nothing below it, and pandas read a
    million lines (3.5 s) before it was said.  In the words the headers read with the lines would be refused in:
    the *names* as written where one is repeated (as :func:`csv_columns` keeps them), else pandas' own (the header
    line *first* alone read with the same *options*: spaces after a separator dropped, the rest kept)."""
    if not refused(names):
        return
    if len(set(names)) == len(names):
        import pandas as pd

        alone = {key: value for key, value in options.items() if key != "encoding"}  # (the line is text already)
        try:
            read = pd.read_csv(io.StringIO(first), nrows=0, **alone).columns
        except (pd.errors.ParserError, ValueError):  # (a header not as csv reads it: said as the lines are read)
            return
        names = ["" if i < len(names) and not names[i] else str(c) for i, c in enumerate(read)]
    problems = refused(names)
    if problems:
        raise HeaderRefused(problems)


def csv_rows(path: Path, encoding: str, sep: str, read: int, kept: int, measured=None,
             data: bytes | None = None) -> list[int] | None:
    """Each of the *kept* lines' row in the file as a spreadsheet shows it (the header row 1), or None when that is
    its index + 2: every line after the header is one of the *read* lines.

    pandas skips blank lines (a spreadsheet shows each as a row); a quoted
    value may hold a line break.  Counted in C first: only a file whose line
    breaks and lines disagree is read again, record by record.  A cell longer
    than a cell holds is refused by its row (:mod:`~xlpy.files.csv_cells`), in
    *measured* (the headers and the columns read) where some line is longer;
    a cell that long on one line is on a line that long.  *data*: the bytes
    read in the file's place (its lines cut after its named columns:
    :func:`_named_lines`, the same lines, records and cells read), else None.
    """
    cut, text = data, partial(file_text, path, encoding) if data is None else partial(data.decode, encoding)
    if data is None:
        with open(path, "rb") as fh:
            data = fh.read()
    breaks = data.count(b"\n") + (not data.endswith(b"\n"))
    if breaks == read + 1:  # (a blank line is one more; a CR-only file counts one, and is read again)
        if measured is not None and _longer_line_than(data, MAX_CELL):
            refuse_long_cells(path.name, *measured, lambda i: i + 2)
        return None
    # (a line pandas skips: empty, or spaces alone)
    with open(path, encoding=encoding, newline="") if cut is None else io.StringIO(text(), newline="") as fh:
        rows = [n for n, r in enumerate(records(path.name, fh, sep, text, checked=False), 1)
                if len(r) > 1 or (r and r[0].strip())]
    rows = rows[1:kept + 1] if len(rows) == read + 1 else None
    if measured is not None:
        refuse_long_cells(path.name, *measured, (lambda i: i + 2) if rows is None else rows.__getitem__)
    return rows


def _longer_line_than(data: bytes, limit: int) -> bool:
    """Whether :func:`_longest_line` of *data* is more than *limit*, told without it when every stretch of *limit*
    // 2 bytes holds a line feed (no two are then *limit* apart): about 0.5 ms a million lines, where numpy's
    positions of every line feed take 11-15 ms and a first call's fresh memory 120 ms."""
    step = max(1, limit // 2)
    find = data.find
    if all(find(b"\n", start, start + step) >= 0 for start in range(0, len(data), step)):
        return False
    return _longest_line(data) > limit


def _longest_line(data: bytes) -> int:
    """The most bytes between two line feeds of *data* (or an end), counted in numpy."""
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return int(np.diff(ends, prepend=-1, append=len(data)).max()) if len(data) else 0


def spaced(path: Path, encoding: str) -> bool:
    """Whether pandas' ``skipinitialspace`` (a field's leading spaces dropped) can change how *path* reads.

    Only when some field starts with a space: a UTF-8 file without a single
    space byte reads the same either way, and ~10% faster without the option
    (the search, in the mapped file, takes a few milliseconds).
    """
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        return True
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b" ") >= 0
    except (OSError, ValueError):  # (ValueError: an empty file cannot be mapped)
        return True


class Whole(list):
    """A column pandas has already read as whole numbers, none negative; ``array``: the same, int64."""


class Written(list):
    """A units column of text from a CSV file; ``sep``: its separator (``;``: ``.`` separates thousands)."""

    sep = ","


class Words(list):
    """A column of a few distinct words; ``codes[i]`` is line *i*'s index in ``categories``."""


def without_lines(columns, lines: list[int], row_of):
    """``(columns, row_of)``: *columns* without the *lines* (indexes: the header repeated), each column cut when
    first asked for (an XLSX's header 16,384 columns wide costs the columns read), and each line left's row in the
    file."""
    skip = set(lines)
    kept = [i for i in range(len(columns[0]) if len(columns) else 0) if i not in skip]
    return _Cut(columns, kept), (lambda k: row_of(kept[k]))


class _Cut(Sequence):
    """Columns of the *kept* lines alone.  A units column of CSV text keeps its separator; the others are plain
    lists (a column of words' codes would no longer match its lines)."""

    def __init__(self, columns, kept: list[int]):
        self._columns, self._kept, self._made = columns, kept, {}

    def __len__(self) -> int:
        return len(self._columns)

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(len(self)))]
        column = self._columns[j]
        if id(column) not in self._made:  # (one list given for many columns, a CSV's under empty names: cut once)
            cut = [column[i] for i in self._kept]
            if type(column) is Written:
                cut = Written(cut)
                cut.sep = column.sep
            self._made[id(column)] = column, cut  # (the column kept: no other takes its id)
        return self._made[id(column)][1]
