"""The rows of a table a refresh rewrites, shown and ungrouped first where the rewrite puts another line in them.

A refresh writes other lines into a table's rows (:func:`shown_again`).  A row a filter or a person hid, or an
outline (Data > Group) gathered, was hidden or grouped for the line it held: the rewrite would hide another line,
or group lines that have nothing to do with each other.  So each of those rows that will hold another line (or
none, past the table's new end) is shown and taken out of its outline (its ``hidden``, ``outlineLevel`` and
``collapsed`` flags cleared), and the sheet's outline depth (``<sheetFormatPr outlineLevelRow>``) follows the
rows still grouped elsewhere on it.  A row that will hold the very line it holds keeps its flags
(:class:`LinesKept`): a filtered view of a tally whose lines stayed where they were is not undone for nothing.
A sort Excel recorded on the table is dropped, as the lines are written in the table's own order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from openpyxl.utils import column_index_from_string, get_column_letter

from .layout import Table

__all__ = ["ORDER", "LinesKept", "flags_kept", "own_formats", "show_rows", "shown_again"]

#: Rows named one by one in a report line; past them, counted.
SHOWN = 10
#: The order a refresh writes a table's lines in (a table not named here: its file's; a sort of one's own is dropped).
ORDER = {"tblTenders": "by holder, and a holder's lines in the tally file's order", "tblPrices": "by date"}

_R = re.compile(r'\sr="(\d+)"')
_HIDDEN = re.compile(r'\shidden="(?:1|true)"')
_LEVEL = re.compile(r'\soutlineLevel="[1-9]"')
_COLLAPSED = re.compile(r'\scollapsed="(?:1|true)"')
_ANY = re.compile(r'\s(?:hidden="(?:1|true)"|outlineLevel="[1-9]"|collapsed="(?:1|true)")')
#: What :data:`_ANY` finds, each found by a plain search first (LibreOffice writes ``hidden="false"`` and
#: ``outlineLevel="0"`` on every row: a 100,000-line table saved by it was gone through row by row).
_FLAGS = ('hidden="1"', 'hidden="true"', 'collapsed="1"', 'collapsed="true"') + tuple(
    f'outlineLevel="{d}"' for d in "123456789")


def show_rows(sx, r1: int, r2: int, kept: LinesKept | None = None) -> tuple[list[int], list[int]]:
    """Show rows *r1*..*r2* of the sheet *sx* (a :class:`~xlpy.workbook.package.SheetXml`) and take them out of
    any outline, but those *kept* says keep their line: (the rows that were hidden, those that were grouped, of the
    rows shown); none in rows a seal speaks for (the table as the last refresh wrote it, nobody having written the
    sheet since).  The ``<row>`` tags of the rows kept are left on *sx* (``kept_tags``) for the rewrite of the
    rows to put back (:func:`flags_kept`)."""
    hidden: list[int] = []
    grouped: list[int] = []
    tags: dict[int, str] = {}
    if sx.sealed is not None and r1 >= sx.sealed.first_row:
        return hidden, grouped
    a, b = sx.span(r1, r2)
    if sx.text.find('hidden="', a, b) < 0 and sx.text.find('outlineLevel="', a, b) < 0:
        return hidden, grouped  # (one search in C each: most tables hide and group no row)
    if not any(sx.text.find(flag, a, b) >= 0 for flag in _FLAGS):
        return hidden, grouped  # (a search a flag: LibreOffice's rows, each saying it is neither)

    def show(m: re.Match) -> str:
        tag = m.group()
        if not _ANY.search(tag):  # (one search a row: LibreOffice writes hidden="false" on every row)
            return tag
        row = int(_R.search(tag).group(1))
        if kept is not None and kept(row):
            tags[row] = tag
            kept.hidden += [row] if _HIDDEN.search(tag) else []
            return tag
        hidden.extend([row] if _HIDDEN.search(tag) else [])
        grouped.extend([row] if _LEVEL.search(tag) else [])
        shown = _LEVEL.sub("", re.sub(r'\shidden="[^"]*"', "", tag))
        if row - 1 in tags and _LEVEL.search(tags[row - 1]):  # (the group above kept: its collapsed mark too)
            tags[row] = shown
            return shown
        return _COLLAPSED.sub("", shown)

    p = re.escape(sx.p)
    sx.text = sx.text[:a] + re.sub(rf"<{p}row\b[^>]*?>", show, sx.text[a:b]) + sx.text[b:]
    sx.data_end = sx.text.rindex(f"</{sx.p}sheetData>")
    if tags:  # (for the rewrite of those rows to give them back: flags_kept)
        sx.kept_tags = tags
    if grouped:  # (the depth a single digit, 0 to 7: written in place, no position before the rows moves)
        depth = max(map(int, re.findall(r'\soutlineLevel="(\d)"', sx.text[sx.data_start:sx.data_end])), default=0)
        sx.text = re.sub(rf'(<{p}sheetFormatPr\b[^>]*?\soutlineLevelRow=")\d(")', rf"\g<1>{depth}\g<2>", sx.text,
                         count=1)
    return hidden, grouped


def flags_kept(sx, r1: int, r2: int) -> bool:
    """Once rows *r1*..*r2* of *sx* are written again, give the rows :func:`show_rows` kept their ``<row>`` tags
    back (hidden by a filter, grouped in an outline, for the line they still hold): whether there were any (then
    the rows hold more than the table's cells written afresh: no seal speaks for them)."""
    tags = sx.__dict__.pop("kept_tags", None)
    if not tags:
        return False
    a, b = sx.span(r1, r2)
    p = re.escape(sx.p)
    sx.text = sx.text[:a] + re.sub(rf"<{p}row\b[^>]*?>", lambda m: tags.get(int(_R.search(m[0])[1]), m[0]),
                                   sx.text[a:b]) + sx.text[b:]
    sx.data_end = sx.text.rindex(f"</{sx.p}sheetData>")
    return True


def own_formats(sx, table: Table, last: int, lost: Sequence[int] = ()) -> tuple[list[str], list[str]]:
    """The cells of *table*'s lines (to *last*) in the sheet *sx* formatted by hand, which the rewrite writes in
    their column's style (its first line's), in whatever row their line goes to: (those of a line highlighted, a
    fill or bold, whose style is not their column's; the first line's cells whose style is not that of most of
    their column's, which the rewrite then writes down the whole column).  Cells whose attributes do not begin with
    ``r`` and ``s`` (as Excel and LibreOffice write them) are not seen; none in rows a seal speaks for.  A column
    of *lost* (:func:`~xlpy.workbook.style_map.lost_columns`: its first line's format cleared) is written in the
    layout's style, not its first line's: that line is not said to be the whole column's (review 161)."""
    if sx.sealed is not None or last <= table.first_row:
        return [], []
    cols = range(table.first_col, table.first_col + len(table.columns))
    first = {get_column_letter(c): sx.style_of(table.first_row, c) or "0" for c in cols}
    a, b = sx.span(table.first_row + 1, last)
    if a >= b:
        return [], []
    alts = "|".join(rf'{letter}\d+" s="(?!{style}")' for letter, style in first.items())
    found: dict[str, list[tuple[str, str]]] = {}
    for m in re.compile(rf'<{re.escape(sx.p)}c r="((?:{alts}))(\d+)"').finditer(sx.text, a, b):
        ref = m[1][:m[1].index('"')]
        found.setdefault(ref.rstrip("0123456789"), []).append((ref, m[2]))
    lines, cells, spread = last - table.first_row, [], []
    for letter, held in found.items():
        if 2 * len(held) <= lines or lines < 2:  # (most of the column in its first line's style: these are marked)
            cells += [ref for ref, _ in held]
            continue
        most = Counter(style for _, style in held).most_common(1)[0][0]  # (the first line is odd: said so)
        if column_index_from_string(letter) not in lost:  # (a first line that lost its format spreads nothing)
            spread.append(f"{letter}{table.first_row}")
        cells += [ref for ref, style in held if style != most]
    return sorted(cells, key=lambda ref: (int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), ref)), sorted(spread)


def _formats_below(sx, sheet: str, table: Table, last: int) -> list[str]:
    """The report line of the cells below *table*'s lines, to row *last* (the end it grows to), formatted by hand (a
    style neither the default nor their column's first line's, as :func:`own_formats` reads them), which the
    rewrite, growing the table over them, writes in their column's style (review 154: lost without a word)."""
    a, b = sx.span(table.last_row + 1, last) if last > table.last_row else (0, 0)
    if a >= b:
        return []
    alts = "|".join(rf'{get_column_letter(c)}\d+" s="(?!(?:{sx.style_of(table.first_row, c) or "0"}|0)")'
                    for c in range(table.first_col, table.first_col + len(table.columns)))
    found = re.compile(rf'<{re.escape(sx.p)}c r="((?:{alts}))').finditer(sx.text, a, b)
    cells = [m[1][:m[1].index('"')] for m in found]
    return [f"{sheet}: cells below the table {table.name} formatted by hand ({_listed(cells)}), which it now grows "
            "over, are written in their column's format: format again the cells you marked"] if cells else []


class LinesKept:
    """Whether a row of *old* (a layout table as the *book* holds it on *sheet*) holds the same line once *rows*
    are written as *new*: each of its input cells as the book holds them now the line's value for it (numbers
    alike whatever their type, a date alike as a day or a date-time at midnight).  The book's rows are read once,
    on the first row asked about (:func:`show_rows` asks of the hidden and grouped rows alone, and lists in
    :attr:`hidden` those of the rows keeping their line that are hidden)."""

    def __init__(self, book, sheet: str, old: Table, new: Table, rows: Sequence[tuple]):
        self.book, self.sheet, self.old, self.new, self.lines = book, sheet, old, new, rows
        self.inputs = [i for i, c in enumerate(old.columns) if c.formula is None]
        self.held: list[list[object]] | None = None
        #: The rows keeping their line that are hidden (:func:`show_rows` says which): they stay hidden.
        self.hidden: list[int] = []

    def __call__(self, row: int) -> bool:
        i = row - self.new.first_row
        if not (0 <= i < len(self.lines) and row <= min(self.new.last_row, self.old.last_row)):
            return False
        if self.held is None:
            first, last = (get_column_letter(self.old.first_col + j) for j in (0, len(self.old.columns) - 1))
            self.held = self.book.get_rows(self.sheet, f"{first}{self.old.first_row}:{last}{self.old.last_row}")
        held = self.held[row - self.old.first_row]
        return [_cell(held[j]) for j in self.inputs] == [_cell(v) for v in self.lines[i]]


def _cell(value: object) -> object:
    """*value* as a cell holds it, for comparing: a number as a float, a date-time at midnight as its day, "" as
    nothing."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return None if value == "" else value


def shown_again(book, sheet: str, table: Table, last: int, new: Table | None = None,
                rows: Sequence[tuple] | None = None) -> list[str]:
    """Show the hidden rows among *table*'s rows to *last* before they are rewritten, and take them out of any
    outline (a filter hid them, an outline gathered them, for the lines they held), but those that keep their line
    once *rows* are written as *new* (:class:`LinesKept`; given neither, none); and drop a sort Excel recorded on
    it (the lines are written in the table's own order, :data:`ORDER`): the report lines, saying to reapply a
    filter, an outline or a sort."""
    unsort = getattr(book, "unsort", None)  # a file; a live book keeps its sort as Excel holds it
    criteria = getattr(book, "table_criteria", None)
    filters, sorts = (criteria(sheet, table.name) if criteria is not None else None) or ((), ())
    # (a filter or sort on a column taken out of the table goes with it: columns_out says so)
    ours = range(table.first_col, table.first_col + len(table.columns))
    sorted_ = bool(unsort) and unsort(sheet, table.name)
    notes = [(f"{sheet}: the table {table.name} was sorted: its lines are written in the table's own order "
              f"({ORDER.get(table.name, 'their file')}), and its sort was dropped; sort it again to see them "
              "otherwise")] if sorted_ and (not sorts or set(sorts) & set(ours)) else []
    if hasattr(book, "sheet_xml"):  # (a file's: its cells' styles read from its text)
        sx = book.sheet_xml(sheet)
        notes += _formats_said(sheet, table, *own_formats(sx, table, min(last, table.last_row), _lost(book, sx, table)))
        notes += _formats_below(sx, sheet, table, last)
    show = getattr(book, "show_rows", None)  # a package on disk; a live book keeps its rows as Excel filters them
    if show is None:  # (Excel applies a filter again to the lines written, where it says the table has one, and
        if (filtered := getattr(book, "filtered", None)) is not None:  # says so after: XlwingsBook.said)
            filtered(sheet, table.name)
        return notes
    kept = LinesKept(book, sheet, table, new, rows) if new is not None and rows is not None else None
    hidden, grouped = show(sheet, table.first_row, last, kept)
    end = kept.new.last_row if kept is not None else last
    why = "as the rewrite puts other lines in them" + (
        f", or none past the table's new end (row {end})" if any(r > end for r in hidden + grouped) else "")
    filtered = bool(set(filters) & set(ours))
    listed = _rows_listed(hidden)
    shown = f"the rows it hid ({listed}) were shown again, {why}" if hidden else ""
    stay = "the rows it hid whose lines stay where they were stay hidden" if kept is not None and kept.hidden else ""
    both = bool(grouped) and not filtered and set(hidden) <= set(grouped)  # (a group collapsed: one line says it)
    outline = [(f"{sheet}: rows of the table {table.name} grouped in an outline ({_rows_listed(grouped)}) were "
                f"ungrouped{' and shown again' if both and hidden else ''}, {why}: group again (Data > Group) the "
                "rows of the lines you want grouped")] if grouped else []
    if filtered:
        said = "; ".join(filter(None, (shown, stay)))
        return notes + [(f"{sheet}: the table {table.name} is filtered: {said + '; ' if said else ''}reapply its "
                         "filter (Data > Reapply) to hide the lines its criteria select: Excel does not reapply it "
                         "when it opens the file")] + outline
    return notes + ([f"{sheet}: hidden rows of the table {table.name} ({listed}) were shown again, {why}"]
                    if hidden and not both else []) + outline


def _lost(book, sx, table: Table) -> list[int]:
    """The columns of *table* a rewrite writes in the layout's style, their first line's format lost
    (:func:`~xlpy.workbook.style_map.lost_columns`); none where the style sheet cannot be read."""
    from .package import PackageError
    from .style_map import lost_columns

    try:
        return lost_columns(book.pkg, sx, table)
    except (PackageError, UnicodeDecodeError):
        return []


def _formats_said(sheet: str, table: Table, cells: list[str], spread: list[str]) -> list[str]:
    """The report lines of *table*'s cells formatted by hand (:func:`own_formats`)."""
    order = ORDER.get(table.name, "their file's")
    return ([f"{sheet}: cells of the table {table.name} formatted by hand ({_listed(cells)}) are written in their "
             f"column's format again: the rewrite writes each column in one format, its lines in the table's own "
             f"order ({order}); format again the lines you marked"] if cells else []) + (
        [f"{sheet}: the format of the first line of the table {table.name} ({', '.join(spread)}), not that of the "
         "rest of its column, is now the whole column's: the rewrite writes each column in its first line's format; "
         "if it marked that line alone, take it off the column (Home tab)"] if spread else [])


def _rows_listed(rows: list[int]) -> str:
    """``25, 26, 27``; past :data:`SHOWN` rows, ``... and 1 more``."""
    return _listed(list(map(str, rows)))


def _listed(items: list[str]) -> str:
    """``B30, D40``; past :data:`SHOWN` items, ``... and 1 more``."""
    return ", ".join(items[:SHOWN]) + (f" and {len(items) - SHOWN:,} more" if len(items) > SHOWN else "")
