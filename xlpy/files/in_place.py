"""Files put in place whole: the stop signals held while they are moved in, what an interrupt once they are in
place says, and how xlpy's temporary files are named and when a killed run's are old enough to remove.

A workbook a refresh or a build writes (:func:`xlpy.workbook.locks.write_file`), a render's PDF and pages
(:func:`xlpy.workbook.rendering.render`) and an xlwings Lite project (:func:`xlpy.excel.lite.write_project`) are
each made in temporary files first and then renamed into place.  Ctrl-C, SIGTERM and SIGHUP wait while the renames
are made (:func:`held_signals`), so a command stopped by one finds its files either as they were or all replaced,
and says which (:class:`InterruptedAfterWriting`).  A process killed outright (SIGKILL, a power loss) cannot be
held: between two renames it leaves some files new and some old, and its temporary files behind, which the next
run removes (a workbook's under its lock; a render's staging folders, a Lite project's temporary files and the
folders in the system's temporary folder once older than :data:`ORPHANED_AFTER`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows)
    fcntl = None

__all__ = ["ORPHANED_AFTER", "PARTIAL", "STOP_SIGNALS", "InterruptedAfterWriting", "flush_file", "flush_to_disk",
           "held_signals"]

#: What the name of each temporary file xlpy writes beside the file it is to become begins with.
PARTIAL = ".~xlpy-partial."
#: A temporary file or folder a killed run of xlpy left is removed by the next run once older than this (seconds).
ORPHANED_AFTER = 15 * 60

#: The signals that stop a command, unwound as Ctrl-C is: Ctrl-C, SIGTERM (``timeout``, a CI runner) and, where
#: the system has it, SIGHUP (the terminal closed, an ssh session dropped).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM) + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) that came once a file was put in place: *path* holds the new content, and *backup*,
    if not None, the previous one.  What was interrupted was only what follows the write.  *said* is what was
    written as a message says it, for several files put in place together (``out/book.pdf and its 18 pages were
    written``); None: ``PATH was written``."""

    def __init__(self, path: Path, backup: Path | None = None, said: str | None = None):
        super().__init__(str(path))
        self.path, self.backup, self.said = Path(path), backup, said


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT), SIGTERM and SIGHUP back while files are put in place (a backup, then the renames); one
    that comes meanwhile is delivered as the block ends, so an interrupt finds the files either as they were or
    replaced, and knows which.

    The handlers are swapped for one that notes the signal (a signal mask would not do: the kernel hands a
    process's signal to any thread not masking it, a progress bar's monitor thread for one).  Outside the main
    thread, where handlers cannot be set, this does nothing and the caller tells the two apart by whether its
    temporary files are still there.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum))
                for s in STOP_SIGNALS if signal.getsignal(s) is not signal.SIG_IGN}  # (nohup's SIGHUP: ignored)
    try:
        yield
    finally:
        for s, handler in previous.items():  # (None: a handler not set from Python; the default stands in)
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):  # Python's own (KeyboardInterrupt) or the command line's (SIGTERM)
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


def flush_to_disk(fd: int) -> None:
    """Flush the open file or folder *fd* to the disk itself before a rename relies on it.

    On macOS ``fsync`` only hands the data to the drive, whose cache a power cut can lose (Apple's fsync(2)); there
    ``fcntl(F_FULLFSYNC)`` asks the drive to write it, as SQLite does.  Where the system has no F_FULLFSYNC, or the
    file system refuses it (a network share, some external drives), ``os.fsync``.
    """
    full = getattr(fcntl, "F_FULLFSYNC", None)
    if full is not None:
        try:
            fcntl.fcntl(fd, full)
            return
        except OSError:
            pass
    os.fsync(fd)


def flush_file(path: os.PathLike | str) -> None:
    """Flush the closed file *path*, made by another program (LibreOffice's PDF, pdftoppm's pages), to the disk
    itself (:func:`flush_to_disk`) before a rename relies on it.  Opened for writing, which Windows' flush needs."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        flush_to_disk(fd)
    finally:
        os.close(fd)
