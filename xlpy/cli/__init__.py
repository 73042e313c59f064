"""The ``xlpy`` command line.

Exit status: 0 on success, 1 when validation finds a problem, 2 for bad input
(one line per problem on standard error, each naming the file, the key and
the value; nothing written).
"""

from __future__ import annotations

import argparse
import signal
import sys
import zipfile
from collections.abc import Sequence

from .. import __version__
from ..engine.errors import InputError, InputErrors, XlpyError
from .commands import COMMANDS, EXIT_INPUT, EXIT_OK, Terminated, add_limit_options, configure_from

__all__ = ["build_parser", "main"]


# --- entry point --------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from . import offer, workbook  # noqa: F401  (they register their commands)

    parser = argparse.ArgumentParser(prog="xlpy", description="Exchange-offer and induced-conversion accounting.")
    parser.add_argument("--version", action="version", version=f"xlpy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (setup, run, help) in COMMANDS.items():
        p = sub.add_parser(name, help=help, description=help)
        setup(p)
        if name not in ("vba", "lite"):  # every other command may open a workbook or an XLSX tally from outside
            add_limit_options(p)
        p.set_defaults(run=run)
    return parser


def _terminate(signum, frame):
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: the default action stays
        previous = None
    try:
        return _run(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        configure_from(args)
        return args.run(args)
    except InputErrors as exc:
        for problem in exc.problems:
            print(f"xlpy {args.command}: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except (InputError, XlpyError) as exc:
        print(f"xlpy {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except zipfile.BadZipFile as exc:  # a damaged part met after the checks (the message names the part)
        print(f"xlpy {args.command}: a workbook or XLSX file is damaged: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt as exc:
        signalled = exc.__cause__ if isinstance(exc.__cause__, KeyboardInterrupt) else exc
        how, status = ("terminated", 143) if isinstance(signalled, Terminated) else ("interrupted", 130)
        written = getattr(exc, "path", None)  # xlpy.workbook.locks.InterruptedAfterWriting (not imported here:
        if written is not None:               # openpyxl would load with it): the file is whole and in place
            backup = getattr(exc, "backup", None)
            kept = f" (the previous version is kept as {backup.name})" if backup is not None else ""
            print(f"xlpy {args.command}: {how} after {written} was written{kept}", file=sys.stderr)
        else:
            print(f"xlpy {args.command}: {how}; nothing was written", file=sys.stderr)
        return status
    except BrokenPipeError:  # the reader went away (xlpy ... | head): not an error of ours
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
