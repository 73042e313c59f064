"""The styles a refresh of a file writes a table's data rows in: each column's first row's, or the layout's where
that row has lost its own.

A refresh copies each column's style down from the table's first row, so a
style a person gave a column (a fill, another date format) stays.  Excel's
Clear All on the table's rows takes their formats with their values: the first
row's cells are left with no style, or the workbook's default (``s="0"``),
and a column cleared of its formats alone is left General.  Copied down, that
wrote a price file's dates as bare serial numbers (which validate then called
typed), and a holder table's inputs locked under the sheet's protection, its
ids without the Text format.  Such a column gets the layout's style, made as a
build makes it (:func:`xlpy.workbook.build.write_table_rows`, in a scratch
workbook) and mapped into the workbook's own style sheet, added there where it
holds none like it (the mapping a switch of the tally's kind uses:
:mod:`xlpy.workbook.switch`).
"""

from __future__ import annotations

import io
import re
import zipfile

from . import package
from .layout import FMT, Table

__all__ = ["StyleMap", "lost_columns", "styles_part", "table_styles"]


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


def _built(table: Table) -> tuple[bytes, dict[int, str]]:
    """(the style sheet, column -> its cell style there) of a scratch workbook holding *table*'s first row as a
    build writes it."""
    from openpyxl import Workbook

    from .build import write_table_rows

    wb = Workbook()
    ws = wb.active
    write_table_rows(ws, table, [], limit=1)
    cols = range(table.first_col, table.first_col + len(table.columns))
    laid = {c: str(ws.cell(table.first_row, c).style_id) for c in cols}  # (the cell formats are saved in this order)
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        return z.read("xl/styles.xml"), laid


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


def table_styles(pkg, sx, table: Table) -> dict[int, str | None]:
    """Column number -> the cell style of *table*'s data rows in the sheet *sx* (a
    :class:`~xlpy.workbook.package.SheetXml` of the :class:`~xlpy.workbook.package.Package` *pkg*): its first
    row's, or the layout's where that row has lost it (added to the workbook's style sheet, written back).  A style
    sheet this cannot map (none, or one with a namespace prefix) leaves the first row's styles."""
    cols = range(table.first_col, table.first_col + len(table.columns))
    first = {c: sx.style_of(table.first_row, c) for c in cols}
    try:
        lost = lost_columns(pkg, sx, table)
        if not lost:
            return first
        part = styles_part(pkg)
        source, laid = _built(table)
        styles = StyleMap(source, pkg.read(part))
        first.update({c: styles.style(laid[c]) for c in lost})
    except (package.PackageError, UnicodeDecodeError):
        return first
    pkg.write(part, styles.result())
    return first
