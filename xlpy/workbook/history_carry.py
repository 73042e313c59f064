"""History carried from an earlier workbook of the same offer into a new build (``xlpy build --history-from OLD``).

A workbook of an earlier layout is rebuilt, never read as this layout's (:mod:`xlpy.workbook.rebuild`); without
this its History, the record of every count the offer has had, stays behind in the old file.  The old workbook's
History rows are read by the name of the table's first column (``HistWhen``, which every layout has kept), their
columns checked against this layout's by their headers, and written into the new workbook in place of a row of
the build's own, as they stand: a record is carried, never recomputed (a layout-14 History has no price file, its
SHA-256, user or xlpy version, which layout 15 added: those are blank in its rows).  The old workbook must be of the
same offer (its ``OfferId``), so one offer's counts never land in another's History.  A tally or price file a row
records relative to the old workbook's folder, and that is there, is recorded relative to the new one's
(:func:`rebased`), so it names the same file; any other record is carried as it stands.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..engine.errors import Busy, InputError
from .layout.history import HISTORY_COLUMNS

__all__ = ["FIELD", "carried_history", "clock_behind", "rebased", "refuse_if_written", "sign_off_left",
           "still_as_read"]

#: The command-line option a problem of the old workbook is named by.
FIELD = "--history-from"

_RANGE = re.compile(r"'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<first>[0-9]+)"
                    r"(?::\$?[A-Z]{1,3}\$?(?P<last>[0-9]+))?")


#: Headers earlier layouts gave History's columns, by this layout's (the charge was "Induced charge" to layout 6).
EARLIER_HEADERS = {"Charge": ("Induced charge",)}
#: The columns a History carried must have; any other this layout's History has is blank where the old one lacks it.
REQUIRED = ("When (UTC)", "Units tendered")
#: History's columns of text (the others hold numbers).
TEXT_COLUMNS = ("when", "tally", "sha256", "prices", "price_sha256", "user", "version")
#: The widest History header row read (this layout's has 16 columns).
_WIDEST = 24


def carried_history(path: Path, offer_id: str, folder: Path | None = None) -> list[tuple]:
    """The History rows of the standard workbook at *path* (one per build or refresh it recorded, blank rows left
    out), each as :data:`HISTORY_COLUMNS` orders a row, oldest first, for a new build of the offer *offer_id*.
    Columns are found by their headers (an earlier layout's names too: :data:`EARLIER_HEADERS`); one the old
    History lacks is blank.  Raises :class:`InputError` naming :data:`FIELD` and *path* when the file is no xlpy
    workbook, is another offer's, or holds a History that is no record to carry (a formula, text in a column of
    numbers: named by its cell).  *folder*: the new workbook's, which the rows' tally files are recorded from
    (:func:`rebased`; None: as the old workbook recorded them)."""
    from ..files.steady import not_found
    from . import locks
    from .backends import PackageBook
    from .layout.model import LAYOUT_NAME

    def refused(why: str) -> InputError:
        return InputError(FIELD, str(path), why)

    if not path.is_file():
        raise refused(("names no workbook that exists" if not path.is_symlink() else not_found(path, "workbook"))
                      if not path.exists() else "is not a file")  # (a link to nothing there: review 176)
    busy = locks.busy_message(path, leftover="delete {file}")
    if busy is not None:  # (Excel holds the rows a button refreshed until they are saved: they would be lost)
        raise Busy(FIELD, str(path), f"{busy} (its History is read as last saved: rows a refresh wrote there and "
                   "not saved would not be carried)")
    refuse_if_written(path)
    from ..files.settled import package_still_written

    if still := package_still_written(path, FIELD, "build again when it is complete; nothing was written"):
        raise Busy(FIELD, str(path), still.reason, unchanged=True)  # (a copy under way: exit 3, try later)
    from ..files.safety import check_package
    from .package_checks import check_file

    check_package(path, f"{FIELD}: {path}")  # (a bomb refused before anything is unpacked; then a part that is not
    # well-formed XML, as a refresh refuses it)
    check_file(path, f"{FIELD}: {path}", "nothing was written", unchanged=True)
    try:
        book = PackageBook(path)
    except Exception as exc:  # noqa: BLE001  (not a package, a damaged one: said as the reader says it)
        raise refused(f"cannot be read as a workbook ({exc})") from None
    try:
        if book.name(LAYOUT_NAME) is None:
            raise refused("is not a standard xlpy workbook (it holds no name xlpyLayout)")
        theirs = _offer_id(book)
        if theirs != offer_id:
            raise refused(f"is the workbook of another offer ({theirs!r}, not {offer_id!r}): its counts are not "
                          "this offer's")
        m = _RANGE.fullmatch((book.name("HistWhen") or "").strip())
        if m is None:
            raise refused("holds no History table this xlpy can read (no name HistWhen)")
        rows = _rows(book, m, refused)
    finally:
        book.close()
    old = Path(os.path.realpath(path)).parent  # (a refresh through a link records from its target's folder)
    at = [HISTORY_COLUMNS.index(k) for k in ("tally", "prices")]  # (the files a row records, by the new folder)
    rows = [tuple(rebased(v, old, folder) if i in at else v for i, v in enumerate(r)) for r in rows]
    return sorted(rows, key=lambda r: str(r[0]))  # (a History sorted newest first is carried oldest first)


#: Why an earlier workbook that changed while its History was read is refused (as validate words one).
CHANGED_MEANWHILE = ("changed while its History was read (another program or xlpy wrote it meanwhile): what was read "
                     "is of no one version of the file, so nothing is carried from it; build again once that is done; "
                     "nothing was written")


def refuse_if_written(path: Path) -> None:
    """Refuse the earlier workbook at *path* as busy (:class:`Busy`, exit status 3) while another xlpy holds its
    refresh lock (:func:`xlpy.workbook.lock_held.held`): a refresh under way adds a row its History, read now, would
    lack, and the rows carried were those of the version before it, without a word.  A lock this very process
    holds (a script's other thread or call) is said as such, as a writer refused by it is told."""
    from .lock_held import held

    lock = held(path)
    if lock is None:
        return
    if lock.by_this_process:  # (a script's other thread or call, as a writer refused by it is told)
        raise Busy(FIELD, str(path), f"this process is writing it already, in another thread or call ({lock.holder}; "
                   f"lock file {lock.lock}): its History, read now, is of the version that call is replacing, without "
                   "the row a refresh adds; wait for that to finish, then build again, and leave the lock file, which "
                   "goes when it does; nothing was written", unchanged=True)
    wait = ("or delete the lock file if no xlpy is running (a crash left it)" if lock.exclusive else
            "and leave the lock file, which goes when it does")
    raise Busy(FIELD, str(path), f"another xlpy is writing it ({lock.holder}; lock file {lock.lock}): its History, "
               f"read now, is of the version that xlpy is replacing, without the row a refresh adds; build again once "
               f"the other xlpy is done, {wait}; nothing was written", unchanged=True)


def still_as_read(path: Path, digest: str | None) -> None:
    """Refuse the earlier workbook at *path*, once all that is carried of it has been read, when another xlpy holds
    its lock now (:func:`refuse_if_written`), or when its SHA-256 is no longer *digest*, as it was before the first read
    (:func:`xlpy.workbook.findings.file_digest`, as validate compares a workbook's): written over meanwhile, what was
    read is of no one version of it."""
    from .findings import file_digest

    refuse_if_written(path)
    if file_digest(path) != digest:
        raise Busy(FIELD, str(path), CHANGED_MEANWHILE, unchanged=True)


def rebased(text: object, old: Path, new: Path | None) -> object:
    """The tally or price file *text* a History row of a workbook in folder *old* records, as a workbook in folder *new*
    records it (:func:`xlpy.files.recorded.recorded_path`: relative where the old record was relative, so it
    names the same file).  A record is rewritten only when it names, relative to *old*, a file that is there; an
    absolute path (of this system or another: ``C:/Deals/t.csv``, ``//server/share/t.csv``, ``/mnt/t.csv``), an
    address (``https://...``), a file no longer there, text that is no path, and any row of a workbook in the same
    folder are carried as they stand."""
    from pathlib import PurePosixPath, PureWindowsPath

    from ..files.recorded import NO_PRICE_FILE, NO_TALLY_FILE, TYPED_COUNTS, recorded_path, written_path

    if new is None or not isinstance(text, str) or not text.strip() or text in (NO_TALLY_FILE, NO_PRICE_FILE,
                                                                                TYPED_COUNTS):
        return text
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).drive or _ADDRESS.match(text):
        return text
    given = written_path(text)
    if os.path.realpath(old) == os.path.realpath(new) or not (old / given).is_file():
        return text
    return recorded_path(old / given, new, False)


#: An address rather than a path (``https://``, ``file:``): a scheme of two letters or more, then a colon.
_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


def _rows(book, m: re.Match, refused) -> list[tuple]:
    """The History rows the name HistWhen (matched as *m*) begins, their columns found by their headers, each cell
    checked as a record (*refused* makes the problem)."""
    import datetime as dt

    from openpyxl.utils import column_index_from_string, get_column_letter

    from .layout import Shape, layout

    sheet, first, last = m["sheet"].replace("''", "'"), int(m["first"]), int(m["last"] or m["first"])
    col = column_index_from_string(m["col"])
    header = book.get_rows(sheet, f"{m['col']}{first - 1}:{get_column_letter(col + _WIDEST - 1)}{first - 1}")
    found = [str(v or "").strip() for v in (header[0] if header else ())]
    columns = [c for c in layout(Shape()).table("tblHistory")[1].columns if c.key in HISTORY_COLUMNS]
    at = {c.key: next((i for i, h in enumerate(found) if h in (c.header, *EARLIER_HEADERS.get(c.header, ()))), None)
          for c in columns}
    lacking = [c.header for c in columns if c.header in REQUIRED and at[c.key] is None]
    if lacking:
        raise refused(f"holds a History without {' or '.join(lacking)} (its columns: {', '.join(filter(None, found))})"
                      ": no record of counts to carry")
    width = max(i for i in at.values() if i is not None) + 1
    cells = book.get_rows(sheet, f"{m['col']}{first}:{get_column_letter(col + width - 1)}{last}")
    out = []
    for n, raw in enumerate(cells):
        if all(v in (None, "") for v in raw):
            continue
        row = []
        for c in columns:
            v = raw[at[c.key]] if at[c.key] is not None and at[c.key] < len(raw) else None
            where = f"{sheet}!{get_column_letter(col + (at[c.key] or 0))}{first + n}"
            if isinstance(v, str) and v.startswith("="):
                raise refused(f"holds a formula in History at {where} ({v}): a record is carried as it stands, "
                              "never recomputed; put its value there, or clear it")
            if c.key == "when" and isinstance(v, (dt.date, dt.datetime)):  # (a time Excel read as a date)
                v = v.strftime("%Y-%m-%d %H:%M:%S")
            elif c.key not in TEXT_COLUMNS and not (v is None or type(v) in (int, float)):  # (bool: no number)
                raise refused(f"holds {v!r} in History at {where}, a column of numbers ({c.header}): correct the "
                              "cell, or clear it")
            row.append(v)
        out.append(tuple(row))
    return out


def clock_behind(rows: list[tuple], when: str, old: str) -> str | None:
    """The warning of a build at *when* (``YYYY-MM-DD HH:MM:SS`` UTC) that carries *rows*, the History of the earlier
    workbook *old*, whose last row is timed after it, as a refresh timed so warns
    (:func:`xlpy.workbook.layout.history.went_back`), or None: a clock set ahead when the row was written, or this
    computer's behind.  The build adds no row of its own; the next refresh's goes after that row, timed before it."""
    from .layout.history import latest, went_back

    last = latest(rows)
    said = None if last is None else went_back(
        last, (when,), False, "build", f"the rows are carried from {old} as they stand, the build adding none of its "
        "own; the next refresh's row goes at the end of the table all the same, the last, which the Cover shows as "
        "the latest count")
    return None if said is None else said.removeprefix("warning: ")  # (the command says it is one)


def sign_off_left(path: Path) -> str | None:
    """The warning that the sign-off in the Review block of the earlier workbook at *path* (read after
    :func:`carried_history` read its History) is not carried into the rebuild, or None when the block is blank, or
    the workbook has none (layout 14 and earlier): :func:`xlpy.workbook.review.not_carried`."""
    from .backends import PackageBook
    from .review import SIGN_OFF, not_carried

    with PackageBook(path) as book:
        values = {name: _named_cell(book, name) for pair in SIGN_OFF for name in pair[:2]}
    return not_carried(values.get, str(path))


#: Where xlwings Lite keeps a workbook's Python code (``main.py``, ``requirements.txt``): an Office add-in's parts.
LITE_PARTS = "xl/webextensions/"


def lite_left(path: Path) -> str | None:
    """The warning that an Office add-in's data the earlier workbook at *path* holds (xlwings Lite's project: its
    ``main.py``, the functions ``xlpy lite`` wrote and any code of one's own pasted beside them) is not carried into
    the rebuild, which is built from the template; None when it holds none."""
    from .backends import PackageBook

    with PackageBook(path) as book:
        held = any(name.startswith(LITE_PARTS) for name in book.pkg.names())
    if not held:
        return None
    return (f"--history-from: {path} holds an Office add-in's data ({LITE_PARTS}: where xlwings Lite keeps its "
            "Python code, main.py, with any of your own pasted into it); it is not carried: the rebuilt workbook "
            "has none. If it is xlwings Lite's, open the old workbook in Excel and copy the code from xlwings Lite's "
            "editor into the new one's, or write the functions again with xlpy lite and paste them there")


def _named_cell(book, name: str) -> object:
    """The value of the one cell the defined *name* points at in *book*, or None (no such name)."""
    m = _RANGE.fullmatch((book.name(name) or "").strip())
    return book.get(m["sheet"].replace("''", "'"), f"{m['col']}{m['first']}") if m else None


def _offer_id(book) -> object:
    """The offer id the workbook's Inputs hold (its ``OfferId``), or None."""
    return _named_cell(book, "OfferId")
