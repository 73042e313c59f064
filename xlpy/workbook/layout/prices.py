"""Prices: the averaging window and the price and holiday history (ratio set by formula)."""

from __future__ import annotations

from .model import Block, Column, Item, Shape, Sheet, Table, place


def sheet(shape: Shape) -> Sheet:
    """The Prices sheet for an offer of this *shape*."""
    formula = shape.ratio == "formula"
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
            Item("RatioQuotient", "Value ÷ average price",
                 "=ROUND(RatioValue/AveragePrice,10)", "quotient", key="ratio_quotient",
                 note="rounded to 10 decimals first, as the engine rounds it, then to the ratio's"),
        )
        blocks, next_row = place([Block("Averaging window", price_items)])
        tables.append(Table("tblPrices", (
            Column("date", "Date", "PriceDates", fmt="date", width=12),
            Column("price", "Price", "PricePrices", fmt="price", width=12),
            Column("volume", "Volume", "PriceVolumes", fmt="count", width=14),
        ), shape.price_rows, next_row + 1))
        tables.append(Table("tblHolidays", (
            Column("holiday", "Exchange holiday", "Holidays", fmt="date", width=16),
        ), shape.holiday_rows, next_row + 1, first_col=6))
    else:
        blocks, next_row = place([Block("Price history", (
            Item(None, "Ratio", record=True, note="The offer fixes its ratio: no price history is used."),
        ))])
    return Sheet("Prices", "Prices", blocks, tuple(tables), widths={"B": 30, "C": 14, "D": 34},
                 freeze=f"A{next_row + 2}" if formula else None)
