"""A workbook's style sheet read and added to: its part, the mapping of a built sheet's cell styles into it
(:class:`StyleMap`: a refresh's table styles, :mod:`xlpy.workbook.table_styles`, and a switch of the tally's kind,
:mod:`xlpy.workbook.switch`), and which of a table's columns have lost the layout's style on their first row
(:func:`lost_columns`: Excel's Clear All, a format cleared to General, LibreOffice's General of its own).  It reads
the style sheet alone, so the refresh's report (:mod:`xlpy.workbook.rows_shown`) may ask it without a build.
"""

from __future__ import annotations

import re

from . import package
from .layout import FMT, Table

__all__ = ["StyleMap", "lost_columns", "styles_part"]


def styles_part(pkg) -> str:
    """The style sheet's part in the :class:`~xlpy.workbook.package.Package` *pkg*."""
    wbp = pkg.workbook_part()
    for _, kind, target in pkg.relationships(wbp):
        if kind.endswith("/styles"):
            return target
    raise package.PackageError(pkg.path.name, "has no style sheet")


class StyleMap:
    """Cell styles (``s=``) of a built sheet, mapped into another workbook's style sheet (added where missing)."""

    _KINDS = (("fonts", "font"), ("fills", "fill"), ("borders", "border"))

    def __init__(self, source: bytes, target: bytes):
        self.src, self.text = source.decode("utf-8"), target.decode("utf-8")
        if re.search(r"<\w+:styleSheet\b", self.text):
            raise package.PackageError("xl/styles.xml", "uses a namespace prefix; open and save it in Excel first")
        self.map: dict[str, str] = {}

    @staticmethod
    def _children(text: str, group: str, tag: str) -> list[str]:
        m = re.search(rf"<{group}\b[^>]*?(?:/>|>(.*?)</{group}>)", text, re.DOTALL)
        body = (m.group(1) or "") if m else ""
        return re.findall(rf"<{tag}\b[^>]*/>|<{tag}\b[^>]*>.*?</{tag}>", body, re.DOTALL)

    def _index(self, group: str, tag: str, element: str) -> int:
        """Index of *element* among the target's *group*, appended when absent."""
        items = self._children(self.text, group, tag)
        if element in items:
            return items.index(element)
        m = re.search(rf"<{group}\b([^>]*?)(/>|>.*?</{group}>)", self.text, re.DOTALL)
        if m is None:
            raise package.PackageError("xl/styles.xml", f"has no {group}")
        attrs = re.sub(r'\scount="\d*"', "", m.group(1)).rstrip("/").rstrip()  # others (x14ac:knownFonts) stay
        body = "".join(items) + element
        self.text = (self.text[:m.start()] + f'<{group}{attrs} count="{len(items) + 1}">{body}</{group}>'
                     + self.text[m.end():])
        return len(items)

    def _numfmt(self, fmt_id: str) -> str:
        if int(fmt_id) < 164:
            return fmt_id
        code = re.search(rf'<numFmt\b[^>]*numFmtId="{fmt_id}"[^>]*formatCode="([^"]*)"', self.src)
        code = code or re.search(rf'<numFmt\b[^>]*formatCode="([^"]*)"[^>]*numFmtId="{fmt_id}"', self.src)
        pairs = re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', self.text)
        found = {c: i for i, c in pairs}
        if code.group(1) in found:
            return found[code.group(1)]
        new = str(max([163, *(int(i) for i, _ in pairs)]) + 1)  # past every id: a code written twice has two
        element = f'<numFmt numFmtId="{new}" formatCode="{code.group(1)}"/>'
        if "<numFmts" in self.text:
            self.text = re.sub(r"</numFmts>", element + "</numFmts>", self.text, count=1)
            own = re.search(r"<numFmts\b.*?</numFmts>", self.text, re.S).group()  # (not the dxfs' formats)
            count = len(re.findall(r"<numFmt\b", own))  # each element: LibreOffice writes a code twice
            self.text = re.sub(r'<numFmts count="\d+"', f'<numFmts count="{count}"', self.text, count=1)
        else:
            self.text = re.sub(r"(<styleSheet\b[^>]*>)", rf'\1<numFmts count="1">{element}</numFmts>', self.text,
                               count=1)
        return new

    def style(self, s: str) -> str:
        if s not in self.map:
            xf = self._children(self.src, "cellXfs", "xf")[int(s)]
            for group, tag in self._KINDS:
                attr = tag + "Id"
                m = re.search(rf'\s{attr}="(\d+)"', xf)
                if m:
                    element = self._children(self.src, group, tag)[int(m.group(1))]
                    xf = xf.replace(m.group(), f' {attr}="{self._index(group, tag, element)}"')
            m = re.search(r'\snumFmtId="(\d+)"', xf)
            if m:
                xf = xf.replace(m.group(), f' numFmtId="{self._numfmt(m.group(1))}"')
            self.map[s] = str(self._index("cellXfs", "xf", xf))
        return self.map[s]

    def cell(self, xml: str) -> str:
        return re.sub(r'(<c\b[^>]*?\ss=")(\d+)(")', lambda m: m.group(1) + self.style(m.group(2)) + m.group(3), xml,
                      count=1)

    def result(self) -> bytes:
        return self.text.encode("utf-8")


def _lost(xfs: list[str], style: str | None, fmt: str, general: set[str]) -> bool:
    """Whether a first row's cell style *style* (an index of *xfs*, the workbook's cell formats) has lost the
    layout's: no style, the workbook's default, or General where the layout's column has a number format (built
    in, or one of *general*, the style sheet's own formats whose code is General, as LibreOffice writes it)."""
    if style is None or style == "0" or int(style) >= len(xfs):
        return True
    m = re.search(r'\snumFmtId="(\d+)"', xfs[int(style)])
    return FMT[fmt] != "General" and (m is None or m.group(1) == "0" or m.group(1) in general)


def lost_columns(pkg, sx, table: Table) -> list[int]:
    """The column numbers of *table* whose first row in the sheet *sx* has lost the layout's style (no style, the
    default, General where the layout's column has a number format): the columns :func:`table_styles` writes in
    the layout's style, not their first row's.  Raises :class:`~xlpy.workbook.package.PackageError` or
    :class:`UnicodeDecodeError` where the style sheet cannot be read (the first row's styles then stay)."""
    cols = range(table.first_col, table.first_col + len(table.columns))
    text = pkg.read(styles_part(pkg)).decode("utf-8")
    xfs = StyleMap._children(text, "cellXfs", "xf")
    general = {i for i, code in re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', text)
               if code.strip().lower() == "general"}  # (review 163: LibreOffice's General, a format of its own)
    return [c for c, col in zip(cols, table.columns) if _lost(xfs, sx.style_of(table.first_row, c), col.fmt, general)]
