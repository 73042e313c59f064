"""The ``xlpy`` command line.

Exit status: 0 on success; 1 when validation (``xlpy validate``, or the one
``xlpy build`` ends with) finds a problem in a workbook, and so when
``validate`` is given a workbook that is not there, a folder, or a file that
is no workbook (an offer file in its place), each a finding on standard
output, and when its LibreOffice leg could not compare the figures (LibreOffice
failed or ran out of time, or its recalculated copy was refused over a limit or
damaged: a finding of that leg, the other legs reported as ever: the workbook
was not fully validated); 2 for bad input (one line per problem on standard error, each naming
the file, the key and the value, and under ``--json`` one object of them on
standard output; nothing written: a refused ``refresh`` says last that the
workbook was not changed, and its object has ``"changed": false``); 3 when
every problem is a file in use (:class:`~xlpy.engine.errors.Busy`: open in Excel, another xlpy
writing it, a tally still being written), which the same command may pass
later.  Given several workbooks,
``validate`` reports each (one over a package limit by its line on standard
error, and under ``--json`` by its object in the list, with the ``errors`` of
its refusal) and exits with the worst status: 2, else 1, else 3 (a workbook
only in use), else 0.
"""

from __future__ import annotations

import argparse
import codecs
import contextvars
import difflib
import errno
import os
import re
import signal
import sys
import threading
import zipfile
from collections.abc import Sequence

from .. import __version__
from ..engine.errors import InputError, InputErrors, XlpyError
from ..engine.numbers import engine_context
from .commands import (COMMANDS, EXIT_BUSY, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_UNEXPECTED, Terminated,
                       add_limit_options, configure_from, drop_standard_output, flush_output, no_room, refusal_json,
                       refuse_empty, refused, restore_standard_output, say_json, standard_output_full, text_arguments)

__all__ = ["build_parser", "console", "main", "no_room"]


# --- entry point --------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (naming the option, the value and where the help is), as every
    other bad input is reported, not the usage block and a second line."""

    def error(self, message: str, problem: dict | None = None):
        # argparse says a required option is missing before naming one it does not know ("--out" for -o): the
        # unknown ones are named first, a command's own (after its name, before "--") and xlpy's (before it)
        prog = self.prog
        if message.startswith("the following arguments are required"):
            given = list(_GIVEN.get())
            command = self.prog.split()[-1] if " " in self.prog else None
            at = given.index(command) if command in given else -1
            before = [t for t in given[:max(at, 0)] if t.startswith("-") and t not in _TOP]  # (xlpy's: named so)
            given = given[at + 1:]
            given = given[:given.index("--")] if "--" in given else given
            known = {*self._option_string_actions, "--version"}
            unknown = [t for t in given if t.startswith("--") and t.split("=", 1)[0] not in known]
            if before:
                prog, message = "xlpy", unknown_said(_TOP, before)
                problem = unknown_problem(message, before)
            elif unknown:
                message = unknown_said(known, unknown)
                problem = unknown_problem(message, unknown)
        if message.startswith("the following arguments are required") or "expected one argument" in message:
            message += _dashed(self, message.startswith("the following"))  # (review 164: -book.xlsm never said)
        said = f"{message} (see {prog} --help)"
        if _json_asked():  # (as a refused input: a script parsing the output reads why, the option argparse names)
            named = re.match(r"argument (\S+): (.*)", message)
            problem = problem or {"field": named[1] if named else None, "value": None,
                                  "reason": named[2] if named else message}
            say_json(refusal_json([], EXIT_INPUT) | {"errors": [{**problem, "message": said, "busy": False}]}
                     | ({"changed": False} if _given_command() == "refresh" else {}))
        # (a refresh says last that it changed nothing, as when it refuses what it was given: the workbook is not
        # named, as the arguments were not read)
        self.exit(EXIT_INPUT, f"{prog}: {said}\n" + ("xlpy refresh: nothing was changed\n"
                                                      if _given_command() == "refresh" else ""))


def _dashed(parser: argparse.ArgumentParser, missing: bool) -> str:
    """What a usage error adds of an argument given that names a file but begins with ``-`` (``-book.xlsm``), which
    argparse reads as an option it does not know and so says a workbook (*missing*) or an option's value is missing:
    "" for none (a file or folder of that name there, or one that ends as the files xlpy reads end)."""
    given = list(_GIVEN.get())
    given = given[:given.index("--")] if "--" in given else given
    known = {*parser._option_string_actions, "--version"}
    for t in given:
        if t.startswith("-") and not t.startswith("--") and t not in known and (
                os.path.splitext(t)[1].lower() in (".xlsm", ".xlsx", ".csv", ".toml", ".pdf") or os.path.exists(t)):
            return (f"; {t} is read as an option, as it begins with '-': write ./{t} for a file or folder of that name"
                    + (", or put it after --" if missing else ""))
    return ""


def _given_command() -> str | None:
    """The command the arguments :func:`main` was given name (before ``--``), or None."""
    given = list(_GIVEN.get())
    given = given[:given.index("--")] if "--" in given else given
    return next((t for t in given if not t.startswith("-")), None)  # (xlpy's own options take no value)


def _json_asked() -> bool:
    """Whether the arguments :func:`main` was given ask a command that takes ``--json`` for it (before ``--``)."""
    given = list(_GIVEN.get())
    given = given[:given.index("--")] if "--" in given else given
    command = _given_command()
    return command in _JSON_COMMANDS and "--json" in given[given.index(command) + 1:]


#: The commands that take ``--json``, as :func:`build_parser` found them.
_JSON_COMMANDS: set[str] = set()


#: The arguments :func:`main` was given, for a usage error that names an option it does not know first.
_GIVEN: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("xlpy_cli_given", default=())


#: The options of xlpy itself, before a command.
_TOP = ("-h", "--help", "--version")


def unknown_said(options, unknown: Sequence[str]) -> str:
    """The usage error of arguments not among *options* (a parser's, or its option strings), with the option meant
    where one of them is close (``--out``: did you mean ``--output``?; never taken for it: "--f" is no --force)."""
    options = options._option_string_actions if isinstance(options, argparse.ArgumentParser) else options
    known = [o for o in options if o.startswith("--")]
    meant = []
    for u in (u.split("=", 1)[0] for u in unknown if u.startswith("--")):
        close = [o for o in known if o.startswith(u)] or difflib.get_close_matches(u, known, n=1, cutoff=0.75)
        meant += close[:1] if len(close) == 1 and close[0] not in meant else []
    return f"unrecognized arguments: {' '.join(unknown)}" + (f": did you mean {' '.join(meant)}?" if meant else "")


def unknown_problem(message: str, unknown: Sequence[str]) -> dict:
    """The ``--json`` problem of arguments *unknown* (said as *message*): its ``field`` the options named
    (``--jsn``; ``--dpl`` of ``--dpl 30``, ``--out`` of ``--out=r``), else the arguments (an extra file name)."""
    options = [u.split("=", 1)[0] for u in unknown if u.startswith("-") and u != "--"]  # (-- ends the options)
    return {"field": " ".join(options or [u for u in unknown if u != "--"] or unknown), "value": None,
            "reason": message}


class _Version(argparse.Action):
    """``--version``: the layout number read only when asked (the layout imports openpyxl: every command would
    start slower)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from ..workbook.layout.model import LAYOUT_VERSION

        try:
            print(f"xlpy {__version__} (workbook layout {LAYOUT_VERSION})", flush=True)
        except OSError as exc:
            full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
            said = f"xlpy: {no_room(exc)}\n" if full else None  # (before it is let go: it names the output)
            drop_standard_output()
            if said:  # as a command says it
                parser.exit(EXIT_INPUT, said)
            # else a pipe whose reader went away ("xlpy --version | true"; EINVAL on Windows): silent, as argparse's
        parser.exit()


#: What every command's exit status means, as its help ends (the README says the same, case by case).
EXIT_STATUSES = (f"exit status: {EXIT_OK} done; {EXIT_FINDINGS} findings (validate, or build's validation); "
                 f"{EXIT_INPUT} bad input, nothing written; {EXIT_BUSY} a file in use (open in Excel or LibreOffice, "
                 "being written): nothing changed, run it again later; 70 an error xlpy did not expect (a defect to "
                 "report); 130, 143 or 129 stopped by Ctrl-C, SIGTERM or SIGHUP")


def build_parser() -> argparse.ArgumentParser:
    from . import docs, offer, workbook  # noqa: F401  (they register their commands)

    # (listed in this order, whichever module was imported first: docs last)
    rank = {f"{__name__}.{m}": k for k, m in enumerate(("offer", "workbook", "docs"))}

    # (no abbreviations: "--f" must not be taken for --force, which replaces a workbook, nor "--no-v" for
    # --no-validate)
    parser = _Parser(prog="xlpy", description="Exchange-offer and induced-conversion accounting.", allow_abbrev=False,
                     epilog=EXIT_STATUSES)
    parser.add_argument("--version", action=_Version, help="show the version and the workbook layout it writes")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (setup, run, help) in sorted(COMMANDS.items(), key=lambda item: rank.get(item[1][1].__module__, 1)):
        p = sub.add_parser(name, help=help, description=help, allow_abbrev=False, epilog=EXIT_STATUSES)
        setup(p)
        if "--json" in p._option_string_actions:
            _JSON_COMMANDS.add(name)
        if name not in ("vba", "lite", "docs"):  # every other command may open a workbook or an XLSX tally from outside
            add_limit_options(p)
        p.set_defaults(run=run, texts=text_arguments(p), parser=p)
    return parser


def _signalled(signum, frame):
    """Ctrl-C or SIGTERM: raised where the program is, unless that is inside a finaliser (``__del__``, or a
    ``weakref.finalize`` callback, as a temporary folder's cleanup is), which would print "Exception ignored" and
    carry on as if nothing came; it is then sent again a moment later (by a daemon timer: if the command ends
    first, it has done all it set out to, and says so)."""
    f = frame
    while f is not None:
        if f.f_code.co_name == "__del__" or (f.f_code.co_name == "__call__" and f.f_globals.get("__name__") ==
                                             "weakref"):
            again = threading.Timer(0.02, os.kill, (os.getpid(), signum))
            again.daemon = True
            again.start()
            return
        f = f.f_back
    raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


@engine_context()  # (called in a script's process: its decimal context is the script's, not the engine's)
def main(argv: Sequence[str | bytes | os.PathLike] | None = None) -> int:
    """Run the command *argv* (default: ``sys.argv[1:]``; a path, ``pathlib.Path`` or any ``os.PathLike``, and
    bytes are taken as their text) and return its exit status, a usage error's (2) and ``--help``'s (0) too, where
    argparse would end the program; a script may call it again.  The standard streams
    are left as they were found: a character they cannot encode is written escaped during the call only, and a
    standard output that failed on the way (a full disk, a reader gone) is given back, what it did not take let go."""
    _streams_taken()
    try:
        return _main(argv)
    except SystemExit as exc:  # (argparse's, its message said: a script's loop goes on to its next deal)
        if exc.code is None or isinstance(exc.code, int):
            return int(exc.code or 0)
        print(exc.code, file=sys.stderr)  # (a message: said, and status 1, as Python ends a program on one)
        return 1
    finally:
        _streams_given_back()


_calls = threading.Lock()
_under_way = {"calls": 0, "escaped": []}  # the calls of main() under way, and the streams the first escaped


def _streams_taken() -> None:
    """As a call of :func:`main` starts: the first of those under way (a script's threads may run several) escapes
    what the streams cannot encode, for all of them."""
    with _calls:
        if _under_way["calls"] == 0:
            _under_way["escaped"] = _escape_what_the_streams_cannot_encode()
        _under_way["calls"] += 1


def _streams_given_back() -> None:
    """As a call of :func:`main` ends: the last of those under way gives the standard output back and puts the
    streams' encoding as it found it (the first to end did, and another thread's report, still being written,
    ended in a UnicodeEncodeError)."""
    with _calls:
        _under_way["calls"] -= 1
        if _under_way["calls"] == 0:
            restore_standard_output()
            _put_back(_under_way["escaped"])


def _main(argv: Sequence[str | bytes | os.PathLike] | None) -> int:
    parser = build_parser()
    if isinstance(argv, (str, bytes, os.PathLike)):  # (one text, not a list: it would be split into its characters)
        shown, why = repr(argv if len(str(argv)) <= 60 else f"{str(argv)[:57]}..."), "must be a list of arguments, " \
            "one item each (['validate', 'book.xlsm']), not one text"
        token = _GIVEN.set(tuple((_text(argv) or "").split()))  # (a --json in it: the usage error said as JSON)
        try:
            parser.error(f"argv: {why}, got {shown}", {"field": "argv", "value": shown, "reason": why})
        finally:
            _GIVEN.reset(token)
    values = list(sys.argv[1:] if argv is None else argv)
    given = [_text(a) for a in values]
    token = _GIVEN.set(tuple(t or "" for t in given))
    try:
        for at, text in enumerate(given):
            if text is None:  # (argparse took it for text: a TypeError from deep inside it)
                shown, why = repr(values[at]), "must be text or a path (str, bytes or os.PathLike)"
                shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
                parser.error(f"argv[{at}]: {why}, got {shown}", {"field": f"argv[{at}]", "value": shown, "reason": why})
        args, unknown = parser.parse_known_args(given)
        command = getattr(args, "parser", None)
        if command is not None and "--" in given:  # (an option of the command's after it: a file name, or one too many)
            taken = [a for a in given[given.index("--") + 1:] if a.split("=", 1)[0] in command._option_string_actions]
            if taken:
                said = f"after --, {taken[0]} is read as a file name, not as the option: put the options before --"
                command.error(said, unknown_problem(said, taken))
        more = isinstance(getattr(args, "workbooks", None), list) and not any(u.startswith("-") for u in unknown)
        if unknown and more:  # (more workbooks after an option: validate's)
            args.workbooks, unknown = args.workbooks + unknown, []
        if unknown:  # named against the command whose options they are not ("see xlpy render --help"), or xlpy's
            before = given[:given.index(args.command)] if args.command in given else given
            named = parser if any(u in before for u in unknown) else args.parser
            said = unknown_said(named, unknown) + _dashed(named, True)  # (review 165: validate a.xlsm -b.xlsm)
            named.error(said, unknown_problem(said, unknown))
    finally:
        _GIVEN.reset(token)
    from ..workbook.locks import STOP_SIGNALS

    try:
        # (one ignored when xlpy started, as nohup ignores SIGHUP, stays ignored)
        previous = {s: signal.signal(s, _signalled) for s in STOP_SIGNALS if signal.getsignal(s) is not signal.SIG_IGN}
    except ValueError:  # not the main thread: the default actions stay
        previous = {}
    try:  # (in a copy of the context: the --max-* limits it sets are this call's, not a later or another thread's)
        return contextvars.copy_context().run(_run, args)
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


def _text(argument) -> str | None:
    """An argument of :func:`main` as the command line has it: a path (``pathlib.Path``, any ``os.PathLike``) or bytes
    as its text, as Python decodes ``sys.argv``; None when it is neither text nor a path (an int, None), or bytes this
    system cannot decode (Windows decodes file names strictly: ``b'\\xff'`` raised UnicodeDecodeError)."""
    if isinstance(argument, str):
        return argument
    try:
        return os.fsdecode(argument)
    except (TypeError, ValueError):
        return None


def console() -> int:
    """The ``xlpy`` command and ``python -m xlpy``: :func:`main`, then its report flushed and a late Ctrl-C or
    SIGTERM let go: the work is done and said, and one that came while the interpreter winds down (a tenth of a
    second after a large workbook) ended the process with status 130 and a report in a pipe lost.  A Ctrl-C before
    the command's own handling of it begins (its arguments being read) ends it with status 130 and one line, as
    later, not a traceback."""
    try:
        status = main()
    except KeyboardInterrupt as exc:  # (what was done, if anything, the command has said: nothing is claimed here)
        status = getattr(exc, "status", 130)  # (SIGTERM or SIGHUP met as main put its handlers in place or back)
        print(f"xlpy: {'interrupted' if status == 130 else 'terminated'}", file=sys.stderr)
    try:
        if sys.stdout is not None:  # (None: started with standard output closed, ">&-": nothing to flush)
            sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # (the reader went away; or stdout is closed)
        pass
    from ..workbook.locks import STOP_SIGNALS

    for s in STOP_SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    return status


def _escape_what_the_streams_cannot_encode() -> list:
    """Characters the output cannot encode are written escaped (``B\\xfccher.xlsm``) instead of ending the command
    in a traceback after its work is done (a workbook written, its report lost, status 1): a Windows redirect
    writes cp1252, a legacy locale Latin-1, and an issuer or a file name may be in any script.  Returns the
    streams changed, for :func:`_put_back`."""
    changed = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        if errors in _ESCAPING and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors=_ESCAPING[errors])
            except (OSError, ValueError):  # (its flush failed, or it is closed: it is left as it is)
                continue
            changed.append((stream, errors))
    return changed


def _bytes_back_else_escaped(exc: UnicodeError):
    """The error handler of an output that writes the bytes of a name the system gave undecoded back as they came
    (``surrogateescape``: under the C locale without UTF-8 mode) and escapes any other character it cannot encode
    (``\xe9``), where it ended the command in a traceback after its work was done."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return b"".join(bytes([ord(c) - 0xDC00]) if 0xDC80 <= ord(c) <= 0xDCFF else c.encode("ascii", "backslashreplace")
                    for c in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("xlpy-surrogateescape-else-backslashreplace", _bytes_back_else_escaped)
#: An output's error handler -> the one it writes with during a call: what it cannot encode, escaped.
_ESCAPING = {"strict": "backslashreplace", "surrogateescape": "xlpy-surrogateescape-else-backslashreplace"}


def _put_back(streams: list) -> None:
    """The streams :func:`_escape_what_the_streams_cannot_encode` changed, with their own error handler again (a
    script's own print of what they cannot encode fails as it did before the call)."""
    for stream, errors in streams:
        try:
            stream.reconfigure(errors=errors)
        except (OSError, ValueError):  # (a reader gone, or closed: the next write says so)
            pass


def _run(args: argparse.Namespace) -> int:
    import warnings

    # openpyxl warns of a date-formatted number past 9999-12-31 and reads it as #VALUE!, which our findings name with
    # its cell (a warning of the library's own source line is no message for a user).
    warnings.filterwarnings("ignore", r"Cell \S+ is marked as a date but the serial value", UserWarning)
    try:
        refuse_empty(args, getattr(args, "texts", ()))
        configure_from(args)
        _temporary_folder(args)
        status = args.run(args)
        flush_output()  # a report that finds no room is said below, not in a traceback as Python ends
        return status
    except InputErrors as exc:  # (each said, and under --json given to the script as JSON too)
        return refused(args, exc.problems, **_unchanged(args, exc.problems))
    except (InputError, XlpyError) as exc:
        return refused(args, [exc], **_unchanged(args, [exc]))
    except zipfile.BadZipFile as exc:  # a damaged part met after the checks (the message names the part)
        problems = [f"a workbook or XLSX file is damaged: {exc}"]
        return refused(args, problems, **_unchanged(args, problems))
    except KeyboardInterrupt as exc:
        signalled = exc.__cause__ if isinstance(exc.__cause__, KeyboardInterrupt) else exc
        how, status = ("terminated", signalled.status) if isinstance(signalled, Terminated) else ("interrupted", 130)
        written = getattr(exc, "path", None)  # xlpy.workbook.locks.InterruptedAfterWriting (not imported here:
        if written is not None:               # openpyxl would load with it): the file is whole and in place
            from pathlib import Path

            from ..workbook.backups import kept_as

            backup = getattr(exc, "backup", None)
            kept = f" (the previous version is kept as {kept_as(backup, Path(written))})" if backup else ""
            said = f"{how} after {getattr(exc, 'said', None) or f'{written} was written'}{kept}"  # (or the files')
        else:  # (review 170: a build --force cut short left the workbook it was to replace as it was: say so)
            replaced = getattr(args, "output", None) if args.command == "build" else None
            replaced = getattr(exc, "not_replaced", None) or (replaced if replaced and os.path.isfile(replaced) else
                                                              None)  # (its path as build found it, or as given)
            said = f"{how}; " + (f"{replaced} was not replaced" if replaced else "nothing was written")
        print(f"xlpy {args.command}: {said}", file=sys.stderr)
        if written is None and (closing := _unchanged(args, []).get("closing")):  # (review 164: as other refusals)
            print(f"xlpy {args.command}: {closing}", file=sys.stderr)
        if getattr(args, "json", False):  # (a script parsing the output reads why it ended, as for a refusal; a
            changed = {"changed": written is not None} if args.command == "refresh" else {}  # refresh, if it wrote)
            say_json(refusal_json([said], status) | changed)
        return status
    except BrokenPipeError:  # the reader went away (xlpy ... | head) after the work was done: not an error of ours
        drop_standard_output()  # (what it still holds: Python's last flush would fail again)
        return EXIT_OK
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):  # one a command did not word itself
            problems = [no_room(exc)]
            if exc.filename is None and standard_output_full():  # (no room for JSON either)
                closing = _unchanged(args, problems, exc).get("closing")
                for line in [*problems, closing] if closing else problems:
                    print(f"xlpy {args.command}: {line}", file=sys.stderr)
                drop_standard_output()
                return EXIT_INPUT
            return refused(args, problems, **_unchanged(args, problems, exc))
        if exc.errno != errno.ENAMETOOLONG:
            return _unexpected(args, exc)
        problems = [name_too_long(exc)]
        return refused(args, problems, **_unchanged(args, problems))
    except Exception as exc:  # (a defect of xlpy's: its traceback, then what it means, exit 70)
        return _unexpected(args, exc)


def _temporary_folder(args: argparse.Namespace) -> None:
    """Refuse a command that works in a temporary folder where none can be written (review 175: ``/tmp``, ``/var/tmp``
    and the current folder closed to the user, TMPDIR unset: validate ended in a traceback, build and render blamed
    their --output)."""
    if args.command not in ("build", "validate", "render", "refresh", "lite"):
        return
    import tempfile

    try:
        tempfile.gettempdir()
    except FileNotFoundError as exc:  # ("No usable temporary directory found in [...]")
        tried = str(exc).split(" in ", 1)[-1]
        raise InputError("TMPDIR", os.environ.get("TMPDIR"), f"no writable temporary folder (tried {tried}): set "
                         "TMPDIR to a folder you can write, then run it again; nothing was written",
                         show_value=False, unchanged=True) from None


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    """An error no check of xlpy's words (a defect, or memory run out on a file too large for this machine): its
    traceback for a report, then one line saying so, and status 70, where Python's own ending gave 1, which every
    command's help calls findings.  A file the command writes is written whole or not at all, as ever."""
    import traceback

    traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, MemoryError):
        said = "ran out of memory (MemoryError); run it on a machine with more memory, or on a smaller file"
    elif isinstance(exc, OSError):  # (one no check words: a disk's EIO, a file system's own refusal)
        said = (f"stopped by an error of the system xlpy did not expect ({exc}); if the disk and the files are sound, "
                "please report it with the lines above")
    else:
        said = (f"stopped by an error xlpy did not expect ({type(exc).__name__}: {exc}); this is a defect of xlpy: "
                "please report it with the lines above")
    return refused(args, [said], EXIT_UNEXPECTED)


def _unchanged(args: argparse.Namespace, problems, exc: BaseException | None = None) -> dict:
    """What a refused ``refresh`` says besides its problems (the keywords of :func:`~xlpy.cli.commands.refused`):
    a closing line, that the workbook as given was not changed, unless every problem says so already (``...; it
    was not changed``: its :attr:`~xlpy.engine.errors.InputError.unchanged`) or no file is there to change
    (``workbook not found``), and under ``--json``
    ``"changed": false``, as its report has ``changed``.  An error met once the workbook was replaced (*exc*'s
    ``written``: its report lost to a disk found full) says neither, and ``"changed": true``."""
    if getattr(args, "command", None) != "refresh":
        return {}
    if getattr(exc, "written", None) is not None:
        return {"more": {"changed": True}}
    workbook = getattr(args, "workbook", None)
    said = problems and all(getattr(p, "unchanged", False) for p in problems)
    there = isinstance(workbook, str) and os.path.isfile(workbook)
    return {"closing": f"{workbook} was not changed" if there and not said else None, "more": {"changed": False}}


def name_too_long(exc: OSError) -> InputError:
    """A path whose name (or one of its folders' names) the file system cannot hold, wherever it was met (a
    workbook, an output, a tally an offer file names...): the path, shortened when long, and why."""
    path = os.fsdecode(exc.filename) if exc.filename is not None else "a path"
    if len(path) > 100:
        path = f"{path[:40]}...{path[-20:]} ({len(path):,} characters)"
    return InputError(path, None, "has a name longer than the file system allows", show_value=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
