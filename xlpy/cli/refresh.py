"""``xlpy refresh``: the command line of a headless refresh (the work is :func:`xlpy.workbook.refresh_file.refresh_file`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .commands import flush_output, refuse_unrecordable, report_lost, warn

__all__ = ["refresh_command", "setup_refresh"]


def setup_refresh(p: argparse.ArgumentParser) -> None:
    """Arguments of ``xlpy refresh``."""
    p.add_argument("workbook", help="standard workbook (.xlsm) to refresh in place")
    p.add_argument("--tally", metavar="FILE", help="tally (CSV or XLSX); default: the one recorded on the Cover")
    p.add_argument("--prices", metavar="FILE", help="price history (CSV); default: the one recorded on the Cover")
    mapped = p.add_mutually_exclusive_group()
    mapped.add_argument("--mapping", metavar="FILE", help="column mapping (TOML) for the tally; default: the one the "
                        "Cover records, for the recorded tally, or for a --tally file that has every column it names "
                        "(a --tally file without them is refused unless its header names them in our words)")
    mapped.add_argument("--no-mapping", action="store_true", help="read the tally by its own header, not with the "
                        "mapping the Cover records (the agent's file now in our words, or in another form)")
    p.add_argument("--no-backup", action="store_true",
                   help="do not keep the previous file as NAME.YYYYmmdd-HHMMSS.bak.xlsm beside it")
    p.add_argument("--keep", type=int, metavar="N",
                   help="keep only the backups of the workbook's N newest versions (copies of one counted once), "
                   "removing older ones (default: keep all; 0 keeps none, not even this refresh's)")
    p.add_argument("--force", action="store_true",
                   help="refresh even though an Excel (~$NAME) or LibreOffice (.~lock.NAME#) owner file says the "
                   "workbook is open: only for an owner file left over from a crash")
    p.add_argument("--json", action="store_true",
                   help="print the report as JSON: the sources read (SHA-256), whether the workbook changed, the "
                   "areas written, the release check, the backup kept, notes and warnings")
    p.add_argument("--allow-unknown-parts", action="store_true",
                   help="carry forward binary parts the standard workbook does not account for (embedded "
                   "objects, ActiveX controls...); without it such a workbook is refused")




def refresh_command(args: argparse.Namespace) -> int:
    """``xlpy refresh WORKBOOK [--tally FILE] [--prices FILE] [--mapping FILE | --no-mapping] [--no-backup] [--keep N]
    [--force]``."""
    from ..workbook.refresh_file import (
        refresh_file,  # loads openpyxl: only when a refresh runs
    )

    from ..files.recorded import recorded_path

    from ..workbook.locks import target_of

    for option, given, what in (("--tally", args.tally, "a tally: give the exchange agent's tally file"),
                                ("--prices", args.prices, "a price history: give the price file (CSV)")):
        from ..engine.errors import InputError

        if given and _same_file(given, args.workbook):  # (its reader would name it a workbook only)
            raise InputError(option, given, f"is the workbook being refreshed, not {what}")
        if given and Path(given).suffix.lower() == ".toml":  # (read as CSV: a line of problems for each of its lines)
            raise InputError(option, given, f"is a TOML file (an offer file or a mapping file), not {what}; a mapping "
                             "file goes after --mapping, an offer file to xlpy build")
    folder = target_of(Path(args.workbook)).parent  # the refresh records paths from the file it writes (a link's target)
    refuse_unrecordable([(option, given, recorded_path(Path(given), folder, Path(given).is_absolute()))
                         for option, given in (("--tally", args.tally), ("--prices", args.prices),
                                               ("--mapping", args.mapping)) if given])
    mapping = args.mapping
    if getattr(args, "no_mapping", False):
        from ..engine.errors import InputError
        from ..files.sources import ColumnMapping

        # The recorded tally goes with the recorded mapping: read without it, another column could be taken for one.
        if not args.tally:
            raise InputError("--no-mapping", None, "goes with a tally given with --tally: the tally the Cover "
                             "records is read with the mapping it records", show_value=False)
        mapping = ColumnMapping()  # (given: the Cover's is not read)
    done = refresh_file(Path(args.workbook), args.tally, args.prices, mapping, backup=not args.no_backup,
                        keep=getattr(args, "keep", None), force=getattr(args, "force", False),
                        allow_unknown_parts=getattr(args, "allow_unknown_parts", False))
    try:
        if getattr(args, "json", False):  # (the warnings in it too: a script need not read standard error)
            print(json.dumps(done.to_dict(), indent=2))
        else:
            for line in done.lines:
                print(line)
        flush_output()  # (here, where a report lost to a full disk can be said to be of a workbook refreshed)
        warn(args, done.warnings)  # on standard error, after the report, as build says its warnings
    except KeyboardInterrupt as exc:  # the workbook is written: the message says so
        done.reraise(exc)
    except OSError as exc:  # (a report sent to a full disk): the workbook is refreshed, and said so
        from ..workbook import backups

        kept = (f" (the previous version is kept as {backups.kept_as(done.kept, done.written)})"
                if done.kept is not None else "")
        said = f"{done.written} was refreshed{kept}" if done.written is not None else "nothing was changed"
        status = report_lost("refresh", said, exc)
        if status is None:  # (the command line, refusing it, must not say the workbook was not changed)
            exc.written = done.written
            raise
        warn(args, done.warnings)
        return status
    return 0


def _same_file(a: str, b: str) -> bool:
    """Whether the paths *a* and *b* are one file (through links and other spellings); False if either is not."""
    import os

    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
