"""A table part (``xl/tables/tableN.xml``) set to the layout's range and columns, as a refresh writes the table.

A column typed beside a table is taken into it by Excel: its range grows by a
column and ``<tableColumns>`` gains a ``<tableColumn>`` named by its header.
A refresh writes the table to the layout's range again, and so to the layout's
columns too: a part whose range is 11 columns wide and whose columns are 12 is
one Excel repairs on opening ("Removed Feature: Table"), the table gone.  The
part's first columns, the layout's, are kept as it held them (Excel's own ids
and formats of them, a header renamed as the sheet holds it) and the rest taken
out; a part holding fewer is given the layout's as a build writes them.  A
filter on a column taken out of the table goes with it.  Each column is kept by
its place on the sheet: a table resized to start left of the layout's first
column (Table Design > Resize Table) keeps the layout's columns, not its first.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from openpyxl.utils.cell import column_index_from_string, range_boundaries

from .layout import Table

__all__ = ["columns_listed", "criteria", "openpyxl_criteria", "set_openpyxl_columns", "set_table_ref"]

_COLUMNS = re.compile(r"<(\w+:|)tableColumns\b[^>]*?(?:/>|>(.*?)</\1tableColumns\s*>)", re.S)
_COLUMN = re.compile(r"<(\w+:|)tableColumn\b([^>]*?)(?:/>|>.*?</\1tableColumn\s*>)", re.S)
_FILTER = re.compile(r"<(\w+:|)filterColumn\b([^>]*?\scolId\s*=\s*[\"'])(\d+)([\"'][^>]*?)"
                     r"(/>|>(.*?)</\1filterColumn\s*>)", re.S)
_SORT_BY = re.compile(r"<(?:\w+:)?sortCondition\b[^>]*?\sref\s*=\s*[\"']\$?([A-Za-z]+)", re.S)


def _left(text: str, tag: str) -> int | None:
    """The first column (B is 2) of the range of the part's first element *tag* (``table``, ``autoFilter``)."""
    m = re.search(rf'<(?:\w+:)?{tag}\b[^>]*?\sref="\$?([A-Za-z]+)', text)
    return column_index_from_string(m.group(1).upper()) if m else None


def criteria(xml: bytes) -> tuple[set[int], set[int]]:
    """The columns (B is 2) a table part's filter holds criteria on (a ``<filterColumn>`` with some: one that only
    hides its button filters nothing), and those its sort sorts by."""
    text = xml.decode("utf-8")
    left = _left(text, "autoFilter") or _left(text, "table") or 1
    filters = {left + int(m[3]) for m in _FILTER.finditer(text) if "<" in (m[6] or "")}
    return filters, {column_index_from_string(c.upper()) for c in _SORT_BY.findall(text)}


def openpyxl_criteria(xt) -> tuple[set[int], set[int]]:
    """:func:`criteria` of the openpyxl table *xt*."""
    f = xt.autoFilter
    left = range_boundaries((f.ref if f is not None and f.ref else xt.ref).replace("$", ""))[0]
    filters = {left + c.colId for c in (f.filterColumn if f is not None else [])
               if any(getattr(c, k) is not None for k in ("filters", "top10", "customFilters", "dynamicFilter",
                                                           "colorFilter", "iconFilter"))}
    sorts = [s for s in (xt.sortState, f.sortState if f is not None else None) if s is not None]
    return filters, {range_boundaries(c.ref.replace("$", ""))[0] for s in sorts for c in s.sortCondition if c.ref}


def columns_listed(xml: bytes) -> int:
    """How many columns a table part lists (its ``<tableColumn>`` elements)."""
    found = _COLUMNS.search(xml.decode("utf-8"))
    return len(_COLUMN.findall(found.group(2) or "")) if found else 0


def set_table_ref(xml: bytes, table: Table) -> bytes:
    """A table part with its range (and its autofilter's) set to *table*'s, and its columns to *table*'s."""
    ref = table.ref
    text = xml.decode("utf-8")
    held, filtered = _left(text, "table"), _left(text, "autoFilter")
    text = re.sub(r'(<(?:\w+:)?table\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{ref}\g<2>", text, count=1)
    text = re.sub(r'(<(?:\w+:)?autoFilter\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{ref}\g<2>", text, count=1)
    held = held or table.first_col
    return _layout_columns(text, table, held, filtered or held).encode("utf-8")


def _layout_columns(text: str, table: Table, held_left: int, filter_left: int) -> str:
    """*text*'s ``<tableColumns>`` those of *table* (its columns held from *held_left*), and no filter on a column
    outside them (its ``colId`` counted from *filter_left*, as the part's filter range held it)."""
    found = _COLUMNS.search(text)
    if found is None:
        return text
    p = found.group(1)
    held = list(_COLUMN.finditer(found.group(2) or ""))
    names = [c.header for c in table.columns]
    start = table.first_col - held_left  # (the place among those held of the layout's first column)
    count = re.search(r"""\scount\s*=\s*["'](\d+)["']""", found.group(0)[:found.group(0).find(">")])
    if start == 0 and len(held) == len(names) and count is not None and int(count[1]) == len(names):
        columns = found.group(0)  # (the layout's already: byte for byte as it was)
    else:  # (a column outside them taken out; one missing: all written as a build writes them, numbered by place)
        kept = [c.group(0) for c in held[start:start + len(names)]] if 0 <= start <= len(held) - len(names) else [
            f'<{p}tableColumn id="{table.first_col + i}" name="{escape(h, {chr(34): "&quot;"})}"/>'
            for i, h in enumerate(names)]
        columns = f'<{p}tableColumns count="{len(names)}">{"".join(kept)}</{p}tableColumns>'
    text = text[:found.start()] + columns + text[found.end():]

    def moved(m: re.Match) -> str:  # (a filter's column counted from the layout's first column)
        at = filter_left + int(m[3]) - table.first_col
        return "" if not 0 <= at < len(names) else m.group(0) if at == int(m[3]) else (
            f"<{m[1]}filterColumn{m[2]}{at}{m[4]}{m[5]}")

    unfiltered = _FILTER.sub(moved, text)
    if unfiltered == text:
        return text
    return re.sub(r"<((?:\w+:)?autoFilter\b[^>]*?)>\s*</(?:\w+:)?autoFilter\s*>", r"<\1/>", unfiltered, count=1)


def set_openpyxl_columns(xt, table: Table, held_left: int, filter_left: int) -> None:
    """The openpyxl table *xt* (its range already *table*'s; its columns held from *held_left*, its filter's from
    *filter_left*) with *table*'s columns (:func:`set_table_ref`)."""
    from openpyxl.worksheet.table import TableColumn

    names = [c.header for c in table.columns]
    held = list(xt.tableColumns)
    start = table.first_col - held_left
    if 0 <= start <= len(held) - len(names):
        xt.tableColumns = held[start:start + len(names)]
    else:
        xt.tableColumns = [TableColumn(id=table.first_col + i, name=h) for i, h in enumerate(names)]
    if xt.autoFilter is not None:
        kept = []
        for f in xt.autoFilter.filterColumn:
            f.colId = filter_left + f.colId - table.first_col
            kept += [f] if 0 <= f.colId < len(names) else []
        xt.autoFilter.filterColumn = kept
