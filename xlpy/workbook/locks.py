"""Busy and protected workbooks: who has the file open, xlpy's own lock, and the safe replacement.

A refresh replaces the workbook.  It must not do so when:

* someone has it open in Excel (Excel keeps an owner file ``~$NAME`` beside
  it: a length byte, the user name in the ANSI code page padded to 54 bytes,
  then a two-byte length and the name again in UTF-16) or in LibreOffice
  (``.~lock.NAME#``: one CSV line, ``full name,user,host,date,profile;``):
  the person would save over the refresh or lose their own work;
* another ``xlpy refresh`` or ``xlpy build`` is writing it
  (``.~xlpy.NAME.lock``, held with ``fcntl.flock`` where there is one, else
  created with ``O_EXCL``; the kernel releases a flock when the process ends
  however it ends; an ``O_EXCL`` file left by a crash is named, with how to
  remove it);
* the file is read-only (replacing a file needs no write permission on the
  file, so this is checked rather than left to the system).

``xlpy build --force`` replaces a workbook only under the same conditions
(its ``--force`` overrides neither an owner file nor a read-only file).

A workbook reached through a symbolic link is refreshed at its target, in
the target's folder, and the link stays a link.  Every file xlpy writes
beside the workbook is first written as ``.~xlpy-partial.NAME.*.tmp`` and
renamed into place; a leftover one (a killed refresh) is removed by the
next refresh of that workbook.  Ctrl-C and SIGTERM wait while a file is put
in place (the backup, then the rename) and then say whether it was
(:class:`InterruptedAfterWriting`); a build writes its workbook the same way
(:func:`write_file`).
"""

from __future__ import annotations

import csv
import errno
import getpass
import os
import re
import secrets
import socket
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

from ..engine.errors import Busy, InputError
from ..files.in_place import PARTIAL, STOP_SIGNALS, InterruptedAfterWriting, flush_to_disk, held_signals
from .processes import held_by_this_process, held_here, process_gone

try:  # not on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["STOP_SIGNALS", "InterruptedAfterWriting", "RefreshLock", "all_opened", "busy_message", "check_writable",
           "clean_stale", "excel_owner", "beside", "fsync_dir", "held_signals", "keep_access", "left_by_a_crash",
           "libreoffice_owner", "locked_message", "name_case", "name_problem", "not_mine_to_replace", "opened_by",
           "path_problem", "process_gone", "read_small", "target_of", "temp_beside", "write_file", "written_at"]

#: The longest file name a file system takes, in bytes (Linux, macOS; Windows counts UTF-16 units, as many).
NAME_MAX = 255
#: Whether names are counted as Windows counts them (UTF-16 units) rather than in UTF-8 bytes.
WINDOWS_NAMES = os.name == "nt"
#: What xlpy adds to a workbook's name for the longest file it writes beside it: a backup's temporary copy
#: ``.~xlpy-partial.NAME.backup.XXXXXXXX.tmp`` (the new workbook's is ``...NAME.new...``, the backup
#: ``STEM.YYYYmmdd-HHMMSS-N.bak.SUFFIX``, the lock ``.~xlpy.NAME.lock``: all shorter).
NAME_ADDED = len(PARTIAL) + len(".backup.") + 8 + len(".tmp")


def target_of(path: Path) -> Path:
    """The file a refresh writes: *path* itself, or the file its symbolic link(s) point to."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


# --- owner files ----------------------------------------------------------------------------------


def excel_owner(data: bytes) -> str | None:
    """The user name in an Excel owner file (``~$NAME``), or None when it holds none."""
    if len(data) >= 56:
        m = data[54] | (data[55] << 8)
        if 0 < m <= 64 and len(data) >= 56 + 2 * m:
            try:
                name = data[56:56 + 2 * m].decode("utf-16-le").strip("\x00 ")
                if name:
                    return name
            except UnicodeDecodeError:
                pass
    if data:
        n = data[0]
        if 0 < n < len(data):
            name = data[1:1 + n].decode("cp1252", errors="replace").strip("\x00 ")
            if name:
                return name
    return None


def libreoffice_owner(text: str) -> str | None:
    """``user (Full Name) on host since date`` from a LibreOffice lock file's CSV line, or None."""
    line = text.strip().splitlines()[0].rstrip(";") if text.strip() else ""
    fields = next(csv.reader([line]), []) if line else []
    full = fields[0].strip() if fields else ""
    user = fields[1].strip() if len(fields) > 1 else ""
    if not (full or user):
        return None
    who = f"{user} ({full})" if user and full and full != user else (user or full)
    if len(fields) > 2 and fields[2].strip():
        who += f" on {fields[2].strip()}"
    if len(fields) > 3 and fields[3].strip():
        who += f" since {fields[3].strip()}"
    return who


def read_small(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(4096)
    except OSError:
        return b""


def opened_by(path: Path) -> tuple[str, str, str] | None:
    """Who has *path* open, by the owner file beside it or its target: (``Excel`` or ``LibreOffice``, who, the owner
    file: its name beside *path*, its path beside a link's target, reviews 164 and 169), or None."""
    return next(iter(all_opened(path)), None)


def all_opened(path: Path) -> list[tuple[str, str, str]]:
    """Each (``Excel`` or ``LibreOffice``, who, the owner file) that has *path* open, as :func:`opened_by` names the
    first: an owner file beside a link and another beside its target are both named (review 171)."""
    real = (lambda p: (Path(os.path.realpath(p.parent)), p.name))  # (a folder by its real path: review 171)
    places = {real(p) for p in [*_links(path), target_of(path)]}  # (a link to a link: review 170)
    out = []
    for folder, name in sorted(places):
        excel, office = folder / f"~${name}", folder / f".~lock.{name}#"
        shown = (lambda f: f.name if (folder, name) == real(path) else str(f))
        if excel.is_file():
            out.append(("Excel", excel_owner(read_small(excel)) or "someone (the owner file names no one)",
                        shown(excel)))
        if office.is_file():
            who = libreoffice_owner(read_small(office).decode("utf-8", errors="replace"))
            out.append(("LibreOffice", who or "someone (the lock file names no one)", shown(office)))
    return out


def _links(path: Path) -> list[Path]:
    """*path* and each link it goes through to its target, in turn (as many as the system follows: 40)."""
    out = [path]
    while out[-1].is_symlink() and len(out) <= 40:
        out.append(out[-1].parent / os.readlink(out[-1]))
    return out


def beside(file: str) -> str:
    """Where the owner file *file* (as :func:`opened_by` names it) is: beside the workbook, or its link's target."""
    return "beside the file its link points to" if os.sep in file else "beside it"


def busy_message(path: Path, leftover: str = "pass --force") -> str | None:
    """Why *path* is open elsewhere (an Excel or LibreOffice owner file beside it or its target), or None.

    *leftover* is what to do when the owner file is left over from a crash (``{file}``: its name).
    """
    opened = all_opened(path)
    if not opened:
        return None
    said = " and ".join(f"in {app} by {who} ({'owner' if app == 'Excel' else 'lock'} file {file} {beside(file)})"
                        for app, who, file in opened)
    files = " and ".join(file for *_, file in opened)
    return (f"is open {said}; close it there first, or {leftover.format(file=files)} if "
            f"{'that file is' if len(opened) == 1 else 'those files are'} left over from a crash")


def locked_message(path: Path) -> str | None:
    """Why *path* must not be replaced: another program holds a write lock on the file itself (an exclusive
    ``flock``, or a POSIX record lock such as LibreOffice takes on a document it has open), and would go on writing
    to a file no longer in the folder, its work lost; None where none is held, or none can be told (Windows, whose
    own locks refuse the replacement; a file system without locks).  Probed with shared locks, let go at once: a
    reader's shared lock is no bar."""
    if fcntl is None:
        return None
    try:
        fd = os.open(target_of(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None  # (the checks after this one name a file that cannot be read)
    try:
        for lock in (fcntl.flock, fcntl.lockf):
            try:
                lock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    return ("is locked for writing by another program, which has it open (a lock on the file "
                            "itself); close it there first")
    finally:
        os.close(fd)  # (our shared locks go with it)
    return None


# --- xlpy's own lock ------------------------------------------------------------------------------


def _readable_by_all(fd: int) -> None:
    """A new lock file made 0644, as under umask 022: under a private umask (077) it was its maker's alone, and a
    colleague's run, which flocks it read-only to learn whether its maker still runs, could not open it."""
    if hasattr(os, "fchmod"):
        try:
            os.fchmod(fd, 0o644)
        except OSError:  # (a file system without permissions)
            pass


class RefreshLock:
    """``.~xlpy.NAME.lock`` beside *target*: one xlpy writing it at a time (a refresh, a build); released on any exit.

    Held with ``flock``, which the kernel releases however the process ends.  Where the file system has no
    such lock (some network shares) or the system none (Windows), the file is created exclusively instead, and
    one a crash left behind is named with how to remove it (one of this computer whose process is gone says so).
    """

    def __init__(self, target: Path, label: str, done: str = ""):
        self.target, self.label = target, label
        self.done = f"; {done}" if done else ""  # what a refusal adds: ``it was not replaced`` (a build's, review 164)
        self.path = target.with_name(f".~xlpy.{target.name}.lock")
        self._fd: int | None = None
        self._writable = True  # False: another user's lock file, flocked read-only
        self._exclusive = False  # True: no flock here, the lock is the O_EXCL file itself

    def __enter__(self) -> Self:
        try:
            fd = self._flocked() if fcntl is not None else None
            if fd is None:
                fd = self._created()
        except FileExistsError:
            holder = read_small(self.path).decode("utf-8", errors="replace").replace(NO_FLOCK, "").strip() or \
                "another process"
            # An O_EXCL file stays when its process dies; a refused flock proves a live holder, whatever the file's
            # words (a holder that could not write them, another user's leftover flocked read-only, left them).
            if self._exclusive and left_by_a_crash(holder, written_at(self.path), self.path):
                raise InputError(self.label, None, f"the lock file {self.path.name} was left by an xlpy that "
                                 f"stopped ({holder}, no longer running): delete it, then run again{self.done}",
                                 show_value=False, unchanged=bool(self.done)) from None
            if held_by_this_process(holder, self.path):  # (another thread or call: deleting it lets two writers in)
                raise Busy(self.label, None, f"this process is writing it already, in another thread or call "
                                 f"({holder}; lock file {self.path.name}): wait for that to finish, and leave the "
                                 f"lock file, which goes when it does{self.done}", show_value=False,
                           unchanged=bool(self.done)) from None
            # (held with flock, the holder lives: deleting the file would let a second writer in)
            wait = ("or delete the lock file if no xlpy is running (a crash left it)" if self._exclusive else
                    "and leave the lock file, which goes when it does")
            raise Busy(self.label, None, f"another xlpy is writing it ({holder}; lock file {self.path.name}); "
                             f"wait for it to finish, {wait}{self.done}", show_value=False,
                       unchanged=bool(self.done)) from None
        except OSError as exc:
            raise InputError(self.label, None, self._cannot(exc), show_value=False, unchanged=True) from None
        try:
            if self._writable:  # (another user's leftover, flocked read-only, keeps its words)
                os.ftruncate(fd, 0)
                os.write(fd, f"pid {os.getpid()}, {_user()} on {socket.gethostname()}"
                             f"{NO_FLOCK if self._exclusive else ''}\n".encode("utf-8", "backslashreplace"))
            # (a user or host name the system's encoding did not decode: its bytes kept, escaped)
        except OSError as exc:  # (a full disk)
            self._fd = fd
            self.__exit__()
            raise InputError(self.label, None, self._cannot(exc), show_value=False, unchanged=True) from None
        self._fd = fd
        held_here(self.path, True)
        return self

    def _cannot(self, exc: OSError) -> str:
        """Why the lock cannot be taken: a link planted where it goes, a folder one may not write in, a full disk;
        each saying that nothing was changed (its problem's ``unchanged``)."""
        if exc.errno == errno.ELOOP:
            return (f"cannot be locked for writing: {self.path.name} is a symbolic link, not xlpy's lock file (xlpy "
                    "would write through it): remove it, then run again; nothing was written")
        done = "it was not changed" if self.target.exists() else "nothing was written"
        if exc.errno == errno.EROFS:  # (worded as check_writable words a workbook there)
            there = self.target.exists()
            return (f"{'is' if there else 'cannot be written: its folder is'} on a read-only file system (a read-only "
                    f"share or medium); {done}. {'Copy it to' if there else 'Write it in'} a writable folder")
        if isinstance(exc, PermissionError) and os.path.lexists(self.path):  # (another user's, only they may read)
            return (f"another user's lock file {self.path.name} cannot be opened ({exc.strerror}): their xlpy may be "
                    f"writing it; if none is running, have it deleted; {done}")
        return f"cannot be written: its lock file {self.path.name} cannot be made ({exc.strerror or exc}); {done}"

    def _flocked(self) -> int | None:
        """The lock file's descriptor, flocked; None where the file system takes no flock."""
        for _ in range(20):  # (a holder that ends unlinks the file it flocked: a flock on that one would hold nothing)
            self._writable = True
            fd = os.open(self.path, _OPEN | os.O_CREAT | os.O_EXCL, 0o644) if not os.path.lexists(self.path) else None
            if fd is not None:  # (readable by all whatever the umask: a colleague's run reads whose it is, review 175)
                _readable_by_all(fd)
            made, fd = fd is not None, fd if fd is not None else self._opened()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise FileExistsError from None
                if made:  # the exclusive file is made anew (one that was there: a holder's, or a crash's)
                    self.path.unlink(missing_ok=True)
                return None  # (ENOLCK, EOPNOTSUPP...: an NFS share mounted without locks, some FUSE and SMB mounts)
            try:
                if os.fstat(fd).st_ino == os.stat(self.path).st_ino:  # (not one its last holder unlinked meanwhile)
                    if not made and NO_FLOCK in self._words_of_one_there():
                        os.close(fd)  # held by an xlpy that cannot flock (Windows, a share without locks): its
                        self._exclusive = True  # file is its lock, whether it runs or crashed
                        raise FileExistsError
                    return fd if self._writable else self._own_file_for(fd)
            except FileNotFoundError:
                pass
            os.close(fd)
        raise FileExistsError

    def _words_of_one_there(self) -> str:
        """The words of a lock file that was there; an empty one is read again a moment later (an xlpy without
        flock writes its words just after creating its file)."""
        words = read_small(self.path)
        if not words.strip():
            time.sleep(0.25)
            words = read_small(self.path)
        return words.decode("utf-8", errors="replace")

    def _own_file_for(self, theirs: int) -> int:
        """With another user's leftover flocked read-only (*theirs*), put a lock file of one's own, flocked, in its
        place, so the next run is told who holds it now; where that cannot be done, *theirs* stays, its words too."""
        try:
            fd, tmp = temp_beside(self.target, "lock")  # (one a crash leaves is cleaned as a partial file is)
        except OSError:
            return theirs
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (a new file: no one else has it)
            os.fchmod(fd, 0o644)
            os.replace(tmp, self.path)  # a run that opened the leftover meanwhile finds its flock held, then a new file
        except OSError:  # (a folder with the sticky bit: only its owner may replace their file)
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)
            return theirs
        os.close(theirs)
        self._writable = True
        return fd

    def _opened(self) -> int:
        """The lock file that is there, opened to be flocked: read-only when it is another user's (a leftover of
        theirs, or theirs in use: the flock tells), never through a symbolic link."""
        try:
            return os.open(self.path, _OPEN | os.O_CREAT, 0o644)
        except PermissionError:
            self._writable = False
            return os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))

    def _created(self) -> int:
        """The lock file, created exclusively; one left by a crash is named, not taken over (two takers could
        each remove the other's)."""
        self._exclusive = True
        fd = os.open(self.path, _OPEN | os.O_CREAT | os.O_EXCL, 0o644)
        _readable_by_all(fd)
        return fd

    def __exit__(self, *exc) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        held_here(self.path, False)
        if self._exclusive:  # the file is the lock: closed first, as Windows removes no file a process holds open
            os.close(fd)
        try:
            self.path.unlink(missing_ok=True)
        except OSError:  # (a folder where files can be made but not removed: a flock lock left is harmless)
            pass
        finally:
            if not self._exclusive:
                os.close(fd)  # closing releases the flock (after the unlink: no run flocks a file about to go)


#: How the lock file of an xlpy that cannot flock ends its holder's words: an xlpy that can flock is then refused too
#: (its flock alone would take the file, on a folder both share).
NO_FLOCK = "; no flock: this file is the lock"

#: How the lock file is opened: never through a symbolic link planted where it goes (xlpy would truncate its target).
_OPEN = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)


def written_at(path: Path) -> float | None:
    """When the lock file *path* was last written (its holder's words), or None when it cannot be told."""
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def left_by_a_crash(holder: str, written: float | None = None, lock: Path | None = None) -> bool:
    """Whether a lock file's *holder* (``pid N, USER on HOST``) is a process of this computer that is gone; on
    Windows, which soon gives a process id again, one that began after the file was *written* is another process.
    One naming this process that it does not hold (the lock file *lock*) was left by an earlier one given its id."""
    m = re.fullmatch(r"pid (\d+), .* on (.+)", holder.strip())
    if m is None or m.group(2) != socket.gethostname():
        return False
    if int(m.group(1)) == os.getpid() and lock is not None:
        return not held_here(lock)
    return process_gone(int(m.group(1)), written)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in the environment)
        return "unknown user"


# --- the file system ------------------------------------------------------------------------------


def name_problem(target: Path) -> str | None:
    """Why the workbook *target* has a name too long for the files xlpy writes beside it, or one that spells an
    owner file (``~$NAME``: taken for one, by xlpy and by Excel), or None."""
    if target.name.startswith(("~$", ".~lock.")):
        return ("its name begins as Excel's and LibreOffice's owner files do (~$NAME, .~lock.NAME#), which they keep "
                "beside a workbook that is open: the workbook beside it would seem open; use another name")
    if WINDOWS_NAMES:  # NTFS and the Windows APIs count UTF-16 units: a letter outside ASCII takes one or two
        size, unit = len(target.name.encode("utf-16-le")) // 2, "characters long (in UTF-16 units, as Windows counts)"
    else:
        size = len(os.fsencode(target.name))
        unit = "bytes long (in UTF-8, where a letter outside ASCII takes two or more)"
    if size + NAME_ADDED <= NAME_MAX:
        return None
    return (f"its name is {size} {unit}; a workbook's name may have at most {NAME_MAX - NAME_ADDED} ({NAME_MAX}, the "
            f"longest file name, less the {NAME_ADDED} xlpy adds for its backups, temporary files and lock beside "
            "it): use a shorter name")


#: The longest path of a workbook Excel opens or saves (folder and name, extension included), in characters.
EXCEL_PATH_MAX = 218


def path_problem(target: Path) -> str | None:
    """On Windows, why the workbook *target* has a path longer than Excel opens, or None: a deep folder synced from
    OneDrive or SharePoint makes one, and Excel then neither opens it nor runs its buttons (where no file of that
    path could be written beside it: xlpy's temporary files and backups add to it).  Elsewhere None: Excel on a
    Mac has no such limit, and a path the system takes is written."""
    if not WINDOWS_NAMES:
        return None
    size = len(os.path.abspath(target).encode("utf-16-le")) // 2  # (``..`` taken out, as Windows takes it)
    if size <= EXCEL_PATH_MAX:
        return None
    return (f"its path (folder and name) is {size} characters long, and Excel opens no workbook whose path is longer "
            f"than {EXCEL_PATH_MAX}: use a shorter folder or name (a folder nearer the drive's root, or a drive "
            "letter mapped to a deep folder)")


def check_writable(target: Path, label: str, done: str = "refreshed") -> None:
    """Refuse a workbook whose name is too long for xlpy's files beside it, a read-only one (no write bit, or no
    write access), and a folder xlpy cannot write in.

    *done* is what would have been done to it (``refreshed``, ``replaced``).
    """
    too_long = name_problem(target) or path_problem(target)
    if too_long:
        raise InputError(label, None, f"{too_long}; it was not changed", show_value=False, unchanged=True)
    mode = target.stat().st_mode
    if _read_only_mount(target):  # (whatever its permissions: none can be changed there, so copying is the way)
        raise InputError(label, None, f"is on a read-only file system (a read-only share or medium); it was not "
                         f"changed. Copy it to a writable folder if it should be {done}", show_value=False,
                         unchanged=True)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        why = (f"permissions {stat.filemode(mode)}" if not _bits_let_me_write(target.stat()) else
               f"its permissions, {stat.filemode(mode)}, allow writing, but the system refuses it: a locked or "
               "immutable file, or an access list")
        if WINDOWS_NAMES and not mode & 0o222:  # (Windows' only write bit is its Read-only attribute)
            why = ("its Read-only attribute is set: clear it in the file's Properties, or, on a read-only share, copy "
                   "it to a writable folder")
        raise InputError(label, None, f"is read-only ({why}); it was not changed. "
                         f"Make it writable first if it should be {done}", show_value=False,
                         unchanged=True)
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError(label, None, "cannot be replaced: its folder is not writable; it was not changed",
                         show_value=False, unchanged=True)
    theirs = not_mine_to_replace(target)
    if theirs:
        raise InputError(label, None, f"{theirs}; it was not changed", show_value=False, unchanged=True)


def not_mine_to_replace(target: Path) -> str:
    """Why this user, who may write *target*, may not replace it with a new file (review 175), or "": in a folder
    with the sticky bit only a file's owner (or the folder's) may; and a file of another user, who opens it as its
    owner only, would become this user's (no user can give a file away) and be closed to its owner."""
    if not hasattr(os, "geteuid") or (me := os.geteuid()) == 0:  # (root keeps the owner: a scheduled job)
        return ""
    st, folder = target.stat(), target.parent.stat()
    if st.st_uid == me:
        return ""
    owner = _user_named(st.st_uid)
    if folder.st_mode & stat.S_ISVTX and folder.st_uid != me:
        return (f"is {owner}'s, in a folder with the sticky bit, where only a file's owner may replace it: have "
                f"{owner} do it, or have the folder's sticky bit cleared")
    if st.st_uid == 0:  # (root's: root opens any file, a scheduled job's workbook refreshed by hand loses no one)
        return ""
    groups = {os.getegid(), *os.getgroups()}
    gid = st.st_gid if st.st_gid in groups else os.getegid()  # (the new file's group: keep_access)
    theirs = _groups_of(st.st_uid)
    if theirs is None:  # (an owner the system does not name: nothing to tell)
        return ""
    after = (st.st_mode >> 3 if gid in theirs else st.st_mode) & 0o6  # (what the owner has then, as a member or not)
    lost = [w for w, bit in (("open", 0o4), ("change", 0o2)) if st.st_mode >> 6 & bit and not after & bit]
    if not lost:
        return ""
    return (f"is {owner}'s ({stat.filemode(st.st_mode)}), who reaches it as its owner: replaced by you, it would be "
            f"yours (no user can give a file away) and {owner} could no longer {' or '.join(lost)} it; have {owner} "
            "do it, or have the file's group hold both of you and let it read and write the file (chmod g+rw)")


def _user_named(uid: int) -> str:
    """The user *uid* by name, else by number (``user 1001``)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"user {uid}"


def _groups_of(uid: int) -> set[int] | None:
    """The groups of the user *uid* (their own and those they are a member of), or None where the system does not
    say."""
    try:
        import pwd

        entry = pwd.getpwuid(uid)
        return set(os.getgrouplist(entry.pw_name, entry.pw_gid))
    except (ImportError, KeyError, OSError, AttributeError):
        return None


def _bits_let_me_write(st: os.stat_result) -> bool:
    """Whether *st*'s permission bits alone give this process write access (owner, group, then others; any bit
    where there are no user ids)."""
    if not hasattr(os, "geteuid"):  # pragma: no cover  (Windows: the read-only attribute is the write bits)
        return bool(st.st_mode & 0o222)
    me = os.geteuid()
    if me == 0:  # (xlpy still takes a file with no write bit as read-only, as Excel does)
        return bool(st.st_mode & 0o222)
    if st.st_uid == me:
        return bool(st.st_mode & 0o200)
    if st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        return bool(st.st_mode & 0o020)
    return bool(st.st_mode & 0o002)


def _read_only_mount(target: Path) -> bool:
    """Whether *target* lies on a file system mounted read-only (POSIX ``ST_RDONLY``; False where not told)."""
    try:
        return bool(os.statvfs(target).f_flag & getattr(os, "ST_RDONLY", 0))
    except (AttributeError, OSError):  # Windows has no statvfs
        return False


def clean_stale(target: Path) -> list[Path]:
    """Remove temporary files a killed refresh of *target* left beside it (call with the lock held)."""
    gone = []
    pattern = re.compile(re.escape(PARTIAL + target.name + ".") + r".*\.tmp$"  # (then older xlpy's names)
                         + "|" + re.escape(f".{target.name}.") + r"[A-Za-z0-9_]{8}\.tmp$", name_case(target))
    for p in target.parent.iterdir():
        if pattern.match(p.name) and p.is_file() and not p.is_symlink():
            try:
                p.unlink(missing_ok=True)
            except OSError:  # (a folder that keeps its files, one held open elsewhere: left, harmless, new names differ)
                continue
            gone.append(p)
    return gone


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover  (Windows)
        return
    try:
        flush_to_disk(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def temp_beside(target: Path, what: str) -> tuple[int, Path]:
    fd, tmp = tempfile.mkstemp(prefix=f"{PARTIAL}{target.name}.{what}.", suffix=".tmp", dir=target.parent)
    return fd, Path(tmp)


def keep_access(original: Path, new: Path) -> None:
    """Give *new* (a file about to replace *original*, or its backup) *original*'s owner, group, extended
    attributes (a POSIX access list among them) and permissions, as far as the user may: a colleague who could
    open the workbook before a refresh can open it after, and no one else.  An attribute *new* has and *original*
    has not is removed: the access list a folder's default one gives each file made in it would let others read
    a workbook kept private (and take the group's access away: its group bits become the list's mask).

    The owner is kept when xlpy runs as root (a scheduled job) or owns the file; the group whenever the user is
    in it (a shared folder's ``finance`` group).  What the system does not allow is left as the new file has it.
    """
    st = original.stat()
    for uid, gid in ((st.st_uid, st.st_gid), (-1, st.st_gid)) if hasattr(os, "chown") else ():  # (not Windows)
        try:
            os.chown(new, uid, gid)
            break
        except OSError:
            continue
    if hasattr(os, "listxattr"):  # Linux
        try:
            names = os.listxattr(original)
        except OSError:
            names = []
        try:  # (the folder's default access list, inherited by a file made there: none the original did not have)
            inherited = [n for n in os.listxattr(new) if n not in names]
        except OSError:
            inherited = []
        for name in inherited:
            try:
                os.removexattr(new, name)
            except OSError:  # (one the user may not remove)
                pass
        for name in names:
            try:
                os.setxattr(new, name, os.getxattr(original, name))
            except OSError:  # (one the user may not set, a file system without them)
                pass
    os.chmod(new, st.st_mode & 0o7777)  # last: an access list set above states the group bits alike




def write_file(data: bytes, out: str | os.PathLike, before_replace: Callable[[], None] | None = None,
               prefix: str | None = None) -> Path:
    """Write *data* to a temporary file beside *out*, flush it to disk, then replace *out*.

    The new file keeps *out*'s owner, group, access list and permissions as far as the user may
    (:func:`keep_access`; a new one gets the umask's permissions, as any new file).
    *before_replace* runs once the temporary file is complete (a backup of the
    original, for instance); if it or anything else fails, the temporary file is
    removed and *out* is left as it was.  An interrupt once *out* is replaced
    is raised as :class:`InterruptedAfterWriting`.  *prefix* names the
    temporary file (default ``.NAME.``).
    """
    out = Path(out)
    # (a new workbook made as any file is, 0666 less the umask; over one there, private until given its access)
    fd, tmp = _made_beside(out, prefix or f".{out.name}.", 0o600 if out.exists() else 0o666)
    replaced = False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            flush_to_disk(fh.fileno())
        if out.exists():  # the workbook keeps its owner, group, access list and permissions
            keep_access(out, tmp)
        with held_signals():  # an interrupt waits for the backup and the rename, then says which happened
            if before_replace is not None:
                before_replace()
            os.replace(tmp, out)
            replaced = True
            fsync_dir(out.parent)
    except BaseException as exc:
        if not (replaced or not tmp.exists()):
            tmp.unlink(missing_ok=True)
            raise
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, InterruptedAfterWriting):
            raise InterruptedAfterWriting(out) from exc
        raise
    return out


def _made_beside(out: Path, prefix: str, mode: int) -> tuple[int, Path]:
    """A new file beside *out*, opened for writing, named as :func:`tempfile.mkstemp` names one (*prefix*, 8 random
    letters, ``.tmp``) and made with *mode* less the umask, which the kernel takes off: the process's umask is not
    read by setting it (for that moment another thread's new file was made with no umask, writable by anyone)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(tempfile.TMP_MAX):
        name = out.parent / f"{prefix}{secrets.token_hex(4)}.tmp"
        try:
            return os.open(name, flags, mode), name
        except FileExistsError:  # (a name taken: another one, as mkstemp tries)
            continue
    raise FileExistsError(errno.EEXIST, "no temporary file name is free", str(out.parent))


def name_case(target: Path) -> int:
    """How names beside the workbook *target* are matched to its own: in any letter case on Windows, and in a
    folder that names files so (a Mac's, by default: *target* there under its name in the other case); else as
    they are."""
    if WINDOWS_NAMES:
        return re.IGNORECASE
    other = target.with_name(target.name.swapcase())
    try:
        return re.IGNORECASE if other.name != target.name and os.path.samefile(target, other) else 0
    except OSError:  # (no workbook there, or no such name: a folder that tells cases apart)
        return 0
