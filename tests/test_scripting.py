"""xlpy called from a script, and a reader that goes away before a command's report is read.

``xlpy validate book.xlsm | head -1`` and ``xlpy build offer.toml | true``: the work is done whole and the exit
status still says what it found.  A script calling :func:`xlpy.cli.main` gets a status back for a usage error too,
and finds its standard streams and its process as they were before the call; xlpy's errors cross a process pool
whole (review 85: a nightly job of 20 deals, scripted in Python)."""

from __future__ import annotations

import io
import os
import pickle
import stat
import subprocess
import sys
import threading
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor

import openpyxl
import pytest
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
    from xlpy.workbook.findings import Finding, Report

    asked = []

    def validate(path, offer, legs, require, timeout=None):
        asked.append(path)
        return Report(path.name, findings=[Finding(path.name, "Results!C28", "a finding")], legs_run=[], notes=[])

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


def test_a_usage_error_or_help_is_a_status_a_script_gets_back(capsys):
    """Review 85: ``main([...])`` raised SystemExit for a usage error, ``--help`` and ``--version`` (a mistyped
    option ended a 20-deal job), while ``--max-parts -3`` returned 2: each is now returned, its message said."""
    assert main(["compute", str(SEED), "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("xlpy ")


def test_output_that_cannot_encode_the_issuer_is_escaped_during_the_call_only(tmp_path, monkeypatch):
    """Review 85: ``main()`` did not escape what the output cannot encode (the ``xlpy`` command did), and a
    script under a cp1252 output (a Windows scheduled task's redirect) met a UnicodeEncodeError after the
    workbook was written; and the script's stream is strict again after the call."""
    offer = tmp_path / "celik.toml"
    offer.write_text(SEED.read_text(encoding="utf-8").replace("Hecla Mining Company", "Çelik A.Ş."), encoding="utf-8")
    for name in (d for d in ("data",) if (SEED.parent / d).is_dir()):
        (tmp_path / name).symlink_to(SEED.parent / name)
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="cp1252", errors="strict")
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["compute", str(offer)]) == 0
    out.flush()
    assert "Çelik A.\\u015e.: Series B" in raw.getvalue().decode("cp1252")  # (Ç is cp1252, Ş is not)
    assert out.errors == "strict"
    # an ASCII output writing undecoded bytes back (the C locale's surrogateescape): a name's bytes as they came,
    # any other character escaped, and the stream's own handler again after the call (review 110)
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["compute", str(offer)]) == 0
    out.flush()
    assert b"\\xc7elik A.\\u015e.: Series B" in raw.getvalue() and out.errors == "surrogateescape"


class _Logger:
    """A script's stream that writes and has no flush (a logging adapter's)."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)


def test_a_standard_output_without_flush_is_written_to(monkeypatch):
    """Review 85: a stream with only ``write`` ended ``main()`` in an AttributeError after the work was done."""
    logger = _Logger()
    monkeypatch.setattr(sys, "stdout", logger)
    assert main(["compute", str(SEED)]) == 0
    assert "Hecla Mining Company" in "".join(logger.lines)


def _charge(path: str):
    from xlpy.files.offerfile import compute_file

    return compute_file(path)[1].charge


def test_a_refusal_in_a_worker_process_reaches_the_script_whole(tmp_path):
    """Review 85: xlpy's errors did not unpickle (rebuilt from their message alone, short of their constructor's
    arguments): one bad deal broke a ProcessPoolExecutor for every deal, and hung a multiprocessing.Pool."""
    from xlpy.engine.errors import BeforeRecords, Busy, Counted, InputError, InputErrors

    for error in (InputError("offer.outstanding", Counted(-5), "must not be negative"),
                  InputError("t.csv", None, "is empty", show_value=False), Busy("book.xlsm", None, "is open"),
                  BeforeRecords("calendar", "XNYS", "has no sessions", start="1990-01-02")):
        again = pickle.loads(pickle.dumps(error))
        assert (type(again), str(again), again.__dict__) == (type(error), str(error), error.__dict__)
    lock = threading.Lock()  # (review 86: a value that cannot be pickled lost the whole refusal; its text crosses)
    again = pickle.loads(pickle.dumps(InputError("price", lock, "must be a number")))
    assert (again.field, again.reason, again.value) == ("price", "must be a number", repr(lock))
    both = pickle.loads(pickle.dumps(InputErrors([InputError("a", 1, "bad"), Busy("b", None, "busy")])))
    assert [(type(p), str(p)) for p in both.problems] == [(InputError, "a: bad, got 1"), (Busy, "b: busy, got nothing")]
    bad = tmp_path / "bad.toml"
    bad.write_text(SEED.read_text(encoding="utf-8").replace("outstanding = ", "outstanding = -", 1), encoding="utf-8")
    with ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(_charge, str(p)) for p in (bad, SEED, SEED)]
        error = futures[0].exception(timeout=120)
        charges = [f.result(timeout=120) for f in futures[1:]]
    assert isinstance(error, InputErrors) and "outstanding" in error.problems[0].field, error
    assert charges == [charges[0]] * 2 and str(charges[0]).startswith("9597836.4")


def test_two_recalculations_in_threads_hold_the_recursion_limit_until_both_end(monkeypatch):
    """Review 85: each validation set the recursion limit and put back its own old one: the first to end lowered it
    under the other still recalculating, or left it raised for good."""
    from xlpy.workbook.collector import recursion_allowed

    before = sys.getrecursionlimit()
    inside, release = threading.Event(), threading.Event()

    def long_step():
        with recursion_allowed(20_000):
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=long_step)
    worker.start()
    assert inside.wait(10)
    with recursion_allowed(20_000):
        pass
    assert sys.getrecursionlimit() >= 20_000  # (the other step still runs)
    release.set()
    worker.join(10)
    assert sys.getrecursionlimit() == before


def test_the_engine_without_its_calendar_names_the_argument_a_script_left_out():
    """Review 85: ``compute(offer)`` of a ratio by formula, with no ``sessions``, blamed the offer file's calendar
    (``offer.consideration.formula.calendar: needs a trading calendar, got 'XNYS'``)."""
    from xlpy.engine import compute
    from xlpy.engine.errors import InputErrors
    from xlpy.files.calendars import sessions
    from xlpy.files.offerfile import load

    offer = load(SEED.parent / "hecla-2004-formula.toml")
    with pytest.raises(InputErrors) as refused:
        compute(offer)
    assert str(refused.value) == ("sessions: is required for a ratio by formula (its calendar, XNYS, gives the "
                                  "window's days): pass sessions=xlpy.files.calendars.sessions, as compute_file does")
    assert compute(offer, sessions=sessions).charge > 0


def test_calls_in_threads_escape_the_output_until_the_last_ends(tmp_path, monkeypatch):
    """Review 86: the first call of main() to end made the streams strict again while another thread's call was
    still writing its report, which ended in a UnicodeEncodeError; the last call under way puts them back."""
    import xlpy.files.offerfile as offerfile

    offer = tmp_path / "celik.toml"
    offer.write_text(SEED.read_text(encoding="utf-8").replace("Hecla Mining Company", "Çelik A.Ş."), encoding="utf-8")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    started, go_on = threading.Event(), threading.Event()
    real, statuses = offerfile.compute_file, {}

    def held(path):
        if Path(path) == SEED:  # the call started first: held until the second has started
            started.set()
            go_on.wait(30)
        else:  # the second: lets the first go and waits for it to end before its report is written
            go_on.set()
            first.join(30)
        return real(path)

    monkeypatch.setattr(offerfile, "compute_file", held)
    first = threading.Thread(target=lambda: statuses.update(first=main(["compute", str(SEED)])))
    first.start()
    assert started.wait(30)
    statuses["second"] = main(["compute", str(offer)])
    assert statuses == {"first": 0, "second": 0}
    assert "\\xc7elik A.\\u015e." in raw.getvalue().decode("ascii")
    assert out.errors == "strict"


def test_a_system_exit_with_a_message_is_said_and_ends_1(monkeypatch, capsys):
    """Review 86: a SystemExit carrying a message (a library's or a script's hook) returned 2 and the message went
    unsaid; it is said on standard error, status 1, as Python ends a program on one."""
    import xlpy.cli as cli

    def hook(args):
        raise SystemExit("the agent file moved")

    monkeypatch.setattr(cli, "_run", hook)
    assert main(["compute", str(SEED)]) == 1
    assert capsys.readouterr().err == "the agent file moved\n"


def _json_and_lines(capsys, args: list, status: int) -> tuple[dict, list[str]]:
    """``main(ARGS)``'s JSON on standard output and its lines on standard error, the status checked."""
    import json

    assert main(args) == status, args
    out, err = capsys.readouterr()
    return json.loads(out), err.splitlines()


def test_a_command_given_json_prints_why_it_refused_as_json(seed, capsys, monkeypatch):
    """Review: a command given ``--json`` that refused its input (status 2) or found a file in use (3) printed its
    reason on standard error only, and a script parsing the standard output met an empty string (a JSONDecodeError,
    not the reason); it prints one object now, each problem's field, value, reason and whole line in it, the lines
    on standard error as they were."""
    monkeypatch.chdir(seed.parent)
    missing = {"field": "nothere.toml", "value": None, "reason": "offer file not found",
               "message": "nothere.toml: offer file not found", "busy": False}
    cases = [(["refresh", "book.xlsm", "--tally", "nothere.csv"], 2, [{
                  "field": "nothere.csv", "value": None, "reason": "tally file not found",
                  "message": "nothere.csv: tally file not found", "busy": False}]),
             (["compute", "nothere.toml"], 2, [missing]), (["entries", "nothere.toml"], 2, [missing]),
             (["build", "nothere.toml"], 2, [missing]),
             (["compute", str(SEED), "--max-parts", "-3"], 2, [{
                  "field": "--max-parts", "value": "-3", "reason": "must be > 0",
                  "message": "--max-parts: must be > 0, got -3", "busy": False}]),
             (["validate", "book.xlsm", "--offer", "book.xlsm"], 2, [{
                  "field": "--offer", "value": "'book.xlsm'", "reason": "is a workbook, not an offer file (TOML): the "
                  "workbooks to validate go before --offer, the offer file after it", "message": "--offer: is a "
                  "workbook, not an offer file (TOML): the workbooks to validate go before --offer, the offer file "
                  "after it, got 'book.xlsm'", "busy": False}])]
    for args, status, errors in cases:
        assert main(args) == status
        out, err = capsys.readouterr()
        assert out == "" and err, args  # (without --json: the lines only, as before)
        said, lines = _json_and_lines(capsys, [*args, "--json"], status)
        refresh = args[0] == "refresh"  # (a refresh's says too that the workbook was not changed)
        assert said == {"ok": False, "status": status, "errors": errors} | ({"changed": False} if refresh else {}), args
        assert lines == err.splitlines() == [f"xlpy {args[0]}: {e['message']}" for e in errors] + (
            ["xlpy refresh: book.xlsm was not changed"] if refresh else [])


def test_a_file_in_use_under_json_is_said_busy(seed, capsys, monkeypatch):
    """Review: a workbook open in Excel (its owner file beside it) is status 3, and ``--json`` says the file busy."""
    monkeypatch.chdir(seed.parent)
    (seed.parent / "~$book.xlsm").write_bytes(b"\x04Jane" + b" " * 50)
    said, lines = _json_and_lines(capsys, ["refresh", "book.xlsm", "--json"], 3)
    assert [(e["field"], e["value"], e["busy"]) for e in said["errors"]] == [("book.xlsm", None, True)]
    assert (said["ok"], said["status"], said["changed"]) == (False, 3, False)
    assert lines == [f"xlpy refresh: {said['errors'][0]['message']}", "xlpy refresh: book.xlsm was not changed"]
    assert "is open in Excel" in lines[0]


def test_a_usage_error_after_json_is_json_too(capsys):
    """Review: a usage error of a command given ``--json`` prints the object too (the option argparse names as its
    field); a command without ``--json`` prints nothing on standard output, its line as before."""
    said, lines = _json_and_lines(capsys, ["refresh", "book.xlsm", "--tally", "--json"], 2)
    assert said == {"ok": False, "status": 2, "errors": [{
        "field": "--tally", "value": None, "reason": "expected one argument",
        "message": "argument --tally: expected one argument (see xlpy refresh --help)", "busy": False}],
        "changed": False}  # (as every refused refresh's object: review 94)
    assert lines == ["xlpy refresh: argument --tally: expected one argument (see xlpy refresh --help)",
                     "xlpy refresh: nothing was changed"]
    said, lines = _json_and_lines(capsys, ["compute", str(SEED), "--json", "--bogus"], 2)
    assert [(e["field"], e["message"]) for e in said["errors"]] == [
        ("--bogus", "unrecognized arguments: --bogus (see xlpy compute --help)")]
    # review 104: an option not recognised is the field too ("field": null was said), its value not (--dpl 30)
    for argv, field, reason in ((["--jsn"], "--jsn", "unrecognized arguments: --jsn: did you mean --json?"),
                                (["--dpl", "30", "--out=r"], "--dpl --out", "unrecognized arguments: --dpl 30 --out=r"),
                                (["more.toml"], "more.toml", "unrecognized arguments: more.toml"),
                                (["--", "--weird"], "--weird", "unrecognized arguments: -- --weird")):  # (review 105)
        said, _ = _json_and_lines(capsys, ["compute", str(SEED), "--json", *argv], 2)
        assert [(e["field"], e["reason"]) for e in said["errors"]] == [(field, reason)]
    said, _ = _json_and_lines(capsys, ["--x", "compute", str(SEED), "--json"], 2)  # (xlpy's own, before the command)
    assert [(e["field"], e["reason"]) for e in said["errors"]] == [("--x", "unrecognized arguments: --x")]
    assert main(["render", "book.xlsm", "-o", "out", "--json"]) == 2
    assert capsys.readouterr() == ("", "xlpy render: unrecognized arguments: --json (see xlpy render --help)\n")


def test_a_build_whose_validation_ran_out_of_room_says_so_in_json(tmp_path, capsys, monkeypatch):
    """Review: ``build --json`` whose validation found no room (the workbook written, status 2) printed nothing on
    standard output; the object names the workbook written."""
    import errno

    from xlpy.workbook import validate as validating

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "xlpy-validate-1" / "out"))

    monkeypatch.setattr(validating, "validate", full)
    out = tmp_path / "book.xlsm"
    said, lines = _json_and_lines(capsys, ["build", str(SEED), "-o", str(out), "--json"], 2)
    assert (said["ok"], said["status"], len(said["errors"])) == (False, 2, 1)
    assert said["errors"][0]["message"].startswith(f"{out} was written but not validated: No space left on device (")
    assert lines[-1] == f"xlpy build: {said['errors'][0]['message']}" and out.is_file()


@pytest.mark.parametrize("busy", [False, True])
def test_a_build_whose_offer_file_is_refused_when_validation_reads_it_again_says_the_workbook_was_written(
        tmp_path, capsys, monkeypatch, busy):
    """Review 89: the offer file (or its tally) refused when the build's validation read it again -- saved with a
    typo meanwhile, or the agent's tally still being written -- was said as a build that wrote nothing (status 2,
    its one line, the JSON object), the workbook there all the same; it is said written but not validated."""
    from xlpy.engine.errors import Busy, InputError
    from xlpy.files import offerfile

    read = offerfile.load

    def saved_meanwhile(path, *args, **kwargs):
        if (tmp_path / "book.xlsm").exists():  # (the validation's read: the workbook is written)
            raise (Busy if busy else InputError)("offer.outstanding", "46477x", "must be a whole number")
        return read(path, *args, **kwargs)

    monkeypatch.setattr(offerfile, "load", saved_meanwhile)
    out = tmp_path / "book.xlsm"
    said, lines = _json_and_lines(capsys, ["build", str(SEED), "-o", str(out), "--json", "-q"], 3 if busy else 2)
    assert [(e["field"], e["busy"]) for e in said["errors"]] == [(str(out), busy)]
    assert lines[-1] == (f"xlpy build: {out}: was written but not validated: offer.outstanding: must be a whole "
                         f"number, got '46477x'; xlpy validate {out} checks it once that is mended"), lines
    assert out.is_file()


def test_main_takes_paths_and_names_an_argument_that_is_neither_text_nor_a_path(capsys):
    """Review: ``main(['validate', Path('book.xlsm')])`` raised ``TypeError: 'PosixPath' object is not subscriptable``
    from inside argparse; a path (and bytes, as Python reads ``sys.argv``) is taken as its text, and anything else
    is a usage error naming its place in the list and its value."""
    assert main(["compute", str(SEED)]) == 0
    as_text = capsys.readouterr()
    assert main(["compute", SEED]) == 0
    assert capsys.readouterr() == as_text
    assert main([b"compute", os.fsencode(SEED)]) == 0
    assert capsys.readouterr() == as_text
    assert main(["compute", str(SEED), 5]) == 2
    assert capsys.readouterr() == ("", "xlpy: argv[2]: must be text or a path (str, bytes or os.PathLike), got 5 "
                                   "(see xlpy --help)\n")
    assert main(["compute", None]) == 2
    assert capsys.readouterr().err == ("xlpy: argv[1]: must be text or a path (str, bytes or os.PathLike), got None "
                                       "(see xlpy --help)\n")
    said, _ = _json_and_lines(capsys, ["compute", SEED, "--json", None], 2)
    assert [(e["field"], e["value"], e["reason"]) for e in said["errors"]] == [
        ("argv[3]", "None", "must be text or a path (str, bytes or os.PathLike)")]
    # one text for the whole command line: refused by name, where it was split into its characters ("v", "a"...)
    assert main(f"compute {SEED}") == 2
    err = capsys.readouterr().err
    assert err.startswith("xlpy: argv: must be a list of arguments, one item each (['validate', 'book.xlsm']), not "
                          "one text, got 'compute ") and err.endswith("(see xlpy --help)\n"), err
    # ... and with --json in that text, said as JSON too (a script parsing the output met nothing there)
    said, lines = _json_and_lines(capsys, "compute --json offer.toml", 2)
    assert [(e["field"], e["reason"]) for e in said["errors"]] == [
        ("argv", "must be a list of arguments, one item each (['validate', 'book.xlsm']), not one text")], lines
    assert main(["compute", "--nope"]) == 2  # (asked of that call only: the next one's usage error is not JSON)
    assert capsys.readouterr().out == ""


def test_bytes_this_system_cannot_decode_are_a_usage_error_not_a_traceback(monkeypatch):
    """Review 89: Windows decodes a file name's bytes strictly, and os.fsdecode(b'\\xff') raises UnicodeDecodeError,
    which escaped main(); as there, they are an argument that is neither text nor a path."""
    from xlpy import cli

    fsdecode = os.fsdecode

    def strict(value):
        if isinstance(value, bytes):
            return value.decode("utf-8", "strict")
        return fsdecode(value)  # (a path as before; anything else its TypeError)

    monkeypatch.setattr(cli.os, "fsdecode", strict)
    assert cli._text(b"\xff.xlsm") is None and cli._text(b"ok.xlsm") == "ok.xlsm" and cli._text(5) is None


def test_the_package_is_marked_typed():
    """Review: xlpy shipped no PEP 561 marker, so a script's type checker ignored its annotations; ``py.typed`` is
    in the package, and the build's package data takes it into the wheel."""
    import tomllib

    import xlpy
    from repo_paths import ROOT

    assert (Path(xlpy.__file__).parent / "py.typed").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["xlpy"]
