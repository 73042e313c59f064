"""A table part (``xl/tables/tableN.xml``) set to the layout's range and columns, as a refresh writes the table.

A column typed beside a table is taken into it by Excel: its range grows by a
column and ``<tableColumns>`` gains a ``<tableColumn>`` named by its header.
A refresh writes the table to the layout's range again, and so to the layout's
columns too: a part whose range is 11 columns wide and whose columns are 12 is
one Excel repairs on opening ("Removed Feature: Table"), the table gone.  The
part's first columns, the layout's, are kept as it held them (Excel's own ids
and formats of them, a header renamed as the sheet holds it) and the rest taken
out; a part holding fewer is given the layout's as a build writes them.  A
filter on a column taken out of the table goes with it.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from .layout import Table

__all__ = ["columns_listed", "set_openpyxl_columns", "set_table_ref"]

_COLUMNS = re.compile(r"<(\w+:|)tableColumns\b[^>]*?(?:/>|>(.*?)</\1tableColumns\s*>)", re.S)
_COLUMN = re.compile(r"<(\w+:|)tableColumn\b([^>]*?)(?:/>|>.*?</\1tableColumn\s*>)", re.S)
_FILTER = re.compile(r"<(\w+:|)filterColumn\b[^>]*?\scolId\s*=\s*[\"'](\d+)[\"'][^>]*?(?:/>|>.*?</\1filterColumn\s*>)",
                     re.S)


def columns_listed(xml: bytes) -> int:
    """How many columns a table part lists (its ``<tableColumn>`` elements)."""
    found = _COLUMNS.search(xml.decode("utf-8"))
    return len(_COLUMN.findall(found.group(2) or "")) if found else 0


def set_table_ref(xml: bytes, table: Table) -> bytes:
    """A table part with its range (and its autofilter's) set to *table*'s, and its columns to *table*'s."""
    ref = table.ref
    text = xml.decode("utf-8")
    text = re.sub(r'(<(?:\w+:)?table\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{ref}\g<2>", text, count=1)
    text = re.sub(r'(<(?:\w+:)?autoFilter\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{ref}\g<2>", text, count=1)
    return _layout_columns(text, table).encode("utf-8")


def _layout_columns(text: str, table: Table) -> str:
    """*text*'s ``<tableColumns>`` those of *table*, and no filter on a column past them."""
    found = _COLUMNS.search(text)
    if found is None:
        return text
    p = found.group(1)
    held = list(_COLUMN.finditer(found.group(2) or ""))
    names = [c.header for c in table.columns]
    count = re.search(r"""\scount\s*=\s*["'](\d+)["']""", found.group(0)[:found.group(0).find(">")])
    if len(held) == len(names) and count is not None and int(count[1]) == len(names):
        columns = found.group(0)  # (the layout's already: byte for byte as it was)
    else:  # (a column past them taken out; too few: written as a build writes them, numbered by their place)
        kept = [c.group(0) for c in held[:len(names)]] if len(held) >= len(names) else [
            f'<{p}tableColumn id="{table.first_col + i}" name="{escape(h, {chr(34): "&quot;"})}"/>'
            for i, h in enumerate(names)]
        columns = f'<{p}tableColumns count="{len(names)}">{"".join(kept)}</{p}tableColumns>'
    text = text[:found.start()] + columns + text[found.end():]
    return _FILTER.sub(lambda m: "" if int(m[2]) >= len(names) else m.group(0), text)


def set_openpyxl_columns(xt, table: Table) -> None:
    """The openpyxl table *xt* (its range already *table*'s) with *table*'s columns (:func:`set_table_ref`)."""
    from openpyxl.worksheet.table import TableColumn

    names = [c.header for c in table.columns]
    held = list(xt.tableColumns)
    if len(held) >= len(names):
        xt.tableColumns = held[:len(names)]
    else:
        xt.tableColumns = [TableColumn(id=table.first_col + i, name=h) for i, h in enumerate(names)]
    if xt.autoFilter is not None:
        xt.autoFilter.filterColumn = [f for f in xt.autoFilter.filterColumn if f.colId < len(names)]
