"""The layout's vocabulary: shapes, items, blocks, tables, sheets and the whole layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from openpyxl.utils import get_column_letter

CONF_SHEET = "xlwings.conf"
#: A hidden workbook-level name holding the shape, so refresh and validate can rebuild the layout.
LAYOUT_NAME = "xlpyLayout"
#: The layout this xlpy writes; a workbook built with another is rebuilt, never read cell by cell.
#: 1: xlpy 0.1.0 as first released; 2: journal-entry inputs, Entries and History sheets.
#: 3: the entry in cents, later exchanges by row; 4: a formula's ratio rounded from value ÷ average to 10 decimals;
#: 5: the Sensitivity grid measures the charge as Results does (the extinguishment measure when the test fails)
#: and leaves a participation past a cap blank; 6: the fiscal year's month, the Release figures and wording, the
#: charge's account on Results; 7: layout 6 as its last formulas give it (its Release wording, the notes'
#: extinguishment measure and the rows of Results changed within it, and its label check needs one text a cell);
#: 8: InducedTest fails when holders receive less than the original terms give (no negative induced charge);
#: the Sensitivity grid adds a sweetener given in total (CashTotal) once, not as a share of it per unit, and
#: the Release figures are written with literal separators, which no machine's language reads as its own, and
#: a few shares across a rounding edge are an increase "by" them; 9: the Check sheet's IdentitiesPass, and the
#: Cover's checks line says a failing identity whether or not xlpy's functions are loaded; 10: the holder table
#: begins with the holder (in the wide column), then the tally line, and prints at a size that can be read; 11: the
#: Release sheet states a notes offer with a face in aggregate principal amount (figures for the units accepted and
#: in principal), Check holds the units accepted to the acceptance rule (IdAccepted) and ties a failing test's
#: charge and incremental shares to the functions, and Tenders' acceptance rows are labelled for what they hold;
#: 12: the Release sheet states money from a dollar from its cents, as booked (the charge from EntryCharge: a
#: charge of exactly $19.50 that binary arithmetic held as 19.4999999999999 read "$19"), and a notes offer stated in
#: principal with every note accepted leaves "no 2.50% Convertible Senior Notes due 2029", not "no notes of";
#: 13: the Release sheet leaves failed deliveries out of the units tendered on a preliminary count too (as the units
#: accepted and remaining leave them out), says of a holder tally's prorated offer that odd lots had priority, and
#: puts a comma after "When the offer commenced"; Inputs notes say what net income, arrears and accrued interest are;
#: the Cover's change since the previous count reads n/a on the build's row alone; input cells are unlocked; Results'
#: EPS block gives the charges after tax (ChargesAfterTax), so it foots; 14: the Cover's Status block says whether
#: the count is final or preliminary, and what guaranteed deliveries it holds still open (key ``count.status``), and
#: its Macros note that the buttons need Windows desktop Excel (a refresh in a terminal elsewhere), its Functions
#: note how to get the functions there (Import Functions) and on a Mac or the web (xlwings Lite); the Check
#: sheet's FunctionsLoaded and ChecksPass show amber, not red, when FALSE only for xlpy's functions not loaded
#: (NOT_RUN_STATES: conditional formats, which the structure check does not compare, changed with the bump);
#: 15: the Cover's Review block (PreparedBy, PreparedOn, ReviewedBy, ReviewedOn: inputs the engine ignores, blank at
#: a build, kept by a refresh, which warns when it moves the figures after a review), and History's price file, its
#: SHA-256, the operating-system user who ran the build or refresh and the xlpy version (review 76); History's rows
#: black, a record, not inputs; the Entries memos name the security and what the cash pays (CARRYING_MEMO, CASH_MEMO);
#: 16: a credit or a gain prints as one (``$#,##0.00;$#,##0.00" credit"`` on every charge figure), the Entries memos
#: and labels are worded by case (accrued interest settled, cash sweetener only for an induced conversion), its
#: totals and Debits = credits read "needs input" while an input is missing and its account and memo columns are
#: wider, Check asks EntriesComplete before EntriesBalanced, the Release figures say failed deliveries are left out,
#: History's hashes print on the page beside its count (its fields read by key), Sensitivity's note is in words and
#: its chart's axis says credit.
LAYOUT_VERSION = 16
#: Earlier layouts still read as this one, for the workbooks they wrote as this one writes them: layout -> the
#: shape's parts (``tally``, ``ratio``) and the values a workbook of it is read at. None now: layouts 11, 12 and
#: 13 changed every workbook's Release sheet, layouts 14 and 15 every workbook's Cover (15 its History too), layout
#: 16 every workbook's charge figures, Entries and History.
#: (Layout 10 changed only the holder table, and read a layout-9 workbook of typed counts as it was, with
#: ``{"9": {"tally": ("aggregate",)}}``; layout 4 changed only the workbooks whose ratio is set by formula; layout 5
#: changed every workbook's Sensitivity grid.)
SAME_SINCE: dict[str, dict[str, tuple[str, ...]]] = {}


def shape_parts(text: str) -> dict[str, str]:
    """The parts of a shape's description (``ratio=fixed;...;layout=12``), by name."""
    return dict(p.split("=", 1) for p in text.strip().strip('"').split(";") if "=" in p)


def same_since(version: str, parts: dict[str, str]) -> bool:
    """Whether a workbook of layout *version* whose shape has these *parts* is read as this layout writes it."""
    if version == str(LAYOUT_VERSION):
        return True
    kept = SAME_SINCE.get(version)
    return kept is not None and all(parts.get(k) in v for k, v in kept.items())

SHEETS = ("Cover", "Inputs", "Tenders", "Prices", "Results", "Check", "Sensitivity", "Release", "Entries",
          "History", CONF_SHEET)



class OtherLayout(ValueError):
    """A workbook of another layout than this xlpy's: an earlier one is rebuilt (:mod:`xlpy.workbook.rebuild` says
    with which files), a later one needs the later xlpy that built it."""

    def __init__(self, version: str):
        self.version = version
        #: True: a later xlpy's; False: an earlier one's; None: a layout number this xlpy cannot read.
        self.later = (int(version) > LAYOUT_VERSION) if version.isdecimal() and version == str(int(version)) else None
        said = f"(layout {version}; this xlpy reads layout {LAYOUT_VERSION})"
        super().__init__(
            f"the workbook was built by a later xlpy {said}: install that xlpy (pip install . in a copy of the "
            "project at least as new) to refresh it" if self.later else
            f"the workbook was built by an earlier xlpy {said}: rebuild it with xlpy build under another name, and "
            "refresh the new one from the files this one records (--history-from carries its History over)"
            if self.later is False else
            f"the workbook was built by another xlpy {said}, whose layout this one cannot place: build a new "
            "workbook under another name")


def renamed_hint(title: str, present) -> str:
    """For a message about a workbook missing the standard sheet *title*: the sheets the layout does not know
    (usually it was renamed), as `` (sheets not in the layout: ...)``, or "" when there are none."""
    others = [t for t in present if t not in SHEETS]
    if not others:
        return ""
    return f" (sheets not in the layout: {', '.join(map(repr, others))}; if one of them is {title} renamed, " \
           f"name it {title} again)"


#: Names every standard workbook has (a contract other tools rely on).
REQUIRED_NAMES = (
    "Outstanding", "OriginalRatio", "OfferRatio", "Price", "CommonBefore", "Tendered", "GuaranteedDelivery",
    "FailedDelivery", "UnitsAccepted", "CommonIssued", "IncrementalShares", "InducedCharge", "UnitsRemaining",
    "Participation", "CommonAfter", "ChecksPass",
)

FMT = {
    "count": "#,##0",
    "count4": "#,##0.####;-#,##0.####;0",  # a zero reads 0, not Excel's "0." (a whole count: build._whole_counts)
    "money": "$#,##0.00;[Red]-$#,##0.00",
    # the charge (the redemption or extinguishment measure too): a negative one, a credit or a gain, reads as the
    # release and the journal entry word it, "$7,625,420.00 credit", not as a red minus; the value keeps its sign
    "charge": '$#,##0.00;$#,##0.00" credit"',
    "price": "$#,##0.0000",
    "ratio": "0.00####",
    "factor": "0.0000000000",
    "quotient": "0.0000000000",  # a quotient kept to 10 decimals: every one of them shown
    "pct": "0.00%",
    "date": "yyyy-mm-dd",
    "eps": "$#,##0.0000;[Red]-$#,##0.0000",
    # Inputs as typed: every decimal shows (to 8), so a printed Inputs page ties to the figures it drives ($8.125
    # accrued interest per note is not shown as $8.13, a par of $0.000006 not as $0.0000)
    "amount": "$#,##0.00######;[Red]-$#,##0.00######",
    "unit_price": "$#,##0.0000####",
    "rate": "0.00####%",
    "text": "@",
    "bool": "General",
    "general": "General",
}
#: The formats of money to the cent: figures a validator ties to within half a cent, as booked.
MONEY_FMTS = ("money", "charge")



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
    def decode(cls, text: str) -> Shape:
        parts = shape_parts(text)
        version = parts.get("layout", "1")
        if not same_since(version, parts):
            raise OtherLayout(version)
        try:
            return cls(
                ratio=parts["ratio"], tally=parts["tally"], holder_rows=int(parts["holders"]),
                price_rows=int(parts["prices"]), holiday_rows=int(parts["holidays"]),
                exchange_rows=int(parts["exchanges"]), period=parts["period"] == "1",
                history_rows=int(parts["history"]),
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{LAYOUT_NAME}: not a layout description: {text!r}") from exc




#: The Cover's RefreshedAt in a workbook no refresh has written.
NOT_REFRESHED = "never"

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
        positive: an input that must be above 0 (its data validation says so, as the offer file does).
        signed: a number input that may be negative (net income: a loss); any other number input is at least 0.
        most: a whole-number input's largest value (a month: 12), which its data validation says too.
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
    positive: bool = False
    signed: bool = False
    most: int | None = None

    @property
    def is_input(self) -> bool:
        return self.formula is None and not self.record


@dataclass(frozen=True)
class Block:
    """A titled column of items: label in B, value in C, note in D (Check: more columns)."""

    title: str
    items: tuple[Item, ...]
    row: int = 0  # first item's row, set by the layout
    new_page: bool = False  # printed from the top of a page, its title with it (never split at a page's foot)


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
        check: an input column of fixed rows whose cells get data validation of their kind (a date; a number of
            at least 0, above 0 when *positive*).
        positive: see *check*.
    """

    key: str
    header: str
    name: str | None = None
    formula: str | None = None
    first: str | None = None
    fmt: str = "general"
    width: float = 14
    choices: tuple[str, ...] = ()
    check: bool = False
    positive: bool = False


@dataclass(frozen=True)
class Table:
    """Rows of data with an Excel table (ListObject) over them.

    Attributes:
        name: the Excel table's name.
        columns: its columns, left to right from ``first_col``.
        rows: number of data rows.
        header_row: row of the header; data follows.
        first_col: column number of the first column.
        title: a title band in the row above the header, as a block has (a table placed where the next block
            would begin); None: none.
    """

    name: str
    columns: tuple[Column, ...]
    rows: int
    header_row: int
    first_col: int = 2
    title: str | None = None

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
    notes_overflow: bool = False  # notes are not wrapped in their column but written over the empty cells beside

    def column_widths(self) -> dict[str, float]:
        """Each column's width as the builder gives it: the sheet's own, widened to what a table's column asks."""
        out = dict(self.widths)
        for t in self.tables:
            for i, c in enumerate(t.columns):
                letter = get_column_letter(t.first_col + i)
                out[letter] = max(out.get(letter, 0), c.width)
        return out


@dataclass(frozen=True)
class Layout:
    """The whole workbook: sheets in order and every name resolved."""

    shape: Shape
    sheets: tuple[Sheet, ...]
    names: dict[str, tuple[str, str]]  # name -> (sheet, absolute reference)

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
        added) are always areas.  :mod:`xlpy.macros` alone asks for them, for the
        sheets a button's refresh writes in a live book.  They are not all a refresh
        writes: it sets the names over them and the hidden ``xlpyLayout`` name too,
        and in a file on disk the saved values of the formula cells whose value the
        engine knows (Results, Check, Release, Sensitivity and the rest:
        :meth:`xlpy.workbook.formulas_back.Changed.save`), the holder table's
        seal and ``fullCalcOnLoad``, the layout's formula put back over a value
        typed outside the tables, and it drops the calc chain
        (:mod:`xlpy.workbook.refresh`).
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


def place(blocks: list[Block], start: int = FIRST_BLOCK_ROW) -> tuple[tuple[Block, ...], int]:
    """Give each block its rows: a title row, the items, a blank row."""
    placed, row = [], start
    for b in blocks:
        placed.append(replace(b, row=row + 1))  # (a new_page block stays one)
        row += len(b.items) + 2
    return tuple(placed), row

