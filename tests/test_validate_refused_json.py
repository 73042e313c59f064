"""``validate --json`` of workbooks refused among others (over a package limit, a part it cannot read, in use): each
has its object in the list, in the order given, with the ``status`` and ``errors`` of a refusal beside a report's
keys; the lines on standard error and the exit status are as they were."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from xlpy.cli import main
from xlpy.engine.errors import Busy

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)

FAST = ["--no-formulas", "--no-libreoffice"]
REPORT_KEYS = ["workbook", "path", "ok", "legs_run", "cells_compared", "compared_by_leg", "versions", "sha256",
               "changed_while_validated", "validated_at", "notes", "findings"]


def run_json(capsys, args: list, status: int) -> tuple[list, list[str]]:
    """``validate ARGS --json``: its list on standard output and its lines on standard error, the status checked."""
    assert main(["validate", *args, *FAST, "--json"]) == status, args
    out, err = capsys.readouterr()
    return json.loads(out), err.splitlines()


def refused_entry(entry: dict, line: str, status: int = 2, busy: bool = False) -> None:
    """*entry* is a refused workbook's: a report's keys, not ok, no findings, its refusal's status and its one
    error, the *line* of standard error."""
    assert list(entry) == [*REPORT_KEYS, "status", "errors"]
    assert (entry["ok"], entry["findings"], entry["legs_run"], entry["sha256"]) == (False, [], [], None)
    assert entry["validated_at"] is None  # (not validated: no time of a validation for the working papers)
    assert entry["status"] == status and len(entry["errors"]) == 1
    error = entry["errors"][0]
    assert line == f"xlpy validate: {error['message']}" and error["busy"] is busy
    assert error["message"] == f"{error['field']}: {error['reason']}" and error["value"] is None


def test_workbooks_all_refused_over_a_limit_each_have_their_object(seed, capsys):
    """Review: ``validate --json A.xlsm B.xlsm --max-part-mb 0.001`` printed ``[]``: a script saw no report, as if
    nothing was asked. Each workbook refused is in the list with its error; one alone too."""
    other = Path(shutil.copy(seed, seed.parent / "other.xlsm"))
    reports, lines = run_json(capsys, [str(seed), "--max-part-mb", "0.001"], 2)
    assert [r["workbook"] for r in reports] == ["book.xlsm"] and len(lines) == 1
    refused_entry(reports[0], lines[0])
    assert reports[0]["errors"][0]["field"] == "book.xlsm: part xl/theme/theme1.xml"
    reports, lines = run_json(capsys, [str(other), str(seed), "--max-part-mb", "0.001"], 2)
    assert [(r["workbook"], r["path"]) for r in reports] == [("other.xlsm", str(other)), ("book.xlsm", str(seed))]
    for entry, line in zip(reports, lines, strict=True):
        refused_entry(entry, line)
    assert lines[0].startswith("xlpy validate: other.xlsm: part ") and "--max-part-mb" in lines[0]
    assert main(["validate", str(other), str(seed), "--max-part-mb", "0.001", *FAST]) == 2
    assert capsys.readouterr().out == ""  # (without --json: the lines on standard error only, as before)


def test_a_refused_workbook_among_valid_ones_keeps_its_place(seed, capsys):
    """A workbook over --max-ratio between one valid and one not found: three objects in the order given, the
    exit status the worst (2); the valid one's object has no refusal's keys."""
    import zipfile

    big = Path(shutil.copy(seed, seed.parent / "big.xlsm"))
    with zipfile.ZipFile(big, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("customXml/item9.xml", b" " * (2 << 20))  # (2 MB packed some thousand times)
    missing = seed.parent / "missing.xlsm"
    reports, lines = run_json(capsys, [str(seed), str(big), str(missing), "--max-ratio", "50"], 2)
    assert [(r["workbook"], r["ok"]) for r in reports] == [("book.xlsm", True), ("big.xlsm", False),
                                                           ("missing.xlsm", False)]
    assert list(reports[0]) == list(reports[2]) == REPORT_KEYS
    (line,) = lines
    refused_entry(reports[1], line)
    assert line.startswith("xlpy validate: big.xlsm: part customXml/item9.xml: unpacks ") and "--max-ratio" in line
    assert [f["what"] for f in reports[2]["findings"]] == ["workbook not found"]


def test_a_workbook_refused_past_its_opening_or_in_use_has_its_object(seed, capsys, monkeypatch):
    """The other refusals of one workbook among several: a part it cannot read met past the opening (``it was not
    validated``), and a workbook in use (``busy``, status 3: the exit status 3 when the others are valid)."""
    from xlpy.workbook import validate_many
    from xlpy.workbook.package import PackageError

    bad = Path(shutil.copy(seed, seed.parent / "bad.xlsm"))
    held = Path(shutil.copy(seed, seed.parent / "held.xlsm"))
    real = validate_many.validate

    def validate(path, *args):
        if Path(path).name == "bad.xlsm":
            raise PackageError("bad.xlsm", "has no part xl/worksheets/sheet7.xml")
        return real(path, *args)

    monkeypatch.setattr(validate_many, "validate", validate)
    monkeypatch.setattr(validate_many, "package_still_written", lambda path, label, done: Busy(
        label, None, f"is still being written; {done}", show_value=False) if path == held else None)
    reports, lines = run_json(capsys, [str(held), str(seed)], 3)
    assert [(r["workbook"], r["ok"]) for r in reports] == [("held.xlsm", False), ("book.xlsm", True)]
    refused_entry(reports[0], lines[0], status=3, busy=True)
    assert lines == ["xlpy validate: held.xlsm: is still being written; validate it when it is complete; it was not "
                     "validated"]
    reports, lines = run_json(capsys, [str(bad), str(held), str(seed)], 2)
    assert [(r["workbook"], r["ok"]) for r in reports] == [("bad.xlsm", False), ("held.xlsm", False),
                                                           ("book.xlsm", True)]
    refused_entry(reports[0], lines[0])
    refused_entry(reports[1], lines[1], status=3, busy=True)
    assert lines[0] == "xlpy validate: bad.xlsm: has no part xl/worksheets/sheet7.xml; it was not validated"


def test_a_refused_workbook_s_report_says_refused_not_valid(seed):
    """Review: the report validate_many gives a refused workbook said ``verdict`` valid, and a validation time,
    of a workbook never validated."""
    from xlpy.files import safety
    from xlpy.workbook.validate_many import validate_many

    safety.configure(part_mb=0.001)
    said = []
    report, = validate_many([seed], legs=(), refused=said.append)
    assert (report.ok, report.verdict, report.validated_at, len(said)) == (False, "refused: not validated", "", 1)



def test_a_workbook_replaced_while_it_was_validated_is_busy_and_its_findings_unsaid(standard_books, tmp_path, capsys,
                                                                                    monkeypatch):
    """Review 110: a validate run while a refresh replaced the workbook read its inputs from the old file and its
    saved values from the new: 118 findings ("the file looks saved before recalculation (stale)"), exit 1. Its
    findings are of no one version of the file: none is said, and the workbook is refused as in use (exit 3)."""
    from xlpy.workbook import validate as validating

    book = standard_books.copy_into("holders", tmp_path)
    valid = Path(shutil.copy(standard_books["seed"], tmp_path / "seed.xlsm"))
    original, other = book.read_bytes(), valid.read_bytes()  # (another offer's workbook: what replaces the file)
    real = validating._open_book

    def replaced_once_opened(path, *args):  # (the refresh's rename, between the first hash and the last)
        opened = real(path, *args)
        if path == book:
            path.write_bytes(other)
        return opened

    monkeypatch.setattr(validating, "_open_book", replaced_once_opened)
    said = ("xlpy validate: book.xlsm: changed while it was validated (another program or xlpy wrote it meanwhile): "
            "what was read is of no one version of the file, so nothing is reported of it; validate it again once "
            "that is done")
    assert main(["validate", str(book), *FAST]) == 3  # (it was 1: 32 findings here, "stale" among them)
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [said])
    book.write_bytes(original)
    reports, lines = run_json(capsys, [str(book), str(valid)], 3)  # (as for a workbook in use among valid ones)
    assert [(r["workbook"], r["ok"], r["changed_while_validated"]) for r in reports] == [
        ("book.xlsm", False, True), ("seed.xlsm", True, False)]
    refused_entry(reports[0], said, status=3, busy=True)
    assert lines == [said] and reports[0]["notes"] == []
