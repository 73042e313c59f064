"""A refused ``xlpy refresh`` says that the workbook was not changed.

Review: a refresh refused for a problem in one of its inputs (a tally with bad units, a price file missing, a
mapping file wrong, an option) said only that problem, and a finance user could not tell whether the workbook had
been touched; the refusals of the workbook itself said "it was not changed", and the Excel buttons' dialog
"Nothing was changed:".  Every refusal now ends with a line saying so, naming the workbook as given (not when
each line says it already, nor of a workbook that is not there), and ``--json`` has ``"changed": false``.
"""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path

from repo_paths import DATA, TALLY

from xlpy.cli import main
from xlpy.engine.errors import InputError, InputErrors


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _tally(folder: Path, line: str) -> Path:
    """The workbook's tally with *line* added, as ``t.csv`` in *folder*."""
    path = folder / "t.csv"
    path.write_text((DATA / TALLY).read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    return path


def test_a_refresh_refused_for_its_tally_says_last_that_the_workbook_was_not_changed(standard_books, tmp_path,
                                                                                     capsys, monkeypatch):
    book = standard_books.copy_into("holders", tmp_path)
    monkeypatch.chdir(tmp_path)
    _tally(tmp_path, "NEW-1,10.5,book-entry,tendered")
    before = _state(tmp_path)
    assert main(["refresh", book.name, "--tally", "t.csv"]) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [
        "xlpy refresh: t.csv: row 301, column units: must be a whole number, got '10.5'",
        "xlpy refresh: book.xlsm was not changed"])
    assert _state(tmp_path) == before  # (true: nothing written, no backup)
    # the workbook as it was given, through a folder; and after an option refused before any file is read
    assert main(["refresh", f"./{book.name}", "--no-mapping"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "xlpy refresh: ./book.xlsm was not changed"
    assert main(["refresh", str(book), "--keep", "-1", "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == ["xlpy refresh: --keep: must be 0 or more, got -1",
                                                    f"xlpy refresh: {book} was not changed"]
    assert _state(tmp_path) == before


def test_json_of_a_refused_refresh_says_changed_false_and_keeps_its_other_keys(standard_books, tmp_path, capsys,
                                                                               monkeypatch):
    book = standard_books.copy_into("holders", tmp_path)
    monkeypatch.chdir(tmp_path)
    _tally(tmp_path, "NEW-1,-5,book-entry,tendered")
    assert main(["refresh", book.name, "--tally", "t.csv", "--json"]) == 2
    out, err = capsys.readouterr()
    said = json.loads(out)
    assert said == {"ok": False, "status": 2, "errors": [{
        "field": "t.csv: row 301, column units", "value": "-5", "reason": "must not be negative",
        "message": "t.csv: row 301, column units: must not be negative, got -5", "busy": False}], "changed": False}
    assert err.splitlines() == ["xlpy refresh: t.csv: row 301, column units: must not be negative, got -5",
                                "xlpy refresh: book.xlsm was not changed"]
    # the key is a refresh's: another command's refusal has none, nor its last line
    assert main(["compute", "nothere.toml", "--json"]) == 2
    out, err = capsys.readouterr()
    assert "changed" not in json.loads(out) and "not changed" not in err


def test_a_workbook_in_use_says_it_was_not_changed_with_status_3(seed, capsys, monkeypatch):
    monkeypatch.chdir(seed.parent)
    (seed.parent / "~$book.xlsm").write_bytes(b"\x04Jane" + b" " * 50)
    before = _state(seed.parent)
    assert main(["refresh", "book.xlsm", "--json"]) == 3
    out, err = capsys.readouterr()
    said = json.loads(out)
    assert (said["status"], said["changed"], [e["busy"] for e in said["errors"]]) == (3, False, [True])
    lines = err.splitlines()
    assert len(lines) == 2 and "is open in Excel by Jane" in lines[0], lines
    assert lines[1] == "xlpy refresh: book.xlsm was not changed"
    assert _state(seed.parent) == before


def test_a_refusal_that_says_the_workbook_was_not_changed_is_not_followed_by_it_again(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("book.xlsm").write_text("text", encoding="utf-8")
    assert main(["refresh", "book.xlsm", "--json"]) == 2
    out, err = capsys.readouterr()
    assert err == ("xlpy refresh: book.xlsm: is not a workbook: it is a file of no kind xlpy knows (no zip package, "
                   "as an .xlsx or .xlsm is, nor an .xls or an .ods); it was not changed\n")
    assert json.loads(out)["changed"] is False


def test_the_line_is_said_unless_every_problem_says_it(seed, capsys, monkeypatch):
    """A problem of the workbook that says so beside one of its tally that does not: the line is said, once."""
    from xlpy.workbook import refresh_file

    said = InputError(str(seed), None, "was not changed: its backup b.bak.xlsm cannot be written (No space left "
                      "on device); free space, or refresh without a backup (--no-backup)", show_value=False,
                      unchanged=True)
    other = InputError("t.csv: row 2, column units", "x", "must be a whole number")
    for problems, last in (([said], [said]), ([said, other], [other, f"{seed} was not changed"])):
        def refused(*args, problems=problems, **kwargs):
            raise InputErrors(problems)

        monkeypatch.setattr(refresh_file, "refresh_file", refused)
        assert main(["refresh", str(seed)]) == 2
        assert capsys.readouterr().err.splitlines()[-len(last):] == [f"xlpy refresh: {p}" for p in last]


def test_the_line_follows_what_each_problem_is_marked_as_saying_not_its_words(seed, capsys, monkeypatch):
    """Whether a problem said the workbook was not changed was read from its words ("was not changed", "nothing was
    written"): one saying so in other words was followed by the line all the same, and one using those words of
    something else was not.  Each problem is marked where it is worded (``unchanged``), and keeps the mark located,
    reworded or pickled (a worker process's refusal)."""
    import pickle

    from xlpy.workbook import refresh_file

    own = InputError(str(seed), None, "is left as it was: its backup cannot be written", show_value=False,
                     unchanged=True)
    other = InputError("t.csv: row 2, column status", None, "says the holder's tender was not changed since, which "
                       "is no status", show_value=False)
    for problems, last in (([own], [own]), ([other], [other, f"{seed} was not changed"])):
        def refused(*args, problems=problems, **kwargs):
            raise InputErrors(problems)

        monkeypatch.setattr(refresh_file, "refresh_file", refused)
        assert main(["refresh", str(seed)]) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {p}" for p in last]
    assert [p.unchanged for p in (own.located("m"), own.reworded("f"), pickle.loads(pickle.dumps(own)), other)] == [
        True, True, True, False]


def test_a_workbook_that_is_not_there_is_not_said_unchanged(tmp_path, capsys, monkeypatch):
    """Nothing is there to be changed: "nothere.xlsm was not changed" would speak of a file that is not there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.xlsm").mkdir()
    for argv, problem in ((["nothere.xlsm"], "nothere.xlsm: workbook not found"),
                          (["nothere.xlsm", "--no-mapping"], ("--no-mapping: goes with a tally given with --tally: "
                                                              "the tally the Cover records is read with the mapping "
                                                              "it records")),
                          (["folder.xlsm"], "folder.xlsm: is a folder, not a workbook")):
        assert main(["refresh", *argv, "--json"]) == 2
        out, err = capsys.readouterr()
        assert err == f"xlpy refresh: {problem}\n"
        assert json.loads(out)["changed"] is False  # (true all the same: nothing was changed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.xlsm"]


class _FullOnce:
    """A standard output whose first write finds no room (a disk the command line cannot tell is full: no file
    behind it); what comes after is kept."""

    def __init__(self):
        self.failed, self.text = False, ""

    def write(self, text: str) -> int:
        if not self.failed:
            self.failed = True
            raise OSError(errno.ENOSPC, "No space left on device")
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_a_report_lost_once_the_workbook_was_refreshed_does_not_say_it_was_not_changed(standard_books, tmp_path,
                                                                                       capsys, monkeypatch):
    """The refresh wrote the workbook, then its report found no room: the line of that refusal must not say the
    workbook was not changed, and ``--json`` says ``"changed": true``."""
    book = standard_books.copy_into("holders", tmp_path)
    before = book.read_bytes()
    tally = _tally(tmp_path, "NEW-1,10,book-entry,tendered")
    full = _FullOnce()
    monkeypatch.setattr("sys.stdout", full)
    assert main(["refresh", str(book), "--tally", str(tally), "--json"]) == 2
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert book.read_bytes() != before and list(tmp_path.glob("book.*.bak.xlsm"))  # (refreshed, its backup kept)
    assert err.startswith("xlpy refresh: no space left ") and "not changed" not in err, err
    said = json.loads(full.text)
    assert (said["status"], said["changed"]) == (2, True)


def test_json_of_an_interrupted_refresh_says_whether_the_workbook_was_changed(standard_books, tmp_path, capsys,
                                                                              monkeypatch):
    """Ctrl-C under ``--json``: the object a script reads says ``"changed"`` as a refused refresh's does, false
    before the workbook was replaced and true after (its report being made), where it had no such key."""
    from xlpy.workbook import refresh_file as rf

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    book = standard_books.copy_into("holders", tmp_path)
    tally = _tally(tmp_path, "NEW-1,10,book-entry,tendered")
    before = book.read_bytes()
    with monkeypatch.context() as m:
        m.setattr(rf, "refresh_file", interrupted)
        assert main(["refresh", str(book), "--tally", str(tally), "--json"]) == 130
    said = json.loads(capsys.readouterr().out)
    assert (said["status"], said["changed"], said["errors"][0]["reason"]) == (
        130, False, "interrupted; nothing was written")
    assert book.read_bytes() == before
    with monkeypatch.context() as m:  # (review 164: the workbook named, as every other refusal names it)
        m.setattr(rf, "refresh_file", interrupted)
        assert main(["refresh", str(book), "--tally", str(tally)]) == 130
    assert capsys.readouterr().err == (f"xlpy refresh: interrupted; nothing was written\n"
                                       f"xlpy refresh: {book} was not changed\n")
    monkeypatch.setattr(rf.FileRefresh, "report", interrupted)
    assert main(["refresh", str(book), "--tally", str(tally), "--json"]) == 130
    said = json.loads(capsys.readouterr().out)
    assert (said["status"], said["changed"]) == (130, True), said
    assert said["errors"][0]["reason"].startswith(f"interrupted after {book} was written")
    assert book.read_bytes() != before
    import xlpy.files.offerfile as offerfile

    monkeypatch.setattr(offerfile, "compute_file", interrupted)  # (another command's object: no such key)
    assert main(["compute", str(tally), "--json"]) == 130
    assert "changed" not in json.loads(capsys.readouterr().out)
