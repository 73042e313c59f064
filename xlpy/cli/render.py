"""``xlpy render``: the command line of a render (the work is :func:`xlpy.workbook.rendering.render`): the workbook
and the options checked before LibreOffice sees anything, the time it is given, and a time run out said in words
a user can act on."""

from __future__ import annotations

import argparse
import math
import sys
import zipfile
from pathlib import Path

from ..workbook.book_size import MAX_SECONDS, more_time, said_seconds
from .commands import EXIT_INPUT, EXIT_OK, flush_output, not_written, report_lost, timeout_seconds

__all__ = ["MAX_DPI", "MAX_SECONDS", "MIN_DPI", "render_command", "setup_render", "timed_out"]

#: The resolutions ``xlpy render --dpi`` takes: below, a page is unreadable; above, one page is tens of megabytes.
MIN_DPI, MAX_DPI = 20, 1200


def setup_render(p: argparse.ArgumentParser) -> None:
    """Arguments of ``xlpy render``."""
    p.add_argument("workbook", help="workbook to render")
    p.add_argument("-o", "--output", required=True, help="folder for the PDF and the PNG pages")
    p.add_argument("--dpi", type=int, default=110,
                   help=f"resolution of the PNG pages, {MIN_DPI} to {MAX_DPI} (default 110)")
    from ..workbook import rendering as r

    big = r.Size((100_000,))
    minutes = [math.ceil(r.time_allowed(big, pdf_only=only) / 60) for only in (False, True)]
    p.add_argument("--timeout", metavar="SECONDS",
                   help=f"seconds the render may take, the PDF and its pages together (default: sized to the "
                   f"workbook, {r.BASE_SECONDS:g} and, for each sheet of k thousand rows, {r.PDF_SECONDS:g}k + "
                   f"{r.PDF_SQUARED:g}k^2 for the PDF and {r.PNG_SECONDS:g}k for its pages, more above {r.PNG_DPI} "
                   f"dpi: {minutes[0]} minutes for a holder table of 100,000 lines, {minutes[1]} with --pdf-only)")
    p.add_argument("--pdf-only", action="store_true",
                   help="write the PDF alone, no PNG pages (a large holder table prints thousands of pages)")


def _check_workbook(book: Path, out: Path) -> None:
    """Refuse a workbook LibreOffice should not be given, and an output folder that cannot be one, before
    anything is made."""
    from ..engine.errors import InputError, InputErrors
    from ..files import steady

    if book.is_dir():
        raise InputError(str(book), None, "is a folder, not a workbook", show_value=False)
    if not book.is_file():  # (a pipe or a device is named as one: it is there)
        raise steady.not_a_file(book, "a workbook") or InputError(str(book), None, steady.not_found(book, "workbook"),
                                                                  show_value=False)
    try:
        open(book, "rb").close()  # (is_zipfile says False for a file it cannot open)
    except OSError as exc:
        from ..files.safety import unreadable

        raise unreadable(str(book), exc) from None
    from ..files.settled import package_still_written
    from ..files.sniff import other_kind

    if busy := package_still_written(book, str(book), "render it when it is complete; nothing was rendered"):
        raise InputErrors([busy])  # (a copy under way: exit 3, try later)
    if (kind := other_kind(book)) is not None or not zipfile.is_zipfile(book):  # (an .xls, an .ods, cut short...)
        raise InputError(str(book), None, f"is not a workbook: it is {kind}; nothing was rendered" if kind else
                         "is not a workbook (an .xlsx or .xlsm package)", show_value=False)
    if out.exists() and not out.is_dir():
        raise InputError("--output", str(out), "exists and is not a folder; give a folder for the PDF and pages")
    if not out.exists() and not out.parent.is_dir():  # (a mistyped folder above it would be made, a tree of them)
        raise InputError("--output", str(out), f"is in {out.parent}, which is a file, not a folder" if
                         out.parent.exists() else f"is in a folder that does not exist ({out.parent}): create it "
                         "first (render makes its output folder, not the folders above it)")
    from ..files.safety import check_intact, check_package

    check_package(book, book.name)
    check_intact(book, str(book), "nothing was rendered")  # LibreOffice would leave a damaged sheet out, unsaid
    from ..workbook.package_checks import check_file

    check_file(book, str(book), "nothing was rendered")  # (a DTD, a part cut short or missing: as refresh refuses it)
    from ..workbook import date_system

    if date_system.saved_standard_1904(book):  # (switched, its dates print 4 years late: as refresh refuses it)
        raise date_system.refusal(str(book), "nothing was rendered")


def timed_out(book: Path, exc, size) -> str:
    """What a render whose time ran out (*exc*, a :class:`~xlpy.workbook.libreoffice.TimedOut`) says: the
    workbook, the time allowed, the tool and what it was doing, the workbook's *size* (and its PDF's pages when
    they were being drawn), that nothing was rendered, and the ``--timeout`` to give (twice the time, in minutes)."""
    from ..workbook import rendering

    more, given = more_time(exc.seconds), said_seconds(exc.seconds)
    if exc.what == rendering.PNG_STEP:  # (in what the PDF left of the time)
        pages = f"the PDF's {exc.pages:,} pages" if exc.pages is not None else "the PDF's pages"
        doing = f"pdftoppm did not finish drawing {pages} as PNG in the {given} s the render was given"
        also = ", or write the PDF alone with --pdf-only"
    else:
        doing, also = f"LibreOffice did not finish exporting to PDF in {given} s", ""
    return (f"{book}: {doing} ({size.said()}); nothing was rendered (what was made of it was removed): give more "
            f"time with --timeout {more}{also}")


def render_command(args: argparse.Namespace) -> int:
    """``xlpy render WORKBOOK -o DIR [--dpi N] [--timeout SECONDS] [--pdf-only]``."""
    from ..engine.errors import InputError
    from ..workbook import libreoffice, progress, rendering

    book, out = Path(args.workbook), Path(args.output)
    if args.dpi < 1:
        raise InputError("--dpi", args.dpi, "must be a positive whole number")
    if not MIN_DPI <= args.dpi <= MAX_DPI:
        raise InputError("--dpi", args.dpi, f"must be from {MIN_DPI} to {MAX_DPI}")
    seconds = timeout_seconds(args.timeout)
    _check_workbook(book, out)
    if libreoffice.find_soffice() is None:
        print(f"xlpy render: LibreOffice is needed to render, and {libreoffice.why_no_soffice()}", file=sys.stderr)
        return EXIT_INPUT
    size = rendering.workbook_size(book)  # (read cheaply: each sheet's first bytes and the tables)
    if seconds is None:
        seconds = rendering.time_allowed(size, args.dpi, args.pdf_only)
    made = not out.exists()
    try:
        with progress.step(f"rendering {book.name}"):
            files = rendering.render(book, out, dpi=args.dpi, timeout=seconds, pdf_only=args.pdf_only)
    except (libreoffice.LibreOfficeError, OSError) as exc:
        if made and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # leave nothing behind that the user did not ask for
        if not isinstance(exc, libreoffice.LibreOfficeError):  # a folder xlpy may not write in (or make)
            raise not_written(out, exc) from None
        said = timed_out(book, exc, size) if isinstance(exc, libreoffice.TimedOut) else exc
        print(f"xlpy render: {said}", file=sys.stderr)
        return EXIT_INPUT
    try:
        for f in files:
            print(f)
        flush_output()
    except OSError as exc:  # (a list sent to a full disk): the files are written, and said so
        if (status := report_lost("render", f"{len(files)} files were written to {out}", exc)) is None:
            raise
        return status
    for warning in rendering.font_substitutes():  # (after the files: the render is made all the same)
        print(f"xlpy render: warning: {warning}", file=sys.stderr)
    return EXIT_OK
