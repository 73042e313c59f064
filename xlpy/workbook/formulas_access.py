"""The ``formulas`` library's internals, reached from this module only.

The validator (:mod:`xlpy.workbook.validate`) and the column-at-a-time recalculation
(:mod:`xlpy.workbook.recalc`) use more of the library than its public model
(``formulas.ExcelModel``): they change its function table (ROUND as Excel
rounds, xlpy's worksheet functions, AND and OR row by row), draw no progress
bar, and compile and feed cells themselves.  Each need is one function here,
so the private names they rely on are spelled in one place.

They rely on formulas 1.3 (``pyproject.toml`` bounds it to ``>=1.3.4,<1.4``):
the dict ``formulas.get_functions()`` returns, ``functions.wrap_func`` and
``wrap_ufunc``, ``functions.date``'s WORKDAY pieces (``args_xworkday_intl``,
``xworkday_intl``, ``xday``, ``xdate``, ``raise_errors``, ``_convert2float``), ``functions.logic.xand``, ``functions.replace_empty``,
``tokens.operand.Error`` and ``XlError``, ``ranges.Ranges``, ``cell.Cell`` and
``cell.Ref``, ``Parser().ast`` and its range tokens' ``attr`` (``is_reference``, ``ref``),
schedula's ``EMPTY``, and the module attribute ``formulas.excel.tqdm`` (with tqdm
``<5``).  Before raising a bound, run tests/test_workbook.py and
tests/test_recalc.py on the new release.  The library is imported when first
needed, not with this module.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import math
import threading
from decimal import Decimal

from ..engine.numbers import excel_round
from ..files.serial_dates import to_serial

__all__ = [
    "register_functions",
    "plain_value",
    "elementwise_and_or",
    "empty",
    "error_values",
    "replace_empty",
    "range_of",
    "error_range",
    "is_error",
    "compile_cell",
    "compile_name",
    "compiled_count",
    "forget_compiled",
    "names_read",
]


#: LibreOffice leaves a scaled number this large as it is: its fraction has too few bits to hold noise worth forgiving.
_APPROX_BELOW = 2.0 ** 41


def _excel_round(x, d):
    """ROUND as LibreOffice's ``rtl::math::round`` rounds a binary number (the nearest open account of Excel's).

    Half away from zero, binary noise forgiven where it shows: a number to
    whole units is rounded as it is held (0.49999999999999994 to 0); to
    decimals it is scaled by 10^d in binary and, below 2^41 with a fraction,
    first taken to 15 significant digits (its ``approxValue``), so 0.59 * 9.5,
    5.6049999999999995 in binary, scales to the 560.5 it shows and rounds to
    5.61, as the engine rounds the exact 5.605, while a larger number keeps the
    digits it holds (123456789012.34497 to .34).  A whole number, or one past
    2^52, is already as round as binary holds it.
    """
    x, d = float(x), int(d)
    if x == 0 or not math.isfinite(x) or (d >= 0 and (abs(x) >= 2.0**52 or x == int(x))):
        return x
    if d == 0:
        return float(excel_round(Decimal(repr(x)), 0))
    if d > 0:
        d = min(d, 52 - (math.frexp(abs(x))[1] - 1))  # no more decimals than the number's bits hold
    v = x * 10.0 ** d if d >= 0 else x / 10.0 ** -d
    if not math.isfinite(v) or abs(v) >= 2.0**52:
        return x
    if abs(v) <= _APPROX_BELOW and v != int(v):
        v = float(format(v, ".15g"))
    return float(excel_round(Decimal(repr(v)), 0) / Decimal(10) ** d)


def _workday(start_date, days, weekend=1, holidays=()):
    """WORKDAY as Excel: from any start day, a weekend or a holiday too.

    The library hands numpy's ``busday_offset`` the start day as it is, which
    refuses a day off (``#VALUE!``); Excel counts from it.  So a day off is first
    moved to the working day before it (counting forward) or after it (counting
    back), which gives the same day; 0 days gives the start day itself.
    """
    import numpy as np
    from formulas.functions import date as fdate

    fdate.raise_errors(start_date)
    fdate.raise_errors(days)
    n = fdate._convert2float(days)
    if int(n) == 0:
        return start_date
    day = dt.date(*fdate.xday(start_date, slice(0, 3)))
    rolled = np.busday_offset(day, 0, roll="backward" if n > 0 else "forward", holidays=list(holidays)).astype("O")
    return fdate.xworkday_intl(fdate.xdate(rolled.year, rolled.month, rolled.day), days, weekend, holidays)


def register_functions() -> None:
    """Register ROUND and xlpy's worksheet functions with the library, and silence its progress bar (once)."""
    import formulas
    from formulas.functions import wrap_func, wrap_ufunc

    from ..excel import registry, udfs  # noqa: F401  (registers the worksheet functions)

    table = formulas.get_functions()
    if table.get("_XLPY_REGISTERED"):
        return
    # The library draws its own progress bar on every load; ours is per workbook.
    import types

    import formulas.excel
    import tqdm
    from formulas.functions import date as fdate

    with _TABLE:  # (no thread compiles with the table half registered)
        formulas.excel.tqdm = types.SimpleNamespace(tqdm=functools.partial(tqdm.tqdm, disable=True))
        table["ROUND"] = wrap_ufunc(_excel_round)
        table["WORKDAY"] = wrap_ufunc(  # as the library registers its own, with the start day rolled as Excel does
            _workday, input_parser=lambda *a: a, check_error=lambda *a: None, excluded={3},
            args_parser=lambda start_date, days, hdays=(): fdate.args_xworkday_intl(start_date, days, 1, hdays, True))
        for spec in registry.functions():
            if spec.module == "xlpy.udfs":
                table[spec.name] = wrap_func(_worksheet_function(spec.func))
        table["_XLPY_REGISTERED"] = True


def plain_value(v):
    """A library value as xlwings would hand it to a function: a number, text, bool, None or list of rows."""
    import numpy as np
    import schedula as sh

    if hasattr(v, "value") and not isinstance(v, (int, float, str)):
        v = v.value
    if isinstance(v, np.ndarray):
        rows = [[plain_value(x) for x in row] for row in v.tolist()]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows
    if v is sh.EMPTY:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _worksheet_function(func):
    def call(*args):
        out = func(*[plain_value(a) for a in args])
        if isinstance(out, dt.date):
            return to_serial(out)
        return out

    call.__name__ = func.__name__
    return call


@contextlib.contextmanager
def elementwise_and_or():
    """While compiling a row template: AND and OR element by element, as each row's own cell computes them."""
    import numpy as np
    from formulas.functions import get_functions, wrap_ufunc
    from formulas.functions.logic import xand

    global _elementwise

    with _TABLE:  # (held to the end: no other thread compiles with these AND and OR meanwhile)
        table = get_functions()
        saved = {k: table.get(k) for k in ("AND", "OR")}
        table["AND"] = wrap_ufunc(xand, input_parser=lambda *a: a, args_parser=lambda *a: a,
                                  check_error=lambda *a: None)
        table["OR"] = wrap_ufunc(functools.partial(xand, func=np.logical_or.reduce), input_parser=lambda *a: a,
                                 args_parser=lambda *a: a, check_error=lambda *a: None)
        was, _elementwise = _elementwise, True
        try:
            yield
        finally:
            _elementwise = was
            for k, v in saved.items():
                if v is None:
                    table.pop(k, None)
                else:
                    table[k] = v


#: Whether AND and OR are element by element now (:func:`elementwise_and_or`): a compiled cell holds the ones it met.
_elementwise = False
#: Held while the function table is changed and while a cell compiles: a thread compiles with the table as its key
#: says, never with another thread's AND and OR of a moment.
_TABLE = threading.RLock()


def empty():
    """The library's empty cell (schedula's ``EMPTY``)."""
    import schedula as sh

    return sh.EMPTY


def error_values() -> dict:
    """The library's error values (``#N/A``, ``#VALUE!``...) by their text."""
    from formulas.tokens.operand import Error

    return Error.errors


def replace_empty(value):
    """*value* with the library's empty cells replaced as a formula's result replaces them (by 0)."""
    from formulas.functions import replace_empty as replace

    return replace(value)


def range_of(ref: str, values):
    """The library's range ``ref`` (``SHEET!A1:B2``) holding *values* (a 2-D object array)."""
    from formulas.ranges import Ranges

    return Ranges().push(ref, values)


def error_range(error):
    """A one-cell range holding the error value *error*."""
    import numpy as np

    return range_of("A1:", np.asarray([[error]], object))


def is_error(value) -> bool:
    """True when *value* is one of the library's error values (a compiled input may be one)."""
    from formulas.tokens.operand import XlError

    return isinstance(value, XlError)


def compile_cell(ref: str, formula: str, sheet: str, names: dict):
    """The library's compiled cell *ref* (``'Sheet'!A1``) holding *formula*, its names resolved by *names*.

    The result has ``inputs`` (the references it reads) and ``func`` (called with their values).  A cell is
    compiled once for all it depends on (:func:`_compiled`): the standard workbook's few hundred formulas are the
    same in every workbook of a layout, and parsing and compiling them was most of a small workbook's ``formulas``
    leg (1.5 s of 2), paid again for each workbook ``xlpy validate`` is given.
    """
    return _compiled("cell", ref, formula, sheet, _names_read(formula, names))


def compile_name(name: str, formula: str, names: dict):
    """The library's compiled defined name *name* holding *formula* (``=...``), like :func:`compile_cell`."""
    return _compiled("name", name, formula, "", _names_read(formula, names))


#: How many compiled cells and names a thread keeps (the least recently used go first): the standard workbook's
#: formulas, a holder table's templates, the names, in each of a few layouts' shapes.
COMPILED_KEPT = 4096


def _names_read(formula: str, names: dict) -> tuple:
    """The (name, its text) of each name of *names* (in capitals) written in *formula*, whatever the case (sorted):
    a superset of the names the library's parser reads in it (a name it reads is written in it), so what of *names*
    its compilation depends on, and two workbooks whose other names differ share their compiled cells.  Found by
    their text, not by a pattern of what a name may be spelled with, which would be a second parser's guess
    (review 131: a name with a combining mark, ``कि``, was left out and read ``#REF!``)."""
    text = formula.upper()
    return tuple(sorted((name, target) for name, target in names.items() if name in text))


def _state() -> tuple:
    """What of the function table a compiled cell holds: AND and OR as :func:`elementwise_and_or` makes them, and
    ROUND and xlpy's functions registered (:func:`register_functions`) or not."""
    import formulas

    return _elementwise, bool(formulas.get_functions().get("_XLPY_REGISTERED"))


#: Each thread's compiled cells, by all their compilation depends on: a compiled cell keeps its last call's solution
#: for the next (schedula's ``DispatchPipe``, not thread-safe), so threads validating at once (a script's) never
#: share one (review 131: 13 of 124 concurrent validations gave other figures, or a ``DispatcherError``).
_kept = threading.local()


def compiled_count() -> int:
    """How many compiled cells and names this thread keeps (:func:`compile_cell`)."""
    return len(getattr(_kept, "cells", ()))


def forget_compiled() -> None:
    """Drop the compiled cells this thread keeps (:func:`compile_cell`).  Each holds the values of its last call,
    and after a long table those are its whole columns (28 MB after a 20,000-line workbook): the recalculation
    drops them after such a workbook (:data:`xlpy.workbook.recalc.KEEP_COMPILED_ROWS`), whose compiling is a
    small part of its time."""
    _kept.cells = collections.OrderedDict()


def _compiled(kind: str, ref: str, formula: str, sheet: str, names: tuple):
    """A cell (*kind* ``cell``) or a defined name (``name``) compiled, for :func:`compile_cell` and
    :func:`compile_name`, or the one this thread compiled for the same arguments and function table
    (:func:`_state`).  A compiled cell is called again and again, never changed."""
    from formulas.cell import Cell, Ref

    cells = getattr(_kept, "cells", None)
    if cells is None:
        cells = _kept.cells = collections.OrderedDict()
    with _TABLE:
        key = (kind, ref, formula, sheet, names, _state())
        found = cells.get(key)
        if found is not None:
            cells.move_to_end(key)
            return found
        if kind == "name":
            found = Ref(ref, formula).compile(references=dict(names))
        else:
            found = Cell(ref, formula, context={"sheet": sheet}).compile(references=dict(names))
    cells[key] = found
    if len(cells) > COMPILED_KEPT:
        cells.popitem(last=False)
    return found


def names_read(formula: str, sheet: str) -> set[str]:
    """The names *formula* reads as defined names (in capitals), whether or not they are defined: the library
    compiles one no workbook defines as ``#REF!``, where Excel and LibreOffice compute ``#NAME?``."""
    import formulas

    tokens = formulas.Parser().ast(formula, context={"sheet": sheet})[0]
    return {t.attr["ref"].upper() for t in tokens if t.attr.get("is_reference")}
