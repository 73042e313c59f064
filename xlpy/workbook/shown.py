"""What a reader of a standard workbook sees, against what it holds.

The recalculation legs prove every figure; a person reads the figures through
their sheet, their label and their number format, and never sees a hidden
sheet.  :func:`check` finds what would have that person read a wrong figure
while every formula still computes the right one:

* a standard sheet hidden (``veryHidden`` cannot be shown from Excel's menus),
  and a sheet not in the layout named like a standard one (``Results ``,
  ``Resu1ts``, a Cyrillic ``е``);
* a label, block title or table header other than the layout's: the figure
  beside it is read as what the label says;
* a number format that shows something other than the figure: fixed digits
  in quotes, a scale (a trailing comma shows thousands), a section left empty
  (the figure hidden), a negative section without a sign, a percent sign that
  does not multiply, a date or time on a figure that is neither, text put in
  place of a text figure;
* a shape or picture on a standard sheet (a text box over a figure shows
  its own words); the layout puts only its charts and the Cover's buttons there;
* manual calculation, under which Excel shows the values saved in the file.

Fonts, fills, widths and the other formats stay the user's ("What you may
change" in the README).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import repeat
from pathlib import PurePosixPath

from openpyxl.utils import get_column_letter

from defusedxml.ElementTree import fromstring as _parse_xml  # a workbook is untrusted input
from openpyxl.utils.cell import coordinate_to_tuple
from .expected import formula_cells
from .layout import CONF_SHEET, LABEL_COL, SHEETS, VALUE_COL, Layout
from .layout.check import tie_cells
from .layout.sensitivity import sensitivity_cells
from .openpyxl_access import cell_map, first_of_each_number_format

__all__ = ["check", "misleading_format"]

#: Letters that look alike in a sheet tab, as the Latin ones (after casefolding): Cyrillic, Greek, digits.
_LOOK_ALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "һ": "h", "н": "h", "і": "l", "ј": "j", "к": "k", "м": "m", "о": "o", "р": "p",
    "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n", "ι": "l", "κ": "k", "μ": "m", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
    "0": "o", "1": "l", "i": "l", "|": "l",
})


def _skeleton(name: str) -> str:
    """*name* as a reader of a tab sees it: case, spaces, invisible characters and look-alike letters ignored."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf" and ch not in "_-.'")
    return text.translate(_LOOK_ALIKE)


def _sheets(book: str, wb, findings: list, finding) -> None:
    """Standard sheets hidden, and other sheets named like one."""
    for ws in wb.worksheets:
        state = getattr(ws, "sheet_state", "visible")
        if ws.title in SHEETS and ws.title != CONF_SHEET and state != "visible":
            what = ("sheet is very hidden: Excel's menus cannot show it, and a reader never sees it" if
                    state == "veryHidden" else "sheet is hidden: a reader does not see it")
            findings.append(finding(book, ws.title, what, "visible", state))
        elif ws.title not in SHEETS:
            like = [s for s in SHEETS if s != CONF_SHEET and _skeleton(s) == _skeleton(ws.title)]
            if like:
                findings.append(finding(
                    book, f"sheet {ws.title!r}", f"sheet is named like the standard sheet {like[0]}: a reader may "
                    f"take its figures for that sheet's (rename or delete it)", f"no sheet named like {like[0]}",
                    repr(ws.title)))


def _labels(lay: Layout) -> dict[tuple[str, int, int], str]:
    """The layout's words a reader takes a figure by: (sheet, row, column) -> text."""
    out: dict[tuple[str, int, int], str] = {}
    for s in lay.sheets:
        for b in s.blocks:
            out[(s.title, b.row - 1, LABEL_COL)] = b.title
            for i, item in enumerate(b.items):
                out[(s.title, b.row + i, LABEL_COL)] = item.label
        for t in s.tables:
            for i, c in enumerate(t.columns):
                out[(s.title, t.header_row, t.first_col + i)] = c.header
    return out


def _words(book: str, wb, lay: Layout, findings: list, finding) -> None:
    for (sheet, row, col), want in _labels(lay).items():
        if sheet not in wb.sheetnames:
            continue
        cell = cell_map(wb[sheet]).get((row, col))
        got = cell.value if cell is not None else None
        if got != want and not (isinstance(got, str) and got.strip() == want.strip()):
            findings.append(finding(book, f"{sheet}!{get_column_letter(col)}{row}",
                                    "label differs from the layout: a reader takes the figure beside it for what "
                                    "the label says", repr(want), repr(got)))


def _kinds(lay: Layout) -> dict[tuple[str, str], str]:
    """Each cell the layout fills outside its tables, with the kind of its format (a key of ``FMT``)."""
    out: dict[tuple[str, str], str] = {}
    for s, _, item, row in lay.items():
        if s.check and item.function:
            for col, (_, fmt) in tie_cells(item, row).items():
                out[(s.title, f"{get_column_letter(col)}{row}")] = fmt
        elif not (item.record and item.name is None):
            out[(s.title, f"{get_column_letter(VALUE_COL)}{row}")] = item.fmt
    for (row, col), (_, fmt) in sensitivity_cells(lay).items():
        out[("Sensitivity", f"{get_column_letter(col)}{row}")] = fmt
    for key in formula_cells(lay, tables=False):
        out.setdefault(key, "general")
    return out


def _formats(book: str, wb, lay: Layout, findings: list, finding) -> None:
    for (sheet, ref), kind in _kinds(lay).items():
        if sheet not in wb.sheetnames or kind == "bool":  # (Excel shows TRUE/FALSE whatever the format)
            continue
        cell = cell_map(wb[sheet]).get(coordinate_to_tuple(ref))
        why = None if cell is None else misleading_format(cell.number_format, kind)
        if why:
            findings.append(finding(book, f"{sheet}!{ref}", f"number format {why}", "a format that shows the figure",
                                    repr(cell.number_format)))
    for s in lay.sheets:  # a table's column: each format its cells use, once
        if s.title not in wb.sheetnames:
            continue
        cells = cell_map(wb[s.title])
        for t in s.tables:
            for i, c in enumerate(t.columns):
                col = t.first_col + i
                rows = zip(range(t.first_row, t.last_row + 1), repeat(col))
                for cell in first_of_each_number_format(map(cells.get, rows)).values():  # (each format once)
                    why = misleading_format(cell.number_format, c.fmt)
                    if why:
                        findings.append(finding(book, f"{s.title}!{cell.coordinate}",
                                                f"number format {why} (the column's first such cell)",
                                                "a format that shows the figure", repr(cell.number_format)))


_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')  # literal text, an escaped character, a space's width, a fill
_BRACKETS = re.compile(r"\[[^\]]*\]")  # a colour, a condition, a locale
#: The unit a scaled figure is shown in, written beside it (``#,##0.0,,"M"``): a scale that says so.
_UNIT = re.compile(r"(?i)(?<![a-z])(k|m|mm|mn|b|bn|thousands?|millions?|billions?)(?![a-z])|'000")


def _sections(fmt: str) -> list[str]:
    """*fmt*'s sections, split at the semicolons outside quotes and escapes."""
    out, cur, i = [], "", 0
    while i < len(fmt):
        m = _QUOTED.match(fmt, i)
        if m:
            cur, i = cur + m.group(), m.end()
            continue
        if fmt[i] == ";":
            out.append(cur)
            cur = ""
        else:
            cur += fmt[i]
        i += 1
    return out + [cur]


def misleading_format(fmt: str, kind: str = "general") -> str | None:
    """Why number format *fmt* shows a cell of format *kind* (a key of ``FMT``) as something other than its
    value, or None.  A text figure is judged by the text section alone; a number by the others."""
    sections = _sections(fmt or "General")
    text = sections[3] if len(sections) > 3 else None
    if text is not None and "@" not in _QUOTED.sub("", text) and (text.strip() or kind == "text"):
        return "puts other text in place of the cell's" if text.strip() else "hides the cell's text"
    if kind == "text":
        return None
    conditional = re.search(r"\[[<>=]", fmt or "")  # ([>=1000000]...;...: the sections are no longer by sign)
    if len(sections) > 1 and all(not s.strip() for s in sections[:3]):
        return "hides the figure (its sections are empty)"
    for n, section in enumerate(sections[:3]):
        literal = "".join(m.group() for m in _QUOTED.finditer(section))
        bare = _BRACKETS.sub("", _QUOTED.sub("", section))
        if re.search(r"\d", literal):
            return f"shows fixed digits ({literal}) in place of the figure's own"
        if "%" in literal:
            return "shows a percent sign that does not multiply the figure by 100"
        if not bare.strip() and len(sections) > 1 and n < 2:
            return "hides the figure when it is " + ("positive" if n == 0 else "negative")
        if re.search(r"[0#?.],+(?![0#?,])", bare.replace("General", "0")) and not _UNIT.search(literal):
            return "scales the figure (a trailing comma shows it in thousands) without saying so"
        if kind != "date" and re.search(r"[ymdhs]", bare.replace("General", "").lower()) \
                and not re.search(r"[0#?]", bare.replace("General", "0")):
            return "shows the figure as a date or time"
        if n == 1 and not re.search(r"[-(]|\[red\]", section.lower()) and not conditional:  # (red: Excel's choice)
            return "shows a negative figure without its sign"
    return None


def _drawings(book: str, pkg, findings: list, finding) -> None:
    """Shapes and pictures (not charts) on a standard sheet; VML shapes other than buttons and notes."""
    for title, part in pkg.sheet_parts().items():
        if title not in SHEETS:
            continue
        for _, kind, target in pkg.relationships(part):
            if not pkg.has(target):
                continue
            if kind.endswith("/drawing"):
                root = _parse_xml(pkg.read(target))
                for anchor in root:
                    for shape in anchor:
                        name = PurePosixPath(shape.tag.split("}")[-1]).name
                        if name in ("sp", "pic", "grpSp", "cxnSp"):
                            words = " ".join(t.text or "" for t in shape.iter() if t.tag.endswith("}t")).strip()
                            findings.append(finding(book, f"{title} (drawing {target})",
                                                    "a shape on a standard sheet: it shows over the figures what "
                                                    "they do not hold (the layout puts only its charts there)",
                                                    "no shapes", repr(words) if words else name))
            elif kind.endswith("/vmlDrawing"):
                text = pkg.read(target).decode("utf-8", errors="replace")
                for other in sorted(set(re.findall(r'ObjectType="(\w+)"', text)) - {"Button", "Note"}):
                    findings.append(finding(book, f"{title} (drawing {target})", "a shape on a standard sheet: it "
                                            "shows over the figures what they do not hold", "buttons and notes",
                                            other))


def check(book: str, wb, lay: Layout, path, findings: list, finding) -> None:
    """Append to *findings* (each made by ``finding(book, where, what, expected, found)``) what the workbook
    shows a reader otherwise than it holds."""
    from .package import Package

    _sheets(book, wb, findings, finding)
    if getattr(getattr(wb, "calculation", None), "calcMode", None) == "manual":
        findings.append(finding(book, "workbook calculation", "is manual: Excel shows the values saved in the file "
                                "until someone recalculates (F9), not what the formulas give; set Formulas > "
                                "Calculation Options > Automatic, then save", "automatic", "manual"))
    _words(book, wb, lay, findings, finding)
    _formats(book, wb, lay, findings, finding)
    pkg = Package(path)
    try:
        _drawings(book, pkg, findings, finding)
    finally:
        pkg.close()
