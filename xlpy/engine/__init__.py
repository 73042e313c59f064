"""The xlpy engine: pure Python, exact :class:`~decimal.Decimal` arithmetic.

It imports no xlwings, openpyxl or pandas; every front end is a thin layer over it.
"""

from .allocation import Count, Delivery, count_tally, deliver, prorate, proration_factor
from .charge import FairValues, charge_kind, fair_values, incremental_shares, induced_charge, induced_test
from .compute import EPSResult, ExchangeResult, Results, Sessions, check_offer, compute
from .eps import basic_eps, days_outstanding, weighted_shares
from .errors import InputError, InputErrors, XlpyError
from .model import (
    FRACTIONAL_POLICIES,
    KINDS,
    METHODS,
    STATUSES,
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
from .numbers import excel_round, plain, to_decimal, to_whole
from .ratio import average_price, averaging_window, exchange_ratio, session_range
from .release import approx, release_paragraph

__all__ = [name for name in dir() if not name.startswith("_")]
