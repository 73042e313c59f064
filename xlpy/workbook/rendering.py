"""A workbook printed by LibreOffice to PDF, and its pages to PNG with poppler's ``pdftoppm``, for a person
to look at (``xlpy render``, the committed renders).

Each is made in a hidden staging folder inside the output folder and moved into place whole: a failure leaves
the folder's earlier PDF and pages as they were.  A staging folder a killed render left is removed by the next
render into that folder.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from . import libreoffice as lo

__all__ = ["find_pdftoppm", "font_substitutes", "pdf_to_pngs", "render", "to_pdf"]

#: The prefixes of the staging folders made in an output folder.
_STAGES = (".xlpy-render-stage-", ".xlpy-png-stage-")
#: A staging folder older than this is a killed render's: each tool is stopped within its timeout.
_ORPHANED_AFTER = 15 * 60


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
                       timeout=timeout, what="export to PDF")[0]


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
        rendering of the same stem are removed.
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
    """
    pdf = Path(pdf)
    if not pdf.is_file():
        raise lo.LibreOfficeError(f"{pdf}: PDF file not found", [pdf])
    exe = find_pdftoppm()
    if exe is None:
        raise lo.LibreOfficeError(f"{pdf}: pdftoppm is not on PATH (Debian: poppler-utils)", [pdf])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".xlpy-png-stage-", dir=out_dir) as tmp:
        stage = Path(tmp).absolute()  # soffice/pdftoppm run with cwd=stage
        staged_pdf = stage / "input.pdf"
        shutil.copyfile(pdf, staged_pdf)
        result = lo.run_tool([exe, "-png", "-r", str(int(dpi)), str(staged_pdf), str(stage / "page")],
                           cwd=stage, timeout=timeout, what="rasterise PDF pages to PNG",
                           files=[pdf])
        pages = sorted(
            ((int(m.group(1)), p) for p in stage.iterdir() if (m := _PAGE_RE.match(p.name))),
        )
        if result.returncode != 0 or not pages or any(p.stat().st_size == 0 for _, p in pages):
            room = lo.full_disk(f"pdftoppm produced no PNG pages (exit status {result.returncode})", stage)
            raise lo.LibreOfficeError(
                f"{pdf}: pdftoppm produced no PNG pages (exit status {result.returncode}{room})",
                [pdf], result.stderr)
        outputs = []
        for number, png in pages:
            dst = out_dir / f"{pdf.stem}-{number}.png"
            os.replace(png, dst)
            outputs.append(dst)
    _remove_later_pages(out_dir, pdf.stem, len(outputs))
    return outputs


def _remove_later_pages(out_dir: Path, stem: str, pages: int) -> None:
    """Remove ``<stem>-<n>.png`` past page *pages*: those an earlier, longer rendering of *stem* left."""
    stale_re = re.compile(rf"^{re.escape(stem)}-(\d+)\.png$")
    for old in out_dir.iterdir():
        m = stale_re.match(old.name)
        if m and int(m.group(1)) > pages and old.is_file():
            old.unlink()


def render(path: os.PathLike | str, out_dir: os.PathLike | str, dpi: int = 110,
           timeout: float | None = lo.DEFAULT_TIMEOUT) -> list[Path]:
    """Render a workbook to a PDF and one PNG per page.

    Parameters
    ----------
    path : path-like
        The workbook.
    out_dir : path-like
        Directory receiving ``<stem>.pdf`` and ``<stem>-<page>.png``.
    dpi : int, default 110
        PNG resolution.
    timeout : float or None, default 120
        Seconds allowed for each of the two tools.

    Returns
    -------
    list of pathlib.Path
        ``[pdf, png_page_1, png_page_2, ...]``, none readable by more people than the workbook is.

    Raises
    ------
    lo.LibreOfficeError
        See :func:`to_pdf` and :func:`pdf_to_pngs`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_orphaned_stages(out_dir)
    # The PDF and its pages are made together in a staging folder and moved in only when all are made: a
    # failure leaves the folder's earlier PDF and pages as they were, never a PDF beside pages of another render.
    with tempfile.TemporaryDirectory(prefix=".xlpy-render-stage-", dir=out_dir) as tmp:
        stage = Path(tmp)
        staged = to_pdf(path, stage, timeout=timeout)
        try:
            pages = pdf_to_pngs(staged, stage, dpi=dpi, timeout=timeout)
        except lo.LibreOfficeError as exc:  # named as the PDF it would have been, not the staged one
            named = lo.LibreOfficeError(str(exc).replace(str(staged), str(out_dir / staged.name)), [path])
            named.stderr = exc.stderr
            raise named from None
        outputs = []
        for made in (staged, *pages):
            _no_wider_than(made, path)
            os.replace(made, out_dir / made.name)
            outputs.append(out_dir / made.name)
    _remove_later_pages(out_dir, staged.stem, len(pages))
    return outputs


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
    older than any render's tools may run: one of a render running meanwhile is left alone."""
    now = time.time()
    for entry in out_dir.iterdir():
        try:
            old = entry.name.startswith(_STAGES) and entry.is_dir() and not entry.is_symlink() and \
                now - entry.stat().st_mtime > _ORPHANED_AFTER
        except OSError:
            continue
        if old:
            shutil.rmtree(entry, ignore_errors=True)
