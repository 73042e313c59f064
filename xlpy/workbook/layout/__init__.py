"""The standard offer-results workbook: one definition of its layout.

The builder (:mod:`xlpy.workbook.build`), the refresh macros (:mod:`xlpy.macros`) and
the validator (:mod:`xlpy.workbook.validate`) all place and find cells through this
package; no cell address is written anywhere else.

A workbook's layout depends on the offer's *shape* (:class:`Shape`): a fixed
ratio or one set by formula, aggregate counts or a holder-level tally, how
many holder lines, price days, exchange-calendar holidays and later exchanges,
and whether a reporting period is given.  :func:`layout` turns a shape into
sheets of :class:`Block` (a labelled column of named cells) and :class:`Table`
(rows of data with per-row formulas), and resolves every workbook-level name
to its sheet and cell.

One module per sheet, in workbook order: :mod:`.cover`, :mod:`.inputs`,
:mod:`.tenders`, :mod:`.prices`, :mod:`.results`, :mod:`.check`,
:mod:`.sensitivity`, :mod:`.release`, :mod:`.entries`, :mod:`.history`; the
vocabulary they share (shapes, items, blocks, tables, the layout itself) is in
:mod:`.model`.  To change a sheet, change its module; :func:`layout` only
assembles them.  A change to any formula, label or row is a new layout
(``LAYOUT_VERSION``): a workbook of an earlier one is rebuilt, never read as
this one, unless the change left its kind of workbook as it was (``SAME_SINCE``: layout 10, which changed only
the holder table, read a layout-9 workbook of typed counts as it was; layouts 11 to 13 changed every
workbook's Release sheet, layouts 14 and 15 every workbook's Cover, layout 16 every workbook's charge figures,
Entries and History, so none is).

Formulas are written with names (``=UnitsAccepted*(OfferRatio-OriginalRatio)``);
row formulas of a table use ``{column}`` for the same row's cell,
``{prev:column}`` and ``{next:column}`` for the neighbours, so the text never
holds a cell address.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from . import (
    check,
    cover,
    entries,
    history,
    inputs,
    prices,
    release,
    results,
    sensitivity,
    tenders,
)
from .check import NOT_RUN_STATES, tie_cells
from .cover import COVER_BUTTONS, REVIEW, Button
from .entries import ENTRY_LINES, NEEDS_CARRYING, NEEDS_INPUT, NEEDS_PAR
from .history import (HISTORY_CHART_ROWS, HISTORY_COLUMNS, PROVENANCE, history_added, history_moved_note,
                      history_repeats, history_row, latest)
from .model import (
    CHECK_COLS,
    CONF_SHEET,
    FIRST_BLOCK_ROW,
    FMT,
    FUNCTIONS_NOT_LOADED,
    LABEL_COL,
    LAYOUT_NAME,
    LAYOUT_VERSION,
    MONEY_FMTS,
    OtherLayout,
    NOTE_COL,
    NOT_REFRESHED,
    REFRESH_RECORD,
    REQUIRED_NAMES,
    SHEETS,
    TIES_NOT_RUN,
    VALUE_COL,
    Block,
    Column,
    Item,
    Layout,
    Shape,
    Sheet,
    Table,
    renamed_hint,
)
from .release import approx_formula
from .sensitivity import (
    SENS_PARTICIPATIONS,
    SENS_PRICE_STEPS,
    sensitivity_cells,
    sensitivity_origin,
)

__all__ = [
    "CHECK_COLS",
    "CONF_SHEET",
    "COVER_BUTTONS",
    "ENTRY_LINES",
    "FIRST_BLOCK_ROW",
    "FMT",
    "FUNCTIONS_NOT_LOADED",
    "HISTORY_CHART_ROWS",
    "HISTORY_COLUMNS",
    "LABEL_COL",
    "LAYOUT_NAME",
    "LAYOUT_VERSION",
    "MONEY_FMTS",
    "OtherLayout",
    "NEEDS_CARRYING",
    "NEEDS_INPUT",
    "NEEDS_PAR",
    "PROVENANCE",
    "NOTE_COL",
    "NOT_REFRESHED",
    "NOT_RUN_STATES",
    "REFRESH_RECORD",
    "REQUIRED_NAMES",
    "REVIEW",
    "SENS_PARTICIPATIONS",
    "SENS_PRICE_STEPS",
    "SHEETS",
    "TIES_NOT_RUN",
    "VALUE_COL",
    "Block",
    "Button",
    "Column",
    "Item",
    "Layout",
    "Shape",
    "Sheet",
    "Table",
    "approx_formula",
    "history_added",
    "history_moved_note",
    "history_repeats",
    "history_row",
    "latest",
    "layout",
    "renamed_hint",
    "sensitivity_cells",
    "sensitivity_origin",
    "tie_cells",
]

#: The sheet modules in workbook order (the hidden xlwings.conf sheet is the builder's).
SHEET_MODULES = (cover, inputs, tenders, prices, results, check, sensitivity, release, entries, history)


def layout(shape: Shape) -> Layout:
    """The layout of the standard workbook for an offer of this *shape*."""
    sheets = tuple(module.sheet(shape) for module in SHEET_MODULES)
    lay = Layout(shape, sheets, {})
    _resolve_names(lay)
    return lay


def _resolve_names(lay: Layout) -> None:
    """Give every named item and table column its sheet and absolute reference."""
    for s in lay.sheets:
        for b in s.blocks:
            for i, item in enumerate(b.items):
                if item.name:
                    # A tie-out row is named by its flag (column F); every other item by its value.
                    col = get_column_letter(CHECK_COLS[4] if (s.check and item.function) else VALUE_COL)
                    lay.names[item.name] = (s.title, f"${col}${b.row + i}")
        for t in s.tables:
            for c in t.columns:
                if c.name:
                    lay.names[c.name] = (s.title, t.range_of(c.key))
