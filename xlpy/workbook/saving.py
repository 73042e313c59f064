"""An openpyxl workbook saved to bytes the same way every time, and put in place atomically.

openpyxl's save is made deterministic (every zip entry's time the build's),
its number cells exact (the binary number nearest their value), and its
failures told: a sheet it wrote through a full temporary folder, which it
only prints, is raised as the full folder it is, never packaged short.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import io
import os
import re
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from . import leftovers

__all__ = ["atomic_save", "workbook_bytes"]


def workbook_bytes(wb, when: dt.datetime | None = None) -> bytes:
    """*wb* saved to bytes, normalised: every zip entry's time is *when* (or 1980-01-01)."""
    buf = io.BytesIO()
    ignored: list[BaseException] = []  # what openpyxl's sheet writers met as they closed, printed and not raised
    hook, sys.unraisablehook = sys.unraisablehook, lambda u: ignored.append(u.exc_value)
    try:
        with _numbers_whole(), leftovers.openpyxl_files_private():
            wb.save(buf)
    except BaseException as exc:  # (an interrupt mid-save: openpyxl's zip let go now, while its buffer is open, not
        traceback.clear_frames(exc.__traceback__)  # at the interpreter's exit: "Exception ignored ... closed file")
        gc.collect()  # (a sheet writer let go now meets what it meets under the hook above, not on the screen)
        _temporary_folder_full(exc)
        raise
    finally:
        sys.unraisablehook = hook
    for exc in ignored:  # (the temporary folder full raised as such; anything else printed as Python would)
        _temporary_folder_full(exc)
    for exc in ignored:
        hook(_Unraisable(exc))
    return _normalise_zip(buf.getvalue(), when)


class _Unraisable:
    """What :data:`sys.unraisablehook` is given, for one passed on as it came."""

    def __init__(self, exc: BaseException):
        self.exc_type, self.exc_value, self.exc_traceback = type(exc), exc, exc.__traceback__
        self.err_msg, self.object = None, None


def _temporary_folder_full(exc: BaseException) -> None:
    """*exc*, met writing a sheet to openpyxl's temporary file, raised as the full temporary folder it says."""
    full = re.search(r"IO_E(NOSPC|DQUOT)", str(exc)) if not isinstance(exc, OSError) else None
    if full:  # lxml's SerialisationError
        code = errno.ENOSPC if full.group(1) == "NOSPC" else getattr(errno, "EDQUOT", errno.ENOSPC)
        raise OSError(code, os.strerror(code), tempfile.gettempdir()) from None


@contextlib.contextmanager
def _numbers_whole():
    """While openpyxl saves, a number cell's text reads back as the binary number nearest its value.

    openpyxl writes a number's first 16 significant digits (``"%.16g"``), and
    for some numbers that names another one: the double nearest 100/3 (a note's
    original ratio at a $30 conversion price) is 33.333333333333336, written
    33.33333333333334, the double below it, so Excel, LibreOffice and the
    validator read a ratio the offer file does not hold; a whole number of 17
    digits or more loses its last.  Such a number is written as its shortest
    exact form (``repr`` of the float, up to 17 digits; an int whole); every
    other cell's text stays as openpyxl writes it.
    """
    from openpyxl.cell import _writer

    plain = _writer.safe_string

    def text(value):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return plain(value)
        if isinstance(value, int):
            return str(value)
        short = plain(value)
        return short if not short or float(short) == float(value) else repr(float(value))

    _writer.safe_string = text
    try:
        yield
    finally:
        _writer.safe_string = plain


def atomic_save(wb, out: str | os.PathLike, when: dt.datetime | None = None, post=None,
                backup: Callable[[], Path] | None = None) -> Path:
    """Save *wb* to a temporary file beside *out*, normalise it, then replace *out*.

    Normalising sets every zip entry's time to *when* (or 1980-01-01) so the
    same workbook gives the same bytes; an interrupted save leaves *out* as it was.
    *post*, if given, turns the package bytes into the bytes written (what
    openpyxl cannot make: the Cover's buttons).  *backup*, if given, copies the
    file *out* replaces once the new one is complete, and returns the copy's
    path (:func:`xlpy.workbook.locks.replace_with`: removed again if the
    replacing fails).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = workbook_bytes(wb, when)
    if post is not None:
        data = post(data)
    from .locks import replace_with

    replace_with(data, out, backup)  # (its temporary file a killed build's: the next one removes it)
    return out


def _normalise_zip(data: bytes, when: dt.datetime | None) -> bytes:
    stamp = (when or dt.datetime(1980, 1, 1)).timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            part = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet") and not part.rstrip().endswith(b"</worksheet>"):
                # openpyxl writes each sheet through a temporary file, and a failure as it closes one (the
                # temporary folder full) is printed, not raised: the sheet comes back cut short
                raise OSError(errno.ENOSPC, f"{info.filename} was written incomplete through a temporary file (is "
                              "the temporary folder full?)", tempfile.gettempdir())
            if info.filename == "docProps/core.xml" and when is not None:
                # openpyxl stamps "modified" with the clock at save time.
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", part)
            dst.writestr(zi, part)
    return out.getvalue()
