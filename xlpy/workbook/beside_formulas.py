"""A cell beside the holder table as a refresh's report names it (:func:`xlpy.workbook.table_edits.moved_notes`).

A refresh rewrites the holder table's lines in the workbook's order (by holder); what is beside them stays in its
row, and is named when that row now holds another holder's line.  A number there is shown as the report shows
every number (``4,200``), text quoted; a formula as the formula it is (``=D25*2``, what it showed after it), and
the table's rows it reads (``D25``, ``tblTenders[@Units]``) that now hold another holder's line are named with
it: from now on it computes from that line.  A range over some of the lines only (``D21:D30``) reads every row of
it (one over all of them, a sum of the column, reads every line wherever it is).

A formula of one's own elsewhere that reads such a row by reference is named too (:func:`read_elsewhere`): beside
the table in a row whose line stays, above or below it, on another sheet (``=Tenders!D25``), but in the cells the
layout writes.  A file's sheets are searched as text, the holder sheet's long table only where something is
beside its lines (the search :meth:`~xlpy.workbook.backends.PackageBook.rows_beside` made, not made again); a
structured reference or a name follows the table and is not named.

A column of one's own filled down beside the lines with one formula (``=D21*2``, ``=D21*$P$1``, a computed column
kept beside the table) is no note about a line: it computes for whatever line its row holds, and is named once,
where the table grew past it, with the row to fill it down to (:func:`filled_down`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from xml.sax.saxutils import escape

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter

from .layout import Table

__all__ = ["cell_said", "filled_down", "formula_of", "layout_cells", "read_elsewhere", "shown", "table_rows_read"]

#: Formulas named one by one in the report; one more line counts the rest (as :data:`table_edits.SHOWN`).
SHOWN = 10

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
#: A structured reference's own row: ``[@Units]``, ``[@]``, ``[[#This Row],[Units]]`` as a file stores it.
_THIS_ROW = re.compile(r"\[\s*(?:@|\[\s*#this row\s*\])", re.IGNORECASE)


def shown(v: object) -> str:
    """A value beside the table as the report shows it: a number with its thousands separators, text quoted."""
    return f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else repr(v)


def formula_of(book, sheet: str, ref: str, value: object) -> str | None:
    """The formula (``=...``) the cell *ref* holds, *value* what it shows (as read beside the table); None for a
    value: a file's text beginning with ``=`` shows itself, where a formula shows what it computes."""
    read = getattr(book, "rows_as_entered", None)
    ((entered,),) = (read or getattr(book, "entries", book.get_rows))(sheet, f"{ref}:{ref}")
    if not (isinstance(entered, str) and entered.startswith("=") and len(entered) > 1):
        return None
    return entered if entered != value or read is None else None  # (openpyxl reads a formula as its text)


def table_rows_read(formula: str, sheet: str, table: Table, row: int, on: str | None = None) -> list[int]:
    """The rows of *table*'s lines (on *sheet*) that *formula*, in a cell of row *row* of sheet *on* (*sheet* when
    None), reads by reference: a cell of its columns (``D25``, ``Tenders!$D$25``), its own row's
    (``tblTenders[@Units]``), or a range over some of its lines only (``D21:D30``, every row of it).  A range over
    all its lines is left out (a sum of a column reads every line, in whatever order they are), as is a whole
    column (``D:D``), a name or a structured reference to a column."""
    try:
        items = Tokenizer(formula).items
    except Exception:  # noqa: BLE001 (the tokenizer raises TokenizerError, ValueError, IndexError)
        return []
    c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
    found: set[int] = set()
    for t in items:
        if t.type != Token.OPERAND or t.subtype != Token.RANGE:
            continue
        where, bang, ref = t.value.rpartition("!")
        named = where[1:-1].replace("''", "'") if where.startswith("'") and where.endswith("'") else where
        if (named if bang else on or sheet).lower() != sheet.lower():
            continue  # (another sheet's cells)
        name, bracket, rest = ref.partition("[")
        if bracket:
            if name.lower() == table.name.lower() and _THIS_ROW.match(bracket + rest) and \
                    table.first_row <= row <= table.last_row and (on or sheet).lower() == sheet.lower():
                found.add(row)
            continue
        ends = [_CELL.fullmatch(r) for r in ref.split(":")]
        if None in ends or len(ends) > 2:
            continue
        cols = sorted(column_index_from_string(m[1].upper()) for m in ends)
        rows = sorted(int(m[2]) for m in ends)
        if cols[-1] < c1 or cols[0] > c2 or len(ends) == 2 and rows[0] <= table.first_row and \
                rows[-1] >= table.last_row:
            continue  # (another column, or a range over every line)
        found.update(range(max(rows[0], table.first_row), min(rows[-1], table.last_row) + 1))
    return sorted(found)


def cell_said(book, sheet: str, table: Table, ref: str, row: int, value: object,
              changed: Callable[[int], bool]) -> tuple[str, str]:
    """What the cell *ref* (row *row*) beside *table* holds, in words, and what the report adds after its advice:
    the table's rows its formula reads that *changed* (now hold another holder's line), or ""."""
    formula = formula_of(book, sheet, ref, value)
    if formula is None:
        return shown(value), ""
    what = f"the formula {formula}" + (f" (showing {shown(value)})" if value not in (formula, "") else "")
    rows = [r for r in table_rows_read(formula, sheet, table, row) if changed(r)]
    if not rows:
        return what, ""
    if len(rows) == 1:
        return what, (f"; it reads the table's row {rows[0]}, which now holds another holder's line: point it at the "
                      "row of the line it is about")
    return what, (f"; it reads the table's rows {_listed(rows)}, which now hold other holders' lines: point it at the "
                  "rows of the lines it is about")


def filled_down(book, sheet: str, old: Table, new: Table, found: dict[int, dict[int, object]]
                ) -> tuple[set[tuple[int, int]], list[str]]:
    """The cells (row, column) beside the holder table *old* of a column filled down: each of its columns holding a
    value in *found* (what the book's ``rows_beside`` read) beside half its lines at least, whose first and last
    lines' cells, and half its lines' at least, hold one formula filled down with no row fixed (the same but for its
    relative rows: ``=D21*$P$1``, ``=IF(B21=B20,"",1)``); such a formula computes for the line its row holds,
    whichever it is.  And the report line of each such column that the table *new* grew past without it, saying to
    fill it down.  A cell holding anything else (a value typed, another formula) is not among them, nor a column
    whose formula reads a fixed row (``$D$100``, ``D$21``, ``SUM($D$21:$D$319)``): each is named as ever."""
    c1, c2 = old.first_col, old.first_col + len(old.columns) - 1
    lines, end = old.last_row - old.first_row + 1, max(old.last_row, new.last_row)
    rows = range(old.first_row, end + 1)
    held = [row for r, row in found.items() if old.first_row <= r <= old.last_row]
    columns = sorted(c for c in {c for row in held for c in row if not c1 <= c <= c2}
                     if 2 * sum(c in row for row in held) >= lines)  # (a note or two beside: no column read)
    if not columns:
        return set(), []
    read = getattr(book, "rows_as_entered", None) or getattr(book, "entries", book.get_rows)
    first, last = get_column_letter(columns[0]), get_column_letter(columns[-1])
    area = read(sheet, f"{first}{old.first_row}:{last}{end}")  # (one read of the columns beside)
    cells, said = set(), []
    for c in columns:
        entered = [row[c - columns[0]] for row in area]
        rel = [_relative(e, old.first_row + i, rows) for i, e in enumerate(entered)]
        fill = rel[0]
        if fill is None or rel[lines - 1] != fill or 2 * sum(h == fill for h in rel[:lines]) < lines:
            continue
        cells |= {(old.first_row + i, c) for i, h in enumerate(rel) if h == fill}
        short = sum(h != fill for h in rel[lines:new.last_row - old.first_row + 1])
        if short:
            letter = get_column_letter(c)
            said.append(f"{sheet}!{letter}{old.first_row}:{letter}{old.last_row}: the formulas filled down beside the "
                        f"holder table ({entered[0]} in {letter}{old.first_row}) compute row by row from its lines, "
                        f"and the table now ends at row {new.last_row}: fill them down to row {new.last_row} for its "
                        + (f"last {short:,} lines" if short > 1 else "last line"))
    return cells, said


def _relative(entered: object, row: int, lines: range) -> str | None:
    """A formula as entered in row *row* (``=D21*$P$1``), its rows written relative to that row (``=D[0]*$P$1``):
    alike in every cell of a column filled down; None for a value, or for a formula reading a fixed row among the
    table's *lines* (``$D$100``, ``D$21``, ``SUM($D$21:$D$319)``): it reads that row whichever line its own holds,
    and is named as a formula reading the table."""
    if not (isinstance(entered, str) and entered.startswith("=") and len(entered) > 1):
        return None
    if any(dollar and int(r) in lines for dollar, r in _ROW_REF.findall(entered)):
        return None
    return _ROW_REF.sub(lambda m: m[0] if m[1] else f"{m[0][:-len(m[2])]}[{int(m[2]) - row}]", entered)


def _listed(rows: list[int]) -> str:
    """``21, 22 and 25``; past four, ``21, 22, 25 and 1,190 more``."""
    return ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}" if len(rows) <= 4 else \
        f"{', '.join(map(str, rows[:3]))} and {len(rows) - 3:,} more"


# --- formulas of one's own elsewhere that read the table's rows by reference --------------------------------------

#: A cell holding a formula in a sheet's XML: its attributes, its ``<f>``'s attributes and text (None: a member of a
#: shared formula), and what follows (its saved value).
_F_CELL = r'<{p}c\b{not_in}([^>]*?)>\s*<{p}f\b([^>]*?)(?:/>|>(.*?)</{p}f>)(.*?)</{p}c>'
_R = re.compile(r'\sr="([A-Z]{1,3})(\d+)"')
#: A cell reference with its row as written (``$`` kept), for the quick look at whether a formula reads its own row.
_ROW_REF = re.compile(r"(?<![\w.])\$?[A-Za-z]{1,3}(\$?)(\d+)(?![\w(])")


def _own_row_only(formula: str, row: int) -> bool:
    """Whether every cell *formula* names is in row *row*, relatively (``D25`` in row 25): filled down, such a
    formula reads its own row everywhere (the rows whose line changed are named beside the table)."""
    return "!" not in formula and all(not dollar and int(r) == row for dollar, r in _ROW_REF.findall(formula))


def _package_formulas(book, sheet: str, table: Table, last: int, layout_cell: Callable[[str, int, int], bool]):
    """(sheet, ref, row, formula, value) of the formulas of a file's sheets but the layout's cells that may read
    *table* (on *sheet*, its lines to row *last*) by reference: on *sheet* any but the table's own cells (those
    beside its lines only where something is beside them, and only those not reading their own row alone); on
    another sheet those naming *sheet*."""
    from .package import PackageError, SheetXml
    from .shared_formulas import member_formula
    from .xml_text import unescape

    title = re.compile(re.escape(escape(sheet)) + r"(?:'|&apos;|&#39;)?!", re.IGNORECASE)
    c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
    for name in book.sheet_names():
        try:
            sx = book.sheet_xml(sheet) if name == sheet else SheetXml(book.pkg.read(book.sheet_part(name)), name)
        except PackageError:  # (a chart sheet, a dialog or macro sheet: no cells of formulas to search)
            continue
        text, p = sx.text, re.escape(sx.p)
        if name != sheet and not title.search(text, sx.data_start, sx.data_end):
            continue
        anywhere = re.compile(_F_CELL.format(p=p, not_in=""), re.DOTALL)
        spans = [(anywhere, sx.data_start, sx.data_end)]
        if name == sheet:  # the table's rows: only cells outside its columns, and only if any
            a, b = sx.span(table.first_row, last)
            cols = "|".join(get_column_letter(c) for c in range(c1, c2 + 1))
            beside = re.compile(_F_CELL.format(p=p, not_in=f'(?! r="(?:{cols})\\d)'), re.DOTALL)
            spans = [(anywhere, sx.data_start, a), (anywhere, b, sx.data_end)]  # (above it, below it)
            # beside its lines, if anything is (the answer rows_beside had, kept: no second search)
            spans[1:1] = [(beside, a, b)] if a < b and sx._foreign(a, b, c1, c2) else []
        masters: dict = {}
        own: dict[str, bool] = {}  # a shared formula's group -> its members read their own row alone
        for pattern, a, b in spans:
            for m in pattern.finditer(text, a, b):
                at = _R.search(m[1])
                if at is None or layout_cell(name, row := int(at[2]), column_index_from_string(at[1])):
                    continue  # (a cell the layout writes: the table's own among them)
                ref, inside = at[1] + at[2], name == sheet and table.first_row <= row <= last
                si = re.search(r'\ssi="(\d+)"', m[2]) if 't="shared"' in m[2] else None
                if m[3] is None and si is not None and own.get(si[1]):
                    continue
                formula = unescape(m[3]) if m[3] is not None else member_formula(text, m[2], ref, masters)
                if formula is None:
                    continue
                if si is not None and si[1] not in own:  # (its master's text, or the formula it is)
                    origin, first = masters.get(si[1]) or (ref, formula)
                    own[si[1]] = _own_row_only(first, int(_R.search(f' r="{origin}"')[2]))
                if (inside and _own_row_only(formula, row)) or (name != sheet and not title.search(formula)):
                    continue
                v = re.search(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", m[4], re.DOTALL)  # (what it showed, if saved)
                yield name, ref, row, "=" + formula, sx.typed_value(f"<c{m[1]}>{v[0]}</c>", list) if v and v[1] \
                    else None


def _openpyxl_formulas(book, sheet: str, table: Table, last: int, layout_cell: Callable[[str, int, int], bool]):
    """:func:`_package_formulas` of a book openpyxl loaded whole (which keeps no value beside a formula)."""
    c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
    for ws in book.wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                formula = v if isinstance(v, str) else getattr(v, "text", None)  # (an array formula's text)
                if cell.data_type != "f" or not formula or layout_cell(ws.title, cell.row, cell.column):
                    continue
                if ws.title == sheet and table.first_row <= cell.row <= last and c1 <= cell.column <= c2:
                    continue
                yield ws.title, cell.coordinate, cell.row, "=" + formula.lstrip("="), None


def layout_cells(lay, sheet: str, last: int) -> Callable[[str, int, int], bool]:
    """Whether (sheet, row, column) is a cell the layout *lay* writes: a named cell, a formula of its own, a table's
    (the holder table's, on *sheet*, to row *last*)."""
    from .expected import formula_cells
    from .layout import VALUE_COL

    cells = {(s.title, row, VALUE_COL) for s, _, _, row in lay.items()}
    cells |= {(s, *coordinate_to_tuple(ref)) for s, ref in formula_cells(lay, tables=False)}
    areas = [(s.title, t.header_row, max(t.last_row, last) if s.title == sheet else t.last_row, t.first_col,
              t.first_col + len(t.columns) - 1) for s in lay.sheets for t in s.tables]

    def written(name: str, row: int, col: int) -> bool:
        return (name, row, col) in cells or any(name == s and r1 <= row <= r2 and c1 <= col <= c2
                                                for s, r1, r2, c1, c2 in areas)
    return written


def read_elsewhere(book, lay, sheet: str, old: Table, new: Table, rows, named: set[str]) -> list[str]:
    """Report lines for the formulas of one's own, anywhere in the workbook but the layout's cells and those
    *named* (``Tenders!N25``, beside the table in a row whose line changed), that read by reference rows of the
    holder table (*old*, on *sheet*) which hold another holder's line once *rows* are written as *new*
    (:func:`table_rows_read`): they will compute from that line.  A file's book or openpyxl's; a live book is
    not searched (its every formula would be read across the process boundary)."""
    last = max(old.last_row, new.last_row)
    if hasattr(book, "sheet_xml") and hasattr(book, "pkg"):
        found = _package_formulas(book, sheet, old, last, layout_cells(lay, sheet, last))
    elif hasattr(book, "wb"):
        found = _openpyxl_formulas(book, sheet, old, last, layout_cells(lay, sheet, last))
    else:
        return []
    found = [f for f in found if f"{f[0]}!{f[1]}" not in named]
    reads = [(name, ref, formula, v, got) for name, ref, row, formula, v in found
             if (got := table_rows_read(formula, sheet, old, row, name))]
    short = _short_of(found, sheet, old, new)
    if not reads:
        return short
    held = _holders(book, sheet, old, min(min(g) for *_, g in reads), max(max(g) for *_, g in reads))
    at = [c.key for c in new.columns if c.formula is None].index("holder")
    now = {r: rows[r - new.first_row][at] if 0 <= r - new.first_row < len(rows) else None for r in held}
    lines = []
    for name, ref, formula, v, got in reads:
        moved = [r for r in got if held[r] != now[r]]
        if not moved:
            continue
        what = f"{name}!{ref}: the formula {formula}" + (f" (showing {shown(v)})" if v is not None else "")
        if len(moved) == 1:
            r = moved[0]
            after = f"now holds the line of {now[r]!r}" if now[r] is not None else "is now past the table's last line"
            before = f"it held the line of {held[r]!r}" if held[r] is not None else "it was below the table"
            lines.append(f"{what} reads the holder table's row {r}, which {after} ({before}): point it at the row of "
                         "the line it is about")
        else:
            lines.append(f"{what} reads the holder table's rows {_listed(moved)}, which now hold other holders' lines: "
                         "point it at the rows of the lines it is about")
    if len(lines) > SHOWN:
        more = len(lines) - SHOWN
        lines[SHOWN:] = [f"{more:,} more formula{' reads' if more == 1 else 's read'} rows of the holder table on "
                         f"{sheet} that now hold other holders' lines"]
    return lines + short


def _short_of(found, sheet: str, old: Table, new: Table) -> list[str]:
    """Report lines for the formulas of *found* whose range covers every line of the holder table *old* (a sum of a
    column: it reads every line wherever it is) but stops short of the lines the table *new* grew by: a fixed range
    (``=SUM(Tenders!$D$21:$D$319)``) leaves them out, where a column's name or a structured reference follows the
    table.  The first :data:`SHOWN`, and one line counting the rest."""
    if new.last_row <= old.last_row:
        return []
    c1, c2 = old.first_col, old.first_col + len(old.columns) - 1
    lines = []
    for name, ref, _, formula, v in found:
        try:
            items = Tokenizer(formula).items
        except Exception:  # noqa: BLE001 (the tokenizer raises TokenizerError, ValueError, IndexError)
            continue
        for t in items:
            where, bang, rng = t.value.rpartition("!") if t.subtype == Token.RANGE else ("", "", "")
            named = where[1:-1].replace("''", "'") if where.startswith("'") and where.endswith("'") else where
            ends = [_CELL.fullmatch(r) for r in rng.split(":")] if (named if bang else name).lower() == \
                sheet.lower() else []
            if len(ends) != 2 or None in ends:
                continue
            cols = sorted(column_index_from_string(m[1].upper()) for m in ends)
            rows = sorted(int(m[2]) for m in ends)
            if cols[-1] >= c1 and cols[0] <= c2 and rows[0] <= old.first_row and old.last_row <= rows[-1] < \
                    new.last_row:
                grown, column = new.last_row - rows[-1], old.columns[max(cols[0], c1) - c1]
                follow = f"{old.name}[{column.header}]" + (f" or its name {column.name}" if column.name else "")
                left = f"its last {grown:,} lines are" if grown > 1 else "its last line is"
                showing = f" (showing {shown(v)})" if v is not None else ""
                lines.append(f"{name}!{ref}: the formula {formula}{showing} reads the holder table's rows to "
                             f"{rows[-1]} by a fixed range, and the table now ends at row {new.last_row}: {left} left "
                             f"out; refer to the table's column ({follow}) to follow it")
                break
    if len(lines) > SHOWN:
        lines[SHOWN:] = [f"{len(lines) - SHOWN:,} more formulas read the holder table on {sheet} by a fixed range "
                         "that leaves out the lines it grew by"]
    return lines


def _holders(book, sheet: str, old: Table, r1: int, r2: int) -> dict[int, object]:
    """Row -> the holder whose line row *r1*..*r2* of the holder table *old* holds before the rewrite (None past
    its last line), read in one go (a file's book from the sheet's text, the fast way)."""
    i = [c.key for c in old.columns].index("holder")
    upto = min(r2, old.last_row)
    held: dict[int, object] = dict.fromkeys(range(r1, r2 + 1))
    if r1 > upto:
        return held
    if hasattr(book, "table_lines"):  # (the holder column alone, as a table of those rows)
        part = dataclasses.replace(old, columns=(old.columns[i],), first_col=old.first_col + i, header_row=r1 - 1,
                                   rows=upto - r1 + 1)
        values = [line[0] for line in book.table_lines(sheet, part)]
    else:
        letter = get_column_letter(old.first_col + i)
        values = [line[0] for line in book.get_rows(sheet, f"{letter}{r1}:{letter}{upto}")]
    held.update(zip(range(r1, upto + 1), values))
    return held
