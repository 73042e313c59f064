"""Check: tie-outs of native figures against xlpy's worksheet functions, and identities."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from .model import (
    CHECK_COLS,
    FUNCTIONS_NOT_LOADED,
    TIES_NOT_RUN,
    Block,
    Item,
    Shape,
    Sheet,
    place,
)
from .release import STATED_CHARGE
from .results import INTEREST_GIVEN_UP, later


#: The Check status cells whose FALSE is a state, not a failure, while the condition beside holds: xlpy's functions
#: not loaded (Excel without them: the tie-outs are not run), and for ChecksPass the identities holding.  The builder
#: shows such a FALSE amber; any other FALSE (an identity or a tie-out failing) red.
NOT_RUN_STATES = {
    "FunctionsLoaded": "NOT(FunctionsLoaded)",
    "ChecksPass": "AND(NOT(FunctionsLoaded),IdentitiesPass)",
}


def _ties(shape: Shape) -> list[Item]:
    """Each figure as a native formula beside the same figure from xlpy's worksheet functions."""
    formula = shape.ratio == "formula"
    holders = shape.tally == "holders"
    tie = []
    if formula:
        vwap = "OFFER_VWAP(PriceDates,PricePrices,PriceVolumes,Expiration,AveragingDays,LagDays,Calendar)"
        tie.append(Item("CheckAveragePrice", "Average price", "=AveragePrice", "price", key="average_price",
                        function=f"={vwap}"))
        tie.append(Item("CheckOfferRatio", "Offer ratio", "=OfferRatio", "ratio", key="offer_ratio",
                        function=f"=EXCHANGE_RATIO(RatioValue,{vwap},RatioCap,RatioFloor,RatioPlaces)"))
    accepted_arg = "TenderAccepted" if holders else "UnitsAccepted"
    cash_in_lieu = f'IF(FractionalPolicy="cash",CASH_IN_LIEU({accepted_arg},OfferRatio,FractionalPriceUsed),0)'
    tie += [
        Item("CheckProration", "Proration factor", "=ProrationFactor", "factor", key="proration_factor",
             function='=IF(MaxUnits="",1,PRORATION(Eligible,MaxUnits' + (",OddLotUnits))" if holders else "))")),
        Item("CheckCommonIssued", "Common shares issued", "=CommonIssued", "count", key="common_issued",
             function=f"=SHARES_ISSUED({accepted_arg},OfferRatio,FractionalPolicy)"),
        Item("CheckCashInLieu", "Cash in lieu", "=FractionalCash", "money", key="fractional_cash",
             function=f"={cash_in_lieu}"),
        Item("CheckIncremental", "Incremental shares", "=IncrementalShares", "count4", key="incremental_shares",
             # INCREMENTAL_SHARES refuses a ratio below the original (not an induced conversion): then the ratios
             # swapped and the result negated, so the function computes the figure either way
             function="=IF(OfferRatio>=OriginalRatio,INCREMENTAL_SHARES(UnitsAccepted,OfferRatio,OriginalRatio),"
                      "-INCREMENTAL_SHARES(UnitsAccepted,OriginalRatio,OfferRatio))"),
        Item("CheckCharge", "Charge", "=InducedCharge", "charge", key="induced_charge",
             # the test failing: the consideration's fair value from the shares and cash in lieu the functions give
             # (not the native formula again), less what is extinguished
             function="=IF(InducedTest,INDUCED_CHARGE(UnitsAccepted,OfferRatio,OriginalRatio,Price,"
                      "SweetenerPerUnit+ArrearsPerUnit)+(CommonIssued-UnitsAccepted*OfferRatio)*Price+FractionalCash,"
                      f"SHARES_ISSUED({accepted_arg},OfferRatio,FractionalPolicy)*Price+{cash_in_lieu}"
                      f"+(SweetenerPerUnit+ArrearsPerUnit)*UnitsAccepted-CarryingAmount-{INTEREST_GIVEN_UP})"),
        Item("CheckChargeText", "Charge as announced", "=ReleaseChargeText", "text", key="release_charge_text",
             function=f'=APPROX({STATED_CHARGE},"dollars")'),
    ]
    if shape.period:
        if not shape.exchange_rows:
            tie.append(Item("CheckWeighted", "Weighted shares, after", "=WeightedAfter", "count4",
                            key="eps.weighted_shares_after",
                            function="=WEIGHTED_SHARES(SharesBefore,CommonIssued,Settlement,PeriodStart,PeriodEnd)"))
        tie.append(Item("CheckEPS", "Basic EPS, after", "=EPSAfter", "eps", key="eps.basic_eps_after",
                        function='=EPS_AFTER(NetIncome,PreferredDividends,ChargesInPeriod*IF(Kind="note",1-TaxRate,1),'
                                 "WeightedAfter)"))
    return tie


def _identities(shape: Shape) -> list[Item]:
    """What must hold between the figures, whatever the inputs."""
    later_units, later_common, _ = later(shape)
    exchanged = " + later exchanges" if later_units else ""  # the label says what the formula adds
    identities = [
        Item("IdTotals", f"Accepted{exchanged} + remaining = outstanding",
             "=UnitsAccepted+UnitsRemaining" + later_units + "=Outstanding", "bool"),
        Item("IdTendered", "Tendered within outstanding", "=Tendered<=Outstanding", "bool"),
        Item("IdGuaranteed", "Guaranteed deliveries within tendered", "=GuaranteedDelivery<=Tendered", "bool"),
        Item("IdFailed", "Failed deliveries within guaranteed", "=FailedDelivery<=GuaranteedDelivery", "bool"),
        Item("IdCap", "Accepted within the cap", '=OR(MaxUnits="",UnitsAccepted<=MaxUnits)', "bool"),
        _accepted_identity(shape),
        Item("IdCommon", f"Common after = before + issued{' (this offer and later exchanges)' if exchanged else ''}",
             "=CommonAfter=CommonBefore+CommonIssued" + later_common, "bool"),
        Item("IdDelivered", "Shares + fractions = accepted × ratio",
             '=OR(FractionalPolicy="nearest",ABS(CommonIssued+FractionalShares-UnitsAccepted*OfferRatio)<Tolerance)',
             "bool"),
        Item("IdRatioPrecision", "Ratio fits the ratio precision",
             "=ABS(OfferRatio*RatioScale-RatioUnits)<Tolerance", "bool"),
        Item("IdTest", "Induced-conversion test passes, or a carrying amount is given",
             '=OR(InducedTest,CarryingAmount<>"")', "bool"),
        Item("IdEntries", "Journal entry balances (when its inputs are given)",
             "=IF(EntriesComplete,EntriesBalanced,TRUE)", "bool"),
    ]
    if shape.ratio == "formula":
        identities.append(Item("IdWindow", "Every trading day of the window has a price", "=WindowDays=AveragingDays",
                               "bool"))
    return identities


def _accepted_identity(shape: Shape) -> Item:
    """The units accepted against the count itself (tendered less failed deliveries, and the cap), not Tenders'
    Eligible and Oversubscribed, which Results' formula reads and a value typed over would move alike: every
    eligible unit unless there are more than the cap; then the cap (counts), or the cap less under one unit a
    prorated holder (a holder tally: each rounded down; odd lots accepted whole).  No tie-out catches a wrong figure
    here: each function takes the units accepted as given.  (One label for both kinds of tally: a workbook switched
    between them keeps its labels.)"""
    label = "Accepted = eligible, or the cap when oversubscribed (holders rounded down)"
    eligible = "(Tendered-FailedDelivery)"
    over = f'AND(MaxUnits<>"",{eligible}>MaxUnits)'
    if shape.tally == "holders":  # the holders prorated: all with units, or those of the odd lot and more
        prorated = 'COUNTIFS(TenderHolderUnits,">="&IF(OddLotUnits>0,OddLot,1))'
        return Item("IdAccepted", label, f"=IF({over},AND(UnitsAccepted<=MaxUnits,MaxUnits-UnitsAccepted<{prorated}),"
                                         f"UnitsAccepted={eligible})", "bool")
    return Item("IdAccepted", label, f"=UnitsAccepted=IF({over},MaxUnits,{eligible})", "bool")


def sheet(shape: Shape) -> Sheet:
    """The Check sheet for an offer of this *shape*: status, tie-outs, identities (in that order)."""
    tie, identities = _ties(shape), _identities(shape)
    tie_names = tuple(i.name for i in tie)
    id_names = tuple(i.name for i in identities)
    status = (
        Item("FunctionsLoaded", "xlpy functions loaded", "=IFERROR(LEN(XLPY_VERSION())>0,FALSE)", "bool",
             note="FALSE: Excel without xlpy's functions; tie-outs are not run"),
        Item("IdentitiesPass", "Identities hold (native formulas)", "=AND(" + ",".join(id_names) + ")", "bool",
             note="the identities below, which need no xlpy functions"),
        Item("ChecksPass", "All checks pass", "=AND(" + ",".join(("FunctionsLoaded",) + tie_names
                                                              + ("IdentitiesPass",)) + ")", "bool",
             note="FALSE while the functions are not loaded: the tie-outs are not run"),
    )
    tie_block = Block("Tie-outs: native formula vs xlpy functions", tuple(tie))
    id_block = Block("Identities", tuple(identities))
    blocks, _ = place([Block("Status", status), tie_block, id_block])
    return Sheet("Check", "Check", blocks, check=True,
                 widths={"B": 52, "C": 20, "D": 20, "E": 14, "F": 16})


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
        cells[diff] = (f'=IF(FunctionsLoaded,{f}-{n},"")', "money" if item.fmt == "charge" else item.fmt)
        cells[flag] = (f'=IF(FunctionsLoaded,ABS({d})<=Tolerance,"{TIES_NOT_RUN}")', "bool")
    return cells
