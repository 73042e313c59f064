"""The XML of a table's data rows, written fast: ``<row>`` elements for a package (a build, a refresh, a switch).

A holder table of 100,000 lines is some 60 MB of sheet XML.  The rows are
joined column-wise from constant pieces and per-row lists, with no Python
work per cell, and the formula columns are written as shared formulas with
the engine's value of each line saved beside them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from itertools import chain, repeat

from openpyxl.utils import get_column_letter

from .column_rows import columns_of
from .layout import Table
from .rows_shown import flags_kept

__all__ = ["splice_table_rows", "table_row_pieces", "table_rows_xml"]


class _Numerals:
    """The text of each whole number of a column, one call a column; a column equal to one made before takes that
    one's texts (a holder table's units, eligible units, units accepted and holder units are often the same), and
    a column of a few distinct numbers (units of a few hundred sizes) makes each one's text once."""

    def __init__(self) -> None:
        self._made: list[tuple[list, list[str]]] = []

    def __call__(self, values: Sequence[int]) -> list[str]:
        values = values if type(values) is list else list(values)
        for seen, texts in self._made:
            if seen == values:  # (whole numbers only, as the callers give: equal numbers, the same text)
                return texts
        distinct = set(values)
        if len(distinct) * 4 <= len(values):  # (a dictionary's look-up is a third of str's work on an int)
            made = {v: str(v) for v in distinct}
            texts = list(map(made.__getitem__, values))
        else:
            texts = list(map(str, values))
        self._made.append((values, texts))
        return texts


_NEEDS_CARE = re.compile(r"[\x01-\x1f&<>]|_x|\x00\s|\s\x00")
_MARKUP = re.compile(r"[\x01-\x1f&<>]")


def _plain_text(values: Sequence[str]) -> bool:
    """Whether every value goes into XML as it is: nothing to escape, no ``_x``, no space at either end."""
    joined = "\x00".join(values)
    if joined != joined.strip():
        return False
    if joined.isascii():  # the usual holder ids: a character class and three substring finds, all in C
        return not (_MARKUP.search(joined) or "_x" in joined or "\x00 " in joined or " \x00" in joined)
    return not _NEEDS_CARE.search(joined)


def _input_cells(table: Table, rows: Sequence[tuple], inputs: list[int], p: str, date1904: bool,
                 numerals: _Numerals) -> list[list]:
    """Column-wise: the XML of each input cell after its ``r`` and ``s`` attributes, as pieces.

    Each column is a list of pieces, each a string (the same in every row) or
    a list (one string per row): the pieces of a row, joined, are its cell.
    Plain text and whole numbers keep their values as they are between
    constant pieces, so a long column costs no string per cell.
    """
    from .package import number_text, serial, text_xml

    def inner(v, textual: bool) -> str:
        if v is None:
            return "/>"
        if textual or isinstance(v, str):
            return f' t="inlineStr">{text_xml(str(v))}</{p}c>'
        if isinstance(v, bool):
            return f' t="b"><{p}v>{int(v)}</{p}v></{p}c>'
        if isinstance(v, (dt.date, dt.datetime)):
            return f"><{p}v>{serial(v, date1904)}</{p}v></{p}c>"
        return f"><{p}v>{number_text(v)}</{p}v></{p}c>"

    columns: list[list] = []
    by_column = columns_of(rows, len(inputs)) if rows else [(None,)] * len(inputs)  # (no rows: one blank row)
    for j, i in enumerate(inputs):
        textual = table.columns[i].fmt == "text"
        values = by_column[j]
        kinds = set(map(type, values))
        # Plain text (the usual holder id): no escaping, no edge spaces; else cell by cell.
        if textual and kinds == {str} and _plain_text(values):
            columns.append([f' t="inlineStr"><{p}is><{p}t>', values, f"</{p}t></{p}is></{p}c>"])
            continue
        if not textual and kinds == {int}:
            columns.append([f"><{p}v>", numerals(values), f"</{p}v></{p}c>"])
            continue
        if kinds <= {str, type(None)}:  # text of a few values (a method, a status): each made once
            made = {v: inner(v, textual) for v in set(values)}
            columns.append([list(map(made.__getitem__, values))])
            continue
        columns.append([[inner(v, textual) for v in values]])
    return columns


def _row_piece(pieces: list, r: int) -> str:
    """Row *r*'s text of a column given as pieces (:func:`_input_cells`)."""
    return "".join(x if isinstance(x, str) else x[r] for x in pieces)


def _value_tails(values: Sequence, date1904: bool, formula: str, p: str, numerals: _Numerals) -> list:
    """Each formula cell's XML after its ``r`` and ``s`` attributes (type, *formula*, saved value), as pieces.

    Whole numbers (the usual column) stay a list between constant pieces, as
    :func:`_input_cells` gives them; otherwise each distinct value is made
    once, each type apart (``True``, ``1`` and ``1.0`` are equal, and written otherwise).
    """
    from .saved_values import value_texts

    kinds = set(map(type, values))
    if kinds == {int}:
        return [f">{formula}<{p}v>", numerals(values), f"</{p}v></{p}c>"]
    typed = len(kinds) > 1  # (1, 1.0 and True are one key of a dictionary: each made by its type too)
    keys = list(zip(map(type, values), values)) if typed else values
    made = {}
    for key in set(keys):
        (t, v), = value_texts([key[1] if typed else key], date1904)
        made[key] = f"{t}>{formula}<{p}v>{v}</{p}v></{p}c>"
    return [list(map(made.__getitem__, keys))]


def table_rows_xml(table: Table, rows: Sequence[tuple], styles: dict[int, str | None], si: int, date1904: bool,
                   prefix: str = "", saved: dict[str, Sequence] | None = None) -> str:
    """The ``<row>`` elements of a table's data rows, formula columns as shared formulas (:func:`table_row_pieces`,
    joined)."""
    return "".join(table_row_pieces(table, rows, styles, si, date1904, prefix, saved))


def table_row_pieces(table: Table, rows: Sequence[tuple], styles: dict[int, str | None], si: int, date1904: bool,
                     prefix: str = "", saved: dict[str, Sequence] | None = None) -> Iterable[str]:
    """The ``<row>`` elements of a table's data rows, formula columns as shared formulas, as pieces to join.

    The first two rows carry the shared formulas' masters; the rest are
    joined column-wise from lists of cell pieces, no Python work per cell
    (the fast path for a long tally).  *saved*, column key -> one value per
    row, gives those formula cells their saved value (:mod:`xlpy.workbook.saved_values`).
    """
    from .package import escape_text
    from .saved_values import value_texts

    p = prefix
    first = table.first_row
    n = max(len(rows), 1)
    last = first + n - 1
    inputs = [i for i, c in enumerate(table.columns) if c.formula is None]
    numerals = _Numerals()
    columns = _input_cells(table, rows, inputs, p, date1904, numerals)
    saved = {c: v for c, v in (saved or {}).items() if len(v) == len(rows)}

    def s_attr(i):
        st = styles.get(table.first_col + i)
        return f' s="{st}"' if st is not None else ""

    # Shared formulas: (column index) -> (master row, si).
    shared: dict[int, tuple[int, int]] = {}
    for i, c in enumerate(table.columns):
        if c.formula is None or "{index}" in c.formula:
            continue
        start = first + 1 if (c.first and c.first != c.formula) else first
        if start < last:
            shared[i] = (start, si)
            si += 1

    def formula_cell(i: int, row: int) -> str:
        col = get_column_letter(table.first_col + i)
        c = table.columns[i]
        t = v = ""
        if c.key in saved:
            (t, v), = value_texts([saved[c.key][row - first]], date1904)
            v = f"<{p}v>{v}</{p}v>"
        if i in shared:
            start, k = shared[i]
            if row == start:
                body = escape_text(table.row_formula(c, row)[1:])
                return f'<{p}c r="{col}{row}"{s_attr(i)}{t}><{p}f t="shared" ref="{col}{start}:{col}{last}" ' \
                       f'si="{k}">{body}</{p}f>{v}</{p}c>'
            if row > start:
                return f'<{p}c r="{col}{row}"{s_attr(i)}{t}><{p}f t="shared" si="{k}"/>{v}</{p}c>'
        body = escape_text(table.row_formula(c, row)[1:])
        return f'<{p}c r="{col}{row}"{s_attr(i)}{t}><{p}f>{body}</{p}f>{v}</{p}c>'

    def slow_row(r: int) -> str:
        row = first + r
        out = [f'<{p}row r="{row}">']
        for i, c in enumerate(table.columns):
            col = get_column_letter(table.first_col + i)
            if c.formula is None:
                out.append(f'<{p}c r="{col}{row}"{s_attr(i)}' + _row_piece(columns[inputs.index(i)], r))
            else:
                out.append(formula_cell(i, row))
        out.append(f"</{p}row>")
        return "".join(out)

    head = [slow_row(r) for r in range(min(2, n))]
    if n <= 2 or any(i not in shared for i, c in enumerate(table.columns) if c.formula is not None):
        return chain(head, map(slow_row, range(2, n)))
    # Rows 3..n: constant pieces and per-row lists, interleaved row by row and joined in one go.
    cells = []
    for i, c in enumerate(table.columns):
        f = f'<{p}f t="shared" si="{shared[i][1]}"/>' if i in shared else ""
        if c.formula is None:
            cells.append((s_attr(i), [x if isinstance(x, str) else x[2:] for x in columns[inputs.index(i)]]))
        elif c.key in saved:
            tails = _value_tails(saved[c.key], date1904, f, p, numerals)  # (whole: a column like another's)
            cells.append((s_attr(i), [x if isinstance(x, str) else x[2:] for x in tails]))
        else:
            cells.append((f"{s_attr(i)}>{f}</{p}c>", []))
    return _joined_rows(table, first + 2, last, cells, p, head)


def _joined_rows(table: Table, first: int, last: int, cells: list[tuple[str, list]], p: str, head: list[str]
                 ) -> Iterable[str]:
    """Rows *first*..*last* as pieces to join, after the rows *head*: each cell its ``r``, then a constant
    (attributes) and its pieces.

    A cell's pieces are strings (the same in every row) and lists (one string
    per row), as :func:`_input_cells` gives them.  Neighbouring constants are
    merged, then the constants and the lists are interleaved row by row by
    iterators, to be joined once: no Python work per row or cell.
    """
    numbers = list(map(str, range(first, last + 1)))
    seq: list = [f'<{p}row r="', numbers, '">']
    for i, (constant, pieces) in enumerate(cells):
        seq += [f'<{p}c r="{get_column_letter(table.first_col + i)}', numbers, f'"{constant}', *pieces]
    seq.append(f"</{p}row>")
    merged: list = []
    for x in seq:
        if isinstance(x, str) and merged and isinstance(merged[-1], str):
            merged[-1] += x
        else:
            merged.append(x)
    return chain(head, chain.from_iterable(zip(*[repeat(x) if isinstance(x, str) else x for x in merged])))


def splice_table_rows(sx, table: Table, rows: Sequence[tuple], last: int, date1904: bool,
                      saved: dict[str, Sequence] | None = None, styles: dict[int, str | None] | None = None) -> bool:
    """Write *table*'s data rows into the :class:`~xlpy.workbook.package.SheetXml` *sx*, replacing its cells in
    rows ``first_row..last`` (the old table may have been longer); the styles are *styles* (column number -> cell
    style: :func:`xlpy.workbook.table_styles.table_styles`), else the first row's.  Returns whether those rows held
    cells of other columns too (kept where they were), or rows a filter hid or an outline grouped that keep their
    line and so their flags (:func:`~xlpy.workbook.rows_shown.flags_kept`): no seal speaks for such rows."""
    c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
    if styles is None:
        styles = {c: sx.style_of(table.first_row, c) for c in range(c1, c2 + 1)}
    si, foreign = sx.area_facts(table.first_row, last, c1, c2)
    pieces = table_row_pieces(table, rows, styles, si + 1, date1904, sx.p, saved)
    if foreign:
        sx.splice(table.first_row, last, c1, c2, "".join(pieces), foreign=True)
    else:  # (the rows and the text around them joined once: a long table is not copied again)
        sx.replace_rows(table.first_row, last, pieces)
    return flags_kept(sx, table.first_row, last) or foreign  # (a filter's hidden rows keeping their lines)
