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
* a figure (a number, date, TRUE/FALSE or formula) typed where the layout puts
  none, in a standard sheet's label, value or note columns: beside a label of
  one's own it reads as one of the workbook's, which nothing checks;
* a number format that shows something other than the figure: fixed digits
  in quotes, a scale (a trailing comma shows thousands), a section left empty
  (the figure hidden), a negative section without a sign, a percent sign that
  does not multiply, a date or time on a figure that is neither, text put in
  place of a text figure;
* a shape or picture on a standard sheet (a text box over a figure shows
  its own words); the layout puts only its charts and the Cover's buttons there;
* a figure or label whose text is the colour of its cell (:mod:`xlpy.workbook.legible`);
* manual calculation, under which Excel shows the values saved in the file, and precision as displayed, under
  which it rounds each figure to its number format (:mod:`xlpy.workbook.precision`).

Fonts, fills, widths and the other formats stay the user's otherwise ("What you
may change" in the README).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from itertools import product, repeat

from openpyxl.utils import get_column_letter

from defusedxml.ElementTree import fromstring as _parse_xml  # a workbook is untrusted input
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from ..files.typed import DATE_AS_NUMBER
from .expected import formula_cells
from .layout import CHECK_COLS, CONF_SHEET, COVER_BUTTONS, LABEL_COL, NOTE_COL, SHEETS, VALUE_COL, Layout
from .layout.check import tie_cells
from .layout.sensitivity import sensitivity_cells
from . import legible, precision
from .openpyxl_access import cell_map, first_of_each_look
from .structure_edits import INPUT_TABLES

__all__ = ["check", "misleading_format"]

#: Letters that look alike in a sheet tab, as the Latin ones (after casefolding): Cyrillic, Greek, Armenian, IPA,
#: digits.  A name in other letters still is a look-alike one letter away (:func:`_like`).
_LOOK_ALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "һ": "h", "н": "h", "і": "l", "ј": "j", "к": "k", "м": "m", "о": "o", "р": "p",
    "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n", "ι": "l", "κ": "k", "μ": "m", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ս": "u", "օ": "o", "ʀ": "r", "ı": "l",
    "0": "o", "1": "l", "i": "l", "|": "l",
})
#: Characters that show as nothing (fillers of Hangul and Braille, a combining grapheme joiner).
_BLANKS = dict.fromkeys(map(ord, "\u034f\u115f\u1160\u3164\uffa0\u2800"))


def _skeleton(name: str) -> str:
    """*name* as a reader of a tab sees it: case, spaces, invisible characters and look-alike letters ignored."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_BLANKS)
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Mn")
                   and ch not in "_-.'")
    return text.translate(_LOOK_ALIKE)


def _like(name: str, standard: str) -> bool:
    """Whether sheet *name* reads as the standard sheet *standard*: the same skeleton, or, for a name outside
    ASCII, one letter added, dropped or changed (a letter of another script the table does not know)."""
    a, b = _skeleton(name), _skeleton(standard)
    if a == b:
        return True
    if name.isascii() or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _sheets(book: str, wb, findings: list, finding) -> None:
    """Standard sheets hidden or showing their zeros blank, and other sheets named like one."""
    for ws in [*wb.worksheets, *wb.chartsheets]:
        state = getattr(ws, "sheet_state", "visible")
        if ws.title in SHEETS and ws.title != CONF_SHEET and state != "visible":
            what = ("sheet is very hidden: Excel's menus cannot show it, and a reader never sees it" if
                    state == "veryHidden" else "sheet is hidden: a reader does not see it")
            findings.append(finding(book, ws.title, what, "visible", state))
        elif ws.title in SHEETS and ws.title != CONF_SHEET and \
                getattr(getattr(ws, "sheet_view", None), "showZeros", True) is False:
            findings.append(finding(book, ws.title, "sheet shows its zero figures as blank cells: a reader takes a "
                                    "charge or count of 0 for one not there; show them (Excel: File > Options > "
                                    "Advanced > Show a zero in cells that have zero value; LibreOffice: View > Zero "
                                    "Values)", "zeros shown", "zeros blank"))
        elif ws.title not in SHEETS:
            like = [s for s in SHEETS if s != CONF_SHEET and _like(ws.title, s)]
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
                if item.note and not (s.check and item.function):  # the note beside it (a line of text: in C)
                    col = VALUE_COL if item.record and item.name is None else CHECK_COLS[2] if s.check else NOTE_COL
                    out[(s.title, b.row + i, col)] = item.note
        for t in s.tables:
            for i, c in enumerate(t.columns):
                out[(s.title, t.header_row, t.first_col + i)] = c.header
    return out


#: The standard sheets whose label, value and note columns hold the layout's own words and figures alone, outside
#: their tables (Sensitivity's grid, the Prices and History tables and the cells beside a table are not among them).
_FIGURE_SHEETS = ("Cover", "Inputs", "Tenders", "Results", "Check", "Release", "Entries")
#: The sheet whose rows below its table are the user's (the README: a note of one's own goes beside the holder
#: table or a row further down, and a formula of one's own there is followed by a refresh): above it alone is looked
#: at.
_OWN_BELOW = "Tenders"


#: The currencies a figure's text or number format may name: symbols other than the dollar, and ISO codes.
_SYMBOLS, _CODES = "€£¥₹₩₽₺₪฿₫", "EUR|GBP|JPY|CHF|CNY|CAD|AUD|HKD|INR|SEK|NOK|DKK|BRL|MXN|ZAR"
#: A number as text: grouped in thousands (``9,000,000.00``; with a currency, ``9.000.000,00`` too) or plain, with
#: its currency, sign, percent, scale or the units it counts.
_TEXT_NUMBER = re.compile(rf"\s*[(+\-\u2212]?\s*(?P<cur>[$${_SYMBOLS}]|USD|{_CODES})?\s*[(+\-\u2212]?\s*"
                          r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)\s*"
                          r"(?P<unit>%|million|billion|thousand|mn|bn|m|k)?\.?\s*"
                          rf"(?P<after>USD|{_CODES}|[$${_SYMBOLS}])?\s*(?P<noun>(?:units?|shares?|notes?)\b)?\s*\)?\s*",
                          re.IGNORECASE)


def reads_as_figure(text: str) -> bool:
    """Whether *text* reads as an amount (``$9,000,000.00``, ``9,000,000.00``, ``(1,234)``, ``9.6 million``,
    ``12.5%``): a number with a currency, grouped in thousands, a percent or a scale in words.  A year, a phone
    number, a date, a footnote's ``(1)`` or an id is a note in words (review 145)."""
    m = _TEXT_NUMBER.fullmatch(text)
    if m is None:
        return False
    grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", m["num"]) is not None
    money, unit = bool(m["cur"] or m["after"]), (m["unit"] or "").lower()
    if not (money or grouped or unit == "%") and re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+", m["num"]):
        return False  # (dots or a comma as a European writes them: an amount only with its currency or percent)
    return money or grouped or unit == "%" or unit in ("million", "billion", "thousand")


#: A figure in a page header or footer, once its codes are taken out: a currency and digits, a number grouped in
#: thousands, or a percent (review 143: ``Induced charge $9,000,000.00`` printed atop Results).
_PAGE_FIGURE = re.compile(r"(?:[$€£¥]\s*|\b(?:USD|EUR|GBP)\s*)(?=[\d,.]*[1-9])\d[\d,.]*"
                          r"|\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+\.\d+\s*%")  # ("$000s" says a unit; "100% owned",
# "75% scale" are no figure: review 147)
#: The codes of a header or footer: a font ``&"Arial,Bold"``, a size ``&12``, a field or switch ``&P``, ``&&``.
_PAGE_CODE = re.compile(r'&"[^"]*"|&\d+|&.')
#: The header and footer of each kind of page, as openpyxl names them, and as a finding says them.
_PAGE_PARTS = {f"{page}{kind}": f"{said}{kind.lower()}" for page, said in (("odd", "page "), ("even", "even pages' "),
                                                                         ("first", "first page's "))
               for kind in ("Header", "Footer")}


def _page_figures(book: str, wb, findings: list, finding) -> None:
    """A figure written into a standard sheet's page header or footer, which prints beside the figures: a reader of
    the page takes it for one of the workbook's, which nothing checks."""
    for ws in wb.worksheets:
        if ws.title not in SHEETS:
            continue
        for part, said in _PAGE_PARTS.items():
            for place in ("left", "center", "right"):
                text = getattr(getattr(getattr(ws, part, None), place, None), "text", None) or ""
                if found := _PAGE_FIGURE.search(_PAGE_CODE.sub(" ", text)):
                    findings.append(finding(book, f"{ws.title} ({said}, {place})", "a figure in the "
                                            "page header or footer: a reader of the printed page takes it for one of "
                                            "the workbook's figures, which nothing checks; take it out (Page Layout > "
                                            "Page Setup > Header/Footer)", "no figure", found.group().strip()))


def _figures_of_ones_own(book: str, wb, lay: Layout, findings: list, finding) -> None:
    """A number, TRUE/FALSE, date or formula typed into a cell of a standard sheet's label, value or note columns
    where the layout puts nothing, above, between or below its tables (above the holder table alone): beside a
    label of one's own (``Charge as restated`` under the charge) a reader takes it for one of the workbook's
    figures, which no check proves; so is text that reads as one (:func:`reads_as_figure`, ``$9,000,000.00``).  A
    note in words stays the user's; a cell another finding names already, or
    the row just below an input table (a line typed there, named as such), is not named twice."""
    ours = {(sheet, coordinate_to_tuple(ref)) for sheet, ref in _kinds(lay)}
    ours |= {(sheet, (row, col)) for sheet, row, col in _labels(lay)}
    named = {f.where for f in findings}
    for s in lay.sheets:
        if s.title not in _FIGURE_SHEETS or s.title not in wb.sheetnames:
            continue
        cells = cell_map(wb[s.title])
        columns = range(LABEL_COL, (CHECK_COLS[-1] if s.check else NOTE_COL) + 1)
        if s.title == _OWN_BELOW and s.tables:  # (above the holder table alone: its 100,000 lines not gone through)
            top = min(t.header_row for t in s.tables)
            places = [k for k in product(range(1, top), columns) if k in cells]
        else:  # (the row just below an input table: a line typed there is named as such, by validate's inputs leg)
            spans = [(t.header_row, t.last_row + (t.name in INPUT_TABLES)) for t in s.tables]
            places = sorted(k for k in cells if k[1] in columns and not any(a <= k[0] <= b for a, b in spans))
        for row, col in places:
            cell = cells[(row, col)]
            value, where = cell.value, f"{s.title}!{cell.coordinate}"
            if (s.title, (row, col)) in ours or where in named:
                continue
            text = isinstance(value, str) and not value.startswith("=") and reads_as_figure(value)
            if isinstance(value, (int, float, Decimal, dt.date, dt.time)) or isinstance(value, str) and \
                    value.startswith("=") or text or getattr(value, "text", None) is not None:
                findings.append(finding(book, where, f"{'text that reads as ' * text}a figure where the layout has "
                                        "none: a reader takes it for one of the workbook's figures, which nothing "
                                        "checks; put figures of your own on a sheet of your own (a note in words may "
                                        "stay)", "empty, or a note in words", _shown(value)))


def _shown(value) -> str:
    """A cell's value as a finding shows it: a formula as typed, a date as ISO, anything else as Python writes it."""
    text = getattr(value, "text", value)
    if isinstance(text, bool):
        return "TRUE" if text else "FALSE"
    if isinstance(text, dt.datetime) and text.time() == dt.time():
        return text.date().isoformat()
    return text.isoformat() if isinstance(text, (dt.date, dt.time)) else text if isinstance(text, str) else repr(text)


def _words(book: str, wb, lay: Layout, findings: list, finding) -> None:
    """Labels, titles, notes and headers other than the layout's, or whose format shows other words."""
    for (sheet, row, col), want in _labels(lay).items():
        if sheet not in wb.sheetnames:
            continue
        cell = cell_map(wb[sheet]).get((row, col))
        got = cell.value if cell is not None else None
        where = f"{sheet}!{get_column_letter(col)}{row}"
        if got != want and not (isinstance(got, str) and got.strip() == want.strip()):
            findings.append(finding(book, where, "label differs from the layout: a reader takes the figure beside it "
                                    "for what the label says", repr(want), repr(got)))
        elif cell is not None and (why := misleading_format(cell.number_format, "text")):
            findings.append(finding(book, where, f"label's number format {why}", repr(want), repr(cell.number_format)))


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


def _formats(book: str, wb, lay: Layout, looks: list, findings: list, finding) -> None:
    for (sheet, ref), kind in _kinds(lay).items():
        if sheet not in wb.sheetnames:
            continue
        cell = cell_map(wb[sheet]).get(coordinate_to_tuple(ref))
        # (a flag: Excel shows TRUE/FALSE whatever the format, but its text, "tie-outs not run", through the text
        # section)
        why = None if cell is None else misleading_format(cell.number_format, "text" if kind == "bool" else kind)
        if why:
            findings.append(finding(book, f"{sheet}!{ref}", f"number format {why}", _shows(kind),
                                    repr(cell.number_format)))
    for title, c, cells in looks:  # a table's column: each format its cells use, once
        for cell in {cell.number_format: cell for cell in reversed(cells)}.values():
            why = misleading_format(cell.number_format, c.fmt)
            if why:
                findings.append(finding(book, f"{title}!{cell.coordinate}",
                                        f"number format {why} (the column's first such cell)",
                                        _shows(c.fmt), repr(cell.number_format)))


def _shows(kind: str) -> str:
    """What a format finding expects on a cell of *kind*: a date format on a date (review 165: a Text format on a
    date cell expected "a format that shows the figure")."""
    return "a date format (the layout's is yyyy-mm-dd)" if kind == "date" else "a format that shows the figure"


def _table_looks(wb, lay: Layout) -> list[tuple[str, object, list]]:
    """``(sheet, column, cells)`` for each column of the layout's tables: the first cell of each look (font, fill,
    number format) its cells have, so that a long column is judged once for each."""
    out = []
    for s in lay.sheets:
        if s.title not in wb.sheetnames:
            continue
        cells = cell_map(wb[s.title])
        for t in s.tables:
            for i, c in enumerate(t.columns):
                rows = zip(range(t.first_row, t.last_row + 1), repeat(t.first_col + i))
                out.append((s.title, c, first_of_each_look(map(cells.get, rows))))
    return out


#: A format section's tokens: quoted text, an escaped character, a space a character wide, a fill, a bracket
#: (colour, condition, locale), or one character of code.
_TOKEN = re.compile(r'"[^"]*"?|\\.|_.|\*.|\[[^\]]*\]?|.', re.S)
#: The units a scaled figure is shown in, by the thousands its commas divide by (``#,##0.0,,"M"``: millions), in
#: the languages a finance team writes them: a scale that says so, and says the right one.
_UNITS = {
    1: r"k|t|tsd|tausend|thousands?|miles|mil|migliaia|tys|тыс|千|'000|000s?",
    2: r"m|mm|mn|mln|mio|mill|millones|millions?|millionen|milioni|млн|百万|mil",
    3: r"b|bn|mrd|mrds|md|mds|mia|billions?|milliards?|mld",
}
#: A currency written beside a unit (``$m``, ``TCHF``, ``M€``, ``百万円``): taken off before the unit is read.
_MONEY = r"us\$|\$|€|£|¥|円|usd|eur|chf|sek|nok|dkk|gbp|jpy|cad|aud|kr"


def _unit(literal: str) -> set[int]:
    """The scales (1: thousands, 2: millions, 3: billions) whose unit *literal* names."""
    words = re.findall(r"[^\s\d.,:;()\"\-]+|['’]?000s?", literal.lower())
    bare = [re.sub(rf"^({_MONEY})+|({_MONEY})+$", "", w) or w for w in words]
    return {n for n, unit in _UNITS.items() for w in bare if re.fullmatch(unit, w.replace("’", "'"))}


def _sections(fmt: str) -> list[str]:
    """*fmt*'s sections, split at the semicolons outside quotes and escapes."""
    out, cur = [], ""
    for token in _TOKEN.findall(fmt):
        if token == ";":
            out.append(cur)
            cur = ""
        else:
            cur += token
    return out + [cur]


def _parts(section: str) -> tuple[str, str, str]:
    """``(literal, codes, brackets)`` of a format section: the text it shows as written (quoted, escaped), its
    codes (placeholders, date codes and the characters shown as they are; ``General`` as ``0``, an exponent's
    sign dropped), and its brackets, lower-cased.  Spaces a character wide and fills are neither."""
    literal, codes, brackets = [], [], []
    for token in _TOKEN.findall(section):
        if token[0] == '"':
            literal.append(token.strip('"'))
        elif token.startswith("[$"):  # a currency's text, shown as written: [$€-407] shows €
            literal.append(token[2:].rstrip("]").split("-")[0])
            brackets.append(token.lower())
        elif token[0] == "\\" and len(token) == 2:
            literal.append(token[1])
        elif token[0] == "[":
            brackets.append(token.lower())
        elif token[0] == "*" and len(token) == 2 and re.match(r"\d|" + _SIGN, token[1]):  # a fill of digits
            literal.append(token[1] * 3)
        elif not (token[0] in "_*" and len(token) == 2):
            codes.append(token)
    code = re.sub(r"(?i)general", "0", "".join(codes))
    return "".join(literal), re.sub(r"(?i)e[+-]", "", code), "".join(brackets)


def misleading_format(fmt: str, kind: str = "general") -> str | None:
    """Why number format *fmt* shows a cell of format *kind* (a key of ``FMT``) as something other than its
    value, or None.  A text figure is judged by the text section alone; a number by the others."""
    sections = _sections(fmt or "General")
    if len(sections) in (2, 3) and "@" in _parts(sections[-1])[1]:  # (m/d/yy;@: a text section in last place)
        sections = sections[:-1] + [""] * (4 - len(sections)) + sections[-1:]
    text = sections[3] if len(sections) > 3 else sections[0] if "@" in _parts(sections[0])[1] else None
    if text is not None and "@" not in _parts(text)[1] and (text.strip() or kind == "text"):
        return "puts other text in place of the cell's" if text.strip() else "hides the cell's text"
    if kind == "text" and text is not None and _parts(text)[0].strip():  # ("Charge: "@ on a label or a text figure)
        return f"adds words ({_parts(text)[0].strip()!r}) to the cell's text"
    if kind == "text":
        return None
    if len(sections) > 1 and all(not s.strip() for s in sections[:3]):
        return "hides the figure (its sections are empty)"
    conditional = any(re.search(r"\[[<>=]", _parts(s)[2]) for s in sections)  # (the sections are not by sign)
    if len(sections) == 4 and not any(s.strip() for s in sections[1:3]):  # (the text section filled the others)
        sections = sections[:1]
    for n, section in enumerate(sections[:3]):
        why = _section_problem(n, section, kind, len(sections), conditional)
        if why:
            return why
    return None


def _section_problem(n: int, section: str, kind: str, count: int, conditional: bool) -> str | None:
    """What section *n* (0 positive, 1 negative, 2 zero, unless *conditional*) of *count* shows otherwise."""
    literal, codes, brackets = _parts(section)
    placeholders = re.search(r"[0#?@]", codes)  # (a number under a format of text alone is shown as General)
    dated = re.search(r"[ymdhsaegb]", codes.lower()) or re.search(r"\[(h+|m+|s+)\]", brackets)
    which = "" if count == 1 or conditional else " when it is " + ("positive", "negative", "zero")[n]
    if re.search(r"\d" if n < 2 or conditional else r"[1-9]", re.sub(r"(?<![\d,.])['’]?000s?(?!\d)", "", literal)):
        return f"shows fixed digits ({literal}) in place of the figure's own"
    if re.search("[%％٪﹪]", literal) or re.search(r"\*[%％٪﹪]", section):  # (review 165: *% fills with them)
        return "shows a percent sign that does not multiply the figure by 100"
    if n < 2 and not placeholders and not dated:
        return f"shows {literal.strip()!r} in place of the figure{which}" if literal.strip() else \
            f"hides the figure{which}"
    scale = len(m.group(1)) if (m := re.search(r"[0#?.](,+)(?![0#?,])", codes)) else 0
    if scale and scale not in _unit(literal):
        return (f"scales the figure (its trailing commas divide it by {1000 ** scale:,}) without saying so" if
                not _unit(literal) else f"scales the figure by {1000 ** scale:,} but names another unit")
    if not scale and _unit(literal) - {1} and placeholders and kind != "date":
        return "names a unit of millions or billions but shows the whole figure"
    if kind == "date":
        if n == 0 and "@" in codes:  # (review 161: a date typed into it stays text, shown as typed, no number)
            return "is Text on a date cell: it shows a date as a number, and one typed into it stays text"
        return DATE_AS_NUMBER if n == 0 and placeholders and not dated else None
    if dated:
        return "shows the figure as a date or time"
    # (General, an exponent, a percent or a fraction shows it; _% and *% pad or fill, review 163: no percent)
    unquoted = re.sub(r'"[^"]*"|\\.|[_*].', "", section)
    bare = re.sub(r"\[[^\]]*\]", "", unquoted)  # (its colours, currencies and conditions aside)
    if kind in _WHOLE and re.search(r"(?i)e[+-]", bare):  # (review 162: $4.54E+06 for $4,539,999.00)
        return "shows the figure in scientific notation, to a few digits, not to the unit"
    if kind in _TO_THE_UNIT and "%" in bare:  # (review 162: a charge of $4,539,999.00 shown as 453999900%)
        return "shows the figure as a percentage, 100 times what it is"
    if kind in _FRACTIONAL and "/" in bare:  # (review 163: "# ?/?" shows $8 1/3 for $8.3125, 7 15/16 for 7.94)
        return "shows the figure as a fraction, the nearest its digits allow, not the decimal it is"
    shows_all = r"(?i)general|%" if kind in _DOLLARS + ("ratio", "quotient") else r"(?i)general|e[+-]|%"
    if kind in _WHOLE_MISREAD and (kind != "factor" if conditional else n == 0) and placeholders and not re.search(
            r"\.[0#?]|[/@]", codes) and not re.search(shows_all, unquoted):  # ("0." shows 8. for 7.94; review
        return _WHOLE_MISREAD[kind] if not conditional else (  # 165: "0E+00" 8E+00, a factor 0.5 5E-01)
            f"{_WHOLE_MISREAD[kind].split(':')[0]} {_condition(section)}")  # (reviews 169, 170, 171)
    if kind in _DOLLARS and (other := _other_currency(f"{literal} {codes}", section)):
        return f"shows another currency ({other}) than the workbook's dollars"
    # (a word says the sign as well as a minus: the layout's charge reads "$7,625,420.00 credit")
    signed = re.search(_SIGN, codes + literal) or "[red]" in brackets or re.search(_SIGN_WORD, literal)
    if conditional:  # a section whose condition takes negative figures must show their sign
        takes = re.search(r"\[(<=?|=)\s*(-?[\d.]+)\]", brackets)
        try:
            negative = takes and (float(takes.group(2)) <= 0 if takes.group(1) != "=" else float(takes.group(2)) < 0)
        except ValueError:  # ([<.]: not a number; Excel refuses such a format)
            negative = False
        return "shows a negative figure without its sign" if negative and not signed else None
    unitless = re.sub(r"\((?:{_MONEY})?['’]?000s?\)".replace("{_MONEY}", _MONEY), "", literal.lower())  # ($000)
    shown_sign = re.search(_SIGN, codes + unitless) or re.search(r"(?i)\b(cr|credit)\b", literal)
    if count == 1 and n == 0 and not shown_sign:
        return None
    if n == 0 and shown_sign:
        return "shows a positive figure as a negative one"
    if n == 1 and not signed:
        return "shows a negative figure without its sign"
    return None


#: The kinds of figure that read as another when shown to no decimal place, and how (review 143: a ratio of 7.94
#: formatted ``0`` shows 8; a price of $7.39, ``$0``, $7).
_WHOLE_MISREAD = {
    "factor": "shows the factor to no decimal place: one between 0 and 1 reads as none or all (0.5 shows 1)",
    "ratio": "shows the ratio to no decimal place: another ratio than the offer's (7.94 shows 8)",
    "quotient": "shows the quotient to no decimal place: another ratio than it is (7.9422 shows 8)",
    "price": "shows the price to no decimal place: another price than the one valued ($7.39 shows $7)",
    "unit_price": "shows the price to no decimal place: another price than the one valued ($7.39 shows $7)",
    # (review 162: Participation, 40.00%, under format 0 showed 0; earnings per share of $0.1712, 0)
    "pct": "shows the fraction to no decimal place and without a percent sign: one between 0 and 1 reads as none "
           "or all (40.00% shows 0)",
    "rate": "shows the rate to no decimal place and without a percent sign: one between 0 and 1 reads as none or "
            "all (21% shows 0)",
    "eps": "shows earnings per share to no decimal place: another figure than it is ($0.1712 shows 0)",
}
#: The kinds of figure a reader takes to the unit (whole shares, cents): a percent shows another.
_TO_THE_UNIT = ("count", "count4", "money", "charge", "amount", "price", "unit_price", "eps", "ratio", "quotient")
#: ... of them, those of whole shares or dollars, whose digits an exponent hides ($7.39 as 7.39E+00 hides none).
_WHOLE = ("count", "count4", "money", "charge", "amount")
#: The kinds of figure with decimals, which a fraction's format (``# ?/?``) shows as another figure.
#: (A proration factor is left to its own: 1/2, as offers state one, review 143; a condition such as [>=1] on it takes
#: 1 alone, which no decimal place shows exactly. A price's [>=1] takes $7.39, shown $7: review 163.)
_FRACTIONAL = ("money", "charge", "amount", "price", "unit_price", "eps", "ratio", "quotient", "pct", "rate")
#: The kinds of figure in dollars, as the layout's formats show them.
_DOLLARS = ("money", "charge", "price", "eps", "amount", "unit_price")
#: A currency a number format shows: a symbol, or an ISO code in words.
_CURRENCY = re.compile(rf"[{_SYMBOLS}]|(?<![A-Za-z])(?:{_CODES})(?![A-Za-z])")


def _condition(section: str) -> str:
    """Which figures a section of a format with conditions shows: ``where its condition [>=100] holds``, as the
    format writes it, or those no condition takes."""
    m = re.search(r"\[\s*(?:<>|<=|>=|<|>|=)\s*[-+]?[\d.]+(?:[eE][+-]?\d+)?\s*\]", section)
    return f"where its condition {m.group()} holds" if m else "for the figures the format's conditions leave to it"


def _other_currency(literal: str, section: str) -> str | None:
    """The currency other than the dollar a section's words (*literal*) or its ``[$€-2]`` bracket (in *section*, as
    written: ``[$CHF]`` says CHF) show, or None."""
    for symbol in re.findall(r"\[\$([^\]-]*)", section):
        if symbol.strip() and "$" not in symbol and not symbol.upper().startswith("US"):
            return symbol.strip()
    found = _CURRENCY.search(literal)
    return found.group() if found else None


#: What shows a figure negative: a minus (or a dash of another width, Japanese Excel's triangles), a parenthesis.
_SIGN = r"[-(\u2212\u2012\u2013\u2014\u25b3\u25b2]"
#: What says a figure is negative in words: credit or debit, or their abbreviations (Excel's ``"CR"``).
_SIGN_WORD = r"(?i)\b(cr|dr|credit|debit)\b"


#: What a drawing holds that shows over a sheet's cells (DrawingML): a shape or text box, a picture, a group, a
#: connector.
_SHAPES = {"sp", "pic", "grpSp", "cxnSp"}
#: The charts the layout draws (build.py: a line chart on each of these sheets), and the sheet of its buttons.
_CHARTS = {"Sensitivity": 1, "History": 1}
_BUTTONS = "Cover"
_CAPTIONS = tuple(b.caption for b in COVER_BUTTONS)


def _drawings(book: str, pkg, findings: list, finding) -> None:
    """Shapes, pictures and charts on a standard sheet that the layout does not put there, at any depth of its
    drawing; VML controls other than notes and the Cover's buttons."""
    for title, part in pkg.sheet_parts().items():
        if title not in SHEETS:
            continue
        margins = set(re.findall(rb"legacyDrawingHF\b[^>]*?\b\w+:id=\"([^\"]+)\"", pkg.read(part)))  # (printed
        for rid, kind, target in pkg.relationships(part):                                   # in the page margin)
            if not pkg.has(target) or not kind.endswith(("/drawing", "/vmlDrawing")) or rid.encode() in margins:
                continue
            vml = kind.endswith("/vmlDrawing")
            found = _vml_shapes(pkg.read(target), title == _BUTTONS) if vml else \
                _shapes_in(pkg.read(target), _CHARTS.get(title, 0), _CAPTIONS if title == _BUTTONS else ())
            for what in found:  # (what to do: a chart of one's own passes on a sheet of one's own)
                todo = ("move the chart to a sheet of your own (select it, then Chart Design > Move Chart)" if
                        what == "a chart" else "move it to a sheet of your own (cut and paste it there), or delete it")
                findings.append(finding(book, f"{title} (drawing {target})", "a shape on a standard sheet: it shows "
                                        "over the figures what they do not hold (the layout puts only its charts and "
                                        f"buttons there); {todo}", "no shapes", what))


def _vml_shapes(data: bytes, buttons: bool) -> list[str]:
    """The VML shapes other than notes (and buttons, where the layout has them), each by its control's type; VML
    is often not well-formed XML, so its shapes are found however quoted or encoded."""
    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", errors="replace")
    out = []
    for m in re.finditer(r"<(\w+):(shape|rect|roundrect|oval|line|polyline|image|group)\b.*?</\1:\2\s*>", text, re.S):
        kind = re.search(r"ObjectType\s*=\s*[\"']\s*(\w+)", m.group())
        if kind is None or kind.group(1) not in (("Button", "Note") if buttons else ("Note",)):
            out.append(kind.group(1) if kind else f"a VML {m.group(2)}")
    return out


def _shapes_in(data: bytes, charts: int, buttons=()) -> list[str]:
    """What shows in a drawing part past the layout's *charts* and its *buttons* (their captions: LibreOffice saves
    the Cover's buttons as shapes), each described (its words, or its kind); a part that cannot be read is one."""
    buttons = list(buttons)
    try:
        root = _parse_xml(data)
    except Exception as exc:  # noqa: BLE001  (defusedxml refuses entities; a damaged part)
        return [f"a drawing that cannot be read ({type(exc).__name__})"]
    out = []
    for anchor in root:
        shapes = [e for e in anchor.iter() if e.tag.split("}")[-1] in _SHAPES]
        framed = any(e.tag.split("}")[-1] == "graphicFrame" for e in anchor.iter())
        words = " ".join(t.text or "" for e in shapes for t in e.iter() if t.tag.endswith("}t")).strip()
        if shapes and words in buttons:
            buttons.remove(words)  # (one of the layout's, each once)
        elif shapes:
            out.append(repr(words) if words else shapes[0].tag.split("}")[-1])
        elif framed and charts:
            charts -= 1  # (the layout's own)
        elif framed:  # (a chart's words are in its own part)
            out.append("a chart")
    return out


#: The least height of a row of figures, in points, and width of their columns, in characters, that shows them: a
#: row of half a point or a column of a tenth of a character hides its figures as hiding it does (review 143); the
#: layout's are 15 points and 9 characters at least.
LEAST_HEIGHT, LEAST_WIDTH = 6, 3


def _hidden_lines(book: str, wb, lay: Layout, findings: list, finding) -> None:
    """The layout's rows of figures, and its label, value and note columns and its tables' columns, hidden or shrunk
    to nothing on a standard sheet: the figure is not seen, and a line typed below it in its place would be.  (A
    table's rows are the user's to filter: a holder's lines hidden by a filter still count, as the table's.)"""
    rows: dict[str, set[int]] = {s.title: set() for s in lay.sheets}
    for s, _, _, row in lay.items():
        rows[s.title].add(row)
    for title, wanted in rows.items():
        if title not in wb.sheetnames:
            continue
        ws, sheet = wb[title], lay.sheet(title)
        columns = set(range(LABEL_COL, (CHECK_COLS[-1] if title == "Check" else NOTE_COL) + 1)) if wanted else set()
        columns.update(t.first_col + i for t in sheet.tables for i in range(len(t.columns)))
        for row in sorted(r for r in wanted if r in ws.row_dimensions):
            dim = ws.row_dimensions[row]
            if dim.hidden or dim.height is not None and dim.height < LEAST_HEIGHT:
                gone = dim.hidden or not dim.height
                todo = _unhide("row", str(row), max(row - 1, 1), row + 1) if gone else \
                    f"make it taller (Home > Format > Row Height, {LEAST_HEIGHT} points at least)"
                findings.append(finding(book, f"{title}!{row}:{row}", f"row of figures is "
                                        f"{'hidden' if gone else 'shrunk to nothing'}: a reader does not see it; "
                                        f"{todo}", "shown", "hidden" if dim.hidden else f"height {dim.height:g}"))
        spans = {c: d for d in ws.column_dimensions.values() if d.min for c in range(d.min, (d.max or d.min) + 1)}
        for letter in map(get_column_letter, sorted(columns)):
            dim = spans.get(column_index_from_string(letter))  # (a <col> of several columns: LibreOffice writes them)
            if dim is not None and (dim.hidden or dim.width is not None and dim.width < LEAST_WIDTH):  # (openpyxl
                # reads customWidth as a width given: one of 0 is not custom to it, review 146)
                col = column_index_from_string(letter)
                gone = dim.hidden or not dim.width
                todo = _unhide("column", letter, *map(get_column_letter, (max(col - 1, 1), col + 1))) if gone else \
                    f"widen it (Home > Format > Column Width, {LEAST_WIDTH} at least)"
                findings.append(finding(book, f"{title}!{letter}:{letter}", "column of figures or their labels is "
                                        f"{'hidden' if gone else 'shrunk to nothing'}: a reader does not see it; "
                                        f"{todo}", "shown", "hidden" if dim.hidden else f"width {dim.width:g}"))


def _unhide(what: str, which: str, before, after) -> str:
    """What to do of a hidden *what* (``row``, ``column``) *which*: unhide it, from the ones either side of it."""
    return (f"unhide {what} {which} (select {what}s {before}:{after}, then Home > Format > Hide & Unhide > Unhide "
            f"{what.capitalize()}s)")


def _conditional(book: str, wb, lay: Layout, findings: list, finding) -> None:
    """Conditional formats of a standard sheet whose number format shows another figure (judged by the kind of
    the first cell they cover), whose font colour is its background's (judged on the first cell), or whose data
    bar or icon set hides the figure."""
    kinds, themes = _kinds(lay), legible.theme_colours(wb)
    for ws in wb.worksheets:
        if ws.title not in SHEETS:
            continue
        for cf in ws.conditional_formatting:
            first = str(cf.sqref).split()[0].split(":")[0]
            kind = kinds.get((ws.title, first), "general")
            for rule in cf.rules:
                if how := legible.conditional_hides(rule, ws[first], themes):
                    findings.append(finding(book, f"{ws.title}!{cf.sqref}", "conditional format's font colour is "
                                            "its background's when its rule applies (a reader takes the cell for "
                                            "empty)", "a colour that stands out from the background", how))
                code = getattr(getattr(getattr(rule, "dxf", None), "numFmt", None), "formatCode", None)
                why = misleading_format(code, "text" if kind == "bool" else kind) if code else None
                hidden = [k for k in ("dataBar", "iconSet") if getattr(getattr(rule, k, None), "showValue", None)
                          in (False, 0, "0")]
                if why or hidden:
                    findings.append(finding(book, f"{ws.title}!{cf.sqref}", f"conditional format's number format {why}"
                                            if why else f"conditional format's {hidden[0]} hides the figure",
                                            "a format that shows the figure", repr(code) if why else hidden[0]))


def _colours(book: str, wb, lay: Layout, looks: list, findings: list, finding) -> None:
    """Figures and labels whose text colour is their background's (:mod:`xlpy.workbook.legible`); a table's
    columns judged once for each look their cells have."""
    themes = legible.theme_colours(wb)
    places = [(sheet, coordinate_to_tuple(ref)) for sheet, ref in _kinds(lay)]
    places += [(sheet, (row, col)) for sheet, row, col in _labels(lay)]
    cells = []
    for sheet, at in places:
        if sheet in wb.sheetnames:
            cells.append((f"{sheet}!{get_column_letter(at[1])}{at[0]}", cell_map(wb[sheet]).get(at)))
    cells += [(f"{title}!{cell.coordinate} (the column's first such cell)", cell)
              for title, _, column in looks for cell in column]
    findings += legible.findings(book, cells, themes, finding)


def check(book: str, wb, lay: Layout, path, findings: list, finding) -> None:
    """Append to *findings* (each made by ``finding(book, where, what, expected, found)``) what the workbook
    shows a reader otherwise than it holds."""
    from .package import Package

    _sheets(book, wb, findings, finding)
    if getattr(getattr(wb, "calculation", None), "calcMode", None) == "manual":
        findings.append(finding(book, "workbook calculation", "is manual: Excel shows the values saved in the file "
                                "until someone recalculates (F9), not what the formulas give; set Formulas > "
                                "Calculation Options > Automatic, then save", "automatic", "manual"))
    findings += precision.findings(book, wb, finding)  # (Set precision as displayed: each figure rounded as shown)
    _words(book, wb, lay, findings, finding)
    _figures_of_ones_own(book, wb, lay, findings, finding)
    _page_figures(book, wb, findings, finding)
    looks = _table_looks(wb, lay)
    _formats(book, wb, lay, looks, findings, finding)
    _conditional(book, wb, lay, findings, finding)
    _colours(book, wb, lay, looks, findings, finding)
    _hidden_lines(book, wb, lay, findings, finding)
    pkg = Package(path)
    try:
        _drawings(book, pkg, findings, finding)
    finally:
        pkg.close()
