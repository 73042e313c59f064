"""Inputs: the offer's terms, consideration, ratio formula, valuation, journal-entry inputs and settings."""

from __future__ import annotations

from ...engine.model import FRACTIONAL_POLICIES, KINDS
from .model import LABEL_COL, Block, Column, Item, Shape, Sheet, Table, place


def _terms(shape: Shape) -> list[Block]:
    """The offer's terms and its consideration."""
    formula = shape.ratio == "formula"
    offer_items = [
        Item("OfferId", "Offer id", fmt="text"),
        Item("Issuer", "Issuer", fmt="text"),
        Item("ShortName", "Short name (release)", fmt="text", optional=True),
        Item("FiscalYearEnd", "Fiscal year ends in month (release)", fmt="count", positive=True, most=12,
             note="1-12: the release names the fiscal quarter of the measurement date; 12: the calendar year"),
        Item("Security", "Security", fmt="text"),
        Item("Kind", "Kind", fmt="text", choices=KINDS,
             note="preferred: deemed dividend; note: inducement expense"),
        Item("FacePerUnit", "Face per unit", fmt="amount", optional=True, positive=True),
        Item("Outstanding", "Units outstanding before the offer", fmt="count", key="units_outstanding", positive=True),
        Item("OriginalRatio", "Original ratio (R0)", fmt="ratio", key="original_ratio", positive=True,
             note="common shares per unit under the original terms"),
        Item("CommonBefore", "Common outstanding before", fmt="count", key="common_outstanding_before",
             positive=True),
        Item("Expiration", "Expiration", fmt="date"),
        Item("MaxUnits", "Maximum units (capped offer)", fmt="count", optional=True, positive=True,
             note="blank: any and all"),
        Item("OddLot", "Odd lot: fewer units than", fmt="count", optional=True, positive=True),
        Item("Substantive", "Conversion feature substantive", fmt="bool", choices=("TRUE", "FALSE")),
    ]
    consideration_items = [
        *([] if formula else [Item("FixedRatio", "Offer ratio (R1)", fmt="ratio", positive=True,
                                   note="common shares per unit offered")]),
        Item("CashPerUnit", "Cash per unit", fmt="amount", optional=True),
        Item("CashTotal", "Cash in total (instead of per unit)", fmt="amount", optional=True),
        Item("ArrearsPerUnit", "Arrears / accrued interest per unit", fmt="amount", optional=True,
             note="paid in the offer, which converting on the original terms forfeits"),
        Item("FractionalPolicy", "Fractional shares", fmt="text", choices=FRACTIONAL_POLICIES,
             note="cash: floor + cash in lieu; down: floor; nearest: half away from zero"),
        Item("FractionalPrice", "Price for cash in lieu", fmt="unit_price", optional=True, positive=True,
             note="blank: the average price (formula) or the valuation price"),
    ]
    return [Block("Offer", tuple(offer_items)), Block("Consideration", tuple(consideration_items))]


def _blocks(shape: Shape) -> list[Block]:
    """Every block of Inputs, top to bottom: terms, ratio formula, valuation, journal entry, period, settings."""
    input_blocks = _terms(shape)
    if shape.ratio == "formula":
        input_blocks.append(Block("Ratio formula", (
            Item("RatioValue", "Value of common stock per unit", fmt="amount", positive=True),
            Item("AveragingDays", "Averaging days (trading days)", fmt="count", positive=True),
            Item("LagDays", "Window ends trading days before expiration", fmt="count"),
            Item("RatioCap", "Cap", fmt="ratio", optional=True, positive=True),
            Item("RatioFloor", "Floor", fmt="ratio", optional=True),
            Item("RatioPlaces", "Decimals of the ratio", fmt="count"),
            Item("Calendar", "Exchange calendar", fmt="text", note="trading days; holidays listed on Prices"),
        )))
    input_blocks.append(Block("Valuation", (
        Item("ValuationDate", "Measurement date", fmt="date"),
        Item("Price", "Fair value of one common share (P)", fmt="unit_price", key="valuation_price", positive=True),
    )))
    input_blocks.append(Block("Extinguishment", (
        Item("CarryingAmount", "Carrying amount of units accepted", fmt="amount", optional=True,
             note="used only when the induced-conversion test fails"),
    )))
    input_blocks.append(Block("Journal entry", (
        Item("ParValue", "Common stock par value per share", fmt="unit_price", optional=True),
        Item("CarryingPerUnit", "Carrying amount per unit exchanged", fmt="amount", optional=True,
             note="preferred: carrying amount in equity; notes: principal less unamortised discount and costs"),
        Item("CarryingTotal", "Carrying amount of units accepted, in total", fmt="amount", optional=True,
             note="instead of per unit"),
        Item("AccruedInterestPerUnit", "Accrued interest payable per unit (notes)", fmt="amount", optional=True,
             note="the interest payable on the books that goes with each note"),
    )))
    if shape.period:
        input_blocks.append(Block("Reporting period (EPS)", (
            Item("PeriodStart", "Period start", fmt="date"),
            Item("PeriodEnd", "Period end", fmt="date"),
            Item("Settlement", "Settlement (shares issued)", fmt="date"),
            Item("NetIncome", "Net income", fmt="amount", signed=True,
                 note="before this offer's charge or expense (Results takes it off)"),
            Item("PreferredDividends", "Preferred dividends", fmt="amount", optional=True),
            Item("SharesBefore", "Common outstanding through the period", fmt="count", positive=True),
            Item("TaxRate", "Tax rate on the inducement expense (notes)", fmt="rate", optional=True),
        )))
    input_blocks.append(Block("Workbook settings", (
        Item("RatioScale", "Ratio precision (parts per share)", fmt="count",
             note="shares per holder are computed in whole parts of 1/N share, exactly"),
        Item("Tolerance", "Tie-out tolerance", fmt="ratio",
             note="largest difference a tie-out accepts, in the figure's own unit (dollars, shares)"),
        Item("SensitivityStep", "Sensitivity price step", fmt="pct"),
    )))
    return input_blocks


def sheet(shape: Shape) -> Sheet:
    """The Inputs sheet for an offer of this *shape* (later exchanges in a table below the blocks)."""
    blocks, next_row = place(_blocks(shape))
    tables = []
    if shape.exchange_rows > 0:
        tables.append(Table("tblExchanges", (
            Column("date", "Date", "ExDate", fmt="date", width=12, check=True),
            Column("units", "Units", "ExUnits", fmt="count", check=True, positive=True),
            Column("ratio", "Ratio", "ExRatio", fmt="ratio", check=True, positive=True),
            Column("price", "Price", "ExPrice", fmt="unit_price", check=True, positive=True),
            Column("cash", "Cash per unit", "ExCash", fmt="amount", check=True),
        ), shape.exchange_rows, next_row + 1, first_col=LABEL_COL, title="Later exchanges"))
    return Sheet("Inputs", "Inputs", blocks, tuple(tables), widths={"B": 44, "C": 22, "D": 60})
