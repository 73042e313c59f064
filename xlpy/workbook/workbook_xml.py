"""The workbook part's text (``xl/workbook.xml``): its defined names and its calculation settings, edited as text.

A refresh edits workbook.xml in place, as :mod:`xlpy.workbook.package` edits
a worksheet: the names it writes and the request for a full recalculation
when Excel next opens the file; every other byte stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape as _xml_escape

from defusedxml.ElementTree import (
    fromstring as _parse_xml,  # a workbook is untrusted input
)

__all__ = ["defined_names", "full_calc_on_load", "name_in", "remove_defined_name", "set_defined_name"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def name_in(names: Iterable[str], name: str) -> str | None:
    """The one of *names* that is *name* as Excel and LibreOffice match names, without regard to letter case (a
    name typed ``TENDERED`` in the Name Manager is ``Tendered`` to every formula), or None."""
    if name in names:
        return name
    folded = name.casefold()
    return next((n for n in names if isinstance(n, str) and n.casefold() == folded), None)


def defined_names(workbook_xml: bytes) -> dict[str, str]:
    """Workbook-level defined names -> their definition text."""
    root = _parse_xml(workbook_xml)
    out = {}
    dn = root.find(f"{{{_MAIN}}}definedNames")
    for d in dn if dn is not None else ():
        if d.get("localSheetId") is None:
            out[d.get("name")] = d.text or ""
    return out


def set_defined_name(text: str, name: str, definition: str, hidden: bool = False) -> str:
    """workbook.xml text with workbook-level *name* defined as *definition* (added if missing; a name of it in other
    letter case is the same name to Excel, and is redefined, not added beside it)."""
    m = re.search(r"<(\w+:)?workbook\b", text)
    p = (m.group(1) or "") if m else ""
    pe = re.escape(p)
    body = _xml_escape(definition)
    pat = re.compile(rf'(<{pe}definedName\b(?![^>]*localSheetId)[^>]*\sname="(?i:{re.escape(name)})"[^>]*>)'
                     rf"(.*?)(</{pe}definedName>)", re.DOTALL)
    m = pat.search(text)
    if m:
        return text[:m.start(2)] + body + text[m.end(2):]
    element = f'<{p}definedName name="{name}"' + (' hidden="1"' if hidden else "") + f">{body}</{p}definedName>"
    close = f"</{p}definedNames>"
    if close in text:
        i = text.index(close)
        return text[:i] + element + text[i:]
    i = text.index(f"</{p}sheets>") + len(f"</{p}sheets>")
    return text[:i] + f"<{p}definedNames>{element}</{p}definedNames>" + text[i:]


def remove_defined_name(text: str, name: str) -> str:
    """workbook.xml text without the workbook-level name *name* (and without an emptied ``<definedNames>``)."""
    pat = re.compile(rf'<(\w+:|)definedName\b(?![^>]*localSheetId)[^>]*\sname="(?i:{re.escape(name)})"[^>]*>'
                     r".*?</\1definedName>", re.DOTALL)  # (the prefix of a workbook.xml that uses one)
    return re.sub(r"<(\w+:|)definedNames>\s*</\1definedNames>", "", pat.sub("", text, count=1))


def full_calc_on_load(text: str) -> str:
    """workbook.xml text asking Excel to recalculate every formula when the file is opened."""
    m = re.search(r"<(\w+:)?workbook\b", text)
    p = (m.group(1) or "") if m else ""
    pe = re.escape(p)
    m = re.search(rf"<{pe}calcPr\b[^>]*?/?>", text)
    if m:
        tag = m.group()
        if "fullCalcOnLoad=" in tag:
            new = re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', tag)
        else:
            new = tag.replace(f"<{p}calcPr", f'<{p}calcPr fullCalcOnLoad="1"', 1)
        return text[:m.start()] + new + text[m.end():]
    for after in (f"</{p}definedNames>", f"</{p}sheets>"):
        if after in text:
            i = text.index(after) + len(after)
            return text[:i] + f'<{p}calcPr fullCalcOnLoad="1"/>' + text[i:]
    return text
