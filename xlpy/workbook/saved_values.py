"""Saved values: the figures a workbook file holds beside its formulas.

An ``.xlsx``/``.xlsm`` keeps, for each formula cell, the value the
application last calculated (the cell's ``<v>``, ECMA-376 Part 1, 18.3.1.4).
A file preview, pandas, or ``openpyxl.load_workbook(..., data_only=True)``
show those values and never calculate.  So:

* the builder and the refresh write the engine's value as the saved value of every formula cell whose value the
  engine knows (:func:`engine_cells`: ``Results``, ``Check``'s native column, ``Tenders``, ``Release``,
  ``Sensitivity``; and, column by column, every line of the holder table: :func:`holder_values`,
  :func:`fill_table`, or written with the rows by the refresh), and drop the saved value of the other formula
  cells of those sheets (what only the spreadsheet application can know: our worksheet functions, the tie-out
  flags), which the file's ``fullCalcOnLoad`` has the application calculate when the file is opened;
* the validator (:func:`compare`, and :func:`compare_holder_table` for the
  holder table's lines) reads the saved values and compares them with the
  engine run on the workbook's own inputs.  In a file last saved by
  Excel they are Excel's own results: this is the check that tests Excel's
  arithmetic on the workbook.

:func:`fill` edits a worksheet part as text: only the ``<v>`` (and the
``t`` attribute) of the formula cells it is given change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from itertools import chain, compress, repeat
from xml.sax.saxutils import escape

from ..files.holder_ids import EXCEL_ERRORS
from .column_rows import columns_of
from .date_system import uses_1904_text
from .layout import NEEDS_INPUT
from .xml_text import boolean, unescape

__all__ = ["SAVED_SHEETS", "HOLDER_TABLE", "engine_cells", "fill", "fill_package", "fill_table", "holder_values",
           "value_texts", "TableValues", "compare", "compare_table", "compare_holder_table", "verdict", "moves",
           "SavedMismatch", "TYPED_OVER", "MERGED", "typed_over_why", "typed_over_rest", "SAVED_STALE",
           "SAVED_DOCTORED", "SAVED_TABLE_SHOWN", "saved_whys"]

#: Sheets whose formula cells the engine can give a value (Check: only its native column).
SAVED_SHEETS = ("Cover", "Results", "Check", "Tenders", "Release", "Sensitivity", "Prices", "Entries")
#: The layout's other sheets with formulas (History's change column): their saved values are dropped whenever the
#: figures are written, so none left by a spreadsheet application's last save is stale (as are the Cover's checks
#: and latest count, which the engine does not know).
CLEARED_SHEETS = ("Inputs", "History")

_TYPE = re.compile(r'\st="[^"]*"')
_TYPE_B = re.compile(rb'\st="[^"]*"')
_T_ATTR = re.compile(rb'\st="([^"]*)"')
_F_ELEMENT = re.compile(rb"<(\w+:)?f\b")
_V_ELEMENT = re.compile(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_VALUE = re.compile(r"<(\w+:)?v\s*/>|<(\w+:)?v\b[^>]*>.*?</(\w+:)?v>", re.DOTALL)


def engine_cells(expected: dict) -> dict[tuple[str, str], object]:
    """(sheet, cell) -> value, of the figures :func:`xlpy.workbook.expected.expected_cells` gives whose value the
    engine knows: ``Check`` its native column alone (its function column and flags need our worksheet functions)."""
    out = {}
    for (sheet, ref), e in expected.items():
        if sheet not in SAVED_SHEETS:
            continue
        if sheet == "Check" and not e.label.endswith(" (native)"):
            continue
        out[(sheet, ref)] = e.value
    return out


def _value_text(value, date1904: bool) -> tuple[str, str]:
    """(t attribute or '', <v> text) of a saved value."""
    from .package import number_text, serial

    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, str):
        return ' t="str"', escape(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return "", serial(value, date1904)
    if isinstance(value, Decimal):
        digits = len(value.normalize().as_tuple().digits)
        # A double holds 15-17 significant digits; more would only be cut by the application.
        return "", number_text(value) if digits <= 15 else repr(float(value))
    return "", number_text(value)


def _drop_values(body: bytes) -> bytes:
    """*body* without the saved value of any formula cell: each ``<v>`` right after ``</f>`` or ``<f .../>``, found
    with ``bytes.find`` (a regular expression would try every ``<`` of a long table)."""
    m = re.search(rb"<(\w+:)?(?:row|c)\b", body)
    p = (m.group(1) or b"") if m else b""
    f_close, v_open, v_close = b"</" + p + b"f>", b"<" + p + b"v", b"</" + p + b"v>"
    f_open = re.compile(rb"<" + re.escape(p) + rb"f\b")
    pieces, last, at = [], 0, body.find(v_open)
    while at >= 0:
        after = body[at + len(v_open):at + len(v_open) + 1]
        if after not in (b">", b" ", b"/"):
            at = body.find(v_open, at + 1)
            continue
        formula = body[max(0, at - len(f_close)):at] == f_close
        if not formula and body[at - 2:at] == b"/>":
            formula = f_open.match(body, body.rfind(b"<", 0, at - 2)) is not None
        tag_end = body.index(b">", at)
        end = tag_end + 1 if body[tag_end - 1:tag_end] == b"/" else body.index(v_close, tag_end) + len(v_close)
        if formula:
            pieces.append(body[last:at])
            last = end
        at = body.find(v_open, end)
    if not pieces:
        return body
    pieces.append(body[last:])
    return b"".join(pieces)


def fill(part: bytes, values: dict[str, object], date1904: bool = False, drop_others: bool = True,
         keep: tuple[int, int] | None = None, start: int | None = None) -> bytes:
    """A worksheet part with the saved value of each formula cell of *values* (cell -> value) set.

    With *drop_others*, the other formula cells lose their saved value (the
    application calculates them on open).  Cells without a formula are left
    alone; so is everything else in the part.  The part is edited as bytes,
    only the cells named are looked up, and values are dropped in one pass of
    ``bytes.find``, so a sheet with a 100,000-line table stays quick.
    *keep*, rows (first, last), are left exactly as they are (a holder table
    whose rows were written with their saved values): not even scanned.
    """
    if keep is not None:
        a, b = _row_span(part, *keep)
        if a < b:
            view = memoryview(part)
            head, tail = view[:a].tobytes(), view[b:].tobytes()
            new_head, new_tail = fill(head, values, date1904, drop_others), \
                fill(tail, values, date1904, drop_others, start=0)
            if new_head is head and new_tail is tail:
                return part
            return b"".join((new_head, view[a:b], new_tail))  # one copy of the long middle
    return _fill(part, values, date1904, drop_others, start)


def _row_span(part: bytes, r1: int, r2: int) -> tuple[int, int]:
    """Byte positions [start, end) of the rows numbered *r1* to *r2* (both present), else (0, 0)."""
    m = re.search(rb"<(\w+:)?(?:row|c)\b", part)
    p = (m.group(1) or b"") if m else b""
    a = part.find(b"<" + p + b'row r="%d"' % r1)
    last = part.rfind(b"<" + p + b'row r="%d"' % r2)  # the table's end is near the sheet's: look from there
    if a < 0 or last < a:
        return 0, 0
    close = b"</" + p + b"row>"
    tag_end = part.index(b">", last)
    b = tag_end + 1 if part[tag_end - 1:tag_end] == b"/" else part.index(close, tag_end) + len(close)
    return a, b


def _cell_order(item: tuple[str, object]) -> tuple[int, int, str]:
    """A cell reference's place in a sheet's XML, rows then columns (``B2`` before ``AA2`` before ``A3``)."""
    m = _REF.fullmatch(item[0])
    return (int(m.group(2)), len(m.group(1)), m.group(1)) if m else (0, 0, "")


def _cell_at(body: bytes, key: bytes, start: int) -> tuple[int, re.Match | None]:
    """Where *key* (`` r="B5"``) is an attribute of a cell, from *start* on (-1 when not), and the cell's opening."""
    at = body.find(key, start)
    while at >= 0:
        m = re.match(rb"<(\w+:)?c\b", body[body.rfind(b"<", 0, at):at])
        if m:
            return at, m
        at = body.find(key, at + 1)
    return -1, None


_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _fill(part: bytes, values: dict[str, object], date1904: bool, drop_others: bool, start: int | None = None
          ) -> bytes:
    if start is None:
        start = part.find(b"sheetData")
        if start < 0:
            return part
    body = _drop_values(part) if drop_others else part
    edits = []
    after = start  # cells are written row by row, left to right: each looked for after the last (else from the start)
    for ref, value in sorted(values.items(), key=_cell_order):
        if value is None:
            continue
        key = f' r="{ref}"'.encode()
        at, m = _cell_at(body, key, after)
        if at < 0 and after > start:  # (a file not written in order)
            at, m = _cell_at(body, key, start)
        if at < 0 or m is None:
            continue
        open_at = body.rfind(b"<", 0, at)
        after = open_at
        p = m.group(1) or b""
        tag_end = body.index(b">", at)
        if body[tag_end - 1:tag_end] == b"/":
            continue  # an empty cell: no formula
        close_tag = b"</" + p + b"c>"
        close = body.index(close_tag, tag_end)
        inner = body[tag_end + 1:close].decode("utf-8")
        if not re.search(r"<(\w+:)?f\b", inner):
            continue
        attrs = _TYPE.sub("", body[open_at + len(p) + 2:tag_end].decode("utf-8"))
        inner = _VALUE.sub("", inner)
        t, v = _value_text(value, date1904)
        q = p.decode()
        cell = f"<{q}c{attrs}{t}>{inner}<{q}v>{v}</{q}v></{q}c>"
        edits.append((open_at, close + len(close_tag), cell.encode("utf-8")))
    if not edits:
        return body
    pieces, last = [], 0
    for a, b, new in sorted(edits):
        pieces += [body[last:a], new]
        last = b
    pieces.append(body[last:])
    return b"".join(pieces)


def fill_parts(pkg, parts: dict[str, str], values: dict[tuple[str, str], object], date1904: bool,
               tables: dict[str, TableValues] | None = None) -> None:
    """:func:`fill` each sheet of :data:`SAVED_SHEETS` of a :class:`xlpy.workbook.package.Package` (sheet -> part in *parts*),
    and drop the saved values of :data:`CLEARED_SHEETS`' formulas.

    *tables*, sheet -> :class:`TableValues`: that table's rows get their
    saved values column by column (:func:`fill_table`), or, when its rows
    were written with them already (``columns`` None), are left as they are.
    """
    tables = tables or {}
    for sheet in SAVED_SHEETS + CLEARED_SHEETS:
        if sheet not in parts:
            continue
        cells = {ref: v for (s, ref), v in values.items() if s == sheet}
        old = pkg.read(parts[sheet])
        t = tables.get(sheet)
        new = fill(old, cells, date1904, keep=(t.first_row, t.last_row) if t else None)
        if t is not None and t.columns is not None:
            new = fill_table(new, t, date1904)
        if new != old:
            pkg.write(parts[sheet], new)


def fill_package(data: bytes, values: dict[tuple[str, str], object],
                 tables: dict[str, TableValues] | None = None, edit=None) -> bytes:
    """Package bytes with :func:`fill_parts` applied (a build's last step).

    *edit*, if given, is called first as ``edit(package, date1904)`` (a build
    writes its holder table's rows there).
    """
    from .package import Package

    pkg = Package("workbook", data)
    wb_text = pkg.read(pkg.workbook_part()).decode("utf-8")
    date1904 = uses_1904_text(wb_text)
    if edit is not None:
        edit(pkg, date1904)
    fill_parts(pkg, pkg.sheet_parts(), values, date1904, tables)
    # Entries keep the time the builder gave them (the same bytes from the same build).
    return pkg.to_bytes(dt.datetime(*pkg._zip.infolist()[0].date_time))


# --- the holder table: a column at a time ----------------------------------------------------------

#: The holder table, whose formula columns get the engine's value line by line.
HOLDER_TABLE = "tblTenders"


class TableValues:
    """The saved values of a table's formula columns.

    Attributes:
        first_row, last_row: the table's data rows.
        columns: column letter -> one value per row from *first_row*
            (None: the rows were written with their values already).
    """

    __slots__ = ("columns", "first_row", "last_row")

    def __init__(self, first_row: int, last_row: int, columns: dict[str, Sequence] | None):
        self.first_row, self.last_row, self.columns = first_row, last_row, columns


def holder_values(table, offer, results, rows: Sequence[tuple] | None = None) -> dict[str, tuple]:
    """Column key -> the engine's value of each line of the holder *table*'s formula columns.

    *rows* are the table's input rows as written (its input columns in their
    order: holder, tally line, units, method, status); without them, the offer's own holder lines, in their order (an
    offer read from the workbook holds them in the sheet's order).  Empty
    when the offer has no holder table.
    """
    from ..engine.allocation import holder_lines

    if rows is not None:
        keys = [c.key for c in table.columns if c.formula is None]
        columns = columns_of(rows, len(keys))
        ids, units, status = (columns[keys.index(k)] for k in ("holder", "units", "status"))
    elif offer.tally.holders is not None:
        h = offer.tally.holders
        ids, units, status = h.holder_id, h.units, h.status
    else:
        return {}
    lines = holder_lines(ids, units, status, results.offer_ratio, offer.consideration.fractional,
                         offer.max_units, offer.odd_lot)
    return {c.key: getattr(lines, c.key) for c in table.columns if c.formula is not None}


def value_texts(values: Sequence, date1904: bool = False) -> list[tuple[str, str]]:
    """(t attribute, ``<v>`` text) of each value, each distinct value turned to text once."""
    kinds = set(map(type, values))
    if kinds == {int}:  # counts: the usual column, at C speed
        return list(zip(repeat(""), map(str, values)))
    if kinds == {Decimal}:
        made = {v: _value_text(v, date1904) for v in set(values)}
        return list(map(made.__getitem__, values))
    cache: dict[tuple[type, object], tuple[str, str]] = {}
    out = []
    for v in values:
        key = (type(v), v)
        text = cache.get(key)
        if text is None:
            text = cache[key] = _value_text(v, date1904)
        out.append(text)
    return out


def fill_table(part: bytes, table: TableValues, date1904: bool = False) -> bytes:
    """*part* with the saved value of each formula cell of *table*'s columns set, in one pass over its rows.

    Cells without a formula, and cells of other columns, stay as they are.
    """
    a, b = _row_span(part, table.first_row, table.last_row)
    if a >= b or not table.columns:
        return part
    texts = {letter.encode(): value_texts(v, date1904) for letter, v in table.columns.items()}
    fast = _fill_table_fast(memoryview(part)[a:b].tobytes(), table, texts)
    if fast is not None:
        return b"".join((memoryview(part)[:a], fast, memoryview(part)[b:]))
    first = table.first_row

    def cell(m: re.Match) -> bytes:
        p, letter, row, attrs, f = m.group(1) or b"", m.group(2), int(m.group(3)), m.group(4), m.group(5)
        i = row - first
        column = texts[letter]
        if not 0 <= i < len(column):
            return m.group()
        t, v = column[i]
        return b'<%sc r="%s%d"%s%s>%s<%sv>%s</%sv></%sc>' % (
            p, letter, row, _TYPE_B.sub(b"", attrs), t.encode(), f, p, v.encode("utf-8"), p, p)

    letters = b"|".join(texts)
    pattern = re.compile(rb'<(\w+:)?c r="(' + letters + rb')(\d+)"([^>]*?)>(<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>))'
                         rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>[^<]*</(?:\w+:)?v>)?</(?:\w+:)?c>')
    return part[:a] + pattern.sub(cell, part[a:b]) + part[b:]


def edited_formulas(book, lay, rewrites: Collection[str] = (), held: dict | None = None) -> list[str]:
    """What someone changed from the layout that its formulas read: a formula outside the tables edited, typed
    over with a value or deleted (``Results!C26``), a cell's name pointed elsewhere (``name OriginalRatio``) or
    deleted (``name Tendered (deleted)``: its formulas compute ``#NAME?``; :mod:`xlpy.workbook.layout_names`), a
    table's column name deleted (``name EntryDebits (deleted)``) but of the tables *rewrites* (a refresh's).

    The engine's figures are the layout formulas': saved beside an edited formula, or beside one that reads it,
    they would be what a preview or pandas shows while the spreadsheet application computes others.  So a refresh
    of such a workbook puts back the formula of a value typed over one, or one deleted, and saves none beside
    another formula or a name changed, naming each (:mod:`xlpy.workbook.formulas_back`).  (A table's column names
    over other rows are the refresh's to size, and are not compared.)  *held*: what each cell holds, as a file
    holds it (:func:`xlpy.workbook.formulas_back.formulas_held`: a live book's ``get`` gives a formula's result);
    by default ``book.get``'s.
    """
    from .expected import formula_cells
    from .formula_text import same_formula
    from .layout_names import off

    return [f"{sheet}!{ref}" for (sheet, ref), want in formula_cells(lay, tables=False).items()
            if not same_formula(book.get(sheet, ref) if held is None else held[(sheet, ref)], want)] + off(
        book.name, lay, rewrites)


# --- reading them back ---------------------------------------------------------------------------


class SavedMismatch:
    """A saved value that is not the engine's.

    Attributes:
        where: ``sheet!cell``.
        label: the figure's name.
        saved: the value in the file (None: none saved).
        engine: the engine's value.
        expect: what the engine says the cell must hold (the expectation compared), or None.
    """

    __slots__ = ("where", "label", "saved", "engine", "expect")

    def __init__(self, where: str, label: str, saved, engine, expect=None):
        self.where, self.label, self.saved, self.engine, self.expect = where, label, saved, engine, expect


#: A file whose saved values differ in at least this share of the figures, or of the top-level figures apart
#: from the holder table's lines (:func:`verdict`), looks saved before recalculation.
STALE_SHARE = 0.25


#: The end of a formula cell: its formula's end (``</f>``, or a shared formula's member ``<f .../>``), then
#: any saved value, then ``</c>``.
_FORMULA_END = re.compile(rb"(</f>|<f\b[^>]*/>)(?:<v>[^<]*</v>|<v\s*/>)?</c>")


def _fill_table_fast(region: bytes, table: TableValues, texts: dict[bytes, list[tuple[str, str]]]) -> bytes | None:
    """:func:`fill_table` without a Python step per cell, or None when the rows are not as xlpy writes them.

    A build's or a refresh's formula cells each end with the formula (or a
    shared formula's member tag), any saved value, then ``</c>``.  When the
    rows hold exactly as many formulas as the table's formula cells, none is
    typed (``t``) and the cells sampled along the rows (every 101st, the
    first and the last) are the table's in order, the k-th formula is the
    k-th cell of the table, row by row, and the saved values go in by one
    split and one join.  Anything else (a file saved by an application that
    wrote it otherwise) takes the cell-by-cell way.
    """
    if any(t for column in texts.values() for t, _ in column):
        return None
    letters = sorted(texts, key=lambda x: (len(x), x))  # column order: B < Z < AA
    n = table.last_row - table.first_row + 1
    cells = n * len(letters)
    if any(len(texts[x]) < n for x in letters) or region.count(b"<f") != cells:
        return None
    parts = _FORMULA_END.split(region)  # piece, formula end, piece, formula end, ..., piece
    if len(parts) != 2 * cells + 1:
        return None
    pieces, ends = parts[0::2], parts[1::2]
    for i in sorted({0, cells - 1, *range(0, cells, 101)}):
        piece = pieces[i]
        opening = piece.rfind(b'<c r="')
        ref = b"%s%d" % (letters[i % len(letters)], table.first_row + i // len(letters))
        if opening < 0 or not piece.startswith(ref + b'"', opening + 6) or b' t="' in piece[opening:piece.find(
                b">", opening)]:
            return None
    made: dict[str, bytes] = {}
    columns = []
    for x in letters:
        column = [v for _, v in texts[x][:n]]
        for v in set(column):
            made.setdefault(v, b"<v>%s</v></c>" % v.encode("utf-8"))
        columns.append(list(map(made.__getitem__, column)))
    values = chain.from_iterable(zip(*columns))  # row by row, column by column: the formulas' order
    return b"".join(chain(chain.from_iterable(zip(pieces, ends, values)), (pieces[-1],)))


def _saved_value(t: str | None, text: str | None):
    """A saved value as openpyxl's ``data_only`` reading gives it (None: none saved)."""
    if text is None:
        return None
    if t == "b":
        return boolean(text)
    if t in ("str", "e", "s", "inlineStr"):
        return unescape(text)  # (character references too: a saved text openpyxl wrote, "&#214;lund")
    try:
        value = float(text)
    except ValueError:  # not a number: shown as found, and differs from any figure
        return text
    return int(text) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def compare_table(part: bytes, sheet: str, table, columns: dict[str, Sequence], same: Callable[[object, object], bool],
                  expect: Callable[[str, object, str], object], date1904: bool = False
                  ) -> tuple[list[SavedMismatch], int, int]:
    """The saved values of a layout *table*'s formula cells in the worksheet *part* of *sheet*, against *columns*.

    *columns*: column key -> the engine's value of each row; *expect* makes
    the expectation *same* compares with (label, value, format).  Read in
    one pass over the table's rows: a saved value written as the engine's
    own text matches at once, any other is compared as a number (Excel
    may write 0.86 as 0.85999999999999999).  Returns the mismatches, how
    many cells were compared, and how many formula cells hold no saved value.
    """
    by_letter = {table.letter(k).encode(): (c, v) for k, v in columns.items()
                 for c in table.columns if c.key == k}
    if not by_letter:
        return [], 0, 0
    a, b = _row_span(part, table.first_row, table.last_row)
    texts = {letter: value_texts(v, date1904) for letter, (_, v) in by_letter.items()}
    if _all_saved_alike(memoryview(part)[a:b].tobytes(), table, texts):
        return [], len(by_letter) * (table.last_row - table.first_row + 1), 0
    pattern = re.compile(rb'<(?:\w+:)?c\b([^>]*?)\sr="(' + b"|".join(by_letter) + rb')(\d+)"([^>]*?)'
                         rb'(?:/>|>(.*?)</(?:\w+:)?c>)', re.DOTALL)
    mismatches: list[SavedMismatch] = []
    compared = blank = 0
    first = table.first_row
    for m in pattern.finditer(part, a, b):
        body = m.group(5)
        if not body or not _F_ELEMENT.search(body):
            continue
        letter, row = m.group(2), int(m.group(3))
        column, values = by_letter[letter]
        i = row - first
        if not 0 <= i < len(values):
            continue
        v = _V_ELEMENT.search(body)
        if v is None or not v.group(1):  # <v/> or <v></v> (openpyxl's save): no saved value
            blank += 1
            continue
        compared += 1
        t = _T_ATTR.search(m.group(1) + m.group(4))
        t = t.group(1).decode() if t else ""
        text = v.group(1).decode("utf-8")
        want_t, want_v = texts[letter][i]
        if want_v == text and want_t == (f' t="{t}"' if t not in ("", "n") else ""):
            continue
        saved = _saved_value(t or None, text)
        e = expect(f"{column.header} (holder table)", values[i], column.fmt)
        if not same(e, saved):
            mismatches.append(SavedMismatch(f"{sheet}!{letter.decode()}{row}", e.label, saved, values[i], e))
    return mismatches, compared, blank


def compare_holder_table(path, lay, offer, results, same: Callable[[object, object], bool],
                         expect: Callable[[str, object, str], object]) -> tuple[list[SavedMismatch], tuple[int, int]]:
    """The holder table's saved values in the workbook at *path* against the engine (:func:`compare_table`).

    *lay*, *offer* and *results* are the workbook's layout, the offer read
    from it and the engine's results.  Returns the mismatches and (cells
    compared, formula cells without a saved value); nothing for a workbook
    without a holder table, or one whose lines the offer does not match.
    """
    from .package import Package

    for s in lay.sheets:
        for t in s.tables:
            if t.name != HOLDER_TABLE or not t.rows:
                continue
            columns = holder_values(t, offer, results)
            if not columns or len(next(iter(columns.values()))) != t.rows:
                return [], (0, 0)
            pkg = Package(path)
            part = pkg.sheet_parts().get(s.title)
            if part is None:
                return [], (0, 0)
            date1904 = uses_1904_text(pkg.read(pkg.workbook_part()))
            found, compared, blank = compare_table(pkg.read(part), s.title, t, columns, same, expect, date1904)
            return found, (compared, blank)
    return [], (0, 0)


def _all_saved_alike(region: bytes, table, texts: dict[bytes, list[tuple[str, str]]]) -> bool:
    """True when every formula cell of the rows holds, in order, exactly the text the engine's value is written as.

    The usual case, checked without a Python step per cell: the rows are cut
    at each ``<v>``; a value follows a formula when the byte before is not
    the ``"`` that ends an input cell's attributes.  Only plain numbers, in
    rows whose formulas are exactly the table's, each with a saved value and
    no type; anything else (or any difference) is left to the cell-by-cell
    comparison, which names each cell.
    """
    if any(t for column in texts.values() for t, _ in column) or b"<v>" not in region:
        return False
    if any(x in region for x in (b' t="b"', b' t="e"', b' t="str"')) or b":v>" in region:
        return False
    letters = sorted(texts, key=lambda x: (len(x), x))  # column order: B < Z < AA
    n = table.last_row - table.first_row + 1
    if any(len(texts[x]) != n for x in letters) or region.count(b"<f") != n * len(letters):
        return False
    parts = region.split(b"><v>")
    formula = [p[-1] != 34 for p in parts[:-1]]  # 34: the '"' closing an input cell's last attribute
    saved = list(compress((p[:p.find(b"</v>")] for p in parts[1:]), formula))
    made: dict[str, bytes] = {}
    columns = []
    for x in letters:
        column = [v for _, v in texts[x]]
        for v in set(column):
            made.setdefault(v, v.encode("utf-8"))
        columns.append(map(made.__getitem__, column))
    return saved == list(chain.from_iterable(zip(*columns)))


#: What the validator's structure check calls a layout formula's cell that holds a value (or nothing) instead.
TYPED_OVER = "formula replaced by a value"
#: ... one that holds another formula; one under merged cells (of :data:`TYPED_OVER`'s kind: it holds none).
CHANGED, MERGED = "formula differs from the layout", "is covered by merged cells"


class Overridden(list):
    """The cells (``sheet!cell``) whose layout formula the workbook does not hold, in the findings' order: a value
    typed over it, or another formula (those in :attr:`changed`), or merged cells over it (:attr:`merged`). The
    figures following from them say so; :attr:`more` counts a table column's past the rows its findings name
    (:attr:`more_changed` of them holding another formula): the figures say how many there are, not how many named."""

    changed = merged = frozenset()
    more = more_changed = 0

    @classmethod
    def of(cls, findings, more: int = 0, more_changed: int = 0) -> "Overridden":
        out = cls(f.where for f in findings if f.kind in (TYPED_OVER, CHANGED))
        out.changed = frozenset(f.where for f in findings if f.kind == CHANGED)
        out.merged = frozenset(f.where for f in findings if f.kind == TYPED_OVER and f.what.startswith(MERGED))
        out.more, out.more_changed = more, more_changed
        return out


def _counted(cells: Sequence[str]) -> tuple[int, int]:
    """(how many formula cells *cells* stands for, those not named too; how many of them hold another formula):
    *cells* as :func:`typed_over_why` takes them (:class:`xlpy.workbook.typed_ids.WithIds`: its formulas)."""
    cells = getattr(cells, "formulas", cells)
    return (len(cells) + getattr(cells, "more", 0),
            len(getattr(cells, "changed", ())) + getattr(cells, "more_changed", 0))


#: Findings shown per leg of the differences that follow from values typed over formulas; a note counts the rest.
TYPED_OVER_SHOWN = 10


def typed_over_why(cells: Sequence[str], may: bool = False) -> str:
    """Why figures differ from the engine when the formula cells *cells* (``sheet!cell``) hold values typed over
    them: the workbook computes its figures from those values, the engine from the inputs, so the differences
    that follow say so instead of calling the file stale or doctored.  The first two cells are named; *may*:
    no recalculation told whether the figure follows (``it may follow``)."""
    follows = "it may follow" if may else "it follows"
    if getattr(cells, "ids", ()):  # holder ids no agent meant among them (:class:`xlpy.workbook.typed_ids.WithIds`)
        return cells.why(follows, lambda formulas: typed_over_why(formulas, may))
    n, changed = _counted(cells)  # (review: 3,000 typed over a column were "10 formulas", as many as named)
    named = cells[0] if n == 1 else " and ".join(cells) if n == 2 else f"{cells[0]}, {cells[1]} and {n - 2:,} more"
    if changed:  # (QA: a formula edited, not typed over, had every figure after it called doctored)
        return _changed_why(cells, n, changed, follows, named)
    if (merged := set(cells) & getattr(cells, "merged", set())) and n == len(merged):  # (reviews 161, 163, 165)
        return (f"{follows} from the merged cells over the formula{'s' * (n > 1)} of {named} (named in "
                f"{'findings of their own' if n > 1 else 'a finding of its own'}): unmerge them and put the "
                f"formula{'s' * (n > 1)} back, then validate again")
    if n == 1:
        return (f"{follows} from the value typed over the formula of {cells[0]} (the workbook computes from that "
                "value, the engine from the inputs): put the formula back, then validate again")
    return (f"{follows} from the values typed over{', or the merged cells over,' * bool(merged)} {n:,} formulas "
            f"({named}; the workbook computes from those values, the engine from the inputs): put the formulas back, "
            "then validate again")


def _changed_why(cells: Sequence[str], n: int, changed: int, follows: str, named: str) -> str:
    """:func:`typed_over_why` where *changed* of the *n* cells (*cells*, *named*) hold another formula, not a value."""
    if n == 1:
        return (f"{follows} from the formula changed in {cells[0]} (the workbook computes by that formula, the "
                "engine by the layout's): put the layout's formula back, then validate again")
    merged = len(set(cells) & getattr(cells, "merged", set()))  # (review 169: merged cells among them, said so)
    what = "formulas changed" if changed == n else ", ".join(["values typed over"] * (n - changed - merged > 0) + [
        "merged cells over formulas"] * bool(merged)) + ", or formulas changed,"
    return (f"{follows} from the {what} in {n:,} cells ({named}; the workbook computes from what they hold, the "
            f"engine by the layout): {'unmerge the cells and ' * bool(merged)}put the layout's formulas back, then "
            "validate again")


def typed_over_rest(shown: int, what: str, cells: Sequence[str] = ()) -> str | None:
    """A note counting the differences past the first :data:`TYPED_OVER_SHOWN` of *shown* (*what* names them:
    ``saved value(s)``; *cells*: their causes, :class:`Overridden`), or None when all are shown."""
    if shown <= TYPED_OVER_SHOWN:
        return None
    n, changed = _counted(cells)
    merged = len(set(cells) & getattr(cells, "merged", set()))  # (review 165: merged cells alone were "typed over")
    typed = "the merged cells over formulas" if merged and merged == n - changed else \
        f"the values typed over{', or the merged cells over,' * bool(merged)} formulas"
    causes = typed if not changed else "the formulas changed" if changed == n else f"{typed}, or the formulas changed"
    causes = cells.causes(causes) if getattr(cells, "ids", ()) else causes  # (holder ids no agent meant)
    return (f"{shown - TYPED_OVER_SHOWN:,} more {what} differ from the engine, following from {causes} (the first "
            f"{TYPED_OVER_SHOWN} are shown)")


#: Findings shown per holder-table column whose saved values differ from the engine.
SAVED_TABLE_SHOWN = 10
SAVED_STALE = "the file looks saved before recalculation (stale): open it in Excel, recalculate and save"
SAVED_DOCTORED = ("the file looks doctored: its other saved figures agree with the engine, this one does not "
                  "(edited inside the file, or calculated differently by the application)")
SAVED_EITHER = ("the workbook calculates by hand (Formulas, Calculation Options: Manual), so this figure may be one "
                "saved before an input typed since was calculated (stale: press F9, then save), or one edited inside "
                "the file (doctored: find out who changed it)")


def saved_whys(mismatches: list[SavedMismatch], rows: list[SavedMismatch], typed: Sequence[str],
               moved: dict[str, bool], compared: tuple[int, int], blank: int, full_calc: bool, manual: bool = False
               ) -> tuple[list[tuple[SavedMismatch, str]], list[str]]:
    """The saved differences (*mismatches* of the top-level figures, then the holder table's *rows*; *compared*:
    how many of each were compared, for the :func:`verdict`) to show, each with why it differs, and the notes
    counting those not shown.

    With values typed over the formulas *typed*, a difference follows from them only where a recalculation of
    the workbook moves that cell too (*moved*: ``sheet!cell`` -> True where one finds it differing from the
    engine, False where those that ran agree with the engine): the first :data:`TYPED_OVER_SHOWN` are shown, a
    note counts the rest.  Where the recalculation agrees, the difference keeps the stale or doctored verdict
    it would have with no value typed over (on the differences that do not follow), and is shown as such; where
    no recalculation told (none ran), it may follow, or else is stale or doctored.  Holder-table rows not
    following are shown :data:`SAVED_TABLE_SHOWN` a column, a note counting the rest.
    """
    state = {m.where: moved.get(m.where) if typed else False for m in chain(mismatches, rows)}
    others, other_rows = ([m for m in found if state[m.where] is not True] for found in (mismatches, rows))
    why = {"stale": SAVED_STALE, "either": SAVED_EITHER}.get(
        verdict(others, compared[0], blank, full_calc, manual, other_rows, compared[1]), SAVED_DOCTORED)
    maybe = f"{typed_over_why(typed, may=True)}; {getattr(typed, 'untold', 'no recalculation ran to tell')}, and if " \
        f"it does not follow, {why}" if typed else why
    shown: dict[str, int] = {}
    out: list[tuple[SavedMismatch, str]] = []
    for table_row, m in [(False, m) for m in mismatches] + [(True, m) for m in rows]:
        column = "typed" if state[m.where] else re.sub(r"\d+$", "", m.where)
        if table_row or state[m.where]:
            shown[column] = shown.get(column, 0) + 1
            if shown[column] > (TYPED_OVER_SHOWN if state[m.where] else SAVED_TABLE_SHOWN):
                continue
        out.append((m, typed_over_why(typed) if state[m.where] else why if state[m.where] is False else maybe))
    notes = [rest] if (rest := typed_over_rest(shown.pop("typed", 0), "saved value(s)", typed)) else []
    notes += [f"{n - SAVED_TABLE_SHOWN:,} more saved value(s) of {column} differ from the engine "
              f"(the first {SAVED_TABLE_SHOWN} are shown)" for column, n in shown.items() if n > SAVED_TABLE_SHOWN]
    return out, notes


def moves(moved: dict[str, bool], check: dict, values: dict, agrees: Callable[[object, object], bool]) -> None:
    """Mark in *moved* each cell of *check* (``sheet!cell`` -> (expectation, saved value)) whose value in a
    recalculation (*values*, ``(sheet, cell)`` -> value) differs from the engine's and is its saved value (True:
    it follows from the workbook's own calculation, as an application saved it); False where the recalculation
    agrees with the engine (*agrees*), or gives neither the engine's figure nor the saved one (a value edited
    inside the file, hiding behind one typed over), unless another recalculation found it following."""
    for where, (e, saved) in check.items():
        if (key := tuple(where.split("!", 1))) in values:
            found = values[key]
            moved[where] = moved.get(where, False) or (not agrees(e, found) and _alike(e, found, saved, agrees))


def _alike(e, recalculated, saved, agrees: Callable[[object, object], bool]) -> bool:
    """Whether a *saved* value is the workbook's own *recalculated* one, compared as *e*'s figure is (errors alike)."""
    if isinstance(recalculated, str) and isinstance(saved, str) and saved in EXCEL_ERRORS and \
            str(recalculated) == saved:
        return True  # (not #DIV/0! beside #N/A)
    try:
        return agrees(dataclasses.replace(e, value=recalculated, cent=False), saved)
    except (ArithmeticError, TypeError, ValueError):  # a value no figure compares with: not the saved one
        return False


def verdict(mismatches: list, compared: int, blank: int, full_calc: bool, manual: bool = False,
            rows: Sequence = (), table: int = 0) -> str:
    """``stale`` (the file looks saved before it was recalculated: many figures differ, or some hold none
    while it asks to be recalculated on open), ``doctored`` (a few saved figures differ), or, in a workbook whose
    calculation is *manual*, ``either`` for those few: there a figure saved behind an input typed since is what
    Excel saves, and one edited inside the file looks the same.

    Many: :data:`STALE_SHARE` of the *compared* top-level figures (*mismatches* differ), or of all the figures,
    the *table* cells of the holder table's lines compared too (*rows* differ).  The top-level figures' share is
    taken apart: a long table's lines are most of the figures, and an edit saved before recalculation that moves
    every total but few lines was called doctored in a long table, stale in a short one (review).  The table's
    lines are judged in the whole: its few lines beside the top-level figures agreeing (a line edited in a short
    table) are not a stale file."""
    found = len(mismatches) + len(rows)
    many = found >= STALE_SHARE * (compared + table) or (bool(mismatches) and len(mismatches) >= STALE_SHARE * compared)
    stale = bool(found) and (many or bool(blank and full_calc))
    return "stale" if stale else "either" if manual and found else "doctored"


def manual_calculation(wb) -> bool:
    """Whether the openpyxl workbook *wb* is set to calculate by hand (Excel's Formulas, Calculation Options)."""
    return getattr(getattr(wb, "calculation", None), "calcMode", None) == "manual"


def compare(path, formula_wb, expected: dict, same: Callable[[object, object], bool],
            saved_values: dict | None = None) -> tuple[list[SavedMismatch], int, int, str]:
    """The saved values of *path* against the engine.

    *formula_wb* is the workbook loaded with formulas (to know which cells
    hold one); *expected* is :func:`xlpy.workbook.expected.expected_cells`; *same*
    compares one expectation with a found value.  Returns the mismatches, how
    many figures were compared, how many formula cells hold no saved value,
    and the verdict on the mismatches: ``stale`` (the file looks saved before
    it was recalculated: many figures differ, or it asks to be recalculated on
    open) or ``doctored`` (a few saved figures differ from what the file's
    own formulas give).  *saved_values*, ``(sheet, cell) -> value``, saves
    loading the file a second time when the caller has read them already.
    """
    if saved_values is None:
        from openpyxl import load_workbook

        book = load_workbook(path, data_only=True)
        saved_values = {(sheet, ref): book[sheet][ref].value for sheet, ref in expected if sheet in book.sheetnames}
    full_calc = bool(getattr(formula_wb.calculation, "fullCalcOnLoad", False))
    mismatches: list[SavedMismatch] = []
    compared = blank = 0
    wanted = engine_cells(expected)
    for (sheet, ref), e in expected.items():
        if (sheet, ref) not in wanted or sheet not in formula_wb.sheetnames:
            continue
        cell = formula_wb[sheet][ref]
        if cell.data_type != "f":
            continue
        saved = saved_values.get((sheet, ref))
        if saved is None:
            # (a journal-entry figure short of an input, which xlpy saved none of before: calculated on open)
            blank += not (isinstance(e.value, str) and e.value.startswith(NEEDS_INPUT))
            continue
        compared += 1
        if not same(e, saved):
            mismatches.append(SavedMismatch(f"{sheet}!{ref}", e.label, saved, e.value, e))
    return mismatches, compared, blank, verdict(mismatches, compared, blank, full_calc, manual_calculation(formula_wb))
