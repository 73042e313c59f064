"""Whether another xlpy is writing a workbook, told without taking its lock: a reader's question.

``xlpy build --history-from OLD`` reads OLD's History; a refresh of OLD under way (:class:`~xlpy.workbook.locks.
RefreshLock`, ``.~xlpy.NAME.lock`` beside it) is adding a row the read would miss.  The lock is the file flocked
where the file system takes ``flock``, the kernel releasing it however its process ends: a file there that no one
flocks is a crash's leftover, which the next writer takes over.  An xlpy without ``flock`` (Windows, a share
mounted without locks) holds the file itself, its words ending :data:`~xlpy.workbook.locks.NO_FLOCK`: held while
its process runs (one of this computer is asked; another computer's is taken to run, as a writer takes it).  The
file is never written, nor made, here (a reader may not write in the folder).
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import NamedTuple

from . import locks
from .processes import held_by_this_process

__all__ = ["Held", "held"]


class Held(NamedTuple):
    """A workbook's refresh lock held: its holder's words (``pid N, USER on HOST``), the lock file's name, whether
    the file itself is the lock (no flock: a crash may have left it, which only a person can tell), and its path."""

    holder: str
    lock: str
    exclusive: bool
    path: Path

    @property
    def by_this_process(self) -> bool:
        """Whether the holder is this very process (a script's other thread or call), as a writer refused tells it
        (:func:`xlpy.workbook.processes.held_by_this_process`)."""
        return held_by_this_process(self.holder, self.path)


def held(path: Path) -> Held | None:
    """The refresh lock of the workbook *path* (or of its link's target), when a live xlpy holds it, else None.

    A flocked lock file is tried with a shared flock, let go at once (a writer starting in that instant is refused
    as busy, as it is by any holder); one that cannot be opened or flocked here is taken as not held."""
    target = locks.target_of(path)
    lock = target.with_name(f".~xlpy.{target.name}.lock")
    if lock.is_symlink() or not lock.is_file():  # (a link planted there is no xlpy's lock: a writer refuses it)
        return None
    exclusive = locks.fcntl is None or locks.NO_FLOCK in _words(lock)
    if exclusive:
        holder = _holder(lock)
        return None if locks.left_by_a_crash(holder, locks.written_at(lock), lock) else \
            Held(holder, lock.name, True, lock)
    try:
        fd = os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:  # (gone meanwhile: its writer is done; another user's that only they may read)
        return None
    try:
        locks.fcntl.flock(fd, locks.fcntl.LOCK_SH | locks.fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return Held(_holder(lock), lock.name, False, lock)
        return None  # (no flock on this file system: an xlpy writing there holds its file, with NO_FLOCK's words)
    finally:
        os.close(fd)  # (the shared flock let go with it)
    return None


def _words(lock: Path) -> str:
    """The words of the lock file *lock*; an empty one is read again a moment later (a writer writes its words just
    after it has its lock), as :class:`~xlpy.workbook.locks.RefreshLock` reads them."""
    words = locks.read_small(lock)
    if not words.strip():
        time.sleep(0.25)
        words = locks.read_small(lock)
    return words.decode("utf-8", errors="replace")


def _holder(lock: Path) -> str:
    """Who the lock file *lock* says holds it, as a writer refused by it names them."""
    return _words(lock).replace(locks.NO_FLOCK, "").strip() or "another process"
