"""The Cover's buttons as a validation reads them back: each with the macro it runs.

The standard workbook's Cover carries one form button per refresh macro
(:data:`xlpy.workbook.layout.COVER_BUTTONS`, written by :mod:`xlpy.workbook.buttons`), each linked to its macro in
the sheet's VML drawing (``<x:FmlaMacro>[0]!xlpy_refresh_all</x:FmlaMacro>``), and, once Excel 2010 or later has
saved the file, in the sheet's own list of controls too
(``<controls><control ...><controlPr ... macro="[0]!xlpy_refresh_all">``).

:func:`check` tells a validation two things of them:

* a button that runs another macro than the layout's (one edited to run
  ``evil_macro``, one running a macro of another workbook, ``[1]!...`` or
  ``'evil.xlsm'!...``, or a button the layout does not have, with a macro) is
  a finding: clicking it runs code that the comparison of the VBA project
  with the template never saw called;
* buttons gone, or left running no macro, are a note: LibreOffice drops their
  macro links when it saves a workbook, and the buttons themselves when it
  saves that file again. The figures are unaffected, and ``xlpy refresh``
  still refreshes the workbook; the note says how to get the buttons back.
"""

from __future__ import annotations

import html
import re

from .layout import COVER_BUTTONS

__all__ = ["check", "check_file", "macro_name", "vml_buttons"]

#: The sheet that holds the buttons.
SHEET = "Cover"
#: A VML shape (VML is often not well-formed XML: found by pattern, however quoted or encoded).
_SHAPE = re.compile(r"<(\w+):(shape|rect|roundrect)\b.*?</\1:\2\s*>", re.S)
_OBJECT_TYPE = re.compile(r"ObjectType\s*=\s*[\"']\s*(\w+)")
_TEXTBOX = re.compile(r"<(\w+):textbox\b[^>]*>(.*?)</\1:textbox\s*>", re.S)
_FMLA_MACRO = re.compile(r"<(\w+):FmlaMacro\s*>(.*?)</\1:FmlaMacro\s*>", re.S)
#: Excel 2010's copy of a control's link, in the sheet: ``<controlPr ... macro="[0]!xlpy_refresh_all">``.
_CONTROL = re.compile(r"<(?:\w+:)?control\b[^>]*?\bname\s*=\s*(\"[^\"]*\"|'[^']*')[^>]*>\s*"
                      r"<(?:\w+:)?controlPr\b[^>]*?\bmacro\s*=\s*(\"[^\"]*\"|'[^']*')", re.S)


def macro_name(reference: str) -> str | None:
    """The macro of this workbook a button's reference names, in lower case (VBA's names ignore case):
    ``[0]!xlpy_refresh_all``, ``Module1.xlpy_refresh_all`` and ``xlpy_refresh_all`` all name
    ``xlpy_refresh_all``; None for a macro of another workbook (``[1]!...``, ``'evil.xlsm'!...``)."""
    book, bang, name = reference.strip().rpartition("!")
    if bang and book.strip() != "[0]":
        return None
    return name.rsplit(".", 1)[-1].strip().strip("'\"").lower()


def vml_buttons(data: bytes) -> list[tuple[str, str]]:
    """(caption, macro reference or "") of each button of a VML drawing, in its order."""
    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", errors="replace")
    out = []
    for shape in _SHAPE.finditer(text):
        kind = _OBJECT_TYPE.search(shape.group())
        if kind is None or kind.group(1) != "Button":
            continue
        box = _TEXTBOX.search(shape.group())
        caption = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", box.group(2))).split()) if box else ""
        macro = _FMLA_MACRO.search(shape.group())
        out.append((caption, html.unescape(macro.group(2)).strip() if macro else ""))
    return out


def check(book: str, pkg, findings: list, notes: list, finding) -> None:
    """Append to *findings* each Cover button that runs another macro than the layout's (made by
    ``finding(book, where, what, expected, found)``), and to *notes* one line naming the layout's buttons that
    are gone or run no macro, with how to get them back."""
    part = pkg.sheet_parts().get(SHEET)
    if part is None:  # (a missing Cover is a finding of its own)
        return
    wanted = {b.caption: b.macro for b in COVER_BUTTONS}
    ours = {b.macro.lower(): b.caption for b in COVER_BUTTONS}
    anyone = " or ".join(b.macro for b in COVER_BUTTONS)
    seen, linked = set(), set()  # captions of the buttons met; the layout's whose macro some button runs
    for _rid, kind, target in pkg.relationships(part):
        if pkg.has(target) and kind.endswith("/vmlDrawing"):
            for caption, reference in vml_buttons(pkg.read(target)):
                name = macro_name(reference) if reference else ""
                seen.add(caption)
                if reference and caption in wanted:
                    linked.add(caption)  # (linked, to its macro or to another: a finding then, not a note)
                if reference and (name not in ours or caption in wanted and name != wanted[caption].lower()):
                    findings.append(finding(book, f"{SHEET} button {caption or '(no caption)'!r}", _OTHER,
                                            wanted.get(caption, anyone), reference))
                elif reference:  # (one of the layout's, perhaps under a caption of the user's)
                    linked.add(ours[name])
    for name, reference in _CONTROL.findall(pkg.read(part).decode("utf-8", errors="replace")):
        reference = html.unescape(reference[1:-1]).strip()  # (Excel 2010's copy of the link: its own check)
        if reference and macro_name(reference) not in ours:
            findings.append(finding(book, f"{SHEET} control {html.unescape(name[1:-1])!r}", _OTHER, anyone,
                                    reference))
    gone = [c for c in wanted if c not in seen and c not in linked]
    unlinked = [c for c in wanted if c in seen and c not in linked]
    if (gone or unlinked) and _modules(pkg):  # (no project, or an empty one: its finding says the macros are gone)
        notes.append(_missing_note(gone, unlinked))


def _modules(pkg) -> bool:
    """Whether the package holds a VBA project with modules (:func:`xlpy.excel.vba.holds_modules`)."""
    from ..excel.vba import VBA_PROJECT_PART, holds_modules

    return pkg.has(VBA_PROJECT_PART) and holds_modules(pkg.read(VBA_PROJECT_PART))


_OTHER = ("runs another macro than the layout's: clicking it would run code the validation never compared with "
          "the template's")


def check_file(book: str, path, findings: list, notes: list, finding) -> None:
    """:func:`check` of the workbook file *path*."""
    from .package import Package

    pkg = Package(path)
    try:
        check(book, pkg, findings, notes, finding)
    finally:
        pkg.close()


def _missing_note(gone: list[str], unlinked: list[str]) -> str:
    """What a note says of the layout's buttons that are *gone* or *unlinked*, and what to do."""
    said = []
    if gone:
        said.append(f"{_names(gone)} {'is' if len(gone) == 1 else 'are'} gone")
    if unlinked:
        said.append(f"{_names(unlinked)} run{'s' if len(unlinked) == 1 else ''} no macro")
    macros = ", ".join(b.macro for b in COVER_BUTTONS if b.caption in unlinked)
    assign = f"; in Excel, right-click each and Assign Macro ({macros})" if unlinked and not gone else ""
    return (f"the Cover's button{'s' if len(gone) + len(unlinked) > 1 else ''} {' and '.join(said)} (LibreOffice "
            "drops their macro links when it saves a workbook, and the buttons when it saves that file again): the "
            f"figures are unaffected, and xlpy refresh still refreshes it; rebuild the workbook for its buttons"
            f"{assign}")


def _names(captions: list[str]) -> str:
    quoted = [f"'{c}'" for c in captions]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
