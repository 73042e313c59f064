"""Several workbooks validated in one run (``xlpy validate A.xlsm B.xlsm ...``): the offer file read once, each
workbook on its own (:func:`xlpy.workbook.validate.validate`), one refused as bad input (a damaged part, or one
that is not XML to be read, named as :func:`xlpy.files.safety.refused_part` names it) not stopping the others."""

from __future__ import annotations

from pathlib import Path

from ..engine.errors import InputError, InputErrors
from ..files.safety import DAMAGE, XML_ERRORS, refused_part
from ..files.settled import package_still_written
from .findings import ChangedMeanwhile
from .package import PackageError
from .validate import LEGS, Report, validate

__all__ = ["validate_many"]


def _device(path) -> bool:
    """Whether *path* is there and neither a file nor a folder: a pipe or a device (never opened here)."""
    p = Path(path)
    return p.exists() and not p.is_file() and not p.is_dir()


def validate_many(paths, offer_path=None, legs=LEGS, require_libreoffice=False, progress=None,
                  refused=None, timeout=None) -> list[Report]:
    """Validate several workbooks, with a progress bar when there are more than one. The offer file is read once
    (bad, it is refused for all); with *refused*, a workbook refused as bad input (over a package limit,
    unreadable) is handed to it (its :class:`InputError` or :class:`InputErrors`), its place in the reports held
    by one of no findings whose ``refused`` are its problems, and the others validated. *timeout*: the seconds
    LibreOffice's recalculation of each may take (None: sized to each workbook)."""
    from . import progress as bars

    paths = list(paths)
    # Each workbook is named by its file's name, unless two share one, or it is a pipe or a device ("null" for
    # /dev/null would read as a file of that name): then by the path as given.
    names = [Path(p).name or str(p) for p in paths]  # ("." has no name)
    labels = [str(p) if names.count(n) > 1 or _device(p) else n for p, n in zip(paths, names)]
    offer_file = offer_path  # (its SHA-256 held to the Cover's record of the build's)
    if offer_path is not None:  # (without its tally and price files: for refreshed workbooks, offer_drift.held_to)
        from .offer_drift import read_given

        offer_path = read_given(offer_path)
    if progress is None:
        progress = len(paths) > 1 and bars.enabled()
    if progress:
        from tqdm import tqdm

        paths = tqdm(paths, desc="validating", unit="workbook", file=bars.bar_stream(), position=1, leave=False)
    reports = []

    def refuse(exc, p, label) -> None:
        refused(exc)
        problems = list(getattr(exc, "problems", (exc,)))
        reports.append(Report(label, [], [], [], path=str(p), refused=problems, validated_at="",  # (not validated:
                              changed=any(isinstance(e, ChangedMeanwhile) for e in problems)))  # no time, no SHA-256)

    try:
        for p, label in zip(paths, labels):
            try:
                # a copy under way: no finding of the workbook (it is not there yet), but busy (exit 3: try later)
                if busy := package_still_written(Path(p), label, "validate it when it is complete; it was not "
                                                 "validated"):
                    raise InputErrors([busy])
                reports.append(validate(p, offer_path, legs, require_libreoffice, label, offer_file, timeout))
            except (InputError, InputErrors) as exc:  # (one that changed while it was validated: Busy)
                if refused is None:
                    raise
                refuse(exc, p, label)
            except PackageError as exc:  # a part it cannot read as it must, named: that workbook alone refused
                if refused is None:
                    raise
                where = exc.where.removeprefix(f"{Path(p).name}: ").removeprefix(Path(p).name)
                refuse(InputError(label + (f": {where}" if where else ""), None, f"{exc.reason}; it was not validated",
                                  show_value=False), p, label)
            except (*DAMAGE, *XML_ERRORS) as exc:  # a damaged part, or one not XML to be read, met past the opening
                said = refused_part(p, label, exc, "it was not validated")
                if refused is None or said is exc:  # (not this workbook's: raised as it was)
                    raise said from None
                refuse(said, p, label)
    finally:
        if progress:
            paths.close()
    return reports
