"""Values typed into the holder table or the price table since the last refresh, named cell by cell when a refresh
writes a file's lines over them.

The holder and price tables hold what the last refresh read from the agent's tally and the price file.  A person
may type a correction into one of their input cells (a holder's units, a status, a day's price).  Validate takes
the value; the next refresh writes the file's lines over the table and would drop it without a word.  So the table
is compared with the file the Cover records, read again, before the refresh writes:

* the recorded file refreshed again, byte for byte the one the Cover records: each cell that differs from it
  (:func:`differed_note`);
* another file given (``--tally``, ``--prices``) while the recorded one is still there, byte for byte as recorded:
  each cell that differs from the recorded file was typed since, and is named (:func:`typed_note`).

A recorded file replaced in place (the agent's file overwritten with the next day's) cannot say what the table
held before: a typed value and the agent's change then look alike, and only the refresh's backup keeps the table.
A holder sheet sealed by the last refresh (:mod:`xlpy.workbook.seal`) holds nothing typed, so nothing is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..engine.errors import XlpyError
from ..engine.numbers import whole_text
from ..files.recorded import NO_PRICE_FILE, NO_TALLY_FILE, composed_alike, sha256, written_path
from ..files.serial_dates import whole_day
from .data import excel_text, holder_rows
from .layout import Layout
from .layout.tenders import HOLDER_INPUTS
from .saved_values import HOLDER_TABLE
from .rows_shown import ORDER
from .table_edits import SHOWN, input_lines

__all__ = ["count_cells", "differed_note", "holder_cells", "listed", "price_cells", "price_reader", "recorded_days",
           "recorded_file", "tally_reader", "typed_note", "typed_notes", "values_typed"]

#: The words for each table: (the table's name, what its file is called, the Cover's record of it).
_TABLES = {HOLDER_TABLE: ("the holder table", "the tally", ("TallySource", "TallySha256")),
           "tblPrices": ("the price table", "the price file", ("PriceSource", "PriceSha256"))}


def _shown(value, amount: bool = True) -> str:
    """A cell's value as a person reads it: 9,999; 8.45; 'withdrawn'; blank.  Not an *amount* (a holder id typed as
    a number): as Excel shows it, 30020 (not 30,020, nor 30,020.0 as xlwings hands it over)."""
    if not amount and (whole := whole_text(value)) is not None:
        return whole
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool) or isinstance(value, str):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return repr(value)
    if number != number.to_integral_value():
        return str(value)
    return f"{number.to_integral_value():,}" if amount else str(value)  # (9,999, not 9,999.0 as xlwings hands it)


def holder_cells(book, lay: Layout, rows: Sequence[tuple]) -> tuple[list[str], list[str], bool]:
    """(each input cell of the holder table whose value is not that of its line of *rows*, as ``Tenders!D25
    (DTC-0055): 9,999, the file 2,100``, and each line of *rows* no row holds; whether the table holds the lines in
    another order) -- *rows*: the holder table's rows of a tally (:func:`~xlpy.workbook.data.holder_rows`).  A row
    is the line of the tally whose row in the file (the Tally line column) it holds, wherever a sort put it, when no
    other row holds that tally line; else (typed over) the line of its place.  A row left blank (a row deleted
    inside the table) is no line.  ([], False) when the table holds another number of lines (a line typed below it
    is named otherwise)."""
    sheet, t = lay.table(HOLDER_TABLE)
    if t.rows != len(rows) or not t.rows:
        return [], [], False
    columns = [c for c in t.columns if c.formula is None]
    who, at = HOLDER_INPUTS.index("holder"), HOLDER_INPUTS.index("line")
    held = input_lines(book, sheet.title, t)
    if held == list(rows):  # (the table as the file has it, the most of the time: no cell looked at one by one)
        return [], [], False
    held = [tuple(map(excel_text, h)) for h in held]  # (as lines_differ compares them)
    return _matched(held, rows, lambda h: h[at], lambda i, line, a, b, j: (
        f"{sheet.title}!{t.letter(columns[j].key)}{t.first_row + i} ({line[who]}): {_shown(a, j != who)}, the file "
        f"{_shown(b, j != who)}"), lambda line: f"tally line {line[at]} ({line[who]})")  # (an id is no amount)


def price_cells(book, lay: Layout, days: Sequence) -> tuple[list[str], list[str], bool]:
    """(each date, price or volume cell of the price table whose value is not that of its day of *days*
    (:class:`~xlpy.engine.model.PriceDay`, as the price file reads), and each day no row holds, named as
    :func:`holder_cells` names them; whether the table holds the days in another order).  A row is the day of its
    date when no other row holds that date, else the day of its place.  ([], False) when the table holds another
    number of days."""
    sheet, t = lay.table("tblPrices")
    if t.rows != len(days) or not t.rows:
        return [], [], False
    keys, unformatted = ("date", "price", "volume"), []
    area = book.get_rows(sheet.title, f"{t.letter('date')}{t.first_row}:{t.letter('volume')}{t.last_row}")
    held = []
    for row in area:
        d, price, volume = (list(row) + [None] * 3)[:3]
        as_day = whole_day(d)
        if as_day is not None:  # (a date whose format was cleared, read as its serial: the same day, nothing typed)
            unformatted.append(f"{sheet.title}!{t.letter('date')}{t.first_row + len(held)} "
                               f"({as_day.isoformat()}, shown as {int(d):,}){_NO_FORMAT}")
            d = as_day
        held.append((d.date() if isinstance(d, dt.datetime) else d, price, volume))
    lines = [(day.date, day.price, day.volume) for day in days]
    cells, gone, reordered = _matched(held, lines, lambda h: h[0], lambda i, line, a, b, j: (
        f"{sheet.title}!{t.letter(keys[j])}{t.first_row + i} ({line[0].isoformat()}): {_shown(a)}, the file "
        f"{_shown(b)}"), lambda line: f"the day {line[0].isoformat()}", same=(_same_key, _same_number, _same_number))
    return cells + unformatted, gone, reordered


#: How :func:`price_cells` marks a date cell that holds its day's serial number, its date format cleared: no value
#: typed (:func:`typed_note` passes it over), but a reason the table differed (:func:`differed_note` names it).
_NO_FORMAT = ": a date without its date format"


def values_typed(cells: list[str]) -> list[str]:
    """*cells* (:func:`price_cells`'s) but the dates that only lost their date format: the same day, nothing typed."""
    return [c for c in cells if not c.endswith(_NO_FORMAT)]


def _same_key(a, b) -> bool:
    return a == b


def _matched(held: list[tuple], lines: Sequence[tuple], key, cell, gone, same=None
             ) -> tuple[list[str], list[str], bool]:
    """What :func:`holder_cells` and :func:`price_cells` find: (the cells that differ, each worded by *cell* (row,
    line, held value, the file's, column); the lines no row holds, each worded by *gone*; whether the rows hold the
    lines in another order).  A row of *held* (the table's input cells) is matched with its line of *lines* (the
    file's) by *key* when no other row holds that key; the rows left (a key typed over, or held twice) with the lines
    left, in order; a blank row (a row deleted inside the table, the lines below moved up) with none."""
    from collections import Counter

    by_key, counts = {key(line): line for line in lines}, Counter(map(key, held))
    blank = [all(v is None or v == "" for v in row) for row in held]
    pairs: list[tuple | None] = [by_key.get(key(row)) if not b and counts[key(row)] == 1 else None
                                 for row, b in zip(held, blank)]
    taken = {id(line) for line in pairs if line is not None}
    rest = iter([line for line in lines if id(line) not in taken])
    pairs = [line if line is not None or b else next(rest, None) for line, b in zip(pairs, blank)]
    found, reordered = [], False
    for i, (row, line) in enumerate(zip(held, pairs)):
        if line is None:
            continue
        reordered = reordered or line is not lines[i]
        found += [cell(i, line, a, b, j) for j, (a, b) in enumerate(zip(row, line))
                  if not (same[j](a, b) if same else a == b)]
    return found, [gone(line) for line in rest], reordered


def _same_number(held, want: Decimal) -> bool:
    """Whether a price table's cell holds the file's number *want*: a number typed as text does not (a finding of
    validate's, which the refresh writes over as the number)."""
    try:
        return held is not None and not isinstance(held, (bool, str)) and Decimal(str(held)) == want
    except (InvalidOperation, ValueError):
        return False


def listed(cells: list[str]) -> str:
    more = len(cells) - SHOWN
    return "; ".join(cells[:SHOWN]) + (f"; and {more:,} more cell{'s' * (more > 1)}" if more > 0 else "")


def differed_note(sheet: str, table: str, found: tuple[list[str], bool]) -> str:
    """The refresh's line for a table edited since the last refresh from the very file the Cover records, rewritten
    from it: the cells that differed, or that its lines were in another order (*found*: :func:`holder_cells`,
    :func:`price_cells`), if the table kept its length.  A warning where values typed or lines deleted are written
    over (review 156: failed deliveries typed in by hand, put back as tendered under a final count's release, said
    only among the report's lines); a note where only the order or a date's format is put back."""
    words, file, _ = _TABLES[table]
    cells, deleted, reordered = found
    unformatted = [c.removesuffix(_NO_FORMAT) for c in cells if c.endswith(_NO_FORMAT)]
    cells = values_typed(cells)
    parts = ([f"{listed(cells)}: a value that belongs goes in the file"] if cells else []) + (
        [f"{listed(deleted)}: in no row of the table, deleted since"] if deleted else []) + (
        [f"{listed(unformatted)}: dates without their date format, written as dates again"] if unformatted else [])
    said = (f" ({'; '.join(parts)})" if parts else
            f" (its lines in another order: sorted since; they are written in the table's own order, {ORDER[table]})"
            if reordered else
            "")
    lost = "warning: " if cells or deleted else ""  # (values typed, lines deleted: the figures move back; a sort not)
    return f"{lost}{sheet}: {words} differed from {file} the Cover records {REWRITTEN}{said}"


#: What :func:`differed_note` says of a table rewritten from its recorded file; its warning then says where what was
#: typed is still kept (:func:`kept_said`, :func:`unsaved_said`).
REWRITTEN = "(edited since): rewritten from it"


def typed_note(book, lay: Layout, table: str, read) -> str | None:
    """The warning of a refresh that writes another file's lines over values typed into *table* since the last
    refresh, naming each cell, or None (nothing typed, or nothing to compare with: the recorded file gone or
    changed, unreadable, the sheet as the last refresh sealed it).  *read*: the recorded file's path -> its rows
    (holder table) or days (price table), raising :class:`~xlpy.engine.errors.XlpyError` or ``OSError``."""
    words, file, (source, digest) = _TABLES[table]
    sheet, t = lay.table(table)
    sealed = getattr(book, "sealed", None)
    if sealed is not None and sealed(sheet.title, t):
        return None
    path = recorded_file(book, lay, source, digest)
    if path is None:
        return None
    try:
        found = read(path)
        found = holder_rows(found) if table == HOLDER_TABLE else found
    except (XlpyError, OSError):  # (the recorded file unreadable: nothing to compare with)
        return None
    # The workbook's own table read: what it cannot read refuses the refresh (a row without its number), never
    # leaves the values typed into it written over without a word.
    cells, *_ = (holder_cells(book, lay, found) if table == HOLDER_TABLE
                 else price_cells(book, lay, found))  # (lines deleted or sorted: the file has them still)
    cells = values_typed(cells)  # (the same day, its format cleared: nothing typed)
    if not cells:
        return None
    return (f"warning: {sheet.title}: typed into {words} since the last refresh, and not in {file} the Cover "
            f"records ({path.name}): {listed(cells)}; {WRITTEN_OVER}: put a value that belongs in the file, and "
            "refresh again")


#: What :func:`typed_note` says of the values typed, before where they are still kept (:func:`kept_said`).
WRITTEN_OVER = "the new file's lines are written over them"


def kept_said(lines: list[str], backup: str | None) -> list[str]:
    """*lines* of a refresh's report, its warnings of values typed and written over (:func:`typed_note`, and
    :func:`differed_note`'s of a table rewritten from the file the Cover records) saying where
    they are still kept, the *backup* (``the backup offer.20040223-120000.bak.xlsm keeps them``), or that they are not
    (None: ``--no-backup``), as do its warnings of the values typed over formulas outside the tables that the
    layout's formulas replaced (:mod:`xlpy.workbook.formulas_back`): the refresh of a file knows whether it kept a
    backup only once the note is written.  (The buttons read the files the Cover records, never another, so never
    write over values typed with :func:`typed_note`'s warning; of a table rewritten, see :func:`unsaved_said`.)"""
    from .formulas_back import REPLACED, REPLACED_MANY

    def kept(line: str) -> str:
        if line.startswith("warning: ") and REWRITTEN in line:  # (a table rewritten over what was typed)
            return line + (f"; the backup {backup} keeps what was typed" if backup else
                           "; no backup was kept: what was typed is gone")
        for marker, them, are in ((WRITTEN_OVER, "them", "they are"), (REPLACED, "it", "it is"),
                                  (REPLACED_MANY, "them", "they are")):
            if marker in line:
                where = f"the backup {backup} keeps {them}" if backup else f"no backup was kept: {are} gone"
                return line.replace(marker, f"{marker} ({where})", 1)
        return line

    return [kept(line) for line in lines]


def unsaved_said(lines: list[str]) -> list[str]:
    """*lines* of the refresh buttons' report, their warning of a table rewritten over what was typed saying how to
    get it back: the buttons write into the workbook open in Excel and keep no backup, and nothing is saved yet."""
    return [line + "; the workbook is not saved: close it without saving to get back what was typed (with AutoSave "
            "on, from File > Info > Version History)"
            if line.startswith("warning: ") and REWRITTEN in line else line for line in lines]


def typed_notes(book, lay: Layout, tally, prices) -> list[str]:
    """The warnings of a refresh that reads another tally or price file than the Cover records (*tally*, *prices*:
    the :class:`~xlpy.workbook.refresh.SourceRecord` of each file read, or None) over values typed since the last
    refresh (:func:`typed_note`)."""
    notes = []
    if tally is not None and lay.shape.tally == "holders" and _new(book, lay, "TallySha256", tally):
        notes.append(typed_note(book, lay, HOLDER_TABLE, tally_reader(book, lay)))
    if prices is not None and lay.shape.ratio == "formula" and _new(book, lay, "PriceSha256", prices):
        notes.append(typed_note(book, lay, "tblPrices", price_reader(book, lay)))
    return [n for n in notes if n]


def tally_reader(book, lay: Layout, counts: bool = False):
    """path -> the holder tally's lines (*counts*: a count file's, as
    :func:`~xlpy.files.counts.read_count_file` gives them), read with the mapping the Cover records, as a refresh
    reads it; raising ``OSError`` when the Cover records a mapping that is gone (read otherwise, the file may read
    otherwise)."""
    from ..files import sources
    from ..files.counts import read_count_file

    mapping = recorded_file(book, lay, "TallyMapping", None)

    def read_tally(path: Path):
        if str(book.get(*lay.cell("TallyMapping")) or "").strip() and mapping is None:
            raise OSError("the recorded mapping is gone")
        columns = sources.read_mapping(mapping) if mapping else sources.ColumnMapping()
        return read_count_file(path, columns) if counts else sources.read_tally(path, columns)

    return read_tally


#: The aggregate counts a refresh writes from a count file, in the order :func:`read_count_file` gives them.
_COUNTS = ("Tendered", "GuaranteedDelivery", "FailedDelivery")


def count_cells(book, lay: Layout, read: tuple) -> list[tuple[str, str]]:
    """Each aggregate count whose input cell holds another value than the count file gives it, *read* as
    :func:`~xlpy.files.counts.read_count_file` reads it (a count it has no column for: 0, as the refresh writes it):
    (the cell, as ``Tenders!C5 (Tendered)``; ``280,500, the file 280,000``)."""
    *counts, absent = read
    found = []
    for name, want, key in zip(_COUNTS, counts, ("tendered", "guaranteed_delivery", "failed_delivery")):
        sheet, ref = lay.cell(name)
        held = book.get(sheet, ref)
        if isinstance(held, (int, float)) and not isinstance(held, bool) and held == want:
            continue
        none = f" (it has no {key.replace('_', ' ')} column: 0, as the refresh reads it)" if key in absent else ""
        found.append((f"{sheet}!{ref} ({name})", f"{_shown(held)}, the file {want:,}{none}"))
    return found


def recorded_days(book, lay: Layout) -> tuple | None:
    """The days of the price file the Cover records, read again, or None: it is gone, changed since (its SHA-256),
    or refused (what a restated day is told against, rather than a price typed into the table since)."""
    path = recorded_file(book, lay, "PriceSource", "PriceSha256") if lay.shape.ratio == "formula" else None
    try:
        return None if path is None else price_reader(book, lay)(path)
    except (XlpyError, OSError):
        return None


def price_reader(book, lay: Layout):
    """path -> the days of a price file, read as a refresh reads it (a day its exchange was closed refused)."""
    from ..files.prices import read_prices

    calendar = book.get(*lay.cell("Calendar"))
    calendar = calendar.strip() if isinstance(calendar, str) else ""
    return lambda path: read_prices(path, calendar or None)


def _new(book, lay: Layout, digest: str, record) -> bool:
    """Whether the file *record* read is another than the one the Cover records (by its SHA-256, *digest*)."""
    return record.sha256 != str(book.get(*lay.cell(digest)) or "").strip()


def recorded_file(book, lay: Layout, source: str, digest: str | None) -> Path | None:
    """The file the Cover records under *source*, if it is there (byte for byte as its SHA-256, *digest*, records,
    unless None)."""
    text = str(book.get(*lay.cell(source)) or "").strip()
    if text in ("", NO_TALLY_FILE, NO_PRICE_FILE):
        return None
    path = written_path(text)
    if not path.is_absolute():
        if book.folder is None:
            return None
        path = book.folder / path
    path = composed_alike(path)  # its accents composed otherwise, as the refresh reads it
    try:
        same = path.is_file() and (digest is None or sha256(path) == str(book.get(*lay.cell(digest)) or "").strip())
    except OSError:
        return None
    return path if same else None
