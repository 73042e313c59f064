"""Refresh a workbook file on disk (``xlpy refresh``): locked, checked, written whole, with a backup.

:mod:`xlpy.workbook.refresh` does the refresh on a book in memory; this module is what
a file needs around it: refuse a workbook that is open or being refreshed by
another xlpy, refuse binary parts nobody accounts for, write the refreshed
package to a temporary file beside the real one, keep a timestamped backup and
replace the original (:mod:`xlpy.workbook.locks`), so a failure anywhere leaves the
file as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from ..engine.errors import Busy, InputError, InputErrors, as_given
from ..engine.numbers import engine_context
from ..files import steady
from ..files.offerfile import workbook_given
from ..files.safety import DAMAGE, XML_ERRORS, check_no_dtd, check_package, damage_first, damaged, refused_part
from ..files.sniff import other_kind
from .backends import PackageBook
from .collector import collector_eased
from .offer_drift import offer_file_drift
from . import refresh_guards
from .package import PackageError
from .precision import refreshed
from .refresh import refresh_all, utc_now
from .source_lines import from_here
from .typed_since import kept_said

__all__ = ["FileRefresh", "backup_path", "refresh_file"]


@dataclass
class FileRefresh:
    """What :func:`refresh_file` did: the report's lines, and its warnings apart (the command line prints the
    lines on standard output, the warnings on standard error as every command does); *written*, the workbook
    once it was replaced, and *kept*, its backup."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: Path | None = None
    kept: Path | None = None
    name: str = ""  # the workbook's, as its lines name it
    path: str = ""  # the workbook's path as given (a script telling apart the offer.xlsm of several deals)
    refreshed: object = None  # the :class:`xlpy.workbook.refresh.RefreshReport`, once the refresh was planned
    seen: object = None  # that report with its sources named from where the user stands (:func:`_as_seen`)
    pruned: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The report as ``xlpy refresh --json`` prints it: what was read (each source's path and mapping as the Cover
        records them, relative to the workbook's folder, and as the lines name them, ``file`` and ``mapping_file``,
        to be used from where the user stands; SHA-256 whole), whether the workbook was replaced and when (UTC, ISO
        8601), the areas written, the release check, the backup kept and those removed, the notes and the warnings."""
        from .backups import kept_as

        r = self.refreshed
        seen = self.seen if self.seen is not None else r
        release = None if r is None or r.release is None else {
            "engine_text": r.release.text, "compared": r.release.compared,
            "matches": r.release.ok if r.release.compared else None, "differences": list(r.release.differences)}
        return {
            "workbook": self.name,
            "path": self.path,
            "changed": self.written is not None,
            "refreshed_at": f"{r.when.replace(' ', 'T')}Z" if r is not None and self.written is not None else None,
            "sources": [] if r is None else [
                {"kind": s.kind, "path": s.path, "file": h.path, "rows": s.rows, "sha256": s.sha256,
                 "mapping": s.mapping or None, "mapping_file": h.mapping or None}
                for s, h in ((r.tally, seen.tally), (r.prices, seen.prices)) if s is not None],
            "written": [] if r is None or self.written is None else list(dict.fromkeys(r.written)),  # (each once)
            "release": release,
            "backup": kept_as(self.kept, self.written) if self.kept is not None else None,
            "removed_backups": [kept_as(p, self.written) for p in self.pruned],
            "notes": [] if r is None else [n for n in r.notes if not n.startswith(WARNING)],
            "warnings": self.warnings,
        }

    def reraise(self, exc: KeyboardInterrupt) -> NoReturn:
        """Raise *exc*, a Ctrl-C or SIGTERM, as it must be told: once the workbook was replaced, as coming after the
        write, naming the backup (:class:`xlpy.workbook.locks.InterruptedAfterWriting`; its cause tells SIGTERM
        from Ctrl-C), not before it."""
        from .locks import InterruptedAfterWriting

        if self.written is None or isinstance(exc, InterruptedAfterWriting):
            raise exc
        raise InterruptedAfterWriting(self.written, self.kept) from exc

    def report(self, name: str, lines) -> None:
        """*lines* of a refresh's report (:meth:`xlpy.workbook.refresh.RefreshReport.lines`), each named by the
        workbook's *name*; those that are warnings (``warning: ...``, as the Excel buttons show them) apart, named
        by it too as ``xlpy compute``'s of a workbook are (``offer.xlsm: Inputs!C33 (CarryingAmount) ...``), but for
        those of a tally or price file it read, which name that file as its report line and its refusals do, from
        where the user stands (``deal/data/counts.csv: has no ...``, where the engine named it ``counts.csv``)."""
        from ..files.recorded import written_path

        seen = self.seen if self.seen is not None else self.refreshed
        shown = {written_path(h.path).name: h.path for h in ((seen.tally, seen.prices) if seen is not None else ())
                 if h is not None}  # (the engine names a file it read by its name)
        for line in lines:
            said = line.removeprefix(WARNING)
            if said == line:
                self.lines.append(f"{name}: {line}")
            else:
                first, sep, rest = said.partition(": ")
                self.warnings.append(f"{shown[first]}{sep}{rest}" if first in shown else f"{name}: {said}")


#: How a refresh's report marks a warning among its lines.
WARNING = "warning: "


def backup_path(path: Path, when: dt.datetime) -> Path:
    """``NAME.YYYYmmdd-HHMMSS.bak.xlsm`` beside *path*; if a backup of that second is there, ``-n`` after it, *n*
    past the highest there (a name ``--keep`` freed is not taken again: the newest backup sorts last)."""
    from .backups import backup_times

    stamp = when.strftime("%Y%m%d-%H%M%S")
    taken = [n for t, n in backup_times(path).values() if t == stamp]
    candidate = path.with_name(f"{path.stem}.{stamp}.bak{path.suffix}")
    n = max(taken, default=0 if not candidate.exists() else 1)
    while candidate.exists() or n in taken:
        n += 1
        candidate = path.with_name(f"{path.stem}.{stamp}-{n}.bak{path.suffix}")
    return candidate


def _unknown_binary_parts(book: PackageBook, label: str, allow: bool) -> list[str]:
    """Refuse unknown binary parts (unless *allow*); return the unknown parts' descriptions."""
    from . import parts

    found = parts.unknown_parts(book.pkg._zip)
    binary = [parts.describe(*u) for u in found if u[2]]
    if binary and not allow:
        raise InputErrors([InputError(label, None, f"holds a binary part the standard workbook does not account "
                                      f"for: {d}; it was not changed (pass --allow-unknown-parts to carry it "
                                      "forward)", show_value=False, unchanged=True) for d in binary])
    return [parts.describe(*u) for u in found]



def _check_mapping_used(report, tally, mapping) -> None:
    """Refuse a mapping file that went with no tally: none given, and none recorded on the Cover to read it with."""
    if not isinstance(mapping, (str, os.PathLike)) or tally is not None or report.tally is not None:
        return  # (a ColumnMapping given, as --no-mapping gives one, reads no file)
    why = next((n.split(": ", 2)[2] for n in report.notes if n.startswith("tally: not refreshed: ")),
               "no tally was read")
    raise InputError("--mapping", str(mapping), f"goes with a tally, and {why}; give the tally with --tally")


@collector_eased()
@engine_context()
def refresh_file(path: str | os.PathLike, tally=None, prices=None, mapping=None, *, backup: bool = True,
                 keep: int | None = None, force: bool = False, allow_unknown_parts: bool = False) -> FileRefresh:
    """Refresh the workbook file *path* in place (``xlpy refresh``).

    Refuses a workbook that is open in Excel or LibreOffice (unless
    *force*), being refreshed by another xlpy, or read-only.  Plans and
    checks the whole refresh first (a problem anywhere: every problem
    raised together, the file untouched), then writes the refreshed
    workbook to a temporary file in the folder of the real file (a symbolic
    link's target), copies the original to a timestamped backup (unless not
    *backup*, or *keep* is 0; *keep* prunes older ones), and replaces the original.  See
    :mod:`xlpy.workbook.locks`.
    """
    from . import locks

    path = Path(path)
    label = str(path)
    if path.is_dir():
        raise InputErrors([InputError(label, None, "is a folder, not a workbook", show_value=False)])
    if not path.is_file():  # (a pipe or a device is named as one: it is there)
        raise InputErrors([steady.not_a_file(path, "a workbook") or InputError(
            label, None, steady.not_found(path, "workbook"), show_value=False)])
    from .parts import MACRO_NAME, XLSX_NAMED_XLSM, misnamed_macro_book, xlsx_named_xlsm

    if misnamed_macro_book(path):  # refreshed, it would still not open in Excel
        raise InputError(label, None, f"{MACRO_NAME}; rename it {path.stem}.xlsm; it was not changed",
                         show_value=False, unchanged=True)
    if xlsx_named_xlsm(path):
        raise InputError(label, None, f"{XLSX_NAMED_XLSM}; it was not changed", show_value=False, unchanged=True)
    from ..files.settled import package_still_written

    if busy := package_still_written(path, label, "refresh it when it is complete; it was not changed",
                                     unchanged=True):
        raise InputErrors([busy])  # (a copy under way: a scheduled job tries again, exit 3)
    if (kind := other_kind(path)) is not None:  # (an .xls, an .ods, a copy cut short: said as such, first)
        raise InputError(label, None, f"is not a workbook: it is {kind}; it was not changed", show_value=False,
                         unchanged=True)
    check_package(path, path.name)  # the limits first (as reading it names it): the DTD check unpacks each start
    check_no_dtd(path, label, "it was not changed", unchanged=True)  # never read, nor carried forward
    if keep is not None and keep < 0:
        raise InputError("--keep", keep, "must be 0 or more")
    zipped = isinstance(mapping, (str, os.PathLike)) and mapping and workbook_given(
        mapping, "a mapping file", "; the workbook to refresh is the first argument, an XLSX tally goes after --tally")
    if zipped:  # (read as TOML, it would be "not valid TOML: 'utf-8' codec can't decode byte ...")
        raise InputErrors([zipped])
    target = locks.target_of(path)
    _other_layout_said_first(target, path)
    leftover = "delete {file} (or pass --force)"  # (review 164: --force alone, passed every day, ends the check)
    busy = locks.locked_message(path) or (None if force else locks.busy_message(path, leftover))
    if busy:  # (--force passes an owner file left by a crash, not a lock a running program holds)
        raise Busy(label, None, busy, show_value=False)
    locks.check_writable(target, label)
    out = FileRefresh(path=label)
    passed = locks.all_opened(path) if force else []  # (review 164: passed without a word, every day; 176: each)
    try:
        with locks.RefreshLock(target, label):
            locks.clean_stale(target)
            try:
                _refresh_locked(path, target, tally, prices, mapping, backup, keep, allow_unknown_parts, out)
            except (*DAMAGE, *XML_ERRORS) as exc:  # a part damaged (as render names it), or not XML to be read
                raise refused_part(target, label, exc, "it was not changed", unchanged=True) from None
            except PackageError as exc:  # a part the refresh cannot edit (XML spelled as no application writes it)
                if (crc := damage_first(target, label)) is not None:  # (or one damaged: the VBA project as any part)
                    raise damaged(label, crc, "it was not changed", unchanged=True) from None
                raise InputError(exc.where, None, f"{exc.reason}; it was not changed", show_value=False,
                                 unchanged=True) from None
    except KeyboardInterrupt as exc:  # after the workbook was replaced (the lock let go...): say it was written
        out.reraise(exc)
    for app, who, file in passed if out.written is not None else ():  # (nothing written: nothing to write over)
        out.warnings.append(f"{label}: --force went past {file}, which says it is open in {app} by {who}: if it is, "
                            f"its next save there writes over this refresh; delete {file} if it is left over from a "
                            "crash, so that the next refresh needs no --force")
    return out


def _other_layout_said_first(target: Path, path: Path) -> None:
    """Refuse a workbook of another layout before saying it is open in Excel or read-only (as the buttons do):
    closing it or making it writable would not let this xlpy refresh it; the rebuild commands would.  So too a
    standard workbook set to the 1904 date system (:mod:`xlpy.workbook.date_system`).  A file that cannot be read
    here is left to the refresh proper, which names what is wrong."""
    from . import date_system, rebuild
    from .layout import LAYOUT_NAME, OtherLayout, Shape

    try:
        with PackageBook(target) as book:
            text = book.name(LAYOUT_NAME)
            try:
                Shape.decode(text) if text is not None else None
            except OtherLayout as exc:
                said = rebuild.said(exc, book)  # (its path: a link's target, beside which its files are)
            else:
                if text is None or not book.date1904:
                    return
                said = None
    except Exception:  # noqa: BLE001  (damaged, locked by Excel on Windows, not a package: said later, in full)
        return
    if said is None:  # (its dates four years off, one way or the other: nothing is written over them)
        raise InputErrors([date_system.refusal(str(path), "it was not changed", unchanged=True)])
    raise InputErrors([InputError(LAYOUT_NAME, None, said, show_value=False).located(path.name)])


def _refresh_locked(path: Path, target: Path, tally, prices, mapping, backup: bool, keep: int | None,
                    allow_unknown_parts: bool, out: FileRefresh) -> None:
    when = utc_now()
    read = steady.state(target)  # before it is read: the refresh replaces that file, not one saved meanwhile
    with PackageBook(target) as book:  # a link's target: the sources the Cover records are relative to its folder
        _refresh_book(book, path, target, tally, prices, mapping, when, backup, keep, allow_unknown_parts, out, read)


def _not_saved_meanwhile(path: Path, target: Path, read) -> None:
    """Refuse to replace *target* when it is no longer the file the refresh read (its :func:`steady.state`): a
    program saved it meanwhile (Excel, a build), and the refresh would write over that save."""
    if steady.state(target) != read:
        raise Busy(str(path), None, "was saved by another program while the refresh ran: the refresh would "
                         "write over that save; refresh it again; it was not changed", show_value=False,
                         unchanged=True)


def _in_the_workbook(field: str) -> bool:
    """Whether a problem's place is in the workbook (``sheet Results``, ``name xlpyLayout``, ``Inputs!C12``)
    rather than in a file it reads, which its own messages name."""
    return field.startswith(("sheet ", "name ", "the refreshed workbook", "Sensitivity grid")) or \
        "!" in field.split(": ", 1)[0]


def _given_paths(*given) -> dict[str, str]:
    """File name -> the path given on the command line, for the files given by a path (not two of one name)."""
    names = [(Path(g).name, str(g)) for g in given if isinstance(g, (str, os.PathLike)) and str(g).strip()]
    return {n: g for n, g in names if n != g and [m for m, _ in names].count(n) == 1}


def _or_recorded(book, path: Path, *given) -> list:
    """The tally, price and mapping files given, each not given as the Cover records it, seen from where the workbook
    was named (*path*: ``deal/data/tally.csv`` for ``deal/offer.xlsm``'s ``data/tally.csv``; :func:`from_here`)."""
    from .rebuild import book_records

    records = book_records(book)
    out = []
    for g, key in zip(given, ("TallySource", "PriceSource", "TallyMapping")):
        text = records.get(key, "") if g is None else ""
        out.append(g if g is not None or not text else from_here(text, book.folder, path.is_absolute()))
    return out


def _as_seen(report, path: Path, folder: Path, tally, prices, mapping):
    """*report* with each source it read, and its mapping file, named as the user can use the name where they stand
    (the Cover records them relative to the workbook's *folder*): one given, as given (``--tally
    deal/data/agent.csv``); one the Cover records, seen from where the workbook was named (:func:`from_here`)."""

    def given(g) -> bool:
        return isinstance(g, (str, os.PathLike)) and bool(str(g).strip())  # (a ColumnMapping names no file)

    def seen(s, g, m=None):
        if s is None:
            return None
        file = str(g) if given(g) else from_here(s.path, folder, path.is_absolute())
        named = str(m) if given(m) else from_here(s.mapping, folder, path.is_absolute()) if s.mapping else ""
        return dataclasses.replace(s, path=file, mapping=named)

    return dataclasses.replace(report, tally=seen(report.tally, tally, mapping), prices=seen(report.prices, prices))


def _macros_lost(book: PackageBook) -> tuple[str, str] | None:
    """Why the workbook's refresh macros and buttons are gone, in words following its name: no VBA project (saved
    as .xlsx), one holding no module (saved as .ods and back), or one missing the module the buttons run their
    macros through; with a remedy besides a rebuild ("" for none).  None when its buttons have what they need (a
    project that cannot be read included: validate names it)."""
    from ..excel import vba

    if not book.pkg.has(vba.VBA_PROJECT_PART):
        return ("has no VBA project (saved in a format without macros), so its refresh macros and buttons are gone",
                "")
    project = book.pkg.read(vba.VBA_PROJECT_PART)
    if vba.is_template_project(project):  # (as built: every module there, not parsed again at each refresh)
        return None
    if not vba.holds_modules(project):
        return ("has a VBA project holding no module (LibreOffice writes it empty when a workbook saved as "
                "OpenDocument, .ods, is saved back as .xlsm), so its refresh macros are gone and its buttons run "
                "nothing", "")
    try:
        modules = vba.project_modules(project)
    except Exception:  # (oletools raises many kinds for a damaged project)
        return None
    if vba.BUTTON_MODULE in modules:
        return None
    copy = vba.module_file(vba.BUTTON_MODULE)
    return (f"has a VBA project missing the template's module {vba.BUTTON_MODULE}, which its buttons run their "
            "macros through, so its buttons run nothing",
            f"; or import xlwings' own copy of it (VBA editor > File > Import File: {copy})" if copy else "")


def _refresh_book(book: PackageBook, path: Path, target: Path, tally, prices, mapping, when, backup: bool,
                  keep: int | None, allow_unknown_parts: bool, out: FileRefresh, read) -> None:
    """Refresh *book* and write it to *target*, the report into *out* (*out.written* set once it is replaced)."""
    from . import backups, package_checks

    # (its damage never carried forward)
    package_checks.check_whole(book.pkg, str(path), "it was not changed", unchanged=True)
    unknown = _unknown_binary_parts(book, str(path), allow_unknown_parts)
    try:
        report = refresh_all(book, tally, prices, mapping, when=when)
    except InputErrors as exc:  # a problem of the workbook itself names it, as one of a tally names the tally
        given = _given_paths(*_or_recorded(book, path, tally, prices, mapping))
        raise InputErrors([p.located(path.name) if _in_the_workbook(p.field) else as_given(p, given)
                           for p in exc.problems]) from None
    _check_mapping_used(report, tally, mapping)
    seen = _as_seen(report, path, book.folder, tally, prices, mapping)  # (the Cover keeps its records as they are)
    out.name, out.refreshed, out.seen = path.name, report, seen
    out.warnings += refresh_guards.open_elsewhere(report, seen, book.folder)
    out.warnings += refreshed(book, path.name, report.changed)
    drift = offer_file_drift(book, report.offer, path)  # an offer file edited since the build, its change not carried
    drift = f"{path.name}: {drift}" if drift else None  # (named by the workbook, as the refresh's other warnings)
    if (lost := _macros_lost(book)) is not None:  # (the figures are refreshed; the buttons' macros are not there)
        from . import rebuild

        out.warnings.append(f"{path.name} {lost[0]}: rebuild it (xlpy build) under another name for them, carrying "
                            "its History over with --history-from; "
                            + rebuild.rebuild_commands(rebuild.book_records(book), path) + lost[1])
    if not report.changed:  # (nothing copied: a part no reader read, damaged, is looked for, as a copy would meet it)
        if (crc := damage_first(target, str(path))) is not None:
            raise damaged(str(path), crc, "it was not changed", unchanged=True)
        out.report(path.name, seen.lines())
        out.warnings += [drift] if drift else []
        return
    backup = backup and keep != 0  # --keep 0: no backup is kept, so none is written only to be removed
    names = target.stat().st_nlink  # (hard links: the refresh writes a new file, which they do not name)
    try:
        kept = backups.replace_with(book.to_bytes(when), target, None if not backup else
                                  lambda: backups.write_backup(target, backup_path(target, when)),
                                  unchanged=lambda: _not_saved_meanwhile(path, target, read))
    except backups.BackupNotWritten as exc:  # the copy kept of the old workbook, not the workbook, failed
        full = "free space, or " if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) else ""
        raise InputErrors([InputError(str(path), None, f"was not changed: its backup {Path(exc.filename).name} "
                                      f"cannot be written ({exc.strerror}); {full}refresh without a backup "
                                      "(--no-backup)", show_value=False, unchanged=True)]) from None
    except OSError as exc:  # (open in another program on Windows: in use, status 3)
        from ..files.safety import held_hint, in_use

        full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))  # (what to do, as build says)
        raise InputErrors([(Busy if in_use(exc) else InputError)(
            str(path), None, f"cannot be written ({exc.strerror or exc}{held_hint(exc)}); the workbook was not "
                             "changed" + (": free space there, then refresh it again" if full else ""),
            show_value=False, unchanged=True)]) from None
    out.written, out.kept = path, kept  # in place: an interrupt from here on says so, not "nothing was written"
    stuck: list = []  # (a backup the user may not remove: left, and said, review 175)
    pruned = out.pruned = backups.prune_backups(target, keep, kept, stuck)
    ahead = backups.ahead_warning(target, keep, kept)  # (one named after now: kept, not counted)
    out.warnings += backups.stuck_warnings(stuck, keep) if stuck else []
    out.report(path.name, kept_said(seen.lines(), backups.kept_as(kept, path) if kept else None))
    if report.release is not None:
        out.lines.append(f"{path.name}: engine release text: {report.release.text}")
    out.warnings += [f"{path.name}: carried forward a part the standard workbook does not account for: {u}"
                     for u in unknown]
    out.warnings += [drift] if drift else []
    out.warnings += [f"{path.name}: {ahead}"] if ahead else []
    if names > 1:
        out.warnings.append(f"{path.name} had {names - 1} other name{'s' if names > 2 else ''} (a hard link): "
                            f"{'they keep' if names > 2 else 'it keeps'} the previous version; only {path.name} "
                            "is refreshed")
    if kept is not None:
        out.lines.append(f"{path.name}: previous version kept as {backups.kept_as(kept, path)}")
    if pruned:
        out.lines.append(f"{path.name}: removed {len(pruned)} older backup{'s' * (len(pruned) > 1)} (--keep {keep}): "
                         f"{', '.join(p.name for p in pruned)}")  # (review 164: which earlier counts went)
