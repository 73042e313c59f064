"""Progress bars on long work: ``tqdm`` on a terminal, nothing otherwise.

A bar is drawn on standard error only when it is a terminal, only once its
step has lasted :data:`DELAY` seconds (short work stays quiet), and never
after :func:`configure` ``(quiet=True)`` (the command line's ``--quiet``).
Output that is piped or captured (CI logs, ``--json``) gets no bar at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

__all__ = ["DELAY", "bar_stream", "configure", "enabled", "step"]

#: Seconds a step runs before its bar appears.
DELAY = 1.0
#: How often a bar without counts (a step that reports nothing until it ends) is redrawn.
TICK = 0.5

#: (quiet, stream) as :func:`configure` set them in this context: each call of the command line's ``main`` runs in
#: a copy of its caller's, so one call's ``--quiet`` or ``--json`` is not a later call's (``xlpy lite`` drew no bar
#: after a ``validate --json`` in the same process).
_settings: contextvars.ContextVar[tuple[bool, TextIO | None]] = contextvars.ContextVar("xlpy_progress",
                                                                                      default=(False, None))


def configure(quiet: bool = False, stream: TextIO | None = None) -> None:
    """Turn bars off (*quiet*) or draw them on *stream* (default: standard error at the time of drawing)."""
    _settings.set((bool(quiet), stream))


def bar_stream() -> TextIO:
    """The stream bars are drawn on: the one given to :func:`configure`, or standard error as it is now."""
    return _settings.get()[1] or sys.stderr


def enabled() -> bool:
    """True when bars are drawn: not quiet, and the stream is a terminal."""
    if _settings.get()[0]:
        return False
    isatty = getattr(bar_stream(), "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


def _silent(n: int = 1) -> None:
    return None


@contextlib.contextmanager
def step(desc: str, total: int | None = None, unit: str = "it") -> Iterator[Callable[[int], None]]:
    """A bar for one step of work; yields ``update(n)`` to count *n* more units done.

    With no *total* the bar shows the time spent (it is redrawn every
    :data:`TICK` seconds, for work that reports nothing until it ends).
    Silent (``update`` does nothing) when :func:`enabled` is False.
    """
    if not enabled():
        yield _silent
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=bar_stream(), delay=DELAY, leave=False, dynamic_ncols=True,
               mininterval=0.2, bar_format=None if total else "{desc}: {elapsed}")
    lock = threading.Lock()
    stop = threading.Event()

    def update(n: int = 1) -> None:
        with lock:
            bar.update(n)

    def tick() -> None:
        while not stop.wait(TICK):
            with lock:
                if _shown(bar):
                    bar.refresh()
                    bar.last_print_t = bar._time()  # recorded as drawn, so close() clears it (refresh() alone does not)

    ticker = threading.Thread(target=tick, name="xlpy-progress", daemon=True) if not total else None
    if ticker:
        ticker.start()
    try:
        yield update
    finally:
        stop.set()
        if ticker:
            ticker.join()
        with lock:
            bar.close()


def _shown(bar) -> bool:
    """True once the bar's delay has passed (tqdm draws nothing before)."""
    return bar._time() - bar.start_t >= DELAY
