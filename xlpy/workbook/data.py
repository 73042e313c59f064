"""The standard workbook's data, both ways: offer → cell values, and cell values → offer.

The builder writes :func:`input_values` and :func:`table_rows` into the cells
the layout names; the validator and the refresh read them back with
:func:`read_offer`, so the engine can be run on the workbook's *own* inputs.
Reading is strict: a number cell holding text is a finding, never coerced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import partial
from operator import itemgetter

from ..engine.errors import InputError, MoreProblems
from ..engine.model import (
    FRACTIONAL_POLICIES,
    KINDS,
    METHODS,
    STATUSES,
    Accounting,
    Consideration,
    Exchange,
    HolderTable,
    Offer,
    Period,
    PriceDay,
    RatioFormula,
    Tally,
    Valuation,
)
from ..engine.ratio import bound_problem
from ..files import typed
from ..files.holder_ids import case_twins
from ..files.offerfile import BOUNDS, ID_RULE, MAX_COUNT, MIN_PRICE, OFFER_ID, PRICE_KEYS, tax_rate_rule
from .column_rows import ColumnRows
from .formula_text import boolean_formula
from .layout import ENTRY_LINES, SENS_PRICE_STEPS, Layout, Shape
from .layout.tenders import HOLDER_INPUTS
from .typed_ids import odd_typed_ids

__all__ = [
    "RATIO_SCALE",
    "TOLERANCE",
    "SENSITIVITY_STEP",
    "shape_for",
    "input_values",
    "table_rows",
    "holiday_range",
    "read_offer",
    "CellReader",
    "input_cell",
    "sensitivity_step",
    "in_workbook_terms",
]

RATIO_SCALE = 1_000_000
TOLERANCE = Decimal("0.005")
SENSITIVITY_STEP = Decimal("0.1")
#: A tie-out tolerance is below a cent: the tie-outs compare figures stated to the cent (and shares in millionths),
#: so a tolerance of a cent or more would pass a figure a cent wrong, and one of 0.5 any ratio (IdRatioPrecision).
TOLERANCE_BELOW = Decimal("0.01")
#: The Sensitivity grid's lowest price is ``Price × (1 − n × step)``, *n* steps below the price (its layout's
#: ``SENS_PRICE_STEPS``): a step is below 1/n, or that price is zero or less.
STEPS_BELOW_PRICE = -min(SENS_PRICE_STEPS)


def holiday_range(offer: Offer) -> tuple[dt.date, dt.date]:
    """Days over which exchange holidays are listed for the workbook's ``WORKDAY``."""
    f = offer.consideration.formula
    first = min([p.date for p in f.prices] + [offer.expiration]) - dt.timedelta(days=45)
    return first, offer.expiration + dt.timedelta(days=10)


def shape_for(offer: Offer, holidays: int = 0) -> Shape:
    """The workbook shape an offer needs."""
    f = offer.consideration.formula
    h = offer.tally.holders
    return Shape(
        ratio="formula" if f is not None else "fixed",
        tally="holders" if h is not None else "aggregate",
        holder_rows=len(h) if h is not None else 0,
        price_rows=len(f.prices) if f is not None else 0,
        holiday_rows=holidays if f is not None else 0,
        exchange_rows=len(offer.exchanges),
        period=offer.period is not None,
    )


def input_values(offer: Offer) -> dict[str, object]:
    """Every named input cell's value for *offer* (None leaves the cell blank)."""
    c = offer.consideration
    values: dict[str, object] = {
        "OfferId": offer.id,
        "Issuer": offer.issuer,
        "ShortName": offer.short_name or None,
        "FiscalYearEnd": offer.fiscal_year_end_month,
        "Security": offer.security,
        "Kind": offer.kind,
        "FacePerUnit": offer.face_per_unit,
        "Outstanding": offer.outstanding,
        "OriginalRatio": offer.original_ratio,
        "CommonBefore": offer.common_outstanding_before,
        "Expiration": offer.expiration,
        "MaxUnits": offer.max_units,
        "OddLot": offer.odd_lot,
        "Substantive": offer.substantive_conversion,
        "CashPerUnit": None if c.cash_total is not None else c.cash_per_unit,
        "CashTotal": c.cash_total,
        "ArrearsPerUnit": c.arrears_per_unit,
        "FractionalPolicy": c.fractional,
        "FractionalPrice": c.fractional_price,
        "ValuationDate": offer.valuation.date,
        "Price": offer.valuation.price,
        "CarryingAmount": offer.carrying_amount,
        "ParValue": offer.accounting.par_value,
        "CarryingPerUnit": offer.accounting.carrying_per_unit,
        "CarryingTotal": offer.accounting.carrying_total,
        "AccruedInterestPerUnit": offer.accounting.accrued_interest_per_unit if offer.kind == "note" else None,
        "RatioScale": RATIO_SCALE,
        "Tolerance": TOLERANCE,
        "SensitivityStep": SENSITIVITY_STEP,
        "FinalCount": offer.tally.final,
    }
    if c.formula is None:
        values["FixedRatio"] = c.ratio
    else:
        f = c.formula
        values.update(
            RatioValue=f.value, AveragingDays=f.averaging_days, LagDays=f.lag_days, RatioCap=f.cap,
            RatioFloor=f.floor, RatioPlaces=f.places, Calendar=f.calendar,
        )
    if offer.tally.holders is None:
        values.update(
            Tendered=offer.tally.tendered, GuaranteedDelivery=offer.tally.guaranteed_delivery,
            FailedDelivery=offer.tally.failed_delivery,
        )
    if offer.period is not None:
        p = offer.period
        values.update(
            PeriodStart=p.start, PeriodEnd=p.end, Settlement=p.settlement, NetIncome=p.net_income,
            PreferredDividends=p.preferred_dividends, SharesBefore=p.shares_before, TaxRate=p.tax_rate,
        )
    return values


def same_input(file_value, book_value) -> bool:
    """Whether an input reads alike in an offer file and a workbook: a number the same, or the cell holding the
    binary number nearest the file's (3.306878306878307 for 50 / 15.12 to 34 digits), or one alike to the 15
    significant digits a spreadsheet application keeps (LibreOffice saves 25.974025974025974, 1000 / 38.5, as
    25.974025974026, openpyxl as 25.97402597402597, and no one can type a 16th digit); a blank and an empty text
    alike."""
    if isinstance(file_value, (Decimal, int)) and not isinstance(file_value, bool) \
            and isinstance(book_value, (Decimal, int)) and not isinstance(book_value, bool):
        return Decimal(file_value) == Decimal(book_value) or float(file_value) == float(book_value) \
            or f"{float(file_value):.15g}" == f"{float(book_value):.15g}"
    return (file_value or None) == (book_value or None)


def holder_rows(table: HolderTable) -> ColumnRows:
    """Holder lines sorted by holder (stable), each with its row in the tally file (the header is row 1), as rows
    of the holder table's input columns (``layout.tenders.HOLDER_INPUTS``), their columns kept (``ColumnRows``)."""
    order = sorted(range(len(table)), key=table.holder_id.__getitem__)
    if not order:
        return ColumnRows(())
    pick = itemgetter(*order) if len(order) > 1 else lambda seq: (seq[order[0]],)
    # column by column, in C: a long tally costs no Python work per line
    rows = getattr(table, "_rows", None)  # each line's row in the file, where a blank row skipped makes it another
    columns = {"line": pick(rows) if rows is not None else map((2).__add__, order),
               "holder": pick(table.holder_id), "units": pick(table.units),
               "method": pick(table.method), "status": pick(table.status)}
    return ColumnRows(columns[k] for k in HOLDER_INPUTS)  # (kept column by column too, for a long table's XML)


def without_line(rows: Sequence[tuple]) -> list[tuple]:
    """Holder table rows (:func:`holder_rows`) without the tally line each came from: the lines themselves."""
    i = HOLDER_INPUTS.index("line")
    return [r[:i] + r[i + 1:] for r in rows]


#: What a worksheet holds: digits of a number kept exactly, characters in a cell, rows.
EXCEL_DIGITS, EXCEL_TEXT, EXCEL_ROWS = 15, typed.CELL_TEXT, 1_048_576


def holder_problems(table: HolderTable, name: str, first_row: int) -> list[InputError]:
    """What a workbook cannot hold faithfully in a holder table starting at *first_row*, line by line.

    Lines past the last row, control characters and over-long text in a
    holder id, units beyond Excel's 15 exact digits, and holder ids that
    differ only in letter case (Excel's ``=`` ignores case, so the
    workbook's per-holder totals would join two holders the engine keeps
    apart).  *name* is the tally as the messages name it; rows count from
    the file's header (row 1).
    """
    found, held = [], f"column {getattr(table, '_id_header', 'holder_id')}"  # (the file's header, as the reader's)
    rows = getattr(table, "_rows", None)  # each line's row in the file (a blank row skipped), as the reader saw it
    row_of = rows.__getitem__ if rows is not None else (lambda i: i + 2)
    if first_row + len(table) - 1 > EXCEL_ROWS:
        found.append(InputError(name, len(table), f"has more lines than a worksheet holds below row {first_row}"))
    ids = table.holder_id
    joined = "".join(ids)
    # (every control character: a line break in an id is stored as LF alone, a tab as Excel shows none)
    if typed.unstorable(joined, controls=True) or max(map(len, ids), default=0) > EXCEL_TEXT:
        for i, h in enumerate(ids):
            why = typed.unstorable(h, controls=True)
            if why:
                found.append(InputError(f"{name}: row {row_of(i)}, {held}", h, why))
            elif len(h) > EXCEL_TEXT:
                found.append(InputError(f"{name}: row {row_of(i)}, {held}", h[:40] + "...",
                                        typed.too_long()))
    if max(table.units, default=0) >= 10**EXCEL_DIGITS:
        for i, u in enumerate(table.units):
            if u >= 10**EXCEL_DIGITS:
                found.append(InputError(f"{name}: row {row_of(i)}, column units", u,
                                        f"has more than {EXCEL_DIGITS} digits, which Excel cannot hold exactly"))
    found += [InputError(f"{name}: row {row_of(i)}, {held}", ids[i], why)
              for i, why in case_twins(ids, row_of, joined)]  # (Excel's = ignores case)
    return found


def table_rows(offer: Offer, holidays: list[dt.date] | None = None) -> dict[str, Sequence[tuple]]:
    """Rows of each input table, by table name."""
    rows: dict[str, Sequence[tuple]] = {}
    if offer.tally.holders is not None:
        rows["tblTenders"] = holder_rows(offer.tally.holders)
    f = offer.consideration.formula
    if f is not None:
        rows["tblPrices"] = [(p.date, p.price, p.volume) for p in f.prices]
        rows["tblHolidays"] = [(d,) for d in (holidays or [])]
    rows["tblEntries"] = [()] * len(ENTRY_LINES)  # formulas only: one row per line of the entry
    if offer.exchanges:
        rows["tblExchanges"] = [(e.date, e.units, e.ratio, e.price, e.cash_per_unit) for e in offer.exchanges]
    return rows


# --- reading back ------------------------------------------------------------------


def excel_text(value: object) -> object:
    """A cell's text as it was written, whichever way the file stores it.

    Excel stores a literal ``_x0041_`` as ``_x005F_x0041_`` (ECMA-376 Part 1,
    22.9.2.19), and so do xlpy's writers.  openpyxl reads a shared string
    with that escape undone, but an inline string (what xlpy writes into a
    holder table) as stored; this undoes it there too, so every cell the
    workbook's reader takes is the text that was written.  Anything but text
    is returned as it is.
    """
    if isinstance(value, str) and "_x005F_" in value:
        return value.replace("_x005F_", "_")
    return value


class CellReader(typed.Reader):
    """Typed reads of a workbook's cells through ``get(sheet, ref)``, collecting findings.

    A :class:`xlpy.files.typed.Reader` of the :data:`~xlpy.files.typed.CELLS` scheme: each
    finding names the cell (``Inputs!C12``), the input, what was expected and
    what was found.  An input is read by its defined name, or, with *cell*
    ``(sheet, ref)``, from a table's cell under a name for its column.
    """

    def __init__(self, get: Callable[[str, str], object], lay: Layout):
        self.lay = lay
        self.get_cell = get
        self.odd_ids: list[InputError] = []  # holder ids typed into the holder table that no agent meant (typed_ids)
        super().__init__(lambda key: excel_text(get(*self._cell(key))), self._where, _CELLS, name=self._name)

    def _cell(self, key) -> tuple[str, str]:
        return key[1:] if isinstance(key, tuple) else self.lay.cell(key)

    def _where(self, key) -> str:
        sheet, ref = self._cell(key)
        return f"{sheet}!{ref}"

    @staticmethod
    def _name(key) -> str:
        return key[0] if isinstance(key, tuple) else key

    def where(self, name) -> str:
        """The cell a defined name points at, ``Inputs!C12`` (a finding's place)."""
        return self._where(name)

    def raw(self, name: str):
        return self.get(name)

    def _fail(self, where: str, value, reason: str):
        self.problems.append(InputError(where, value, reason))

    def number(self, name: str, optional: bool = False, cell: tuple[str, str] | None = None, positive: bool = False,
               nonneg: bool = False):
        """A number below the bound the offer file sets for its key (:data:`_FILE_KEYS`), when it sets one."""
        below, bound = BOUNDS.get(_FILE_KEYS.get(name, ""), (None, ""))
        number = super().number(_key(name, cell), required=not optional, positive=positive, nonneg=nonneg,
                                below=below, bound=bound)
        if _FILE_KEYS.get(name) in PRICE_KEYS and number is not None and 0 < number < MIN_PRICE:  # (as the file's)
            self.fail(_key(name, cell), self.raw(_key(name, cell)), f"must be at least {MIN_PRICE:f} (the least "
                      "price per share taken)")
            return None
        return number

    def whole(self, name: str, optional: bool = False, cell=None, positive: bool = False):
        """A count, below the offer file's limit for counts (Excel holds 15 digits exactly)."""
        return super().whole(_key(name, cell), required=not optional, positive=positive, below=MAX_COUNT)

    def text(self, name: str, optional: bool = False, cell=None) -> str:
        """Text, stripped; a whole number where text belongs (2004 typed as an Issuer or an OfferId) is its text as
        Excel shows it, ``'2004'``, read from a file (openpyxl: the int) or a live book (xlwings: the float 2004.0,
        which read as ``'2004.0'``: a refresh in Excel took another value than validate): see
        :meth:`xlpy.files.typed.Reader.text`."""
        return super().text(_key(name, cell), required=not optional)

    def date(self, name: str, optional: bool = False, cell=None):
        return super().date(_key(name, cell), required=not optional)

    def choice(self, name: str, choices: tuple[str, ...], cell=None) -> str:
        return super().choice(_key(name, cell), choices)

    def flag(self, name: str) -> bool:
        return super().flag(name)


#: The offer file's key of each number input of the workbook: its bound is the key's (the offer file and the workbook
#: are read by one reader, so a number too large reads the same in both).
_FILE_KEYS = {
    "OriginalRatio": "offer.original_ratio", "FacePerUnit": "offer.face_per_unit", "Price": "valuation.price",
    "CarryingAmount": "extinguishment.carrying_amount", "FixedRatio": "offer.consideration.ratio",
    "CashTotal": "offer.consideration.cash_total", "CashPerUnit": "offer.consideration.cash_per_unit",
    "ArrearsPerUnit": "offer.consideration.arrears_per_unit", "FractionalPrice": "offer.consideration.fractional_price",
    "RatioValue": "offer.consideration.formula.value", "RatioCap": "offer.consideration.formula.cap",
    "RatioFloor": "offer.consideration.formula.floor", "NetIncome": "period.net_income",
    "PreferredDividends": "period.preferred_dividends", "ExRatio": "exchange.ratio", "ExPrice": "exchange.price",
    "ExCash": "exchange.cash_per_unit", "ParValue": "accounting.par_value",
    "CarryingPerUnit": "accounting.carrying_per_unit", "CarryingTotal": "accounting.carrying_amount",
    "AccruedInterestPerUnit": "accounting.accrued_interest_per_unit",
}

#: The workbook's cells: strict, each reason led by the input's name; ``=TRUE()`` is TRUE.
_CELLS = dataclasses.replace(typed.CELLS, flag_formula=boolean_formula)


def _key(name: str, cell: tuple[str, str] | None):
    return (name, *cell) if cell else name


def _record(r: CellReader, name: str, factory, *args, since: int = 0, **kwargs):
    """A record built from cells read; a record that refuses its fields is a finding at the cell of the input it
    names (:func:`_refused`), or at *name*'s cell.

    When a cell it was built from is already a finding (one of those found since the reader held *since*), that
    finding says it all.
    """
    try:
        return factory(*args, **kwargs)
    except InputError as exc:
        if len(r.problems) <= since:
            _refused(r, name, exc)
        return None


#: What a record refuses as it is built, by the engine's key: the workbook's input it is about and, for two inputs
#: of which only one may be given, the other one.
_RECORD_INPUTS: dict[str, tuple[str, str | None]] = {
    "consideration.cash_total": ("CashTotal", "CashPerUnit"),
    "accounting.carrying_amount": ("CarryingTotal", "CarryingPerUnit"),
    "consideration.fractional": ("FractionalPolicy", None),
    "offer.kind": ("Kind", None), "offer.fiscal_year_end_month": ("FiscalYearEnd", None),
    **{f"accounting.{key}": (name, None) for key, name in (
        ("par_value", "ParValue"), ("carrying_per_unit", "CarryingPerUnit"), ("carrying_total", "CarryingTotal"),
        ("accrued_interest_per_unit", "AccruedInterestPerUnit"))},
}


def _refused(r: CellReader, name: str, exc: InputError) -> None:
    """The finding for a record's refusal *exc*, worded as the reader words a bad input (``Inputs!C22: CashTotal
    ..., got 1000``) at the cell of the input the engine's key names, the other of a pair given both named
    beside it with its cell; at *name*'s cell, with the engine's key, when the key names no input of the layout."""
    own, other = _RECORD_INPUTS.get(exc.field, (None, None))
    if own not in r.lay.names:
        r._fail(r.where(name) if name in r.lay.names else name, exc.value, f"{exc.field}: {exc.reason}")
    elif other in r.lay.names:
        given = r.number(other, optional=True)  # read without a finding: a bad one would have stopped the record
        r.fail(own, exc.value, f"and {other} ({r.where(other)}, {given}) are both given: {exc.reason}")
    else:
        r.fail(own, exc.value, exc.reason)


def _table_cells(lay: Layout, name: str):
    sheet, table = lay.table(name)
    return sheet.title, table


def read_offer(get: Callable[[str, str], object], lay: Layout, *, tally: Tally | None = None,
               prices: tuple[PriceDay, ...] | None = None,
               get_rows: Callable[[str, str], list[list[object]]] | None = None,
               aside: Callable[[InputError], None] | None = None) -> Offer:
    """Build the :class:`Offer` that a workbook's inputs describe.

    Parameters
    ----------
    get : callable
        ``get(sheet, "C12") -> value`` (None for blank), from openpyxl or a live book.
    lay : Layout
    tally : Tally, optional
        Use this tally (a refresh's new one) instead of the workbook's counts or
        holder table; ``FinalCount`` is still the workbook's.
    prices : tuple of PriceDay, optional
        Use these price days instead of the workbook's price table.
    get_rows : callable, optional
        ``get_rows(sheet, "C21:F320") -> rows of values``: a long holder table
        is then read column by column when every cell is clean (cell by cell,
        each finding named, when one is not).
    aside : callable, optional
        ``aside(problem)`` takes each holder id typed into the holder table
        that no agent meant (:mod:`xlpy.workbook.typed_ids`), when no other
        input stops the reading: ``validate`` names them and still compares
        the figures.  Else each is a problem, as a bad cell is.

    Raises
    ------
    InputErrors
        Every input cell that is blank, of the wrong type or out of range.
    """
    r = CellReader(get, lay)
    kind = r.choice("Kind", KINDS)
    consideration = _read_consideration(r, prices)
    tally = _read_tally(r, tally, get_rows)
    period = _read_period(r) if lay.shape.period else None
    exchanges = _read_exchanges(r)
    offer = _record(r, "Kind", Offer,
        id=_offer_id(r), issuer=r.text("Issuer"), security=r.text("Security"), kind=kind,
        outstanding=r.whole("Outstanding", positive=True), original_ratio=r.number("OriginalRatio", positive=True),
        common_outstanding_before=r.whole("CommonBefore", positive=True), expiration=r.date("Expiration"),
        consideration=consideration, tally=tally,
        valuation=Valuation(r.date("ValuationDate"), r.number("Price", positive=True)),
        face_per_unit=r.number("FacePerUnit", optional=True, positive=True),
        max_units=r.whole("MaxUnits", optional=True, positive=True),
        odd_lot=r.whole("OddLot", optional=True, positive=True), substantive_conversion=r.flag("Substantive"),
        carrying_amount=r.number("CarryingAmount", optional=True, nonneg=True), period=period, exchanges=exchanges,
        source="workbook", short_name=r.text("ShortName", optional=True), accounting=_read_accounting(r),
        fiscal_year_end_month=_fiscal_month(r),
    )
    _check_settings(r)
    for p in r.odd_ids:
        (aside if aside is not None and not r.problems else r.problems.append)(p)
    r.check()
    return offer


def sensitivity_step(get: Callable[[str, str], object], lay: Layout) -> tuple[Decimal, list[InputError]]:
    """The Sensitivity grid's price step as the workbook holds it (Inputs, ``SensitivityStep``), the default
    where the cell is blank or unreadable; and why it is unreadable, if it is (validate reports it)."""
    r = CellReader(get, lay)
    step = r.number("SensitivityStep")
    return (step if step is not None else SENSITIVITY_STEP), r.problems


def _check_settings(r: CellReader) -> None:
    """Inputs' workbook settings, each a finding at its cell unless it is one the workbook computes right with:
    ``RatioScale`` the engine's (the formulas divide by it), ``Tolerance`` above 0 (the identities compare with
    ``<``) and below :data:`TOLERANCE_BELOW`, ``SensitivityStep`` above 0 and below 1 / :data:`STEPS_BELOW_PRICE`."""
    scale = r.number("RatioScale")
    if scale is not None and scale != RATIO_SCALE:
        r.fail("RatioScale", r.raw("RatioScale"), f"must be {RATIO_SCALE:,} (the engine counts shares in parts of "
               f"1/{RATIO_SCALE:,} share exactly, and the workbook's formulas divide by it)")
    tolerance = r.number("Tolerance")
    if tolerance is not None and not 0 < tolerance < TOLERANCE_BELOW:
        r.fail("Tolerance", r.raw("Tolerance"), f"must be > 0 and below {TOLERANCE_BELOW} (a cent: the figures tied "
               "out are stated to the cent, and a Check identity passes a difference only below the tolerance)")
    step = r.number("SensitivityStep")
    below = Decimal(1) / STEPS_BELOW_PRICE
    if step is not None and not 0 < step < below:
        n = STEPS_BELOW_PRICE
        r.fail("SensitivityStep", r.raw("SensitivityStep"), f"must be > 0 and below {below} (the Sensitivity grid's "
               f"lowest price is {n} steps below Price, Price × (1 − {n} × step), which must stay above 0)")


def _offer_id(r: CellReader) -> str:
    """``OfferId``, held to the offer file's rule for an id."""
    text = r.text("OfferId")
    if text and not OFFER_ID.match(text):
        r.fail("OfferId", text, f"{ID_RULE} (as an offer file's id)")
    return text


def _fiscal_month(r: CellReader) -> int | None:
    """``FiscalYearEnd``: a month, 1 to 12."""
    month = r.whole("FiscalYearEnd", positive=True)
    if month is not None and month > 12:
        r.fail("FiscalYearEnd", month, "must be a month, 1 to 12 (12: the calendar year)")
        return None
    return month


#: The offer file's keys the engine names in its checks between inputs, and the workbook's input for each.
_ENGINE_KEYS = {
    "offer.outstanding": "Outstanding", "offer.max_units": "MaxUnits", "offer.consideration.ratio": "FixedRatio",
    "offer.original_ratio": "OriginalRatio", "tally.tendered": "Tendered",
    "tally.guaranteed_delivery": "GuaranteedDelivery", "tally.failed_delivery": "FailedDelivery",
    "tally.final": "FinalCount", "period.start": "PeriodStart", "period.end": "PeriodEnd", "valuation.price": "Price",
    "extinguishment.carrying_amount": "CarryingAmount",
    "accounting.accrued_interest_per_unit": "AccruedInterestPerUnit",
    # (named in warnings a refresh passes on: a settlement or valuation date, a fraction's price...)
    "offer.expiration": "Expiration", "offer.face_per_unit": "FacePerUnit", "offer.odd_lot": "OddLot",
    "offer.common_outstanding_before": "CommonBefore", "valuation.date": "ValuationDate",
    "period.settlement": "Settlement", "period.shares_before": "SharesBefore", "period.net_income": "NetIncome",
    "period.tax_rate": "TaxRate", "offer.consideration.cash_per_unit": "CashPerUnit",
    "offer.consideration.cash_total": "CashTotal", "offer.consideration.arrears_per_unit": "ArrearsPerUnit",
    "offer.consideration.fractional": "FractionalPolicy", "offer.consideration.fractional_price": "FractionalPrice",
    "accounting.par_value": "ParValue", "accounting.carrying_per_unit": "CarryingPerUnit",
    "accounting.carrying_amount": "CarryingTotal", "offer.consideration.formula": "OfferRatio",  # (below R0)
    **{f"offer.consideration.formula.{key}": name for key, name in (
        ("value", "RatioValue"), ("cap", "RatioCap"), ("floor", "RatioFloor"), ("places", "RatioPlaces"),
        ("averaging_days", "AveragingDays"), ("lag_days", "LagDays"), ("calendar", "Calendar"))},
}


def engine_warnings(lay: Layout, warnings) -> list[str]:
    """The engine's *warnings* about the refreshed figures, as a refresh reports them (as ``xlpy build`` does):
    a preliminary count, a proration, a negative charge, a carrying amount taken for another count... each
    offer-file key they name as the workbook's input cell."""
    return [f"warning: {_KEY_IN_TEXT.sub(partial(_key_cell, lay), w)}" for w in warnings]


def _key_cell(lay: Layout, m: re.Match) -> str:
    """The input cell of the offer-file key *m* matched in a text (:data:`_KEY_IN_TEXT`), else the key as found."""
    return input_cell(lay, f"{m.group(1)}.{m.group(2)}" if m.group(1) else m.group()) or m.group()


#: An offer-file key as a problem's reason names it (``offer.outstanding``, ``exchange[2].ratio``, and a key of a
#: table to add: ``[extinguishment] carrying_amount``).
_KEY_IN_TEXT = re.compile(r"\b(?:offer|valuation|extinguishment|accounting|tally|period)(?:\.[a-z_]+)+|"
                          r"\bexchange\[\d+\]\.[a-z_]+|\[([a-z_]+)\] ([a-z_]+)")


def in_workbook_terms(lay: Layout, p: InputError, where: str | None = None, unnamed: str = "") -> InputError:
    """Problem *p* of a workbook's inputs, which the engine (or a workbook's bound) names by offer-file key, as the
    workbook holds them: its field as *where*, else the key's input cell, else the figure it names (the
    Sensitivity grid's) or *unnamed* and the key; and each key its reason names, as that key's input cell."""
    field = where or input_cell(lay, p.field) or (
        p.field if p.field.startswith("Sensitivity grid") else
        p.field.removeprefix("tally.file: ") if p.field.startswith("tally.file: ") else f"{unnamed}{p.field}")

    reason = _KEY_IN_TEXT.sub(partial(_key_cell, lay), p.reason)
    if isinstance(p, MoreProblems):  # (a line counting the problems past those shown stays one: no "...: and 9 more")
        return p.reworded(field, reason)
    return InputError(field, p.value, reason, show_value=p.show_value)


def input_cell(lay: Layout, field: str) -> str | None:
    """The cell a problem the engine names by offer-file key is about (``Inputs!C12 (Outstanding)``), or None.

    ``exchange[2].ratio`` is that row of the exchange table; ``exchange`` (the
    units of all exchanges) is the table's units column.

    >>> from .layout import Shape, layout
    >>> input_cell(layout(Shape()), "offer.outstanding")
    'Inputs!C12 (Outstanding)'
    """
    m = re.fullmatch(r"exchange\[(\d+)\]\.(\w+)", field)
    if m or field == "exchange":
        try:
            sheet, t = _table_cells(lay, "tblExchanges")
        except KeyError:
            return None
        column = m.group(2) if m else "units"
        if column not in {c.key for c in t.columns} or (m and not 1 <= int(m.group(1)) <= t.rows):
            return None
        letter = t.letter(column)
        ref = (f"{letter}{t.first_row + int(m.group(1)) - 1}" if m
               else f"{letter}{t.first_row}:{letter}{t.first_row + t.rows - 1}")
        return f"{sheet}!{ref} (Ex{column.capitalize()})"
    name = _ENGINE_KEYS.get(field)
    if name is None or name not in lay.names:
        return None
    sheet, ref = lay.cell(name)
    return f"{sheet}!{ref} ({name})"


def _rows(r: CellReader, table: str):
    """Each row of an input table: ``cell(column) -> (sheet, ref)`` for that row."""
    sheet, t = _table_cells(r.lay, table)
    for row in range(t.first_row, t.first_row + t.rows):
        yield lambda column, row=row: (sheet, f"{t.letter(column)}{row}")


def _read_consideration(r: CellReader, given: tuple[PriceDay, ...] | None) -> Consideration | None:
    """The ratio (fixed, or the formula and its price table unless *given*) and the rest of the consideration."""
    since = len(r.problems)
    policy = r.choice("FractionalPolicy", FRACTIONAL_POLICIES)
    formula = ratio = None
    if r.lay.shape.ratio == "formula":
        calendar = _workday_calendar(r, r.text("Calendar"))
        prices = list(given) if given is not None else _read_prices(r, calendar)
        formula = RatioFormula(
            r.number("RatioValue", positive=True), tuple(prices), calendar,
            r.whole("AveragingDays", positive=True), r.whole("LagDays"), r.number("RatioCap", optional=True, positive=True),
            r.number("RatioFloor", optional=True, nonneg=True), _ratio_places(r),
            source="Prices",
        )
        for name, bound in (("RatioCap", formula.cap), ("RatioFloor", formula.floor)):  # both named at once
            why = bound_problem(bound, formula.places) if isinstance(formula.places, int) and formula.places >= 0 \
                else None
            if why:
                r.fail(name, bound, why)
    else:
        ratio = r.number("FixedRatio", positive=True)
    cash_total = r.number("CashTotal", optional=True, nonneg=True)
    return _record(r, "FixedRatio" if formula is None else "RatioValue", Consideration,
        ratio, formula, r.number("CashPerUnit", optional=True, nonneg=True) or Decimal(0), cash_total,
        r.number("ArrearsPerUnit", optional=True, nonneg=True) or Decimal(0), policy,
        r.number("FractionalPrice", optional=True, positive=True), since=since,
    )


def _ratio_places(r: CellReader) -> int | None:
    """``RatioPlaces``: at most the 15 digits Excel holds exactly, as an offer file's ``places``."""
    places = r.whole("RatioPlaces")
    if places is not None and places > EXCEL_DIGITS:
        r.fail("RatioPlaces", places, f"must be at most {EXCEL_DIGITS} (Excel holds 15 digits exactly)")
        return None
    return places


def _workday_calendar(r: CellReader, calendar: str) -> str:
    """*calendar*, or a finding at its cell when its week is not Monday to Friday (the workbook's WORKDAY counts
    that week): the price rows are then not judged by it, nor the window counted."""
    if not calendar:
        return calendar
    from ..files import calendars

    try:
        why = calendars.not_for_workday(calendar)
    except InputError:
        return calendar  # unknown, or the library cannot build it: the engine names it
    if why:
        r.fail("Calendar", calendar, why)
        return ""
    return calendar


def _read_prices(r: CellReader, calendar: str | None) -> list[PriceDay]:
    """The price table's rows; a date given twice, or on a day *calendar*'s exchange was closed, is a finding (the
    engine would average the window's trading days once each, the workbook's formula every row between its ends)."""
    prices, seen = [], {}
    for cell in _rows(r, "tblPrices"):
        d = r.date("PriceDates", cell=cell("date"))
        p = r.number("PricePrices", cell=cell("price"), positive=True)
        v = r.number("PriceVolumes", cell=cell("volume"), nonneg=True)
        where = "!".join(cell("date"))
        if d is not None and d in seen:
            r._fail(where, d, f"is given twice (also {seen[d]})")
        elif d is not None:
            seen[d] = where
        if None not in (d, p, v):
            prices.append(PriceDay(d, p, v))
    if calendar and seen:
        from ..files import calendars

        try:
            closed = calendars.closed_days(calendar, seen)
        except InputError:
            closed = {}  # an unknown calendar: the engine names it
        for d in (d for d in seen if d in closed):  # in the table's order
            r._fail(seen[d], d, f"must be a trading day of {calendar}, which was closed ({closed[d]})")
    return prices


def _read_tally(r: CellReader, given: Tally | None, get_rows=None) -> Tally:
    """The count: *given* (with the workbook's FinalCount), the holder table, or the aggregate counts."""
    if given is not None:
        return replace(given, final=r.flag("FinalCount"))
    if r.lay.shape.tally == "holders":
        since = len(r.problems)
        columns = _clean_holder_columns(r.lay, get_rows) if get_rows is not None else None
        text = columns is not None  # (read column by column: every id is a text cell, as it stands)
        raw = columns[0] if text else []
        if columns is None:  # cell by cell: each finding names its cell
            columns = [], [], [], []
            ids, units, methods, statuses = columns
            for cell in _rows(r, "tblTenders"):
                raw.append(r.raw(("TenderHolder", *cell("holder"))))  # (a date, TRUE: its text is an id)
                ids.append(r.text("TenderHolder", cell=cell("holder")))  # (30020.0, from xlwings: 30020)
                units.append(r.whole("TenderUnits", cell=cell("units")) or 0)
                methods.append(r.choice("TenderMethod", METHODS, cell=cell("method")))
                statuses.append(r.choice("TenderStatus", STATUSES, cell=cell("status")))
        sheet, t = _table_cells(r.lay, "tblTenders")
        r.odd_ids = odd_typed_ids(sheet, t.letter("holder"), t.first_row, raw, columns[0], text)
        table = _record(r, "TenderHolder", HolderTable, *map(tuple, columns), "Tenders", since=since)
        return Tally(holders=table, final=r.flag("FinalCount"))
    return Tally(r.whole("Tendered"), r.whole("GuaranteedDelivery"), r.whole("FailedDelivery"),
                 final=r.flag("FinalCount"))


def _clean_holder_columns(lay: Layout, get_rows) -> tuple[list, list, list, list] | None:
    """The holder table's ids, units, methods and statuses read column by column, or None unless every cell is
    what the cell-by-cell reading would take as it is (text without edge spaces, whole units ≥ 0, our words)."""
    sheet, t = _table_cells(lay, "tblTenders")
    keys = ("holder", "units", "method", "status")
    index = {c.key: i for i, c in enumerate(t.columns)}
    lo, hi = min(index[k] for k in keys), max(index[k] for k in keys)
    first, last = t.first_row, t.first_row + t.rows - 1
    if t.rows < 1:
        return None
    area = get_rows(sheet, f"{t.letter(t.columns[lo].key)}{first}:{t.letter(t.columns[hi].key)}{last}")
    if len(area) != t.rows:
        return None
    ids, units, methods, statuses = (list(map(itemgetter(index[k] - lo), area)) for k in keys)
    if set(map(type, ids)) == {str} and "_x005F_" in "".join(ids):
        ids = list(map(excel_text, ids))
    if (set(map(type, ids)) != {str} or not all(ids) or not all(map(str.__eq__, ids, map(str.strip, ids)))
            or typed.unstorable("".join(ids)) or max(map(len, ids)) > EXCEL_TEXT
            or set(map(type, units)) != {int} or min(units) < 0 or max(units) >= MAX_COUNT
            or not set(methods) <= set(METHODS) or not set(statuses) <= set(STATUSES)):
        return None
    return ids, units, methods, statuses


def _read_period(r: CellReader) -> Period:
    tax_rate = r.number("TaxRate", optional=True, nonneg=True)
    if tax_rate is not None and tax_rate >= 1:  # (25 for 25%: the expense would raise EPS, not lower it)
        r.fail("TaxRate", r.raw("TaxRate"), tax_rate_rule(tax_rate))
    return Period(
        r.date("PeriodStart"), r.date("PeriodEnd"), r.date("Settlement"), r.number("NetIncome"),
        r.number("PreferredDividends", optional=True, nonneg=True) or Decimal(0), r.whole("SharesBefore", positive=True),
        tax_rate or Decimal(0),
    )


def _read_exchanges(r: CellReader) -> tuple[Exchange, ...]:
    if not r.lay.shape.exchange_rows:
        return ()
    _typed_below(r, "tblExchanges")
    return tuple(
        Exchange(
            r.date("ExDate", cell=cell("date")), r.whole("ExUnits", cell=cell("units"), positive=True),
            r.number("ExRatio", cell=cell("ratio"), positive=True), r.number("ExPrice", cell=cell("price"), positive=True),
            r.number("ExCash", optional=True, cell=cell("cash"), nonneg=True) or Decimal(0),
        )
        for cell in _rows(r, "tblExchanges")
    )


#: Of each input table: what a row of it is, and what to do with one typed just below it instead.
_BELOW = {
    "tblExchanges": ("the table of later exchanges", "an exchange", "add it to the offer file's [[exchange]] and "
                     "rebuild (xlpy build), or clear the row"),
    "tblTenders": ("the holder table", "a holder line", "clear the row, adding the line to the tally file first "
                   "if it is one, then refresh (a Refresh button, or xlpy refresh); a note of your own goes beside "
                   "the table or a row further down"),
    "tblPrices": ("the price table", "a price day", "clear the row, adding the day to the price file first if it "
                  "is one, then refresh (a Refresh button, or xlpy refresh); a note of your own goes beside the "
                  "table or a row further down"),
}


def typed_below_reason(name: str, sheet: str, ref: str) -> str:
    """What is wrong with a value in the row just under input table *name* (at *sheet*!*ref*)."""
    what, one, fix = _BELOW[name]
    return f"is just below {what} ({sheet}!{ref}), where {one} counts nowhere: {fix}"


def typed_line(table, row) -> tuple[int, object] | None:
    """(column index, value) of the first value typed in *row*, the row just under input table *table* (its
    values across the table's columns), that would be a line of it: in a column the table takes input in, not a
    formula (a total, a note's formula), not blank; a date typed in a cell (read back as midnight) as a date."""
    for j, (column, v) in enumerate(zip(table.columns, row)):
        if column.formula is not None or v is None or isinstance(v, str) and (not v.strip() or v.startswith("=")):
            continue
        if isinstance(v, dt.datetime) and v == dt.datetime.combine(v.date(), dt.time()):
            v = v.date()
        return j, v
    return None


def _typed_below(r: CellReader, name: str) -> None:
    """A value in the row just under the table of later exchanges is a finding: Excel grows the table over a row
    typed there, but the names and the formulas reading it stay where they were, and LibreOffice does not grow it
    at all, so it would count nowhere (the holder and price tables: :func:`typed_line`, where the table's range
    as the file holds it is known)."""
    sheet, t = _table_cells(r.lay, name)
    hit = typed_line(t, [r.get_cell(sheet, f"{t.letter(c.key)}{t.last_row + 1}") for c in t.columns])
    if hit is not None:
        j, v = hit
        r._fail(f"{sheet}!{t.letter(t.columns[j].key)}{t.last_row + 1}", v, typed_below_reason(name, sheet, t.ref))


def _read_accounting(r: CellReader) -> Accounting:
    since = len(r.problems)
    return _record(r, "CarryingTotal", Accounting, r.number("ParValue", optional=True, nonneg=True),
                   r.number("CarryingPerUnit", optional=True, nonneg=True),
                   r.number("CarryingTotal", optional=True, nonneg=True),
                   r.number("AccruedInterestPerUnit", optional=True, nonneg=True) or Decimal(0),
                   since=since) or Accounting()
