"""What the tests of tallies as a finance office's spreadsheets write them share (``test_office_files.py``,
``test_office_encodings.py``, ``test_office_pages.py``): the problems a reader raises, a tally written, the mapping
that states the method and status, and the words of a totals row's refusal."""

from __future__ import annotations

import pytest

from xlpy.engine import InputErrors
from xlpy.files import sources

DEFAULTS = '[defaults]\nmethod = "book-entry"\nstatus = "tendered"\n'


def problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def write(tmp_path, body: str, name: str = "t.csv", encoding: str = "utf-8"):
    """*body* written in *encoding* as *name* in *tmp_path*, its path."""
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


@pytest.fixture
def stated(tmp_path):
    """A mapping whose [defaults] state the method and status: a totals line would otherwise be one more holder."""
    return sources.read_mapping(write(tmp_path, DEFAULTS, "map.toml"))


@pytest.fixture
def named(tmp_path, stated):
    """The rows a tally's reader refuses, ``row 4``...: ``named(body, header)``, *body* its lines after the header."""
    def refused(body: str, header: str = "Holder,Shares") -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, f"{header}\r\n{body}"), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]
    return refused


def lines(ids_units: str) -> str:
    """A tally's lines, CRLF-ended, from ``id,units / id,units / ...``."""
    return "".join(f"{line}\r\n" for line in ids_units.split(" / "))


def label(holder: str) -> str:
    """What a totals row's refusal says of a line labelled as one (*holder*: its id)."""
    return f"looks like a totals row, not a holder: delete it if it is one; {way_out(holder)}"


def added(what: str, holder: str) -> str:
    """What a totals row's refusal says of a line whose units are *what* added up."""
    return (f"looks like a totals row, not a holder: its units are those of {what} added up; delete it if it is "
            f"one; {way_out(holder)}")


def way_out(holder: str) -> str:
    """The way out a totals row's refusal gives a holder it is not."""
    return f'if it is a holder, name it in a mapping file\'s [holders] not_totals list (not_totals = ["{holder}"])'
