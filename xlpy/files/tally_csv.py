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
    (:func:`_refuse_header`)."""
    import numpy as np
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
    try:
        if units_at is None:  # (a name repeated: pandas is given distinct labels, not the header it renames apart)
            labels = {"names": range(len(names)), "header": None, "skiprows": 1} if len(set(names)) < len(names) else {}
            frame = pd.read_csv(path, dtype=str, **labels, **options)
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
    columns = []
    for i, (_, column) in enumerate(frame.items()):  # (a third of iloc's time a column: 16,384 of them in 0.7 s)
        if i == units_at and len(frame.columns) == len(names):
            if column.dtype.kind in "iu":
                values = column.tolist()
                column_values = values
                if not len(values) or (column.min() >= 0 and column.max() < WHOLE_LIMIT):
                    column_values = Whole(values)
                    column_values.array = column.to_numpy(dtype="int64")
            else:
                column_values = pd.read_csv(path, usecols=[i], dtype=str, **options).iloc[:kept, 0].tolist()
                column_values = Written(column_values)
                column_values.sep = sep
            columns.append(column_values)
        elif isinstance(column.dtype, pd.CategoricalDtype) and len(column) and column.cat.codes.min() >= 0:
            categories, codes = list(column.cat.categories), column.cat.codes.to_numpy()
            words = Words(np.asarray(categories, dtype=object).take(codes).tolist())  # the words, shared
            words.codes, words.categories = codes, categories
            columns.append(words)
        else:  # (through numpy: pandas' own tolist of a text column takes twice as long)
            columns.append(column.to_numpy(dtype=object).tolist())
    return headers, columns, csv_rows(path, encoding, sep, read, kept, (headers, columns))


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


def csv_rows(path: Path, encoding: str, sep: str, read: int, kept: int, measured=None) -> list[int] | None:
    """Each of the *kept* lines' row in the file as a spreadsheet shows it (the header row 1), or None when that is
    its index + 2: every line after the header is one of the *read* lines.

    pandas skips blank lines (a spreadsheet shows each as a row); a quoted
    value may hold a line break.  Counted in C first: only a file whose line
    breaks and lines disagree is read again, record by record.  A cell longer
    than a cell holds is refused by its row (:mod:`~xlpy.files.csv_cells`), in
    *measured* (the headers and the columns read) where some line is longer;
    a cell that long on one line is on a line that long.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    breaks = data.count(b"\n") + (not data.endswith(b"\n"))
    if breaks == read + 1:  # (a blank line is one more; a CR-only file counts one, and is read again)
        if measured is not None and _longest_line(data) > MAX_CELL:
            refuse_long_cells(path.name, *measured, lambda i: i + 2)
        return None
    with open(path, encoding=encoding, newline="") as fh:  # a line pandas skips: empty, or spaces alone
        rows = [n for n, r in enumerate(records(path.name, fh, sep, lambda: file_text(path, encoding),
                                                checked=False), 1) if len(r) > 1 or (r and r[0].strip())]
    rows = rows[1:kept + 1] if len(rows) == read + 1 else None
    if measured is not None:
        refuse_long_cells(path.name, *measured, (lambda i: i + 2) if rows is None else rows.__getitem__)
    return rows


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
        if j not in self._made:
            column = self._columns[j]
            cut = [column[i] for i in self._kept]
            if type(column) is Written:
                cut = Written(cut)
                cut.sep = column.sep
            self._made[j] = cut
        return self._made[j]
