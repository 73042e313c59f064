"""Form buttons on a sheet: the Cover's refresh buttons, written into the package.

openpyxl cannot write form controls, so the builder adds them to the saved
package: a legacy VML drawing with one button per :class:`~xlpy.workbook.layout.Button`,
each running its macro, anchored to a cell, as Excel writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from xml.sax.saxutils import escape as _xml_escape

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from .package import CONTENT_TYPES, PKG_REL, REL, Package, PackageError

_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"

__all__ = ["add_buttons"]

_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>'
    '</o:shapelayout><v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" '
    'strokeok="f" fillok="f" o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
)
_VML_BUTTON = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t201" style="position:absolute;margin-left:{left}pt;'
    'margin-top:{top}pt;width:{width}pt;height:{height}pt;z-index:{z};mso-wrap-style:tight" o:button="t" '
    'fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto"><v:fill color2="buttonFace [67]" '
    'o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" '
    'o:singleclick="f"><div style="text-align:center"><font face="Calibri" size="220" color="#000000">{caption}'
    "</font></div></v:textbox><x:ClientData ObjectType=\"Button\"><x:Anchor>{anchor}</x:Anchor>"
    "<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill><x:FmlaMacro>[0]!{macro}</x:FmlaMacro>"
    "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>"
)
# Elements a worksheet may hold after <legacyDrawing>, in schema order (ECMA-376 CT_Worksheet).
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


def _col_px(width: float | None) -> int:
    return 64 if width is None else int(width * 7 + 5)


def add_buttons(data: bytes, sheet: str, buttons, widths: dict[str, float] | None = None) -> bytes:
    """Package bytes with form buttons on *sheet*, each running a macro (a VML drawing, as Excel writes them).

    *buttons* are :class:`xlpy.workbook.layout.Button`; *widths* are the sheet's column
    widths (characters), to place the buttons' pixel offsets as Excel would.
    The sheet must not have a legacy drawing already (comments use one).
    """
    pkg = Package("workbook", data)
    part = pkg.sheet_parts()[sheet]
    text = pkg.read(part).decode("utf-8")
    if "<legacyDrawing" in text:
        raise PackageError(sheet, "already has a legacy drawing")
    n = 1
    while pkg.has(f"xl/drawings/vmlDrawing{n}.vml"):
        n += 1
    vml_part = f"xl/drawings/vmlDrawing{n}.vml"
    widths = widths or {}
    shapes = []
    for k, b in enumerate(buttons):
        col, row = _split_ref(b.cell)
        left_px = sum(_col_px(widths.get(get_column_letter(c))) for c in range(1, col))
        top_px = 20 * (row - 1)
        # Anchor: left column, x offset, top row, y offset, right column, x offset, bottom row, y offset (0-based).
        end_col, end_x = col - 1, b.width
        while end_x >= _col_px(widths.get(get_column_letter(end_col + 1))):
            end_x -= _col_px(widths.get(get_column_letter(end_col + 1)))
            end_col += 1
        end_row, end_y = row - 1 + b.height // 20, b.height % 20
        anchor = f"{col - 1}, 0, {row - 1}, 0, {end_col}, {end_x}, {end_row}, {end_y}"
        shapes.append(_VML_BUTTON.format(
            id=1025 + k, left=_pt(left_px), top=_pt(top_px), width=_pt(b.width), height=_pt(b.height), z=k + 1,
            caption=_xml_escape(b.caption), anchor=anchor, macro=b.macro))
    pkg.write(vml_part, (_VML_HEAD + "".join(shapes) + "</xml>").encode("utf-8"))
    # The relationship from the sheet to the drawing.
    rels = Package.rels_name(part)
    rid = "rIdXlpyButtons"
    target = "../drawings/" + PurePosixPath(vml_part).name
    rel = f'<Relationship Id="{rid}" Type="{REL}/vmlDrawing" Target="{target}"/>'
    if pkg.has(rels):
        rtext = pkg.read(rels).decode("utf-8")
        rtext = rtext.replace("</Relationships>", rel + "</Relationships>")
    else:
        rtext = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 f'<Relationships xmlns="{PKG_REL}">{rel}</Relationships>')
    pkg.write(rels, rtext.encode("utf-8"))
    # <legacyDrawing r:id=.../> in schema order.
    m = re.search(r"<(\w+:)?worksheet\b", text)
    p = m.group(1) or ""
    element = f'<{p}legacyDrawing xmlns:r="{REL}" r:id="{rid}"/>'
    positions = [text.find(f"<{p}{name}") for name in _AFTER_LEGACY]
    positions = [x for x in positions if x >= 0]
    at = min(positions) if positions else text.rindex(f"</{p}worksheet>")
    pkg.write(part, (text[:at] + element + text[at:]).encode("utf-8"))
    ct = pkg.read(CONTENT_TYPES).decode("utf-8")
    if 'Extension="vml"' not in ct:
        ct = ct.replace("<Default ", f'<Default Extension="vml" ContentType="{_VML_TYPE}"/><Default ', 1)
        pkg.write(CONTENT_TYPES, ct.encode("utf-8"))
    # Entries keep the time the builder gave them (the same bytes from the same build).
    return pkg.to_bytes(dt.datetime(*pkg._zip.infolist()[0].date_time))


def _pt(px: int) -> str:
    v = px * 0.75
    return str(int(v)) if v == int(v) else f"{v:g}"


def _split_ref(ref: str) -> tuple[int, int]:
    min_col, min_row, _, _ = range_boundaries(ref)
    return min_col, min_row

