"""The standard workbook's data, both ways: offer → cell values, and cell values → offer.

The builder writes :func:`input_values` and :func:`table_rows` into the cells
the layout names; the validator and the refresh read them back with
:func:`read_offer`, so the engine can be run on the workbook's *own* inputs.
Reading is strict: a number cell holding text is a finding, never coerced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from .engine.errors import InputError, InputErrors
from .engine.model import (
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
from .engine.numbers import is_whole, to_decimal
from .formula_text import boolean_formula
from .layout import ENTRY_LINES, Layout, Shape

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
]

RATIO_SCALE = 1_000_000
TOLERANCE = Decimal("0.005")
SENSITIVITY_STEP = Decimal("0.1")


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


def holder_rows(table: HolderTable) -> list[tuple]:
    """Holder lines sorted by holder (stable), each with its source line number."""
    order = sorted(range(len(table)), key=table.holder_id.__getitem__)
    return [
        (i + 2, table.holder_id[i], table.units[i], table.method[i], table.status[i]) for i in order
    ]


def table_rows(offer: Offer, holidays: list[dt.date] | None = None) -> dict[str, list[tuple]]:
    """Rows of each input table, by table name."""
    rows: dict[str, list[tuple]] = {}
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


class CellReader:
    """Typed reads of a workbook's cells through ``get(sheet, ref)``, collecting findings.

    Each finding names the cell (``Inputs!C11``), what was expected and what was found.
    """

    def __init__(self, get: Callable[[str, str], object], lay: Layout):
        self.get = get
        self.lay = lay
        self.problems: list[InputError] = []

    def where(self, name: str) -> str:
        sheet, ref = self.lay.cell(name)
        return f"{sheet}!{ref}"

    def raw(self, name: str):
        sheet, ref = self.lay.cell(name)
        return self.get(sheet, ref)

    def _fail(self, where: str, value, reason: str):
        self.problems.append(InputError(where, value, reason))

    def number(self, name: str, optional: bool = False, cell: tuple[str, str] | None = None):
        where = f"{cell[0]}!{cell[1]}" if cell else self.where(name)
        v = self.get(*cell) if cell else self.raw(name)
        if v is None or v == "":
            if not optional:
                self._fail(where, v, f"{name} must be a number")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
            self._fail(where, v, f"{name} must be a number, not text")
            return None
        try:
            return to_decimal(v, where)
        except InputError as exc:
            self.problems.append(exc)
            return None

    def whole(self, name: str, optional: bool = False, cell=None):
        d = self.number(name, optional, cell)
        if d is None:
            return None
        if not is_whole(d) or d < 0:
            self._fail(f"{cell[0]}!{cell[1]}" if cell else self.where(name), d, f"{name} must be a whole number >= 0")
            return None
        return int(d)

    def text(self, name: str, optional: bool = False, cell=None) -> str:
        v = self.get(*cell) if cell else self.raw(name)
        if v is None or v == "":
            if not optional:
                self._fail(f"{cell[0]}!{cell[1]}" if cell else self.where(name), v, f"{name} must not be blank")
            return ""
        return str(v).strip()

    def flag(self, name: str) -> bool:
        v = self.raw(name)
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().upper() in ("TRUE", "FALSE"):
            return v.strip().upper() == "TRUE"
        as_formula = boolean_formula(v)  # =TRUE() as LibreOffice saves the constant
        if as_formula is not None:
            return as_formula
        self._fail(self.where(name), v, f"{name} must be TRUE or FALSE")
        return False

    def date(self, name: str, optional: bool = False, cell=None):
        v = self.get(*cell) if cell else self.raw(name)
        where = f"{cell[0]}!{cell[1]}" if cell else self.where(name)
        if v is None or v == "":
            if not optional:
                self._fail(where, v, f"{name} must be a date")
            return None
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        self._fail(where, v, f"{name} must be a date")
        return None


def _record(r: CellReader, name: str, factory, *args, **kwargs):
    """A record built from cells read; a record that refuses its fields is a finding at *name*'s cell.

    When a cell it was built from is already a finding, that finding says it all.
    """
    try:
        return factory(*args, **kwargs)
    except InputError as exc:
        if not r.problems:
            r._fail(r.where(name) if name in r.lay.names else name, exc.value, f"{exc.field}: {exc.reason}")
        return None


def _table_cells(lay: Layout, name: str):
    sheet, table = lay.table(name)
    return sheet.title, table


def read_offer(get: Callable[[str, str], object], lay: Layout, *, tally: Tally | None = None,
               prices: tuple[PriceDay, ...] | None = None) -> Offer:
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

    Raises
    ------
    InputErrors
        Every input cell that is blank, of the wrong type or out of range.
    """
    r = CellReader(get, lay)
    shape = lay.shape
    kind = r.text("Kind")
    if kind and kind not in ("preferred", "note"):
        r._fail(r.where("Kind"), kind, "Kind must be preferred or note")
    policy = r.text("FractionalPolicy")
    if policy and policy not in ("cash", "down", "nearest"):
        r._fail(r.where("FractionalPolicy"), policy, "FractionalPolicy must be cash, down or nearest")
    formula = None
    ratio = None
    if shape.ratio == "formula":
        sheet, t = _table_cells(lay, "tblPrices")
        given, prices = prices, []
        for row in range(t.first_row, t.first_row + t.rows) if given is None else ():
            d = r.date("PriceDates", cell=(sheet, f"{t.letter('date')}{row}"))
            p = r.number("PricePrices", cell=(sheet, f"{t.letter('price')}{row}"))
            v = r.number("PriceVolumes", cell=(sheet, f"{t.letter('volume')}{row}"))
            if None not in (d, p, v):
                prices.append(PriceDay(d, p, v))
        if given is not None:
            prices = list(given)
        formula = RatioFormula(
            r.number("RatioValue"), tuple(prices), r.text("Calendar"), r.whole("AveragingDays"), r.whole("LagDays"),
            r.number("RatioCap", optional=True), r.number("RatioFloor", optional=True), r.whole("RatioPlaces"),
            source="Prices",
        )
    else:
        ratio = r.number("FixedRatio")
    cash_total = r.number("CashTotal", optional=True)
    consideration = _record(r, "FixedRatio" if shape.ratio == "fixed" else "RatioValue", Consideration,
        ratio, formula, r.number("CashPerUnit", optional=True) or Decimal(0), cash_total,
        r.number("ArrearsPerUnit", optional=True) or Decimal(0), policy, r.number("FractionalPrice", optional=True),
    )
    if tally is not None:
        tally = replace(tally, final=r.flag("FinalCount"))
    elif shape.tally == "holders":
        sheet, t = _table_cells(lay, "tblTenders")
        ids, units, methods, statuses = [], [], [], []
        for row in range(t.first_row, t.first_row + t.rows):
            ids.append(r.text("TenderHolder", cell=(sheet, f"{t.letter('holder')}{row}")))
            units.append(r.whole("TenderUnits", cell=(sheet, f"{t.letter('units')}{row}")) or 0)
            m = r.text("TenderMethod", cell=(sheet, f"{t.letter('method')}{row}"))
            s = r.text("TenderStatus", cell=(sheet, f"{t.letter('status')}{row}"))
            if m not in ("book-entry", "certificate", "guaranteed"):
                r._fail(f"{sheet}!{t.letter('method')}{row}", m, "method must be book-entry, certificate or guaranteed")
            if s not in ("tendered", "withdrawn", "failed"):
                r._fail(f"{sheet}!{t.letter('status')}{row}", s, "status must be tendered, withdrawn or failed")
            methods.append(m)
            statuses.append(s)
        table = _record(r, "TenderHolder", HolderTable, tuple(ids), tuple(units), tuple(methods), tuple(statuses),
                        "Tenders")
        tally = Tally(holders=table, final=r.flag("FinalCount"))
    else:
        tally = Tally(r.whole("Tendered"), r.whole("GuaranteedDelivery"), r.whole("FailedDelivery"),
                      final=r.flag("FinalCount"))
    period = None
    if shape.period:
        period = Period(
            r.date("PeriodStart"), r.date("PeriodEnd"), r.date("Settlement"), r.number("NetIncome"),
            r.number("PreferredDividends", optional=True) or Decimal(0), r.whole("SharesBefore"),
            r.number("TaxRate", optional=True) or Decimal(0),
        )
    exchanges = []
    if shape.exchange_rows:
        sheet, t = _table_cells(lay, "tblExchanges")
        for row in range(t.first_row, t.first_row + t.rows):
            cell = lambda k: (sheet, f"{t.letter(k)}{row}")  # noqa: E731
            exchanges.append(Exchange(
                r.date("ExDate", cell=cell("date")), r.whole("ExUnits", cell=cell("units")),
                r.number("ExRatio", cell=cell("ratio")), r.number("ExPrice", cell=cell("price")),
                r.number("ExCash", optional=True, cell=cell("cash")) or Decimal(0),
            ))
    offer = _record(r, "Kind", Offer,
        id=r.text("OfferId"), issuer=r.text("Issuer"), security=r.text("Security"), kind=kind,
        outstanding=r.whole("Outstanding"), original_ratio=r.number("OriginalRatio"),
        common_outstanding_before=r.whole("CommonBefore"), expiration=r.date("Expiration"),
        consideration=consideration, tally=tally,
        valuation=Valuation(r.date("ValuationDate"), r.number("Price")),
        face_per_unit=r.number("FacePerUnit", optional=True), max_units=r.whole("MaxUnits", optional=True),
        odd_lot=r.whole("OddLot", optional=True), substantive_conversion=r.flag("Substantive"),
        carrying_amount=r.number("CarryingAmount", optional=True), period=period, exchanges=tuple(exchanges),
        source="workbook", short_name=r.text("ShortName", optional=True),
        accounting=_record(r, "CarryingTotal", Accounting, r.number("ParValue", optional=True),
                           r.number("CarryingPerUnit", optional=True), r.number("CarryingTotal", optional=True),
                           r.number("AccruedInterestPerUnit", optional=True) or Decimal(0)) or Accounting(),
    )
    if r.problems:
        raise InputErrors(r.problems)
    return offer
