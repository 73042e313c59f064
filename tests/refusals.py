"""A refresh refused in one line, with nothing written: the helper of the tests of hostile and damaged workbooks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from xlpy.cli import main


def refused(capsys, book: Path, *args: str, unchanged: bool = False) -> str:
    """The one line ``xlpy refresh BOOK ARGS`` refuses *book* with (exit 2), its folder and bytes as they were;
    *unchanged*: a line saying the workbook was not changed follows it (the refusal does not say so itself)."""

    def state():
        return sorted(p.name for p in book.parent.iterdir()), hashlib.sha256(book.read_bytes()).hexdigest()

    before = state()
    assert main(["refresh", str(book), *args]) == 2
    assert state() == before  # nothing written, no backup
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == ([f"xlpy refresh: {book} was not changed"] if unchanged else []), err
    return err[0]
