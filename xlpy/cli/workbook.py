"""Workbook commands of the ``xlpy`` command line (build, validate, render, refresh, vba, lite)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..engine.errors import Busy, InputError, InputErrors, XlpyError
from ..files.recorded import SEED_OFFER  # the offer the README's first command builds when given none
from ..workbook.libreoffice import ci_set  # (standard library only: the options' default needs it at start)
from .commands import (EXIT_BUSY, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, Terminated, command, drop_standard_output,
                       flush_output, not_written, refusal_json, refuse_unrecordable, refused, report_lost,
                       say_json, timeout_seconds, warn)


def seed_offer_path() -> Path:
    """The bundled seed example (``workbook/offers/hecla-2004.toml``, installed as ``xlpy/examples``)."""
    from importlib import resources

    return Path(str(resources.files("xlpy.examples") / SEED_OFFER))


def _sources_record(offer_path: Path, offer, out: Path, bundled: bool = False) -> dict[str, object]:
    """The Cover's record of what the workbook was built from.

    The offer file, tally and price files are recorded as :func:`xlpy.files.recorded.recorded_path` says
    (relative to the workbook's folder, unless given absolute and outside it), so ``xlpy refresh`` (and the
    buttons) find the tally and prices again by default, and the refresh, validate and the rebuild's commands
    the offer file.  The built-in example (*bundled*) is recorded by its name, which ``xlpy build`` rebuilds.
    """
    from ..files.sniff import toml_text
    from ..files.recorded import NO_PRICE_FILE, NO_TALLY_FILE, recorded_path, sha256, written_path
    from ..files.typed import unstorable

    def record(text: str) -> tuple[Path, str]:  # the file a path of the offer file names, and its record
        given = written_path(text)
        return base / given, recorded_path(base / given, folder, given.is_absolute())

    base, folder = offer_path.parent, out.parent
    offer_at = SEED_OFFER if bundled else recorded_path(offer_path, folder, offer_path.is_absolute())
    if unstorable(offer_at) and not unstorable(offer_path.name):  # (a folder of a name no workbook stores: the
        offer_at = offer_path.name                                  # file's name, found only beside the workbook)
    rec: dict[str, object] = {"OfferFile": offer_at, "OfferSha256": sha256(offer_path)}
    holders, named = offer.tally.holders, tomllib.loads(toml_text(offer_path)).get("tally", {})
    if holders is not None or named.get("file"):  # (a holder tally, or the agent's count file: one line, as refreshed)
        tally, rec["TallySource"] = record(named["file"] if holders is None else holders.source)
        rec.update(TallySha256=sha256(tally), TallyRows=1 if holders is None else len(holders))
        if named.get("mapping"):
            rec["TallyMapping"] = record(named["mapping"])[1]
    else:
        rec.update(TallySource=NO_TALLY_FILE, TallyRows=0)
    f = offer.consideration.formula
    if f is not None:
        prices, rec["PriceSource"] = record(f.source)
        rec.update(PriceSha256=sha256(prices), PriceRows=len(f.prices))
    else:
        rec.update(PriceSource=NO_PRICE_FILE, PriceRows=0)
    where = f"{offer_path.name}: "
    refuse_unrecordable([(field, str(offer_path) if key == "OfferFile" else rec[key], str(rec[key])) for key, field in (
        ("OfferFile", "offer file"), ("TallySource", where + "tally.file"), ("TallyMapping", where + "tally.mapping"),
        ("PriceSource", where + "offer.consideration.formula.prices")) if key in rec])
    return rec


def _print_reports(reports, as_json: bool) -> int:
    """Print *reports*' findings, notes and verdicts (or their JSON); the status says whether all are valid, read
    to the end or not (``validate ... | head -1`` ends 1 on findings, as without the pipe)."""
    status = _status(reports)
    try:
        _print_findings(reports, as_json)
    except BrokenPipeError:
        drop_standard_output()
    return status


def _status(reports) -> int:
    """Findings (1) in any of *reports*, else none (0); a workbook refused (one that changed while it was
    validated among them) has none: the caller says its status."""
    return EXIT_FINDINGS if any(r.findings for r in reports) else EXIT_OK


def _print_findings(reports, as_json: bool) -> None:
    from ..workbook.findings import lines as finding_lines

    if as_json:
        print(json.dumps([_report_json(r) for r in reports], indent=2))
    else:
        for r in (r for r in reports if not r.refused):  # (a workbook refused: its lines on standard error only)
            for line in finding_lines(r.findings):  # (one for a finding both legs make alike)
                print(line)
            for n in r.notes:
                print(f"{r.workbook}: note: {n}")
            legs = ", ".join(f"{leg} {r.versions[leg]}" if leg in r.versions else leg for leg in r.legs_run) or "none"
            print(f"{r.workbook}: {r.verdict} ({r.cells_compared} figures compared; recalculated by: {legs})")
    flush_output()  # (here, where build can say a report lost to a full disk was of a workbook written)


def _report_json(r) -> dict:
    """A workbook's object in ``validate --json``: its report's; a workbook refused has the ``status`` and ``errors``
    of a refusal too (:func:`~xlpy.cli.commands.refusal_json`: each line of standard error), no findings."""
    if not r.refused:
        return r.to_dict()
    return r.to_dict() | refusal_json(r.refused, EXIT_BUSY if all(isinstance(p, Busy) for p in r.refused) else
                                      EXIT_INPUT)


def _say_now(line: str) -> None:
    """Print *line* of a report at once, before the work goes on; a reader gone (``build | true``) is let go, the
    work still done (build validates what it wrote, and its exit status says what the validation found)."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        drop_standard_output()


def _print_built(out: Path, results, report, kept: list[Path], carried: dict | None = None,
                 pruned: list[Path] = (), warnings: list[str] = ()) -> int:
    """``build --json``: the workbook written, the backup of the one it replaced (or null) and the older ones
    removed (``--keep``), the History carried (``{"workbook", "rows"}``, or null), every warning the build gave
    on standard error (the results' and the entries'), its results and its validation's report (None: not
    validated)."""
    from ..workbook.backups import kept_as

    try:
        print(json.dumps({"workbook": str(out), "backup": _kept_as(kept, out),
                          "removed_backups": [kept_as(p, out) for p in pruned], "history_from": carried,
                          "warnings": list(warnings),
                          "results": results.to_dict(),
                          "validation": report.to_dict() if report is not None else None}, indent=2), flush=True)
    except BrokenPipeError:  # (the reader went away: the status still says what the validation found)
        drop_standard_output()
    return EXIT_OK if report is None else _status([report])


def _interrupted(args: argparse.Namespace, exc: KeyboardInterrupt, after: str) -> int:
    """Ctrl-C or a signal (*exc*) once the workbook was written: said (``interrupted`` or ``terminated``, then
    *after*), under ``--json`` as a refusal object too; returns its status (130, or the signal's)."""
    signalled = exc.__cause__ if isinstance(exc.__cause__, KeyboardInterrupt) else exc
    said = f"{'terminated' if isinstance(signalled, Terminated) else 'interrupted'}{after}"
    status = signalled.status if isinstance(signalled, Terminated) else 130
    print(f"xlpy {args.command}: {said}", file=sys.stderr)
    if getattr(args, "json", False):
        say_json(refusal_json([said], status))
    return status


def _kept_as(kept: list[Path], out: Path) -> str | None:
    """The copy a build kept of the workbook *out* it replaced, named as a refresh names its own (None: none)."""
    from ..workbook.backups import kept_as

    return kept_as(kept[0], out) if kept else None


def _kept(kept: list[Path], out: Path) -> str:
    """What a build that replaced a workbook says of its copy (as a refresh says it), or nothing."""
    return f" (the previous version is kept as {_kept_as(kept, out)})" if kept else ""


def _history_from(given: str | None, offer_id: str, folder: Path, when) -> tuple[list[tuple], list[str]]:
    """``--history-from OLD``: the History rows of the earlier workbook *given* (none without it), their tally files
    recorded from *folder*, the new workbook's; and the warnings that its sign-off is not carried, when it has one,
    and that its last row is timed after the build's time *when* (a clock set apart), as a refresh warns.  One another
    xlpy is writing (its refresh lock held), before the reads or after them, or that changed while it was read (its
    SHA-256 before and after, as validate ties a workbook's) is refused as busy, exit status 3."""
    if given is None:
        return [], []
    from ..files.safety import DAMAGE, refused_part
    from ..workbook.findings import file_digest
    from ..workbook.history_carry import (FIELD, carried_history, clock_behind, lite_left, sign_off_left,
                                          still_as_read)

    old, digest = Path(given), file_digest(given)
    try:
        rows = carried_history(old, offer_id, folder)
        left = [sign_off_left(old), lite_left(old)]
    except DAMAGE as exc:  # (a part damaged, met reading it, a theme or a sheet: named as the option's refusals are)
        raise refused_part(old, f"{FIELD}: {old}", exc, "nothing was written", unchanged=True) from None
    still_as_read(old, digest)  # (each of the reads above of one version of the file, no writer at work on it)
    return rows, list(filter(None, [*left, clock_behind(rows, f"{when:%Y-%m-%d %H:%M:%S}", given)]))


def _count_file_said(offer, warnings: list[str], history: list[tuple]) -> list[str]:
    """*warnings* (the results', with :func:`~xlpy.files.offerfile.compute_file`'s of each count the offer file's
    count file has no column for, taken as 0), those said again against what the last row of the History
    ``--history-from`` carried records (``where History's last row records 3,500``), as a refresh of a holder
    workbook says them; a final count's failed deliveries missing are then said too."""
    from ..files.counts import absent_counts
    from ..workbook.table_edits import history_held

    tally = offer.tally
    if not (tally.absent and history):
        return warnings
    final = lambda name: tally.final if name == "FinalCount" else None  # noqa: E731  (as compute_file asks it)
    plain = absent_counts(tally.source, tally.absent, final)
    held = absent_counts(tally.source, tally.absent, history_held(history, final))
    return [w for w in warnings if w not in plain] + held


def _carried(given: str | None, history: list[tuple]) -> str:
    """What a build that carried an earlier workbook's History says of it, or nothing."""
    if given is None:
        return ""
    return f"; History carried from {given} ({len(history):,} row{'' if len(history) == 1 else 's'})"


def _carried_json(args, history: list[tuple]) -> dict | None:
    return None if args.history_from is None else {"workbook": args.history_from, "rows": len(history)}


def _legs(args) -> tuple[str, ...]:
    legs = []
    if not getattr(args, "no_formulas", False):
        legs.append("formulas")
    if not getattr(args, "no_libreoffice", False):
        legs.append("libreoffice")
    return tuple(legs)


def _leg_timeout(args) -> float | None:
    """``--timeout``'s seconds for the LibreOffice leg (None: sized to each workbook); given where no LibreOffice
    leg runs (``--no-libreoffice``, build's ``--no-validate``), a usage error naming both, as the time would
    silently do nothing."""
    skipped = next((o for o, on in (("--no-validate", getattr(args, "no_validate", False)),
                                    ("--no-libreoffice", getattr(args, "no_libreoffice", False))) if on), None)
    if args.timeout is not None and skipped:
        raise InputError("--timeout", args.timeout, f"is the time of LibreOffice's recalculation, which {skipped} "
                         "skips: give one or the other")
    return timeout_seconds(args.timeout)


def _add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bars (they are drawn on a terminal only, for steps over a second)")


def _progress(args) -> None:
    from ..workbook import progress

    progress.configure(quiet=getattr(args, "quiet", False) or getattr(args, "json", False))


def _add_leg_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-formulas", action="store_true", help="skip the recalculation with the formulas library")
    lo = p.add_mutually_exclusive_group()  # (skipping the leg and requiring it: a usage error naming both)
    lo.add_argument("--no-libreoffice", action="store_true", help="skip the recalculation with LibreOffice")
    lo.add_argument("--require-libreoffice", action="store_true",
                    default=ci_set(),
                    help="a missing LibreOffice is a finding (default when CI is set, and not blank, 0, false, no or "
                    "off)")
    from ..workbook import book_size as b

    big = math.ceil(b.recalc_time([b.Size((100_000,))]) / 60)
    p.add_argument("--timeout", metavar="SECONDS",
                   help=f"seconds LibreOffice's recalculation of each workbook may take (default: sized to the "
                   f"workbook, {b.RECALC_BASE + b.RECALC_BOOK:g} s and {b.RECALC_SECONDS:g} s for each thousand rows "
                   f"of its sheets: under {big} minutes for a holder table of 100,000 lines)")
    _add_quiet(p)


def _setup_build(p: argparse.ArgumentParser) -> None:
    p.add_argument("offer", nargs="?", help="offer file (TOML); default: the bundled seed example")
    p.add_argument("-o", "--output", help="workbook (.xlsm) to write, or a folder to write <offer id>.xlsm in "
                   "(default: <offer id>.xlsm here)")
    p.add_argument("--force", action="store_true", help="replace the workbook if it exists (it may hold typed "
                   "inputs and refreshes: without --force an existing file is never replaced); never one that is "
                   "read-only or open in Excel or LibreOffice (an owner file ~$NAME or .~lock.NAME# beside it)")
    p.add_argument("--no-backup", action="store_true", help="with --force, replace the workbook without keeping "
                   "a copy of it (default: the workbook replaced is kept as NAME.YYYYmmdd-HHMMSS.bak.xlsm beside it, "
                   "as a refresh keeps one)")
    p.add_argument("--keep", type=int, metavar="N", help="with --force, keep only the backups of the workbook's "
                   "N newest versions, removing older ones, as a refresh's --keep does (default: keep all; 0 keeps "
                   "none, not even this build's)")
    p.add_argument("--history-from", metavar="WORKBOOK", help="carry the History rows of an earlier workbook of "
                   "the same offer (one built by an earlier xlpy, say) into the new one, in place of a row of the "
                   "build's own")
    p.add_argument("--no-validate", action="store_true", help="write the workbook without validating it")
    p.add_argument("--json", action="store_true", help="print the workbook written, the backup kept (or null) and "
                   "those removed, the History carried (or null), the warnings, its results (as compute --json gives "
                   "them) and the validation's report (as validate --json gives one) as one JSON object")
    _add_leg_options(p)


def build_output(given: str | None, offer_id: str, force: bool, offer_name: str = "") -> Path:
    """Where ``xlpy build`` writes: checked before anything is computed or written.

    A folder gets ``<offer id>.xlsm`` inside it.  The standard workbook carries
    a VBA project (the refresh buttons), which Excel opens only under a
    macro-enabled name, so any other suffix is refused.  An existing workbook
    is replaced only with *force*, and never when it is read-only or open in
    Excel or LibreOffice (:mod:`xlpy.workbook.locks`, as a refresh refuses it).
    """
    out = Path(given) if given else Path(f"{offer_id}.xlsm")
    if given and given.endswith(("/", os.sep)) and not out.is_dir():  # meant as a folder (Path drops the slash)
        raise InputError("--output", given, "names no folder that exists: create it first, or give a .xlsm file")
    # (os.path's checks, not Path's: a name past the file system's longest is told below, as offer.id's when it is)
    if os.path.isdir(out):
        out = out / f"{offer_id}.xlsm"
    if out.suffix.lower() != ".xlsm":
        from ..workbook.parts import MACRO_NAME

        raise InputError("--output", str(out), MACRO_NAME)
    if os.path.isdir(out):
        raise InputError("--output", str(out), "is a folder")
    from ..workbook import locks

    written = locks.target_of(out) if os.path.exists(out) else out
    deep = locks.path_problem(written)  # (Windows: the folder as much as the name; shown whole, as it is counted)
    if deep:
        raise InputError("--output", os.path.abspath(written), deep)
    too_long = locks.name_problem(written)  # now, not at its first refresh
    if too_long:  # (the name taken from offer.id when no -o names the file: say so, and how to give one)
        if given and not Path(given).is_dir():
            raise InputError("--output", str(out), too_long)
        raise InputError(f"{offer_name + ': ' if offer_name else ''}offer.id", str(out), too_long + " (without a "
                         "file named by -o, the workbook is named after the offer's id: name one, -o "
                         f"{given.rstrip('/' + os.sep) + '/' if given else ''}SHORT.xlsm)")
    if out.is_symlink() and not out.exists() and not force:  # (refuse_existing would call it a file that exists)
        from ..files.steady import not_found  # (review 176: a chain, a loop said as such)

        raise InputError("--output", str(out), not_found(out, "workbook", "pass --force to replace the link with the "
                                                                          "workbook"))
    if out.exists() and not force:
        older = _earlier_layout(out)
        if older:
            refuse_existing(out, force, _other_layout_refusal(out, older))
        refuse_existing(out, force, "exists and may hold typed inputs and refreshes; refresh it with xlpy refresh, "
                        "or pass --force to replace it")
    if out.exists():  # --force: replace the workbook, but not under someone who has it open, nor a read-only one
        _check_replaceable(out)
    if not out.parent.is_dir():
        raise InputError("--output", str(out), f"cannot be written: no folder {out.parent}")
    return out


def refuse_an_input(out: Path, offer_path: Path) -> None:
    """Refuse an output that is a file the offer file reads (its tally, mapping or price file, or a link to one):
    ``--force`` replaces a workbook, never the agent's tally it was built from."""
    from ..files.recorded import written_path
    from ..files.sniff import toml_text

    if not out.exists():
        return
    try:
        if os.path.samefile(out, offer_path):  # (an offer file named .xlsm: its terms would be lost)
            raise InputError("--output", str(out), "is the offer file itself: name another file")
    except OSError:
        pass
    raw = tomllib.loads(toml_text(offer_path))  # (read and checked already: the keys are those compute read)
    tally, formula = raw.get("tally", {}), raw.get("offer", {}).get("consideration", {}).get("formula", {})
    for key, text in (("tally.file", tally.get("file")), ("tally.mapping", tally.get("mapping")),
                      ("offer.consideration.formula.prices", formula.get("prices"))):
        if not isinstance(text, str) or not text:
            continue
        try:
            same = os.path.samefile(out, offer_path.parent / written_path(text))
        except (OSError, ValueError):  # not there, or no path at all: not the output
            continue
        if same:
            raise InputError("--output", str(out), f"is the file {offer_path.name} reads as {key} ({text}): a "
                             "workbook written there would replace it; name another file")


def refuse_existing(out: Path, force: bool, reason: str = "exists; pass --force to replace it") -> None:
    """Refuse to write over a file *out* that exists (a symbolic link too, dangling or not) unless *force*: the
    ``--output`` of ``build`` and ``vba``, never replaced unasked."""
    if (out.exists() or out.is_symlink()) and not force:
        raise InputError("--output", str(out), reason)


def _check_replaceable(out: Path) -> None:
    """Refuse to replace *out* when it is open in Excel or LibreOffice, or read-only (``xlpy refresh``'s checks)."""
    from ..workbook import locks

    busy = locks.locked_message(out) or locks.busy_message(out, leftover="delete {file}")
    if busy:
        raise Busy(str(out), None, busy, show_value=False)
    locks.check_writable(locks.target_of(out), str(out), done="replaced")


def _other_layout_refusal(out: Path, version: str) -> str:
    """Why ``xlpy build`` does not write over *out*, a workbook of layout *version*: a later xlpy's, or an earlier
    one's, with the commands that rebuild it from the files its Cover records (:mod:`xlpy.workbook.rebuild`)."""
    from ..workbook import rebuild
    from ..workbook.backends import PackageBook
    from ..workbook.layout.model import LAYOUT_VERSION, OtherLayout

    said = f"(layout {version}; this xlpy writes layout {LAYOUT_VERSION})"
    if OtherLayout(version).later is not False:
        return (f"exists, built by {'a later' if OtherLayout(version).later else 'another'} xlpy {said}: install "
                "that xlpy to refresh it, or build this one under another name (-o NEW.xlsm)")
    try:
        book = PackageBook(out)
        try:
            commands = rebuild.rebuild_commands(rebuild.book_records(book), out)
        finally:
            book.close()
    except Exception:  # noqa: BLE001  (a workbook whose records cannot be read: the advice without them)
        commands = ""
    return (f"exists, built by an earlier xlpy {said}: build the new workbook under another name and refresh it "
            "from the files this one records (--history-from carries its History over)" +
            (f"; {commands}" if commands else ""))


def _earlier_layout(path: Path) -> str | None:
    """The layout of the standard workbook at *path* when another xlpy built it ("4"), else None (the current
    layout or one read as it, or not a standard workbook one can read)."""
    from ..workbook.layout.model import LAYOUT_NAME, same_since, shape_parts
    from ..workbook.package import Package
    from ..workbook.workbook_xml import defined_names

    try:
        pkg = Package(path)
        try:
            shape = defined_names(pkg.read(pkg.workbook_part())).get(LAYOUT_NAME, "")
        finally:
            pkg.close()
    except Exception:  # not a package, or a damaged one: the plain refusal says enough
        return None
    if not shape:
        return None
    parts = shape_parts(shape)
    version = parts.get("layout", "1")
    return None if same_since(version, parts) else version


def _in_offer_file(problem: InputError, name: str, offer) -> InputError:
    """*problem* as ``xlpy compute`` words it: the offer file, then the key (``tally.file`` for a tally's line)."""
    source = offer.tally.holders.source if offer.tally.holders is not None else None
    if source and problem.field.startswith(f"{source}: "):  # the file as the offer file writes it, as compute says
        return problem.located(f"{name}: tally.file")  # it (data/t.csv: row 2; it said t.csv: row 2 before)
    return problem.located(name)



def _backup(target: Path, replacing: bool, no_backup: bool) -> tuple[Callable[[], Path] | None, list[Path]]:
    """``build --force``'s copy of the workbook it replaces, made as a refresh makes one
    (``NAME.YYYYmmdd-HHMMSS.bak.xlsm`` beside it, once the new workbook is complete): the function that makes it
    (None when nothing is replaced, or with --no-backup), and the list that gets its path."""
    kept: list[Path] = []
    if not replacing or no_backup:
        return None, kept

    def backup() -> Path:
        from ..workbook.clock import utc_now
        from ..workbook.backups import write_backup
        from ..workbook.refresh_file import backup_path

        kept.append(write_backup(target, backup_path(target, utc_now())))
        return kept[-1]

    return backup, kept


def _built_line(out: Path, offer, results, more: str) -> str:
    """What a build says of the workbook it wrote (*more*: the backup kept and removed, the History carried)."""
    from ..engine.numbers import units
    from .report import all_exchanges, charge_words, fmt_count

    every, n = "", len(results.exchanges)
    if n > 1:  # (unlike measures, a gain and later charges, are netted in words: not "the charge ... -$70,000.00")
        figure = all_exchanges(results, offer)[1]
        every = (f" (the offer's; the charge of all {n} exchanges {figure})" if results.treatment ==
                 "induced_conversion" else f" (the offer's; all {n} exchanges: {figure})")
    return (f"built {out}: {offer.issuer}, {units(results.units_accepted)} accepted, "
            f"{fmt_count(results.common_issued)} common issued, {charge_words(results, offer)}{every}{more}")


def _removed(pruned: list[Path], keep: int | None) -> str:
    """What a build that removed older backups (``--keep N``) says of them, as a refresh says it, or nothing."""
    return (f"; removed {len(pruned)} older backup{'' if len(pruned) == 1 else 's'} (--keep {keep}): "
            f"{', '.join(p.name for p in pruned)}" if pruned else "")


def _pruned(out: Path, target: Path, keep: int | None, kept: list[Path]) -> tuple[list[Path], list[str]]:
    """``build --force --keep N`` beside the workbook *target* it replaced (only there: a lost workbook's backups
    may be all that is left of it): the backups removed, and the warning of those named after now, which are kept
    and not counted (:func:`xlpy.workbook.backups.ahead_warning`), as a refresh says it."""
    from ..workbook import backups

    stuck: list = []  # (a backup the user may not remove: left, and said, review 175)
    pruned = backups.prune_backups(target, keep, kept[0] if kept else None, stuck)
    ahead = backups.ahead_warning(target, keep, kept[0] if kept else None)
    return pruned, ([f"{out.name}: {ahead}"] if ahead else []) + backups.stuck_warnings(stuck, keep or 0)


@command("build", "build the standard offer-results workbook, then validate it")(_setup_build)
def run_build(args: argparse.Namespace) -> int:
    from ..engine.entries import entry_warnings
    from ..files import steady
    from ..files.offerfile import compute_file
    from ..workbook import locks, progress
    from ..workbook.build import build_time, build_workbook

    _progress(args)
    if args.keep is not None and args.keep < 0:
        raise InputError("--keep", args.keep, "must be 0 or more")
    seconds = _leg_timeout(args)
    offer_path = Path(args.offer) if args.offer else seed_offer_path()
    with steady.one_reading():  # the SHA-256s recorded are those of the bytes read
        with progress.step("reading the offer and the tally, computing"):
            offer, results = compute_file(offer_path)
        out = build_output(args.output, offer.id, args.force, offer_path.name)
        refuse_an_input(out, offer_path)
        existed = out.exists() or out.is_symlink()  # as build_output found it: a file made since is someone's work
        target = locks.target_of(out) if out.exists() else out  # a link's target is replaced, the link stays
        record = _sources_record(offer_path, offer, target, bundled=not args.offer)
        when = build_time()  # (the Cover's Built at, which the last row of a History carried is told against)
        history, left = _history_from(args.history_from, offer.id, target.parent, when)  # (before -o OLD is replaced)
    # (a dangling link: nothing to keep; --keep 0: no backup is kept, so none is written only to be removed)
    replacing = out.exists()
    backup, kept = _backup(target, replacing, args.no_backup or args.keep == 0)
    written = validating = False
    try:
        with progress.step(f"writing {out.name}"), locks.RefreshLock(  # not under a refresh
                target, str(out), "it was not replaced" if replacing else "nothing was written"):
            if not existed and (out.exists() or out.is_symlink()):
                raise InputError("--output", str(out), "appeared while the build ran (another build, or a save "
                                 "under that name): it was not replaced; build again" +
                                 ("" if args.force else ", with --force to replace it"))
            locks.clean_stale(target)
            try:
                build_workbook(offer, results, target, record=record, backup=backup, history=history, when=when)
            except InputErrors as exc:  # what a worksheet cannot hold: named as compute names its problems
                raise InputErrors([_in_offer_file(p, offer_path.name, offer) for p in exc.problems]) from None
            except OSError as exc:  # a folder xlpy may not write in: its temporary file is not made
                done = "the workbook was not changed" if replacing else "nothing was written"
                raise not_written(out, exc, done) from None
            written = True
        pruned, ahead = _pruned(out, target, args.keep, kept) if replacing else ([], [])
        if not args.json:
            _say_now(_built_line(out, offer, results, f"{_kept(kept, out)}{_removed(pruned, args.keep)}"
                                 f"{_carried(args.history_from, history)}"))
        # as compute says them (a preliminary count, proration, a fraction's price; --json's results too), and as
        # entries says its own
        results = dataclasses.replace(results, warnings=tuple(_count_file_said(offer, list(results.warnings), history)))
        warnings = list(results.warnings) + entry_warnings(offer, results, len(results.exchanges)) + left + ahead
        warn(args, warnings)
        if args.no_validate:
            return (_print_built(out, results, None, kept, _carried_json(args, history), pruned, warnings)
                    if args.json else EXIT_OK)
        validating = True
        report = _validated(out, offer_path, _legs(args), args.require_libreoffice, seconds)
    except KeyboardInterrupt as exc:
        if not (written or getattr(exc, "path", None)):  # cut short before the rename: nothing was written
            exc.not_replaced = str(out) if replacing else None  # (-o FOLDER, no -o: named too, review 176)
            raise
        # the workbook is whole on disk (the rename was the last step); only what followed was cut short
        return _interrupted(args, exc, f"{' while validating' if validating else ''}; {out} was written"
                            f"{_kept(kept, out)} but not validated (xlpy validate {out} checks it)")
    except OSError as exc:  # (no room left in the temporary folder, say): the workbook is whole, and said so
        if written and (status := report_lost("build", f"{out} was written", exc)) is not None:
            return status  # (its report sent to a full disk)
        if not validating:
            raise
        where = f" ({os.fsdecode(exc.filename)})" if exc.filename is not None else ""
        return refused(args, [f"{out} was written but not validated: {exc.strerror or exc}{where}; free space there, "
                              f"or set TMPDIR to a folder with room, and xlpy validate {out} checks it"], EXIT_INPUT)
    try:
        if args.json:
            return _print_built(out, results, report, kept, _carried_json(args, history), pruned, warnings)
        return _print_reports([report], as_json=False)
    except OSError as exc:
        if (status := report_lost("build", f"{out} was written and validated", exc)) is None:
            raise
        return status


def _validated(out: Path, offer_path: Path, legs, require_libreoffice: bool, timeout: float | None = None):
    """The validation of the workbook *out* a build has just written: its report; where it cannot be made (the
    offer file or its tally, read again to tie the figures out, refused: saved with a typo since, or still being
    written), each problem said of the workbook written but not validated, not as a build that wrote nothing
    (status 2, or 3 for a file in use: ``xlpy validate`` then checks it; the build again is refused, *out* being
    there); *timeout*: LibreOffice's seconds (None: sized to the workbook)."""
    from ..workbook.findings import ChangedMeanwhile
    from ..workbook.validate import validate

    try:
        return validate(out, offer_path, legs, require_libreoffice, timeout=timeout)
    except XlpyError as exc:
        problems = getattr(exc, "problems", None) or [exc]
        then = f"; xlpy validate {out} checks it once that is mended"  # (one changed meanwhile says what to do)
        raise InputErrors([(Busy if isinstance(p, Busy) else InputError)(
            str(out), None, f"was written but not validated: {p}{'' if isinstance(p, ChangedMeanwhile) else then}",
            show_value=False) for p in problems]) from None


def _setup_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("workbooks", nargs="+", metavar="WORKBOOK", help="standard workbooks to validate")
    p.add_argument("--offer", help="offer file whose inputs the workbooks must hold")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    _add_leg_options(p)


@command("validate", "check workbooks' structure and recalculate them against the engine")(_setup_validate)
def run_validate(args: argparse.Namespace) -> int:
    from ..workbook.validate_many import validate_many

    _progress(args)
    seconds = _leg_timeout(args)
    if args.offer and Path(args.offer).is_file() and zipfile.is_zipfile(args.offer):  # (the offer reader's words
        raise InputError("--offer", args.offer, "is a workbook, not an offer file (TOML): the workbooks to validate "
                         "go before --offer, the offer file after it")  # speak to build and compute)
    refused: list[InputError] = []  # a workbook refused as bad input (over a limit): its line, the others validated
    reports = validate_many(args.workbooks, args.offer, _legs(args), args.require_libreoffice, timeout=seconds,
                            refused=lambda exc: refused.extend(getattr(exc, "problems", (exc,))))
    for problem in refused:
        print(f"xlpy {args.command}: {problem}", file=sys.stderr)
    status = _print_reports(reports, args.json)
    # the worst: bad input (2), then findings (1), then a workbook only in use (3: run again later; one that
    # changed while it was validated too, its findings of no one version unreported), then none
    if any(not isinstance(p, Busy) for p in refused):
        return EXIT_INPUT
    return EXIT_BUSY if refused and status == EXIT_OK else status


def _setup_render(p: argparse.ArgumentParser) -> None:
    from .render import setup_render

    setup_render(p)
    _add_quiet(p)


@command("render", "render a workbook to PDF and one PNG per page (LibreOffice)")(_setup_render)
def run_render(args: argparse.Namespace) -> int:
    from .render import render_command

    _progress(args)
    return render_command(args)


# --- vba --------------------------------------------------------------------


def _setup_vba(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE.bas",
        help="write the module to FILE.bas (CRLF, Windows-1252, atomically) instead of printing it; "
        "import it in the VBA editor with File > Import File",
    )
    p.add_argument(
        "--addin",
        action="store_true",
        help="for an add-in (.xlam): the wrappers pass ActiveWorkbook instead of ThisWorkbook",
    )
    p.add_argument("--force", action="store_true",
                   help="replace FILE.bas if it exists (without --force an existing file is never replaced)")


def _setup_refresh(p: argparse.ArgumentParser) -> None:
    from .refresh import setup_refresh

    setup_refresh(p)
    _add_quiet(p)


@command("refresh", "refresh a workbook from the exchange agent's tally and the price history")(_setup_refresh)
def run_refresh(args: argparse.Namespace) -> int:
    from ..workbook import progress
    from .refresh import refresh_command

    _progress(args)
    with progress.step(f"refreshing {Path(args.workbook).name}" if getattr(args, "workbook", None) else "refreshing"):
        return refresh_command(args)


def _bas_output(given: str, force: bool) -> Path:
    """Where ``xlpy vba -o`` writes: a ``.bas`` name, not a file that exists unless *force* (then a symbolic
    link's target, the link kept, as ``build --force`` does). A folder is left to :func:`write_bas` to name."""
    from ..workbook import locks

    out = Path(given)
    if out.is_dir() or not out.name:
        return out
    if out.suffix.lower() != ".bas":
        raise InputError("--output", given, "must end in .bas: the VBA editor's File > Import File reads a module "
                         "from a .bas file")
    refuse_existing(out, force, "exists; pass --force to replace it")
    return locks.target_of(out)


@command("vba", 'write the VBA module Excel\'s "Import Functions" would create for the worksheet functions')(
    _setup_vba
)
def run_vba(args: argparse.Namespace) -> int:
    from ..engine.errors import InputError
    from ..excel import registry
    from ..excel.vba import UDF_MODULE_NAME, UDF_MODULES, generate_bas, write_bas

    text = generate_bas(UDF_MODULES, addin=args.addin)
    if not args.output:
        print(text, end="")  # (print, not sys.stdout.write: with standard output closed, ">&-", it writes nothing)
        return EXIT_OK
    try:
        write_bas(_bas_output(args.output, args.force), text)
    except OSError as exc:
        raise InputError("--output", args.output, f"cannot be written ({exc.strerror or exc})") from None
    count = sum(1 for s in registry.functions() if s.module == "xlpy.udfs")
    subs = sum(1 for s in registry.macros() if s.module == "xlpy.macros")
    try:  # (flushed here: kept until the end, a report lost to a full disk would not say the module was written)
        print(f"wrote the {UDF_MODULE_NAME} module ({count} worksheet functions, {subs} macros) to {args.output}",
              flush=True)
    except OSError as exc:
        if (status := report_lost("vba", f"{args.output} was written", exc)) is None:
            raise
        return status
    return EXIT_OK


# --- lite -------------------------------------------------------------------


def _setup_lite(p: argparse.ArgumentParser) -> None:
    from ..excel.lite import DEFAULT_CALENDARS, DEFAULT_DIR

    p.add_argument("-o", "--output", metavar="DIR", default=DEFAULT_DIR,
                   help=f"folder to write main.py and requirements.txt into (default: {DEFAULT_DIR})")
    p.add_argument("--force", action="store_true", help="replace the project the folder already holds")
    p.add_argument("--calendar", action="append", default=[], metavar="CODE",
                   help="also carry the trading days of exchange calendar CODE, for OFFER_VWAP and "
                   f"AVERAGING_WINDOW; repeat for more ({', '.join(DEFAULT_CALENDARS)} always)")
    _add_quiet(p)


@command("lite", "write the worksheet functions as an xlwings Lite project (Excel on Mac and the web)")(_setup_lite)
def run_lite(args: argparse.Namespace) -> int:
    from ..excel.lite import LiteError, write_project
    from ..workbook import progress

    _progress(args)
    try:  # (some seconds: every calendar the library lists is built once, to name those it cannot build)
        with progress.step(f"writing the xlwings Lite project {Path(args.output)}"):
            files = write_project(args.output, force=args.force, calendars=args.calendar)
    except LiteError as exc:
        print(f"xlpy lite: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # (worded as vba's)
        raise InputError("--output", args.output, f"cannot be written ({exc.strerror or exc})") from None
    names = ", ".join(f.name for f in files)
    try:  # (flushed here, as vba's report is)
        print(f"wrote the xlwings Lite project {Path(args.output)}: {names}", flush=True)
    except OSError as exc:
        if (status := report_lost("lite", f"the xlwings Lite project {Path(args.output)} ({names}) was written",
                                  exc)) is None:
            raise
        return status
    return EXIT_OK
