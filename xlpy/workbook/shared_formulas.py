"""Shared formulas in a worksheet part, and how to write over some of their cells safely.

Excel stores a filled-down run of formulas as one *shared formula*
(ECMA-376 Part 1, 18.3.1.40): the first cell (the master) holds
``<f t="shared" ref="G21:G319" si="0">text</f>``, every other cell of the run
``<f t="shared" si="0"/>``, and takes the master's text with its relative
references shifted to its own cell.

When the refresh replaces cells, a group wholly inside the replaced area goes
with them, and a group wholly outside is untouched.  A group that *crosses*
the area's edge would lose its master (or some of its members) and leave the
rest meaning nothing, so :func:`unshare_crossing` first writes each cell of
such a group out as an ordinary formula (the same formula, spelt out):
nothing outside the area changes meaning, and Excel reads the result as it
reads any formula.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from openpyxl.utils.cell import coordinate_to_tuple

from .formula_text import shifted
from .xml_text import unescape

__all__ = ["member_formula", "unshare_crossing"]

_CELL = re.compile(r"<(?P<p>\w+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?c>)", re.DOTALL)
_F = re.compile(r"<(?P<p>\w+:)?f\b(?P<attrs>[^>]*?)(?:/>|>(?P<text>.*?)</(?P=p)?f>)", re.DOTALL)
_REF = re.compile(r'\sr="([A-Z]+\d+)"')
_SI = re.compile(r'\ssi="(\d+)"')
_F_OPEN = re.compile(r"<(\w+:)?f\s")
_F_REF = re.compile(r'\sref="([^"]*)"')

Area = tuple[int, int, int, int]  # first row, last row, first column, last column


def _inside(ref: str, area: Area) -> bool:
    row, col = coordinate_to_tuple(ref)
    r1, r2, c1, c2 = area
    return r1 <= row <= r2 and c1 <= col <= c2


def _masters_cross(text: str, start: int, area: Area) -> bool:
    """Whether a shared group crosses *area*'s edge, judged from its master's ``ref``.

    Each master carries the range its group spans (``ref``, 18.3.1.40): a
    group whose range lies wholly inside or wholly outside the area cannot
    cross it.  Only the masters are looked at (found by ``str.find`` of
    ``ref="``, which cells never hold), so a table of 100,000 shared cells
    costs one scan, not a parse.  A group without a master is never spelt
    out (there is no text to spell), so it needs no look either.
    """
    r1, r2, c1, c2 = area
    at = text.find('ref="', start)
    while at >= 0:
        open_at = text.rfind("<", 0, at)
        tag = text[open_at:text.index(">", at)]
        if _F_OPEN.match(tag) and 't="shared"' in tag:
            ref = _F_REF.search(tag).group(1)
            try:
                lo, hi = (coordinate_to_tuple(x) for x in (ref.split(":") + [ref])[:2])
            except (ValueError, TypeError):
                return True  # a range not understood: the careful way decides
            inside = r1 <= lo[0] and hi[0] <= r2 and c1 <= lo[1] and hi[1] <= c2
            apart = hi[0] < r1 or lo[0] > r2 or hi[1] < c1 or lo[1] > c2
            if not (inside or apart):
                return True
        at = text.find('ref="', at + 5)
    return False


def unshare_crossing(text: str, area: Area) -> str:
    """Worksheet XML *text* with every shared-formula group that crosses *area*'s edge written out cell by cell."""
    if 't="shared"' not in text:
        return text
    start = text.find("sheetData")
    if start < 0 or not _masters_cross(text, start, area):
        return text
    groups: dict[str, dict] = {}
    for m in _CELL.finditer(text, start):
        body = m.group("body")
        if not body or 'shared' not in body:
            continue
        f = _F.search(body)
        if f is None or 't="shared"' not in f.group("attrs"):
            continue
        si, ref = _SI.search(f.group("attrs")), _REF.search(m.group("attrs"))
        if si is None or ref is None:
            continue
        g = groups.setdefault(si.group(1), {"master": None, "inside": False, "outside": False})
        if f.group("text"):
            g["master"] = (ref.group(1), unescape(f.group("text")))
        g["inside" if _inside(ref.group(1), area) else "outside"] = True
    crossing = {si: g["master"] for si, g in groups.items() if g["inside"] and g["outside"] and g["master"]}
    if not crossing:
        return text

    def cell(m: re.Match) -> str:
        body = m.group("body")
        if not body or "shared" not in body:
            return m.group()
        f = _F.search(body)
        si, ref = _SI.search(f.group("attrs")) if f else None, _REF.search(m.group("attrs"))
        if f is None or si is None or ref is None or si.group(1) not in crossing:
            return m.group()
        origin, formula = crossing[si.group(1)]
        p = f.group("p") or ""
        attrs = re.sub(r'\s(t|ref|si)="[^"]*"', "", f.group("attrs"))
        mine = escape(shifted(formula, origin, ref.group(1)))
        new_f = f"<{p}f{attrs}>{mine}</{p}f>"
        body = body[:f.start()] + new_f + body[f.end():]
        p = m.group("p") or ""
        return f"<{p}c{m.group('attrs')}>{body}</{p}c>"

    return text[:start] + _CELL.sub(cell, text[start:])


def member_formula(text: str, attrs: str, ref: str, masters: dict[str, tuple[str, str] | None]) -> str | None:
    """The formula (without ``=``) of the cell *ref* of worksheet XML *text* whose ``<f>`` element is a shared
    one's member (``<f t="shared" si="0"/>``, its attributes *attrs*): its master's text moved to *ref*; None when
    *text* holds no master of its group.  *masters* keeps each group's master found (its cell and text), so a run
    of members costs one search of the sheet."""
    si = _SI.search(attrs)
    if si is None or 't="shared"' not in attrs:
        return None
    if si.group(1) not in masters:
        pattern = rf'<(?:\w+:)?f\b(?=[^>]*\st="shared")(?=[^>]*\ssi="{si.group(1)}")[^>]*?(?<!/)>(.*?)</(?:\w+:)?f>'
        m = re.search(pattern, text, re.DOTALL)
        at = max(text.rfind("<c ", 0, m.start()), text.rfind(":c ", 0, m.start())) if m else -1
        origin = _REF.search(text[at:text.index(">", at)]) if at >= 0 else None
        masters[si.group(1)] = (origin.group(1), unescape(m.group(1))) if origin else None
    master = masters[si.group(1)]
    return shifted(master[1], master[0], ref) if master else None
