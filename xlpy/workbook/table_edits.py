"""What a person did to a table a refresh rewrites, each named in the refresh's report.

A refresh rewrites the holder table whole from the tally.  Three things a
person may have done to it would otherwise go without a word:

* typed a value over one of its formulas (an override of one holder's
  acceptance): the rewrite puts the formula back (:func:`typed_over`);
* typed a note beside a holder's line: it stays in its row while the lines
  are rewritten, and may then sit beside another holder's line
  (:func:`moved_notes`);
* edited the lines since the last refresh from the same tally file, or the
  price table since the last from the same price file: that is then not
  "nothing to refresh" (:func:`lines_differ`, :func:`prices_differ`).  The
  lines are read from a file's sheet text (:func:`input_lines`), as a refresh
  that computes from the table typed in reads them (:func:`holder_columns`).

A person may also have moved or resized the table itself: a row deleted or
inserted inside it shrinks or grows the Excel table and every name over its
columns, a row inserted above it moves the header.  The layout records where
the table is; the book's own table range and names may say otherwise
(:func:`held_rows`, :func:`names_off`, :func:`header_moved`).  A Total Row below
the lines is refused (:func:`totals_row`); a sort Excel recorded on the
table is dropped, as the lines are written in the workbook's order
(:func:`xlpy.workbook.rows_shown.shown_again`).  A row inserted or deleted on a sheet above its named
cells (the Cover's record) moves them off the layout's rows: the refresh is
refused before it reads them (:func:`rows_moved`).

Each reads the book through :class:`xlpy.workbook.backends.Book`, so a file,
an openpyxl book and a live Excel book say the same.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from ..engine.errors import InputError
from . import beside_formulas, cell_notes
from .data import excel_text, typed_below_reason, typed_line
from .layout import HISTORY_COLUMNS, Layout, Table
from .overrides import OwnFormula
from .saved_values import HOLDER_TABLE

__all__ = ["SHOWN", "columns_out", "extent_note", "extent_notes", "grown_lines", "header_moved", "held_otherwise",
           "held_rows", "history_held", "input_lines", "lines_differ", "listed_names", "moved_notes", "moved_refusals",
           "names_off", "names_said", "points_at", "prices_differ", "recorded_columns", "rows_moved", "rows_moved_on",
           "same_but_tables", "typed_over"]

#: Cells named one by one in the report; one more line counts the rest.
SHOWN = 10
#: Rows whose notes or links are looked at one by one (a sheet with notes on every line is named by its first ones).
MAX_LOOKED_UP = 200


def typed_over(book, sheet: str, table: Table, new_last: int | None = None) -> list[str]:
    """Report lines for the values typed over *table*'s formulas, which the rewrite replaces (validate names
    them too), or clears in the rows past the table's new end (row *new_last*)."""
    if not any(c.formula is not None for c in table.columns):
        return []
    cells = book.typed_over(sheet, table)
    lines = []
    for ref, v in cells[:SHOWN]:
        if new_last is not None and _row_of(ref) > new_last:
            shown = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v if isinstance(
                v, OwnFormula) else repr(v)
            lines.append(f"{sheet}!{ref}: what was typed over its formula ({shown}) was cleared with the rows past "
                         f"the table's new end (row {new_last})")
            continue
        if isinstance(v, OwnFormula):
            how = ("broken by a row or column deleted: #REF!" if "#REF!" in str(v).upper() else
                   "typed over it, or moved by a sort")
            lines.append(f"{sheet}!{ref}: held another formula than the table's ({v}: {how}), and now holds the "
                         "table's")
            continue
        shown = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else repr(v)
        lines.append(f"{sheet}!{ref}: the value typed over its formula ({shown}) was replaced by the formula")
    cleared = sum(new_last is not None and _row_of(ref) > new_last for ref, _ in cells[SHOWN:])
    if (replaced := len(cells) - SHOWN - cleared) > 0:  # (review: those cleared past the end were said replaced)
        lines.append(f"{sheet}: {_more_typed(replaced)} of {table.name} {'was' if replaced == 1 else 'were'} "
                     "replaced by the table's formulas")
    if cleared:
        lines.append(f"{sheet}: {_more_typed(cleared)} of {table.name} {'was' if cleared == 1 else 'were'} cleared "
                     f"with the rows past the table's new end (row {new_last})")
    return lines


def _more_typed(n: int) -> str:
    """``1 more value or formula typed over a formula``, ``1,190 more values or formulas typed over formulas``."""
    return (f"{n:,} more value or formula typed over a formula" if n == 1 else
            f"{n:,} more values or formulas typed over formulas")


def moved_notes(book, sheet: str, old: Table, new: Table, rows: Sequence[tuple], lay: Layout | None = None
                ) -> list[str]:
    """Report lines for the values beside the holder table (*old*, as it was), and the notes (comments) and links on
    its rows or beside them, whose row holds another holder's line once *rows* are written as *new*: the rewrite
    moves lines, not what is beside them or attached to a cell; then, given the layout *lay*, for the formulas
    elsewhere that read such rows by reference (:func:`beside_formulas.read_elsewhere`)."""
    last = max(old.last_row, new.last_row)  # a longer table reaches notes below it
    found = book.rows_beside(sheet, old, last)
    attached = {ref: whats for ref, whats in cell_notes.of_book(book, sheet).items()
                if old.first_row <= _row_of(ref) <= last}
    if not found and not attached:
        return beside_formulas.read_elsewhere(book, lay, sheet, old, new, rows, set()) if lay is not None else []
    holder_col = old.first_col + [c.key for c in old.columns].index("holder")
    at = [c.key for c in new.columns if c.formula is None].index("holder")
    c1, c2 = old.first_col, old.first_col + len(old.columns) - 1

    def moved_from(row: int, before, where: str = "beside") -> tuple[str, str] | None:
        """How row *row*'s holder changed, in words, or None when the same holder's line is still there."""
        i = row - new.first_row
        after = rows[i][at] if 0 <= i < len(rows) else None
        if before == after:
            return None
        now = f"now holds the line of {after!r}" if after is not None else "is now past the table's last line"
        return (now, f"it was {where} the line of {before!r}): move it if it belongs to {before!r}"
                if row <= old.last_row else "it was below the table): move it if it is not about that line")

    def changed(row: int) -> bool:
        """Whether row *row* of the table's lines now holds another holder's line (what a formula there reads)."""
        if row in found or not old.first_row <= row <= old.last_row:
            return row in found and moved_from(row, found[row].get(holder_col)) is not None
        letter = get_column_letter(holder_col)
        ((before,),) = (getattr(book, "rows_as_entered", None) or (lambda *area: _entries(book, *area)))(
            sheet, f"{letter}{row}:{letter}{row}")
        return moved_from(row, before) is not None

    filled, said = beside_formulas.filled_down(book, sheet, old, new, found)  # (computed columns: said once)
    beside = [(row, c, v, how) for row, cells in sorted(found.items())
              if (how := moved_from(row, cells.get(holder_col))) is not None
              for c, v in sorted(cells.items()) if not c1 <= c <= c2 and (row, c) not in filled]
    moved = []
    for i, (row, c, v, how) in enumerate(beside):  # (a formula named as one, and what it reads; past ten, counted)
        ref = f"{get_column_letter(c)}{row}"
        what, reads = beside_formulas.cell_said(book, sheet, old, ref, row, v, changed) if i < SHOWN else ("", "")
        moved.append(f"{sheet}!{ref}: {what} beside the holder table stays in row {row}, which {how[0]} ({how[1]}"
                     f"{reads}")
    holders = _holders_of(book, sheet, old, sorted({_row_of(ref) for ref in attached}), found, holder_col)
    for ref, whats in sorted(attached.items(), key=lambda kv: (_row_of(kv[0]), kv[0])):
        on = c1 <= _column_of(ref) <= c2
        how = moved_from(_row_of(ref), holders.get(_row_of(ref)), "on" if on else "beside")
        if how is not None:
            moved += [f"{sheet}!{ref}: {what} stays on {ref}, whose row {how[0]} ({how[1]}" for what in whats]
    if len(moved) > SHOWN:
        moved[SHOWN:] = [f"{sheet}: {len(moved) - SHOWN:,} more values, notes or links on or beside the holder table "
                         "now sit beside another line"]
    named = {f"{sheet}!{get_column_letter(c)}{row}" for row, c in [(row, c) for row, c, _, _ in beside] + [*filled]}
    return said + moved + (beside_formulas.read_elsewhere(book, lay, sheet, old, new, rows, named)
                           if lay is not None else [])


def _column_of(ref: str) -> int:
    from openpyxl.utils import column_index_from_string

    letters = ref.rstrip("0123456789")
    return column_index_from_string(letters) if letters.isalpha() else 0


def _row_of(ref: str) -> int:
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() else 0


def _holders_of(book, sheet: str, old: Table, wanted: list[int], found: dict, holder_col: int) -> dict[int, object]:
    """Row -> the holder the old table held there (None past its end), for the rows notes or links sit in."""
    letter = get_column_letter(holder_col)
    out = {}
    for row in wanted[:MAX_LOOKED_UP]:
        if row > old.last_row:
            out[row] = None
        elif row in found:
            out[row] = found[row].get(holder_col)
        else:
            (value,), = book.get_rows(sheet, f"{letter}{row}:{letter}{row}")
            out[row] = value
    return out


def history_records(book, lay: Layout) -> list[tuple]:
    """The History table's records: its rows with anything in them, to its last row as the book holds it (a row
    inserted inside the table by hand pushes the last record past the layout's; a blank one is no record)."""
    sheet, old = lay.table("tblHistory")
    held = held_rows(book, sheet.title, old)
    last = max(old.last_row, held[1] if held else 0)
    at = recorded_columns(old)
    area = f"{get_column_letter(old.first_col)}{old.first_row}:{get_column_letter(old.first_col + at[-1])}{last}"
    rows = [tuple(r[i] if i < len(r) else None for i in at) for r in book.get_rows(sheet.title, area)]
    return [r for r in rows if any(v not in (None, "") for v in r)]


def recorded_columns(t: Table) -> list[int]:
    """The places in History's table *t* of the columns a build or refresh writes (:data:`HISTORY_COLUMNS`, in
    order; the change column between them is a formula)."""
    keys = [c.key for c in t.columns]
    return [keys.index(k) for k in HISTORY_COLUMNS]


def history_held(records: list[tuple], recorded):
    """name -> what a holder workbook held: its guaranteed and failed deliveries as History's last row records them
    (the workbook's cells for them are formulas over the holder table), any other name as *recorded* reads it."""
    columns = {"GuaranteedDelivery": HISTORY_COLUMNS.index("guaranteed"), "FailedDelivery": HISTORY_COLUMNS.index(
        "failed")}

    def held(name: str):
        return (records[-1][columns[name]] if records else None) if name in columns else recorded(name)

    held.said = "History's last row records"  # (the table may have been edited since: said as what History holds)
    return held


def lines_differ(book, lay: Layout, tally_rows: Sequence[tuple]) -> bool:
    """Whether the holder table's lines are other than *tally_rows* (a person may have edited them since)."""
    sheet, t = lay.table(HOLDER_TABLE)
    if t.rows != len(tally_rows):
        return True
    if not t.rows:
        return False
    lines = input_lines(book, sheet.title, t)
    # text as it was written: an id such as A_x0041_ is stored escaped (A_x005F_x0041_)
    return [tuple(map(excel_text, row)) for row in lines] != [tuple(r) for r in tally_rows]


def input_lines(book, sheet: str, t: Table) -> list[tuple]:
    """The values of table *t*'s input columns, row by row (a file's read from the sheet's text, the fast way)."""
    fast = getattr(book, "table_lines", None)
    if fast is not None:
        return fast(sheet, t)
    inputs = [i for i, c in enumerate(t.columns) if c.formula is None]
    first, last = (t.letter(t.columns[i].key) for i in (inputs[0], inputs[-1]))
    area = book.get_rows(sheet, f"{first}{t.first_row}:{last}{t.last_row}")
    return [tuple(row[i - inputs[0]] for i in inputs) for row in area]


def holder_columns(book, lay: Layout) -> Callable[[str, str], list]:
    """``get_rows`` for :func:`~xlpy.workbook.data.read_offer`, for a refresh that computes from the holder table
    typed in: the table's input columns as :func:`input_lines` reads them (a file's from the sheet's text, the fast
    way), so the table is read and checked column by column, as validate reads it; any other area as *book* reads
    it.  (Cell by cell, through openpyxl's cells, the Prices refresh of a 100,000-line table took 21 s, not 3.)"""

    def get_rows(sheet: str, ref: str) -> list:
        if lay.shape.tally == "holders":
            s, t = lay.table(HOLDER_TABLE)
            keys = [c.key for c in t.columns if c.formula is None]
            if sheet == s.title and ref == f"{t.letter(keys[0])}{t.first_row}:{t.letter(keys[-1])}{t.last_row}":
                return [list(row) for row in input_lines(book, sheet, t)]
        return book.get_rows(sheet, ref)

    return get_rows


def prices_differ(book, lay: Layout, days: Sequence) -> bool:
    """Whether the price table's rows are other than *days* (:class:`~xlpy.engine.model.PriceDay`, as the price
    file reads): a date typed over, a price changed since."""
    import datetime as dt
    from decimal import Decimal, InvalidOperation

    sheet, t = lay.table("tblPrices")
    if t.rows != len(days):
        return True
    area = book.get_rows(sheet.title, f"{t.letter('date')}{t.first_row}:{t.letter('volume')}{t.last_row}")

    def same(row, day) -> bool:
        d, price, volume = (list(row) + [None] * 3)[:3]
        if isinstance(d, dt.datetime):
            d = d.date()
        if isinstance(price, str) or isinstance(volume, str):  # (a number typed as text: validate's finding)
            return False
        try:
            return d == day.date and Decimal(str(price)) == day.price and Decimal(str(volume)) == day.volume
        except (InvalidOperation, ValueError):
            return False

    return not all(map(same, area, days))


def _price_rows(book, lay: Layout) -> dict:
    """The price table's rows as the workbook holds them: day -> (price, volume)."""
    import datetime as dt

    sheet, t = lay.table("tblPrices")
    area = book.get_rows(sheet.title, f"{t.letter('date')}{t.first_row}:{t.letter('volume')}{t.last_row}")
    rows = ((list(row) + [None] * 3)[:3] for row in area)
    return {d.date() if isinstance(d, dt.datetime) else d: (price, volume) for d, price, volume in rows}


def window_restated(book, lay: Layout, record, days: Sequence, results, recorded=None) -> list[str]:
    """The warning of a refresh whose price file (*record*, read as *days*) is not the one the Cover records and
    restates a day of the averaging window the price table held (a vendor's correction after the fact moves the
    ratio, which nothing else would say), or [].  The file the Cover records, read again, restates nothing: a price
    typed into the table since is what it puts back, as the refresh says.  The days of that file (*recorded*: (book,
    layout) -> its days, or None), when it is still there as recorded, are what a day is restated against: a price
    typed into the table since is named as typed (:mod:`xlpy.workbook.typed_since`), not blamed on the new file.  It
    is read only when another file was given."""
    from decimal import Decimal, InvalidOperation

    from ..engine.numbers import excel_round, plain

    first, last = results.averaging_start, results.averaging_end
    if first is None or record.sha256 == str(book.get(*lay.cell("PriceSha256")) or "").strip():
        return []
    recorded = recorded(book, lay) if recorded is not None else None
    held = _price_rows(book, lay) if recorded is None else {d.date: (d.price, d.volume) for d in recorded}
    changed = []
    for day in days:
        if first <= day.date <= last and day.date in held:
            was = held[day.date]
            try:
                same = [Decimal(str(x)) for x in was] == [day.price, day.volume]
            except (InvalidOperation, ValueError):
                same = False
            changed += [] if same else [f"{day.date.isoformat()}: {_written(was[0])} at a volume of "
                                        f"{_written(was[1])}, now {plain(day.price)} at {_written(day.volume)}"]
    if not changed:
        return []
    average = plain(results.average_price)  # (an average to 34 digits read at six, as compute's warning reads it)
    average = average if len(average) <= 12 else f"{plain(excel_round(results.average_price, 6))}..."
    days_said = "a day" if len(changed) == 1 else f"{len(changed)} days"
    return [f"warning: the price file restates {days_said} of the averaging window the price table held "
            f"({'; '.join(changed[:3])}{'; ...' if len(changed) > 3 else ''}): the average price is now {average} "
            f"and the ratio {plain(results.offer_ratio)}"]


def _written(value) -> str:
    """A number of the price table as a person reads it (2,540,000; 8.2746), else as it is."""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{int(number):,}" if number == number.to_integral_value() and abs(number) >= 1000 else str(value)


# --- the table's own range and names ----------------------------------------------------------


def held_rows(book, sheet: str, table: Table) -> tuple[int, int] | None:
    """(header row, last row) of *table*'s Excel table as the book holds it, or None when the book does not say."""
    ref = getattr(book, "table_ref", None)
    ref = ref(sheet, table.name) if ref is not None else None
    if not ref:
        return None
    _, top, _, bottom = range_boundaries(ref.replace("$", ""))
    return top, bottom


def held_otherwise(book, sheet: str, table: Table) -> bool:
    """Whether the book holds *table* otherwise than the layout, so that a refresh from the very files the Cover
    records still rewrites it: its range (a row inserted or deleted inside it, a column Excel took in), its part's
    columns other than its range's (a column taken in left listed by an earlier refresh), a name over its columns
    elsewhere, a value typed over its formulas."""
    ref, width = getattr(book, "table_ref", None), getattr(book, "table_width", None)
    held = ref(sheet, table.name) if ref is not None else None
    return bool(held and held.replace("$", "") != table.ref) or (
        width is not None and width(sheet, table.name) not in (None, len(table.columns))) or bool(
        names_off(book, sheet, table)) or bool(book.typed_over(sheet, table))


def header_moved(book, sheet: str, table: Table) -> InputError | None:
    """The refusal when *table*'s header is not in the row the layout puts it (a row inserted or deleted above
    it, or the header row turned off): rewriting it there would write lines over the header and leave the table's
    rows misplaced."""
    held = held_rows(book, sheet, table)
    headers = getattr(book, "table_headers", None)
    if held is not None and headers is not None and not headers(sheet, table.name):
        return InputError(f"{sheet}!{table.name}", None, "the table's header row is turned off (Table Design > "
                          f"Header Row), so the table begins in row {held[0]}, not with its header in row "
                          f"{table.header_row} where the layout puts it: turn the Header Row on again, then refresh; "
                          "nothing was written", show_value=False, unchanged=True)
    if held is None or held[0] == table.header_row:
        return None
    return InputError(f"{sheet}!{table.name}", None, f"the table's header is in row {held[0]}, not in row "
                      f"{table.header_row} where the layout puts it: a row was inserted or deleted above it; undo "
                      "that, or rebuild the workbook from its offer file (xlpy build) and refresh it; nothing was "
                      "written", show_value=False, unchanged=True)


def totals_row(book, sheet: str, table: Table) -> InputError | None:
    """The refusal when *table*'s Excel table shows a Total Row: the rewrite would take the row below the lines
    for a line (and the table's range would end on the newest line, Excel's totals row)."""
    totals = getattr(book, "table_totals", None)
    if totals is None or not totals(sheet, table.name):
        return None
    return InputError(f"{sheet}!{table.name}", None, "the table shows a Total Row (Table Design > Total Row): the "
                      "refresh rewrites the table's lines and would take that row for one; turn the Total Row off, "
                      "refresh, then turn it on again; nothing was written", show_value=False,
                      unchanged=True)


def in_the_way(book, lay: Layout, grows: Sequence[tuple[str, int]]) -> list[InputError]:
    """What stands below a table that grows, each cell refused by name: (table name, its new number of lines)."""
    found = []
    for name, n in grows:
        sheet, t = lay.table(name)
        held = held_rows(book, sheet.title, t)
        last = max(t.last_row, held[1] if held else 0)  # rows the book's table holds are the table's
        new_last = t.header_row + max(n, 1)
        if new_last <= last:
            found += typed_below(book, name, sheet.title, t, last)
            continue
        first, end = get_column_letter(t.first_col), get_column_letter(t.first_col + len(t.columns) - 1)
        area = f"{first}{last + 1}:{end}{new_last}"
        rows = _entries(book, sheet.title, area)
        line = typed_line(t, rows[0]) if rows and name in ("tblTenders", "tblPrices") else None
        held = [] if line is None else [  # a line typed just under the table: one line, as validate tells it
            InputError(f"{sheet.title}!{get_column_letter(t.first_col + line[0])}{last + 1}", line[1],
                       typed_below_reason(name, sheet.title, t.ref))]
        for i, row in enumerate(rows[1:] if line is not None else rows, start=1 if line is not None else 0):
            held += [InputError(f"{sheet.title}!{get_column_letter(t.first_col + j)}{last + 1 + i}", v,
                                f"is in the way: {name} grows to row {new_last}; move what is below the table")
                     for j, v in enumerate(row) if v is not None and v != ""]
        merged = getattr(book, "merged", None)  # Excel refuses a write to part of a merged block, repairs a file
        blocks = _by_block(book, sheet.title, merged(sheet.title, area) if merged else [])
        found += _with_blocks(held, blocks, sheet.title, name, new_last)
    return found


def _with_blocks(held: list[InputError], blocks: dict[str, list[str]], sheet: str, name: str, new_last: int
                 ) -> list[InputError]:
    """*held*, the values in the way of a table growing to row *new_last*, and a refusal for each merged block of
    *blocks* (:func:`_by_block`) in the way too: said with the value a block holds, where it holds one (review 170:
    a note typed in a merged block was two refusals, the note's and the block's)."""
    out, at = list(held), {e.field: i for i, e in enumerate(held)}
    for block, refs in blocks.items():
        typed = [at[f"{sheet}!{ref}"] for ref in refs if f"{sheet}!{ref}" in at]
        if typed:  # (a value in a cell the block covers, as LibreOffice keeps one: said of the block too, 176)
            e = out[typed[0]]
            out[typed[0]] = e.reworded(e.field, f"{e.reason} (and the merged block {block} it is in: Excel cannot "
                                                "write part of a merged block)")
            for i in typed[1:]:
                out[i] = out[i].reworded(out[i].field, f"{out[i].reason} (a cell the merged block {block} covers)")
            continue
        out.append(InputError(f"{sheet}!{refs[0]}", None, f"is part of merged cells: {name} grows to row "
                              f"{new_last}, and Excel cannot write part of a merged block; unmerge it (Home > "
                              f"Merge & Center) or move it{_more(refs, block)}", show_value=False))
    return out


def _more(refs: list[str], block: str) -> str:
    """`` (it and 15 more cells of the merged block B27:Q28 in the way)`` for the cells *refs* of *block*."""
    n = len(refs) - 1
    return f" (it and {n:,} more cell{'s' * (n > 1)} of the merged block {block} in the way)" if n else ""


def _by_block(book, sheet: str, refs: list[str]) -> dict[str, list[str]]:
    """*refs* by the merged block each is in (its own cell where the book cannot say), in their order: one block over
    two rows of a table's width is one finding, not 22 (review 169)."""
    area = getattr(book, "merge_area", None)
    out: dict[str, list[str]] = {}
    for ref in refs:
        out.setdefault((area(sheet, ref) if area else None) or ref, []).append(ref)
    return out


def typed_below(book, name: str, sheet: str, t: Table, last: int) -> list[InputError]:
    """A line typed in the row just under an input table as the book holds it (its *last* row), which a refresh
    would leave where it is, counted nowhere: a holder line or a price day typed there (LibreOffice does not grow
    the table over it; a row Excel grew the table over is the table's, rewritten). :func:`typed_line` says what is
    a line there (a total's formula is not)."""
    sealed = getattr(book, "sealed", None)  # (the sheet as the last refresh left it: nothing below its table)
    if name not in ("tblTenders", "tblPrices") or sealed is not None and sealed(sheet, t):
        return []
    first, end = get_column_letter(t.first_col), get_column_letter(t.first_col + len(t.columns) - 1)
    hit = typed_line(t, (_entries(book, sheet, f"{first}{last + 1}:{end}{last + 1}") or [[]])[0])
    if hit is None:
        return []
    j, v = hit
    return [InputError(f"{sheet}!{get_column_letter(t.first_col + j)}{last + 1}", v,
                       typed_below_reason(name, sheet, t.ref))]


def _entries(book, sheet: str, ref: str) -> list[list[object]]:
    """The cells of *ref* as entered: a formula as its text, whatever it shows ("" or an error value a live book
    reads as blank, a number it would take for one typed)."""
    return getattr(book, "entries", book.get_rows)(sheet, ref)


def points_at(definition: str | None, sheet: str, ref: str) -> bool:
    """Whether a name's *definition* (``'Tenders'!$C$21:$C$70``, ``Tenders!$C$21:$C$70``) is *ref* on *sheet*."""
    head, _, area = (definition or "").strip().lstrip("=").rpartition("!")
    held = head[1:-1].replace("''", "'") if head.startswith("'") and head.endswith("'") else head
    try:
        return held == sheet and range_boundaries(area.replace("$", "")) == range_boundaries(ref.replace("$", ""))
    except (TypeError, ValueError):
        return False


def same_but_tables(old: Layout, new: Layout) -> None:
    """A refresh changes table lengths only; every other cell must stay where it was."""
    for name, place in old.names.items():
        _, ref = place
        is_table = any(t.range_of(c.key) == ref for s in old.sheets for t in s.tables for c in t.columns if c.name)
        if not is_table and new.names.get(name) != place:
            raise AssertionError(f"layout moved {name} when only table lengths changed")


@dataclasses.dataclass(frozen=True)
class RowsMoved:
    """A sheet whose named cells sit rows (or columns) away from where the layout puts them: its first such name
    *name*, at column *held_letter*, row *held*, where the layout has column *letter*, row *row* (a row or a column
    inserted or deleted before them moves each name with its cell, in Excel as in LibreOffice)."""

    sheet: str
    name: str
    letter: str
    row: int
    held: int
    held_letter: str = ""
    #: Cells of the name's column alone moved (Insert or Delete Cells, shifting them), the labels beside them not.
    cells: bool = False

    def _moves(self) -> list[tuple[int, str, str, str]]:
        """(how far, ``row``/``column``, the way, what was done) of the rows and of the columns moved."""
        from openpyxl.utils.cell import column_index_from_string

        moves, held_letter = [], self.held_letter or self.letter
        if self.held != self.row:
            down = self.held > self.row
            moves.append((abs(self.held - self.row), "row", "below" if down else "above",
                          f"inserted above row {self.row}" if down else f"deleted above row {self.held + 1}"))
        a, b = column_index_from_string(self.letter), column_index_from_string(held_letter)
        if a != b:
            moves.append((abs(b - a), "column", "right of" if b > a else "left of",
                          f"inserted left of column {self.letter}" if b > a else
                          f"deleted left of column {get_column_letter(b + 1)}"))
        return moves

    def said(self) -> str:
        """``the name BuiltWith refers to Cover!C18, 1 row below where the layout puts it: a row was inserted above
        row 17 on Cover (or more than one)``."""
        moves = self._moves()
        far = " and ".join(f"{n} {what}{'s' * (n > 1)} {way}" for n, what, way, _ in moves)
        done = " and ".join(f"a {what} was {how}" for _, what, _, how in moves)
        if self.cells:  # (its label did not move with it)
            done = f"cells were {moves[0][3].split(' ')[0]} in column {self.letter} {moves[0][3].split(' ', 1)[1]}"
        return (f"the name {self.name} refers to {self.sheet}!{self.held_letter or self.letter}{self.held}, {far} "
                f"where the layout puts it: {done} on {self.sheet} (or more than one)")

    def undo(self) -> str:
        """``undo that (Edit > Undo, or delete the row inserted)``."""
        fix = " and ".join((f"delete the {what} inserted" if how.startswith("inserted") else
                            f"insert the {what} deleted again") for _, what, _, how in self._moves())
        if self.cells:
            fix = (f"delete the cells inserted in column {self.letter}, shifting cells up" if self.held > self.row
                   else f"insert the cells deleted in column {self.letter} again, shifting cells down")
        return f"undo that (Edit > Undo, or {fix})"


def rows_moved_on(name_of, lay: Layout, cell_of=None) -> list[RowsMoved]:
    """Each sheet whose single named cells the book (*name_of*: a name -> its definition, ``'Cover'!$C$18``, or
    None) holds away from the layout's, by its first such name (:class:`RowsMoved`): a name whose label (*cell_of*:
    (sheet, ``B17``) -> the book's value) moved with it, or two names or more moved alike, rows down or up (a row
    inserted or deleted above them) or columns across (a column inserted or deleted before them); names moved alike
    down one column with their labels left where they were are cells inserted in that column.  One name moved alone,
    its label not with it (a cell cut and pasted elsewhere), is no such move: a finding of its own, and warned of
    when the refresh saves its figures."""
    from openpyxl.utils.cell import coordinate_to_tuple

    from .layout.model import LABEL_COL

    labels = {item.name: (item.label, row) for _, _, item, row in lay.items() if item.name and item.label}
    moved: dict[str, list[tuple[int, int, bool | None, RowsMoved]]] = {}
    for name, (sheet, ref) in lay.names.items():
        if ":" in ref:  # (a table's column: its table's own checks)
            continue
        head, _, cell = (name_of(name) or "").strip().lstrip("=").rpartition("!")
        held = head[1:-1].replace("''", "'") if head.startswith("'") and head.endswith("'") else head
        if held != sheet or not re.fullmatch(r"\$?[A-Z]{1,3}\$?[0-9]+", cell):  # (deleted, #REF!, a constant)
            continue
        (row, col), (want, want_col) = coordinate_to_tuple(cell.replace("$", "")), coordinate_to_tuple(
            ref.replace("$", ""))
        if (row, col) == (want, want_col):
            continue
        label, at = labels.get(name, (None, 0))
        with_label = None  # (unknown: no label, or no cell read)
        if label is not None and cell_of is not None and LABEL_COL + col - want_col >= 1:
            there = cell_of(sheet, f"{get_column_letter(LABEL_COL + col - want_col)}{at + row - want}")
            with_label = isinstance(there, str) and there.strip() == label.strip()
        moved.setdefault(sheet, []).append((row - want, col - want_col, with_label, RowsMoved(
            sheet, name, get_column_letter(want_col), want, row, get_column_letter(col))))
    found = []
    for names in moved.values():
        first = sorted((m for *_, m in names), key=lambda m: (m.letter != (m.held_letter or m.letter), m.row))
        alike = {id(m) for dr, dc, _, m in names if sum((dr, dc) == (r, c) for r, c, *_ in names) > 1}
        labelled = [m for m in first if any(w and m is x for *_, w, x in names)]
        if labelled:  # moved with its label: a row or a column moved
            found.append(labelled[0])
        elif alike:  # several alike, labels not seen moving: in one column with its labels left, cells moved
            m = next(m for m in first if id(m) in alike)
            stayed = all(w is False for dr, dc, w, x in names if id(x) in alike) and m.held_letter == m.letter
            found.append(dataclasses.replace(m, cells=stayed))
    return found


def rows_moved(book, lay: Layout) -> list[InputError]:
    """The refusal of a refresh of a book whose named cells on a sheet sit away from where the layout puts them
    (:func:`rows_moved_on`), one line a sheet, or [].  The refresh reads and saves by the layout's places: it would
    read the Cover's record one row off, then write the refresh's over the build's time and the offer file's
    SHA-256."""
    return moved_refusals(rows_moved_on(book.name, lay, book.get), "the refresh would read and save that sheet's "
                          "cells in the wrong places", "nothing was written", unchanged=True)


def moved_refusals(moved: Sequence[RowsMoved], would: str, done: str, unchanged: bool = False) -> list[InputError]:
    """The refusal of each sheet of *moved*, by a command that *would* do the wrong thing there (``the refresh
    would read and save that sheet's cells in the wrong places``), ending with what it did not do (*done*: a
    refresh's says the workbook was *unchanged*)."""
    return [InputError(f"{m.sheet}!{m.letter}{m.row}", None, f"{m.said()}, and {would}; {m.undo()}, or rebuild the "
                       f"workbook from its offer file (xlpy build) and refresh it; {done}", show_value=False,
                       unchanged=unchanged)
            for m in moved]


def names_off(book, sheet: str, table: Table) -> list[str]:
    """The names over *table*'s columns that the book defines otherwise than over its rows (or not at all)."""
    return [c.name for c in table.columns if c.name and not points_at(book.name(c.name), sheet, table.range_of(c.key))]


def listed_names(names: Sequence[str]) -> str:
    """*names* as a report line lists them: three at most, then a count of the rest (``A, B and 6 more``)."""
    return ", ".join(names) if len(names) <= 3 else f"{names[0]}, {names[1]} and {len(names) - 2:,} more"


def names_said(names: Sequence[str]) -> str:
    """*names* (of the workbook) as a report says them: ``the name A`` alone, else ``the names A, B and 6 more``."""
    return f"the name{'s' * (len(names) != 1)} {listed_names(names)}"


def extent_note(sheet: str, table: Table, held: tuple[int, int] | None, off: Sequence[str], new: Table,
                why: str = "a row was inserted or deleted in it by hand", gone: Sequence[str] = ()) -> str | None:
    """The report line for a table whose range (*held*) or names (*off*; *gone*, those of them the book did not
    define: deleted in the Name Manager) the book held otherwise than the layout (*table*): the refresh writes both
    as *new* has them; *why* says how the range or names pointed elsewhere came to differ."""
    moved, deleted = [], []
    stretched = held is not None and held != (table.header_row, table.last_row)
    again = held is not None and not stretched  # (the table where the layout has it: a name defined again by hand)
    if stretched:
        moved.append(f"the table {table.name} spanned rows {held[0]}:{held[1]} (the layout's: {table.header_row}:"
                     f"{table.last_row})")
    why = "defined again by hand" if again else why
    for names, said, out in (([n for n in off if n not in gone], "pointed at other cells" if again else
                              "pointed at other rows", moved),
                             ([n for n in off if n in gone], "was deleted", deleted)):
        if names:
            out.append(f"{names_said(names)} {said if len(names) == 1 else said.replace('was ', 'were ')}")
    if not moved and not deleted:
        return None
    said = [f"{', and '.join(moved)}: {why}"] if moved else []
    return (f"{sheet}: {'; '.join(said + deleted)}; the table and its names were reset to {new.ref} as the layout "
            "has them")


#: Of each table a refresh writes from a file: what one of its lines is, and the file.
_FROM_FILE = {"tblTenders": ("holder line", "tally file"), "tblPrices": ("price day", "price file")}


def extent_notes(book, sheet: str, old: Table, held: tuple[int, int] | None, off: Sequence[str], new: Table,
                 rows: Sequence[tuple]) -> list[str]:
    """The report lines for a table whose range or names the book held otherwise than the layout (*old*), written
    again as *new* from *rows*: :func:`extent_note`, and before it the lines Excel grew the table over
    (:func:`grown_lines`), which a refresh from the file drops."""
    dropped, why = grown_lines(book, sheet, old, held, new, rows)
    gone = [n for n in off if book.name(n) is None]  # (deleted in the Name Manager: no row of it to blame)
    note = extent_note(sheet, old, held, off, new, *([why] if why else []), gone=gone)
    return dropped + ([note] if note else []) + columns_out(book, sheet, old, new)


def columns_out(book, sheet: str, table: Table, new: Table | None = None) -> list[str]:
    """The report line for the columns *table*'s Excel table took in past the layout's (a header typed beside it:
    Excel grows the table over it), which the refresh, writing the table to the layout's columns (*new*'s range),
    takes out of it (their cells stay where they are; a filter or sort on them goes with them); for a table
    resized to other columns (Table Design > Resize Table), written again to the layout's; or for a table part
    listing other columns than the layout's within its range (an earlier refresh cut the range back and left a
    column taken in listed), written again."""
    ref, width = getattr(book, "table_ref", None), getattr(book, "table_width", None)
    held = ref(sheet, table.name) if ref is not None else None
    first, last = table.first_col, table.first_col + len(table.columns) - 1
    left, _, right, _ = range_boundaries(held.replace("$", "")) if held else (first, 0, last, 0)
    if (left, right) == (first, last):
        listed = width(sheet, table.name) if width is not None and held else None
        return [] if listed in (None, len(table.columns)) else [
            f"{sheet}: the table {table.name} listed {listed:,} columns for the layout's {len(table.columns):,} (a "
            "column Excel took in, left listed by an earlier refresh: Excel would repair the file, taking the table "
            "out): written again with the layout's columns"]
    out = [*range(left, first), *range(last + 1, right + 1)]
    criteria = getattr(book, "table_criteria", None)
    filters, sorts = (criteria(sheet, table.name) if criteria is not None else None) or ((), ())
    gone = " and ".join(w for w, on in (("filter", filters), ("sort", sorts)) if set(on) & set(out))
    one = len(out) == 1
    if left != first or right < last:  # (not a column typed beside it: Excel grows a table to the right alone)
        return [f"{sheet}: the table {table.name} was resized to {held}: written again to the layout's "
                f"{(new or table).ref}" + (f"; its {gone} on {'column' if one else 'columns'} "
                                           f"{', '.join(map(get_column_letter, out))} went with "
                                           f"{'it' if one else 'them'}" * bool(gone))]
    letters = [get_column_letter(c) for c in out]
    said = [f"{str(excel_text(h))!r} ({x})" if (h := book.get(sheet, f"{x}{table.header_row}")) not in (None, "") else x
            for x in letters]
    names = listed_names(said)
    where = f"column {letters[0]}" if one else f"columns {letters[0]}:{letters[-1]}"
    them = "it" if one else "them"
    return [f"{sheet}: the column{'s' * (not one)} {names} added to the table {table.name} {'was' if one else 'were'} "
            f"taken out of it, as the layout has it; {'its' if one else 'their'} cells stay in {where}"
            + (f"; the table's {gone} on {them} went with {them}" if gone else "")]


def grown_lines(book, sheet: str, old: Table, held: tuple[int, int] | None, new: Table,
                rows: Sequence[tuple]) -> tuple[list[str], str | None]:
    """The holder lines or price days typed into the table (*old*, the layout's) that the rewrite from the file
    (*rows*) drops, once its range grew to *held* (Excel takes a line typed just below a table into it, and a row
    inserted inside grows it too): report lines naming each, and why the range differed; ([], None) when the
    table holds no typed line and no more lines than the layout (a blank row inserted inside pushed its own lines
    down).

    A holder line a refresh wrote carries its tally line; one typed has none.  A price day is typed when the
    price file lacks its date.  The whole table is read only when a line stands past the layout's end."""
    if old.name not in _FROM_FILE or held is None or held[0] != old.header_row or held[1] <= old.last_row:
        return [], None
    first, end = get_column_letter(old.first_col), get_column_letter(old.first_col + len(old.columns) - 1)
    # (a formula there is no line; a file's rows read alone, not streamed from the sheet's top)
    read = getattr(book, "rows_as_entered", None) or (lambda *area: _entries(book, *area))
    past = read(sheet, f"{first}{old.last_row + 1}:{end}{held[1]}")
    if all(typed_line(old, row) is None for row in past):
        return [], None
    inputs = [c.key for c in old.columns if c.formula is None]
    lines = [(old.first_row + i, line) for i, line in enumerate(input_lines(book, sheet, dataclasses.replace(
        old, rows=held[1] - old.header_row))) if any(map(_a_value, line))]
    if len(lines) <= old.rows and old.name != HOLDER_TABLE:  # (a holder line typed is told by its missing line)
        return [], None
    what, file = _FROM_FILE[old.name]
    key = [inputs.index(k) for k in _KEY[old.name]]

    def told(line) -> tuple:  # (rows are the input columns' values too, as written)
        return tuple(_plain(k, line[i]) for k, i in zip(_KEY[old.name], key))

    def typed_in(line) -> bool:  # a holder line a refresh wrote carries its tally line
        return old.name != HOLDER_TABLE or not _a_value(line[inputs.index("line")])

    written = set(map(told, rows))
    typed = [(n, line) for n, line in lines
             if typed_in(line) and (old.name == HOLDER_TABLE or told(line) not in written)]
    if not typed and len(lines) <= old.rows:  # (a blank row inserted inside pushed the table's own lines down)
        return [], None
    if not typed:  # (a holder line copied whole, its tally line too; price days the file has): told by their count
        counted = [f"{sheet}: the table {old.name} held {len(lines):,} {what}s where the layout has {old.rows:,}: the "
                   f"table was written from the {file} alone; add any {what} missing from it there, then refresh "
                   "again"] if old.name == HOLDER_TABLE else []
        return counted, "a row was inserted in it by hand, or a line typed below it"
    why = (f"Excel grew it over a {what} typed just below it" if all(n > old.last_row for n, _ in typed)
           else f"a row was inserted in it by hand and a {what} typed there")
    typed = [(n, line) for n, line in typed if told(line) not in written]  # (one the file has is written again)
    where = ("in a row inserted in the table", "just below the table (Excel grew the table over it)")
    said = [f"{sheet}!{first}{n}: the {what} {_shown(old.name, line, key)}, typed {where[n > old.last_row]}, is not "
            f"in the {file} and was dropped: the table is written from that file; add it there if it belongs, then "
            "refresh again" for n, line in typed[:SHOWN]]
    if len(typed) > SHOWN:
        said.append(f"{sheet}: {len(typed) - SHOWN:,} more {what}s typed into the table were dropped")
    return said, why


#: What tells a table's lines apart: a holder line by its holder and units, a price day by its date.
_KEY = {"tblTenders": ("holder", "units"), "tblPrices": ("date",)}


def _a_value(v: object) -> bool:
    """Whether a cell holds a value a line is made of (not blank, not a formula's text)."""
    return v is not None and not (isinstance(v, str) and (not v.strip() or v.startswith("=")))


def _plain(key: str, v: object) -> object:
    """A value as read back, for comparing with what the file gives: a date typed in a cell (read as midnight, or
    as its serial number from the sheet's text) as a date; a whole number as an int; text as written."""
    import datetime as dt

    if key == "date" and isinstance(v, (int, float)) and not isinstance(v, bool):
        from openpyxl.utils.datetime import from_excel

        v = from_excel(v)
    if isinstance(v, dt.datetime) and v == dt.datetime.combine(v.date(), dt.time()):
        return v.date()
    if isinstance(v, float) and v.is_integer():  # (a live book reads every number as a float)
        return int(v)
    return excel_text(v) if isinstance(v, str) else v


def _shown(name: str, line: Sequence, at: Sequence[int]) -> str:
    """A line in words: the holder and its units, or the price day's date."""
    values = [_plain(k, line[i]) for k, i in zip(_KEY[name], at)]
    if name == HOLDER_TABLE:
        units = values[1]
        return f"{values[0]!r} ({units:,} units)" if isinstance(units, (int, float)) else repr(values[0])
    return str(values[0])

