"""The command line's registry: exit statuses, ``@command``, warnings and the limits every command takes.

Each command module (:mod:`xlpy.cli.offer`, :mod:`xlpy.cli.workbook`) registers
its commands here with :func:`command`; :func:`xlpy.cli.build_parser` reads
the registry.  Nothing here imports a command module, so imports run one way.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..engine.errors import Busy, InputError
from ..files.safety import DEFAULTS, configure, reset

__all__ = ["EXIT_BUSY", "EXIT_FINDINGS", "EXIT_INPUT", "EXIT_OK", "COMMANDS", "AsTyped", "Terminated",
           "add_limit_options", "command", "configure_from", "drop_standard_output", "flush_output", "in_temporary",
           "no_room", "not_written", "refuse_empty", "refused", "refusal_json", "report_lost",
           "restore_standard_output", "say_json", "standard_output_full", "text_arguments", "timeout_seconds", "warn"]

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_BUSY = 0, 1, 2, 3
#: An error xlpy did not expect (a defect of its own, or memory run out): 70, as sysexits.h calls an internal
#: software error, not 1, which says a workbook has findings.
EXIT_UNEXPECTED = 70


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI runner cancelling a job, ``timeout``) or SIGHUP (the terminal closed, an ssh session
    dropped): unwound as Ctrl-C is, so temporary files and a LibreOffice child are cleaned up; the exit status
    is 128 and the signal's number (143, 129)."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__()
        self.status = 128 + int(signum)

COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]] = {}


def command(name: str, help: str):
    """Register ``xlpy NAME``: the decorated function adds arguments; *run* does the work."""

    def wrap(setup):
        def bind(run):
            COMMANDS[name] = (setup, run, help)
            return run

        return bind

    return wrap


def timeout_seconds(given: str | None) -> float | None:
    """``--timeout``'s seconds (``render``, ``validate``, ``build``; None when not given), else an input error
    naming it and the value: a positive number, at most :data:`~xlpy.workbook.book_size.MAX_SECONDS` (a week)."""
    import math

    from ..workbook.book_size import MAX_SECONDS

    if given is None:
        return None
    try:
        seconds = float(given)
    except ValueError:
        raise InputError("--timeout", given, "must be a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise InputError("--timeout", given, "must be a positive number of seconds")
    if seconds > MAX_SECONDS:
        raise InputError("--timeout", given, f"must be at most {MAX_SECONDS} (a week)")
    return seconds


def warn(args: argparse.Namespace, warnings) -> None:
    """Warnings on standard error, never mixed into the output (``--json`` stays pure JSON)."""
    who = f"xlpy {args.command}" if hasattr(args, "command") else "xlpy"  # (a command's function called alone)
    for w in warnings:
        print(f"{who}: warning: {w}", file=sys.stderr)


def refused(args: argparse.Namespace, problems, status: int | None = None, *, closing: str | None = None,
            more: dict | None = None) -> int:
    """Say why a command did nothing: each problem on its line of standard error (``xlpy refresh: t.csv: tally file
    not found``), then the *closing* line if given (``xlpy refresh: book.xlsm was not changed``) and, under
    ``--json``, :func:`refusal_json` of them on standard output, with the keys of *more* after its own (a refresh's
    ``"changed": false``), where a script parsing it met an empty string; returns *status*, else 3 when every
    problem is :class:`~xlpy.engine.errors.Busy`, else 2.  A problem is an :class:`~xlpy.engine.errors.InputError`
    (or another xlpy error), or its line's text."""
    from ..engine.errors import Busy

    if status is None:
        status = EXIT_BUSY if problems and all(isinstance(p, Busy) for p in problems) else EXIT_INPUT
    for problem in problems:
        print(f"xlpy {args.command}: {problem}", file=sys.stderr)
    if closing:
        print(f"xlpy {args.command}: {closing}", file=sys.stderr)
    if getattr(args, "json", False):
        say_json(refusal_json(problems, status) | (more or {}))
    return status


def refusal_json(problems, status: int) -> dict:
    """What ``--json`` prints for a refusal: ``{"ok": false, "status": 2, "errors": [...]}``, an error for each line
    of standard error, with its ``field``, its ``value`` as the line shows it after "got" (null when it shows none),
    its ``reason``, the whole ``message`` and whether the file is ``busy`` (in use: the same command may pass
    later).  ``ok`` as ``validate --json`` has it for a workbook."""
    from ..engine.errors import Busy, InputError, MoreProblems

    def one(problem) -> dict:
        if isinstance(problem, InputError):  # (a line counting the rest: the file it is said after, or null)
            field = problem.file if isinstance(problem, MoreProblems) else problem.field
            return {"field": field, "value": problem.got if problem.show_value else None,
                    "reason": problem.reason, "message": str(problem), "busy": isinstance(problem, Busy)}
        where = getattr(problem, "where", None)  # (xlpy.workbook.package.PackageError: the file or part, and why)
        return {"field": where, "value": None, "reason": getattr(problem, "reason", str(problem)) if where else
                str(problem), "message": str(problem), "busy": False}

    return {"ok": False, "status": status, "errors": [one(p) for p in problems]}


def say_json(obj) -> None:
    """Print *obj* as JSON on standard output, as the reports are printed; a reader gone, or a full disk, lets it go
    (the line on standard error and the status said it)."""
    import json

    try:
        print(json.dumps(obj, indent=2), flush=True)
    except OSError:
        drop_standard_output()


def text_arguments(p: argparse.ArgumentParser) -> tuple[tuple[str, str], ...]:
    """(dest, name as the usage shows it) of each argument of *p* that takes text: a path, a name, a code."""
    return tuple((a.dest, a.option_strings[-1] if a.option_strings else a.metavar or a.dest)
                 for a in p._actions  # (argparse keeps its arguments there; it has no public list)
                 if a.nargs != 0 and a.type is None and not a.choices)


def refuse_empty(args: argparse.Namespace, texts: tuple[tuple[str, str], ...]) -> None:
    """Refuse an argument given as empty text (``-o "$UNSET"``): read as "not given" it would write or read
    somewhere else (``<offer id>.xlsm`` here, the seed offer, the file the Cover records) without a word."""
    from ..engine.errors import InputError, InputErrors

    problems = []
    for dest, name in texts:
        value = getattr(args, dest, None)
        if value == "" or (isinstance(value, list) and "" in value):
            problems.append(InputError(name, "", "must not be empty"))
    if problems:
        raise InputErrors(problems)


def refuse_unrecordable(paths) -> None:
    """Refuse the paths a workbook's Cover would record (``(field, value as given, text recorded)`` each) that hold a
    character a workbook cannot store (U+FFFE in a file's name): written, the workbook would open nowhere."""
    from ..engine.errors import InputError, InputErrors
    from ..files.typed import unstorable

    problems = [InputError(field, value, f"{why} (the workbook's Cover records the path"
                           + (f" as {recorded!r}" if recorded != str(value) else "") + ")")
                for field, value, recorded in paths if (why := unstorable(recorded))]
    if problems:
        raise InputErrors(problems)


class AsTyped(float):
    """A number of megabytes or a ratio that a message shows as it was typed (``got -1``, not ``got -1.0``)."""

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text.strip()
        return number

    def __str__(self) -> str:
        return self.text

    def __getnewargs__(self):  # (copied or pickled, it is made again from its text)
        return (self.text,)


AsTyped.__name__ = "float"  # (argparse names the type in "invalid float value: 'x'")


def add_limit_options(p) -> None:
    """The ``--max-*`` options of every command that opens packages from outside."""
    g = p.add_argument_group("limits on workbooks and XLSX files from outside (see README, Files from outside)")
    g.add_argument("--max-part-mb", type=AsTyped, metavar="MB",
                   help=f"largest unpacked part (default {DEFAULTS['part_mb'][0]:g}, or XLPY_MAX_PART_MB)")
    g.add_argument("--max-total-mb", type=AsTyped, metavar="MB",
                   help=f"largest unpacked package (default {DEFAULTS['total_mb'][0]:g}, or XLPY_MAX_TOTAL_MB)")
    g.add_argument("--max-ratio", type=AsTyped, metavar="N",
                   help=f"largest compression ratio of a part over 1 MB (default {DEFAULTS['ratio'][0]:g}, "
                   "or XLPY_MAX_RATIO)")
    g.add_argument("--max-parts", type=int, metavar="N",
                   help=f"most parts in a package (default {DEFAULTS['parts'][0]:,}, or XLPY_MAX_PARTS)")
    g.add_argument("--max-strings", type=int, metavar="N",
                   help=f"most shared strings in a package (default {DEFAULTS['strings'][0]:,}, or XLPY_MAX_STRINGS)")


def configure_from(args) -> None:
    """Apply the ``--max-*`` options of parsed *args*: the command's own, the rest the environment's or the defaults
    (a script's earlier ``main([... "--max-parts", "3"])`` does not carry over to its next call)."""
    reset()
    configure(part_mb=getattr(args, "max_part_mb", None), total_mb=getattr(args, "max_total_mb", None),
              ratio=getattr(args, "max_ratio", None), parts=getattr(args, "max_parts", None),
              strings=getattr(args, "max_strings", None))


# --- a full disk -----------------------------------------------------------------


def no_room(exc: OSError) -> str:
    """Where a write that found no room left was going, and what to do: the file it names; else the standard
    output when that is what is full (a report redirected to a file on a full disk, or to ``/dev/full``);
    else the temporary folder, the folder written to or the standard output, all three named."""
    import tempfile

    temp = tempfile.gettempdir()
    if exc.filename is not None:
        where = os.fsdecode(exc.filename)
        temporary = Path(os.path.realpath(where)).is_relative_to(os.path.realpath(temp))  # (not /tmpfs-share)
        told, hint = f"in {where}", ", or set TMPDIR to a folder with room" if temporary else ""
    elif standard_output_full():
        told, hint = "writing the standard output", ", or send it elsewhere"
    else:
        told, hint = f"in the temporary folder {temp}, the folder written to or the standard output", \
            ", or set TMPDIR to a folder with room"
    return f"no space left {told} ({exc.strerror}): free space there{hint}"


def report_lost(command: str, written: str, exc: OSError) -> int | None:
    """When *exc* is the standard output found full after a command wrote its file (*written*: what it did, ``book
    .xlsm was refreshed``), say so on standard error and give the status (2: the report is lost, as a build whose
    validation ran out of room says); else None, for the caller to raise *exc*."""
    if exc.errno not in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) or exc.filename is not None or \
            not standard_output_full():
        return None
    print(f"xlpy {command}: {written}, but its report could not be printed: {no_room(exc)}", file=sys.stderr)
    drop_standard_output()
    return EXIT_INPUT


def flush_output() -> None:
    """Flush the standard output where a command can say what a report lost to a full disk was of (Python keeps the
    report until it ends, outside PYTHONUNBUFFERED); nothing when started with it closed (``>&-``: None)."""
    flush = getattr(sys.stdout, "flush", None)  # (a script's own stream may write and not flush: a logger's)
    if flush is not None:
        flush()


#: The standard output's descriptor and a copy of what it was before :func:`drop_standard_output` (empty: not
#: dropped), for :func:`restore_standard_output`.
_DROPPED: list[tuple[int, int]] = []


def drop_standard_output() -> None:
    """Let go of what the standard output still holds after a write to it failed (Python keeps what a full disk or
    a reader gone did not take): it goes to the null device instead, so the interpreter's last flush does not fail
    again, with "Exception ignored" and status 120, after the loss was said (or, for a reader gone, not).  The
    command's later output goes there too; :func:`restore_standard_output` gives the descriptor back."""
    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            if not _DROPPED:
                _DROPPED.append((fd, os.dup(fd)))
            os.dup2(null, fd)
        finally:
            os.close(null)
    except (AttributeError, OSError, ValueError):  # (no file behind it: a test's capture, or closed)
        pass


def restore_standard_output() -> None:
    """As a command ends: what it wrote to a dropped standard output let go (into the null device), and the
    descriptor given back as it was, so a script calling :func:`xlpy.cli.main` again (or printing) writes where
    it wrote before; a reader still gone, or a disk still full, fails that script's own write, as it would have."""
    if not _DROPPED:
        return
    fd, saved = _DROPPED.pop()
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        os.dup2(saved, fd)
    except OSError:
        pass
    finally:
        os.close(saved)


def standard_output_full() -> bool:
    """Whether the standard output goes to ``/dev/full`` or to a file on a device with less than a mebibyte
    left (a write's error names no file, and the buffer it failed in is gone: the device is asked instead)."""
    import stat

    try:
        fd = sys.stdout.fileno()
        st = os.fstat(fd)
        if stat.S_ISCHR(st.st_mode):
            return os.name == "posix" and st.st_rdev == os.makedev(1, 7)  # (Linux's full device)
        free = os.fstatvfs(fd)
    except (AttributeError, OSError, ValueError):  # (no file behind it: a test's capture, closed, or Windows)
        return False
    return stat.S_ISREG(st.st_mode) and free.f_bavail * free.f_frsize < 1 << 20


def in_temporary(path: Path) -> bool:
    """Whether *path* is in the temporary folder (``TMPDIR``), where a build and a validation work."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(tempfile.gettempdir()))


def not_written(out: Path, exc: OSError, done: str = "") -> InputError:
    """``--output`` could not be written: why, and where when the failure was in another folder (the temporary
    folder full: ``cannot be written (No space left on device in /tmp; free space there, or set TMPDIR ...)``);
    then *done* (``nothing was written``, ``it was not changed``: what a build left as it was), and what to do for
    its own folder full or read-only (``free space there, or give -o another folder``)."""
    from ..workbook.backups import BackupNotWritten

    if isinstance(exc, BackupNotWritten):  # the workbook is as it was: only its copy could not be made
        full = "free space, or " if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) else ""
        return InputError("--output", str(out), f"was not replaced: its backup {Path(exc.filename).name} cannot be "
                          f"written ({exc.strerror}); {full}build without a backup (--no-backup)")
    why = exc.strerror or str(exc)
    where = Path(os.fsdecode(exc.filename)) if exc.filename is not None else None
    base = Path(os.path.realpath(out if out.is_dir() else out.parent))
    full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    after = f"; {done}" if done else ""
    if where is not None and not Path(os.path.realpath(where)).is_relative_to(base):
        why += f" in {where}"
        if full:
            why += "; free space there" + (", or set TMPDIR to a folder with room" if in_temporary(where) else "")
    elif full:  # (its own folder: as a refresh says it, and what to do)
        after += ": free space there, or give -o another folder"
    elif exc.errno == errno.EROFS:
        after += ": give -o a writable folder"
    from ..files.safety import held_hint, in_use

    return (Busy if in_use(exc) else InputError)("--output", str(out),
                                                 f"cannot be written ({why}{held_hint(exc)}){after}")
