"""The copies kept of a workbook a refresh or ``build --force`` replaces: ``NAME.YYYYmmdd-HHMMSS[-n].bak.SUFFIX``
beside it (:func:`xlpy.workbook.refresh_file.backup_path` names one).

A backup is written whole (a temporary file, renamed) and is on disk before the workbook is replaced: its data
flushed before it takes its name, its folder after, so a power cut once the workbook is renamed over the old one
finds the old one in the backup, not an empty file the file system had yet to write out.  One version is kept
once: a run killed between its backup's rename and the workbook's leaves a backup the same as the workbook, which
the next run names as its copy rather than writing another; and ``--keep N`` keeps the N newest versions, copies
of one version (an earlier xlpy's, one copied by hand) counted as one, so no older version is removed in a copy's
place.  The backups are found in any letter case where the folder names files so, and one named after now (a
clock set ahead) is never counted nor removed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from ..files.in_place import PARTIAL, InterruptedAfterWriting, flush_to_disk
from . import locks
from .locks import fsync_dir, keep_access, name_case, temp_beside

__all__ = ["BackupNotWritten", "ahead_warning", "backup_times", "backups_of", "kept_as", "named_ahead",
           "newest_same", "prune_backups", "replace_with", "write_backup"]


class BackupNotWritten(OSError):
    """The backup of a workbook could not be made (a full disk, a quota): the workbook itself is untouched.
    ``filename`` is the backup's path."""


def write_backup(target: Path, backup: Path) -> Path:
    """Copy *target* to *backup* (permissions and times kept), through a temporary file flushed to disk before it is
    renamed, and its folder after: on disk before the workbook is replaced.  An :class:`OSError` on the way is
    raised as :class:`BackupNotWritten`, so a message can say that the copy is what failed.

    When the newest backup of *target* holds it byte for byte already (:func:`newest_same`: a run killed between
    its backup's rename and the workbook's left it), nothing is written: that backup, flushed to disk as a new one
    is, is the copy kept, and returned; a second copy would count for a version in ``--keep``'s place."""

    tmp: Path | None = None
    try:
        if (same := newest_same(target)) is not None:
            backup = same  # the copy kept, flushed as a new one is (an earlier xlpy's was not; a failure said of it)
            _flushed(same)
        else:
            fd, tmp = temp_beside(target, "backup")
            os.close(fd)
            shutil.copy2(target, tmp)
            keep_access(target, tmp)
            _flushed(tmp)  # its data on disk before it takes the backup's name
            os.replace(tmp, backup)
        fsync_dir(backup.parent)  # its name too, before the workbook's rename (ordered by this, not by chance)
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
        flush_to_disk(fd)
    finally:
        os.close(fd)


def newest_same(target: Path) -> Path | None:
    """The newest backup of *target* (not one named after now: :func:`named_ahead`) when it holds *target* byte for
    byte with its owner, group and permissions (as a backup is written), a file of its own (not a link, not
    *target* under another name), else None."""
    ahead = {p.name for p in named_ahead(target)}
    there = [p for p in backups_of(target) if p.name not in ahead]
    if not there or there[-1].is_symlink():
        return None
    try:
        a, b = there[-1].stat(), target.stat()
        if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) or (a.st_mode, a.st_uid, a.st_gid) != (
                b.st_mode, b.st_uid, b.st_gid):
            return None
        return there[-1] if _same_bytes(there[-1], target) else None
    except OSError:  # (one that cannot be read: a new copy is written)
        return None


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether the files *a* and *b* hold the same bytes (their sizes first: most differ there)."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def kept_as(backup: Path, given: Path) -> str:
    """How a message names *backup*, the copy kept of the workbook given as *given*: by its name where it lies beside
    *given*, else by its path (a symbolic link's workbook is copied beside the link's target, not beside the link)."""
    if os.path.realpath(backup.absolute().parent) == os.path.realpath(given.absolute().parent):
        return backup.name
    return str(backup)


_BACKUP = r"\.([0-9]{8}-[0-9]{6})(?:-([0-9]+))?\.bak"  # (ASCII digits: a full-width one is no time)


def backup_times(target: Path) -> dict[Path, tuple[str, int]]:
    """Backups of *target* (``NAME.YYYYmmdd-HHMMSS[-n].bak.SUFFIX``) -> (their time, *n*: 1 without one), read
    from the name after *target*'s own (which may look like a backup's itself); on Windows in any letter case, as
    Windows names files (``OFFER.xlsm`` typed for ``Offer.xlsm``: the backups of both)."""

    pattern = re.compile(re.escape(target.stem) + _BACKUP + re.escape(target.suffix), name_case(target))
    found = {}
    for p in target.parent.iterdir():
        m = pattern.fullmatch(p.name)  # (not "$": a name ending in a line feed is a user's file)
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


def prune_backups(target: Path, keep: int | None, kept: Path | None = None,
                  stuck: list[tuple[Path, OSError]] | None = None) -> list[Path]:
    """Remove the backups of *target* but those of its *keep* newest versions (None: keep all): a backup the same,
    byte for byte, as a newer one is a copy of that version (an earlier xlpy's, killed between its renames; one
    copied by hand), not counted apart, and kept or removed with it, so no older version is removed in its place.
    *kept*, the one just written, is the newest whatever the time in its name (a refresh dated before an earlier
    one, a clock set apart).  One named after now (:func:`named_ahead`) is not counted among them and never
    removed: by its name it would be the newest for good, and the real newest removed in its place
    (:func:`ahead_warning` says so).  One the user may not remove (another user's, in a folder with the sticky bit)
    is left, and put in *stuck* with why (:func:`stuck_warnings`): the workbook is written by then (review 175)."""
    if keep is None:
        return []
    ahead = {p.name for p in named_ahead(target, kept)}
    old = sorted((p for p in backups_of(target) if p.name not in ahead),
                 key=lambda p: kept is not None and p.name == kept.name)  # (stable: kept last)
    version = _versions(old)
    newest = list(dict.fromkeys(version[p] for p in reversed(old)))[:keep]
    gone = []
    for p in (p for p in old if version[p] not in newest):
        try:
            p.unlink(missing_ok=True)
        except OSError as exc:
            if stuck is not None:
                stuck.append((p, exc))
            continue
        gone.append(p)
    return gone


def stuck_warnings(stuck: list[tuple[Path, OSError]], keep: int) -> list[str]:
    """The warnings of the backups ``--keep`` *keep* would have removed and could not (:func:`prune_backups`)."""
    def why(p: Path, exc: OSError) -> str:
        try:
            import pwd

            whose = f"{pwd.getpwuid(p.stat().st_uid).pw_name}'s, "
        except (ImportError, KeyError, OSError):
            whose = ""
        sticky = exc.errno in (errno.EPERM, errno.EACCES) and bool(p.parent.stat().st_mode & stat.S_ISVTX)
        where = ": a folder with the sticky bit, where only its owner may remove it" if sticky else ""
        return f"{whose}{exc.strerror or exc}{where}"

    return [f"{p.name}: not removed by --keep {keep} ({why(p, exc)}): remove it yourself, or have its owner do it"
            for p, exc in stuck]


def _versions(paths: list[Path]) -> dict[Path, object]:
    """Each of *paths* -> a key the same for files of the same bytes: their size, and their SHA-256 where another
    is of that size (only those are read); one that cannot be read is a version of its own."""
    sizes: dict[int, list[Path]] = {}
    key: dict[Path, object] = {}
    for p in paths:
        try:
            sizes.setdefault(p.stat().st_size, []).append(p)
        except OSError:
            key[p] = p
    for size, alike in sizes.items():
        for p in alike:
            key[p] = (size, _digest(p) if len(alike) > 1 else None)
    return key


def _digest(path: Path) -> object:
    """The SHA-256 of the file *path*, or *path* itself when it cannot be read."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").digest()
    except OSError:
        return path


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


def replace_with(data: bytes, target: Path, backup: Callable[[], Path] | None = None,
                 unchanged: Callable[[], None] | None = None) -> Path | None:
    """Write *data* over *target* (:func:`~xlpy.workbook.locks.write_file`, its temporary file named
    ``.~xlpy-partial.NAME.new.*``).

    *unchanged*, then *backup* (returns the backup's path), run once the temporary file is
    complete; if anything fails before the rename the backup this run wrote is removed too (a copy already there,
    named as the one kept, is left) and *target* is as it was; an interrupt once *target* is replaced is raised
    as :class:`InterruptedAfterWriting`, naming the backup.  Returns the
    backup's path.
    """
    kept: list[Path] = []
    there: set[str] = set()  # the backups there before: one named as the copy kept (the same bytes) is not this run's

    def before_replace() -> None:
        if unchanged is not None:
            unchanged()  # raises when *target* is no longer the file that was read
        if backup is not None:
            there.update(p.name for p in backups_of(target))
            kept.append(backup())

    try:
        locks.write_file(data, target, before_replace, prefix=f"{PARTIAL}{target.name}.new.")  # (the one writer)
    except InterruptedAfterWriting as exc:  # replaced: the backup holds the old one
        exc.backup = kept[0] if kept else None
        raise
    except BaseException:
        for p in kept:
            if p.name not in there:  # (one there before is left as it was)
                p.unlink(missing_ok=True)  # the original is still in place: its copy is not needed
        raise
    return kept[0] if kept else None
