"""What :func:`xlpy.workbook.validate.validate` reports of a workbook: each :class:`Finding` (where, what,
expected, found, and the leg that found it), and the :class:`Report` of one workbook, which also says which legs
ran, how many figures each compared and the versions of the engines that recalculated it (an auditor's record of
what proved the workbook, in ``xlpy validate --json``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .. import __version__
from ..engine.errors import Busy
from .package import number_text

__all__ = ["ChangedMeanwhile", "Finding", "Report", "engine_figure", "file_digest", "input_finding", "lines", "show"]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a workbook.

    Attributes:
        workbook: the file's name.
        where: ``sheet!cell``, a name, or a part of the file.
        what: what is wrong there.
        expected: what should be there.
        found: what is there.
        leg: ``structure``, ``inputs``, ``engine``, ``saved`` (values saved), ``sources`` (the files the Cover
            records), ``shown``, ``formulas`` or ``libreoffice``.
        kind: what it is of, for the code that gathers the findings of one kind (``lines apart``:
            :func:`xlpy.workbook.holders_apart.with_apart`; a layout formula typed over or changed, whatever the
            words after it: :class:`xlpy.workbook.saved_values.Overridden`); "" for any other.
        more: of a line counting the findings of its *kind* past those named one by one, how many it counts; 0 for
            a finding naming one.
    *kind* and *more* are for the code, not the reader: neither is shown, nor given in ``--json``.
    """

    workbook: str
    where: str
    what: str
    expected: str = ""
    found: str = ""
    leg: str = "structure"
    kind: str = field(default="", compare=False, repr=False)
    more: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.said()} [{self.leg}]"

    def said(self) -> str:
        """The finding's line without its leg."""
        text = f"{self.workbook}: {self.where}: {self.what}"
        if self.expected:
            text += f": expected {self.expected}, found {self.found}"
        elif self.found:  # a bad input: worded as the offer file's and the refresh's errors are ("..., got 'x'")
            text += f", got {self.found}"
        return text


def lines(findings) -> list[str]:
    """The lines that print *findings*: one a finding, but one for the findings alike but for their leg, with each
    leg that found it (``... found 9597839 [formulas, libreoffice]``), where the first of them stood: a figure
    that both recalculations find wrong, and its explanation, is read once.  ``--json`` keeps one a leg."""
    legs: dict[str, list[str]] = {}
    for f in findings:
        legs.setdefault(f.said(), []).append(f.leg)
    return [f"{said} [{', '.join(dict.fromkeys(found))}]" for said, found in legs.items()]


def input_finding(book: str, problem) -> Finding:
    """The finding of an input *problem* (an :class:`~xlpy.engine.errors.InputError`) of the workbook *book*: at its
    field, its reason, the value it got; of its kind and counting as many as it does where it says so (a holder id
    typed, :class:`~xlpy.workbook.typed_ids.OddId`), for the code that gathers them."""
    return Finding(book, problem.field, problem.reason, "", problem.got, "inputs", kind=getattr(problem, "kind", ""),
                   more=getattr(problem, "more", 0))


class ChangedMeanwhile(Busy):
    """A workbook that changed while it was validated (its SHA-256 after, not as before): in use, the same command
    may pass later (exit status 3)."""


#: Why a workbook that changed while it was validated is refused.
CHANGED_MEANWHILE = ("changed while it was validated (another program or xlpy wrote it meanwhile): what was read is "
                     "of no one version of the file, so nothing is reported of it; validate it again once that is "
                     "done")


@dataclass
class Report:
    """Findings of one workbook, and what was run: the legs, the figures each compared (``saved``: the values saved
    in the file; ``formulas``; ``libreoffice``) and the version of xlpy and of each recalculating engine.
    *workbook* names it as the lines do (its file's name, or its path where two share one); *path* is the path as
    given, the same in every report (a script telling apart the ``offer.xlsm`` of several deals)."""

    workbook: str
    findings: list[Finding]
    legs_run: list[str]
    notes: list[str]
    cells_compared: int = 0
    compared_by_leg: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=lambda: {"xlpy": __version__})
    path: str = ""
    sha256: str = ""  # of the workbook's file validated, alike before and after (blank: none, or changed meanwhile)
    validated_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds").replace("+00:00", "Z"))  # UTC, ISO 8601: when the validation began

    #: The file changed while it was validated (:class:`ChangedMeanwhile`): refused, what was read of it being of
    #: no one version of it.
    changed: bool = False
    #: The problems that refused the workbook (over a package limit, unreadable, in use, changed while it was
    #: validated): it was not validated, its lines are on standard error, and ``validate --json`` gives them as its
    #: ``errors``.
    refused: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No finding, and not refused (nor changed while it was validated: a script checking ``ok`` took it for
        valid)."""
        return not self.findings and not self.changed and not self.refused

    @property
    def verdict(self) -> str:
        """What the report's last line says of the workbook: valid, its findings, or that it was refused (not
        validated)."""
        if self.refused:
            return "refused: not validated"
        return f"{len(self.findings)} finding(s)" if self.findings else "valid"

    def tie_to(self, first: str | None, last: str | None) -> Report:
        """Record the SHA-256 of the file validated, read before the validation (*first*) and after it (*last*)
        alike (a damaged file's too).  A file written meanwhile (saved, refreshed by another xlpy) is refused,
        :class:`ChangedMeanwhile`: its findings mix two versions (inputs read from the old file, saved values from
        the new), so none is reported (review 110: 118 of them, "stale" among them, exit 1)."""
        if first is not None and first != last:
            raise ChangedMeanwhile(self.workbook, None, CHANGED_MEANWHILE, show_value=False)
        if first is not None:
            self.sha256 = first
        return self

    def count(self, leg: str, compared: int) -> None:
        """Add *compared* figures compared by *leg* to the total and to the leg's own count."""
        self.cells_compared += compared
        self.compared_by_leg[leg] = self.compared_by_leg.get(leg, 0) + compared

    def to_dict(self) -> dict:
        return {
            "workbook": self.workbook,
            "path": self.path or self.workbook,
            "ok": self.ok,
            "legs_run": self.legs_run,
            "cells_compared": self.cells_compared,
            "compared_by_leg": self.compared_by_leg,
            "versions": self.versions,
            "sha256": self.sha256 or None,
            "changed_while_validated": self.changed,
            "validated_at": self.validated_at or None,
            "notes": self.notes,
            "findings": [{k: v for k, v in asdict(f).items() if k not in _UNSAID} for f in self.findings],
        }


#: The fields of a :class:`Finding` for the code, not the reader: left out of ``--json``.
_UNSAID = ("kind", "more")


def file_digest(path) -> str | None:
    """The SHA-256 of the file at *path*, or None where it cannot be read (gone, a folder, a device)."""
    from pathlib import Path

    from ..files.recorded import sha256

    try:
        return sha256(Path(path)) if Path(path).is_file() else None
    except OSError:
        return None


class CellError(str):
    """An error value a saved cell holds (``#NAME?``, ``#DIV/0!``), read from its file: a text to every comparison,
    shown bare, as a spreadsheet shows it and as the ``formulas`` leg's own errors are (``found #NAME?``, not
    ``found '#NAME?'``), so that both recalculations finding the same error read as one finding."""

    __slots__ = ()


def show(v) -> str:
    """A value as a finding shows it."""
    if isinstance(v, CellError):
        return str(v)
    if isinstance(v, Decimal):
        # every digit the engine keeps (normalize() would round to the context's 28)
        return number_text(v) if abs(v) < Decimal("1e15") else str(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")  # (2004-02-20 14:30:00)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return repr(v)
    if v is None:
        return "a blank cell"
    if isinstance(v, tuple):  # a table's line: each cell as a finding shows it, blank as blank
        return "(" + ", ".join("blank" if c is None else show(c) for c in v) + ")"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))  # a recalculated whole number reads as the engine's does: 279199, not 279199.0
    if isinstance(v, float):  # to the 15 digits Excel shows (13070331.2222, not 13070331.222199999): a finding's
        return f"{v:.15g}"    # difference is wider than 1e-9 of the figure, so it shows in them
    return str(v)


def engine_figure(v) -> str:
    """The engine's figure as a finding shows it: to the 15 significant digits Excel shows, as the figure found
    beside it is (0.589530032682340, not 0.5895300326823401330100241621250621), rounded half away from zero;
    compared exactly all the same."""
    if isinstance(v, Decimal) and v.is_finite() and v and v.as_tuple().exponent < v.adjusted() - 14:
        v = v.quantize(Decimal(1).scaleb(v.adjusted() - 14), rounding=ROUND_HALF_UP)
    return show(v)
