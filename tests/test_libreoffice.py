"""Tests for xlpy.workbook.libreoffice (headless LibreOffice recalculation and rendering).

Tests that start soffice are marked ``libreoffice``; tests/conftest.py skips
them when soffice is absent, unless CI is set (then they fail).  soffice
start-up dominates the cost, so the workbooks are recalculated in one batch
per module.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from xlpy.workbook import libreoffice as lo
from xlpy.workbook import rendering

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STALE = 999  # cached value planted in the model; LibreOffice must not trust it

# --------------------------------------------------------------------------
# Workbook builders
# --------------------------------------------------------------------------


def _rewrite_zip(path: Path, edits: dict[str, tuple[bytes, bytes]]) -> None:
    """Replace bytes inside members of an xlsx (one replacement per member)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in edits:
                old, new = edits[info.filename]
                # openpyxl writes an empty value as <v /> or <v/> depending on whether lxml is present.
                data = data.replace(b"<v/>", b"<v />").replace(b"<v></v>", b"<v />")
                assert old in data, f"{old!r} not in {info.filename}"
                data = data.replace(old, new)
            dst.writestr(info, data)
    tmp.replace(path)


def _build_model(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, 3.5
    ws["B1"] = "=SUM(A1:A3)"  # cached value made stale below
    ws["B2"] = "=ROUND(1.005,2)"  # Excel: 1.01 (half away from zero)
    ws["B3"] = "=ROUND(-1.005,2)"  # -1.01
    ws["B4"] = "=ROUND(2.5,0)"  # 3 (Python's round() would give 2)
    ws["B5"] = "=ROUND(-2.5,0)"  # -3
    ws["C1"] = 0.05
    calc = wb.create_sheet("Calc")
    calc["A1"] = "=Inputs!B1*2"  # cross-sheet, depends on the stale cell
    calc["A2"] = "=Rate*100"  # via a defined name
    calc["A3"] = "=SUM(Block)"
    calc["A4"] = '=IF(Total>6,"big","small")'
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Inputs!$C$1")
    wb.defined_names["Block"] = DefinedName("Block", attr_text="Inputs!$A$1:$A$3")
    wb.defined_names["Total"] = DefinedName("Total", attr_text="Inputs!$B$1")
    wb.defined_names["Half"] = DefinedName("Half", attr_text="0.5")
    wb.save(path)
    # openpyxl writes formulas without cached values ("absent"); plant a
    # stale cached value in Inputs!B1 as Excel would leave after editing A1.
    _rewrite_zip(path, {"xl/worksheets/sheet1.xml": (
        b"<f>SUM(A1:A3)</f><v />", f"<f>SUM(A1:A3)</f><v>{STALE}</v>".encode())})


def _build_macro(path: Path) -> None:
    """A macro-enabled package (content type of .xlsm) with a quoted sheet name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Q1 '24"
    ws["A1"] = 10
    ws["A2"] = 32
    other = wb.create_sheet("Out")
    other["A1"] = "=SUM('Q1 ''24'!A1:A2)"
    other["A2"] = '="n="&TEXT(Out!A1,"0")'
    wb.save(path.with_suffix(".xlsx"))
    path.with_suffix(".xlsx").replace(path)
    _rewrite_zip(path, {"[Content_Types].xml": (
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")})


def _build_third(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet"
    for row in range(1, 11):
        ws.cell(row, 1, row)
        ws.cell(row, 2, f"=A{row}^2")
    ws["C1"] = "=SUM(B1:B10)"
    wb.save(path)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("inputs")
    paths = {"model": src / "model.xlsx", "macro": src / "macro.xlsm", "third": src / "third.xlsx"}
    _build_model(paths["model"])
    _build_macro(paths["macro"])
    _build_third(paths["third"])
    return paths


@pytest.fixture(scope="module")
def batch(inputs, tmp_path_factory) -> tuple[Path, list[Path]]:
    """All three workbooks recalculated by ONE soffice start-up."""
    out_dir = tmp_path_factory.mktemp("recalculated")
    return out_dir, lo.recalculate_many(list(inputs.values()), out_dir)


# --------------------------------------------------------------------------
# Recalculation
# --------------------------------------------------------------------------


def test_model_really_has_a_stale_cached_value(inputs):
    wb = openpyxl.load_workbook(inputs["model"], data_only=True)
    assert wb["Inputs"]["B1"].value == STALE
    assert wb["Calc"]["A1"].value is None  # absent cached value


@pytest.mark.libreoffice
def test_recalculate_many_outputs(batch):
    out_dir, outputs = batch
    assert [p.name for p in outputs] == ["model.xlsx", "macro.xlsx", "third.xlsx"]
    assert all(p.parent == out_dir and p.stat().st_size > 0 for p in outputs)
    # nothing else (no staging directory, no lock file) is left behind
    assert sorted(p.name for p in out_dir.iterdir()) == ["macro.xlsx", "model.xlsx", "third.xlsx"]
    for p in outputs:
        assert zipfile.is_zipfile(p)


@pytest.mark.libreoffice
def test_recalculated_model_values(batch):
    values = lo.read_values(batch[1][0])
    inputs, calc = values["Inputs"], values["Calc"]
    assert inputs["B1"] == 6.5  # stale 999 recomputed
    assert inputs["B2"] == 1.01
    assert inputs["B3"] == -1.01
    assert inputs["B4"] == 3
    assert inputs["B5"] == -3
    assert calc["A1"] == 13  # cross-sheet, from the recomputed value
    assert calc["A2"] == pytest.approx(5.0, abs=1e-12)
    assert calc["A3"] == 6.5
    assert calc["A4"] == "big"
    assert inputs["A3"] == 3.5 and inputs["C1"] == 0.05  # constants kept


@pytest.mark.libreoffice
def test_recalculated_xlsm_and_plain_values(batch):
    _, (_, macro, third) = batch
    macro_values = lo.read_values(macro)
    assert macro_values["Out"] == {"A1": 42, "A2": "n=42"}
    assert macro_values["Q1 '24"] == {"A1": 10, "A2": 32}
    third_values = lo.read_values(third)["Sheet"]
    assert third_values["C1"] == sum(i * i for i in range(1, 11)) == 385
    assert third_values["B7"] == 49


@pytest.mark.libreoffice
def test_named_values_of_recalculated_copy(batch):
    names = lo.read_named_values(batch[1][0])
    assert names == {
        "Rate": 0.05,
        "Block": [[1], [2], [3.5]],
        "Total": 6.5,  # refers to the formerly stale cell
        "Half": 0.5,
    }


@pytest.mark.libreoffice
def test_recalculated_values_and_named_values_one_shot(inputs):
    values = lo.recalculated_values(inputs["model"])
    assert values["Inputs"]["B1"] == 6.5
    assert values["Calc"]["A1"] == 13
    names = lo.named_values(inputs["model"])
    assert names["Total"] == 6.5
    assert names["Block"] == [[1], [2], [3.5]]


@pytest.mark.libreoffice
def test_recalculate_single_default_out_dir(inputs):
    out = lo.recalculate(inputs["third"])
    try:
        assert out.name == "third.xlsx" and out.stat().st_size > 0
        assert out.parent != inputs["third"].parent
        assert lo.read_values(out)["Sheet"]["C1"] == 385
    finally:
        shutil.rmtree(out.parent)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.libreoffice
def test_render_pdf_and_pngs(inputs, tmp_path, monkeypatch):
    # relative input and output paths must work too
    monkeypatch.chdir(tmp_path)
    local = Path("model.xlsx")
    shutil.copyfile(inputs["model"], local)
    out = rendering.render(local, Path("render"))
    assert all(not p.is_absolute() and p.parent == Path("render") for p in out)
    pdf, pngs = out[0], out[1:]
    assert pdf.name == "model.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert len(pngs) >= 2  # two non-empty sheets -> at least two pages
    assert [p.name for p in pngs] == [f"model-{i}.png" for i in range(1, len(pngs) + 1)]
    width, height = _png_size(pngs[0])
    # A4 or Letter portrait at 110 dpi: 8.27-8.5 in wide, 11-11.7 in high
    assert 900 <= width <= 940 and 1200 <= height <= 1300
    assert all(p.stat().st_size > 1000 for p in pngs)

    # The printed values are the recalculated ones, not the stale cache.
    pdftotext = shutil.which("pdftotext")  # same Debian package (poppler-utils) as pdftoppm
    if pdftotext is None and lo.ci_set():
        pytest.fail("pdftotext not found (Debian: apt-get install poppler-utils); CI is set, so the check of "
                    "the printed values must not be skipped", pytrace=False)
    if pdftotext:
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "6.5" in text and "1.01" in text and "-1.01" in text
        assert str(STALE) not in text

    # Re-rasterise at half resolution (no soffice start-up needed).
    small = rendering.pdf_to_pngs(pdf, tmp_path / "small", dpi=55)
    assert len(small) == len(pngs)
    small_width, _ = _png_size(small[0])
    assert abs(small_width * 2 - width) <= 2


def test_pdf_to_pngs_missing_pdf(tmp_path):
    missing = tmp_path / "nope.pdf"
    with pytest.raises(lo.LibreOfficeError, match="nope.pdf"):
        rendering.pdf_to_pngs(missing, tmp_path)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_missing_input_names_the_file(tmp_path, inputs):
    missing = tmp_path / "does-not-exist.xlsx"
    with pytest.raises(lo.LibreOfficeError, match="does-not-exist.xlsx.*not found") as info:
        lo.recalculate(missing, tmp_path)
    assert info.value.files == (missing,)
    with pytest.raises(lo.LibreOfficeError) as info:
        lo.recalculate_many([inputs["third"], missing], tmp_path / "out")
    assert info.value.files == (missing,)
    assert str(inputs["third"]) not in str(info.value)
    with pytest.raises(lo.LibreOfficeError, match="does-not-exist.xlsx"):
        rendering.to_pdf(missing, tmp_path)


@pytest.mark.libreoffice
def test_non_spreadsheets_name_the_files_and_write_nothing(tmp_path, inputs):
    text_as_xlsx = tmp_path / "notes.xlsx"
    text_as_xlsx.write_text("this is not a spreadsheet\n")
    garbage = tmp_path / "garbage.xlsm"
    garbage.write_bytes(bytes(range(256)) * 8)
    out_dir = tmp_path / "out"
    with pytest.raises(lo.LibreOfficeError) as info:
        lo.recalculate_many([inputs["third"], text_as_xlsx, garbage], out_dir)
    message = str(info.value)
    assert str(text_as_xlsx) in message and str(garbage) in message
    assert str(inputs["third"]) not in message.split("\n")[0]
    assert set(info.value.files) == {text_as_xlsx, garbage}
    assert "could not be loaded" in info.value.stderr
    # all-or-nothing: not even the good workbook is moved into place
    assert list(out_dir.iterdir()) == []


@pytest.mark.libreoffice
def test_timeout_kills_soffice(tmp_path, inputs):
    with pytest.raises(lo.LibreOfficeError, match=r"model\.xlsx.*timed out"):
        lo.recalculate(inputs["model"], tmp_path, timeout=0.05)
    assert list(tmp_path.iterdir()) == []


def test_a_soffice_killed_leaves_its_temporary_folders_in_the_profile_removed_with_it(tmp_path, monkeypatch, inputs):
    """Review 127: a soffice killed (a timeout, or xlpy killed with it) cannot remove its own ``lu*.tmp`` folders,
    and they stayed in the system's temporary folder for good, some holding a workbook's OLE parts: xlpy's sweep
    matches only its own names. soffice is now given a temporary folder inside its private profile."""
    import tempfile

    system = tmp_path / "system"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    fake = tmp_path / "soffice"  # (as soffice does at its start: a folder of its own in $TMPDIR, then the work)
    fake.write_text('#!/bin/sh\nmkdir "$TMPDIR/lu12345abc.tmp" && echo "$TMPDIR" > "$0.tmpdir"\nexec sleep 30\n')
    fake.chmod(0o755)
    monkeypatch.setenv(lo.SOFFICE_ENV_VAR, str(fake))
    with pytest.raises(lo.LibreOfficeError, match="timed out"):
        lo.recalculate(inputs["model"], tmp_path / "out", timeout=1)
    given = Path((tmp_path / "soffice.tmpdir").read_text().strip())
    assert given.name == "tmp" and given.parent.parent == system and given.parent.name.startswith("xlpy-")
    assert list(system.iterdir()) == []  # (the profile, and the folder soffice made in it, removed)


def test_output_may_not_overwrite_input(inputs):
    with pytest.raises(ValueError, match="overwrite"):
        lo.recalculate(inputs["third"], inputs["third"].parent)


def test_duplicate_stems_rejected(tmp_path, inputs):
    twin = tmp_path / "twin"
    twin.mkdir()
    copy = twin / "third.xlsx"
    shutil.copyfile(inputs["third"], copy)
    with pytest.raises(ValueError, match="both be written"):
        lo.recalculate_many([inputs["third"], copy], tmp_path / "out")


# --------------------------------------------------------------------------
# Profile and discovery (no soffice needed)
# --------------------------------------------------------------------------


def test_private_profile_sets_recalc_always_and_is_removed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with lo.libreoffice_profile("."):
        pass  # a relative base directory is fine (the URI needs an absolute path)
    assert list(tmp_path.iterdir()) == []
    with lo.libreoffice_profile() as profile:
        xcu = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
        assert profile.as_uri().startswith("file://")
    assert not profile.exists()
    for name in ("OOXMLRecalcMode", "ODFRecalcMode"):
        assert (f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                f'<prop oor:name="{name}" oor:op="fuse"><value>0</value>') in xcu
    assert '"DisableMacrosExecution" oor:op="fuse"><value>true</value>' in xcu


def test_find_soffice_honours_env(monkeypatch, tmp_path):
    fake = tmp_path / "my-soffice"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv(lo.SOFFICE_ENV_VAR, str(fake))
    assert lo.find_soffice() == str(fake)
    monkeypatch.setenv(lo.SOFFICE_ENV_VAR, str(tmp_path / "absent"))
    assert lo.find_soffice() is None
    with pytest.raises(lo.LibreOfficeError, match="does not name an executable"):
        lo.recalculate_many([fake], tmp_path / "out")


def _fake_fc_match(folder: Path, family: str, status: int = 0) -> None:
    """A ``fc-match`` on PATH that answers *family* for every font (a machine's fontconfig, made to order)."""
    folder.mkdir(exist_ok=True)
    exe = folder / "fc-match"
    exe.write_text(f"#!/bin/sh\nprintf '%s' '{family}'\nexit {status}\n", encoding="utf-8")
    exe.chmod(0o755)


@pytest.mark.parametrize("family, warned", [
    ("DejaVu Sans", True), ("Carlito", False), ("Calibri", False), ("Carlito,Calibri", False), ("", False)])
def test_a_render_is_warned_of_where_calibri_is_drawn_in_another_font(tmp_path, monkeypatch, family, warned):
    """Review: a render on a machine without Carlito came out at 15 pages against Excel's 17, without a word."""
    _fake_fc_match(tmp_path / "bin", family)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}")
    said = rendering.font_substitutes()
    assert said == ([f"Calibri, the workbook's font, is drawn with {family} on this machine (install Calibri or "
                     "Carlito: Debian fonts-crosextra-carlito): columns may clip and pages break otherwise than "
                     "Excel prints them"] if warned else [])


def test_a_render_without_fontconfig_or_with_it_failing_says_nothing_of_fonts(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # (no fc-match at all)
    assert rendering.font_substitutes() == []
    _fake_fc_match(tmp_path / "bin", "DejaVu Sans", status=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}")
    assert rendering.font_substitutes() == []


def test_xlpy_render_prints_the_font_warning_after_the_files_it_made(tmp_path, monkeypatch, capsys):
    from xlpy import cli

    book = tmp_path / "b.xlsx"
    openpyxl.Workbook().save(book)
    made = [tmp_path / "r" / "b.pdf", tmp_path / "r" / "b-1.png"]
    monkeypatch.setattr(lo, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(rendering, "render", lambda path, out, **kw: made)  # (LibreOffice is not what is tested)
    _fake_fc_match(tmp_path / "bin", "DejaVu Sans")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}")
    assert cli.main(["render", str(book), "-o", str(tmp_path / "r"), "-q"]) == 0
    said = capsys.readouterr()
    assert said.out.split() == [str(p) for p in made]
    assert said.err == ("xlpy render: warning: Calibri, the workbook's font, is drawn with DejaVu Sans on this "
                        "machine (install Calibri or Carlito: Debian fonts-crosextra-carlito): columns may clip and "
                        "pages break otherwise than Excel prints them\n")


def test_soffice_is_given_a_plain_name_as_it_is_so_a_footer_prints_the_workbook_s_own(tmp_path, monkeypatch):
    """Review 67's footer (&F: the file's name) printed "f0000.xlsm" in a render: every input was copied under a
    made-up name. A plain name (letters and digits of any script, spaces, ._()+-&',!{}~$=@) is kept; a name soffice
    could read otherwise (an option's dash, a URL's # or %), one whose &F it escapes ([, ], ;) or one a kept name
    would clash with gets a name of its own."""
    given = []

    def run_tool(cmd, *, cwd, timeout, what, files, temp=None):
        staged = [Path(a) for a in cmd if a.endswith(".xlsm")]
        given.extend(p.name for p in staged)
        for p in staged:
            (Path(cmd[cmd.index("--outdir") + 1]) / f"{p.stem}.pdf").write_bytes(b"%PDF")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(lo, "_require_soffice", lambda files: "soffice")
    monkeypatch.setattr(lo, "run_tool", run_tool)
    names = ["Émission 2024 (v2).xlsm", "-x.xlsm", "a#b.xlsm", "émission 2024 (V2).xlsm", "O'Brien & Co, v2.xlsm",
             "deal [v2].xlsm", "100%.xlsm"]
    for name in names:
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_bytes(b"x")
    outs = [tmp_path / f"out{i}" for i in range(len(names))]
    for name, out in zip(names, outs):
        assert lo.convert([tmp_path / "in" / name], convert_to="pdf", ext="pdf", out_dir=out, timeout=None,
                          what="render") == [out / f"{Path(name).stem}.pdf"]
    assert given == ["Émission 2024 (v2).xlsm", "_0000.xlsm", "_0000.xlsm", "émission 2024 (V2).xlsm",
                     "O'Brien & Co, v2.xlsm", "_0000.xlsm", "_0000.xlsm"]
    given.clear()  # two at once whose names differ only in case: the second gets a name of its own
    lo.convert([tmp_path / "in" / names[0], tmp_path / "in" / names[3]], convert_to="pdf", ext="pdf",
               out_dir=tmp_path / "both", timeout=None, what="render")
    assert given == ["Émission 2024 (v2).xlsm", "_0001.xlsm"]


def test_a_libreoffice_that_fails_is_named_as_the_program_not_the_workbook(standard_books, tmp_path, monkeypatch):
    """Review 82 (coverage): a soffice that could not start (exit status 1, 127) was reported as LibreOffice unable
    to read the workbook ("Is it a readable spreadsheet?"), naming a temporary copy in the system's temporary
    folder; the finding now names the program, its status and its last words, and the workbook by its name."""
    from xlpy.workbook.validate import validate

    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'soffice: error while loading shared libraries: libuno_sal.so.3' >&2\nexit 127\n")
    fake.chmod(0o755)
    monkeypatch.setenv(lo.SOFFICE_ENV_VAR, str(fake))
    book = standard_books.copy_into("seed", tmp_path)
    (finding,) = [f for f in validate(book, legs=("libreoffice",)).findings if f.leg == "libreoffice"]
    assert (finding.where, finding.what) == ("LibreOffice", (  # (review 94: at LibreOffice, said not validated)
        f"could not recalculate and save as xlsx: soffice ({fake}) failed with exit status "
        "127 and wrote nothing (soffice: error while loading shared libraries: libuno_sal.so.3): the program failed, "
        f"not the spreadsheet; try it: {fake} --headless --version; the workbook was not validated by LibreOffice"))


@pytest.mark.parametrize("status", [0, -11])
def test_a_libreoffice_that_writes_nothing_with_status_0_or_a_crash_asks_after_the_spreadsheet(tmp_path, monkeypatch,
                                                                                                 status):
    """Review 83: a status of 0 (soffice's own for a file it cannot load) and a crash (a signal's status, which a
    malformed file may cause) keep asking whether the file is a readable spreadsheet."""
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n" + ("exit 0\n" if status == 0 else "kill -SEGV $$\n"))
    fake.chmod(0o755)
    monkeypatch.setenv(lo.SOFFICE_ENV_VAR, str(fake))
    book = tmp_path / "b.xlsx"
    openpyxl.Workbook().save(book)
    with pytest.raises(lo.LibreOfficeError) as info:
        lo.convert([book], convert_to="xlsx", ext="xlsx", out_dir=tmp_path / "out", timeout=30, what="recalculate")
    assert str(info.value).splitlines()[0] == (
        f"{book}: LibreOffice could not recalculate (no output written; soffice exit status {status}). Is it a "
        "readable spreadsheet?")
