"""The refresh report's line for each source file read (:class:`xlpy.workbook.refresh.SourceRecord`)."""

from __future__ import annotations

__all__ = ["line"]


def line(s) -> str:
    """``holder tally: t.xlsx, sheet 'Feb 19' (212 lines, columns mapped by m.toml; SHA-256 3f2a...)``: the file,
    the sheet read of an XLSX holder tally (agents add a sheet a day), how many lines or days, the mapping file and
    the start of the SHA-256."""
    what = {"holders": "holder tally", "counts": "tally counts", "prices": "price history"}[s.kind]
    unit = {"holders": "line", "prices": "day"}.get(s.kind, "row") + ("" if s.rows == 1 else "s")
    mapping = f", columns mapped by {s.mapping}" if s.mapping else ""
    sheet = f", sheet {s.sheet!r}" if getattr(s, "sheet", "") else ""
    return f"{what}: {s.path}{sheet} ({s.rows:,} {unit}{mapping}; SHA-256 {s.sha256[:12]}...)"
