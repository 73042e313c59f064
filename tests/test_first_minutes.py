"""A new user's first minutes: every command as a user types it, in a subprocess.

Each case checks the exit status, the one-line message (never a traceback)
and that nothing the user did not ask for was written or changed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import shutil
import sys
from importlib import resources
from pathlib import Path

import pytest
from repo_paths import ROOT as REPO
from repo_paths import SEED

from xlpy.workbook.layout.model import LAYOUT_VERSION

NOW = f";layout={LAYOUT_VERSION}"  # (this xlpy's, in a shape's description)


def xlpy(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "xlpy", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under *folder* and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(proc: subprocess.CompletedProcess, command: str, *phrases: str, unchanged: str | None = None) -> None:
    """Exit 2, one line on standard error naming what is wrong, no traceback, nothing on standard output; then, for
    a refresh refused with its workbook *unchanged* named, the line saying so."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    line = proc.stderr.strip()
    if unchanged is not None:
        line, closing = line.rsplit("\n", 1)
        assert closing == f"xlpy refresh: {unchanged} was not changed", proc.stderr
    assert line.startswith(f"xlpy {command}: ") and "\n" not in line, line
    for phrase in phrases:
        assert phrase in line, (phrase, line)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The seed workbook, built once by the real command."""
    folder = tmp_path_factory.mktemp("built")
    proc = xlpy("build", "--no-validate", "-o", "seed.xlsm", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return folder / "seed.xlsm"


# --- the bundled examples, however xlpy is run --------------------------------------------------------


def test_bundled_examples_are_the_files_in_workbook_offers():
    bundled = resources.files("xlpy.examples")
    for name in ("hecla-2004.toml", "hecla-2004-formula.toml", "notes-capped-example.toml"):
        assert (bundled / name).read_bytes() == (REPO / "workbook" / "offers" / name).read_bytes()


@pytest.mark.parametrize("where", ["repository root", "another folder"])
def test_build_without_an_offer_file_uses_the_seed(tmp_path, where):
    cwd = REPO if where == "repository root" else tmp_path
    proc = xlpy("build", "--no-validate", "-o", tmp_path / "seed.xlsm", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert "induced charge $9,597,836.40" in proc.stdout
    assert (tmp_path / "seed.xlsm").is_file()


# --- build: where it writes ---------------------------------------------------------------------------


def test_build_into_an_existing_folder_writes_the_workbook_inside_it(tmp_path):
    (tmp_path / "out").mkdir()
    proc = xlpy("build", "--no-validate", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(snapshot(tmp_path)) == ["out/hecla-2004-series-b.xlsm"]


def test_build_refuses_an_xlsx_name(tmp_path):
    proc = xlpy("build", "--no-validate", "-o", "out.xlsx", cwd=tmp_path)
    refused(proc, "build", "--output", "must end in .xlsm", "out.xlsx")
    assert snapshot(tmp_path) == {}


def test_build_never_replaces_a_workbook_without_force(tmp_path, built):
    target = tmp_path / "book.xlsm"
    target.write_bytes(b"a day of typed inputs")
    proc = xlpy("build", "--no-validate", "-o", "book.xlsm", cwd=tmp_path)
    refused(proc, "build", "--output", "exists", "--force", "book.xlsm")
    assert snapshot(tmp_path) == {"book.xlsm": b"a day of typed inputs"}
    proc = xlpy("build", "--no-validate", "--force", "-o", "book.xlsm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes()[:2] == b"PK"


def test_build_into_a_missing_folder(tmp_path):
    proc = xlpy("build", "--no-validate", "-o", "nowhere/book.xlsm", cwd=tmp_path)
    refused(proc, "build", "--output", "no folder nowhere")
    proc = xlpy("build", "--no-validate", "-o", "nowhere/", cwd=tmp_path)  # meant as a folder, not a file name
    refused(proc, "build", "--output", "names no folder that exists", "'nowhere/'")
    assert snapshot(tmp_path) == {}


# --- render -----------------------------------------------------------------------------------------


def test_render_refuses_an_existing_file_as_output(tmp_path, built):
    (tmp_path / "pages").write_text("not a folder")
    before = snapshot(tmp_path)
    proc = xlpy("render", built, "-o", "pages", cwd=tmp_path)
    refused(proc, "render", "--output", "is not a folder", "pages")
    assert snapshot(tmp_path) == before


def test_render_of_a_file_that_is_not_a_workbook_leaves_nothing(tmp_path):
    (tmp_path / "text.xlsm").write_text("text")
    proc = xlpy("render", "text.xlsm", "-o", "pages", cwd=tmp_path)
    refused(proc, "render", "text.xlsm: is not a workbook")
    assert proc.stderr.count("text.xlsm") == 1  # the file is named once
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text.xlsm"]


# --- refresh ----------------------------------------------------------------------------------------


def test_refresh_of_a_file_that_is_not_a_workbook_names_it_once(tmp_path):
    (tmp_path / "text.xlsm").write_text("text")
    proc = xlpy("refresh", "text.xlsm", cwd=tmp_path)
    refused(proc, "refresh", "text.xlsm: is not a workbook: it is a file of no kind xlpy knows")
    assert proc.stderr.count("text.xlsm") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text.xlsm"]


def test_refresh_with_nothing_new_writes_nothing(tmp_path):
    offers = REPO / "workbook" / "offers"
    proc = xlpy("build", "--no-validate", "-o", tmp_path / "book.xlsm", offers / "hecla-2004-formula.toml",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    before = snapshot(tmp_path)
    proc = xlpy("refresh", "book.xlsm", cwd=tmp_path)  # the recorded tally and prices, unchanged
    assert proc.returncode == 0, proc.stderr
    assert "nothing to refresh" in proc.stdout and "was not changed" in proc.stdout
    assert "refreshed at" not in proc.stdout
    assert snapshot(tmp_path) == before  # no rewrite, no backup
    # the same tally given explicitly is still nothing new
    proc = xlpy("refresh", "book.xlsm", "--tally", offers / "data" / "hecla-2004-tally.csv", cwd=tmp_path)
    assert proc.returncode == 0 and "nothing to refresh" in proc.stdout, proc.stdout + proc.stderr
    assert snapshot(tmp_path) == before


def test_refresh_of_a_counts_workbook_from_a_semicolon_file(tmp_path, built):
    book = tmp_path / "seed.xlsm"
    book.write_bytes(built.read_bytes())
    (tmp_path / "counts.csv").write_text("Tendered;Guaranteed delivery\n290000;2500\n", encoding="utf-8")
    proc = xlpy("refresh", "seed.xlsm", "--tally", "counts.csv", "--no-backup", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "refreshed at" in proc.stdout and "tally counts: counts.csv" in proc.stdout


# --- compute and release ----------------------------------------------------------------------------


def test_compute_json_is_pure_json_and_warnings_go_to_stderr(tmp_path):
    proc = xlpy("compute", SEED, "--json", cwd=tmp_path)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["induced_charge"] == "9597836.4"
    assert proc.stderr.splitlines() == [
        line for line in proc.stderr.splitlines() if line.startswith("xlpy compute: warning: ")]
    assert "preliminary count" in proc.stderr
    table = xlpy("compute", SEED, cwd=tmp_path)
    assert "warning" not in table.stdout and "preliminary count" in table.stderr


def test_semicolon_tally_is_read(tmp_path):
    text = re.sub(r"^(tendered|guaranteed_delivery|failed_delivery) = .*\n", "", SEED.read_text(encoding="utf-8"),
                  flags=re.M).replace("[tally]", '[tally]\nfile = "t.csv"')
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    (tmp_path / "t.csv").write_text("Account;Shares;Method;Status\nA;270500;DTC;tendered\nB;3500;NGD;tendered\n",
                                    encoding="utf-8")
    proc = xlpy("compute", "offer.toml", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert (got["units_tendered"], got["units_guaranteed_delivery"]) == ("274000", "3500")


def test_release_of_a_small_offer_keeps_two_significant_digits(tmp_path):
    text = re.sub(r"^guaranteed_delivery = 3500", "guaranteed_delivery = 0",
                  re.sub(r"^tendered = 274000", "tendered = 10", SEED.read_text(encoding="utf-8"), flags=re.M),
                  flags=re.M)
    assert "tendered = 10 " in text
    (tmp_path / "small.toml").write_text(text, encoding="utf-8")
    proc = xlpy("release", "small.toml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    words = " ".join(proc.stdout.split())
    # 10 x (7.94 - 3.2) x 7.39 = 350.286: "$350", never "$0"
    assert "approximately $350" in words and "$0" not in words
    assert "approximately 10 shares were tendered" in words


@pytest.mark.parametrize("style", ["auto", "dollars", "sig2"])
def test_release_approximations_in_excel_formulas_match_the_engine(style):
    """The Release sheet's native APPROX formula gives the engine's words (the formulas library as judge)."""
    from decimal import Decimal

    import formulas

    from xlpy.engine.release import approx
    from xlpy.workbook.formulas_access import register_functions
    from xlpy.workbook.layout import approx_formula

    register_functions()  # ROUND as Excel rounds
    for text in ("7", "73", "0", "350.3", "-350.3", "0.42", "999.5", "3500", "9999", "12345", "190777", "274000",
                 "2400000", "117175560"):
        compiled = formulas.Parser().ast("=" + approx_formula(f"({text})", style))[1].compile()
        got = compiled()
        got = str(got.item() if hasattr(got, "item") else got)
        assert got == approx(Decimal(text), style), (style, text, got)


def test_a_workbook_of_layout_6_is_refused_for_the_formulas_changed_within_it(tmp_path, built):
    """Layout 6's formulas changed within it (the Release wording, the notes' extinguishment measure, the rows of
    Results), and a refresh of one holding earlier formulas stored figures they do not compute: a workbook of
    layout 6 (fixed ratio or formula) is refused by refresh, nothing written, and named by validate, both saying
    to rebuild it."""
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    from xlpy.workbook.layout import LAYOUT_NAME, Shape

    wb = load_workbook(built, keep_vba=True)
    text = wb.defined_names[LAYOUT_NAME].attr_text
    wb.defined_names[LAYOUT_NAME] = DefinedName(LAYOUT_NAME, attr_text=text.replace(NOW, ";layout=6"),
                                                hidden=True)
    wb.save(tmp_path / "six.xlsm")
    (tmp_path / "c.csv").write_text("tendered,guaranteed delivery\n290000,2500\n", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = xlpy("refresh", "six.xlsm", "--tally", "c.csv", cwd=tmp_path)
    refused(proc, "refresh", f"built by an earlier xlpy (layout 6; this xlpy reads layout {LAYOUT_VERSION})",
            "rebuild it",
            unchanged="six.xlsm")
    assert snapshot(tmp_path) == before
    proc = xlpy("validate", "six.xlsm", "--no-libreoffice", cwd=tmp_path)
    assert proc.returncode == 1 and f"layout 6; this xlpy reads layout {LAYOUT_VERSION}" in proc.stdout + proc.stderr
    # building over it is refused, saying to build under another name (--force would keep it only as a backup)
    proc = xlpy("build", str(SEED), "-o", "six.xlsm", cwd=tmp_path)
    refused(proc, "build", f"exists, built by an earlier xlpy (layout 6; this xlpy writes layout {LAYOUT_VERSION})",
            "under another name", "xlpy build", "-o six-rebuilt.xlsm")
    assert snapshot(tmp_path) == before
    formula = Shape(ratio="formula", price_rows=60, holiday_rows=2).encode().replace(NOW, ";layout=6")
    with pytest.raises(ValueError, match=rf"layout 6; this xlpy reads layout {LAYOUT_VERSION}"):
        Shape.decode(formula)


def test_a_workbook_of_layout_10_is_refused_with_the_rebuild_advice(tmp_path, built):
    """Layout 11 changed every workbook's Release sheet: a layout-10 workbook of typed counts, which layout 10
    read as layout 9's, is refused by refresh (nothing written) and named by validate, both saying to rebuild."""
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    from xlpy.workbook.layout import LAYOUT_NAME

    wb = load_workbook(built, keep_vba=True)
    text = wb.defined_names[LAYOUT_NAME].attr_text
    assert "tally=aggregate;" in text
    wb.defined_names[LAYOUT_NAME] = DefinedName(LAYOUT_NAME, attr_text=text.replace(NOW, ";layout=10"),
                                                hidden=True)
    wb.save(tmp_path / "ten.xlsm")
    (tmp_path / "c.csv").write_text("tendered,guaranteed delivery\n290000,2500\n", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = xlpy("refresh", "ten.xlsm", "--tally", "c.csv", cwd=tmp_path)
    refused(proc, "refresh", f"built by an earlier xlpy (layout 10; this xlpy reads layout {LAYOUT_VERSION})",
            "rebuild it",
            unchanged="ten.xlsm")
    assert snapshot(tmp_path) == before
    proc = xlpy("validate", "ten.xlsm", "--no-libreoffice", cwd=tmp_path)
    assert proc.returncode == 1 and f"layout 10; this xlpy reads layout {LAYOUT_VERSION}" in proc.stdout + proc.stderr


def test_an_earlier_layout_kept_by_a_change_is_read_by_its_shape(monkeypatch):
    """``SAME_SINCE`` reads an earlier layout's workbook as this layout's only for the shapes it names (layout 10
    kept layout 9's typed counts): a holder workbook of that layout is still refused."""
    from xlpy.workbook.layout import Shape, model

    monkeypatch.setattr(model, "SAME_SINCE", {"9": {"tally": ("aggregate",)}})
    counts = Shape().encode().replace(NOW, ";layout=9")
    assert Shape.decode(counts) == Shape()
    holders = Shape(tally="holders", holder_rows=3).encode().replace(NOW, ";layout=9")
    with pytest.raises(ValueError, match=rf"layout 9; this xlpy reads layout {LAYOUT_VERSION}"):
        Shape.decode(holders)
    assert model.same_since(str(model.LAYOUT_VERSION), {}) and not model.same_since("8", {"tally": "aggregate"})


def test_a_workbook_of_an_earlier_layout_is_named_not_misread(tmp_path, built):
    """A workbook built by an earlier xlpy (layout 1) is refused in one line by refresh and named by validate."""
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    from xlpy.workbook.layout import LAYOUT_NAME

    wb = load_workbook(built, keep_vba=True)
    text = wb.defined_names[LAYOUT_NAME].attr_text
    assert NOW in text
    wb.defined_names[LAYOUT_NAME] = DefinedName(LAYOUT_NAME, attr_text=text.split(";history=")[0] + '"', hidden=True)
    wb.save(tmp_path / "old.xlsm")
    (tmp_path / "c.csv").write_text("tendered,guaranteed delivery\n290000,2500\n", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = xlpy("refresh", "old.xlsm", "--tally", "c.csv", cwd=tmp_path)
    refused(proc, "refresh", f"built by an earlier xlpy (layout 1; this xlpy reads layout {LAYOUT_VERSION})",
            "rebuild it",
            unchanged="old.xlsm")
    assert snapshot(tmp_path) == before
    proc = xlpy("validate", "old.xlsm", "--no-libreoffice", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "built by an earlier xlpy (layout 1" in proc.stdout


def test_output_that_cannot_encode_a_name_escapes_it_after_the_work_is_done(tmp_path):
    """A Windows redirect writes cp1252, a legacy locale Latin-1: a workbook named Bücher, or an issuer in Turkish,
    ended build and compute in a traceback (status 1) after the workbook was written, its report lost."""
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "tr.toml").write_text(text.replace('issuer = "Hecla Mining Company"', 'issuer = "Türk Çelik A.Ş."'),
                                      encoding="utf-8")
    for folder in ("data",):  # (the seed's tally and price files, beside it)
        shutil.copytree(SEED.parent / folder, tmp_path / folder)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    run = [sys.executable, "-m", "xlpy"]
    proc = subprocess.run([*run, "build", "tr.toml", "-o", "Bücher.xlsm", "--no-validate"], cwd=tmp_path, env=env,
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"built B\\xfccher.xlsm: T\\xfcrk \\xc7elik A.\\u015e., 274,000 units accepted")
    assert b"Traceback" not in proc.stderr and (tmp_path / "Bücher.xlsm").exists()
    proc = subprocess.run([*run, "compute", "tr.toml"], cwd=tmp_path, env=env, capture_output=True)
    assert proc.returncode == 0 and b"T\\xfcrk" in proc.stdout, proc.stderr
    # the C locale without UTF-8 mode: an output that writes a name's undecoded bytes back (surrogateescape), and
    # ended in a traceback all the same at the first other character it could not encode (review 110)
    c_locale = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    c_locale.pop("PYTHONIOENCODING", None)
    proc = subprocess.run([*run, "compute", "tr.toml"], cwd=tmp_path, env=c_locale, capture_output=True)
    assert proc.returncode == 0 and b"T\\xfcrk \\xc7elik A.\\u015e." in proc.stdout, proc.stderr
    assert b"Traceback" not in proc.stderr
