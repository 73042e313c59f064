"""Whether a figure can be read against its cell: its colour against its background, and its size.

A figure in white on a white cell (a font colour, or a number format's
``[White]``) computes the right value and shows nothing; a reader of the
printed page takes the cell for empty.  :func:`findings` names each cell of
the layout's (its figures, their labels, and each style once in a table's
column) whose text colour stands too close to its background, by WCAG 2's
contrast ratio (1, the same colour, to 21, black on white).

Colours are those Excel shows: an RGB colour, one of the workbook theme's
(with its tint), one of the indexed palette, or Excel's default (automatic:
black text, a white window).  The colour judged is the number format's
first section's, which shows a positive figure, else the font's: a negative
section's colour is not (Excel's red negatives on a red fill).  A cell with
a gradient or a patterned fill, or whose theme cannot be read, is not judged;
nor is a conditional format's pattern or gradient fill; a conditional format's font colour is judged against its
fill, or the cell's (:func:`conditional_hides`).  A font below :data:`LEAST_SIZE` points is named too
(:func:`too_small`): a figure in 1-point type is a speck on the page.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterable

from defusedxml.ElementTree import fromstring as _parse_xml  # a workbook is untrusted input
from openpyxl.styles.colors import COLOR_INDEX

__all__ = ["conditional_hides", "contrast", "findings", "LEAST_SIZE", "LEGIBLE", "too_small"]

#: The least contrast a figure is read at.  White on white is 1; a light grey (#D9D9D9) on white 1.4; the
#: layout's lightest text (its grey notes) is above 4.
LEGIBLE = 1.5
#: The least font size, in points, a figure is read at (the layout's smallest is 9).
LEAST_SIZE = 6
#: The theme's colours by the index a style names them with: Excel swaps the first two pairs of the scheme.
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
#: Excel's number-format colour names; ``[Color n]`` is the palette's entry n + 7 (n from 1 to 56).
_NAMED = {"black": "000000", "white": "FFFFFF", "red": "FF0000", "green": "00FF00", "blue": "0000FF",
          "yellow": "FFFF00", "magenta": "FF00FF", "cyan": "00FFFF"}
_BRACKET = re.compile(r'"[^"]*"|\\.|\[([^\]]*)\]|;')


def theme_colours(wb) -> list[str | None]:
    """The workbook theme's colours (``"FFFFFF"``) in the order styles index them; empty if it cannot be read."""
    data = getattr(wb, "loaded_theme", None)
    if not data:
        return []
    try:
        root = _parse_xml(data)
    except (ValueError, SyntaxError):  # (defusedxml refuses entities; a damaged theme: its colours are not judged)
        return []
    scheme = root.find(f".//{_A}clrScheme")
    found: dict[str, str] = {}
    for entry in scheme if scheme is not None else ():
        for colour in entry:
            value = colour.get("val") if colour.tag == f"{_A}srgbClr" else colour.get("lastClr")
            if value and re.fullmatch(r"[0-9A-Fa-f]{6}", value):
                found[entry.tag.removeprefix(_A)] = value.upper()
    return [found.get(k) for k in _THEME_ORDER]


def _tinted(rgb: str, tint: float) -> str:
    """*rgb* lightened (tint > 0) or darkened (tint < 0) as Excel does, on its HLS lightness."""
    h, lum, s = colorsys.rgb_to_hls(*(int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{int(v * 255 + 0.5):02X}" for v in colorsys.hls_to_rgb(h, lum, s))  # (half up, as Excel)


def resolve(color, themes: list, default: str) -> str | None:
    """The RGB an openpyxl colour shows (*default* for automatic or none), or None when it cannot be told."""
    kind, value = getattr(color, "type", "auto"), None  # (the one of rgb, theme, indexed and auto it sets)
    if kind == "auto":
        return default
    if kind == "rgb" and isinstance(color.rgb, str) and re.fullmatch(r"[0-9A-Fa-f]{6,8}", color.rgb):
        value = color.rgb[-6:].upper()
    elif kind == "theme" and isinstance(color.theme, int) and 0 <= color.theme < len(themes):
        value = themes[color.theme]
    elif kind == "indexed" and isinstance(color.indexed, int):
        value = COLOR_INDEX[color.indexed][-6:] if 0 <= color.indexed < len(COLOR_INDEX) else \
            {64: "000000", 65: "FFFFFF"}.get(color.indexed)  # (the system's text and window colours)
    tint = color.tint if isinstance(getattr(color, "tint", None), (int, float)) else 0
    return _tinted(value, tint) if value and tint else value


def _luminance(rgb: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(int(rgb[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two RGB colours, from 1 (the same) to 21 (black and white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _first_section_colour(fmt: str) -> str | None:
    """The colour a number format's first section names (``[White]``, ``[Color 2]``), as RGB, or None.

    The first section shows a positive figure (and, alone, every figure).  The others' colours are not judged:
    a figure's sign is not known here, and Excel's red negatives (the layout's own money format) on a red or mid
    grey fill would name every positive figure.
    """
    for m in _BRACKET.finditer(fmt or ""):
        if m.group() == ";":
            return None
        name = (m.group(1) or "").strip().lower()
        if name in _NAMED:
            return _NAMED[name]
        if (n := re.fullmatch(r"colou?r\s*(\d+)", name)) and 1 <= int(n.group(1)) <= 56:
            return COLOR_INDEX[int(n.group(1)) + 7][-6:]
    return None


def too_small(cell) -> str | None:
    """*cell*'s font size when too small to read (``font size 1 pt``; below :data:`LEAST_SIZE`), or None."""
    size = getattr(cell.font, "sz", None) if cell.font is not None else None
    return f"font size {float(size):g} pt" if size is not None and float(size) < LEAST_SIZE else None


def unreadable(cell, themes: list) -> str | None:
    """How *cell*'s text hides against its background (``font #FFFFFF on #FFFFFF``), or None."""
    fill = cell.fill
    pattern = getattr(fill, "patternType", "gradient")
    if pattern in (None, "none"):
        background = "FFFFFF"
    elif pattern == "solid":
        background = resolve(fill.fgColor, themes, "FFFFFF")
    else:
        return None  # (a gradient or a pattern: two colours under the text)
    if background is None:
        return None
    shown = _first_section_colour(cell.number_format)  # (it overrides the font's)
    what, colour = ("number format's", shown) if shown else \
        ("font", resolve(cell.font.color if cell.font is not None else None, themes, "000000"))
    if colour is not None and contrast(colour, background) < LEGIBLE:
        return f"{what} colour #{colour} on #{background}"
    return None


#: The colour openpyxl gives a fill's colour the file does not set (transparent black): none at all.
_UNSET = "00000000"


def conditional_hides(rule, cell, themes: list) -> str | None:
    """How a conditional format's *rule* hides *cell*'s text when it applies (``font #FFFFFF on #FFFFFF``: its font
    colour against its fill, or the cell's), or None.  A rule's solid fill is in its ``bgColor`` (Excel's spelling
    of a differential fill), else its ``fgColor`` (openpyxl's spelling: review 146); a colour left unset is none."""
    font = getattr(getattr(rule, "dxf", None), "font", None)
    colour = getattr(font, "color", None)
    if colour is None:
        return None
    fill = getattr(rule.dxf, "fill", None)
    if fill is not None and getattr(fill, "patternType", None) not in (None, "none", "solid"):
        return None  # (a pattern: two colours under the text)
    own = next((c for c in (getattr(fill, "bgColor", None), getattr(fill, "fgColor", None)) if fill is not None
                and c is not None and getattr(c, "type", "auto") != "auto" and getattr(c, "rgb", None) != _UNSET),
               None)
    if own is not None:
        background = resolve(own, themes, "FFFFFF")
    else:
        pattern = getattr(cell.fill, "patternType", "gradient") if cell is not None else None
        background = "FFFFFF" if pattern in (None, "none") else resolve(cell.fill.fgColor, themes, "FFFFFF") \
            if pattern == "solid" else None
    text = resolve(colour, themes, "000000")
    if background is None or text is None or contrast(text, background) >= LEGIBLE:
        return None
    return f"font colour #{text} on #{background}"


def findings(book: str, cells: Iterable[tuple[str, object]], themes: list, finding) -> list:
    """A finding for each of *cells* (``(where, cell)``) whose text its background hides."""
    out = []
    for where, cell in cells:
        if cell is not None and (how := unreadable(cell, themes)):
            out.append(finding(book, where, "is not legible: its text colour is its background's (a reader takes "
                               "the cell for empty)", "a colour that stands out from the background", how))
        elif cell is not None and (how := too_small(cell)):
            out.append(finding(book, where, "is not legible: its text is too small to read (a reader takes the cell "
                               "for empty, or a speck)", f"a font of {LEAST_SIZE} pt or more", how))
    return out
