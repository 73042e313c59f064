"""A reader that goes away before a command's report is read (``xlpy validate book.xlsm | head -1``, ``xlpy build
offer.toml | true``): the work is done whole and the exit status still says what it found, and a script calling
:func:`xlpy.cli.main` finds its standard output as it was before the call."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from types import SimpleNamespace

import openpyxl
from repo_paths import SEED

from xlpy.cli import main


def into_a_gone_reader(args, cwd) -> subprocess.CompletedProcess:
    """``xlpy ARGS | true``: the standard output a pipe whose reader has gone before a word is written."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "xlpy", *args], cwd=cwd, stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=300)
    finally:
        os.close(write)


def test_validate_ends_with_its_findings_status_when_the_reader_has_gone(tmp_path):
    """Review 83: ``xlpy validate book.xlsm | head -1`` ended 0 on a workbook with findings once the reader had gone
    (a script with ``set -o pipefail`` took it for valid); its status is the findings' (1), as without the pipe."""
    book = tmp_path / "book.xlsm"
    built = subprocess.run([sys.executable, "-m", "xlpy", "build", str(SEED), "-o", str(book), "--no-validate"],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb["Results"]["C5"] = 5  # a formula replaced by a value: a structure finding
    wb.save(book)
    for json in ([], ["--json"]):
        proc = into_a_gone_reader(["validate", str(book), "--no-libreoffice", *json], tmp_path)
        assert (proc.returncode, proc.stderr) == (1, ""), json
    proc = subprocess.run([sys.executable, "-m", "xlpy", "validate", str(book), "--no-libreoffice"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Results!C5: formula replaced by a value" in proc.stdout, proc.stdout


def closed_pipe_as_stdout(monkeypatch):
    """The standard output a pipe whose reader has gone, in this process (its own descriptor, not 1)."""
    read, write = os.pipe()
    os.close(read)
    out = open(write, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", out)
    return out


def test_build_still_validates_when_the_reader_has_gone(tmp_path, monkeypatch):
    """Review 83: ``xlpy build offer.toml | true`` wrote the workbook and stopped at its first line of report, not
    validated, status 0; it validates now, and the validation's status is the build's."""
    import xlpy.workbook.validate as validate_module

    asked = []

    def validate(path, offer, legs, require):
        asked.append(path)
        return SimpleNamespace(ok=False, findings=["f"], notes=[], workbook=path.name, legs_run=[], versions={},
                               cells_compared=0)

    monkeypatch.setattr(validate_module, "validate", validate)
    out = closed_pipe_as_stdout(monkeypatch)
    try:
        status = main(["build", str(SEED), "-o", str(tmp_path / "b.xlsm"), "--no-libreoffice"])
    finally:
        out.close()
    assert asked == [tmp_path / "b.xlsm"]
    assert status == 1


def test_main_gives_back_the_standard_output_it_let_go(monkeypatch, capsys):
    """Review 83: after a write to a gone reader (or a full disk), the standard output's descriptor pointed at the
    null device for the rest of the process, and a script's later ``main([...])`` or ``print`` said nothing;
    the descriptor is now given back as the call ends, and the next call prints."""
    out = closed_pipe_as_stdout(monkeypatch)
    fd = out.fileno()
    try:
        assert main(["compute", str(SEED)]) == 0
        assert stat.S_ISFIFO(os.fstat(fd).st_mode)  # the pipe again, not the null device
        assert not stat.S_ISCHR(os.fstat(fd).st_mode)
    finally:
        out.close()
    monkeypatch.undo()  # (the capture pytest gave this test)
    capsys.readouterr()
    assert main(["compute", str(SEED)]) == 0
    assert "Hecla Mining Company" in capsys.readouterr().out
