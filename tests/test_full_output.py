"""The standard output sent to a full disk (``> /dev/full``): what was written is said, and a report alone lost is
said in one line with status 2, whether Python writes the output at once (``PYTHONUNBUFFERED``, ``python -u``) or
keeps it until the end, as it does in a user's shell."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from repo_paths import SEED

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no full device on this system")

FULL = "no space left writing the standard output (No space left on device): free space there, or send it elsewhere"
BUFFERING = pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])


def xlpy_into_full(args, cwd, unbuffered: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "w") as full:
        return subprocess.run([sys.executable, "-m", "xlpy", *args], cwd=cwd, env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=300)


@BUFFERING
def test_vba_into_a_full_disk_says_its_module_was_written(tmp_path, unbuffered):
    """Review 82: ``xlpy vba -o m.bas > /dev/full`` said only "no space left writing the standard output" with
    status 2 ("bad input, nothing written"), the module written all the same; as build says it now."""
    proc = xlpy_into_full(["vba", "-o", "m.bas"], tmp_path, unbuffered)
    assert (tmp_path / "m.bas").is_file()
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"xlpy vba: m.bas was written, but its report could not be printed: {FULL}\n"


@BUFFERING
def test_lite_into_a_full_disk_says_its_project_was_written(tmp_path, unbuffered):
    proc = xlpy_into_full(["lite", "-o", "app"], tmp_path, unbuffered)
    assert sorted(p.name for p in (tmp_path / "app").iterdir()) == ["main.py", "requirements.txt"]
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (f"xlpy lite: the xlwings Lite project app (main.py, requirements.txt) was written, but its "
                           f"report could not be printed: {FULL}\n")


@BUFFERING
def test_the_version_into_a_full_disk_is_said_and_into_a_closed_pipe_is_not(tmp_path, unbuffered):
    """Review 82: ``xlpy --version > /dev/full`` exited 0 with no output and no word (an ``except OSError`` meant
    for a reader that went away swallowed a full disk too; kept until the end, the output failed again, status
    120). A reader gone stays silent, status 0."""
    proc = xlpy_into_full(["--version"], tmp_path, unbuffered)
    assert (proc.returncode, proc.stderr) == (2, f"xlpy: {FULL}\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    read, write = os.pipe()
    os.close(read)  # (the reader gone before a word is written: "xlpy --version | true")
    try:
        proc = subprocess.run([sys.executable, "-m", "xlpy", "--version"], stdout=write, stderr=subprocess.PIPE,
                              env=env, text=True, timeout=120)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_report_kept_until_the_end_is_said_lost_as_one_written_at_once(tmp_path):
    """Review 82: outside PYTHONUNBUFFERED (a user's shell) Python keeps a command's report until it ends, and
    a full disk then ended compute, build and refresh in a traceback and status 120 after the command had said
    nothing: the report is now flushed where the command can say what it wrote (as with PYTHONUNBUFFERED)."""
    proc = xlpy_into_full(["compute", str(SEED)], tmp_path, unbuffered=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.endswith(f"xlpy compute: {FULL}\n"), proc.stderr
    book = tmp_path / "book.xlsm"
    proc = xlpy_into_full(["build", str(SEED), "-o", str(book), "--no-validate"], tmp_path, unbuffered=False)
    assert proc.returncode == 2 and book.is_file() and "Traceback" not in proc.stderr, proc.stderr
    assert f"xlpy build: {book} was written, but its report could not be printed: {FULL}\n" in proc.stderr
    counts = tmp_path / "counts.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n300000,2000,0\n", encoding="utf-8")
    proc = xlpy_into_full(["refresh", str(book), "--tally", str(counts)], tmp_path, unbuffered=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"xlpy refresh: {book} was refreshed (the previous version is kept as " in proc.stderr, proc.stderr
    assert f"but its report could not be printed: {FULL}\n" in proc.stderr, proc.stderr


@pytest.mark.libreoffice
def test_render_into_a_full_disk_says_its_pages_were_written(tmp_path):
    """Review 82: a render's list of files lost to a full disk said "no space left writing the standard output",
    status 2, "nothing written", the PDF and its pages written all the same."""
    from repo_paths import ROOT

    proc = xlpy_into_full(["render", str(ROOT / "workbook" / "offer_results.xlsm"), "-o", "out"], tmp_path,
                          unbuffered=True)
    made = sorted((tmp_path / "out").iterdir())
    assert made and proc.returncode == 2, proc.stderr
    assert proc.stderr.endswith(f"xlpy render: {len(made)} files were written to out, but its report could not be "
                                f"printed: {FULL}\n"), proc.stderr
