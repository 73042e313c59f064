"""A CSV a program may still be writing: one that ends inside a line is looked at again a moment later.

An exchange agent's tally or a vendor's price file copied while its transfer
is under way ends part-way through a line: ``R-18467,certificate,tendered,7``
where 700 is coming, or a volume of 18 where 1,859,000 is.  Such a line reads
as a whole one.  A file that ends without a line break is therefore looked at
again after :data:`PAUSE` seconds: one that has changed meanwhile is refused,
naming it.  One that stays as it is was saved that way (Google Sheets and
Notepad end a file without a line break) and is read.  A file that was cut
short and is no longer being written cannot be told from one saved so.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..engine.errors import Busy, InputError, InputErrors

__all__ = ["PAUSE", "check_package_settled", "check_settled", "package_still_written"]

#: Seconds to wait before looking again at a file that ends inside a line.
PAUSE = 0.5

#: The last bytes of a file that ends with a line break: UTF-8 or a legacy code page, UTF-16 LE and BE.
_LINE_ENDS = (b"\n", b"\r", b"\n\x00", b"\r\x00", b"\x00\n", b"\x00\r")


def check_settled(path: Path) -> None:
    """Refuse *path* when it ends inside a line and changes within :data:`PAUSE` seconds (still being written)."""
    try:
        before = path.stat()
        if before.st_size == 0:
            return
        with open(path, "rb") as fh:
            fh.seek(max(0, before.st_size - 2))
            tail = fh.read(2)
        if tail.endswith(_LINE_ENDS):
            return
        time.sleep(PAUSE)
        after = path.stat()
    except OSError:  # locked, gone: the reader says why
        return
    if (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
        return
    grew = f"grew from {before.st_size:,} to {after.st_size:,} bytes" if after.st_size != before.st_size else \
        "changed"
    raise InputErrors([Busy(path.name, None, f"is still being written: it ended inside a line and {grew} "
                                  f"within {PAUSE:g} s; read it again when it is complete", show_value=False)])


#: How a zip package (an XLSX) begins: its first part's local header.
_ZIP_START = b"PK\x03\x04"


def check_package_settled(path: Path) -> None:
    """Refuse *path*, a zip package (an XLSX) without its end record, as still being written when it changes within
    :data:`PAUSE` seconds, else as cut short (a copy or a download that did not finish): a zip package's directory is
    written last, so a package being copied is no zip package until its last bytes come."""
    if not _endless(path):
        return
    busy = package_still_written(path, path.name)
    if busy is not None:
        raise InputErrors([busy])
    raise InputErrors([InputError(path.name, None, "is cut short: a zip package (XLSX) without its end, as a copy or "
                                  "download that did not finish leaves it; copy it again", show_value=False)])


def _endless(path: Path) -> bool:
    """Whether *path*, a file (a pipe or a device is never opened here: nothing waits on it), begins as a zip package
    does but has no end record (yet)."""
    import zipfile

    try:
        if not path.is_file():
            return False
        with open(path, "rb") as fh:
            return fh.read(4) == _ZIP_START and not zipfile.is_zipfile(fh)
    except OSError:  # locked, gone: the reader says why
        return False


def package_still_written(path: Path, field: str, then: str = "read it again when it is complete",
                          unchanged: bool = False) -> Busy | None:
    """*path* as a zip package still being written (no end record yet, and it changes within :data:`PAUSE`
    seconds: a workbook or an XLSX being copied into place), named by *field*, or None (a whole package, one cut
    short that no longer changes, or no package).  *then*: what to do (a busy file is tried again later), and
    *unchanged* whether it says the file was left as it was (:attr:`~xlpy.engine.errors.InputError.unchanged`)."""
    if not _endless(path):
        return None
    try:
        before = path.stat()
        time.sleep(PAUSE)
        after = path.stat()
    except OSError:
        return None
    if (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
        return None
    grew = f"grew from {before.st_size:,} to {after.st_size:,} bytes" if after.st_size != before.st_size else \
        "changed"
    return Busy(field, None, f"is still being written: its zip package has no end yet and {grew} within {PAUSE:g} s; "
                f"{then}", show_value=False, unchanged=unchanged)
