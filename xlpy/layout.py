"""The standard offer-results workbook: one definition of its layout.

The builder (:mod:`xlpy.build`), the refresh macros (:mod:`xlpy.macros`) and
the validator (:mod:`xlpy.validate`) all place and find cells through this
module; no cell address is written anywhere else.

A workbook's layout depends on the offer's *shape* (:class:`Shape`): a fixed
ratio or one set by formula, aggregate counts or a holder-level tally, how
many holder lines, price days, exchange-calendar holidays and later exchanges,
and whether a reporting period is given.  :func:`layout` turns a shape into
sheets of :class:`Block` (a labelled column of named cells) and :class:`Table`
(rows of data with per-row formulas), and resolves every workbook-level name
to its sheet and cell.

Formulas are written with names (``=UnitsAccepted*(OfferRatio-OriginalRatio)``);
row formulas of a table use ``{column}`` for the same row's cell,
``{prev:column}`` and ``{next:column}`` for the neighbours, so the text never
holds a cell address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .engine.model import FRACTIONAL_POLICIES, KINDS, METHODS, STATUSES

__all__ = [
    "Shape",
    "Item",
    "Block",
    "Column",
    "Table",
    "Sheet",
    "Layout",
    "layout",
    "SHEETS",
    "REQUIRED_NAMES",
    "approx_formula",
    "tie_cells",
    "sensitivity_cells",
    "FMT",
    "CONF_SHEET",
    "LAYOUT_NAME",
    "LAYOUT_VERSION",
    "Button",
    "COVER_BUTTONS",
    "REFRESH_RECORD",
    "HISTORY_COLUMNS",
    "HISTORY_CHART_ROWS",
    "history_row",
]

CONF_SHEET = "xlwings.conf"
#: A hidden workbook-level name holding the shape, so refresh and validate can rebuild the layout.
LAYOUT_NAME = "xlpyLayout"
#: The layout this xlpy writes; a workbook built with another is rebuilt, never read cell by cell.
#: 1: xlpy 0.1.0 as first released; 2: journal-entry inputs, Entries and History sheets.
LAYOUT_VERSION = 2

SHEETS = ("Cover", "Inputs", "Tenders", "Prices", "Results", "Check", "Sensitivity", "Release", "Entries",
          "History", CONF_SHEET)

#: Names every standard workbook has (a contract other tools rely on).
REQUIRED_NAMES = (
    "Outstanding", "OriginalRatio", "OfferRatio", "Price", "CommonBefore", "Tendered", "GuaranteedDelivery",
    "FailedDelivery", "UnitsAccepted", "CommonIssued", "IncrementalShares", "InducedCharge", "UnitsRemaining",
    "Participation", "CommonAfter", "ChecksPass",
)

FMT = {
    "count": "#,##0",
    "count4": "#,##0.####",
    "money": "$#,##0.00;[Red]-$#,##0.00",
    "price": "$#,##0.0000",
    "ratio": "0.00####",
    "factor": "0.0000000000",
    "pct": "0.00%",
    "date": "yyyy-mm-dd",
    "eps": "$#,##0.0000;[Red]-$#,##0.0000",
    "text": "@",
    "bool": "General",
    "general": "General",
}


@dataclass(frozen=True)
class Shape:
    """What varies between standard workbooks.

    Attributes:
        ratio: ``fixed`` or ``formula``.
        tally: ``aggregate`` or ``holders``.
        holder_rows: lines of the holder table (0 for aggregate counts).
        price_rows: days of price history (0 for a fixed ratio).
        holiday_rows: exchange holidays listed for ``WORKDAY`` (0 for a fixed ratio).
        exchange_rows: later exchanges in the period.
        period: True when a reporting period (EPS) is given.
        history_rows: rows of the History table (the build, then one per refresh).
    """

    ratio: str = "fixed"
    tally: str = "aggregate"
    holder_rows: int = 0
    price_rows: int = 0
    holiday_rows: int = 0
    exchange_rows: int = 0
    period: bool = False
    history_rows: int = 1

    def encode(self) -> str:
        return (
            f"ratio={self.ratio};tally={self.tally};holders={self.holder_rows};prices={self.price_rows};"
            f"holidays={self.holiday_rows};exchanges={self.exchange_rows};period={int(self.period)};"
            f"history={self.history_rows};layout={LAYOUT_VERSION}"
        )

    @classmethod
    def decode(cls, text: str) -> "Shape":
        parts = dict(p.split("=", 1) for p in text.strip('"').split(";") if "=" in p)
        version = parts.get("layout", "1")
        if version != str(LAYOUT_VERSION):
            raise ValueError(f"the workbook was built by another xlpy (layout {version}; this xlpy reads layout "
                             f"{LAYOUT_VERSION}): rebuild it with xlpy build from its offer file, then refresh it")
        try:
            return cls(
                ratio=parts["ratio"], tally=parts["tally"], holder_rows=int(parts["holders"]),
                price_rows=int(parts["prices"]), holiday_rows=int(parts["holidays"]),
                exchange_rows=int(parts["exchanges"]), period=parts["period"] == "1",
                history_rows=int(parts["history"]),
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{LAYOUT_NAME}: not a layout description: {text!r}") from exc


@dataclass(frozen=True)
class Button:
    """A form button on the Cover that runs a macro (added to the package by the builder).

    Attributes:
        caption: the text on the button.
        macro: the VBA macro it runs (a wrapper "Import Functions" writes for :mod:`xlpy.macros`).
        cell: the cell its top-left corner sits in.
        width, height: size in pixels.
    """

    caption: str
    macro: str
    cell: str
    width: int = 150
    height: int = 28


#: The Cover's buttons, one per refresh macro, right of the Status and Record blocks.
COVER_BUTTONS = (
    Button("Refresh all", "xlpy_refresh_all", "F5"),
    Button("Refresh tenders", "xlpy_refresh_tenders", "F7"),
    Button("Refresh prices", "xlpy_refresh_prices", "F9"),
    Button("Check release draft", "xlpy_draft_release", "F11"),
)

#: Cover record cells a refresh writes (tally, prices, or both): everything else there is the build's.
REFRESH_RECORD = {
    "tenders": ("TallySource", "TallySha256", "TallyRows", "TallyMapping"),
    "prices": ("PriceSource", "PriceSha256", "PriceRows"),
    "any": ("RefreshedAt",),
}


@dataclass(frozen=True)
class Item:
    """One labelled cell of a block.

    Attributes:
        name: the workbook-level name of the cell (None for an unnamed cell).
        label: the label beside it.
        formula: the formula (with names), or None for an input.
        fmt: a key of :data:`FMT`.
        key: the engine results key this cell ties to (dotted for nested: ``eps.basic_eps_after``).
        note: a short explanation shown beside the value.
        choices: allowed values of a text input (data validation list).
        optional: an input that may be left blank.
        function: for Check rows, the formula using xlpy's worksheet functions.
        record: a record cell on the Cover that builds and refreshes write.
    """

    name: str | None
    label: str
    formula: str | None = None
    fmt: str = "general"
    key: str | None = None
    note: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = False
    function: str | None = None
    record: bool = False

    @property
    def is_input(self) -> bool:
        return self.formula is None and not self.record


@dataclass(frozen=True)
class Block:
    """A titled column of items: label in B, value in C, note in D (Check: more columns)."""

    title: str
    items: tuple[Item, ...]
    row: int = 0  # first item's row, set by the layout


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes:
        key: short key used in row formulas (``{units}``).
        header: the header text.
        name: workbook-level name of the column's data range (None for none).
        formula: row formula, or None for an input column.
        first: the row formula of the first row, when it differs.
        fmt: a key of :data:`FMT`.
        width: column width.
        choices: allowed values of an input column.
        result: the engine value this column's total ties to, for the record.
    """

    key: str
    header: str
    name: str | None = None
    formula: str | None = None
    first: str | None = None
    fmt: str = "general"
    width: float = 14
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """Rows of data with an Excel table (ListObject) over them.

    Attributes:
        name: the Excel table's name.
        columns: its columns, left to right from ``first_col``.
        rows: number of data rows.
        header_row: row of the header; data follows.
        first_col: column number of the first column.
    """

    name: str
    columns: tuple[Column, ...]
    rows: int
    header_row: int
    first_col: int = 2

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + max(self.rows, 1)

    def letter(self, key: str) -> str:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return get_column_letter(self.first_col + i)
        raise KeyError(f"table {self.name} has no column {key!r}")

    @property
    def ref(self) -> str:
        last = get_column_letter(self.first_col + len(self.columns) - 1)
        return f"{get_column_letter(self.first_col)}{self.header_row}:{last}{self.last_row}"

    def range_of(self, key: str) -> str:
        col = self.letter(key)
        return f"${col}${self.first_row}:${col}${self.last_row}"

    def row_template(self, column: Column) -> str:
        """The column's row formula as a ``str.format`` template: ``{r}`` this row, ``{p}``/``{n}`` the
        previous and next, ``{i}`` the row's index in the table (from 1)."""

        def sub(m: re.Match) -> str:
            where, key = m.group(1), m.group(2)
            return self.letter(key) + ("{p}" if where == "prev:" else "{n}" if where == "next:" else "{r}")

        return re.sub(r"\{(prev:|next:)?([a-z_]+)\}", sub, column.formula.replace("{index}", "{i}").replace(
            "{i}", "\0")).replace("\0", "{i}")

    def row_formula(self, column: Column, row: int) -> str:
        template = column.first if (column.first and row == self.first_row) else column.formula

        def sub(m: re.Match) -> str:
            where, key = m.group(1), m.group(2)
            r = row - 1 if where == "prev:" else row + 1 if where == "next:" else row
            return f"{self.letter(key)}{r}"

        template = template.replace("{index}", str(row - self.first_row + 1))
        return re.sub(r"\{(prev:|next:)?([a-z_]+)\}", sub, template)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: blocks top to bottom, tables below or beside them."""

    title: str
    heading: str
    blocks: tuple[Block, ...] = ()
    tables: tuple[Table, ...] = ()
    widths: dict[str, float] = field(default_factory=dict)
    landscape: bool = False
    check: bool = False  # blocks use the Check columns (native, function, difference, tie-out)
    freeze: str | None = None


@dataclass(frozen=True)
class Layout:
    """The whole workbook: sheets in order and every name resolved."""

    shape: Shape
    sheets: tuple[Sheet, ...]
    names: dict[str, tuple[str, str]]  # name -> (sheet, absolute reference)
    ties: tuple[str, ...] = ()  # Check rows comparing a native figure with xlpy's functions
    identities: tuple[str, ...] = ()  # Check rows of identities that must hold

    def sheet(self, title: str) -> Sheet:
        for s in self.sheets:
            if s.title == title:
                return s
        raise KeyError(title)

    def items(self, sheet: str | None = None):
        """Every (sheet, block, item, row) in order."""
        for s in self.sheets:
            if sheet and s.title != sheet:
                continue
            for b in s.blocks:
                for i, item in enumerate(b.items):
                    yield s, b, item, b.row + i

    def item(self, name: str) -> tuple[Sheet, Item, int]:
        for s, _, item, row in self.items():
            if item.name == name:
                return s, item, row
        raise KeyError(name)

    def cell(self, name: str) -> tuple[str, str]:
        """(sheet, ``C12``) of a single-cell name."""
        sheet, ref = self.names[name]
        return sheet, ref.replace("$", "")

    def table(self, name: str) -> tuple[Sheet, Table]:
        for s in self.sheets:
            for t in s.tables:
                if t.name == name:
                    return s, t
        raise KeyError(name)

    def inputs(self):
        """Every input item: (sheet, item, row)."""
        return [(s, item, row) for s, _, item, row in self.items() if item.is_input]

    def refresh_areas(self, part: str) -> list[tuple[str, str]]:
        """(sheet, range) of every area a refresh of *part* (``tenders`` or ``prices``) writes.

        A table's area is its data rows in this layout (a refresh that changes the
        row count also writes the rows between the old and the new end); the tally
        counts are an area only where they are inputs (aggregate counts); the Cover
        record cells of the part, ``RefreshedAt`` and the History table (a row
        added) are always areas.  Nothing
        else in a workbook is written by a refresh.
        """
        tables = {"tenders": ("tblTenders",), "prices": ("tblPrices", "tblHolidays")}[part] + ("tblHistory",)
        areas = []
        for s in self.sheets:
            for t in s.tables:
                if t.name in tables:
                    last = get_column_letter(t.first_col + len(t.columns) - 1)
                    areas.append((s.title, f"{get_column_letter(t.first_col)}{t.first_row}:{last}{t.last_row}"))
        if part == "tenders":
            for name in ("Tendered", "GuaranteedDelivery", "FailedDelivery"):
                _, item, _ = self.item(name)
                if item.is_input:
                    areas.append(self.cell(name))
        for name in REFRESH_RECORD[part] + REFRESH_RECORD["any"]:
            areas.append(self.cell(name))
        return areas


# --- value columns ----------------------------------------------------------

LABEL_COL, VALUE_COL, NOTE_COL = 2, 3, 4
#: Check sheet columns: label, native, function, difference, tie-out.
CHECK_COLS = (2, 3, 4, 5, 6)
FUNCTIONS_NOT_LOADED = "functions not loaded"
#: A tie-out flag where xlpy's functions are not loaded: the tie-out was not run (not a red FALSE).
TIES_NOT_RUN = "tie-outs not run"
FIRST_BLOCK_ROW = 4


def _place(blocks: list[Block], start: int = FIRST_BLOCK_ROW) -> tuple[tuple[Block, ...], int]:
    """Give each block its rows: a title row, the items, a blank row."""
    placed, row = [], start
    for b in blocks:
        placed.append(Block(b.title, b.items, row + 1))
        row += len(b.items) + 2
    return tuple(placed), row


# --- announcement wording in native formulas ----------------------------------


def approx_formula(x: str, style: str = "auto") -> str:
    """An Excel expression giving :func:`xlpy.engine.release.approx` of *x*, word for word.

    >>> approx_formula("A1", "thousands")
    'TEXT(ROUND(A1,-3),"#,##0")'
    """
    thousands = f'TEXT(ROUND({x},-3),"#,##0")'
    millions = (
        f'IF(ABS({x})>=10000000,TEXT(ROUND({x}/1000000,0),"#,##0"),TEXT(ROUND({x}/1000000,1),"#,##0.0"))'
        '&" million"'
    )
    places = f"(1-INT(LOG10(ABS({x}))))"
    sig2 = (f'IF({x}=0,"0",IF(ABS({x})<1,TEXT(ROUND({x},{places}),"0."&REPT("0",{places})),'
            f'TEXT(ROUND({x},MIN(0,{places})),"#,##0")))')
    if style == "thousands":
        return thousands
    if style == "millions":
        return millions
    if style == "sig2":
        return sig2
    if style == "dollars":
        a = f"ABS({x})"
        return (
            f'IF({x}<0,"-","")&"$"&IF({a}>=1000000,'
            + approx_formula(a, "millions")
            + f",IF({a}>=10000,"
            + approx_formula(a, "thousands")
            + ","
            + approx_formula(a, "sig2")
            + "))"
        )
    return f"IF(ABS({x})<10000,{sig2},IF(ABS({x})<1000000,{thousands},{millions}))"


# --- the layout -----------------------------------------------------------------


def layout(shape: Shape) -> Layout:
    """The layout of the standard workbook for an offer of this *shape*."""
    formula = shape.ratio == "formula"
    holders = shape.tally == "holders"
    ex = shape.exchange_rows > 0
    names: dict[str, tuple[str, str]] = {}
    sheets: list[Sheet] = []

    # Cover ------------------------------------------------------------------
    cover_blocks = [
        Block("Status", (
            Item(None, "Checks", '=IF(ChecksPass,"All checks pass",IF(FunctionsLoaded,"CHECKS FAIL: see the Check '
                 'sheet","Tie-outs not run: xlpy functions not loaded (see below)"))'),
            Item(None, "Induced charge", "=InducedCharge", "money"),
            Item(None, "Common issued", "=CommonIssued", "count"),
            Item(None, "Journal entry", '=IF(EntriesComplete,IF(EntriesBalanced,"balances","DOES NOT BALANCE: see '
                 'Entries"),"needs input: see Entries")', "text"),
        )),
        Block("Latest count (History)", (
            Item(None, "As of (UTC)", "=INDEX(HistWhen,ROWS(HistWhen))", "text"),
            Item(None, "Units tendered", "=INDEX(HistTendered,ROWS(HistTendered))", "count"),
            Item(None, "Change since the previous count", "=INDEX(HistChange,ROWS(HistChange))", "count"),
            Item(None, "Participation", "=INDEX(HistParticipation,ROWS(HistParticipation))", "pct"),
        )),
        Block("Record", (
            Item("BuiltWith", "Built with", record=True, note="xlpy version that built the workbook"),
            Item("BuiltAt", "Built at (UTC)", record=True),
            Item("RefreshedAt", "Last refresh (UTC)", record=True),
            Item("OfferFile", "Offer file", record=True),
            Item("OfferSha256", "Offer file SHA-256", record=True),
            Item("TallySource", "Tally source", record=True),
            Item("TallySha256", "Tally SHA-256", record=True),
            Item("TallyRows", "Tally lines", record=True, fmt="count"),
            Item("PriceSource", "Price source", record=True),
            Item("PriceSha256", "Price SHA-256", record=True),
            Item("PriceRows", "Price days", record=True, fmt="count"),
            Item("TallyMapping", "Tally column mapping", record=True,
                 note="mapping file (TOML) a refresh reads the tally with; blank: common column spellings"),
        )),
        Block("Using this workbook", (
            Item(None, "Formulas", record=True,
                 note="Every figure on Results is a native Excel formula: the workbook computes without Python."),
            Item(None, "Inputs", record=True, note="Blue cells are inputs; black cells are formulas."),
            Item(None, "Functions", record=True,
                 note="Check compares each figure with xlpy's worksheet functions: install xlpy and xlwings, "
                      "then xlwings ribbon > Import Functions (or import the module written by `xlpy vba`)."),
            Item(None, "Macros", record=True,
                 note="Refresh buttons run xlpy.macros (refresh_all, refresh_tenders, refresh_prices, "
                      "draft_release); headless: `xlpy refresh WORKBOOK`."),
        )),
    ]
    blocks, _ = _place(cover_blocks)
    sheets.append(Sheet("Cover", "Exchange offer results", blocks, widths={"B": 22, "C": 66, "D": 34}))

    # Inputs -----------------------------------------------------------------
    offer_items = [
        Item("OfferId", "Offer id", fmt="text"),
        Item("Issuer", "Issuer", fmt="text"),
        Item("ShortName", "Short name (release)", fmt="text", optional=True),
        Item("Security", "Security", fmt="text"),
        Item("Kind", "Kind", fmt="text", choices=KINDS,
             note="preferred: deemed dividend; note: inducement expense"),
        Item("FacePerUnit", "Face per unit", fmt="money", optional=True),
        Item("Outstanding", "Units outstanding before the offer", fmt="count", key="units_outstanding"),
        Item("OriginalRatio", "Original ratio (R0)", fmt="ratio", key="original_ratio",
             note="common shares per unit under the original terms"),
        Item("CommonBefore", "Common outstanding before", fmt="count", key="common_outstanding_before"),
        Item("Expiration", "Expiration", fmt="date"),
        Item("MaxUnits", "Maximum units (capped offer)", fmt="count", optional=True,
             note="blank: any and all"),
        Item("OddLot", "Odd lot: fewer units than", fmt="count", optional=True),
        Item("Substantive", "Conversion feature substantive", fmt="bool", choices=("TRUE", "FALSE")),
    ]
    consideration_items = [
        *([] if formula else [Item("FixedRatio", "Offer ratio (R1)", fmt="ratio",
                                   note="common shares per unit offered")]),
        Item("CashPerUnit", "Cash per unit", fmt="money", optional=True),
        Item("CashTotal", "Cash in total (instead of per unit)", fmt="money", optional=True),
        Item("ArrearsPerUnit", "Arrears / accrued interest per unit", fmt="money", optional=True),
        Item("FractionalPolicy", "Fractional shares", fmt="text", choices=FRACTIONAL_POLICIES,
             note="cash: floor + cash in lieu; down: floor; nearest: half away from zero"),
        Item("FractionalPrice", "Price for cash in lieu", fmt="price", optional=True,
             note="blank: the average price (formula) or the valuation price"),
    ]
    input_blocks = [Block("Offer", tuple(offer_items)), Block("Consideration", tuple(consideration_items))]
    if formula:
        input_blocks.append(Block("Ratio formula", (
            Item("RatioValue", "Value of common stock per unit", fmt="money"),
            Item("AveragingDays", "Averaging days (trading days)", fmt="count"),
            Item("LagDays", "Window ends trading days before expiration", fmt="count"),
            Item("RatioCap", "Cap", fmt="ratio", optional=True),
            Item("RatioFloor", "Floor", fmt="ratio", optional=True),
            Item("RatioPlaces", "Decimals of the ratio", fmt="count"),
            Item("Calendar", "Exchange calendar", fmt="text", note="trading days; holidays listed on Prices"),
        )))
    input_blocks.append(Block("Valuation", (
        Item("ValuationDate", "Measurement date", fmt="date"),
        Item("Price", "Fair value of one common share (P)", fmt="price", key="valuation_price"),
    )))
    input_blocks.append(Block("Extinguishment", (
        Item("CarryingAmount", "Carrying amount of units accepted", fmt="money", optional=True,
             note="used only when the induced-conversion test fails"),
    )))
    input_blocks.append(Block("Journal entry", (
        Item("ParValue", "Common stock par value per share", fmt="price", optional=True),
        Item("CarryingPerUnit", "Carrying amount per unit exchanged", fmt="money", optional=True,
             note="preferred: carrying amount in equity; notes: principal less unamortised discount and costs"),
        Item("CarryingTotal", "Carrying amount of units accepted, in total", fmt="money", optional=True,
             note="instead of per unit"),
        Item("AccruedInterestPerUnit", "Accrued interest given up per unit (notes)", fmt="money", optional=True),
    )))
    if shape.period:
        input_blocks.append(Block("Reporting period (EPS)", (
            Item("PeriodStart", "Period start", fmt="date"),
            Item("PeriodEnd", "Period end", fmt="date"),
            Item("Settlement", "Settlement (shares issued)", fmt="date"),
            Item("NetIncome", "Net income", fmt="money"),
            Item("PreferredDividends", "Preferred dividends", fmt="money", optional=True),
            Item("SharesBefore", "Common outstanding through the period", fmt="count"),
            Item("TaxRate", "Tax rate on the inducement expense (notes)", fmt="pct", optional=True),
        )))
    input_blocks.append(Block("Workbook settings", (
        Item("RatioScale", "Ratio precision (parts per share)", fmt="count",
             note="shares per holder are computed in whole parts of 1/N share, exactly"),
        Item("Tolerance", "Tie-out tolerance", fmt="money", note="largest difference a tie-out accepts"),
        Item("SensitivityStep", "Sensitivity price step", fmt="pct"),
    )))
    blocks, next_row = _place(input_blocks)
    tables = []
    if ex:
        tables.append(Table("tblExchanges", (
            Column("date", "Date", "ExDate", fmt="date", width=12),
            Column("units", "Units", "ExUnits", fmt="count"),
            Column("ratio", "Ratio", "ExRatio", fmt="ratio"),
            Column("price", "Price", "ExPrice", fmt="price"),
            Column("cash", "Cash per unit", "ExCash", fmt="money"),
        ), shape.exchange_rows, next_row + 1, first_col=LABEL_COL))
    sheets.append(Sheet("Inputs", "Inputs", blocks, tuple(tables), widths={"B": 44, "C": 22, "D": 60}))

    # Tenders ----------------------------------------------------------------
    if holders:
        count_items = (
            Item("Tendered", "Units tendered (not withdrawn)",
                 '=SUMIFS(TenderUnits,TenderStatus,"<>withdrawn")', "count", key="units_tendered"),
            Item("GuaranteedDelivery", "of which by guaranteed delivery",
                 '=SUMIFS(TenderUnits,TenderMethod,"guaranteed",TenderStatus,"<>withdrawn")', "count",
                 key="units_guaranteed_delivery"),
            Item("FailedDelivery", "Failed deliveries", '=SUMIFS(TenderUnits,TenderStatus,"failed")', "count",
                 key="units_failed_delivery"),
            Item("FinalCount", "Final count", fmt="bool", choices=("TRUE", "FALSE"),
                 note="FALSE: preliminary (guaranteed deliveries still open)"),
        )
    else:
        count_items = (
            Item("Tendered", "Units tendered (not withdrawn)", fmt="count", key="units_tendered",
                 note="including guaranteed deliveries"),
            Item("GuaranteedDelivery", "of which by guaranteed delivery", fmt="count",
                 key="units_guaranteed_delivery"),
            Item("FailedDelivery", "Failed deliveries", fmt="count", key="units_failed_delivery",
                 note="guaranteed deliveries not made (final count)"),
            Item("FinalCount", "Final count", fmt="bool", choices=("TRUE", "FALSE"),
                 note="FALSE: preliminary (guaranteed deliveries still open)"),
        )
    accept_items = [
        Item("Eligible", "Eligible units (tendered − failed)", "=Tendered-FailedDelivery", "count"),
        Item("Prorated", "Oversubscribed", '=AND(MaxUnits<>"",Eligible>MaxUnits)', "bool"),
    ]
    if holders:
        accept_items += [
            Item("OddLotRaw", "Units of odd-lot holders",
                 '=IF(OR(NOT(Prorated),OddLot=""),0,SUMIFS(TenderHolderUnits,TenderHolderUnits,"<"&OddLot,'
                 'TenderHolderUnits,">0"))', "count"),
            Item("OddLotUnits", "Odd-lot units accepted in full", "=IF(OddLotRaw>MaxUnits,0,OddLotRaw)", "count",
                 note="all holders prorated alike when odd lots alone exceed the cap"),
            Item("Capacity", "Units to prorate into", "=IF(Prorated,MaxUnits-OddLotUnits,Eligible)", "count"),
            Item("RestUnits", "Units prorated", "=Eligible-OddLotUnits", "count"),
            Item("HolderCount", "Holders with units accepted", '=COUNTIF(TenderAccepted,">0")', "count"),
        ]
    blocks, next_row = _place([Block("Count", count_items), Block("Acceptance", tuple(accept_items))])
    tables = []
    if holders:
        tables.append(Table("tblTenders", (
            Column("line", "Line", None, fmt="count", width=8),
            Column("holder", "Holder", "TenderHolder", fmt="text", width=22),
            Column("units", "Units", "TenderUnits", fmt="count", width=12),
            Column("method", "Method", "TenderMethod", fmt="text", width=13,
                   choices=METHODS),
            Column("status", "Status", "TenderStatus", fmt="text", width=12,
                   choices=STATUSES),
            Column("eligible", "Eligible", None, '=IF({status}="tendered",{units},0)', fmt="count"),
            Column("run", "Holder running total", None, "=IF({holder}={prev:holder},{prev:run},0)+{eligible}",
                   first="={eligible}", fmt="count"),
            Column("holder_units", "Holder units", "TenderHolderUnits",
                   "=IF({holder}<>{next:holder},{run},0)", fmt="count"),
            Column("accepted", "Accepted", "TenderAccepted",
                   "=IF({holder_units}=0,0,IF(NOT(Prorated),{holder_units},IF(AND(OddLotUnits>0,"
                   "{holder_units}<OddLot),{holder_units},INT({holder_units}*Capacity/RestUnits))))", fmt="count"),
            Column("shares", "Common shares", "TenderShares",
                   '=IF(FractionalPolicy="nearest",ROUND({accepted}*RatioUnits/RatioScale,0),'
                   "INT({accepted}*RatioUnits/RatioScale))", fmt="count"),
            Column("fraction", "Fractional share", "TenderFraction",
                   '=IF(FractionalPolicy="nearest",0,MOD({accepted}*RatioUnits,RatioScale)/RatioScale)',
                   fmt="count4"),
        ), shape.holder_rows, next_row + 1))
    sheets.append(Sheet("Tenders", "Tenders", blocks, tuple(tables), widths={"B": 36, "C": 16, "D": 48},
                        landscape=True, freeze=f"A{next_row + 2}" if holders else None))

    # Prices -----------------------------------------------------------------
    tables = []
    if formula:
        price_items = (
            Item("AveragingEnd", "Window ends",
                 "=IF(LagDays=0,WORKDAY(Expiration+1,-1,Holidays),WORKDAY(Expiration,-LagDays,Holidays))",
                 "date", key="averaging_end"),
            Item("AveragingStart", "Window starts", "=WORKDAY(AveragingEnd,1-AveragingDays,Holidays)", "date",
                 key="averaging_start"),
            Item("WindowDays", "Price days found in the window",
                 '=COUNTIFS(PriceDates,">="&AveragingStart,PriceDates,"<="&AveragingEnd)', "count"),
            Item("AveragePrice", "Volume-weighted average price",
                 "=SUMPRODUCT((PriceDates>=AveragingStart)*(PriceDates<=AveragingEnd)*PricePrices*PriceVolumes)"
                 '/SUMIFS(PriceVolumes,PriceDates,">="&AveragingStart,PriceDates,"<="&AveragingEnd)', "price",
                 key="average_price"),
        )
        blocks, next_row = _place([Block("Averaging window", price_items)])
        tables.append(Table("tblPrices", (
            Column("date", "Date", "PriceDates", fmt="date", width=12),
            Column("price", "Price", "PricePrices", fmt="price", width=12),
            Column("volume", "Volume", "PriceVolumes", fmt="count", width=14),
        ), shape.price_rows, next_row + 1))
        tables.append(Table("tblHolidays", (
            Column("holiday", "Exchange holiday", "Holidays", fmt="date", width=16),
        ), shape.holiday_rows, next_row + 1, first_col=6))
    else:
        blocks, next_row = _place([Block("Price history", (
            Item(None, "Ratio", record=True, note="The offer fixes its ratio: no price history is used."),
        ))])
    sheets.append(Sheet("Prices", "Prices", blocks, tuple(tables), widths={"B": 30, "C": 14, "D": 16},
                        freeze=f"A{next_row + 2}" if formula else None))

    # Results ----------------------------------------------------------------
    if formula:
        ratio_formula = (
            '=ROUND(IF(RatioCap="",IF(RatioFloor="",RatioValue/AveragePrice,MAX(RatioFloor,RatioValue/AveragePrice)),'
            'MIN(RatioCap,IF(RatioFloor="",RatioValue/AveragePrice,MAX(RatioFloor,RatioValue/AveragePrice)))),'
            "RatioPlaces)"
        )
        fractional_default = "AveragePrice"
    else:
        ratio_formula = "=FixedRatio"
        fractional_default = "Price"
    if holders:
        issued, fraction = "=SUM(TenderShares)", "=SUM(TenderFraction)"
        accepted = "=SUM(TenderAccepted)"
        factor = "=IF(Prorated,Capacity/RestUnits,1)"
    else:
        issued = (
            '=IF(FractionalPolicy="nearest",ROUND(UnitsAccepted*RatioUnits/RatioScale,0),'
            "INT(UnitsAccepted*RatioUnits/RatioScale))"
        )
        fraction = '=IF(FractionalPolicy="nearest",0,MOD(UnitsAccepted*RatioUnits,RatioScale)/RatioScale)'
        accepted = "=IF(Prorated,MaxUnits,Eligible)"
        factor = "=IF(Prorated,MaxUnits/Eligible,1)"
    later_units = "+SUM(ExUnits)" if ex else ""
    later_common = "+SUM(ExCommon)" if ex else ""
    later_charge = "+SUM(ExCharge)" if ex else ""
    result_blocks = [
        Block("Ratio", (
            Item("OfferRatio", "Offer ratio (R1)", ratio_formula, "ratio", key="offer_ratio"),
            Item("RatioUnits", "Offer ratio in parts of 1/N share", "=ROUND(OfferRatio*RatioScale,0)", "count"),
        )),
        Block("Acceptance", (
            Item("UnitsAccepted", "Units accepted", accepted, "count", key="units_accepted"),
            Item("ProrationFactor", "Proration factor", factor, "factor", key="proration_factor"),
            Item("Participation", "Participation", "=UnitsAccepted/Outstanding", "pct", key="participation"),
        )),
        Block("Delivery", (
            Item("CommonIssued", "Common shares issued", issued, "count", key="common_issued"),
            Item("FractionalShares", "Fractional shares", fraction, "count4"),
            Item("FractionalPriceUsed", "Price for cash in lieu",
                 f'=IF(FractionalPrice="",{fractional_default},FractionalPrice)', "price", key="fractional_price"),
            Item("FractionalCash", "Cash in lieu of fractions",
                 '=IF(FractionalPolicy="cash",FractionalShares*FractionalPriceUsed,0)', "money",
                 key="fractional_cash"),
        )),
        Block("Charge", (
            Item("IncrementalShares", "Incremental shares", "=UnitsAccepted*(OfferRatio-OriginalRatio)", "count4",
                 key="incremental_shares"),
            Item("Sweetener", "Cash sweetener", '=IF(CashTotal="",CashPerUnit*UnitsAccepted,CashTotal)', "money"),
            Item("SweetenerPerUnit", "Cash sweetener per unit",
                 "=IF(UnitsAccepted=0,0,Sweetener/UnitsAccepted)", "money"),
            Item("ArrearsPaid", "Arrears / accrued interest paid", "=ArrearsPerUnit*UnitsAccepted", "money"),
            Item("CashPaid", "Cash paid", "=Sweetener+ArrearsPaid+FractionalCash", "money", key="cash_paid"),
            Item("FairValueOffer", "Fair value of the consideration",
                 "=CommonIssued*Price+FractionalCash+Sweetener+ArrearsPaid", "money", key="fair_value_offer"),
            Item("FairValueOriginal", "Fair value under the original terms", "=UnitsAccepted*OriginalRatio*Price",
                 "money", key="fair_value_original"),
            Item("InducedTest", "Induced-conversion test passes", "=AND(OfferRatio>=OriginalRatio,Substantive)",
                 "bool"),
            Item("InducedCharge", "Induced charge (this offer)",
                 "=IF(InducedTest,FairValueOffer-FairValueOriginal,FairValueOffer-CarryingAmount)", "money",
                 key="induced_charge"),
            Item("TotalInducedCharge", "Charges of all exchanges", "=InducedCharge" + later_charge, "money",
                 key="total_induced_charge"),
        )),
        Block("Outstanding", (
            Item("UnitsRemaining", "Units remaining", "=Outstanding-UnitsAccepted" + later_units, "count",
                 key="units_remaining"),
            Item("CommonAfter", "Common outstanding after", "=CommonBefore+CommonIssued" + later_common, "count",
                 key="common_outstanding_after"),
        )),
    ]
    if shape.period:
        charges_in_period = "IF(AND(Settlement>=PeriodStart,Settlement<=PeriodEnd),InducedCharge,0)" + (
            '+SUMIFS(ExCharge,ExDays,">0")' if ex else ""
        )
        result_blocks.append(Block("Earnings per share", (
            Item("PeriodDays", "Days in the period", "=PeriodEnd-PeriodStart+1", "count"),
            Item("ChargesInPeriod", "Charges in the period", "=" + charges_in_period, "money"),
            Item("IncomeBefore", "Income available to common, before", "=NetIncome-PreferredDividends", "money",
                 key="eps.income_available_before"),
            Item("IncomeAfter", "Income available to common, after",
                 '=IncomeBefore-ChargesInPeriod*IF(Kind="note",1-TaxRate,1)', "money",
                 key="eps.income_available_after"),
            Item("WeightedBefore", "Weighted shares, before", "=SharesBefore", "count4",
                 key="eps.weighted_shares_before"),
            Item("WeightedAfter", "Weighted shares, after",
                 "=SharesBefore+(CommonIssued*MAX(0,PeriodEnd-MAX(Settlement,PeriodStart)+1)"
                 + ("+SUMPRODUCT(ExCommon,ExDays)" if ex else "") + ")/PeriodDays", "count4",
                 key="eps.weighted_shares_after"),
            Item("EPSBefore", "Basic EPS, before", "=IncomeBefore/WeightedBefore", "eps", key="eps.basic_eps_before"),
            Item("EPSAfter", "Basic EPS, after", "=IncomeAfter/WeightedAfter", "eps", key="eps.basic_eps_after"),
            Item("EPSEffect", "EPS effect", "=EPSAfter-EPSBefore", "eps", key="eps.eps_effect"),
        )))
    blocks, next_row = _place(result_blocks)
    tables = []
    if ex:
        ex_table = Table("tblExchangeResults", (
            Column("units", "Units", None, "=INDEX(ExUnits,{index})", fmt="count"),
            Column("ratio_units", "Ratio in parts", None, "=ROUND(INDEX(ExRatio,{index})*RatioScale,0)", fmt="count"),
            Column("common", "Common issued", "ExCommon",
                   '=IF(FractionalPolicy="nearest",ROUND({units}*{ratio_units}/RatioScale,0),'
                   "INT({units}*{ratio_units}/RatioScale))", fmt="count"),
            Column("cash_in_lieu", "Cash in lieu", None,
                   '=IF(FractionalPolicy="cash",MOD({units}*{ratio_units},RatioScale)/RatioScale*INDEX(ExPrice,{index}),'
                   "0)", fmt="money"),
            Column("charge", "Charge", "ExCharge",
                   "={common}*INDEX(ExPrice,{index})+{cash_in_lieu}+{units}*INDEX(ExCash,{index})"
                   "-{units}*OriginalRatio*INDEX(ExPrice,{index})", fmt="money"),
            *((Column("days", "Days outstanding in period", "ExDays",
                      "=IF(INDEX(ExDate,{index})>PeriodEnd,0,PeriodEnd-MAX(INDEX(ExDate,{index}),PeriodStart)+1)",
                      fmt="count"),) if shape.period else ()),
        ), shape.exchange_rows, next_row + 1)
        tables.append(ex_table)
    sheets.append(Sheet("Results", "Results", blocks, tuple(tables), widths={"B": 40, "C": 22, "D": 16, "E": 16,
                                                                          "F": 16, "G": 16, "H": 16}))

    # Check ------------------------------------------------------------------
    tie = []
    if formula:
        vwap = "OFFER_VWAP(PriceDates,PricePrices,PriceVolumes,Expiration,AveragingDays,LagDays,Calendar)"
        tie.append(Item("CheckAveragePrice", "Average price", "=AveragePrice", "price", key="average_price",
                        function=f"={vwap}"))
        tie.append(Item("CheckOfferRatio", "Offer ratio", "=OfferRatio", "ratio", key="offer_ratio",
                        function=f"=EXCHANGE_RATIO(RatioValue,{vwap},RatioCap,RatioFloor,RatioPlaces)"))
    accepted_arg = "TenderAccepted" if holders else "UnitsAccepted"
    tie += [
        Item("CheckProration", "Proration factor", "=ProrationFactor", "factor", key="proration_factor",
             function='=IF(MaxUnits="",1,PRORATION(Eligible,MaxUnits' + (",OddLotUnits))" if holders else "))")),
        Item("CheckCommonIssued", "Common shares issued", "=CommonIssued", "count", key="common_issued",
             function=f"=SHARES_ISSUED({accepted_arg},OfferRatio,FractionalPolicy)"),
        Item("CheckCashInLieu", "Cash in lieu", "=FractionalCash", "money", key="fractional_cash",
             function=f'=IF(FractionalPolicy="cash",CASH_IN_LIEU({accepted_arg},OfferRatio,FractionalPriceUsed),0)'),
        Item("CheckIncremental", "Incremental shares", "=IncrementalShares", "count4", key="incremental_shares",
             function="=INCREMENTAL_SHARES(UnitsAccepted,OfferRatio,OriginalRatio)"),
        Item("CheckCharge", "Induced charge", "=InducedCharge", "money", key="induced_charge",
             function="=IF(InducedTest,INDUCED_CHARGE(UnitsAccepted,OfferRatio,OriginalRatio,Price,"
                      "SweetenerPerUnit+ArrearsPerUnit)+(CommonIssued-UnitsAccepted*OfferRatio)*Price+FractionalCash,"
                      "FairValueOffer-CarryingAmount)"),
        Item("CheckChargeText", "Charge as announced", "=ReleaseChargeText", "text", key="release_charge_text",
             function='=APPROX(InducedCharge,"dollars")'),
    ]
    if shape.period:
        if not ex:
            tie.append(Item("CheckWeighted", "Weighted shares, after", "=WeightedAfter", "count4",
                            key="eps.weighted_shares_after",
                            function="=WEIGHTED_SHARES(SharesBefore,CommonIssued,Settlement,PeriodStart,PeriodEnd)"))
        tie.append(Item("CheckEPS", "Basic EPS, after", "=EPSAfter", "eps", key="eps.basic_eps_after",
                        function='=EPS_AFTER(NetIncome,PreferredDividends,ChargesInPeriod*IF(Kind="note",1-TaxRate,1),'
                                 "WeightedAfter)"))
    identities = [
        Item("IdTotals", "Accepted + remaining = outstanding",
             "=UnitsAccepted+UnitsRemaining" + later_units + "=Outstanding", "bool"),
        Item("IdTendered", "Tendered within outstanding", "=Tendered<=Outstanding", "bool"),
        Item("IdGuaranteed", "Guaranteed deliveries within tendered", "=GuaranteedDelivery<=Tendered", "bool"),
        Item("IdFailed", "Failed deliveries within guaranteed", "=FailedDelivery<=GuaranteedDelivery", "bool"),
        Item("IdCap", "Accepted within the cap", '=OR(MaxUnits="",UnitsAccepted<=MaxUnits)', "bool"),
        Item("IdCommon", "Common after = before + issued",
             "=CommonAfter=CommonBefore+CommonIssued" + later_common, "bool"),
        Item("IdDelivered", "Shares + fractions = accepted × ratio",
             '=OR(FractionalPolicy="nearest",ABS(CommonIssued+FractionalShares-UnitsAccepted*OfferRatio)<Tolerance)',
             "bool"),
        Item("IdRatioPrecision", "Ratio fits the ratio precision",
             "=ABS(OfferRatio*RatioScale-RatioUnits)<Tolerance", "bool"),
        Item("IdTest", "Induced-conversion test passes, or a carrying amount is given",
             '=OR(InducedTest,CarryingAmount<>"")', "bool"),
        Item("IdEntries", "Journal entry balances (when its inputs are given)",
             "=OR(NOT(EntriesComplete),EntriesBalanced)", "bool"),
    ]
    if formula:
        identities.append(Item("IdWindow", "Every trading day of the window has a price", "=WindowDays=AveragingDays",
                               "bool"))
    tie_names = tuple(i.name for i in tie)
    id_names = tuple(i.name for i in identities)
    status = (
        Item("FunctionsLoaded", "xlpy functions loaded", "=IFERROR(LEN(XLPY_VERSION())>0,FALSE)", "bool",
             note="FALSE: Excel without xlpy's functions; tie-outs are not run"),
        Item("ChecksPass", "All checks pass", "=AND(" + ",".join(("FunctionsLoaded",) + tie_names + id_names) + ")",
             "bool"),
    )
    tie_block = Block("Tie-outs: native formula vs xlpy functions", tuple(tie))
    id_block = Block("Identities", tuple(identities))
    blocks, _ = _place([Block("Status", status), tie_block, id_block])
    sheets.append(Sheet("Check", "Check", blocks, check=True,
                        widths={"B": 52, "C": 20, "D": 20, "E": 14, "F": 10}))

    # Sensitivity ----------------------------------------------------------------
    sensitivity = (
        Item(None, "Charge = Outstanding × participation × ((R1 − R0) × price + cash per unit)", record=True),
    )
    blocks, next_row = _place([Block("Induced charge by share price and participation", sensitivity)])
    sheets.append(Sheet("Sensitivity", "Sensitivity", blocks, widths={"B": 16, "C": 16, "D": 16, "E": 16, "F": 16,
                                                                      "G": 16}, landscape=True))

    # Release ---------------------------------------------------------------------
    name = 'IF(ShortName="",Issuer,ShortName)'
    noun = 'IF(Kind="preferred","shares","notes")'
    count = 'IF(FinalCount,"final","preliminary")'
    what = (
        'IF(InducedTest,IF(Kind="preferred","one-time noncash dividend charge against earnings",'
        '"one-time noncash inducement expense"),IF(Kind="preferred","one-time charge on the redemption",'
        '"one-time loss on extinguishment"))'
    )
    quarter = 'CHOOSE(ROUNDUP(MONTH(ValuationDate)/3,0),"first","second","third","fourth")&" quarter"'
    sentences = (
        Item("ReleaseSentence1", "Tendered",
             f'="Based on a "&{count}&" count, approximately "&{approx_formula("Tendered")}&" "&{noun}'
             '&" were tendered and not withdrawn, of which approximately "&'
             f'{approx_formula("GuaranteedDelivery")}&" were tendered pursuant to notices of guaranteed delivery."',
             "text"),
        Item("ReleaseSentence2", "Acceptance",
             f'=IF(ProrationFactor=1,{name}&" will accept all of the properly tendered "&{noun}&".",'
             f'{name}&" will accept approximately "&{approx_formula("UnitsAccepted")}&" of the properly tendered "'
             f'&{noun}&" on a pro rata basis.")', "text"),
        Item("ReleaseSentence3", "Outstanding before",
             f'="When the offer commenced there were "&TEXT(Outstanding,"#,##0")&" "&{noun}&" of "&Security'
             '&" issued and outstanding."', "text"),
        Item("ReleaseSentence4", "Remaining",
             f'="As a result of the exchange offer, "&{name}&" expects to have approximately "&'
             f'{approx_formula("UnitsRemaining")}&" "&{noun}&" of "&Security&" outstanding immediately following '
             'issuance of the exchanged common shares."', "text"),
        Item("ReleaseSentence5", "Common stock",
             '="The outstanding shares of common stock will increase from approximately "&'
             f'{approx_formula("CommonBefore")}&" to approximately "&{approx_formula("CommonAfter")}&"."', "text"),
        Item("ReleaseChargeText", "Charge", f"={approx_formula('InducedCharge', 'dollars')}", "text"),
        Item("ReleaseSentence6", "Charge sentence",
             f'="Based on the "&{count}&" count, "&{name}&" will be required to take a "&{what}&" in the "&'
             f'{quarter}&" in the amount of approximately "&ReleaseChargeText&" as a result of the offer."', "text"),
        Item("ReleaseParagraph", "Paragraph (to copy)",
             '=ReleaseSentence1&" "&ReleaseSentence2&" "&ReleaseSentence3&" "&ReleaseSentence4&" "&ReleaseSentence5'
             '&" "&ReleaseSentence6', "text"),
    )
    blocks, _ = _place([Block("Results paragraph (draft)", sentences)])
    sheets.append(Sheet("Release", "Release draft", blocks, widths={"B": 18, "C": 90}))
    sheets.append(_entries_sheet())
    sheets.append(_history_sheet(shape))

    lay = Layout(shape, tuple(sheets), names, tie_names, id_names)
    _resolve_names(lay)
    return lay


#: The journal entry's lines, in order: (account formula, signed amount formula, memo); debits positive.
ENTRY_LINES = (
    ('IF(Kind="preferred","Preferred stock","Convertible notes, net carrying amount")', "EntryCarrying",
     "carrying amount of the units accepted"),
    ('"Accrued interest payable"', "EntryInterest", "accrued interest the holders give up"),
    ('IF(InducedTest,IF(Kind="preferred","Retained earnings: deemed dividend (induced conversion)",'
     '"Induced conversion expense"),IF(Kind="preferred",IF(InducedCharge<0,"Retained earnings: redemption below '
     'carrying amount","Retained earnings: deemed dividend (redemption above carrying amount)"),'
     'IF(InducedCharge<0,"Gain on extinguishment of convertible notes","Loss on extinguishment of convertible '
     'notes")))', "InducedCharge", "the charge"),
    ('"Common stock, at par"', "-EntryPar", "par value of the shares issued"),
    ('"Cash"', "-CashPaid", "sweetener, arrears or accrued interest, and cash in lieu"),
    ('"Additional paid-in capital"', "-EntryAPIC", "the balance"),
)
NEEDS_INPUT = "needs input"


def _entries_sheet() -> Sheet:
    """The journal entry for the exchange (:mod:`xlpy.engine.entries`) in native formulas.

    The amounts are named cells; the table lays them out as lines with a
    debit or a credit each (a line whose amount is zero is left blank).  An
    amount whose input is missing shows "needs input", never zero.
    """
    amounts = (
        Item("EntryDate", "Date (measurement date)", "=ValuationDate", "date"),
        Item("EntryCarrying", "Carrying amount of the units accepted",
             '=IF(AND(NOT(InducedTest),CarryingAmount<>""),CarryingAmount,IF(CarryingTotal<>"",CarryingTotal,'
             f'IF(CarryingPerUnit<>"",CarryingPerUnit*UnitsAccepted,IF(CarryingAmount<>"",CarryingAmount,'
             f'"{NEEDS_INPUT}: carrying amount (Inputs)"))))', "money", key="entry.carrying"),
        Item("EntryInterest", "Accrued interest given up",
             '=IF(Kind="note",N(AccruedInterestPerUnit)*UnitsAccepted,0)', "money", key="entry.interest"),
        Item("EntryPar", "Common stock at par",
             f'=IF(ParValue="","{NEEDS_INPUT}: par value (Inputs)",ParValue*CommonIssued)', "money", key="entry.par"),
        Item("EntriesComplete", "Inputs given", "=AND(ISNUMBER(EntryCarrying),ISNUMBER(EntryPar))", "bool"),
        Item("EntryAPIC", "Additional paid-in capital (the balance)",
             f'=IF(EntriesComplete,EntryCarrying+EntryInterest+InducedCharge-EntryPar-CashPaid,"{NEEDS_INPUT}")',
             "money", key="entry.apic"),
    )
    totals = (
        Item("EntriesDebits", "Total debits", "=SUM(EntryDebits)", "money", key="entry.debits"),
        Item("EntriesCredits", "Total credits", "=SUM(EntryCredits)", "money", key="entry.credits"),
        Item("EntriesBalanced", "Debits = credits", "=AND(EntriesComplete,ABS(EntriesDebits-EntriesCredits)<Tolerance)",
             "bool", key="entry.balanced"),
    )
    blocks, next_row = _place([Block("Amounts", amounts), Block("Totals", totals)])
    account = "=CHOOSE({index}," + ",".join(a for a, _, _ in ENTRY_LINES) + ")"
    signed = "=CHOOSE({index}," + ",".join(
        f"IF(ISNUMBER({x.lstrip('-')}),{x},0)" for _, x, _ in ENTRY_LINES) + ")"
    memo = ("=IF(ISNUMBER(CHOOSE({index}," + ",".join(x.lstrip("-") for _, x, _ in ENTRY_LINES) + ')),IF({amount}=0,'
            '"none",CHOOSE({index},' + ",".join(f'"{m}"' for _, _, m in ENTRY_LINES)
            + f')),"{NEEDS_INPUT}: see the amounts above")')
    table = Table("tblEntries", (
        Column("account", "Account", None, account, fmt="text", width=50),
        Column("date", "Date", None, "=EntryDate", fmt="date", width=16),
        Column("debit", "Debit", "EntryDebits", '=IF({amount}>0,{amount},"")', fmt="money", width=18),
        Column("credit", "Credit", "EntryCredits", '=IF({amount}<0,-{amount},"")', fmt="money", width=18),
        Column("memo", "Memo", None, memo, fmt="text", width=50),
        Column("amount", "Amount (debit +)", None, signed, fmt="money", width=18),
    ), len(ENTRY_LINES), next_row + 1)
    return Sheet("Entries", "Journal entry", blocks, (table,), landscape=True,
                 widths={"B": 50, "C": 16, "D": 18, "E": 18, "F": 50, "G": 18})


#: History columns a build or refresh writes, in order (the change column is a formula over them).
HISTORY_COLUMNS = ("when", "tally", "sha256", "lines", "tendered", "guaranteed", "failed", "accepted",
                   "participation", "common", "charge")


#: Rows left above the History table for its chart.
HISTORY_CHART_ROWS = 17


def _history_sheet(shape: Shape) -> Sheet:
    """One row for the build and one per refresh that changed something: how the count moved."""
    blocks, next_row = _place([Block("How the count moved", (
        Item(None, "Rows", record=True, note="the build, then each refresh"),
    ))])
    next_row += HISTORY_CHART_ROWS  # the chart of participation sits between the note and the table
    table = Table("tblHistory", (
        Column("when", "When (UTC)", "HistWhen", fmt="text", width=20),
        Column("tally", "Tally file", None, fmt="text", width=30),
        Column("sha256", "Tally SHA-256", None, fmt="text", width=18),
        Column("lines", "Lines", None, fmt="count", width=9),
        Column("tendered", "Units tendered", "HistTendered", fmt="count", width=14),
        Column("guaranteed", "by guaranteed delivery", None, fmt="count", width=14),
        Column("failed", "Failed deliveries", None, fmt="count", width=12),
        Column("accepted", "Units accepted", None, fmt="count", width=14),
        Column("participation", "Participation", "HistParticipation", fmt="pct", width=13),
        Column("common", "Common issued", None, fmt="count", width=14),
        Column("charge", "Induced charge", None, fmt="money", width=18),
        Column("change", "Change in units tendered", "HistChange", "={tendered}-{prev:tendered}", first="=0",
               fmt="count", width=14),
    ), shape.history_rows, next_row + 1)
    return Sheet("History", "History", blocks, (table,), landscape=True, freeze=f"A{next_row + 2}",
                 widths={"B": 20, "C": 30, "D": 18, "E": 9, "F": 14, "G": 14, "H": 12, "I": 14, "J": 13, "K": 14,
                         "L": 18, "M": 14})


def history_row(when: str, tally: str, sha256: str, lines: int, results) -> tuple:
    """A History row: when, the tally read, and how the count and the charge stood.

    A record, not a figure to tie out: the charge is kept to the cent and the
    participation to eight decimals, so every backend stores the same number.
    """
    from .engine.numbers import excel_round

    return (when, tally, sha256, lines, results.units_tendered, results.units_guaranteed_delivery,
            results.units_failed_delivery, results.units_accepted, excel_round(results.participation, 8),
            results.common_issued, excel_round(results.induced_charge, 2))


def _resolve_names(lay: Layout) -> None:
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


# Sensitivity grid geometry: prices down, participations across.
SENS_PRICE_STEPS = (-2, -1, 0, 1, 2)
SENS_PARTICIPATIONS = ("0.25", "0.5", "0.75", "1")


def sensitivity_origin(lay: Layout) -> tuple[int, int]:
    """(row, column) of the grid's top-left (blank) corner."""
    s = lay.sheet("Sensitivity")
    last = s.blocks[-1]
    return last.row + len(last.items) + 2, 2


def tie_cells(item: Item, row: int) -> dict[int, tuple[str, str]]:
    """A Check tie-out row's cells: column -> (formula, format key).

    Native figure, the same figure from xlpy's functions (guarded so Excel
    without them shows "functions not loaded"), their difference, and the flag.
    """
    native, fn, diff, flag = CHECK_COLS[1:]
    n, f, d = (f"{get_column_letter(c)}{row}" for c in (native, fn, diff))
    cells = {
        native: (item.formula, item.fmt),
        fn: (f'=IF(FunctionsLoaded,{item.function[1:]},"{FUNCTIONS_NOT_LOADED}")', item.fmt),
    }
    if item.fmt == "text":
        cells[diff] = (f'=IF(FunctionsLoaded,IF(EXACT({n},{f}),0,1),"")', "count")
        cells[flag] = (f'=IF(FunctionsLoaded,EXACT({n},{f}),"{TIES_NOT_RUN}")', "bool")
    else:
        cells[diff] = (f'=IF(FunctionsLoaded,{f}-{n},"")', item.fmt)
        cells[flag] = (f'=IF(FunctionsLoaded,ABS({d})<=Tolerance,"{TIES_NOT_RUN}")', "bool")
    return cells


def sensitivity_cells(lay: Layout) -> dict[tuple[int, int], tuple[str, str]]:
    """The Sensitivity grid: (row, column) -> (formula, format key).

    Participations across the top (the last one the offer's own), share prices
    down the side in steps of ``SensitivityStep`` around ``Price``, and in each
    cell ``Outstanding × participation × ((R1 − R0) × price + cash per unit)``.
    """
    top, left = sensitivity_origin(lay)
    parts = [f"={p}" for p in SENS_PARTICIPATIONS] + ["=Participation"]
    cells = {(top, left + 1 + j): (p, "pct") for j, p in enumerate(parts)}
    for i, step in enumerate(SENS_PRICE_STEPS):
        row = top + 1 + i
        cells[(row, left)] = ("=Price" if step == 0 else f"=Price*(1{step:+d}*SensitivityStep)", "price")
        price = f"${get_column_letter(left)}{row}"
        for j in range(len(parts)):
            part = f"{get_column_letter(left + 1 + j)}${top}"
            cells[(row, left + 1 + j)] = (
                f"=Outstanding*{part}*((OfferRatio-OriginalRatio)*{price}+SweetenerPerUnit+ArrearsPerUnit)", "money"
            )
    return cells
