"""A workbook printed by LibreOffice to PDF, and its pages to PNG with poppler's ``pdftoppm``, for a person
to look at (``xlpy render``, the committed renders).

Each is made in a hidden staging folder inside the output folder and moved into place once all are made: a
failure leaves the folder's earlier PDF and pages as they were.  The moves are one rename a file: Ctrl-C, SIGTERM
and SIGHUP wait until all are made (:func:`~xlpy.files.in_place.held_signals`), and a render stopped outright
(SIGKILL) among them leaves the new PDF beside some earlier pages, which the next render puts right.  A staging
folder a killed render left is removed by the next render into that folder.

The time a render is given grows with the workbook (:func:`time_allowed` of
:func:`~xlpy.workbook.book_size.workbook_size`): LibreOffice's PDF of a long sheet takes time growing with the square
of its rows, and a holder table of 100,000 lines prints some 1,800 pages (more where Calibri is drawn in a wider
font), each drawn as PNG in turn.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from ..files.in_place import ORPHANED_AFTER, InterruptedAfterWriting, flush_file, held_signals
from . import libreoffice as lo
from .book_size import Size, workbook_size

__all__ = ["Size", "find_pdftoppm", "font_substitutes", "pdf_pages", "pdf_to_pngs", "render", "time_allowed",
           "to_pdf", "workbook_size"]

#: The prefixes of the staging folders made in an output folder; each is followed by the seconds its work may
#: take (``.xlpy-render-stage-900s-k3j9...``).
_STAGES = (".xlpy-render-stage-", ".xlpy-png-stage-")
_STAGE_SECONDS = re.compile(r"\.xlpy-(?:render|png)-stage-(\d+)s-")
#: The seconds a staging folder's name gives a render without a time limit.
_UNLIMITED = 24 * 3600

#: The time :func:`time_allowed` gives a render: a start; for each sheet of *k* thousand rows, ``PDF_SECONDS * k``
#: and ``PDF_SQUARED * k ** 2`` for the PDF (LibreOffice's export of a long sheet grows with the square of its
#: rows: 37 s of processor time at 20,000 lines, 94 s at 40,000, some 620 s at 100,000); and ``PNG_SECONDS * k``
#: for its pages at 110 dpi (0.2 s a page, some 18 pages a 1,000 lines).  About three times what was measured.
BASE_SECONDS, PDF_SECONDS, PDF_SQUARED, PNG_SECONDS, PNG_DPI = 120.0, 4.0, 0.15, 12.0, 110


def time_allowed(size: Size, dpi: int = PNG_DPI, pdf_only: bool = False) -> float:
    """The seconds a render of a workbook of *size* is given by default, the PDF and its pages together, in whole
    seconds: :data:`BASE_SECONDS`, and for each sheet of *k* thousand rows ``4 k + 0.15 k²`` for the PDF and
    (unless *pdf_only*) ``12 k`` for its pages, in proportion to the pixels drawn above 110 dpi, ``(dpi / 110)²``.

    >>> time_allowed(Size((400,))), time_allowed(Size((100_000,))), time_allowed(Size((100_000,)), pdf_only=True)
    (127.0, 3220.0, 2020.0)
    >>> time_allowed(Size((1_000,)), dpi=220), time_allowed(Size((50_000, 50_000)))
    (173.0, 2470.0)
    """
    pixels = max(1.0, (dpi / PNG_DPI) ** 2)
    seconds = BASE_SECONDS
    for rows in size.sheets:
        k = rows / 1000
        seconds += PDF_SECONDS * k + PDF_SQUARED * k * k + (0.0 if pdf_only else PNG_SECONDS * pixels * k)
    return float(math.ceil(seconds))


def find_pdftoppm() -> str | None:
    """Locate poppler's ``pdftoppm`` on ``PATH``.

    Returns
    -------
    str or None
        Full path of the executable, or ``None`` when it is not installed
        (Debian package ``poppler-utils``).
    """
    return shutil.which("pdftoppm")


#: The fonts the standard workbook is drawn in, and those that stand in for each with its widths (metric-compatible:
#: Debian ``fonts-crosextra-carlito``).
_FONTS = {"Calibri": ("Calibri", "Carlito")}


def font_substitutes(timeout: float = 10) -> list[str]:
    """The warnings of a render on a machine without the workbook's fonts (nor fonts of their widths): each font
    and what fontconfig's ``fc-match`` draws it with instead, text wider or narrower than in Excel, so columns clip
    and pages break otherwise than Excel prints them.  [] when each is there, or fontconfig cannot say."""
    import subprocess

    exe = shutil.which("fc-match")
    if exe is None:
        return []
    found = []
    for font, alike in _FONTS.items():
        try:
            done = subprocess.run([exe, "-f", "%{family}", font], capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return []
        drawn = done.stdout.strip()
        families = {f.strip().lower() for f in drawn.split(",")}
        if done.returncode == 0 and drawn and not families & {a.lower() for a in alike}:
            found.append(f"{font}, the workbook's font, is drawn with {drawn} on this machine (install "
                         f"{' or '.join(alike)}: Debian fonts-crosextra-carlito): columns may clip and pages break "
                         "otherwise than Excel prints them")
    return found


def to_pdf(path: os.PathLike | str, out_dir: os.PathLike | str,
           timeout: float | None = lo.DEFAULT_TIMEOUT) -> Path:
    """Print a workbook to PDF with LibreOffice (after recalculating it).

    Parameters
    ----------
    path : path-like
        The workbook.
    out_dir : path-like
        Directory receiving ``<stem>.pdf`` (created if needed).
    timeout : float or None, default 120
        Seconds before ``soffice`` is killed.

    Returns
    -------
    pathlib.Path
        The PDF (all printable sheets, LibreOffice's page setup).

    Raises
    ------
    lo.LibreOfficeError
        If the file is missing, LibreOffice is unavailable, times out, or
        writes no PDF.

    Notes
    -----
    Text is drawn with the fonts installed on the machine; without
    metric-compatible fonts (Debian ``fonts-crosextra-carlito`` for Calibri,
    ``fonts-liberation2`` for Arial/Times New Roman) substitutes with other
    widths are used and column contents may be clipped differently than in
    Excel.
    """
    return lo.convert([path], convert_to=lo.PDF_FILTER, ext="pdf", out_dir=Path(out_dir),
                       timeout=timeout, what=PDF_STEP)[0]


#: What each tool is doing, as a :class:`~xlpy.workbook.libreoffice.TimedOut` names it (its ``what``).
PDF_STEP, PNG_STEP = "export to PDF", "rasterise PDF pages to PNG"


def pdf_pages(pdf: os.PathLike | str) -> int | None:
    """The pages of a PDF LibreOffice wrote, read from its page tree (the largest ``/Count`` of a ``/Type /Pages``
    object); None when the file cannot be read or keeps its page tree compressed."""
    try:
        data = Path(pdf).read_bytes()
    except OSError:
        return None
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", data, re.DOTALL)]
    return max(counts) if counts else None


def _stage_seconds(timeout: float | None) -> int:
    """The seconds a staging folder's name gives its work (:func:`_remove_orphaned_stages` reads them)."""
    return _UNLIMITED if timeout is None else math.ceil(timeout)


_PAGE_RE = re.compile(r"^page-(\d+)\.png$")


def pdf_to_pngs(pdf: os.PathLike | str, out_dir: os.PathLike | str, dpi: int = 110,
                timeout: float | None = lo.DEFAULT_TIMEOUT) -> list[Path]:
    """Rasterise every page of a PDF to PNG with poppler's ``pdftoppm``.

    Parameters
    ----------
    pdf : path-like
        The PDF file.
    out_dir : path-like
        Directory receiving ``<pdf stem>-<page>.png`` (pages numbered from 1,
        not zero-padded).  Higher-numbered pages left by an earlier, longer
        rendering of the same stem are removed.  The pages are drawn in a
        staging folder inside it and moved in together, Ctrl-C, SIGTERM and
        SIGHUP held meanwhile.
    dpi : int, default 110
        Resolution (``pdftoppm -r``).
    timeout : float or None, default 120
        Seconds before ``pdftoppm`` is killed.

    Returns
    -------
    list of pathlib.Path
        The PNG files in page order.

    Raises
    ------
    lo.LibreOfficeError
        If the PDF is missing, ``pdftoppm`` is not installed (Debian package
        ``poppler-utils``), fails or produces no page.
    xlpy.files.in_place.InterruptedAfterWriting
        If Ctrl-C, SIGTERM or SIGHUP came while the pages were moved in: all of
        them are in place (one before the moves is raised as it is, none moved).
    """
    pdf = Path(pdf)
    if not pdf.is_file():
        raise lo.LibreOfficeError(f"{pdf}: PDF file not found", [pdf])
    exe = find_pdftoppm()
    if exe is None:
        raise lo.LibreOfficeError(f"{pdf}: pdftoppm is not on PATH (Debian: poppler-utils)", [pdf])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".xlpy-png-stage-{_stage_seconds(timeout)}s-", dir=out_dir) as tmp:
        stage = Path(tmp).absolute()  # soffice/pdftoppm run with cwd=stage
        staged_pdf = stage / "input.pdf"
        shutil.copyfile(pdf, staged_pdf)
        result = lo.run_tool([exe, "-png", "-r", str(int(dpi)), str(staged_pdf), str(stage / "page")],
                           cwd=stage, timeout=timeout, what=PNG_STEP,
                           files=[pdf])
        pages = sorted(
            ((int(m.group(1)), p) for p in stage.iterdir() if (m := _PAGE_RE.match(p.name))),
        )
        if result.returncode != 0 or not pages or any(p.stat().st_size == 0 for _, p in pages):
            room = lo.full_disk(f"pdftoppm produced no PNG pages (exit status {result.returncode})", stage)
            raise lo.LibreOfficeError(
                f"{pdf}: pdftoppm produced no PNG pages (exit status {result.returncode}{room})",
                [pdf], result.stderr)
        return _move_in([(png, out_dir / f"{pdf.stem}-{number}.png") for number, png in pages], pdf.stem,
                        len(pages))


def _remove_later_pages(out_dir: Path, stem: str, pages: int) -> None:
    """Remove ``<stem>-<n>.png`` past page *pages*: those an earlier, longer rendering of *stem* left."""
    stale_re = re.compile(rf"^{re.escape(stem)}-(\d+)\.png$")
    for old in out_dir.iterdir():
        m = stale_re.match(old.name)
        if m and int(m.group(1)) > pages and old.is_file():
            old.unlink()


def render(path: os.PathLike | str, out_dir: os.PathLike | str, dpi: int = 110,
           timeout: float | None | str = "sized", pdf_only: bool = False) -> list[Path]:
    """Render a workbook to a PDF and one PNG per page.

    Parameters
    ----------
    path : path-like
        The workbook.
    out_dir : path-like
        Directory receiving ``<stem>.pdf`` and ``<stem>-<page>.png``.
    dpi : int, default 110
        PNG resolution.
    timeout : float, None or "sized", default "sized"
        Seconds allowed for the whole render, the PDF and its pages together (the pages get what the PDF left);
        ``"sized"``: :func:`time_allowed` of the workbook's :func:`workbook_size`; None: no limit.
    pdf_only : bool, default False
        Write the PDF alone, no pages (earlier pages of the same name are removed, as a shorter render's are).

    Returns
    -------
    list of pathlib.Path
        ``[pdf, png_page_1, png_page_2, ...]``, none readable by more people than the workbook is.

    Raises
    ------
    lo.TimedOut
        If the time ran out: its ``what`` is :data:`PDF_STEP` or :data:`PNG_STEP`, its ``seconds`` the render's
        whole time, and its ``pages`` the PDF's pages when the pages were being drawn (else None).
    lo.LibreOfficeError
        See :func:`to_pdf` and :func:`pdf_to_pngs`.
    """
    if timeout == "sized":
        timeout = time_allowed(workbook_size(path), dpi, pdf_only)
    elif isinstance(timeout, str):
        raise ValueError(f"timeout: must be seconds, None or 'sized', not {timeout!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_orphaned_stages(out_dir)
    deadline = None if timeout is None else time.monotonic() + timeout
    # The PDF and its pages are made together in a staging folder and moved in only when all are made: a
    # failure leaves the folder's earlier PDF and pages as they were, never a PDF beside pages of another render.
    with tempfile.TemporaryDirectory(prefix=f".xlpy-render-stage-{_stage_seconds(timeout)}s-", dir=out_dir) as tmp:
        stage = Path(tmp)
        staged = to_pdf(path, stage, timeout=timeout)
        pages = [] if pdf_only else _pages(staged, Path(path), out_dir, dpi, timeout, deadline)
        for made in (staged, *pages):
            _no_wider_than(made, path)
        return _move_in([(m, out_dir / m.name) for m in (staged, *pages)], staged.stem, len(pages))


def _move_in(moves: list[tuple[Path, Path]], stem: str, pages: int) -> list[Path]:
    """Make each of *moves* (a file made, the name it takes: a PDF first, if any, then its *pages* pages) and remove
    the later pages named after *stem* that an earlier, longer render left, Ctrl-C, SIGTERM and SIGHUP held
    meanwhile: one that comes finds the folder as it was (nothing moved yet) or holding all of them, raised then as
    :class:`~xlpy.files.in_place.InterruptedAfterWriting`, which says so.  Returns the names taken."""
    outputs, moved = [target for _, target in moves], 0
    for source, _ in moves:  # (to the disk itself before the renames rely on them)
        flush_file(source)
    try:
        with held_signals():  # (one rename a file: a signal among them left the new PDF beside earlier pages)
            for source, target in moves:
                os.replace(source, target)
                moved += 1
            _remove_later_pages(outputs[0].parent, stem, pages)
    except KeyboardInterrupt as exc:
        if moved < len(moves) or isinstance(exc, InterruptedAfterWriting):
            raise
        s = "s" if pages != 1 else ""
        if len(moves) > pages:  # (a PDF and its pages)
            said = f"{outputs[0]} and its {pages:,} page{s} were written" if pages else None
        else:
            said = (f"{pages:,} page{s} of {stem} {'were' if s else 'was'} written "
                    f"({outputs[0]}{f' to {outputs[-1].name}' if s else ''})")
        raise InterruptedAfterWriting(outputs[0], said=said) from exc
    return outputs


def _pages(staged: Path, path: Path, out_dir: Path, dpi: int, timeout: float | None,
           deadline: float | None) -> list[Path]:
    """The pages of the *staged* PDF, drawn in the time the PDF left of the render's *timeout*; an error names
    the PDF as it would have been in *out_dir*, not the staged one; a time run out, the render's whole time and
    the PDF's pages."""
    left = None if deadline is None else max(deadline - time.monotonic(), 0.001)
    try:
        return pdf_to_pngs(staged, staged.parent, dpi=dpi, timeout=left)
    except lo.LibreOfficeError as exc:
        message = str(exc).replace(str(staged), str(out_dir / staged.name))
        if isinstance(exc, lo.TimedOut):  # (its message says the time pdftoppm had; its seconds the render's)
            named = lo.TimedOut(message, [path], program=exc.program, seconds=timeout or 0.0, what=exc.what)
            named.pages = pdf_pages(staged)
        else:
            named = lo.LibreOfficeError(message, [path])
        named.stderr = exc.stderr
        raise named from None


def _no_wider_than(made: Path, workbook: os.PathLike | str) -> None:
    """Take from the page or PDF *made* any permission the *workbook* it shows does not give (its figures are the
    workbook's: a workbook kept private renders private, whatever the umask; not on Windows)."""
    if os.name == "nt":
        return
    try:
        os.chmod(made, made.stat().st_mode & os.stat(workbook).st_mode & 0o777)
    except OSError:  # (a workbook gone meanwhile, a file system without modes: the file as made)
        pass


def _remove_orphaned_stages(out_dir: Path) -> None:
    """Remove the staging folders a killed render left in *out_dir* (a copy of the workbook among them), those
    older than their render may run (the seconds its name gives, and 15 minutes): one of a render running
    meanwhile is left alone, however long it was given."""
    now = time.time()
    for entry in out_dir.iterdir():
        given = _STAGE_SECONDS.match(entry.name)
        allowed = ORPHANED_AFTER + (int(given.group(1)) if given else 0)
        try:
            old = entry.name.startswith(_STAGES) and entry.is_dir() and not entry.is_symlink() and \
                now - entry.stat().st_mtime > allowed
        except OSError:
            continue
        if old:
            shutil.rmtree(entry, ignore_errors=True)
