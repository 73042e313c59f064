"""This computer's processes, as xlpy's lock files name them (``pid N, USER on HOST``): whether one is gone, and
which lock files this very process holds.

A lock file naming this process's id is this process's only while it holds it (:func:`held_here`, kept by
:class:`~xlpy.workbook.locks.RefreshLock` as it takes and lets go of its lock): a script's other thread or call is
then writing the workbook.  One it does not hold was left by an earlier process given the same id (a container
whose program is always process 1, restarted): a crash's leftover, not this process at work.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

__all__ = ["held_by_this_process", "held_here", "process_gone"]

#: The lock files this process holds now, by their real path.
_HELD: set[str] = set()


def held_here(lock: Path, taken: bool | None = None) -> bool:
    """Whether this process holds the lock file *lock*; *taken* True or False records it taken or let go."""
    key = os.path.realpath(lock)
    if taken is True:
        _HELD.add(key)
    elif taken is False:
        _HELD.discard(key)
    return key in _HELD


def held_by_this_process(holder: str, lock: Path) -> bool:
    """Whether a lock file's *holder* (``pid N, USER on HOST``) is this process holding *lock* now: a script's other
    thread or call (its id alone may be an earlier process's, given again)."""
    return holder.startswith(f"pid {os.getpid()}, ") and holder.endswith(f" on {socket.gethostname()}") and \
        held_here(lock)


def process_gone(pid: int, since: float | None = None) -> bool:
    """Whether this computer runs no process *pid* (one of another user's is running); on Windows, which soon gives
    a process id again, one that began after *since* (a Unix time) is another process, so *pid*'s is gone."""
    if os.name == "nt":  # (Windows' os.kill ends a process: asked of the system instead)
        return _windows_process_gone(pid, since=since)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # (alive, another user's)
        return False
    return False


def _windows_process_gone(pid: int, kernel32=None, last_error=None, since: float | None = None) -> bool:
    """Whether Windows has no running process *pid* that could hold a lock file written at *since* (a Unix time):
    ``OpenProcess`` refuses it as no process (an invalid parameter), it has an exit code, or it began more than a
    second after *since* (the id given again to another process).  A process one may not query (another user's) is
    taken as running, as is any answer not understood: a live holder is never named gone.  *kernel32* and
    *last_error*: the system's (tests give their own)."""
    import ctypes
    from ctypes import wintypes

    if kernel32 is None:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE  # (a handle is pointer-wide: no int truncating it)
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
        kernel32.GetProcessTimes.argtypes = (wintypes.HANDLE, *[ctypes.POINTER(wintypes.FILETIME)] * 4)
        kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
        last_error = ctypes.get_last_error
    limited_query, still_active, invalid_parameter = 0x1000, 259, 87
    handle = kernel32.OpenProcess(limited_query, False, pid)
    if not handle:
        return last_error() == invalid_parameter
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        if code.value != still_active:
            return True
        times = [wintypes.FILETIME() for _ in range(4)]
        if since is None or not kernel32.GetProcessTimes(handle, *map(ctypes.byref, times)):
            return False
        began = ((times[0].dwHighDateTime << 32) + times[0].dwLowDateTime - 116_444_736_000_000_000) / 10**7
        return began > since + 1  # (FILETIME: 100 ns since 1601; the holder began before it wrote its file)
    finally:
        kernel32.CloseHandle(handle)
