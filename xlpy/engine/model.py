"""The domain records: one exchange offer, as the offer file describes it.

Every record is frozen.  Quantities are :class:`~decimal.Decimal`; counts of
units and shares are ``int``.  The loader (:mod:`xlpy.files.offerfile`) builds these
from a TOML file and checks every field; the engine trusts their types but
still checks the relations between fields (:func:`xlpy.engine.compute.check_offer`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import InputError

__all__ = [
    "KINDS",
    "FRACTIONAL_POLICIES",
    "METHODS",
    "STATUSES",
    "PriceDay",
    "RatioFormula",
    "Consideration",
    "HolderTable",
    "Tally",
    "Valuation",
    "Period",
    "Exchange",
    "Accounting",
    "Offer",
]

KINDS = ("preferred", "note")
FRACTIONAL_POLICIES = ("cash", "down", "nearest")
METHODS = ("book-entry", "certificate", "guaranteed")
STATUSES = ("tendered", "withdrawn", "failed")


@dataclass(frozen=True, slots=True)
class PriceDay:
    """One trading day of the common stock.

    Attributes:
        date: the trading day.
        price: the day's price (volume-weighted average or close, as the offer says).
        volume: shares traded that day; the weight of the day in the average.
    """

    date: dt.date
    price: Decimal
    volume: Decimal


@dataclass(frozen=True)
class RatioFormula:
    """An offer ratio set by formula: value of common stock per unit ÷ average price.

    Attributes:
        value: value of common stock offered per unit (Hecla: 66.00).
        prices: the price history, one :class:`PriceDay` per trading day.
        calendar: exchange calendar code for trading days (``XNYS``).
        averaging_days: trading days in the averaging window.
        lag_days: the window ends this many trading days before expiration.
        cap: highest ratio, or None.
        floor: lowest ratio, or None.
        places: decimals the ratio is rounded to, half away from zero.
        source: where the prices came from (a file name), for the record.
    """

    value: Decimal
    prices: tuple[PriceDay, ...]
    calendar: str = "XNYS"
    averaging_days: int = 5
    lag_days: int = 2
    cap: Decimal | None = None
    floor: Decimal | None = None
    places: int = 2
    source: str = ""


@dataclass(frozen=True)
class Consideration:
    """What a holder receives for each unit.

    Attributes:
        ratio: common shares per unit offered (R1), or None when ``formula`` sets it.
        formula: the ratio formula, or None for a fixed ratio.
        cash_per_unit: cash sweetener per unit (C).
        cash_total: cash sweetener in total, instead of per unit (None when not given).
        arrears_per_unit: dividends in arrears or accrued interest paid per unit (A).
        fractional: ``cash`` (floor, cash in lieu), ``down`` (floor, no cash) or
            ``nearest`` (half away from zero).
        fractional_price: price for cash in lieu, or None for the default (the
            formula's average price, else the valuation price).
    """

    ratio: Decimal | None = None
    formula: RatioFormula | None = None
    cash_per_unit: Decimal = Decimal(0)
    cash_total: Decimal | None = None
    arrears_per_unit: Decimal = Decimal(0)
    fractional: str = "cash"
    fractional_price: Decimal | None = None

    def __post_init__(self):
        if (self.ratio is None) == (self.formula is None):
            raise InputError("consideration.ratio", self.ratio, "give a ratio or a ratio formula: exactly one")
        if self.fractional not in FRACTIONAL_POLICIES:
            raise InputError("consideration.fractional", self.fractional,
                             "must be one of " + ", ".join(FRACTIONAL_POLICIES))
        if self.cash_total is not None and self.cash_per_unit:
            raise InputError("consideration.cash_total", self.cash_total,
                             "give cash per unit or in total, not both")


@dataclass(frozen=True)
class HolderTable:
    """The exchange agent's holder-level tally, held by column.

    Columns keep a million lines cheap: four tuples instead of a million records.

    Attributes:
        holder_id: the holder or account of each line.
        units: units on each line (whole, not negative).
        method: ``book-entry``, ``certificate`` or ``guaranteed`` (notice of
            guaranteed delivery).
        status: ``tendered``, ``withdrawn`` or ``failed`` (a guaranteed delivery
            not made within the window).
        source: where the lines came from (a file name), for the record.
        units_header: the units column's header as the file wrote it ('' when not read from a file): a notes
            tally's ``Amount`` or ``Principal`` is principal, not notes.
    """

    holder_id: tuple[str, ...]
    units: tuple[int, ...]
    method: tuple[str, ...]
    status: tuple[str, ...]
    source: str = ""
    units_header: str = field(default="", compare=False)

    def __post_init__(self):
        lengths = {len(self.holder_id), len(self.units), len(self.method), len(self.status)}
        if len(lengths) != 1:
            columns = (self.holder_id, self.units, self.method, self.status)
            raise InputError("holders", "/".join(f"{len(c):,}" for c in columns) + " lines",
                             "every column must have the same number of lines")
        for name, allowed in (("method", METHODS), ("status", STATUSES)):
            unknown = set(getattr(self, name)) - set(allowed)
            if unknown:
                raise InputError(f"holders.{name}", sorted(unknown)[0], "must be one of " + ", ".join(allowed))

    def __len__(self) -> int:
        return len(self.units)


@dataclass(frozen=True)
class Tally:
    """The count: aggregate figures, or a holder table from which they follow.

    Attributes:
        tendered: units tendered and not withdrawn, including guaranteed deliveries.
        guaranteed_delivery: of which tendered by notice of guaranteed delivery.
        failed_delivery: guaranteed deliveries not made in the window.
        holders: the holder-level tally, or None for aggregate counts.
        final: True when the count is final (no guaranteed delivery still open).
        source: the agent's count file the aggregate counts were read from (its name), or "".
        absent: the counts that file has no column for (``guaranteed_delivery``, ``failed_delivery``), each
            taken as 0: what the warnings say.
    """

    tendered: int = 0
    guaranteed_delivery: int = 0
    failed_delivery: int = 0
    holders: HolderTable | None = None
    final: bool = False
    source: str = ""
    absent: tuple[str, ...] = ()

    def __post_init__(self):
        if self.holders is not None and (self.tendered or self.guaranteed_delivery or self.failed_delivery):
            raise InputError("tally.tendered", self.tendered,
                             "give aggregate counts or a holder table, not both")


@dataclass(frozen=True)
class Valuation:
    """Fair value of one common share at the measurement date.

    Attributes:
        date: the measurement date (US GAAP: the date holders accept).
        price: fair value of one common share (P).
    """

    date: dt.date
    price: Decimal


@dataclass(frozen=True)
class Period:
    """The reporting period, for earnings per share.

    Attributes:
        start: first day of the period.
        end: last day of the period.
        settlement: day the offer's common shares are issued.
        net_income: net income for the period, before any inducement expense.
        preferred_dividends: preferred dividends declared for the period.
        shares_before: common outstanding through the period before settlement.
        tax_rate: notes only, tax effect of the inducement expense (0 when not deductible).
    """

    start: dt.date
    end: dt.date
    settlement: dt.date
    net_income: Decimal
    preferred_dividends: Decimal = Decimal(0)
    shares_before: int = 0
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class Exchange:
    """A later exchange of the same security in the period, at its own terms.

    Attributes:
        date: date of the exchange (its measurement and settlement date).
        units: units exchanged.
        ratio: common shares per unit.
        price: fair value of one common share on that date.
        cash_per_unit: cash per unit paid in the exchange.
    """

    date: dt.date
    units: int
    ratio: Decimal
    price: Decimal
    cash_per_unit: Decimal = Decimal(0)


@dataclass(frozen=True)
class Accounting:
    """What the journal entry needs beyond the charge.

    Attributes:
        par_value: par (or stated) value of one common share; None when not given.
        carrying_per_unit: carrying amount of one unit exchanged (preferred: its
            carrying amount in equity; notes: principal less unamortised discount
            and issue costs); None when given in total or not at all.
        carrying_total: the carrying amount of all units accepted, instead of per unit.
        accrued_interest_per_unit: notes only: accrued interest holders give up
            (derecognised with the notes), per unit.
    """

    par_value: Decimal | None = None
    carrying_per_unit: Decimal | None = None
    carrying_total: Decimal | None = None
    accrued_interest_per_unit: Decimal = Decimal(0)

    def __post_init__(self):
        if self.carrying_per_unit is not None and self.carrying_total is not None:
            raise InputError("accounting.carrying_amount", self.carrying_total,
                             "give the carrying amount per unit or in total, not both")
        for name in ("par_value", "carrying_per_unit", "carrying_total", "accrued_interest_per_unit"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InputError(f"accounting.{name}", value, "must not be negative")


@dataclass(frozen=True)
class Offer:
    """One exchange offer for a convertible security.

    Attributes:
        id: short identifier, ``[a-z0-9-]+``.
        issuer: the company.
        security: the security sought.
        kind: ``preferred`` (charge is a deemed dividend) or ``note``
            (charge is an inducement expense).
        outstanding: units outstanding before the offer.
        original_ratio: common shares per unit under the original terms (R0).
        common_outstanding_before: common shares outstanding before the offer.
        expiration: the day the offer expired.
        consideration: what holders receive.
        tally: the count.
        valuation: fair value of the common stock for the charge.
        face_per_unit: principal or liquidation preference per unit, or None.
        original_conversion_price: when R0 was given as face ÷ this price.
        max_units: the cap of a capped offer, or None for any and all.
        odd_lot: holders tendering fewer units than this are accepted in full first.
        substantive_conversion: False when the conversion feature is not
            substantive (ASU 2024-04): then the induced-conversion test fails.
        carrying_amount: carrying amount of the units accepted, for the
            extinguishment or redemption measure; None when not given.
        period: the reporting period for EPS, or None.
        exchanges: later exchanges of the same security in the period.
        source: where the offer came from (a file name), for the record.
        short_name: how the release names the issuer ("Hecla"); the issuer when empty.
        accounting: par value and carrying amount, for the journal entry.
        fiscal_year_end_month: the month the issuer's fiscal year ends in (12:
            the calendar year); the release names the fiscal quarter of the
            measurement date.
    """

    id: str
    issuer: str
    security: str
    kind: str
    outstanding: int
    original_ratio: Decimal
    common_outstanding_before: int
    expiration: dt.date
    consideration: Consideration
    tally: Tally
    valuation: Valuation
    face_per_unit: Decimal | None = None
    original_conversion_price: Decimal | None = None
    max_units: int | None = None
    odd_lot: int | None = None
    substantive_conversion: bool = True
    carrying_amount: Decimal | None = None
    period: Period | None = None
    exchanges: tuple[Exchange, ...] = field(default_factory=tuple)
    source: str = ""
    short_name: str = ""
    accounting: Accounting = field(default_factory=Accounting)
    fiscal_year_end_month: int = 12

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InputError("offer.kind", self.kind, "must be one of " + ", ".join(KINDS))
        month = self.fiscal_year_end_month
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise InputError("offer.fiscal_year_end_month", month, "must be a month, 1 to 12 (12: the calendar year)")
