"""The command line in its surroundings, found by QA: the CI variable, an option before the command, LibreOffice
where it is or is not, standard output closed, a pipe left or a disk full, a file in use on Windows, and files
given in each other's places (the refusals of the commands' own inputs: ``test_cli_refusals.py``)."""

from __future__ import annotations

import os

import pytest
from repo_paths import ROOT, SEED

from xlpy.cli import main
from xlpy.files import safety

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


def test_an_unknown_option_before_the_command_is_named_against_xlpy_not_the_command(capsys):
    assert main(["--vers", "compute", "x.toml"]) == 2
    assert capsys.readouterr().err == \
        "xlpy: unrecognized arguments: --vers: did you mean --version? (see xlpy --help)\n"
    assert main(["compute", "x.toml", "--vers"]) == 2
    assert capsys.readouterr().err == "xlpy compute: unrecognized arguments: --vers (see xlpy compute --help)\n"



def test_workbooks_given_on_both_sides_of_an_option_are_all_validated(standard_books, tmp_path, capsys):
    """Review 148: ``xlpy validate a.xlsm --no-libreoffice b.xlsm`` was refused as "unrecognized arguments:
    b.xlsm", as though the second workbook were an option; each workbook is validated, in the order given."""
    import shutil

    first, second = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    for book in (first, second):
        shutil.copy(standard_books["plain"], book)
    assert main(["validate", str(first), "--no-libreoffice", str(second), "--no-formulas"]) == 0
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == [first.name, second.name]
    assert main(["validate", str(first), "--no-libreoffice", str(second), "--vers"]) == 2  # (an option: named)
    assert "unrecognized arguments:" in capsys.readouterr().err
    assert main(["compute", "a.toml", "--json", "b.toml"]) == 2  # (a command of one file: the second refused)
    assert capsys.readouterr().err == "xlpy compute: unrecognized arguments: b.toml (see xlpy compute --help)\n"


@pytest.mark.parametrize(("value", "is_ci"), [
    ("true", True), ("1", True), ("yes", True), ("GitHub Actions", True),
    ("", False), ("  ", False), ("0", False), ("false", False), ("False", False), ("no", False), ("OFF", False),
])
def test_ci_false_is_not_a_ci_run(monkeypatch, value, is_ci):
    """``CI=false`` (as a runner or a person unsets it) is no CI run: a missing LibreOffice is then no finding
    by default, and the test gates skip rather than fail."""
    from xlpy.cli import build_parser
    from xlpy.workbook.libreoffice import ci_set

    monkeypatch.setenv("CI", value)
    assert ci_set() is is_ci
    args = build_parser().parse_args(["validate", "book.xlsm"])
    assert args.require_libreoffice is is_ci
    monkeypatch.delenv("CI")
    assert ci_set() is False


def test_soffice_is_given_the_temporary_folder_python_can_write(tmp_path, monkeypatch):
    """QA: a TMPDIR on a read-only mount, which Python passes over, was handed on to soffice, which waited its
    two-minute timeout and the workbook was blamed; the tool now gets the folder Python found usable."""
    import tempfile

    from xlpy.workbook import libreoffice

    monkeypatch.setattr(tempfile, "tempdir", None)  # (Python's choice is made once, then kept: made again here)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "not there"))
    monkeypatch.delenv("TEMP", raising=False)
    monkeypatch.setenv("TMP", str(tmp_path / "not there"))
    usable = tempfile.gettempdir()
    assert usable != str(tmp_path / "not there")
    env = libreoffice._with_usable_temp()
    assert env["TMPDIR"] == env["TEMP"] == env["TMP"] == usable
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert libreoffice._with_usable_temp()["TMPDIR"] == str(tmp_path)  # a usable one is kept
    for name in ("TMPDIR", "TEMP", "TMP"):  # none set (a container's read-only root): still the one Python took
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert libreoffice._with_usable_temp()["TMPDIR"] == tempfile.gettempdir()


def test_a_command_started_with_standard_output_closed_gives_its_status_without_a_traceback(seed):
    """QA: ``xlpy validate book.xlsm >&-`` (a cron line) ended in a traceback and status 1, "findings", for a valid
    workbook: with no standard output there is nothing to flush."""
    import subprocess
    import sys

    for args, status in ((["compute", str(SEED), "--json"], 0), (["validate", seed.name, "--no-libreoffice"], 0),
                         (["vba"], 0),
                         (["validate", "missing.xlsm", "--no-libreoffice"], 1)):
        proc = subprocess.run(["sh", "-c", '"$0" -m xlpy "$@" >&-', sys.executable, *args], cwd=seed.parent,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == status and "Traceback" not in proc.stderr, (args, proc.stderr)


def test_a_build_whose_validation_runs_out_of_room_says_the_workbook_was_written(tmp_path, capsys, monkeypatch):
    """QA: a temporary folder that filled during the build's own validation gave "no space left" and status 2,
    which says nothing was written, yet the workbook was; a retry without --force then found it there."""
    import errno

    from xlpy.workbook import validate as validating

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "xlpy-validate-1" / "out"))

    monkeypatch.setattr(validating, "validate", full)
    out = tmp_path / "book.xlsm"
    assert main(["build", str(SEED), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"xlpy build: {out} was written but not validated: No space left on device (" in err, err
    assert f"and xlpy validate {out} checks it" in err and out.is_file()


def test_version_into_a_pipe_whose_reader_left_is_status_0(tmp_path):
    """Review: ``xlpy --version | true`` could end in a BrokenPipeError traceback and status 1 once --version
    read the layout itself; argparse's own action had been silent."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "xlpy", "--version"], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(write)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no full device on this system")
def test_a_report_into_a_full_device_blames_the_standard_output(tmp_path):
    """Left alone, then taken: ``xlpy compute ... > report.json`` on a full disk said no space was left "in the
    temporary folder /tmp or the folder written to", sending the user to free the wrong disk."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "xlpy", "compute", str(SEED), "--json"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("xlpy compute: no space left writing the standard output (No space left on "
                                   "device): free space there, or send it elsewhere"), proc.stderr


def test_no_room_names_a_full_standard_output_file_else_every_place_it_may_be(tmp_path, monkeypatch):
    """A report redirected to a file on a disk with under a mebibyte left is named as the standard output; with
    room there, the temporary folder, the folder written to and the standard output are all named."""
    import errno
    import sys
    import tempfile
    from types import SimpleNamespace

    from xlpy.cli import no_room

    exc = OSError(errno.ENOSPC, "No space left on device")
    report = (tmp_path / "report.json").open("w")
    monkeypatch.setattr(sys, "stdout", report)
    try:
        for free_blocks, said in ((0, "no space left writing the standard output (No space left on device): "
                                      "free space there, or send it elsewhere"),
                                  (1 << 20, f"no space left in the temporary folder {tempfile.gettempdir()}, the "
                                            "folder written to or the standard output (No space left on device): "
                                            "free space there, or set TMPDIR to a folder with room")):
            monkeypatch.setattr(os, "fstatvfs", lambda fd, n=free_blocks: SimpleNamespace(f_bavail=n, f_frsize=4096))
            assert no_room(exc) == said
    finally:
        report.close()
    named = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.xlsm"))
    assert no_room(named) == (f"no space left in {tmp_path / 'out.xlsm'} (No space left on device): free space "
                              "there, or set TMPDIR to a folder with room")  # (pytest's folder is a temporary one)


@pytest.mark.libreoffice
def test_the_libreoffice_leg_runs_in_the_validating_call_s_context(tmp_path, monkeypatch):
    """Left alone, then taken: the LibreOffice leg runs in a worker thread, which started with the defaults: the
    --max-* limits a call was given, and the engine's decimal context, did not reach it."""
    import contextvars
    import decimal
    import shutil as sh

    from xlpy.workbook import libreoffice
    from xlpy.workbook.validate import validate

    seen = {}
    real = libreoffice.recalculate

    def recording(*args, **kwargs):
        seen["limits"], seen["prec"] = safety.limits(), decimal.getcontext().prec
        return real(*args, **kwargs)

    monkeypatch.setattr(libreoffice, "recalculate", recording)
    book = tmp_path / "book.xlsm"
    sh.copy(ROOT / "workbook" / "offer_results.xlsm", book)

    def a_call_given_limits():
        safety.configure(parts=4321)
        return validate(book, legs=("libreoffice",))

    report = contextvars.copy_context().run(a_call_given_limits)
    assert report.ok and report.legs_run == ["libreoffice"], [str(f) for f in report.findings]
    assert seen["limits"].parts == 4321 and seen["prec"] == 34


@pytest.mark.parametrize("setting", ["XLPY_SOFFICE", "PATH"])
def test_a_missing_libreoffice_is_said_with_why(tmp_path, capsys, monkeypatch, setting):
    """QA: with XLPY_SOFFICE naming no program, validate noted "soffice not found (install ...)", CI found it "not
    installed" and render said "LibreOffice is not installed", none naming the variable to mend."""
    import shutil as sh

    book = tmp_path / "b.xlsm"
    sh.copy(ROOT / "workbook" / "offer_results.xlsm", book)
    if setting == "XLPY_SOFFICE":
        monkeypatch.setenv("XLPY_SOFFICE", str(tmp_path / "opt" / "soffice"))
        why = f"XLPY_SOFFICE is '{tmp_path / 'opt' / 'soffice'}', which names no program (unset it, or name soffice)"
    else:
        monkeypatch.delenv("XLPY_SOFFICE", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))  # (no soffice, no libreoffice there)
        why = ("soffice not found (install LibreOffice; Debian: libreoffice-calc-nogui; one installed elsewhere "
               "than on PATH or in its installer's folder: set XLPY_SOFFICE to its soffice)")
    monkeypatch.setenv("CI", "false")
    assert main(["validate", str(book), "--no-formulas"]) == 0
    assert f"b.xlsm: note: LibreOffice leg skipped: {why}" in capsys.readouterr().out.splitlines()
    assert main(["validate", str(book), "--no-formulas", "--require-libreoffice"]) == 1
    assert f"b.xlsm: LibreOffice: required, and {why} [libreoffice]" in capsys.readouterr().out.splitlines()
    assert main(["render", str(book), "-o", str(tmp_path / "pages")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy render: LibreOffice is needed to render, and {why}"]
    assert not (tmp_path / "pages").exists()


def test_libreoffice_where_its_installer_put_it_is_found_without_path(tmp_path, monkeypatch):
    """Review 74: on Windows (and macOS) LibreOffice's installer does not put soffice on PATH, so a finance analyst
    with LibreOffice installed was told to install it (validate's leg skipped, render refused)."""
    from xlpy.workbook import libreoffice as lo

    monkeypatch.delenv("XLPY_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # (no soffice, no libreoffice there)
    program = tmp_path / "LibreOffice" / "program"
    program.mkdir(parents=True)
    places = [str(tmp_path / "none" / "soffice.exe"), str(program / "soffice.exe")]
    monkeypatch.setattr(lo, "installed_places", lambda platform, environ: places)
    assert lo.find_soffice() is None
    (program / "soffice.exe").write_text("#!/bin/sh\n", encoding="utf-8")
    assert lo.find_soffice() is None  # (a file that is no program is not taken)
    (program / "soffice.exe").chmod(0o755)
    assert lo.find_soffice() == places[1]
    monkeypatch.setenv("XLPY_SOFFICE", str(tmp_path / "other"))  # the variable still decides when set
    assert lo.find_soffice() is None


def test_a_report_lost_to_a_full_disk_after_a_refresh_or_build_says_the_file_was_written(tmp_path, monkeypatch):
    """Review: ``xlpy refresh book.xlsm > log`` on a full disk refreshed the workbook (a backup kept), then said only
    "no space left writing the standard output" with status 2, "nothing written"; a build too."""
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no full device on this system")
    book = tmp_path / "book.xlsm"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "xlpy", "build", str(SEED), "-o", str(book), "--no-libreoffice"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 2 and book.is_file(), proc.stderr
    assert f"xlpy build: {book} was written, but its report could not be printed: no space left writing the " \
        "standard output" in proc.stderr, proc.stderr
    counts = tmp_path / "counts.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n300000,2000,0\n", encoding="utf-8")
    before = book.read_bytes()
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "xlpy", "refresh", str(book), "--tally", str(counts)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    backup = next(tmp_path.glob("book.*.bak.xlsm"))
    assert proc.returncode == 2 and book.read_bytes() != before and backup.read_bytes() == before, proc.stderr
    assert (f"xlpy refresh: {book} was refreshed (the previous version is kept as {backup.name}), but its report "
            "could not be printed: no space left writing the standard output") in proc.stderr, proc.stderr
    assert "xlpy refresh: warning: book.xlsm: preliminary count: 2,000 units" in proc.stderr  # (still said)


def test_in_use_on_windows_is_any_permission_refused_opening_a_file(monkeypatch):
    """Review: Python's open() on Windows reports a file Excel holds as errno 13 with no Windows code, so the
    sharing-violation code alone never told it; elsewhere a permission refused stays bad input."""
    from xlpy.files import safety as s

    refused = PermissionError(13, "Permission denied")
    sharing = OSError(13, "The process cannot access the file because it is being used by another process")
    sharing.winerror = 32
    assert not s.in_use(refused) and s.in_use(sharing)
    monkeypatch.setattr(s.os, "name", "nt")
    assert s.in_use(refused) and not s.in_use(FileNotFoundError(2, "No such file"))
    # review 75: a sharing violation is another program's; access denied may be that or a read-only folder
    assert s.held_hint(sharing) == "; is it open in another program, such as Excel?"
    assert s.held_hint(refused) == "; is it open in another program, such as Excel, or its folder read-only?"
    assert s.held_hint(FileNotFoundError(2, "No such file")) == ""


@pytest.mark.parametrize("option, what", [("--tally", "a tally: give the exchange agent's tally file"),
                                          ("--prices", "a price history: give the price file (CSV)")])
def test_an_offer_or_mapping_file_given_as_the_tally_or_prices_is_named_as_toml(seed, capsys, monkeypatch, option,
                                                                              what):
    """Review 58: `refresh BOOK --tally offer.toml` printed eight lines (`row 2: has 2 cells and the header 1, got
    '# Preferred Stock...'`), --prices `header: has no date column`."""
    monkeypatch.chdir(seed.parent)
    (seed.parent / "Offer.TOML").write_text('schema = 1\n[offer]\nid = "x"\n', encoding="utf-8")
    before = {p.name: p.read_bytes() for p in seed.parent.iterdir()}
    assert main(["refresh", str(seed), option, "Offer.TOML"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {option}: is a TOML file (an offer file or a mapping file), not {what}; a mapping file goes "
        "after --mapping, an offer file to xlpy build, got 'Offer.TOML'", f"xlpy refresh: {seed} was not changed"]
    assert {p.name: p.read_bytes() for p in seed.parent.iterdir()} == before


def test_a_workbook_given_as_validates_offer_file_says_where_each_goes(seed, capsys, monkeypatch):
    """Review 58: `validate book.xlsm --offer book.xlsm` was told "xlpy validate and xlpy refresh take workbooks",
    to a person running validate."""
    monkeypatch.chdir(seed.parent)
    assert main(["validate", seed.name, "--offer", seed.name, "--no-libreoffice"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy validate: --offer: is a workbook, not an offer file (TOML): the workbooks to validate go before --offer, "
        f"the offer file after it, got '{seed.name}'"]


@pytest.mark.parametrize("name", ["~$x.xlsm", ".~lock.x.xlsm"])
def test_a_workbook_named_as_an_owner_file_is_refused(tmp_path, capsys, monkeypatch, name):
    """Review 63: build -o '~$x.xlsm' wrote a workbook named as Excel's owner file of x.xlsm, which xlpy (and Excel)
    then take for x.xlsm being open."""
    monkeypatch.chdir(tmp_path)
    assert main(["build", "-o", name, "--no-validate"]) == 2
    assert capsys.readouterr().err == (
        "xlpy build: --output: its name begins as Excel's and LibreOffice's owner files do (~$NAME, .~lock.NAME#), "
        "which they keep beside a workbook that is open: the workbook beside it would seem open; use another name, "
        f"got {name!r}\n")
    assert list(tmp_path.iterdir()) == []


def _fails_with(monkeypatch, error: BaseException) -> None:
    """Every command's run meets *error*, as a defect of xlpy's would be met (raised where no check words it)."""
    from xlpy import cli

    def meets(*_):
        raise error

    monkeypatch.setattr(cli, "configure_from", meets)


def test_an_error_xlpy_did_not_expect_exits_70_with_its_traceback_and_says_so(monkeypatch, capsys):
    """Review 119's LOW: a defect's traceback ended the program with status 1, which every help calls findings."""
    _fails_with(monkeypatch, RuntimeError("boom"))
    assert main(["compute", str(SEED)]) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "RuntimeError: boom\n" in err, err
    assert err.endswith("xlpy compute: stopped by an error xlpy did not expect (RuntimeError: boom); this is a defect "
                        "of xlpy: please report it with the lines above\n"), err


def test_an_unexpected_error_under_json_is_said_as_json_with_status_70(monkeypatch, capsys):
    import json

    _fails_with(monkeypatch, KeyError("sheet"))
    assert main(["compute", str(SEED), "--json"]) == 70
    said = json.loads(capsys.readouterr().out)
    assert said["ok"] is False and said["status"] == 70
    assert said["errors"][0]["message"].startswith("stopped by an error xlpy did not expect (KeyError: 'sheet')")


@pytest.mark.parametrize(("error", "line"), [
    (MemoryError(), "ran out of memory (MemoryError); run it on a machine with more memory, or on a smaller file"),
    (OSError(5, "Input/output error"), "stopped by an error of the system xlpy did not expect ([Errno 5] Input/output "
     "error); if the disk and the files are sound, please report it with the lines above"),
])
def test_memory_run_out_and_a_system_error_no_check_words_exit_70_in_their_own_words(monkeypatch, capsys, error, line):
    """An EIO was raised on, a traceback and status 1; memory run out was said as a defect would be."""
    _fails_with(monkeypatch, error)
    assert main(["build", str(SEED), "-o", "never.xlsm"]) == 70
    assert capsys.readouterr().err.endswith(f"xlpy build: {line}\n")


def test_an_interrupted_build_force_into_a_folder_names_the_workbook_it_did_not_replace(tmp_path, capsys, monkeypatch):
    """Review 176: with -o FOLDER (or no -o), the workbook named by the offer's id, a build --force cut short said
    "nothing was written", where -o FILE named the file it did not replace."""
    import xlpy.workbook.build as build

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    assert main(["build", str(SEED), "-o", str(tmp_path), "--quiet", "--no-validate"]) == 0
    named = tmp_path / "hecla-2004-series-b.xlsm"
    before = named.read_bytes()
    monkeypatch.setattr(build, "_build_into", interrupted)
    assert main(["build", str(SEED), "-o", str(tmp_path), "--quiet", "--force", "--no-backup"]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == f"xlpy build: interrupted; {named} was not replaced"
    assert named.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [named.name]
