"""``xlpy build --history-from OLD``: an earlier workbook's History carried into a new build of the same offer.

A layout change has every workbook rebuilt, and a rebuild began a new History: the record of the offer's counts
stayed in the old file (the review of layout 13: "keep this one for its History").
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from repo_paths import DATA, FORMULA, SEED, TALLY

from xlpy.cli import main


def _history(path: Path) -> list[tuple]:
    """History's rows (when, tally file, ...) as the workbook holds them."""
    wb = load_workbook(path)
    ((sheet, ref),) = wb.defined_names["HistWhen"].destinations
    col, first, _, last = range_boundaries(ref)
    return list(wb[sheet].iter_rows(min_row=first, max_row=last, min_col=col, max_col=col + 10, values_only=True))


@pytest.fixture
def old(tmp_path, monkeypatch) -> Path:
    """The formula example built on 19 February and refreshed on the 20th (149 lines) and the 24th (all of them)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "a19.csv").write_text("".join((DATA / TALLY).read_text(encoding="utf-8").splitlines(True)[:150]),
                                      encoding="utf-8")
    for epoch, args in (("1077148800", ["build", FORMULA.name, "-o", "old.xlsm", "--no-validate"]),
                        ("1077235200", ["refresh", "old.xlsm", "--tally", "a19.csv", "--no-backup"]),
                        ("1077580800", ["refresh", "old.xlsm", "--tally", f"data/{TALLY}", "--no-backup"])):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert main([*args, "-q"]) == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077667200")  # the rebuild, on the 25th
    return tmp_path / "old.xlsm"


def test_a_rebuild_carries_the_old_workbook_s_history_before_its_own_row(old, capsys):
    rows = _history(old)
    assert [r[:2] for r in rows] == [("2004-02-19 00:00:00", f"data/{TALLY}"), ("2004-02-20 00:00:00", "a19.csv"),
                                     ("2004-02-24 00:00:00", f"data/{TALLY}")]
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-libreoffice"]) == 0
    out = capsys.readouterr().out
    assert "; History carried from old.xlsm (3 rows)" in out and "new.xlsm: valid" in out, out
    new = _history(old.with_name("new.xlsm"))
    assert new[:3] == rows  # as they stand, every column: a record is carried, never recomputed
    assert new[3][:2] == ("2004-02-25 00:00:00", f"data/{TALLY}") and len(new) == 4


def test_a_rebuild_over_the_old_workbook_reads_its_history_first_and_keeps_it_as_a_backup(old, capsys):
    rows = _history(old)
    before = old.read_bytes()
    assert main(["build", FORMULA.name, "-o", "old.xlsm", "--force", "--history-from", "old.xlsm", "--no-validate",
                 "-q"]) == 0
    assert _history(old)[:3] == rows and len(_history(old)) == 4
    (backup,) = old.parent.glob("old.*.bak.xlsm")
    assert backup.read_bytes() == before


@pytest.mark.parametrize("case, why", [
    ("other offer", "is the workbook of another offer ('hecla-2004-series-b', not 'hecla-2004-series-b-formula'): its "
                    "counts are not this offer's"),
    ("no workbook", "names no workbook that exists"),
    ("not xlpy's", "is not a standard xlpy workbook (it holds no name xlpyLayout)"),
    ("other columns", "holds a History whose columns are not this layout's (When (UTC), Tally file, Tally SHA-256, "
                      "Lines, Units tendered, by guaranteed delivery, Failed deliveries, Units accepted, "
                      "Participation, Common issued, Amount; this xlpy writes When (UTC), Tally file, Tally SHA-256, "
                      "Lines, Units tendered, by guaranteed delivery, Failed deliveries, Units accepted, "
                      "Participation, Common issued, Charge): carry its rows by hand"),
])
def test_a_history_that_is_not_this_offer_s_is_refused_and_nothing_is_written(old, capsys, case, why):
    from xlpy.excel import vba

    given = old.with_name("given.xlsm")
    if case == "other offer":
        assert main(["build", str(SEED), "-o", str(given), "--no-validate", "-q"]) == 0
    elif case == "not xlpy's":
        shutil.copy(vba.template_path(standalone=True), given)
    elif case == "other columns":  # (a header renamed: an earlier layout's History, say)
        wb = load_workbook(old, keep_vba=True)
        ((sheet, ref),) = wb.defined_names["HistWhen"].destinations
        col, first, _, _ = range_boundaries(ref)
        wb[sheet].cell(first - 1, col + 10).value = "Amount"
        wb.save(given)
    capsys.readouterr()
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "given.xlsm", "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"xlpy build: --history-from: {why}, got 'given.xlsm'"
    assert not old.with_name("new.xlsm").exists()
