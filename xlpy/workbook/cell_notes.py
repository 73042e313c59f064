"""Notes (comments) and hyperlinks a person put on a sheet's cells, read so a refresh can name those that now sit
on another holder's line.

A refresh rewrites the holder table's lines; a note or a link stays on its
cell, as Excel keeps it there when values change under it.  When the lines
move, a note about one holder ends up on another's: :func:`of_book` gives
what is attached to each cell, for :func:`xlpy.workbook.table_edits.moved_notes`
to report.  A file (its package), an openpyxl book and a live Excel book
(nothing is read there: Excel shows its own notes) say the same.
"""

from __future__ import annotations

import re

from defusedxml.ElementTree import fromstring as _parse_xml  # a workbook is untrusted input

__all__ = ["of_book"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: Shown at most this many characters of a note or a link.
_SHOWN = 60


def of_book(book, sheet: str) -> dict[str, list[str]]:
    """Cell (``C25``) -> what is attached to it, in words (``the note 'call about the certificate'``,
    ``the link to 'https://...'``); empty when the book cannot say."""
    pkg = getattr(book, "pkg", None)
    if pkg is not None and hasattr(book, "sheet_part"):
        sx = book.sheet_xml(sheet)  # the text the book already holds: the part is not unpacked again
        return _of_package(pkg, book.sheet_part(sheet), sx.text[sx.data_end:])
    wb = getattr(book, "wb", None)
    if wb is not None and hasattr(wb, "sheetnames") and sheet in wb.sheetnames:
        return _of_openpyxl(wb[sheet])
    return {}


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…")


def _add(out: dict[str, list[str]], ref: str, what: str) -> None:
    out.setdefault(ref.replace("$", "").upper(), []).append(what)


def _of_package(pkg, part: str, after_data: str) -> dict[str, list[str]]:
    """The notes of *part*'s comments part and the links of its text after the cells (*after_data*)."""
    out: dict[str, list[str]] = {}
    rels = {rid: (kind, target) for rid, kind, target in pkg.relationships(part)}
    for kind, target in rels.values():
        if kind.endswith("/comments") and pkg.has(target):
            for c in _parse_xml(pkg.read(target)).iter(f"{_MAIN}comment"):
                text = "".join(t.text or "" for t in c.iter(f"{_MAIN}t"))
                _add(out, c.get("ref", ""), f"the note {_short(text)}")
    for m in re.finditer(r"<(?:\w+:)?hyperlink\b[^>]*>", after_data):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group()))
        ref = attrs.get("ref", "")
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        target = rels.get(rid, ("", ""))[1] if rid else attrs.get("location", "")
        for cell in _cells(ref):
            _add(out, cell, f"the link to {_short(target)}")
    return out


def _cells(ref: str) -> list[str]:
    """The cells of a reference (``C25`` or a small range ``C25:D26``)."""
    if ":" not in ref:
        return [ref] if ref else []
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(ref)
    if (c2 - c1 + 1) * (r2 - r1 + 1) > 10_000:  # a link over a whole area: named by its first cell
        return [f"{get_column_letter(c1)}{r1}"]
    return [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _of_openpyxl(ws) -> dict[str, list[str]]:
    from .openpyxl_access import cell_map

    out: dict[str, list[str]] = {}
    for cell in list(cell_map(ws).values()):  # the cells it holds (iter_rows would make the empty ones)
        if cell.comment is not None or cell.hyperlink is not None:
            if cell.comment is not None:
                _add(out, cell.coordinate, f"the note {_short(cell.comment.text)}")
            if cell.hyperlink is not None:
                link = cell.hyperlink
                _add(out, cell.coordinate, f"the link to {_short(link.target or link.location or '')}")
    return out
