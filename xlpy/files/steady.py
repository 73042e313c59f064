"""One reading of each input file: the SHA-256 a workbook records is that of the bytes its lines came from.

``xlpy build`` and ``xlpy refresh`` record each input file's SHA-256 on the
Cover and in History, for an auditor to tie the workbook to the file.  The
readers open a file several times (its encoding, its header, its lines) and
the hash is taken after them; an agent's upload or a sync client that
replaces or rewrites the file in between would leave the workbook holding one
file's lines under another file's hash.

Within :func:`one_reading` (a build, a refresh), each reader hashes its file
as it first opens it (:func:`reading`), and :func:`xlpy.files.recorded.sha256`,
hashing it once the lines are read, refuses a file whose bytes are no longer
those (:func:`unchanged`), naming it: the command writes nothing.  The bytes
are compared, not the file's times: a rewrite in place of the same size
within one tick of a file system's clock (a second on FAT, HFS+, many shares)
is seen, and a sync client that only touches a file is not taken for a
change.  Outside it (the worksheet functions, ``xlpy compute``) nothing is
hashed twice.  A file that is not a regular file (a pipe, ``/dev/stdin``)
cannot be read twice alike: a reader refuses it with :func:`not_a_file`.
:func:`state` is what a refresh compares of the workbook it replaces (a save
by Excel or LibreOffice writes a new file).
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..engine.errors import Busy, InputError, InputErrors

__all__ = ["digest", "gone", "not_a_file", "odd_kind", "one_reading", "reading", "state", "unchanged"]

_NOTED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("xlpy_steady_reading", default=None)


def state(path: str | os.PathLike) -> tuple[int, int, int] | None:
    """What a save or a replacement changes: (inode, size, modification time in ns); None when not found."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def digest(path: str | os.PathLike) -> str:
    """SHA-256 of a file, hex (read in slices of a MiB)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextmanager
def one_reading() -> Iterator[None]:
    """Within it, each input file's hash must be that of the file its reader read (a build, a refresh)."""
    token = _NOTED.set({})
    try:
        yield
    finally:
        _NOTED.reset(token)


def reading(path: str | os.PathLike) -> None:
    """Hash *path* as a reader first opens it (within :func:`one_reading`; a later reading keeps the first).  A pipe
    or a device is not read here (its reader refuses it)."""
    noted = _NOTED.get()
    key = os.path.abspath(path)
    if noted is None or key in noted:
        return
    try:
        noted[key] = digest(path) if stat.S_ISREG(os.stat(path).st_mode) and not not_a_file(Path(path), "") \
            else None
    except OSError:  # (not there, or not readable: its reader says so)
        noted[key] = None


def unchanged(path: str | os.PathLike, hashed: str) -> None:
    """Refuse *path* if its bytes, just *hashed*, are not those its reader first read."""
    noted = _NOTED.get()
    first = None if noted is None else noted.get(os.path.abspath(path))
    if first is None or first == hashed:
        return
    raise InputErrors([Busy(str(path), None, "changed while it was read (replaced or written: an upload or a "
                                  "sync still at work?), so its lines and the SHA-256 recorded for them could be "
                                  "two different files: run again once the file is complete", show_value=False)])


def gone(path: str | os.PathLike, exc: OSError) -> None:
    """Refuse *path* when it cannot be hashed once its reader has read it (moved or removed meanwhile)."""
    noted = _NOTED.get()
    if noted is not None and os.path.abspath(path) in noted:
        raise InputErrors([Busy(str(path), None, f"cannot be read again for its SHA-256 ({exc.strerror or exc}):"
                                      " moved or removed while it was read? run again once it is in place",
                                      show_value=False)]) from None


def not_a_file(path: Path, what: str) -> InputError | None:
    """The refusal of *what* (``a tally file``) given as a pipe or a device (``<(...)``, ``/dev/stdin``): read more
    than once, its second reading would find nothing, or wait for ever."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if (stat.S_ISREG(mode) and not _through_a_descriptor(path)) or stat.S_ISDIR(mode):
        return None
    return InputError(str(path), None, f"is a pipe or a device, not {what}: save it to a file and give that",
                      show_value=False)


def not_found(path: str | os.PathLike, what: str, fix: str = "") -> str:
    """Why *path*, which names no file, names none: ``workbook not found``, or, for a symbolic link, where it leads
    (``is a symbolic link to nowhere.xlsm, which is not there (...)``, ``... to b.xlsm, in a loop of links that never
    reaches a file (b.xlsm -> c.xlsm -> b.xlsm) ...``), as a link's target was said to be missing before only by
    build.  Each link is followed as the system follows it (a ``..`` after a linked folder leaves its target), up to
    the 40 links a system follows; the last place, when more than one link leads there, by its full path.  *fix*:
    the way out said in place of pointing the link at the file (``pass --force to replace the link with the
    workbook``, where the link is where a new file goes).

    >>> not_found("no-such-book.xlsm", "workbook")
    'workbook not found'
    """
    if not os.path.islink(path):
        return f"{what} not found"
    fix = fix or f"point the link at the {what}"
    first, p, seen = os.readlink(path), os.path.abspath(path), []
    while os.path.islink(p) and p not in seen and len(seen) <= 40:
        seen.append(p)
        p = os.path.join(os.path.realpath(os.path.dirname(p)), os.readlink(p))  # (the folder as the system finds it)
        p = os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
    if not os.path.islink(p):  # (the last link leads to nothing there: a share not mounted, a file moved away)
        more = len(seen) - 1
        end = "" if not more else f", which leads through {more} more link{'s' * (more > 1)} to {p}"
        return (f"is a symbolic link to {first}{end}, which is not there (a share not mounted, a file moved or "
                f"renamed?): mount it, or {fix}")
    if p not in seen:  # (more links than a system follows, and no loop)
        return (f"is a symbolic link to {first}, the first of more than 40 links in a row, more than the system "
                f"follows: {fix}")
    loop = " -> ".join(os.path.basename(q) for q in [*seen[seen.index(p):], p])
    return f"is a symbolic link to {first}, in a loop of links that never reaches a file ({loop}): {fix}"


def odd_kind(path: Path) -> str | None:
    """What *path* is when it is there but no file a reader takes (``a folder``, ``a pipe or a device``: the readers'
    words, by its mode, a pipe never opened); None for a regular file, or nothing there."""
    if path.is_dir():
        return "a folder"
    return "a pipe or a device" if not_a_file(path, "a file") is not None else None


#: A path that names a process's open file, not a file (``/dev/stdin``, ``/dev/fd/63``, ``/proc/self/fd/0``).
_DESCRIPTOR = re.compile(r"/(?:dev/(?:fd|stdin|stdout|stderr)|proc/[^/]+/fd)(?:/|$)")


def _through_a_descriptor(path: str | os.PathLike) -> bool:
    """Whether *path*, or a link it leads through, names an open file of a process: /dev/stdin redirected from a file
    is a regular file, but a record naming it would read another file next time."""
    p = os.path.abspath(path)
    for _ in range(40):  # (a loop of links: the reader's open says so)
        if _DESCRIPTOR.match(p):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False
