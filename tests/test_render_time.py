"""The time ``xlpy render`` is given: sized to the workbook, ``--timeout``, and a time run out said in words a user can
act on (review: a holder table of 100,000 lines, some 2,300 pages, was killed after LibreOffice's 120 s with "soffice
timed out after 120 s while trying to export to PDF; its process group was killed", saying neither why nor what to
do).  The tools are stand-ins that sleep (no large workbook here), but for one test that kills LibreOffice itself."""

from __future__ import annotations

import io
import math
import os
import time
import zipfile
from pathlib import Path

import pytest
from repo_paths import DATA, TALLY

from xlpy.cli import main
from xlpy.workbook import libreoffice as lo
from xlpy.workbook import rendering

pytestmark = pytest.mark.usefixtures("fresh_limits")

POSIX = pytest.mark.skipif(os.name != "posix", reason="the stand-in tools are shell scripts")
#: The holder table's lines in the "holders" standard workbook: the tally's lines below its header.
HOLDER_LINES = len((DATA / TALLY).read_text(encoding="utf-8").splitlines()) - 1


@pytest.fixture
def book(standard_books, tmp_path, monkeypatch):
    """The standard workbook with a holder table, as ``book.xlsm`` in the test's folder, the folder the current one."""
    monkeypatch.chdir(tmp_path)
    return Path(standard_books.copy_into("holders", tmp_path).name)


def _tool(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


#: soffice's stand-in: what it writes in --outdir (its last argument is the staged workbook), then what it does.
_SOFFICE = 'while [ $# -gt 1 ]; do [ "$1" = --outdir ] && out=$2; shift; done\nstem=$(basename "$1" .xlsm)\n'
#: A PDF's page tree as LibreOffice writes it: three pages.
_PDF = "%%PDF-1.4\\n1 0 obj\\n<</Type/Pages\\n/Kids[ 2 0 R 3 0 R 4 0 R ]\\n/Count 3>>\\nendobj\\n"


def _stand_ins(tmp_path: Path, monkeypatch, soffice: str, pdftoppm: str = "exit 1\n") -> None:
    monkeypatch.setenv(lo.SOFFICE_ENV_VAR, str(_tool(tmp_path / "bin", "soffice", _SOFFICE + soffice)))
    _tool(tmp_path / "bin", "pdftoppm", 'for last; do :; done\n' + pdftoppm)  # ($last: the pages' prefix)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")


# --- the time allowed --------------------------------------------------------------------------------------------


def test_the_time_allowed_grows_with_each_sheet_s_rows_and_their_square_the_pages_and_their_pixels():
    """Measured: LibreOffice's PDF of a 20,000-line holder table took 37 s of processor time, of 40,000 lines 94 s,
    of 100,000 lines some 620 s (more than 20 minutes on a busy machine): a time growing with the rows alone,
    sized for 20,000 lines, killed the 100,000-line render halfway."""
    base = rendering.time_allowed(rendering.Size())
    assert base == rendering.BASE_SECONDS == 120
    pdf = [rendering.time_allowed(rendering.Size((k * 1000,)), pdf_only=True) - base for k in (10, 20, 40, 100)]
    assert pdf == [55, 140, 400, 1900]  # (4 k + 0.15 k²)
    assert pdf[3] / pdf[1] > 13  # (five times the rows, more than thirteen times the time: as measured, 17 times)
    assert rendering.time_allowed(rendering.Size((100_000,))) == 120 + 1900 + 1200  # (and 12 s a 1,000 for pages)
    assert rendering.time_allowed(rendering.Size((50_000, 50_000))) == 120 + 2 * (200 + 375) + 1200  # (each sheet)
    assert rendering.time_allowed(rendering.Size((1_000,)), dpi=220) == math.ceil(120 + 4.15 + 4 * 12)  # (4× pixels)
    assert rendering.time_allowed(rendering.Size((1_000,)), dpi=55) == math.ceil(120 + 4.15 + 12)  # (fewer: no less)
    assert rendering.time_allowed(rendering.Size((1,))) == 121  # (whole seconds, up)


def _package(members: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return data.getvalue()


def _sheet(ref: str, rows: int = 0) -> bytes:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{ref}"/>'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def test_the_size_is_read_from_each_sheet_s_dimension_and_the_holder_table(tmp_path):
    table = (b'<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" name="tblTenders" '
             b'displayName="tblTenders" ref="B20:L5019" headerRowCount="1"><autoFilter ref="B20:L5019"/></table>')
    path = tmp_path / "b.xlsx"
    path.write_bytes(_package({"xl/worksheets/sheet1.xml": _sheet("B1:L5019", 5019), "xl/tables/table1.xml": table,
                               "xl/worksheets/sheet2.xml": _sheet("A1"), "xl/worksheets/sheet3.xml": b"<worksheet/>",
                               "xl/workbook.xml": _sheet("A1:A999999")}))  # (not a sheet: not counted)
    size = rendering.workbook_size(path)
    assert size == rendering.Size((5019, 1), 4999) and size.rows == 5020
    assert size.said() == "the holder table has 4,999 lines"
    assert rendering.Size((400, 12)).said() == "its sheets have 412 rows"
    # A dimension claiming more rows than its part's bytes can hold is not believed (a day's timeout for nothing).
    path.write_bytes(_package({"xl/worksheets/sheet1.xml": _sheet("A1:XFD1048576", 10)}))
    small = rendering.workbook_size(path)
    assert small == rendering.Size((len(_sheet("A1:XFD1048576", 10)) // 20,)) and small.rows < 1000
    path.write_bytes(b"not a package")
    assert rendering.workbook_size(path) == rendering.Size()


def test_the_standard_workbook_s_size_is_its_holder_table(book):
    size = rendering.workbook_size(book)
    assert size.holder_lines == HOLDER_LINES
    assert HOLDER_LINES < size.rows < HOLDER_LINES + 1000  # (the other sheets: some hundreds of rows)


@pytest.mark.parametrize("given, expected", [([], "sized"), (["--pdf-only"], "sized"), (["--dpi", "220"], "sized"),
                                             (["--timeout", "45"], 45.0), (["--timeout", "1e3"], 1000.0)])
def test_render_gives_the_time_sized_to_the_workbook_or_the_one_given(book, monkeypatch, capsys, given, expected):
    calls = []
    monkeypatch.setattr(lo, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(rendering, "font_substitutes", lambda: [])
    monkeypatch.setattr(rendering, "render", lambda path, out, **kw: calls.append(kw) or [])
    assert main(["render", str(book), "-o", "pages", "-q", *given]) == 0
    (kw,) = calls
    dpi, pdf_only = kw["dpi"], kw["pdf_only"]
    assert (dpi, pdf_only) == (220 if "--dpi" in given else 110, "--pdf-only" in given)
    if expected == "sized":
        expected = rendering.time_allowed(rendering.workbook_size(book), dpi, pdf_only)
        assert expected > rendering.BASE_SECONDS
    assert kw["timeout"] == expected


@pytest.mark.parametrize("seconds, reason", [
    ("0", "must be a positive number of seconds"), ("-5", "must be a positive number of seconds"),
    ("nan", "must be a positive number of seconds"), ("inf", "must be a positive number of seconds"),
    ("2m", "must be a number of seconds"), ("", "must not be empty"),
    ("604801", "must be at most 604800 (a week)")])
def test_render_checks_the_timeout_before_anything(book, capsys, monkeypatch, seconds, reason):
    monkeypatch.setattr(rendering, "render", lambda *a, **k: pytest.fail("LibreOffice was run"))
    assert main(["render", str(book), "-o", "pages", "--timeout", seconds]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy render: --timeout: {reason}, got {seconds!r}"]
    assert not Path("pages").exists()


# --- the time run out ---------------------------------------------------------------------------------------------


@POSIX
def test_a_pdf_not_made_in_time_is_said_with_the_size_and_the_option_and_nothing_is_left(book, capsys, monkeypatch,
                                                                                          tmp_path):
    """The stand-in writes half a PDF, then hangs: killed at the time given, what it made removed with its
    staging folder, the output folder it would have made not made, and the message says what to do."""
    _stand_ins(tmp_path, monkeypatch, 'printf "%%PDF-1.4 half" > "$out/$stem.pdf"\nexec sleep 60\n')
    start = time.monotonic()
    assert main(["render", str(book), "-o", "pages", "--timeout", "0.5"]) == 2
    assert time.monotonic() - start < 20
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: book.xlsm: LibreOffice did not finish exporting to PDF in 0.5 s (the holder table has "
        f"{HOLDER_LINES} lines); nothing was rendered (what was made of it was removed): give more time with "
        "--timeout 60"]
    assert not Path("pages").exists()


@POSIX
def test_pages_not_drawn_in_time_are_counted_and_the_folder_keeps_its_earlier_render(book, capsys, monkeypatch,
                                                                                    tmp_path):
    """The PDF is made (three pages); pdftoppm draws one and hangs: killed in what the PDF left of the time; the
    folder's earlier PDF and pages are as they were, nothing of this render beside them."""
    _stand_ins(tmp_path, monkeypatch, f'printf "{_PDF}" > "$out/$stem.pdf"\n',
               pdftoppm='printf png > "$last-1.png"\nexec sleep 60\n')
    pages = Path("pages")
    pages.mkdir()
    (pages / "book.pdf").write_bytes(b"%PDF earlier")
    (pages / "book-1.png").write_bytes(b"earlier page")
    assert main(["render", str(book), "-o", "pages", "--timeout", "2"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: book.xlsm: pdftoppm did not finish drawing the PDF's 3 pages as PNG in the 2 s the render "
        f"was given (the holder table has {HOLDER_LINES} lines); nothing was rendered (what was made of it was "
        "removed): give more time with --timeout 60, or write the PDF alone with --pdf-only"]
    assert sorted((p.name, p.read_bytes()) for p in pages.iterdir()) == [("book-1.png", b"earlier page"),
                                                                         ("book.pdf", b"%PDF earlier")]


@POSIX
def test_pdf_only_writes_the_pdf_alone_and_removes_an_earlier_render_s_pages(book, capsys, monkeypatch, tmp_path):
    _stand_ins(tmp_path, monkeypatch, f'printf "{_PDF}" > "$out/$stem.pdf"\n',
               pdftoppm="echo pdftoppm was run >&2\nexit 1\n")
    monkeypatch.setattr(rendering, "font_substitutes", lambda: [])
    pages = Path("pages")
    pages.mkdir()
    (pages / "book-1.png").write_bytes(b"earlier page")  # (of another PDF: not left beside this one)
    assert main(["render", str(book), "-o", "pages", "--pdf-only", "-q"]) == 0
    assert capsys.readouterr().out.split() == [str(pages / "book.pdf")]
    assert [p.name for p in pages.iterdir()] == ["book.pdf"]
    assert rendering.pdf_pages(pages / "book.pdf") == 3


@pytest.mark.libreoffice
def test_libreoffice_itself_killed_at_the_time_given(book, capsys):
    """LibreOffice, not a stand-in: given a hundredth of a second, killed, nothing left in the output folder."""
    assert main(["render", str(book), "-o", "pages", "--timeout", "0.01"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: book.xlsm: LibreOffice did not finish exporting to PDF in 0.01 s (the holder table has "
        f"{HOLDER_LINES} lines); nothing was rendered (what was made of it was removed): give more time with "
        "--timeout 60"]
    assert not Path("pages").exists()


def test_the_option_to_give_is_twice_the_time_in_whole_minutes():
    from xlpy.cli.render import timed_out

    exc = lo.TimedOut("x", program="soffice", seconds=700, what=rendering.PDF_STEP)
    said = timed_out(Path("big.xlsm"), exc, rendering.Size((100_000, 269), 100_000))
    assert said == ("big.xlsm: LibreOffice did not finish exporting to PDF in 700 s (the holder table has 100,000 "
                    "lines); nothing was rendered (what was made of it was removed): give more time with --timeout "
                    "1440")
    exc = lo.TimedOut("x", program="soffice", seconds=500_000, what=rendering.PDF_STEP)
    assert timed_out(Path("big.xlsm"), exc, rendering.Size((412,))) == (  # (never more than the option takes)
        "big.xlsm: LibreOffice did not finish exporting to PDF in 500,000 s (its sheets have 412 rows); nothing was "
        "rendered (what was made of it was removed): give more time with --timeout 604800")
    exc = lo.TimedOut("x", program="soffice", seconds=1e-9, what=rendering.PDF_STEP)  # (review: said "1e-09 s")
    assert "exporting to PDF in 0.000000001 s (" in timed_out(Path("big.xlsm"), exc, rendering.Size((412,)))


# --- a long render's staging folder --------------------------------------------------------------------------------


def test_a_render_given_longer_than_15_minutes_keeps_its_staging_folder_from_the_next_render(tmp_path, monkeypatch):
    """The next render removes a killed render's staging folder once it is older than any render may run; with
    --timeout a render may run for hours: the seconds it was given are in its folder's name, and counted."""
    out = tmp_path / "renders"
    long_one, killed, older_kind = (out / ".xlpy-render-stage-7200s-abc1", out / ".xlpy-render-stage-300s-def2",
                                    out / ".xlpy-png-stage-ghi3")
    hour_ago = time.time() - 3600
    for folder in (long_one, killed, older_kind):
        (folder / "in").mkdir(parents=True)
        (folder / "in" / "book.xlsm").write_bytes(b"a copy of the workbook")
        os.utime(folder, (hour_ago, hour_ago))
    seen = []

    def to_pdf(path, out_dir, timeout=None):
        seen.append(Path(out_dir).name)
        (Path(out_dir) / "book.pdf").write_bytes(b"%PDF")
        return Path(out_dir) / "book.pdf"

    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    made = rendering.render(tmp_path / "book.xlsm", out, timeout=5400.5, pdf_only=True)
    assert [p.name for p in made] == ["book.pdf"]
    assert sorted(p.name for p in out.iterdir()) == [".xlpy-render-stage-7200s-abc1", "book.pdf"]
    assert seen[0].startswith(".xlpy-render-stage-5401s-")  # (its own, for the next render to read)
