"""The xlpy engine: pure Python, exact :class:`~decimal.Decimal` arithmetic.

It imports no xlwings, openpyxl or pandas; every front end is a thin layer over it.

The names below are loaded on first use: ``import xlpy.engine.errors`` (as
the worksheet functions do when Excel loads them) runs only that module, not
the whole engine.  ``xlpy.engine.compute`` is the function, as it always was,
even after the module of the same name is imported.
"""

import importlib
import sys
import types

#: Name -> the submodule that defines it.
_HOME = {
    **dict.fromkeys(("Count", "Delivery", "count_tally", "deliver", "prorate", "proration_factor"), "allocation"),
    **dict.fromkeys(("FairValues", "charge_kind", "fair_values", "incremental_shares", "induced_charge",
                     "induced_test"), "charge"),
    **dict.fromkeys(("EPSResult", "ExchangeResult", "Results", "Sessions", "check_offer", "compute"), "compute"),
    **dict.fromkeys(("basic_eps", "days_outstanding", "weighted_shares"), "eps"),
    **dict.fromkeys(("Busy", "InputError", "InputErrors", "XlpyError"), "errors"),
    **dict.fromkeys(("FRACTIONAL_POLICIES", "KINDS", "METHODS", "STATUSES", "Consideration", "Exchange",
                     "HolderTable", "Offer", "Period", "PriceDay", "RatioFormula", "Tally", "Valuation"), "model"),
    **dict.fromkeys(("excel_round", "plain", "to_decimal", "to_whole"), "numbers"),
    **dict.fromkeys(("average_price", "averaging_window", "exchange_ratio", "session_range"), "ratio"),
    **dict.fromkeys(("approx", "release_paragraph"), "release"),
}
_MODULES = ("allocation", "charge", "compute", "eps", "errors", "model", "numbers", "ratio", "release")

__all__ = sorted(set(_HOME) | set(_MODULES))


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Engine(types.ModuleType):
    """Keeps ``xlpy.engine.compute`` the function when the import system binds the submodule."""

    def __setattr__(self, name, value):
        if name == "compute" and isinstance(value, types.ModuleType):
            value = value.compute
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Engine
