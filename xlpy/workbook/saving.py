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
import threading
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
    with _saving() as ignored:  # (what openpyxl's sheet writers met as they closed, printed and not raised)
        try:
            with leftovers.openpyxl_files_private():
                wb.save(buf)
        except BaseException as exc:  # (an interrupt mid-save: openpyxl's zip let go now, while its buffer is open,
            traceback.clear_frames(exc.__traceback__)  # not at the interpreter's exit: "Exception ignored ...")
            gc.collect()  # (a sheet writer let go now meets what it meets while saving, not on the screen)
            _temporary_folder_full(exc)
            raise
    for exc in ignored:  # (the temporary folder full raised as such; anything else printed as Python would)
        _temporary_folder_full(exc)
    for exc in ignored:
        sys.unraisablehook(_Unraisable(exc))
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


class _Saves:
    """What saves under way in this process, in any thread, patch for their span: openpyxl's number text
    (:func:`_number_text`) and Python's hook for errors it only prints (:func:`_noted`).  The first save to start
    patches them and the last to end puts back what it found: two saves at once, each patching and putting back for
    itself, left openpyxl patched for good when they ended crosswise, and a save meanwhile wrote openpyxl's 16 digits
    (as the one that ended first put back the plain text) or had its printed errors taken by the other."""

    lock = threading.Lock()
    count = 0  # saves under way
    plain: Callable | None = None  # openpyxl's own number text, while patched
    hook: Callable | None = None  # the hook for unraisable errors found, while patched
    thread = threading.local()  # .ignored: what this thread's save was given by that hook


@contextlib.contextmanager
def _saving():
    """For the span of a save in this thread, openpyxl's number cells exact (:func:`_number_text`) and the errors
    printed as an object is let go in this thread gathered in the list given (those of other threads are printed as
    ever); the patches are shared by every save under way (:class:`_Saves`)."""
    from openpyxl.cell import _writer

    with _Saves.lock:
        if _Saves.count == 0:
            _Saves.plain, _writer.safe_string = _writer.safe_string, _number_text
            _Saves.hook, sys.unraisablehook = sys.unraisablehook, _noted
        _Saves.count += 1
    before, _Saves.thread.ignored = getattr(_Saves.thread, "ignored", None), []
    try:
        yield _Saves.thread.ignored
    finally:
        _Saves.thread.ignored = before
        with _Saves.lock:
            _Saves.count -= 1
            if _Saves.count == 0:
                _writer.safe_string, sys.unraisablehook = _Saves.plain, _Saves.hook


def _noted(unraisable) -> None:
    """The hook for unraisable errors while any thread saves: one met in a saving thread is noted for its save
    (:func:`workbook_bytes` raises a full temporary folder, prints the rest); another thread's is printed as before."""
    ignored = getattr(_Saves.thread, "ignored", None)
    if ignored is None:
        _Saves.hook(unraisable)
    else:
        ignored.append(unraisable.exc_value)


def _number_text(value):
    """openpyxl's text for a cell's *value*, a number's reading back as the binary number nearest its value.

    openpyxl writes a number's first 16 significant digits (``"%.16g"``), and
    for some numbers that names another one: the double nearest 100/3 (a note's
    original ratio at a $30 conversion price) is 33.333333333333336, written
    33.33333333333334, the double below it, so Excel, LibreOffice and the
    validator read a ratio the offer file does not hold; a whole number of 17
    digits or more loses its last.  Such a number is written as its shortest
    exact form (``repr`` of the float, up to 17 digits; an int whole); every
    other cell's text stays as openpyxl writes it.
    """
    plain = _Saves.plain
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return plain(value)
    if isinstance(value, int):
        return str(value)
    short = plain(value)
    return short if not short or float(short) == float(value) else repr(float(value))


def atomic_save(wb, out: str | os.PathLike, when: dt.datetime | None = None, post=None,
                backup: Callable[[], Path] | None = None) -> Path:
    """Save *wb* to a temporary file beside *out*, normalise it, then replace *out*.

    Normalising sets every zip entry's time to *when* (or 1980-01-01) so the
    same workbook gives the same bytes; an interrupted save leaves *out* as it was.
    *post*, if given, turns the package bytes into the bytes written (what
    openpyxl cannot make: the Cover's buttons).  *backup*, if given, copies the
    file *out* replaces once the new one is complete, and returns the copy's
    path (:func:`xlpy.workbook.backups.replace_with`: removed again if the
    replacing fails).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = workbook_bytes(wb, when)
    if post is not None:
        data = post(data)
    from .backups import replace_with

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
