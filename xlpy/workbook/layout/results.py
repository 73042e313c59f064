"""Results: every figure of the offer in native formulas over names."""

from __future__ import annotations

from .entries import CHARGE_ACCOUNT
from .model import Block, Column, Item, Shape, Sheet, Table, place


#: The accrued interest payable on the notes accepted, given up by the holders or settled by the exchange where the
#: offer pays it (blank on Inputs for none, and for preferred stock): when the induced-conversion test fails it is
#: extinguished with the notes, so the measure takes it with their carrying amount (ASC 470-50-40-2).  Workbooks built before 2026-12-03 lack it (:mod:`.earlier`).
INTEREST_GIVEN_UP = 'IF(Kind="note",N(AccruedInterestPerUnit)*UnitsAccepted,0)'

#: The extinguishment or redemption measure: fair value of the consideration less what is extinguished.
EXTINGUISHMENT = "FairValueOffer-CarryingAmount-" + INTEREST_GIVEN_UP


def later(shape: Shape) -> tuple[str, str, str]:
    """What later exchanges in the period add to the units exchanged, the common issued and the charge (blank
    without any); the units they exchange are subtracted from those remaining, not added."""
    if shape.exchange_rows > 0:
        return "+SUM(ExUnits)", "+SUM(ExCommon)", "+SUM(ExCharge)"
    return "", "", ""


def _terms(shape: Shape) -> dict[str, str]:
    """The formulas that differ by shape: the ratio (fixed or by formula) and acceptance (counts or holders)."""
    if shape.ratio == "formula":
        ratio_formula = (
            # RatioQuotient (Prices) is value / average price to 10 decimals: a binary division lands just below an
            # exact half (66/17.6 = 3.7499999999999996) that the engine's exact 3.75 rounds away from zero.
            '=ROUND(IF(RatioCap="",IF(RatioFloor="",RatioQuotient,MAX(RatioFloor,RatioQuotient)),'
            'MIN(RatioCap,IF(RatioFloor="",RatioQuotient,MAX(RatioFloor,RatioQuotient)))),RatioPlaces)'
        )
        fractional_default = "AveragePrice"
    else:
        ratio_formula = "=FixedRatio"
        fractional_default = "Price"
    if shape.tally == "holders":
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
    return {"ratio": ratio_formula, "fractional_default": fractional_default, "issued": issued, "fraction": fraction,
            "accepted": accepted, "factor": factor}


def _blocks(shape: Shape) -> list[Block]:
    """Ratio, acceptance, delivery, charge and what remains outstanding."""
    terms = _terms(shape)
    ratio_formula, fractional_default = terms["ratio"], terms["fractional_default"]
    issued, fraction, accepted, factor = terms["issued"], terms["fraction"], terms["accepted"], terms["factor"]
    later_units, later_common, later_charge = later(shape)
    return [
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
            Item("FractionalShares", "Fractional shares", fraction, "count4", key="fractional_shares"),
            Item("FractionalPriceUsed", "Price for cash in lieu",
                 f'=IF(FractionalPrice="",{fractional_default},FractionalPrice)', "price", key="fractional_price"),
            Item("FractionalCash", "Cash in lieu of fractions",
                 '=IF(FractionalPolicy="cash",FractionalShares*FractionalPriceUsed,0)', "money",
                 key="fractional_cash"),
        )),
        Block("Charge", (
            Item("IncrementalShares", "Incremental shares", "=UnitsAccepted*(OfferRatio-OriginalRatio)", "count4",
                 key="incremental_shares"),
            Item("Sweetener", "Cash consideration",
                 '=IF(CashTotal="",CashPerUnit*UnitsAccepted,IF(UnitsAccepted=0,0,CashTotal))', "money",
                 key="cash_sweetener"),
            Item("SweetenerPerUnit", "Cash consideration per unit",
                 '=IF(CashTotal="",CashPerUnit,IF(UnitsAccepted=0,0,CashTotal/UnitsAccepted))', "money"),
            Item("ArrearsPaid", "Arrears / accrued interest paid", "=ArrearsPerUnit*UnitsAccepted", "money",
                 key="arrears_paid"),
            Item("CashPaid", "Cash paid", "=Sweetener+ArrearsPaid+FractionalCash", "money", key="cash_paid"),
            Item("FairValueOffer", "Fair value of the consideration",
                 "=CommonIssued*Price+FractionalCash+Sweetener+ArrearsPaid", "money", key="fair_value_offer"),
            Item("FairValueOriginal", "Fair value under the original terms", "=UnitsAccepted*OriginalRatio*Price",
                 "money", key="fair_value_original"),
            Item("InducedTest", "Induced-conversion test passes",
                 "=AND(OfferRatio>=OriginalRatio,Substantive,FairValueOffer-FairValueOriginal>-0.005)", "bool",
                 note="R1 ≥ R0, the value at least the original's (to half a cent), and substantive"),
            Item("InducedCharge", "Charge (this offer)",
                 f"=IF(InducedTest,FairValueOffer-FairValueOriginal,{EXTINGUISHMENT})", "charge",
                 key="induced_charge",
                 note="test passing: fair value of the inducement; failing: fair value less carrying amount "
                      "(notes: and accrued interest payable)"),
            Item("ChargeAccount", "Booked as", "=" + CHARGE_ACCOUNT, "text",
                 note="the journal entry's account (Entries)"),
            Item("TotalInducedCharge", "Charges of all exchanges", "=InducedCharge" + later_charge, "charge",
                 key="total_induced_charge"),
        )),
        # With later exchanges and a period, Results prints across the page (its EPS table the widest) and its
        # blocks overran the first by this one, which printed alone before the EPS page: it begins the second, with
        # EPS and the exchanges' table. (Without a period the page is larger and the blocks fit it.)
        Block("Outstanding", new_page=shape.exchange_rows > 0 and shape.period, items=(
            Item("UnitsRemaining", "Units remaining",
                 "=Outstanding-UnitsAccepted" + ("-SUM(ExUnits)" if later_units else ""), "count",
                 key="units_remaining"),
            Item("CommonAfter", "Common outstanding after", "=CommonBefore+CommonIssued" + later_common, "count",
                 key="common_outstanding_after"),
        )),
    ]


def _eps_block(shape: Shape) -> Block:
    """Earnings per share for the reporting period, before and after the exchange."""
    ex = shape.exchange_rows > 0
    charges_in_period = "IF(AND(ValuationDate>=PeriodStart,ValuationDate<=PeriodEnd),InducedCharge,0)" + (
        # a later exchange's charge is the period's when it is dated inside it (the engine's rule); ExDays
        # counts the days its shares are outstanding, the whole period for one dated before it
        '+SUMIFS(ExCharge,ExDate,">="&PeriodStart,ExDate,"<="&PeriodEnd)' if ex else ""
    )
    return Block("Earnings per share", new_page=not ex, items=(
        Item("PeriodDays", "Days in the period", "=PeriodEnd-PeriodStart+1", "count"),
        Item("ChargesInPeriod", "Charges in the period", "=" + charges_in_period, "charge",
             key="eps.charges_in_period"),
        Item("IncomeBefore", "Income available to common, before", "=NetIncome-PreferredDividends", "money",
             key="eps.income_available_before"),
        # (so the block foots on the page: before, less the charges as they reach income, is after)
        # (notes: less the tax effect at the tax rate; preferred: a deemed dividend, no tax effect)
        Item("ChargesAfterTax", "Charges in the period, after tax", '=ChargesInPeriod*IF(Kind="note",1-TaxRate,1)',
             "charge"),
        Item("IncomeAfter", "Income available to common, after", "=IncomeBefore-ChargesAfterTax", "money",
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
    ))


def _exchange_table(shape: Shape, header_row: int) -> Table:
    """One row per later exchange in the period: units, common issued, cash in lieu, charge (and days).

    Each row reads its exchange from the Inputs table by the number in its first column, counted from 1 (a
    literal row number such as ``INDEX(ExUnits,2)`` is no formula of the Results sheet, where the only
    literals are 0 and 1).
    """
    return Table("tblExchangeResults", (
        Column("n", "Exchange", None, "={prev:n}+1", first="=1", fmt="count"),
        Column("units", "Units", None, "=INDEX(ExUnits,{n})", fmt="count"),
        Column("ratio_units", "Ratio in parts", None, "=ROUND(INDEX(ExRatio,{n})*RatioScale,0)", fmt="count"),
        Column("common", "Common issued", "ExCommon",
               '=IF(FractionalPolicy="nearest",ROUND({units}*{ratio_units}/RatioScale,0),'
               "INT({units}*{ratio_units}/RatioScale))", fmt="count"),
        Column("cash_in_lieu", "Cash in lieu", None,
               '=IF(FractionalPolicy="cash",MOD({units}*{ratio_units},RatioScale)/RatioScale*INDEX(ExPrice,{n}),'
               "0)", fmt="money"),
        Column("charge", "Charge", "ExCharge",
               "={common}*INDEX(ExPrice,{n})+{cash_in_lieu}+{units}*INDEX(ExCash,{n})"
               "-{units}*OriginalRatio*INDEX(ExPrice,{n})", fmt="charge"),
        *((Column("days", "Days outstanding in period", "ExDays",
                  "=IF(INDEX(ExDate,{n})>PeriodEnd,0,PeriodEnd-MAX(INDEX(ExDate,{n}),PeriodStart)+1)",
                  fmt="count"),) if shape.period else ()),
    ), shape.exchange_rows, header_row, title="Later exchanges: shares, cash and charge of each")


def sheet(shape: Shape) -> Sheet:
    """The Results sheet for an offer of this *shape*."""
    blocks, next_row = place(_blocks(shape) + ([_eps_block(shape)] if shape.period else []))
    tables = (_exchange_table(shape, next_row + 1),) if shape.exchange_rows > 0 else ()
    # the later exchanges' table runs to column H: printed upright, the page shrank to about 57%
    return Sheet("Results", "Results", blocks, tables, widths={"B": 40, "C": 22, "D": 16, "E": 16,
                 "F": 16, "G": 16, "H": 16}, landscape=bool(tables))
