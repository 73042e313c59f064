"""The copies kept of a workbook a refresh or ``build --force`` replaces: ``NAME.YYYYmmdd-HHMMSS[-n].bak.SUFFIX``
beside it (:func:`xlpy.workbook.refresh_file.backup_path` names one).

A backup is written whole (a temporary file, renamed) and is on disk before the workbook is replaced: its data
flushed before it takes its name, its folder after, so a power cut once the workbook is renamed over the old one
finds the old one in the backup, not an empty file the file system had yet to write out.  The backups are found in any letter case where the folder names files so, and one named after now (a
clock set ahead) is never counted nor removed.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

__all__ = ["BackupNotWritten", "ahead_warning", "backup_times", "backups_of", "kept_as", "named_ahead", "prune_backups",
           "write_backup"]


class BackupNotWritten(OSError):
    """The backup of a workbook could not be made (a full disk, a quota): the workbook itself is untouched.
    ``filename`` is the backup's path."""


def write_backup(target: Path, backup: Path) -> Path:
    """Copy *target* to *backup* (permissions and times kept), through a temporary file flushed to disk before it is
    renamed, and its folder after: on disk before the workbook is replaced.  An :class:`OSError` on the way is
    raised as :class:`BackupNotWritten`, so a message can say that the copy is what failed."""
    from .locks import _fsync_dir, _temp, keep_access

    tmp: Path | None = None
    try:
        fd, tmp = _temp(target, "backup")
        os.close(fd)
        shutil.copy2(target, tmp)
        keep_access(target, tmp)
        _flushed(tmp)  # its data on disk before it takes the backup's name
        os.replace(tmp, backup)
        _fsync_dir(backup.parent)  # its name too, before the workbook's rename (ordered by this, not by chance)
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, BackupNotWritten):
            raise BackupNotWritten(exc.errno, exc.strerror or str(exc), str(backup)) from exc
        raise
    return backup


def _flushed(path: Path) -> None:
    """Flush the file *path* to disk (opened to read: on Windows, where a flush needs one, to write)."""
    fd = os.open(path, (os.O_RDWR | getattr(os, "O_BINARY", 0)) if os.name == "nt" else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def kept_as(backup: Path, given: Path) -> str:
    """How a message names *backup*, the copy kept of the workbook given as *given*: by its name where it lies beside
    *given*, else by its path (a symbolic link's workbook is copied beside the link's target, not beside the link)."""
    if os.path.realpath(backup.absolute().parent) == os.path.realpath(given.absolute().parent):
        return backup.name
    return str(backup)


_BACKUP = r"\.(\d{8}-\d{6})(?:-(\d+))?\.bak"


def backup_times(target: Path) -> dict[Path, tuple[str, int]]:
    """Backups of *target* (``NAME.YYYYmmdd-HHMMSS[-n].bak.SUFFIX``) -> (their time, *n*: 1 without one), read
    from the name after *target*'s own (which may look like a backup's itself); on Windows in any letter case, as
    Windows names files (``OFFER.xlsm`` typed for ``Offer.xlsm``: the backups of both)."""
    from .locks import _name_case

    pattern = re.compile(re.escape(target.stem) + _BACKUP + re.escape(target.suffix) + "$", _name_case(target))
    found = {}
    for p in target.parent.iterdir():
        m = pattern.match(p.name)
        if m and p.is_file():
            found[p] = (m.group(1), int(m.group(2) or 1))
    return found


def backups_of(target: Path) -> list[Path]:
    """Backups of *target*, oldest first: by the time in their names (UTC), then by the number after it."""
    found = backup_times(target)
    return sorted(found, key=found.__getitem__)


def named_ahead(target: Path, kept: Path | None = None) -> list[Path]:
    """Backups of *target* named after now (the computer's clock, UTC) by more than
    :data:`xlpy.workbook.clock.AHEAD`, oldest first: written by a clock set ahead, so the newest by their names
    though they are not; *kept*, the one just written, is none of them."""
    from . import clock

    later = (clock.computer_now() + clock.AHEAD).strftime("%Y%m%d-%H%M%S")
    found = backup_times(target)
    return [p for p in sorted(found, key=found.__getitem__)
            if found[p][0] > later and not (kept is not None and p.name == kept.name)]


def prune_backups(target: Path, keep: int | None, kept: Path | None = None) -> list[Path]:
    """Remove all but the *keep* newest backups of *target* (None: keep all); *kept*, the one just written, is the
    newest whatever the time in its name (a refresh dated before an earlier one, a clock set apart).  One named
    after now (:func:`named_ahead`) is not counted among them and never removed: by its name it would be the
    newest for good, and the real newest removed in its place (:func:`ahead_warning` says so)."""
    if keep is None:
        return []
    ahead = {p.name for p in named_ahead(target, kept)}
    old = sorted((p for p in backups_of(target) if p.name not in ahead),
                 key=lambda p: kept is not None and p.name == kept.name)  # (stable: kept last)
    gone = old[:max(len(old) - keep, 0)]
    for p in gone:
        p.unlink(missing_ok=True)
    return gone


def ahead_warning(target: Path, keep: int | None, kept: Path | None = None) -> str | None:
    """The warning of a refresh or build that prunes the backups of *target* (``--keep`` *keep*; None: it prunes
    none, nothing to say) when some are named after now (:func:`named_ahead`), naming them; else None."""
    ahead = named_ahead(target, kept) if keep is not None else []
    if not ahead:
        return None
    from . import clock

    one = len(ahead) == 1
    what = "a backup is" if one else f"{len(ahead)} backups are"
    it, they = ("it", "it was") if one else ("them", "they were")
    return (f"{what} named after now ({clock.computer_now():%Y-%m-%d %H:%M:%S} UTC, this computer's clock): "
            f"{', '.join(p.name for p in ahead)}: a clock was set ahead when {they} written (or this computer's is "
            f"behind); not counted among the {keep} newest (--keep {keep}) and never removed by --keep: remove {it} "
            "once no longer needed")
