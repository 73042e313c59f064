"""Build the standard offer-results workbook (``.xlsm``) with openpyxl.

The workbook starts from the template xlwings ships (``quickstart_standalone.xlsm``),
whose VBA project is kept byte for byte.  Sheets, names and formulas come from
:mod:`xlpy.workbook.layout`; values from :mod:`xlpy.workbook.data`.

Builds are deterministic: the same inputs and the same build time give a
byte-identical file.  The build time is ``SOURCE_DATE_EPOCH`` when set (the
reproducible-builds convention), else now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import CellIsRule, FormulaRule, Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table as XLTable
from openpyxl.worksheet.table import TableStyleInfo

from .. import __version__
from ..engine.numbers import engine_context
from ..excel import vba
from ..files import calendars
from . import buttons, package, saved_values
from .saving import atomic_save
from . import data as bookdata
from .clock import run_by
from .collector import collector_eased
from .layout import (
    CHECK_COLS,
    CONF_SHEET,
    COVER_BUTTONS,
    FMT,
    HISTORY_CHART_ROWS,
    LABEL_COL,
    LAYOUT_NAME,
    LAYOUT_VERSION,
    NOT_REFRESHED,
    NOT_RUN_STATES,
    NOTE_COL,
    SENS_PARTICIPATIONS,
    SENS_PRICE_STEPS,
    VALUE_COL,
    Layout,
    Sheet,
    Table,
    history_row,
    layout,
    sensitivity_cells,
    sensitivity_origin,
    tie_cells,
)
from .openpyxl_access import (
    cell_map,
    charts_of,
    new_cell,
    order_sheets,
    set_style_array,
    style_array,
)

__all__ = ["build_workbook", "build_time", "STYLE", "text_or_value", "write_table_rows"]

BLUE = "0000FF"
STYLE = {
    "title": Font(name="Calibri", size=16, bold=True, color="1F3864"),
    "subtitle": Font(name="Calibri", size=11, italic=True, color="595959"),
    "section": Font(name="Calibri", size=11, bold=True, color="FFFFFF"),
    "section_fill": PatternFill("solid", fgColor="1F3864"),
    "header": Font(name="Calibri", size=10, bold=True),
    "header_fill": PatternFill("solid", fgColor="D9E1F2"),
    "input": Font(name="Calibri", size=10, color=BLUE),
    "input_fill": PatternFill("solid", fgColor="FFF2CC"),
    "formula": Font(name="Calibri", size=10, color="000000"),
    "label": Font(name="Calibri", size=10),
    "note": Font(name="Calibri", size=9, italic=True, color="595959"),
    "record": Font(name="Calibri", size=10, color="404040"),
}
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
#: An input cell stays editable when a sheet is protected (Review > Protect Sheet): every other cell is locked.
UNLOCKED, LOCKED = Protection(locked=False), Protection(locked=True)
GOOD = PatternFill("solid", fgColor="C6EFCE")
BAD = PatternFill("solid", fgColor="FFC7CE")
#: Amber (Excel's "Neutral"): a Check status that is a state, not a failure (:data:`NOT_RUN_STATES`).
NOT_RUN = PatternFill("solid", fgColor="FFEB9C")


def build_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` as a UTC time, else now (to the second): :func:`xlpy.workbook.clock.utc_now`."""
    from .clock import utc_now

    return utc_now()


def _cell_value(v):
    """openpyxl writes Decimal as numbers; keep dates; bools stay bools."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 10**15 else v
    return v


def _is_number_format(key: str) -> bool:
    return key not in ("text", "bool", "general", "date")


def _set(ws, row: int, col: int, value, fmt: str | None = None, font=None, fill=None, text: bool = False):
    cell = ws.cell(row=row, column=col)
    if text and isinstance(value, str):
        cell.value = package.excel_escape(value)
        cell.data_type = "s"  # never a formula, whatever the text begins with
    else:
        cell.value = text_or_value(value)
    _style(ws, cell, fmt, font, fill)
    return cell


def text_or_value(value):
    """What openpyxl is given for *value*: text with Excel's ``_x`` escape (a formula as it is), numbers as numbers."""
    value = _cell_value(value)
    if isinstance(value, str) and not value.startswith("="):
        return package.excel_escape(value)
    return value


def _style(ws, cell, fmt, font, fill):
    """Apply a (format, font, fill) style; each combination is resolved once per workbook.

    Assigning fonts cell by cell makes openpyxl hash the font every time; a
    table of ten thousand lines would spend most of its build doing that.
    """
    if fmt is None and font is None and fill is None:
        return
    cache = ws.parent.__dict__.setdefault("_xlpy_styles", {})
    key = (fmt, id(font), id(fill))
    style = cache.get(key)
    if style is None:
        if fmt:
            cell.number_format = FMT[fmt]
            if fmt == "charge":  # ("$12,934,743.91 credit": smaller where its column is narrower, never ####)
                cell.alignment = FIGURE_FITS
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if fill is STYLE["input_fill"]:
            cell.protection = UNLOCKED
        cache[key] = style_array(cell)
    else:
        set_style_array(cell, style)


def _heading(ws, sheet: Sheet, subtitle: str | None):
    """The sheet's title, and under it *subtitle* (the offer file's issuer and security: text, never a formula,
    whatever it begins with)."""
    _set(ws, 1, LABEL_COL, sheet.heading, font=STYLE["title"], text=True)
    if subtitle:
        _set(ws, 2, LABEL_COL, subtitle, font=STYLE["subtitle"], text=True)


#: The width (in characters of the default font) an italic subtitle takes per character, near enough to tell
#: when it would run past a sheet's last column.
SUBTITLE_CHAR_WIDTH = 0.9
#: A subtitle line's height (15 points) in centimetres, as a chart's height is given.
SUBTITLE_LINE_CM = 15 / 72 * 2.54


def _fit_subtitle(ws, last_col: int) -> int:
    """A subtitle wider than the sheet's columns B..*last_col* wraps across them (merged, as many lines as it
    takes), so the page is fitted to the sheet's own width, not shrunk to a long issuer's name, nor cut by a print
    area.  Returns the lines it takes."""
    cell = ws.cell(row=2, column=LABEL_COL)
    if not isinstance(cell.value, str) or last_col <= LABEL_COL:
        return 1
    dims = ws.column_dimensions  # (asked for a column it lacks, it would make one: looked up, not asked)
    width = sum(dims[x].width if x in dims and dims[x].width else 8.43
                for x in map(get_column_letter, range(LABEL_COL, last_col + 1)))
    lines = math.ceil(len(cell.value) * SUBTITLE_CHAR_WIDTH / width)
    if lines > 1:
        ws.merge_cells(start_row=2, start_column=LABEL_COL, end_row=2, end_column=last_col)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[2].height = 15 * lines
    return lines


def _section(ws, row: int, title: str, width: int):
    for col in range(LABEL_COL, LABEL_COL + width):
        c = ws.cell(row=row, column=col)
        c.fill = STYLE["section_fill"]
    c = ws.cell(row=row, column=LABEL_COL, value=title)
    c.font = STYLE["section"]


#: The most characters Excel takes in a data validation's error title ([MS-OI29500] 2.1.613).
DV_TITLE_MOST = 32


def _validation(ws, item, ref: str, title: str | None = None, optional: bool | None = None):
    """Data validation of an input cell (or a table column's cells, *ref* a range): its choices, a date, or a
    number of at least 0 (above 0 when the item is *positive*, as the offer file has it)."""
    title = title or item.label
    optional = item.optional if optional is None else optional
    if item.choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(item.choices) + '"', allow_blank=optional,
                            showErrorMessage=True, errorTitle=title, error="Choose one of: " + ", ".join(item.choices))
    elif item.fmt == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=optional,
                            showErrorMessage=True, errorTitle=title, error="Enter a date.")
    elif _is_number_format(item.fmt) and getattr(item, "signed", False):  # a loss is a negative net income
        dv = DataValidation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300",
                            allow_blank=optional, showErrorMessage=True, errorTitle=title, error="Enter a number.")
    elif item.fmt == "count" and getattr(item, "most", None) is not None:  # a month
        least = 1 if item.positive else 0
        dv = DataValidation(type="whole", operator="between", formula1=str(least), formula2=str(item.most),
                            allow_blank=optional, showErrorMessage=True, errorTitle=title,
                            error=f"Enter a whole number from {least} to {item.most}.")
    elif item.fmt == "rate":  # a tax rate: a fraction below 1, as the offer file has it (not 21 for 21%)
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="0.999999999999999",
                            allow_blank=optional, showErrorMessage=True, errorTitle=title,
                            error="Enter a fraction from 0 to below 1 (21% or 0.21 for 21%).")
    elif _is_number_format(item.fmt):
        whole = item.fmt == "count"
        above = "above 0" if item.positive else "0 or more"
        dv = DataValidation(type="whole" if whole else "decimal",
                            operator="greaterThan" if item.positive else "greaterThanOrEqual", formula1="0",
                            allow_blank=optional, showErrorMessage=True, errorTitle=title,
                            error=f"Enter a whole number, {above}." if whole else f"Enter a number, {above}.")
    else:
        return
    if len(title) > DV_TITLE_MOST:  # Excel's limit: a longer title has Excel repair the file, dropping the rules
        dv.errorTitle = title[:DV_TITLE_MOST - 1].rsplit(" ", 1)[0].rstrip(",;:(") + "…"
        dv.error = f"{title}: {dv.error}"  # the whole label, in the message under the shortened title
    dv.add(ref)
    ws.add_data_validation(dv)


def _write_blocks(ws, sheet: Sheet, values: dict[str, object], record: dict[str, object]):
    width = 5 if sheet.check else 3
    for b in sheet.blocks:
        _section(ws, b.row - 1, b.title, width)
        if sheet.check and b.title.startswith("Tie-outs"):
            for col, head in zip(CHECK_COLS[1:], ("Native formula", "xlpy function", "Difference", "Ties")):
                c = ws.cell(row=b.row - 1, column=col, value=head)
                c.font = STYLE["section"]
                c.alignment = Alignment(horizontal="right" if col in CHECK_COLS[1:4] else "center")
        for i, item in enumerate(b.items):
            row = b.row + i
            _set(ws, row, LABEL_COL, item.label, font=STYLE["label"])
            if sheet.check and item.function:
                _write_tie(ws, row, item)
                continue
            if item.record and item.name is None:
                # A line of explanation: the text itself stands in the value column.
                c = _set(ws, row, VALUE_COL, item.note, font=STYLE["record"], text=True)
                c.alignment = Alignment(wrap_text=True, vertical="top")
                _wrapped_row(ws, sheet, row, {VALUE_COL: item.note})
                continue
            wrapped = {}
            if item.record:
                c = _set(ws, row, VALUE_COL, record.get(item.name, ""), item.fmt, STYLE["record"], text=True)
                c.alignment = Alignment(horizontal="left")
            elif item.formula is not None:
                c = _set(ws, row, VALUE_COL, item.formula, item.fmt, STYLE["formula"])
                if item.fmt == "text" and not sheet.check and sheet.title != "Release":  # an account's name
                    c.alignment = Alignment(horizontal="left", wrap_text=True)
                    wrapped[VALUE_COL] = max(re.findall(r'"([^"]*)"', item.formula), key=len, default="")
            else:
                v = values.get(item.name)
                cell = _set(ws, row, VALUE_COL, v, item.fmt, STYLE["input"], STYLE["input_fill"],
                            text=item.fmt == "text")
                cell.border = BOX
                _validation(ws, item, f"{get_column_letter(VALUE_COL)}{row}")
                if item.fmt == "text":  # a long name wraps inside its box, not over the note beside it
                    cell.alignment = Alignment(wrap_text=True)
                    wrapped[VALUE_COL] = "" if v is None else str(v)
            if item.note:
                c = _set(ws, row, NOTE_COL if not sheet.check else CHECK_COLS[2], item.note, font=STYLE["note"],
                         text=True)
                wrap = not sheet.check and not sheet.notes_overflow
                c.alignment = Alignment(wrap_text=wrap, vertical="top")
                if wrap:
                    wrapped[NOTE_COL] = item.note
            if not sheet.check:
                _wrapped_row(ws, sheet, row, wrapped)
            if sheet.check and item.fmt == "bool":
                _flag_format(ws, f"{get_column_letter(VALUE_COL)}{row}", NOT_RUN_STATES.get(item.name))
    _whole_counts(ws, [b.row + i for b in sheet.blocks for i in range(len(b.items))])


def _whole_counts(ws, rows: list[int]):
    """A count that may hold a fraction (``count4``, ``#,##0.####``) shows a whole value as ``1,298,760``, not
    Excel's ``1,298,760.``: a conditional format gives it ``#,##0`` while ``MOD(value,1)=0`` (text is left be)."""
    cells = cell_map(ws)
    whole = DifferentialStyle(numFmt=NumberFormat(numFmtId=3, formatCode=FMT["count"]))
    for row in rows:
        for col in range(LABEL_COL, CHECK_COLS[-1] + 1):
            cell = cells.get((row, col))
            if cell is not None and cell.number_format == FMT["count4"]:
                ref = f"{get_column_letter(col)}{row}"
                ws.conditional_formatting.add(ref, Rule(type="expression", dxf=whole, formula=[f"MOD({ref},1)=0"]))


#: Characters of Calibri 10 a column holds per unit of its width (about 90 in the Cover's 66), on the safe side;
#: a smaller font holds more (the 9-point notes about 1.5).
CHARS_PER_WIDTH = 1.36


def _wrapped_row(ws, sheet: Sheet, row: int, texts: dict[int, str]):
    """A block's row: tall enough for the longest of its wrapped *texts* (column -> text; an application does not
    grow a row's height for wrapped text on its own), its label, value and note aligned to the top, so a label
    prints beside the first line of the text beside it, and every row of a block reads alike."""
    cells = cell_map(ws)
    lines = max((math.ceil(len(text) / (sheet.widths.get(get_column_letter(col), 13) * CHARS_PER_WIDTH * 10
                                        / (cells[(row, col)].font.sz or 10)))
                 for col, text in texts.items()), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, 15 * lines)
    for col in (LABEL_COL, VALUE_COL, NOTE_COL):
        cell = cells.get((row, col))
        if cell is not None:
            a = cell.alignment
            cell.alignment = Alignment(horizontal=a.horizontal, indent=a.indent, wrap_text=a.wrap_text,
                                       vertical="top")


def _write_tie(ws, row: int, item):
    for col, (formula, fmt) in tie_cells(item, row).items():
        c = _set(ws, row, col, formula, fmt, STYLE["formula"])
        # the figures, text ones too ("$9.6 million", "functions not loaded"), on the right as their headers, the
        # flag in the middle of its column: none runs into the next
        c.alignment = Alignment(horizontal="right" if col in CHECK_COLS[1:4] else "center",
                                shrink_to_fit=fmt == "charge")
    _flag_format(ws, f"{get_column_letter(CHECK_COLS[4])}{row}")


def _flag_format(ws, ref: str, not_run: str | None = None):
    """A flag green when TRUE, red when FALSE; amber when FALSE while *not_run* holds (xlpy's functions not loaded:
    a state, not a failure), a rule taking precedence over the red one."""
    if not_run:
        ws.conditional_formatting.add(ref, FormulaRule(formula=[f"AND({ref}=FALSE,{not_run})"], fill=NOT_RUN,
                                                       stopIfTrue=True))
    ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["TRUE"], fill=GOOD))
    ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["FALSE"], fill=BAD))


def write_table_rows(ws, table: Table, rows: list[tuple], clear_to: int | None = None, limit: int | None = None):
    """Write a table's input columns from *rows* and its formula columns from the layout.

    Text from outside (holder names, methods) is stored as text, never as a
    formula.  Rows from the table's end up to *clear_to* are removed (a refresh
    with fewer lines than before).  *limit* writes only the first rows (a
    build writes the rest of the holder table into the saved package, see
    :func:`_holder_rows_into`).
    """
    input_cols = [(table.first_col + i, c) for i, c in enumerate(table.columns) if c.formula is None]
    formula_cols = [(table.first_col + i, c, table.row_template(c)) for i, c in enumerate(table.columns)
                    if c.formula is not None]
    n = max(table.rows, 1) if limit is None else min(max(table.rows, 1), limit)
    # Tables run to a million cells: cells are made directly, each style resolved once (see _style).
    probe = ws.cell(row=table.first_row, column=table.first_col)
    styles = {}
    # (History's rows are the refreshes' record, not inputs: black, as the Cover's record, not an input's blue)
    for kind, font, columns in (("in", STYLE["formula" if table.name == "tblHistory" else "input"],
                                 [c for _, c in input_cols]),
                                ("f", STYLE["formula"], [c for _, c, _ in formula_cols])):
        for c in columns:
            wrapped = (table.name, c.key) in WRAPPED_COLUMNS
            _style(ws, probe, c.fmt, WRAPPED_COLUMNS.get((table.name, c.key)) or font, None)
            # text is indented, so a holder id never runs into the number before it; a figure wider than its
            # column (a count past a trillion) shows smaller, never as ####
            probe.alignment = TEXT_WRAPPED if wrapped else TEXT_INDENT if c.fmt == "text" else FIGURE_FITS
            # a table's input columns stay editable under sheet protection (History is the refreshes' log)
            probe.protection = UNLOCKED if kind == "in" and table.name != "tblHistory" else LOCKED
            styles[(kind, c.key)] = style_array(probe)
    cells = cell_map(ws)
    for r in range(n):
        row = table.first_row + r
        data = rows[r] if r < len(rows) else None
        for j, (col, c) in enumerate(input_cols):
            v = data[j] if data is not None else None
            style = styles[("in", c.key)]
            if isinstance(v, str):  # text, never a formula, whatever it begins with
                cell = new_cell(ws, row, col, style, package.excel_escape(v), "s")
            elif isinstance(v, int) and not isinstance(v, bool):
                cell = new_cell(ws, row, col, style, v, "n")
            else:
                cell = new_cell(ws, row, col, style)
                cell.value = _cell_value(v)
            cells[(row, col)] = cell
        for col, c, template in formula_cols:
            # A row past the data is left blank; a table of formulas alone (a row per later exchange, reading
            # its inputs through {index}) has no data to run out of: every one of its rows gets its formulas.
            if data is None and r > 0 and input_cols:
                formula = None
            elif row == table.first_row and c.first:
                formula = table.row_formula(c, row)
            else:
                formula = template.format(r=row, p=row - 1, n=row + 1, i=r + 1)
            cells[(row, col)] = new_cell(ws, row, col, styles[("f", c.key)], formula, "f")
    if clear_to:  # the rows the table no longer takes go, styles and all, as a refresh of the package drops them
        for row in range(table.first_row + n, clear_to + 1):
            for i in range(len(table.columns)):
                cells.pop((row, table.first_col + i), None)


def _write_table(ws, table: Table, rows: list[tuple]):
    if table.title:
        _section(ws, table.header_row - 1, table.title, len(table.columns))
    lines = 1
    for i, c in enumerate(table.columns):
        h = _set(ws, table.header_row, table.first_col + i, c.header, font=STYLE["header"], fill=STYLE["header_fill"],
                 text=True)
        # Over its column's values: a number's header on the right, as the numbers are (a block above the
        # table may have made the column wide), a text's on the left and indented as the text is.
        h.alignment = Alignment(wrap_text=True, vertical="center", horizontal="left" if c.fmt == "text" else "right",
                                indent=TEXT_INDENT.indent if c.fmt == "text" else 0)
        width = ws.column_dimensions[get_column_letter(table.first_col + i)].width  # (Sheet.column_widths, set)
        lines = max(lines, math.ceil(len(c.header) / max(width - 2, 1)))
    if lines > 1:  # a wrapped header shows whole (an application does not grow a row's height on its own)
        ws.row_dimensions[table.header_row].height = 13.5 * lines + 1.5
    # The holder table's first row carries its styles; all its rows go into the saved package (_holder_rows_into).
    write_table_rows(ws, table, rows, limit=1 if table.name == saved_values.HOLDER_TABLE else None)
    xt = XLTable(displayName=table.name, ref=table.ref)
    xt.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(xt)
    for i, c in enumerate(table.columns):
        if c.choices or c.check:
            col = get_column_letter(table.first_col + i)
            _validation(ws, c, f"{col}{table.first_row}:{col}{table.last_row}", c.header, optional=c.check)


#: The Sensitivity grid's last column, over it and in its chart's legend.
OWN_PARTICIPATION = "This offer"


def _sensitivity(ws, lay: Layout):
    top, left = sensitivity_origin(lay)
    _set(ws, top, left, "Share price", font=STYLE["header"], fill=STYLE["header_fill"], text=True)
    for (row, col), (formula, fmt) in sensitivity_cells(lay).items():
        header = row == top or col == left
        _set(ws, row, col, formula, fmt, STYLE["header"] if header else STYLE["formula"],
             STYLE["header_fill"] if header else None)
    parts = len(SENS_PARTICIPATIONS) + 1
    # the last column is the offer's own participation: named over the grid and in the legend, where its
    # percentage alone could repeat another column's (an oversubscribed capped offer's is its cap's)
    own = _set(ws, top - 1, left + parts, OWN_PARTICIPATION, font=STYLE["header"], text=True)
    own.alignment = Alignment(horizontal="right")
    notes = ("Cash per unit: the cash consideration (the sweetener, where the offer induces conversion) and the "
             "dividend arrears or accrued interest paid, per unit (cash given in total: added whole).",
             "This offer (the last column): its own participation; at the valuation price, the charge on Results "
             "but for fractions (cash in lieu, shares rounded holder by holder).",
             "When the induced-conversion test fails: Outstanding × participation × (R1 × price + cash per unit − "
             "carrying amount and, for notes, accrued interest payable, per unit).",
             "A capped offer's participations run to its cap (the most units it accepts ÷ the units outstanding).")
    for k, note in enumerate(notes, 1):
        _set(ws, top + len(SENS_PRICE_STEPS) + k, left, note, font=STYLE["note"], text=True)
    # (the axis says a credit as the grid does, not "-$2,000,000": the number format of a charge, in whole dollars)
    chart = _line_chart("Charge by share price", "Charge ($)", "Share price", '$#,##0;$#,##0" credit"')
    chart.height = 6.75  # below the grid and its four notes, on the grid's page
    chart.x_axis.tickLblPos = "low"  # below the plot: a charge that goes negative would put them over its lines
    data = Reference(ws, min_col=left + 1, max_col=left + parts, min_row=top, max_row=top + len(SENS_PRICE_STEPS))
    chart.add_data(data, titles_from_data=True)
    chart.series[-1].tx = SeriesLabel(v=OWN_PARTICIPATION)
    chart.set_categories(Reference(ws, min_col=left, min_row=top + 1, max_row=top + len(SENS_PRICE_STEPS)))
    ws.add_chart(chart, f"{get_column_letter(left)}{top + len(SENS_PRICE_STEPS) + len(notes) + 1}")


def _line_chart(title: str, y_title: str, x_title: str, y_format: str) -> LineChart:
    """A line chart in the workbook's one size, titled and with its value axis formatted."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.y_axis.numFmt = y_format
    chart.height, chart.width = 8, 18
    return chart


def _history_chart(ws, lay: Layout):
    """Participation over the History rows, above the table; a refresh extends its ranges with the table."""
    sheet, t = lay.table("tblHistory")
    col = t.first_col + [c.key for c in t.columns].index("participation")
    # One decimal: participation that moves by less than a point would read 3%, 3%, 3% up the axis.
    chart = _line_chart("Participation by count", "Participation", "Count (UTC)", "0.0%")
    chart.add_data(Reference(ws, min_col=col, min_row=t.header_row, max_row=t.last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=t.first_col, min_row=t.first_row, max_row=t.last_row))
    chart.series[0].smooth = False  # a count moves in steps: straight lines between them
    chart.series[0].marker = Marker(symbol="circle", size=7)  # a new workbook's one count: a point, not nothing
    # (from the column after When, which the second page repeats: a strip of the chart printed beside the provenance)
    ws.add_chart(chart, f"{get_column_letter(t.first_col + 1)}{t.header_row - HISTORY_CHART_ROWS + 1}")


def _history_rows(ws, lay: Layout):
    """History's rows hold three lines (see :data:`WRAPPED_COLUMNS`) as the sheet's default height, so the rows a
    refresh adds (written without a height of their own) are as tall; the rows above the table keep the usual
    height (the chart's rows)."""
    _, t = lay.table("tblHistory")
    ws.sheet_format.defaultRowHeight = HISTORY_ROW_HEIGHT
    ws.sheet_format.customHeight = True
    for row in range(1, t.header_row):
        if ws.row_dimensions[row].height is None:
            ws.row_dimensions[row].height = 15


TEXT_INDENT = Alignment(horizontal="left", indent=1)
FIGURE_FITS = Alignment(shrink_to_fit=True)
TEXT_WRAPPED = Alignment(horizontal="left", indent=1, wrap_text=True)
#: Table columns of audit text that must print whole, wrapped in their column (column -> font, None: the
#: column's own): History's tally and price files, and their SHA-256s (64 characters) in a monospace font, on two
#: lines.
WRAPPED_COLUMNS = {("tblHistory", "tally"): None,
                   ("tblHistory", "sha256"): Font(name="Consolas", size=9, color="000000"),
                   ("tblHistory", "prices"): None,
                   ("tblHistory", "price_sha256"): Font(name="Consolas", size=9, color="000000")}
#: Height of a History row: three lines (a path of up to about 140 characters; a SHA-256 takes two), as a wrapped
#: header's.
HISTORY_ROW_HEIGHT = 13.5 * 3 + 1.5


#: The most characters of the issuer's name a page's footer shows (a longer one is cut, with an ellipsis).
FOOTER_ISSUER = 60


def _print_setup(ws, sheet: Sheet, issuer: object = None):
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    for b in sheet.blocks:
        if b.new_page:
            ws.row_breaks.append(Break(id=b.row - 2))  # after the row above its title
    if sheet.title == "Cover":  # its buttons, right of the text, print nothing: the page is the text's
        ws.print_area = f"B1:{get_column_letter(NOTE_COL)}{ws.max_row}"
    ws.oddFooter.left.text = "&F: &A"  # a workpaper's file and sheet, and below, when it was printed
    if isinstance(issuer, str) and issuer.strip():  # every page says whose it is (a footer's & is written &&)
        name = " ".join(issuer.split())
        name = name if len(name) <= FOOTER_ISSUER else name[:FOOTER_ISSUER - 1].rstrip() + "…"
        # (openpyxl writes "&[Page]", "&[Tab]"... as their codes even after a doubled &: a space keeps them text)
        ws.oddFooter.center.text = name.replace("&", "&&").replace("&&[", "&& [")
    ws.oddFooter.right.text = "Page &P of &N, printed &D"
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 2
    if sheet.tables and sheet.title in ("Tenders", "Prices", "History"):  # long tables: the header on every page
        header = sheet.tables[0].header_row
        ws.print_title_rows = f"{header}:{header}"
    if sheet.title == "History":
        _history_pages(ws, sheet)


#: Points a landscape Letter page prints across within the default margins (11 inches less 0.75 each side).
LANDSCAPE_POINTS = 9.5 * 72


def _history_pages(ws, sheet: Sheet):
    """History prints its count and figures (to the change column) a page wide, at the scale that fits them, and
    the price file, its SHA-256, who ran xlpy and its version on the page beside, the When column repeated: its
    sixteen columns fitted to one page wide would print at about 40%, too small to read."""
    t = sheet.tables[0]
    last = t.first_col + [c.key for c in t.columns].index("change")
    widths = {**sheet.column_widths(), "A": 2}
    # a column of width w is about 8w + 5 pixels in the template's Calibri 12, at 96 pixels an inch
    points = sum(8 * widths.get(get_column_letter(c), 13) + 5 for c in range(1, last + 1)) * 0.75
    ws.sheet_properties.pageSetUpPr.fitToPage = False  # (fitting to a page ignores a page break)
    ws.page_setup.scale = max(10, min(100, int(LANDSCAPE_POINTS / points * 100 * 0.97)))
    ws.col_breaks.append(Break(id=last, man=True))
    ws.print_title_cols = "B:B"


def _define_names(wb, lay: Layout):
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    for name, (sheet, ref) in sorted(lay.names.items()):
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{ref}")
    wb.defined_names[LAYOUT_NAME] = DefinedName(LAYOUT_NAME, attr_text=f'"{lay.shape.encode()}"', hidden=True)


@collector_eased()
@engine_context()
def build_workbook(offer, results=None, out: str | os.PathLike | None = None, *, record: dict | None = None,
                   backup: Callable[[], Path] | None = None, history: Sequence[tuple] = (),
                   when: dt.datetime | None = None) -> Path:
    """Build the standard workbook for *offer* and write it atomically to *out*.

    Parameters
    ----------
    offer : xlpy.engine.Offer
    out : path, optional
        Defaults to ``<offer id>.xlsm`` in the current folder.
    record : dict, optional
        Cover record values (offer file, tally and price sources, SHA-256s).
    backup : callable, optional
        Copies the workbook *out* replaces, once the new one is complete, and
        returns the copy's path (``xlpy build --force``'s backup).
    history : rows, optional
        History rows of an earlier workbook of the offer, written in place of
        the build's own row (``xlpy build --history-from``:
        :func:`xlpy.workbook.history_carry.carried_history`).
    when : datetime, optional
        The build's time, UTC (default :func:`build_time`): the one the
        command told the History carried against.

    Returns
    -------
    Path of the written workbook.
    """
    out = Path(out) if out else Path(f"{offer.id}.xlsm")
    holidays = []
    if offer.consideration.formula is not None:
        first, last = bookdata.holiday_range(offer)
        holidays = calendars.holidays(offer.consideration.formula.calendar, first, last)
    lay = layout(dataclasses.replace(bookdata.shape_for(offer, len(holidays)), history_rows=max(len(history), 1)))
    holders = offer.tally.holders
    if holders is not None:  # what a worksheet cannot hold faithfully: refused before anything is written
        from ..engine.errors import InputErrors
        from ..files.sources import cap_problems

        found = bookdata.holder_problems(holders, holders.source or "tally", lay.table("tblTenders")[1].first_row)
        if found:
            raise InputErrors(cap_problems(found))
    when = when or build_time()
    rec = {"BuiltWith": f"xlpy {__version__}, layout {LAYOUT_VERSION}", "BuiltAt": when.strftime("%Y-%m-%d %H:%M:%S"),
           "RefreshedAt": NOT_REFRESHED}
    rec.update(record or {})

    wb, conf = _template()
    try:  # (an interrupt anywhere from here closes the template's parts too, not at the interpreter's exit)
        return _build_into(wb, conf, offer, results, out, lay, holidays, rec, when, backup, history)
    finally:
        wb.vba_archive.close()  # openpyxl's copy of the template's parts (keep_vba): an open zip in memory


def _build_into(wb, conf, offer, results, out: Path, lay: Layout, holidays, rec: dict, when, backup=None,
                history: Sequence[tuple] = ()) -> Path:
    """The workbook *wb* (the template, :func:`_template`) filled for *offer* and written to *out*."""
    values = bookdata.input_values(offer)
    tables = bookdata.table_rows(offer, holidays)
    if results is None:
        from ..engine.compute import compute

        results = compute(offer, calendars.sessions)
    from .expected import not_for_a_workbook

    too_large = not_for_a_workbook(offer, results)
    if too_large:  # the engine holds them exactly; a workbook would round them and disagree
        from ..engine.errors import InputErrors

        raise InputErrors(too_large)
    # History: the build's count; or the counts an earlier workbook recorded, carried (a rebuild is no count: its
    # refresh from the agent's files records one if they moved)
    tables["tblHistory"] = list(history) or [history_row(
        rec["BuiltAt"], str(rec.get("TallySource", "")), str(rec.get("TallySha256", "")),
        int(rec.get("TallyRows") or 0), results, str(rec.get("PriceSource", "")), str(rec.get("PriceSha256", "")),
        run_by(), __version__)]
    subtitle = f"{offer.issuer}: {offer.security}"
    for sheet in lay.sheets:
        if sheet.title != CONF_SHEET:
            ws = wb[sheet.title] if sheet.title in wb.sheetnames else wb.create_sheet(sheet.title)
            _write_sheet(ws, sheet, lay, subtitle, values, rec, tables)
    order_sheets(wb, [wb[s.title] for s in lay.sheets] + [conf])
    wb.active = 0
    _define_names(wb, lay)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = "xlpy"
    wb.properties.lastModifiedBy = "xlpy"
    wb.properties.title = f"{offer.issuer}: exchange offer results"
    wb.properties.created = when
    wb.properties.modified = when
    cover_widths = {**lay.sheet("Cover").widths, "A": 2}
    saved = _engine_values(lay, offer, results, values)
    holder = _holder_table(lay, offer, results, tables)
    # The holder table's rows carry their saved values already: fill_parts keeps them as they are.
    kept = {} if holder is None else {holder[0]: saved_values.TableValues(holder[1].first_row, holder[1].last_row,
                                                                          None)}

    def post(data: bytes) -> bytes:
        return saved_values.fill_package(buttons.add_buttons(data, "Cover", COVER_BUTTONS, cover_widths), saved, kept,
                                         edit=None if holder is None else lambda pkg, d: _holder_rows_into(pkg, holder, d))

    atomic_save(wb, out, when, post=post, backup=backup)
    return out


def _template():
    """The template workbook, its first sheet made the Cover and its xlwings settings sheet hidden: ``(wb, conf)``."""
    wb = load_workbook(vba.template_path(standalone=True), keep_vba=True)
    cover = wb["Sheet1"]  # keeps its VBA code name (Sheet1)
    cover.title = "Cover"
    conf = wb["_xlwings.conf"]
    conf.title = CONF_SHEET
    # Only UDF Modules: every row of this sheet, blank or not, overrides each person's own xlwings settings, and the
    # template's Interpreter_Win ("python") would start whatever Python is on the PATH in place of the one
    # ``xlwings addin install`` recorded, where xlpy is installed. (xlwings reads from A1 down to a blank row.)
    conf.delete_rows(1, conf.max_row)
    conf["A1"], conf["B1"] = "UDF Modules", vba.UDF_MODULES
    conf["A3"] = CONF_NOTE
    conf.sheet_state = "hidden"
    return wb, conf


#: The note under the xlwings settings a standard workbook carries.
CONF_NOTE = ("Only UDF Modules is set here: the Python interpreter, PYTHONPATH and Conda come from each person's own "
             "xlwings settings (xlwings addin install records the Python it was run with). A row added above row 2 "
             "overrides that setting for everyone who opens this workbook.")


def _write_sheet(ws, sheet, lay: Layout, subtitle: str, values: dict, rec: dict, tables: dict) -> None:
    """One sheet of the layout: heading, blocks, tables, widths, its chart or wrapping, print setup."""
    _heading(ws, sheet, subtitle)
    _write_blocks(ws, sheet, values, rec)
    for col, width in sheet.column_widths().items():  # (a table column's own width is the least its column gets)
        ws.column_dimensions[col].width = width
    for t in sheet.tables:
        _write_table(ws, t, tables.get(t.name, []))
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    if sheet.title == "Sensitivity":
        _sensitivity(ws, lay)
    if sheet.title == "History":
        _history_chart(ws, lay)
        _history_rows(ws, lay)
    if sheet.title == "Release":
        for _, _, item, row in lay.items("Release"):
            ws.cell(row=row, column=VALUE_COL).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=row, column=LABEL_COL).alignment = Alignment(vertical="top")  # beside its sentence
            if item.name.startswith("ReleaseSentence") or item.name == "ReleaseParagraph":  # the figures: one line
                ws.row_dimensions[row].height = 150 if item.name == "ReleaseParagraph" else 45
    lines = _fit_subtitle(ws, NOTE_COL if sheet.title == "Cover" else ws.max_column)
    if sheet.title == "Sensitivity":  # its chart gives up the height the subtitle's lines take: one page still
        for chart in charts_of(ws):
            chart.height = max(chart.height - SUBTITLE_LINE_CM * (lines - 1), 3)
    _print_setup(ws, sheet, values.get("Issuer"))


def _engine_values(lay: Layout, offer, results, values: dict) -> dict:
    """The engine's value of each formula cell it knows: the file's saved values (see :mod:`xlpy.workbook.saved_values`)."""
    from .expected import expected_cells

    if results is None:
        from ..engine.compute import compute

        results = compute(offer, calendars.sessions)
    step = values.get("SensitivityStep")
    expected = expected_cells(lay, offer, results, bookdata.SENSITIVITY_STEP if step is None else Decimal(step))
    return saved_values.engine_cells(expected)


def _holder_table(lay: Layout, offer, results, tables: dict):
    """(sheet title, table, rows, the engine's value of each line's formula cells by column) or None."""
    rows = tables.get(saved_values.HOLDER_TABLE)
    if not rows:
        return None
    sheet, table = lay.table(saved_values.HOLDER_TABLE)
    return sheet.title, table, rows, saved_values.holder_values(table, offer, results, rows)


def _holder_rows_into(pkg, holder, date1904: bool) -> None:
    """Write the holder table's rows into the saved package as a refresh writes them.

    openpyxl wrote the table's first row (its styles); every row is written
    here by :func:`xlpy.workbook.table_xml.splice_table_rows`, the one writer of
    a long table's XML (formula columns as shared formulas, each line's
    saved value beside its formula): seconds for 100,000 lines where a
    cell-by-cell write took half a minute.
    """
    from .package import SheetXml
    from .table_xml import splice_table_rows

    title, table, rows, columns = holder
    part = pkg.sheet_parts()[title]
    sx = SheetXml(pkg.read(part), part)
    splice_table_rows(sx, table, rows, table.last_row, date1904, columns)  # (a ColumnRows: its columns written)
    sx.set_dimension()
    pkg.write(part, sx.to_bytes())
