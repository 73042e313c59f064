"""An XLSX tally is loaded once a command (review 91): the header that tells a count file from a holder tally and
the lines came from two loads of it (three in a refresh given the agent's next file), each reading its shared
strings again (a second for 100,000 holder ids) and, where the sheet states no size, parsing the whole sheet for it.
"""

from __future__ import annotations

import openpyxl
import pytest
from test_offerfile import HOLDERS

from xlpy import cli
from xlpy.files import offerfile, xlsx_sheet
from xlpy.files.sources import ColumnMapping, read_tally


@pytest.fixture
def loads(monkeypatch):
    """Each package openpyxl loads, by name, and each closed."""
    real = openpyxl.load_workbook
    seen = {"loaded": [], "closed": 0}

    def counted(path, *args, **kw):
        wb = real(path, *args, **kw)
        seen["loaded"].append(str(path).rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
        close = wb.close

        def closed():
            seen["closed"] += 1
            close()

        wb.close = closed
        return wb

    monkeypatch.setattr(openpyxl, "load_workbook", counted)
    return seen


def _tally(path, lines: int = 30) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Tally")
    ws.append(["holder_id", "units", "method", "status"])
    for i in range(lines):
        ws.append([f"H{i:04d}", 100 + i, "book-entry", "tendered"])
    wb.save(path)


def test_compute_loads_an_xlsx_tally_once_and_closes_it(tmp_path, loads):
    _tally(tmp_path / "tally.xlsx")
    (tmp_path / "offer.toml").write_text(HOLDERS.replace('"tally.csv"', '"tally.xlsx"'), encoding="utf-8")
    offer, _ = offerfile.compute_file(tmp_path / "offer.toml")
    assert len(offer.tally.holders) == 30
    assert loads["loaded"] == ["tally.xlsx"] and loads["closed"] == 1


def test_a_refresh_given_the_agents_next_xlsx_loads_it_once(tmp_path, loads, monkeypatch, capsys):
    """A mapping recorded, the next file given alone: its header was read to see it has the mapped columns, again
    to tell its kind, and its lines a third time."""
    monkeypatch.chdir(tmp_path)
    _tally(tmp_path / "tally.xlsx")
    (tmp_path / "map.toml").write_text('[columns]\nholder_id = "holder_id"\n', encoding="utf-8")
    (tmp_path / "offer.toml").write_text(HOLDERS.replace('file = "tally.csv"', 'file = "tally.xlsx"\n'
                                                         'mapping = "map.toml"'), encoding="utf-8")
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    _tally(tmp_path / "next.xlsx", 40)
    loads["loaded"].clear()
    capsys.readouterr()
    assert cli.main(["refresh", "book.xlsm", "--tally", "next.xlsx", "--no-backup"]) == 0, capsys.readouterr().err
    assert loads["loaded"].count("next.xlsx") == 1, loads["loaded"]


def test_a_file_changed_between_two_readings_is_loaded_again(tmp_path, loads):
    """The load is kept for a file as it was: one written meanwhile (another size, another time) is loaded again,
    and each is closed when the reading ends."""
    path = tmp_path / "t.xlsx"
    _tally(path, 5)
    with xlsx_sheet.one_load():
        first = xlsx_sheet.load(path)
        xlsx_sheet.release(first)
        assert xlsx_sheet.load(path) is first
        _tally(path, 50)
        assert len(read_tally(path, ColumnMapping(defaults={"status": "tendered"}))) == 50
    assert loads["loaded"] == ["t.xlsx", "t.xlsx"] and loads["closed"] == 2
