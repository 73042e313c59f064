"""xlpy's folders in the system's temporary folder, and those a killed xlpy left there, removed by the next run.

validate's LibreOffice leg, a switching refresh's trial build, a recalculation, LibreOffice's profile and
openpyxl's sheet files while a workbook is saved each work in a folder of their own in the system's temporary
folder (readable by the user alone, 0700), removed when the work ends, on an error and on a signal.  A process
killed outright (``kill -9``, out of memory, a power loss) cannot remove it, and it holds a copy of the workbook,
holder table and all: before the offer's results are announced, material non-public figures, in a folder every
program of the machine passes through.  So each such folder is named with the computer and the process that made
it (``xlpy-validate-deskA-4242-k3j9``), and the next xlpy that makes one removes this user's of this computer whose
process is gone and that are older than :data:`ORPHANED_AFTER` (a folder of a run going on meanwhile, or of another
computer's process sharing the folder, is left alone).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from ..files.in_place import ORPHANED_AFTER  # (a folder of a process that is gone, older: removed)

__all__ = ["KINDS", "ORPHANED_AFTER", "mkdtemp", "openpyxl_files_private", "sweep", "temporary_directory"]

#: The kinds of folder, each named ``xlpy-KIND-HOST-PID-...``.
KINDS = ("validate", "lo-profile", "switch", "recalc", "save")

_NAMED = re.compile(r"xlpy-(?:%s)-(.+)-(\d+)-" % "|".join(map(re.escape, KINDS)))
#: The folder openpyxl's sheet files go to in this thread while it saves (None: the system's temporary folder).
_SAVING = threading.local()


def _host() -> str:
    """This computer's name as a folder's name gives it: letters, digits, dots and dashes, at most 40."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:40] or "host"


def _prefix(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    return f"xlpy-{kind}-{_host()}-{os.getpid()}-"


def temporary_directory(kind: str, folder: str | os.PathLike | None = None) -> tempfile.TemporaryDirectory:
    """:class:`tempfile.TemporaryDirectory` named for *kind* and this process, in *folder* (default the system's
    temporary folder), after the folders killed runs left there are removed (:func:`sweep`).  A file in it that
    cannot be removed (on Windows, one still open) leaves it for a later sweep, not an error in place of the
    command's own."""
    sweep(folder)
    return tempfile.TemporaryDirectory(prefix=_prefix(kind), dir=folder, ignore_cleanup_errors=True)


def mkdtemp(kind: str, folder: str | os.PathLike | None = None) -> str:
    """:func:`tempfile.mkdtemp` named as :func:`temporary_directory` names a folder (the caller removes it)."""
    sweep(folder)
    return tempfile.mkdtemp(prefix=_prefix(kind), dir=folder)


def sweep(folder: str | os.PathLike | None = None, now: float | None = None) -> list[Path]:
    """Remove from *folder* (default the system's temporary folder) the folders xlpy named for a process of this
    user that is gone, older than :data:`ORPHANED_AFTER`; returns those removed.  Anything that cannot be read
    or removed is passed over: the work at hand goes on."""
    from .processes import process_gone

    base, host = Path(folder if folder is not None else tempfile.gettempdir()), _host()
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        m = _NAMED.match(entry.name)
        if m is None or m.group(1) != host:  # (another computer's: its processes are not this one's to ask of)
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
            left = (entry.is_dir(follow_symlinks=False) and mine and now - st.st_mtime > ORPHANED_AFTER
                    and int(m.group(2)) != os.getpid() and process_gone(int(m.group(2)), st.st_mtime))
        except (OSError, ValueError):
            continue
        if left:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def openpyxl_files_private():
    """While openpyxl saves a workbook in this thread, its sheet files (each sheet's XML, holder rows among them,
    written to ``openpyxl.*`` temporary files until the package is made) are made in a folder of xlpy's
    (:data:`KINDS` ``save``), not loose in the system's temporary folder, where a killed save left them for good.
    Only openpyxl's files, and only this thread's: the system's temporary folder is every other caller's still."""
    _redirect_openpyxl()
    before = getattr(_SAVING, "folder", None)
    with temporary_directory("save") as folder, contextlib.ExitStack() as undo:
        _SAVING.folder = folder
        undo.callback(setattr, _SAVING, "folder", before)
        undo.callback(gc.collect)  # (a sheet writer a failed save left open lets its file go before the folder goes)
        yield Path(folder)


_REDIRECTED = threading.Lock()


def _redirect_openpyxl() -> None:
    """Have openpyxl make its sheet files through :func:`_sheet_file` (once): in the saving thread's folder, else
    where openpyxl makes them.  An openpyxl without that function is left as it is."""
    from openpyxl.worksheet import _writer

    with _REDIRECTED:
        made = getattr(_writer, "create_temporary_file", None)
        if made is None or getattr(made, "xlpy_redirected", False):
            return

        def _sheet_file(suffix=""):
            folder = getattr(_SAVING, "folder", None)
            if folder is None:
                return made(suffix)
            fd, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=folder)
            os.close(fd)
            getattr(_writer, "ALL_TEMP_FILES", []).append(name)  # (openpyxl removes it there when written)
            return name

        _sheet_file.xlpy_redirected = True
        _writer.create_temporary_file = _sheet_file
