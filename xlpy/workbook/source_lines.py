"""The refresh report's line for each source file read (:class:`xlpy.workbook.refresh.SourceRecord`), and how a path
the Cover records is named to the user where they stand (:func:`from_here`)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["from_here", "line"]


def line(s) -> str:
    """``holder tally: t.xlsx, sheet 'Feb 19' (212 lines, columns mapped by m.toml; SHA-256 3f2a...)``: the file,
    the sheet read of an XLSX holder tally (agents add a sheet a day), how many lines or days, the mapping file and
    the start of the SHA-256."""
    what = {"holders": "holder tally", "counts": "tally counts", "prices": "price history"}[s.kind]
    unit = {"holders": "line", "prices": "day"}.get(s.kind, "row") + ("" if s.rows == 1 else "s")
    mapping = f", columns mapped by {s.mapping}" if s.mapping else ""
    sheet = f", sheet {s.sheet!r}" if getattr(s, "sheet", "") else ""
    return f"{what}: {s.path}{sheet} ({s.rows:,} {unit}{mapping}; SHA-256 {s.sha256[:12]}...)"


def from_here(text: str, folder: Path, absolute: bool) -> str:
    """The file a path the Cover records (*text*, relative to the workbook's *folder* unless absolute) names, as a
    message names it to the user, seen from where the workbook was named: relative to the current folder for a
    workbook named relative (``deal/data/agent.csv`` for ``xlpy refresh deal/book.xlsm``'s ``data/agent.csv``), but
    for a path recorded absolute that lies outside it; absolute for a workbook named absolute (*absolute*), and
    where no relative path leads there (another drive, on Windows).  Folders are resolved, a file's name is not (a
    ``latest.csv`` link is named as the link), as :func:`xlpy.files.recorded.recorded_path` records them."""
    from ..files.recorded import composed_alike, recorded_path, written_path

    recorded = written_path(text)
    file = composed_alike(folder / recorded)  # (its accents as the file there has them)
    try:
        here = None if absolute else Path.cwd()
    except OSError:  # (the current folder deleted meanwhile: no path relative to it)
        here = None
    return str(Path(recorded_path(file, here, recorded.is_absolute())))
