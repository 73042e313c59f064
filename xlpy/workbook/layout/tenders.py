"""Tenders: the count (typed, or formulas over the per-holder table) and acceptance."""

from __future__ import annotations

from ...engine.model import METHODS, STATUSES
from .model import Block, Column, Item, Shape, Sheet, Table, place


#: The holder table's columns: the holder first (in the sheet's wide label column), then the line of the tally it
#: came from, the line's inputs, and the formulas over them.
HOLDER_COLUMNS = (
    Column("holder", "Holder", "TenderHolder", fmt="text", width=28),
    Column("line", "Tally line", None, fmt="count", width=8),
    Column("units", "Units", "TenderUnits", fmt="count", width=12),
    Column("method", "Method", "TenderMethod", fmt="text", width=11,
           choices=METHODS),
    Column("status", "Status", "TenderStatus", fmt="text", width=10,
           choices=STATUSES),
    Column("eligible", "Eligible", None, '=IF({status}="tendered",{units},0)', fmt="count", width=11),
    Column("run", "Holder running total", None, "=IF({holder}={prev:holder},{prev:run},0)+{eligible}",
           first="={eligible}", fmt="count", width=12),  # (its header on two lines)
    Column("holder_units", "Holder units", "TenderHolderUnits",
           "=IF({holder}<>{next:holder},{run},0)", fmt="count", width=11),
    Column("accepted", "Accepted", "TenderAccepted",
           "=IF({holder_units}=0,0,IF(NOT(Prorated),{holder_units},IF(AND(OddLotUnits>0,"
           "{holder_units}<OddLot),{holder_units},INT({holder_units}*Capacity/RestUnits))))", fmt="count",
           width=11),
    Column("shares", "Common shares", "TenderShares",
           '=IF(FractionalPolicy="nearest",ROUND({accepted}*RatioUnits/RatioScale,0),'
           "INT({accepted}*RatioUnits/RatioScale))", fmt="count", width=11),
    Column("fraction", "Fractional share", "TenderFraction",
           '=IF(FractionalPolicy="nearest",0,MOD({accepted}*RatioUnits,RatioScale)/RatioScale)',
           fmt="count4", width=11),
)
#: The holder table's input columns, in the order of a row of values written to it (see ``data.holder_rows``).
HOLDER_INPUTS = tuple(c.key for c in HOLDER_COLUMNS if c.formula is None)


def sheet(shape: Shape) -> Sheet:
    """The Tenders sheet for an offer of this *shape*."""
    holders = shape.tally == "holders"
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
                 note="TRUE: final; FALSE: preliminary (guaranteed deliveries still open)"),
        )
    else:
        count_items = (
            Item("Tendered", "Units tendered (not withdrawn)", fmt="count", key="units_tendered",
                 note="including guaranteed deliveries"),
            Item("GuaranteedDelivery", "of which by guaranteed delivery", fmt="count",
                 key="units_guaranteed_delivery"),
            Item("FailedDelivery", "Failed deliveries", fmt="count", key="units_failed_delivery",
                 note="guaranteed deliveries not made (known so far, on a preliminary count)"),
            Item("FinalCount", "Final count", fmt="bool", choices=("TRUE", "FALSE"),
                 note="TRUE: final; FALSE: preliminary (guaranteed deliveries still open)"),
        )
    accept_items = [
        Item("Eligible", "Eligible units (tendered − failed)", "=Tendered-FailedDelivery", "count",
             key="units_eligible"),
        Item("Prorated", "Oversubscribed", '=AND(MaxUnits<>"",Eligible>MaxUnits)', "bool"),
    ]
    if holders:
        accept_items += [
            Item("OddLotRaw", "Units of odd-lot holders",
                 '=IF(OR(NOT(Prorated),OddLot=""),0,SUMIFS(TenderHolderUnits,TenderHolderUnits,"<"&OddLot,'
                 'TenderHolderUnits,">0"))', "count", key="odd_lot_units_tendered"),
            Item("OddLotUnits", "Odd-lot units accepted in full", "=IF(OddLotRaw>MaxUnits,0,OddLotRaw)", "count",
                 key="odd_lot_units_accepted",
                 note="oversubscribed only; none when odd lots alone exceed the cap (all prorated alike)"),
            Item("Capacity", "Capacity after odd lots", "=IF(Prorated,MaxUnits-OddLotUnits,Eligible)", "count",
                 note="oversubscribed: the cap less odd lots; else every eligible unit"),
            Item("RestUnits", "Units subject to proration", "=Eligible-OddLotUnits", "count",
                 note="eligible less odd lots; prorated only when oversubscribed"),
            Item("HolderCount", "Holders with units accepted", '=COUNTIF(TenderAccepted,">0")', "count",
                 key="holders_accepted"),
        ]
    blocks, next_row = place([Block("Count", count_items), Block("Acceptance", tuple(accept_items))])
    tables = []
    if holders:
        tables.append(Table("tblTenders", HOLDER_COLUMNS, shape.holder_rows, next_row + 1))
    # The holder table's first columns share the blocks' (label, value, note): the holder's name in the wide label
    # column, the tally line in the value column, and units in a note column as narrow as the table's, its notes
    # written over the empty cells beside them, so the table prints at a size that can be read.
    widths = {"B": 36, "C": 16, "D": 12} if holders else {"B": 36, "C": 16, "D": 48}
    return Sheet("Tenders", "Tenders", blocks, tuple(tables), widths=widths, landscape=True,
                 notes_overflow=holders)  # no frozen pane: the 20 rows above the table would fill a laptop's window
    # (Excel shows a table's headers in place of the column letters as it scrolls; print repeats them)
