"""What the hostile and busy files' tests share (``test_hostile.py``, ``test_hostile_disk.py``): the holder workbook
copied for a test, a tally of it with new lines, a refresh as the command runs it, and a folder's files by hash."""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

import pytest
from repo_paths import DATA, TALLY

from xlpy.cli import refresh as cli_refresh


@pytest.fixture
def book(standard_books, tmp_path, monkeypatch):
    """The holder workbook with its tally and prices, copied into the test's folder (tests/conftest.py)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    return standard_books.copy_into("holders", tmp_path)


def new_tally(folder: Path, extra: int = 5) -> Path:
    """The example tally with *extra* new holders' lines, in *folder*."""
    rows = list(csv.reader((DATA / TALLY).open(encoding="utf-8")))
    rows += [[f"NEW-{i:04d}", str(100 + i), "book-entry", "tendered"] for i in range(extra)]
    path = folder / f"tally-{extra}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def refresh(argv: list[str]) -> int:
    """``xlpy refresh`` with *argv*, its exit status."""
    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args(argv))


def snapshot(folder: Path) -> dict[str, str]:
    """The SHA-256 of each file in *folder*, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}
