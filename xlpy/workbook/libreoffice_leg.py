"""``validate``'s LibreOffice leg, up to the recalculated copy it compares: the copy of the workbook LibreOffice is
given (each cell calling one of xlpy's worksheet functions, which LibreOffice does not know, holding the engine's
value instead), its recalculation started in a worker thread beside the rest of the validation, given a time sized
to the workbook (:func:`~xlpy.workbook.book_size.recalc_time`), and the leg's finding when it cannot be compared
(:func:`not_validated`: LibreOffice failed or ran out of time, its copy refused).  The comparison of what it
recalculated is :func:`xlpy.workbook.validate.validate`'s, as the formulas leg's is."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path

from . import leftovers, libreoffice
from .book_size import Size, more_time, recalc_time, said_seconds, workbook_size
from .findings import Finding
from .formula_text import STRING_LITERAL
from .openpyxl_access import cell_map

__all__ = ["NOT_VALIDATED", "function_cells", "libreoffice_copy", "not_validated", "start"]


def function_cells(wb, proven=()) -> dict[tuple[str, str], str]:
    """Cells whose formulas call one of xlpy's worksheet functions.

    *proven*: table columns known to hold their layout formula on every row;
    those whose template calls none of the functions are not read cell by cell.
    """
    from ..excel import registry, udfs  # noqa: F401

    names = [s.name for s in registry.functions() if s.module == "xlpy.udfs"]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\s*\(", re.IGNORECASE)

    def calls(v) -> bool:
        return (isinstance(v, str) and v.startswith("=") and pattern.search(v) is not None
                and pattern.search(STRING_LITERAL.sub('""', v)) is not None)

    skip = {}
    for spec in proven:
        rows = range(spec.first_row, spec.last_row + 1)
        if not any(calls(spec.formula(r)) for r in rows[:2]) and len({spec.template(r) for r in rows[1:]}) <= 1:
            skip[(spec.sheet, spec.col)] = (spec.first_row, spec.last_row)
    found = []
    for i, ws in enumerate(wb.worksheets):
        for (row, col), cell in cell_map(ws).items():
            span = skip.get((ws.title, col))
            if span is not None and span[0] <= row <= span[1]:
                continue
            if cell.data_type == "f" and calls(cell.value):
                found.append((i, row, col, ws.title, cell.coordinate, cell.value))
    return {(title, ref): v for _, _, _, title, ref, v in sorted(found)}


def libreoffice_copy(path: Path, wb, exp: dict, out_dir: Path, book: str, findings: list[Finding],
                      proven=()) -> Path:
    """A copy of the workbook in which every function cell holds the engine's value.

    Only the worksheets holding such cells are rewritten; every other part is
    copied as it is (a holder table of any size costs nothing here).
    """
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    from .package import Package, SheetXml, cell_xml

    pkg = Package(path)
    parts = pkg.sheet_parts()
    edits: dict[str, SheetXml] = {}
    for (sheet, ref), formula in function_cells(wb, proven).items():
        e = exp.get((sheet, ref))
        if "XLPY_VERSION" in formula.upper() and e is None:
            value = True  # FunctionsLoaded: the functions stand in as the engine
        elif e is None:
            findings.append(Finding(book, f"{sheet}!{ref}", "function cell has no engine value to stand in",
                                    "a checked figure", formula, "libreoffice"))
            continue
        else:
            value = e.value
        if isinstance(value, Decimal):
            value = float(value)
        if sheet not in edits:
            edits[sheet] = SheetXml(pkg.read(parts[sheet]), f"{book}: {parts[sheet]}")
        letters, row = coordinate_from_string(ref)
        edits[sheet].set_cell(row, column_index_from_string(letters),
                              lambda style, ref=ref, value=value: cell_xml(ref, value, style,
                                                                           text=isinstance(value, str)))
    for sheet, xml in edits.items():
        pkg.write(parts[sheet], xml.to_bytes())
    copy = out_dir / (path.stem + ".lo-input" + (path.suffix.lower() if path.suffix.lower() in (".xlsx", ".xlsm")
                                                 else ".xlsx"))
    copy.write_bytes(pkg.to_bytes(level=1))
    return copy


def start(path, wb, exp, book: str, lo_findings: list, columns, timeout: float | None = None):
    """Start LibreOffice's recalculation of a copy (:func:`libreoffice_copy`) in a worker thread, given *timeout*
    seconds (by default sized to the workbook: :func:`~xlpy.workbook.book_size.recalc_time`): (the temporary
    folder, the pool, the job, the workbook's :class:`~xlpy.workbook.book_size.Size`).  The thread runs in this
    call's context: its --max-* limits and the engine's decimal context, not a new thread's defaults."""
    import concurrent.futures
    import contextvars

    size = workbook_size(path)  # (read cheaply: each sheet's first bytes and the tables)
    seconds = recalc_time([size]) if timeout is None else timeout
    tmp = leftovers.temporary_directory("validate")
    copy = libreoffice_copy(path, wb, exp, Path(tmp.name), book, lo_findings, columns)
    pool = concurrent.futures.ThreadPoolExecutor(1)
    return tmp, pool, pool.submit(contextvars.copy_context().run, libreoffice.recalculate, copy, Path(tmp.name) / "out",
                                  timeout=seconds), size


#: What a finding of the LibreOffice leg that could not compare its figures ends with.
NOT_VALIDATED = "the workbook was not validated by LibreOffice"


def not_validated(book: str, exc: Exception, size: Size) -> Finding:
    """The LibreOffice leg's finding where it could not compare the workbook *book*'s figures (the other legs' are
    compared as ever): LibreOffice failed (*exc* a :class:`~xlpy.workbook.libreoffice.LibreOfficeError`), its time
    ran out (a :class:`~xlpy.workbook.libreoffice.TimedOut`: the time given, the workbook's *size* and the
    ``--timeout`` to try), or its recalculated copy was refused (an :class:`~xlpy.engine.errors.InputError` naming
    the copy: over a limit, damaged), said naming the copy once."""
    from .readback import copy_label

    if isinstance(exc, libreoffice.TimedOut):
        return Finding(book, "LibreOffice", f"did not finish recalculating the workbook in {said_seconds(exc.seconds)} "
                       f"s ({size.said()}); {NOT_VALIDATED}: give more time with --timeout {more_time(exc.seconds)}",
                       leg="libreoffice")
    if not isinstance(exc, libreoffice.LibreOfficeError):
        part = exc.field.removeprefix(copy_label(book)).removeprefix(": ")
        return Finding(book, f"LibreOffice's recalculated copy{f', {part}' if part else ''}",
                       f"{exc.reason}; {NOT_VALIDATED}", leg="libreoffice")
    said = functools.reduce(lambda text, f: text.replace(str(f), book), exc.files, str(exc).splitlines()[0])
    said = said.removeprefix(f"{book}: ").removeprefix("LibreOffice ")  # (named once, as the others: LibreOffice)
    return Finding(book, "LibreOffice", f"{said}; {NOT_VALIDATED}", leg="libreoffice")
