"""What a person did to a standard workbook's structure that moves the cells its layout reads, found in the
workbook as openpyxl opened it: rows or columns inserted or deleted above named cells (:func:`shifted`), an Excel
table spanning other rows or columns than the layout's (a row inserted or deleted inside it, a line typed below it
that Excel grew it over), a holder line or price day typed just below its table (:func:`table_extents`).

``xlpy validate`` names each as a finding; ``xlpy compute``, ``release`` and ``entries`` given the workbook
(:mod:`xlpy.workbook.book_offer`) refuse it in the same words, with a sheet missing, one line each
(:func:`refusals`), rather than read its inputs from other cells than the layout's (review 96: a row inserted on
Inputs booked the $50 a unit as the carrying amount).  A refresh refuses a sheet missing and rows moved in its own
words (:func:`~xlpy.workbook.table_edits.rows_moved`), and rewrites a table it writes.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from ..engine.errors import InputError
from . import data as bookdata, refresh_guards, table_edits
from .findings import Finding, show
from .layout import Layout, renamed_hint
from .openpyxl_access import cell_map
from .workbook_xml import name_in

__all__ = ["INPUT_TABLES", "REWRITTEN", "listed_columns", "refusals", "shifted", "table_extents"]

#: The tables a refresh rewrites from a file the Cover records (a row deleted inside one is put back by it).
REWRITTEN = ("tblTenders", "tblPrices", "tblHolidays")
#: The tables the workbook's inputs are read from (:func:`xlpy.workbook.data.read_offer`): one of other rows is
#: read at the layout's rows, other lines than it holds.
INPUT_TABLES = (*REWRITTEN, "tblExchanges")
#: The kind of the finding of a layout table the workbook holds as a table no more (converted to a range).
GONE = "table gone"
#: The tables a refresh writes, their range and the columns their parts list (:mod:`xlpy.workbook.table_part`).
_REFRESHED = (*REWRITTEN, "tblHistory")


def shifted(wb, lay: Layout) -> list[table_edits.RowsMoved]:
    """The sheets whose named cells a row or a column inserted or deleted moved, each by its first such name
    (:func:`~xlpy.workbook.table_edits.rows_moved_on`, the labels read from *wb*)."""
    names = wb.defined_names  # (a name in other letter case is the same to Excel)
    return table_edits.rows_moved_on(lambda n: names[k].attr_text if (k := name_in(names, n)) else None, lay,
                                     lambda sheet, ref: wb[sheet][ref].value if sheet in wb.sheetnames else None)


def table_extents(book: str, wb, lay: Layout) -> list[Finding]:
    """Each Excel table spans the rows the layout gives it: a row typed below a table grows the table in Excel,
    but the names and formulas over it stay where they were, so that row would count nowhere; a row inserted
    inside it stretches the names too, so the workbook counts it where xlpy, reading the layout's rows, does not."""
    findings = []
    for sheet in lay.sheets:
        if sheet.title not in wb.sheetnames:
            continue
        present = _by_display_name(wb[sheet.title])
        for table in sheet.tables:
            if table.name not in present:  # (its cells are still read where the layout puts them: no refusal)
                findings.append(Finding(book, f"{sheet.title}!{table.name}", _gone(sheet.title, table, present),
                                        table.ref, "no table", kind=GONE))
            if table.name not in present or present[table.name].ref == table.ref:
                findings += _typed_below(book, wb[sheet.title], sheet.title, table)
                continue
            found = present[table.name].ref
            rows = range_boundaries(found)[1::2], range_boundaries(table.ref)[1::2]
            if present[table.name].headerRowCount == 0 and rows[0][0] == table.header_row + 1:
                what = (f"table's header row is turned off (Table Design > Header Row), so the table begins in row "
                        f"{rows[0][0]}, not with its header where the layout puts it, and its labels are gone: turn "
                        "the Header Row on again")
            elif present[table.name].totalsRowCount and rows[0] == (rows[1][0], rows[1][1] + 1):
                what = ("table shows a Total Row (Table Design > Total Row) below its lines: "
                        + ("a refresh rewrites the lines and would take that row for one, so it refuses while the "
                           "row is shown; turn the Total Row off, refresh, then turn it on again" if table.name in
                           _REFRESHED else "the workbook's own rows below the table are not its totals; turn the "
                           "Total Row off"))
            elif rows[0] == rows[1]:
                what = _other_columns(table, found)
            elif rows[0][0] == rows[1][0] and rows[0][1] < rows[1][1]:  # the same header, a shorter table
                n = rows[1][1] - rows[0][1]
                what = (f"table ends {n} row{'s' * (n > 1)} above the workbook's ({table.ref}): a row was deleted "
                        "inside it, so a line is gone and the last rows the names and formulas reach are blank; "
                        + ("xlpy refresh rewrites it from the file the Cover records" if table.name in REWRITTEN else
                           "undo the deletion, or rebuild it with xlpy build"))
            elif rows[0][0] == rows[1][0] and _names_reach(wb, sheet.title, table, rows[0][1]):
                n = rows[0][1] - rows[1][1]
                what = (f"table ends {n} row{'s' * (n > 1)} below the workbook's ({table.ref}), and so do the names "
                        "over its columns: a row was inserted inside it, so the workbook's formulas count the rows "
                        f"past row {table.last_row}, which xlpy does not read (it reads the layout's rows); "
                        + ("xlpy refresh rewrites it from the file the Cover records" if table.name in REWRITTEN else
                           "undo the insertion, or rebuild it with xlpy build from an offer file that holds them"))
            else:
                what = (f"table spans other rows than the workbook computes (rows outside {table.ref} count nowhere: "
                        "rebuild it with xlpy build from an offer file that holds them; tallies and prices: xlpy "
                        "refresh)")
            findings.append(Finding(book, f"{sheet.title}!{table.name}", what, table.ref, found))
    return findings


class _Tables(dict):
    """A sheet's Excel tables by the name Excel and its formulas know them by (``displayName``), in any case."""

    def __contains__(self, name) -> bool:
        return super().__contains__(str(name).lower())

    def __getitem__(self, name):
        return super().__getitem__(str(name).lower())


def _by_display_name(ws) -> _Tables:
    """*ws*'s tables by ``displayName`` (openpyxl keys them by the part's ``name``, which Excel may leave another:
    ``Table1`` beside the ``tblTenders`` the formulas and the Name Manager show)."""
    return _Tables({(t.displayName or t.name).lower(): t for t in ws.tables.values()})


def _gone(sheet: str, table, present: dict) -> str:
    """Why a layout table the workbook no longer holds as an Excel table matters, and what to do: where a table
    of another name spans its range, to name it back."""
    there = next((t.displayName or t.name for t in present.values() if t.ref == table.ref), None)
    if there is not None:
        return (f"the table is named {there}, not {table.name}: name it {table.name} again (Table Design > Table "
                "Name); " + ("a refresh (xlpy refresh, the Refresh buttons) writes its lines into it by that name, "
                             "and refuses to while it has another" if table.name in _REFRESHED else
                             "the workbook knows it by that name"))
    return refresh_guards.gone_words(sheet, table, "a refresh (xlpy refresh, the Refresh buttons) writes its lines "
                                     "into it, and refuses to while it is gone; " if table.name in _REFRESHED else "")


def listed_columns(book: str, wb, lay: Layout) -> list[Finding]:
    """Each table (the layout's and one's own) whose part lists other columns than its range spans: Excel repairs
    such a file when it opens it and takes the table out ("Removed Feature: Table"), its formulas and filter with it
    (an earlier refresh left one a column Excel had taken in listed)."""
    ours = {t.name: t for s in lay.sheets for t in s.tables}
    findings = []
    for ws in wb.worksheets:
        for t in ws.tables.values():  # (its items() are (name, range) pairs)
            name = t.displayName or t.name
            try:
                left, _, right, _ = range_boundaries(t.ref)
            except (TypeError, ValueError):  # (no range to count: another finding's, or openpyxl's refusal)
                continue
            width, listed = right - left + 1, len(t.tableColumns)
            if listed == width:
                continue
            todo = ("xlpy refresh writes it again with the layout's columns" if name in _REFRESHED else
                    "rebuild the workbook (xlpy build)" if name in ours else "make the table again (Insert > Table)")
            findings.append(Finding(book, f"{ws.title}!{name}", f"table lists {listed} column{'s' * (listed != 1)} "
                                    f"for a range {width} wide: Excel repairs the file when it opens it, taking the "
                                    f"table out (Removed Feature: Table); {todo}", f"{width} columns ({t.ref})",
                                    f"{listed}"))
    return findings


def _other_columns(table, found: str) -> str:
    """What a table spanning the layout's rows and other columns (*found*) is, and what to do: a column typed beside
    it, which Excel takes in, is not the workbook's; one of the workbook's taken out of it (Table Design > Resize
    Table) is to be put back, as a refresh of a table it writes does."""
    left, _, right, _ = range_boundaries(found)
    first, last = table.first_col, table.first_col + len(table.columns) - 1
    out = [get_column_letter(c) for c in range(first, last + 1) if not left <= c <= right]
    said = f"table spans other columns than the workbook's ({table.ref}): "
    if not out and table.name not in _REFRESHED:  # (a table no refresh writes)
        return (f"{said}a column added to it is not the workbook's; take it out of the table (Table Design > Resize "
                f"Table: {table.ref}), its cells staying where they are")
    if not out:  # a column typed beside the table: Excel takes it in
        return (f"{said}a column added to it is not the workbook's, and xlpy refresh rewrites the table without it "
                "(its cells stay where they are, beside rows that may then hold other lines)")
    added = "a column added to it is not the workbook's, and " if left < first or right > last else ""
    said += added + (f"the workbook's columns {', '.join(out)} were" if len(out) > 1 else
                     f"the workbook's column {out[0]} was")
    return said + (" taken out of it; xlpy refresh writes the table again to the workbook's columns, or resize it "
                   if table.name in _REFRESHED else " taken out of it; resize it ") + (
        f"(Table Design > Resize Table: {table.ref})")


def _names_reach(wb, sheet: str, table, last: int) -> bool:
    """Whether a name over *table*'s columns reaches row *last* (a row inserted inside the table stretches each)."""
    names = wb.defined_names
    return any(c.name in names and table_edits.points_at(names[c.name].attr_text, sheet, f"{table.letter(c.key)}"
                                                         f"{table.first_row}:{table.letter(c.key)}{last}")
               for c in table.columns if c.name)


def _typed_below(book: str, ws, title: str, table) -> list[Finding]:
    """A holder line or price day typed just below its table, which the table (as the file holds it) does not
    take in: LibreOffice and openpyxl do not grow a table over it, so it counts nowhere (a row Excel grew the
    table over is named by the table's extent instead)."""
    if table.name not in ("tblTenders", "tblPrices"):
        return []
    row, cells = table.last_row + 1, cell_map(ws)  # (read as they are: none made by asking)
    hit = bookdata.typed_line(table, [None if (c := cells.get((row, table.first_col + j))) is None else c.value
                                      for j in range(len(table.columns))])
    if hit is None:
        return []
    where = f"{title}!{get_column_letter(table.first_col + hit[0])}{row}"
    return [Finding(book, where, bookdata.typed_below_reason(table.name, title, table.ref), found=show(hit[1]),
                    leg="inputs")]


#: What a refusal says of a sheet missing that no sheet of another name may be.
DELETED = "a sheet deleted needs a rebuild (xlpy build)"


def refusals(wb, lay: Layout, label: str, done: str) -> list[InputError]:
    """The refusal of the workbook *wb* (named *label*) to a command that reads its inputs at the layout's cells,
    one line each (*done*: what the command did not do, as each line ends), or []: a sheet of the layout missing
    (renamed or deleted); else the sheets whose named cells a row or column inserted or deleted moved; else each
    input table (:data:`INPUT_TABLES`) spanning other rows or columns than the layout's (but columns typed beside
    it, its inputs read where they are), and a line typed just below the holder or price table: in the words of
    validate's findings, and what to do."""
    present = wb.sheetnames
    missing = [InputError(f"{label}: sheet {s.title}", None, f"is missing{hint}; {done}" if (
        hint := renamed_hint(s.title, present)) else f"is missing; {DELETED}; {done}", show_value=False)
        for s in lay.sheets if s.title not in present]
    if missing:
        return missing
    moved = table_edits.moved_refusals(shifted(wb, lay), "xlpy would read that sheet's inputs from other cells than "
                                       "the layout's", done)
    if moved:
        return [m.located(label) for m in moved]
    tables = {t.name: (s.title, t) for s in lay.sheets for t in s.tables if t.name in INPUT_TABLES}
    edits = [f for f in table_extents(label, wb, lay) if f.kind != GONE and (f.leg == "inputs" or f.where.partition(
        "!")[2] in tables and not _beside(wb, *tables[f.where.partition("!")[2]], f.found))]
    return [InputError(f"{label}: {f.where}", None, f"{f.what}, got {f.found}" if f.leg == "inputs" else
                       f"{f.what}: found {f.found}; {done}", show_value=False) for f in edits]


def _beside(wb, sheet: str, table, found: str) -> bool:
    """Whether the Excel table spanning *found* is *table* with columns typed beside it (a note): its rows and first
    column the layout's, and every name over its columns where the layout puts it, so its inputs are read where
    they are (validate still names it, as a refresh rewrites the table without them)."""
    left, top, _, bottom = range_boundaries(found)
    names = wb.defined_names
    return (left, top, bottom) == (table.first_col, table.header_row, table.last_row) and all(
        c.name in names and table_edits.points_at(names[c.name].attr_text, sheet, table.range_of(c.key))
        for c in table.columns if c.name)
