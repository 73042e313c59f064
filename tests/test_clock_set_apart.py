"""A clock set apart: a backup named after now is neither counted among the newest nor removed.

Review 84: after refreshes run with the computer's clock a year ahead, then refreshes with the clock right,
``--keep 2`` kept the two backups named a year ahead for good and removed the newest real one at every refresh.
"""

from __future__ import annotations

import datetime as dt

from repo_paths import SEED

from xlpy import cli
from xlpy.workbook import clock, locks, refresh_file


def _clock(monkeypatch, when: str) -> None:
    """The computer's clock at *when* (UTC), where a refresh, the pruning of backups and validate read it."""
    t = dt.datetime.fromisoformat(when)
    monkeypatch.setattr(refresh_file, "utc_now", lambda: t)
    monkeypatch.setattr(clock, "computer_now", lambda: t)


def test_a_backup_named_after_now_is_not_counted_nor_removed(tmp_path, monkeypatch):
    book = tmp_path / "b.xlsm"
    book.write_bytes(b"x")
    names = ["b.20261204-090000.bak.xlsm", "b.20261205-160000.bak.xlsm", "b.20261205-161000.bak.xlsm",
             "b.20271205-110000.bak.xlsm"]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    _clock(monkeypatch, "2026-12-05 16:00:00")  # (16:10: ahead by less than clock.AHEAD, counted as it is named)
    assert locks.named_ahead(book) == [tmp_path / names[3]]
    assert [p.name for p in locks.prune_backups(book, 1, tmp_path / names[2])] == names[:2]
    assert sorted(p.name for p in tmp_path.glob("b.*.bak.xlsm")) == names[2:]
    assert locks.ahead_warning(book, None) is None  # (no --keep: nothing pruned, nothing to say)
    assert "b.20271205-110000.bak.xlsm: a clock was set ahead" in locks.ahead_warning(book, 1)
    assert [p.name for p in locks.prune_backups(book, 0)] == [names[2]] and (tmp_path / names[3]).exists()


def test_a_build_that_replaces_a_workbook_says_so_of_a_backup_named_after_now(tmp_path, monkeypatch, capsys):
    book = tmp_path / "b.xlsm"
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "-q"]) == 0
    ahead = tmp_path / "b.20271205-110000.bak.xlsm"
    ahead.write_bytes(book.read_bytes())
    now = dt.datetime(2026, 12, 5, 16, 0)
    monkeypatch.setattr(clock, "utc_now", lambda: now)
    _clock(monkeypatch, "2026-12-05 16:00:00")
    capsys.readouterr()
    assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--keep", "1", "--no-validate", "-q"]) == 0
    err = capsys.readouterr().err
    assert "warning: b.xlsm: a backup is named after now (2026-12-05 16:00:00 UTC, this computer's clock): " \
           "b.20271205-110000.bak.xlsm: a clock was set ahead" in err, err
    assert sorted(p.name for p in locks.backups_of(book)) == ["b.20261205-160000.bak.xlsm", ahead.name]
