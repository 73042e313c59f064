"""Python's cyclic garbage collector eased for one bulk step (a build, a refresh, a validation).

A 100,000-line holder table makes millions of small objects in a few
seconds: the tally's columns, the rows' XML pieces, the recalculation's cell
values.  Almost none of them is in a reference cycle, yet with CPython's
default thresholds the collector walks all that live data again and again as
it grows: in ``xlpy validate --no-libreoffice`` of a 100,000-line workbook it
took 5.1 s over 10,373 passes (timed by ``gc.callbacks``).  Reference
counting frees every other object as soon as it is unused, whatever the
collector does.

So for the step the collector runs far less often rather than not at all:
a young-generation pass every ``YOUNG`` new container objects instead of
every 700 (CPython 3.11's default), older ones rarer still.  Cyclic garbage
is still found and freed during the step (a hostile workbook cannot pile it
up unchecked); the same validation spends 0.8 s over 29 passes in the
collector, and its peak memory measured the same.

Use :func:`collector_eased` as a decorator or a ``with`` block.  The first
step to enter sets the thresholds and the last to leave puts back what it
found, so nested steps, and steps in several threads of one process (a host
such as Excel's Python), leave the process as they found it.
:func:`recursion_allowed` holds the interpreter's recursion limit the same
way for a recalculation's deep chains of cells.
"""

from __future__ import annotations

import gc
import sys
import threading
from contextlib import contextmanager

__all__ = ["YOUNG", "collector_eased", "recursion_allowed"]

#: New container objects between two young-generation passes during a bulk step (CPython 3.11's default: 700).
YOUNG = 200_000
_EASED = (YOUNG, 50, 1000)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextmanager
def collector_eased():
    """Raise the collector's thresholds for the block (or the decorated call), then put back the old ones."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*_EASED)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)


_deep = 0
_deep_saved = 0


@contextmanager
def recursion_allowed(limit: int):
    """The interpreter's recursion limit at least *limit* for the block, then put back as the first step in found
    it: two validations in threads each set and put back their own, and the one ending first lowered the limit
    under the other still recalculating (a deep chain of cells then failed), or left it raised for good."""
    global _deep, _deep_saved
    with _lock:
        if _deep == 0:
            _deep_saved = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_deep_saved, limit))
        _deep += 1
    try:
        yield
    finally:
        with _lock:
            _deep -= 1
            if _deep == 0:
                sys.setrecursionlimit(_deep_saved)
