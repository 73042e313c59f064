"""Where a worksheet's ``sheetData`` (its rows) begins and ends, however XML lets its tags be spelled.

:class:`xlpy.workbook.package.SheetXml` edits a worksheet as text.  Excel writes
``<sheetData>...</sheetData>`` (or ``<sheetData/>`` when there are no rows), but
XML also allows ``</sheetData >``, a line break before the ``>``, or
``<sheetData />``: each is found here and written back as Excel writes it, so
the edits that follow find the tags where they look for them.  The text
around the rows is edited here too: the ``<dimension>`` and the data
validations' ranges (:func:`dimension_to`, :func:`ranges_sub`), in the few
KB before and after a long table's rows when they are joined, not in a copy
of the whole text made again afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["bounds", "dimension_to", "first_row", "ranges_sub"]

#: What may follow an end tag's name before its ``>`` (XML's white space).
_SPACE = re.compile(r"[ \t\r\n]*>")


def bounds(text: str, p: str) -> tuple[str, int, int] | None:
    """(*text* with its sheetData's tags as Excel spells them, the position just after the opening tag, that of the
    closing tag), for the sheetData element of prefix *p* (``""`` or ``"x:"``); None when there is none so spelled
    (another prefix, or cut off before its end)."""
    opening = re.compile(rf"<{re.escape(p)}sheetData(?=[ \t\r\n/>])[^>]*>").search(text)
    if opening is None:
        return None
    if opening.group().endswith("/>"):  # no rows: opened and closed, so rows can be put between
        tags = f"<{p}sheetData></{p}sheetData>"
        text = text[:opening.start()] + tags + text[opening.end():]
        start = opening.start() + len(p) + len("<sheetData>")
        return text, start, start
    start = opening.end()
    close = f"</{p}sheetData"
    at = text.rfind(close, start)
    end = _SPACE.match(text, at + len(close)) if at >= 0 else None
    if end is None:
        return None
    if end.end() - at != len(close) + 1:  # (white space before the ">": written without it)
        text = text[:at] + close + ">" + text[end.end():]
    return text, start, at


#: Below this many characters between its ends a bisection of the rows walks them instead (a few rows).
_WALK = 512


def first_row(text: str, tag: str, start: int, end: int, r1: int, row_at: Callable[[int], int]) -> int:
    """The position in *text* of the first row element numbered *r1* or more between *start* and *end* (*end*
    when there is none); *tag* is the row's start tag as the sheet spells it (``"<row"``), *row_at* the number of
    the row starting at a position.  The rows are in ascending order, as Excel writes and requires them, so the
    text is bisected: a row past a 100,000-line table is found in some 20 looks, not 100,000."""
    lo, hi = start, end  # rows before lo are numbered below r1; the first row at or after hi is r1 or more
    while hi - lo > _WALK:
        mid = (lo + hi) // 2
        q = _next_row(text, tag, mid, end)
        if q < 0 or q >= hi or row_at(q) >= r1:  # (q >= hi: no row starts between mid and hi)
            hi = mid
        else:
            lo = q + 1
    q = _next_row(text, tag, lo, end)
    while q >= 0 and row_at(q) < r1:
        q = _next_row(text, tag, q + 1, end)
    return end if q < 0 else q


def _next_row(text: str, tag: str, pos: int, end: int) -> int:
    """The position of the first row start tag at or after *pos* and before *end*, -1 if none (``<rowBreaks``
    and the like are passed over)."""
    q = text.find(tag, pos, end)
    while q >= 0 and text[q + len(tag)] not in " >/":
        q = text.find(tag, q + 1, end)
    return q


def ranges_sub(text: str, prefix: str, element: str, attr: str, ranges: dict[str, str]) -> tuple[str, int]:
    """*text* with every *element* whose *attr* lists a range of *ranges* given its new range; and how many changed."""
    pat = re.compile(rf'(<{re.escape(prefix)}{element}\b[^>]*?\s{attr}=")([^"]*)(")')
    n = 0

    def sub(m):
        nonlocal n
        parts = m.group(2).split()
        if not any(x in ranges for x in parts):
            return m.group()
        n += 1
        return m.group(1) + " ".join(ranges.get(x, x) for x in parts) + m.group(3)

    return pat.sub(sub, text), n


def dimension_to(head: str, prefix: str, last: int) -> str:
    """A sheet's *head* (the text before its rows) with its ``<dimension>`` ending at row *last*."""
    m = re.search(rf'<{re.escape(prefix)}dimension\b[^>]*\sref="[^":]+:[A-Z]+(\d+)"', head)
    return head if m is None or int(m.group(1)) == last else head[:m.start(1)] + str(last) + head[m.end(1):]
