"""How a workbook's Cover records a source file: its path, written so it reads back on any system, and its digest."""

from __future__ import annotations

import errno
import os
import unicodedata
from pathlib import Path

from ..engine.errors import XlpyError
from ..engine.numbers import to_whole
from . import steady

__all__ = ["NO_PRICE_FILE", "NO_TALLY_FILE", "SEED_OFFER", "TYPED_COUNTS", "composed_alike", "recorded_offer",
           "recorded_path", "same_bytes", "same_place", "same_record", "sha256", "written_path"]


def sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file, hex, for the record on the workbook's cover; within a build or a refresh, that of the
    bytes its reader read (:mod:`xlpy.files.steady`)."""
    try:
        hashed = steady.digest(path)
    except OSError as exc:
        steady.gone(path, exc)  # a file its reader read, within a build or a refresh: refused by name
        raise
    steady.unchanged(path, hashed)
    return hashed


#: What a build records on the Cover when the workbook has no tally file or no price file: the only recorded
#: texts that name no file.  Any other text recorded there is a path, read back whatever its suffix.
NO_TALLY_FILE = "aggregate counts in the offer file"
NO_PRICE_FILE = "none: the ratio is fixed"
#: What a History row records, in its tally column, of aggregate counts no file gave that moved since the offer
#: file's (typed into the workbook): the Cover's record stays :data:`NO_TALLY_FILE` (no count file).
TYPED_COUNTS = "counts typed in the workbook"
#: The built-in example's offer file (``xlpy.examples``), which ``xlpy build`` builds, and records, when given none.
SEED_OFFER = "hecla-2004.toml"


def written_path(text: str) -> Path:
    """A path as written in an offer file or on the Cover: ``\\`` read as ``/`` where ``/`` is the separator."""
    return Path(text.replace("\\", "/") if os.sep == "/" else text)


def composed_alike(path: Path) -> Path:
    """*path*, or the file in its folder whose name differs from it only in how its accents are composed (a Mac
    decomposes them: ``e`` and a combining accent where Windows wrote ``é``), if *path* itself is not there."""
    try:
        if path.is_file() or not path.parent.is_dir():
            return path
        want = unicodedata.normalize("NFC", path.name)
        return next((p for p in path.parent.iterdir() if unicodedata.normalize("NFC", p.name) == want), path)
    except OSError:  # a folder it may not list
        return path


def recorded_path(path: Path, folder: Path | None, given_absolute: bool) -> str:
    """*path* as the Cover of a workbook in *folder* records it, with ``/`` separators.

    Folders are resolved (the workbook's and the file's, so both are compared in the same terms), the file's own
    name is not: a symbolic link is recorded as the link, and read again as the link.  A file in *folder* or below
    is recorded relative to it; one outside, absolute when it was given absolute (a price file on a shared drive
    survives a move of the deal folder), else relative (``../data/t.csv``).  Absolute also when no relative path
    leads there (another drive, on Windows) or there is no folder.
    """
    path = Path(os.path.realpath(path.absolute().parent)) / path.name
    if folder is not None:
        try:
            relative = Path(os.path.relpath(path, os.path.realpath(folder)))
        except ValueError:  # another drive (Windows)
            return path.as_posix()
        if not (given_absolute and relative.parts[:1] == (os.pardir,)):
            return relative.as_posix()
    return path.as_posix()


def recorded_offer(text: object, folder: Path | None) -> tuple[Path, str] | None:
    """The offer file the Cover's record *text* names for a workbook in *folder*, and how to name it from there.

    The path recorded, relative to *folder* (or absolute), is followed first; a workbook moved or sent on with its
    offer file beside it finds the file of that name there (a workbook built before the build recorded the path
    records the name alone).  Each with its accents as the file there has them.  None when nothing is recorded,
    there is no folder (a workbook not on disk), or neither file is there.  The text returned is the path from
    *folder* (absolute, as recorded, for a file given absolute outside it), with ``/`` separators:
    ``../offers/offer.toml``, ``offer.toml``.  A folder that cannot be listed raises :class:`OSError`.
    """
    text = str(text or "").strip()
    if folder is None or not text:
        return None
    given = written_path(text)
    for path, named in ((given if given.is_absolute() else folder / given, given.as_posix()),
                        (folder / given.name, given.name)):
        try:
            path = composed_alike(path)
            if not (given.name and path.is_file()):
                continue
        except OSError as exc:  # (a name no file can have: a record typed over with a long text)
            if exc.errno == errno.ENAMETOOLONG:
                continue
            raise
        return path, named if path.name == given.name else (Path(named).parent / path.name).as_posix()
    return None


def same_place(text: str, path: Path, folder: Path) -> bool:
    """Whether the recorded *text* names *path* (folders resolved, names kept), in whatever spelling."""
    return recorded_path(folder / written_path(text), folder, True) == recorded_path(path, folder, True)


def same_bytes(a: str, b: str, folder: Path | None) -> bool:
    """Whether two recorded texts name one file, or files of the same bytes (a mapping sent again under another
    name), read relative to *folder*; both blank: True; one blank, or a file gone: False."""
    if a == b:
        return True
    if not a or not b:
        return False
    paths = [written_path(t) if written_path(t).is_absolute() or folder is None else folder / written_path(t)
             for t in (a, b)]
    try:
        return all(p.is_file() for p in paths) and paths[0].read_bytes() == paths[1].read_bytes()
    except OSError:
        return False


def same_record(held: object, want: object) -> bool:
    """A cell of the record (*held*, as the workbook holds it) is *want*: blank cells equal ``""``, numbers compare
    as numbers (a count of rows saved as 299.0 is 299)."""
    if isinstance(want, str):
        return ("" if held is None else str(held).strip()) == want
    try:
        return held is not None and to_whole(held, "cell") == want
    except (ArithmeticError, TypeError, ValueError, XlpyError):
        return False
