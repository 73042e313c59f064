"""Commands on an offer file: ``xlpy compute``, ``xlpy release`` and ``xlpy entries``.

Each takes an offer file (TOML) or, in its place, a standard workbook: the
figures are then the workbook's inputs as they are now (after a refresh, or
inputs typed in it), read as ``xlpy validate`` reads them
(:mod:`xlpy.workbook.book_offer`), and standard error says so first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..engine.errors import InputError, InputErrors
from .commands import EXIT_OK, command, warn

__all__ = ["run_compute", "run_entries", "run_release"]

#: What the three commands' first argument is.
OFFER_HELP = "offer file (TOML) or standard workbook (.xlsm/.xlsx built by xlpy: its current inputs are computed)"


def _computed(args: argparse.Namespace):
    """``(offer, results, book)`` of the offer file, or of the workbook's inputs (*book* then its
    :class:`~xlpy.workbook.book_offer.BookOffer`, None for an offer file): a workbook is told by its content
    (:func:`~xlpy.files.sniff.given_workbook`), and where its inputs came from is said on standard error."""
    from ..files.sniff import given_workbook

    if not given_workbook(Path(args.offer)):
        from ..files.offerfile import compute_file

        return (*compute_file(args.offer), None)
    from ..workbook.book_offer import compute_book

    book = compute_book(args.offer)
    print(f"xlpy {args.command}: {book.note}", file=sys.stderr)
    return book.offer, book.results, book


def _setup_compute(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", help=OFFER_HELP)
    p.add_argument("--json", action="store_true", help="print the results object (exact decimal strings)")


@command("compute", "compute the results of an exchange offer")(_setup_compute)
def run_compute(args: argparse.Namespace) -> int:
    from .report import results_table

    offer, results, _ = _computed(args)
    if args.json:
        print(json.dumps(results.to_dict(), indent=2))
    else:
        print(results_table(offer, results))
    warn(args, results.warnings)
    return EXIT_OK


def _setup_release(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", help=OFFER_HELP)


@command("release", "print the results paragraph of the announcement")(_setup_release)
def run_release(args: argparse.Namespace) -> int:
    from ..engine.release import release_paragraph

    offer, results, _ = _computed(args)
    print(_wrap(release_paragraph(offer, results)))
    warn(args, results.warnings)
    return EXIT_OK


def _setup_entries(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", help=OFFER_HELP)
    p.add_argument("--json", action="store_true", help='print {"entries": [{entry, date, account, debit, credit, '
                   'memo}], "warnings": [text]}, amounts in dollars as decimal strings with two places '
                   '(9597836.40); entry is "offer" or "exchange N"')


def _json_line(label: str, line) -> dict:
    """A line of ``entries --json``: its amounts with their two places (``9597836.40``), as booked in cents and as
    a ledger's import file has them; ``compute --json`` keeps the exact amounts, without trailing zeros."""
    out = {"entry": label, **line.to_dict()}
    for side in ("debit", "credit"):
        amount = getattr(line, side)
        out[side] = None if amount is None else f"{amount:.2f}"
    return out


@command("entries", "print the journal entries for the exchange and any later exchanges")(_setup_entries)
def run_entries(args: argparse.Namespace) -> int:
    from ..engine.entries import entry_warnings, journal_entries
    from .report import entry_table

    offer, results, book = _computed(args)
    entries = journal_entries(offer, results)
    first: dict[str, str] = {}  # each key once, as the first entry needing it words it (a later exchange's too)
    for key in (key for entry in entries for key in entry.missing):
        first.setdefault(key.split(" ", 1)[0], key)
    missing = list(first.values())
    if missing:
        raise InputErrors([_required(args, book, key) for key in missing])
    said = book.said if book is not None else list
    warnings = list(results.warnings) + said(entry_warnings(offer, results, len(entries)))
    if args.json:  # (the warnings too, as compute --json gives them: a script need not read standard error)
        print(json.dumps({"entries": [_json_line(entry.label, line) for entry in entries for line in entry.lines],
                          "warnings": warnings}, indent=2))
    elif len(entries) == 1:
        print(entry_table(entries[0]))
    else:  # the offer and each later exchange: an entry each, under its own heading
        print("\n\n".join(f"{entry.label.capitalize()}, {entry.date.isoformat()}\n{entry_table(entry)}"
                           for entry in entries))
    warn(args, warnings)
    return EXIT_OK


def _required(args: argparse.Namespace, book, key: str) -> InputError:
    """The problem of an input the journal entry needs (*key*: ``accounting.par_value``, or a key and what may
    stand for it, ``accounting.carrying_per_unit (or accounting.carrying_amount)``): in the offer file, or at the
    workbook's input cell when the inputs are a workbook's (*book*)."""
    if book is None:
        return InputError(f"{args.offer}: {key}", None, "is required: the journal entry needs it (see "
                          "docs/offer-file.md, [accounting]: xlpy docs offer-file)")
    first, _, instead = key.partition(" ")  # (each key of *instead* at its cell too)
    return book.problem(first, f"is required: the journal entry needs it{' ' + instead if instead else ''}")


def _wrap(text: str, width: int = 78) -> str:
    import textwrap

    return textwrap.fill(text, width, break_on_hyphens=False)


