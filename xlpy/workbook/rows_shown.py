"""The rows of a table a refresh rewrites, shown and ungrouped first, in a file's worksheet XML.

A refresh writes other lines into a table's rows (:func:`xlpy.workbook.table_edits.shown_again`).  A row a
filter or a person hid, or an outline (Data > Group) gathered, was hidden or grouped for the line it held: the
rewrite would hide another line, or group lines that have nothing to do with each other.  So each of those rows
is shown and taken out of its outline (its ``hidden``, ``outlineLevel`` and ``collapsed`` flags cleared), and the
sheet's outline depth (``<sheetFormatPr outlineLevelRow>``) follows the rows still grouped elsewhere on it.
"""

from __future__ import annotations

import re

__all__ = ["show_rows"]

_R = re.compile(r'\sr="(\d+)"')
_HIDDEN = re.compile(r'\shidden="(?:1|true)"')
_LEVEL = re.compile(r'\soutlineLevel="[1-9]"')
_COLLAPSED = re.compile(r'\scollapsed="(?:1|true)"')
_ANY = re.compile(r'\s(?:hidden="(?:1|true)"|outlineLevel="[1-9]"|collapsed="(?:1|true)")')
#: What :data:`_ANY` finds, each found by a plain search first (LibreOffice writes ``hidden="false"`` and
#: ``outlineLevel="0"`` on every row: a 100,000-line table saved by it was gone through row by row).
_FLAGS = ('hidden="1"', 'hidden="true"', 'collapsed="1"', 'collapsed="true"') + tuple(
    f'outlineLevel="{d}"' for d in "123456789")


def show_rows(sx, r1: int, r2: int) -> tuple[list[int], list[int]]:
    """Show rows *r1*..*r2* of the sheet *sx* (a :class:`~xlpy.workbook.package.SheetXml`) and take them out of
    any outline: (the rows that were hidden, those that were grouped); none in rows a seal speaks for (the table
    as the last refresh wrote it, nobody having written the sheet since)."""
    hidden: list[int] = []
    grouped: list[int] = []
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
        hidden.extend([row] if _HIDDEN.search(tag) else [])
        grouped.extend([row] if _LEVEL.search(tag) else [])
        return _COLLAPSED.sub("", _LEVEL.sub("", re.sub(r'\shidden="[^"]*"', "", tag)))

    p = re.escape(sx.p)
    sx.text = sx.text[:a] + re.sub(rf"<{p}row\b[^>]*?>", show, sx.text[a:b]) + sx.text[b:]
    sx.data_end = sx.text.rindex(f"</{sx.p}sheetData>")
    if grouped:  # (the depth a single digit, 0 to 7: written in place, no position before the rows moves)
        depth = max(map(int, re.findall(r'\soutlineLevel="(\d)"', sx.text[sx.data_start:sx.data_end])), default=0)
        sx.text = re.sub(rf'(<{p}sheetFormatPr\b[^>]*?\soutlineLevelRow=")\d(")', rf"\g<1>{depth}\g<2>", sx.text,
                         count=1)
    return hidden, grouped
