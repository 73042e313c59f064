"""Where a worksheet's ``sheetData`` (its rows) begins and ends, however XML lets its tags be spelled.

:class:`xlpy.workbook.package.SheetXml` edits a worksheet as text.  Excel writes
``<sheetData>...</sheetData>`` (or ``<sheetData/>`` when there are no rows), but
XML also allows ``</sheetData >``, a line break before the ``>``, or
``<sheetData />``: each is found here and written back as Excel writes it, so
the edits that follow find the tags where they look for them.
"""

from __future__ import annotations

import re

__all__ = ["bounds"]

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
