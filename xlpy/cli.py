"""The ``xlpy`` command line.

Exit status: 0 on success, 1 when validation finds a problem, 2 for bad input
(one line per problem on standard error, each naming the file, the key and
the value; nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Callable, Sequence

from . import __version__
from .engine.errors import InputError, InputErrors, XlpyError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

_COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]] = {}


def command(name: str, help: str):
    """Register ``xlpy NAME``: the decorated function adds arguments; *run* does the work."""

    def wrap(setup):
        def bind(run):
            _COMMANDS[name] = (setup, run, help)
            return run

        return bind

    return wrap


# --- compute / release ------------------------------------------------------


def _setup_compute(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", help="offer file (TOML)")
    p.add_argument("--json", action="store_true", help="print the results object (exact decimal strings)")


@command("compute", "compute the results of an exchange offer")(_setup_compute)
def run_compute(args: argparse.Namespace) -> int:
    from .offerfile import compute_file
    from .report import results_table

    offer, results = compute_file(args.offer)
    if args.json:
        print(json.dumps(results.to_dict(), indent=2))
    else:
        print(results_table(offer, results))
    warn(args, results.warnings)
    return EXIT_OK


def warn(args: argparse.Namespace, warnings) -> None:
    """Warnings on standard error, never mixed into the output (``--json`` stays pure JSON)."""
    for w in warnings:
        print(f"xlpy {args.command}: warning: {w}", file=sys.stderr)


def _setup_release(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", help="offer file (TOML)")


@command("release", "print the results paragraph of the announcement")(_setup_release)
def run_release(args: argparse.Namespace) -> int:
    from .engine.release import release_paragraph
    from .offerfile import compute_file

    offer, results = compute_file(args.offer)
    print(_wrap(release_paragraph(offer, results)))
    warn(args, results.warnings)
    return EXIT_OK


def _setup_entries(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", help="offer file (TOML)")
    p.add_argument("--json", action="store_true", help='print {"entries": [{date, account, debit, credit, memo}]} '
                   "with exact decimal strings")


@command("entries", "print the journal entry for the exchange")(_setup_entries)
def run_entries(args: argparse.Namespace) -> int:
    from .engine.entries import journal_entry
    from .offerfile import compute_file
    from .report import entry_table

    offer, results = compute_file(args.offer)
    entry = journal_entry(offer, results)
    if entry.missing:
        raise InputErrors([InputError(f"{args.offer}: {key}", None, "is missing: the journal entry needs it "
                                      "(see docs/offer-file.md, [accounting])", show_value=False)
                           for key in entry.missing])
    if args.json:
        print(json.dumps({"entries": entry.to_dict()["entries"]}, indent=2))
    else:
        print(entry_table(entry))
    warn(args, results.warnings)
    return EXIT_OK


def _wrap(text: str, width: int = 78) -> str:
    import textwrap

    return textwrap.fill(text, width, break_on_hyphens=False)


# --- entry point --------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from . import cli_workbook  # noqa: F401  (registers build, validate, render, refresh, vba)

    parser = argparse.ArgumentParser(prog="xlpy", description="Exchange-offer and induced-conversion accounting.")
    parser.add_argument("--version", action="version", version=f"xlpy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (setup, run, help) in _COMMANDS.items():
        p = sub.add_parser(name, help=help, description=help)
        setup(p)
        if name != "vba":  # every other command may open a workbook or an XLSX tally from outside
            from .safety import add_limit_options

            add_limit_options(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from .safety import configure_from

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
    except KeyboardInterrupt:
        print(f"xlpy {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (xlpy ... | head): not an error of ours
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
