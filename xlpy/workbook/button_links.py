"""The Cover's buttons as a validation reads them back: each with the macro it runs.

The standard workbook's Cover carries one form button per refresh macro
(:data:`xlpy.workbook.layout.COVER_BUTTONS`, written by :mod:`xlpy.workbook.buttons`), each linked to its macro in the
sheet's VML drawing (``<x:FmlaMacro>[0]!xlpy_refresh_all</x:FmlaMacro>``), and,
once Excel 2010 or later has saved the file, in the control's properties too
(``xl/ctrlProps/ctrlPropN.xml``, ``fmlaMacro="[0]!xlpy_refresh_all"``).

:func:`check` tells a validation two things of them:

* a button that runs another macro than the layout's (one edited to run
  ``evil_macro``, or a button the layout does not have, with a macro) is a
  finding: clicking it runs code that the comparison of the VBA project with
  the template never saw called;
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
_CTRL_MACRO = re.compile(r"\bfmlaMacro\s*=\s*(\"[^\"]*\"|'[^']*')")


def macro_name(reference: str) -> str:
    """The macro a button's reference names: ``[0]!xlpy_refresh_all``, ``'book.xlsm'!Module1.xlpy_refresh_all``
    and ``xlpy_refresh_all`` all name ``xlpy_refresh_all``."""
    return reference.rsplit("!", 1)[-1].rsplit(".", 1)[-1].strip().strip("'\"")


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
    macros = set(wanted.values())
    found: dict[str, str] = {}
    for _rid, kind, target in pkg.relationships(part):
        if not pkg.has(target):
            continue
        if kind.endswith("/vmlDrawing"):
            for caption, reference in vml_buttons(pkg.read(target)):
                if reference and macro_name(reference) != wanted.get(caption):
                    findings.append(finding(book, f"{SHEET} button {caption or '(no caption)'!r}",
                                            "runs another macro than the layout's: clicking it would run code the "
                                            "validation never compared with the template's",
                                            wanted.get(caption, "no such button"), reference))
                found[caption] = found.get(caption) or reference
        elif kind.endswith("/ctrlProp"):  # (Excel 2010's copy of the link; which control it is, the VML says)
            said = _CTRL_MACRO.search(pkg.read(target).decode("utf-8", errors="replace"))
            reference = html.unescape(said.group(1)[1:-1]).strip() if said else ""
            if reference and macro_name(reference) not in macros:
                findings.append(finding(book, f"{SHEET} control {target}", "runs another macro than the layout's",
                                        " or ".join(sorted(macros)), reference))
    gone = [c for c in wanted if c not in found]
    unlinked = [c for c in wanted if c in found and not found[c]]
    if (gone or unlinked) and pkg.has("xl/vbaProject.bin"):  # (no project: its finding says the macros are gone)
        notes.append(_missing_note(gone, unlinked))


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
