"""Hostile tallies, count files and price files, continued (``test_sources_hostile.py``): a file another program
holds or is still writing, and the last few edges (a missing final line break, a workbook as a mapping file,
characters a workbook cannot store, an empty sheet, days before a workbook's first).
"""

from __future__ import annotations

import os
import shutil

import pytest
from repo_paths import DATA, FORMULA, PRICES, TALLY
from test_sources_hostile import HEADER, problems, tally

from xlpy import cli
from xlpy.files import counts, prices, sources


# --- a file another program holds: Excel on Windows locks a CSV it has open ---------------------------


#: How a file a permission refuses is said: on Windows, as one Excel may hold open; elsewhere, by its permissions
#: and owner (review 175: no program locks a file there), here this process's own file, refused as if another's.
ME = "" if os.name == "nt" else __import__("pwd").getpwuid(os.getuid()).pw_name
LOCKED = ("cannot be read (Permission denied; is it open in another program, such as Excel?)" if os.name == "nt" else
          f"cannot be read (Permission denied: -rw-r--r--, {ME}'s; ask {ME} to let you read it)")


@pytest.fixture(autouse=True)
def _plain_umask():
    """The files the tests make are -rw-r--r--, as LOCKED says them."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def lock(monkeypatch, *names: str) -> None:
    """Opening a file named one of *names* is refused, as Windows refuses a file Excel has open (and as chmod
    000 does, which running as root ignores)."""
    import builtins
    import io
    import os

    real = builtins.open

    def refusing(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) in names:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    monkeypatch.setattr(io, "open", refusing)


def test_a_locked_file_is_named_with_why(tmp_path, monkeypatch):
    csv_tally = tally(tmp_path, HEADER + "A-1,100,book-entry,tendered\n")
    counts_file = tally(tmp_path, "tendered,guaranteed delivery\n100,0\n", "counts.csv")
    price_file = tmp_path / PRICES
    shutil.copyfile(DATA / PRICES, price_file)
    mapping = tally(tmp_path, 'encoding = "utf-8"\n', "map.toml")
    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    lock(monkeypatch, "t.csv", "counts.csv", PRICES, "map.toml", "t.xlsx")
    assert problems(sources.read_tally, csv_tally) == [f"t.csv: {LOCKED}"]
    assert problems(counts.read_counts, counts_file) == [f"counts.csv: {LOCKED}"]
    assert problems(prices.read_prices, price_file) == [f"{PRICES}: {LOCKED}"]
    assert problems(sources.read_mapping, mapping) == [f"map.toml: {LOCKED}"]
    # (checked before anything is unpacked, as a bomb is; raised as the other problems are, for the offer file)
    assert problems(sources.read_tally, xlsx) == [f"t.xlsx: {LOCKED}"]


def test_a_locked_tally_or_price_file_through_the_command_line(tmp_path, capsys, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copyfile(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    lock(monkeypatch, TALLY)
    for command in ("compute", "build"):
        assert cli.main([command, "offer.toml"]) == 2
        said = capsys.readouterr().err.splitlines()
        assert said == [f"xlpy {command}: offer.toml: tally.file: data/{TALLY}: {LOCKED}"]
    lock(monkeypatch, PRICES, "offer.toml")
    assert cli.main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: {LOCKED}"]
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    lock(monkeypatch, PRICES)
    assert cli.main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy compute: offer.toml: offer.consideration.formula.prices: data/{PRICES}: {LOCKED}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "offer.toml"]


def test_a_file_in_use_is_status_3_a_permission_refused_status_2(tmp_path, capsys, monkeypatch):
    """Left alone, then taken: status 2 said both "bad input" and "busy", so a nightly job could not tell a tally
    Excel holds open (Windows' sharing violation: run again later) from one it must mend."""
    import builtins
    import io
    import os

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copyfile(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    real = builtins.open
    for winerror, status in ((32, 3), (33, 3), (5, 2), (None, 2)):  # sharing, lock violation; access denied
        def refusing(file, *args, code=winerror, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == TALLY:
                exc = PermissionError(13, "Permission denied", os.fspath(file))
                exc.winerror = code
                raise exc
            return real(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing)
        monkeypatch.setattr(io, "open", refusing)
        assert cli.main(["compute", "offer.toml"]) == status, winerror
        assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: tally.file: data/{TALLY}: {LOCKED}"]


def test_an_xlsx_tally_in_use_is_named_by_its_key_as_a_csv_one_is(tmp_path, capsys, monkeypatch):
    """QA: a CSV tally Excel holds said "offer.toml: tally.file: t.csv: ...", an XLSX one only "t.xlsx: ...": the
    package check before unpacking raised one bare problem, which the offer file did not locate."""
    import builtins
    import io
    import os

    from openpyxl import Workbook

    shutil.copytree(DATA, tmp_path / "data")
    wb = Workbook()
    wb.active.append(["holder_id", "units", "method", "status"])
    wb.active.append(["A-1", 100, "book-entry", "tendered"])
    wb.save(tmp_path / "data" / "tally.xlsx")
    (tmp_path / "offer.toml").write_text(FORMULA.read_text(encoding="utf-8").replace(f"data/{TALLY}",
                                                                                     "data/tally.xlsx"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    real = builtins.open

    def refusing(file, *args, **kwargs):  # Excel holds it open on Windows: a sharing violation
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == "tally.xlsx":
            exc = PermissionError(13, "Permission denied", os.fspath(file))
            exc.winerror = 32
            raise exc
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    monkeypatch.setattr(io, "open", refusing)
    assert cli.main(["compute", "offer.toml"]) == 3  # busy: run it again
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: tally.file: data/tally.xlsx: {LOCKED}"]


def test_a_tally_still_being_written_is_status_3_through_the_command_line(tmp_path, capsys, monkeypatch):
    """The transfer under way is said as before, with the status of a file in use: the same command passes once
    the file is complete."""
    from xlpy.files import settled

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copyfile(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data" / TALLY
    whole = path.read_bytes()
    path.write_bytes(whole.rstrip(b"\r\n")[:-2])  # cut inside its last line, the rest still coming

    def the_writer_goes_on(seconds):
        path.write_bytes(whole)

    monkeypatch.setattr(settled.time, "sleep", the_writer_goes_on)
    assert cli.main(["compute", "offer.toml"]) == 3
    err = capsys.readouterr().err
    assert f"xlpy compute: offer.toml: tally.file: data/{TALLY}: is still being written: it ended inside a line" in err
    assert cli.main(["compute", "offer.toml"]) == 0  # complete: read at once


@pytest.mark.parametrize("kind", ["tally", "counts", "prices"])
def test_a_file_still_being_written_is_refused(tmp_path, monkeypatch, kind):
    """A file copied while its transfer is under way ends inside a line: 'R-0002,7' where 700 is coming, read as
    7 units.  Looked at again a moment later it has grown: refused, nothing read."""
    from xlpy.files import settled

    head, line, rest = {
        "tally": ("holder_id,units,method,status\nR-0001,500,book-entry,tendered\n", "R-0002,book-entry,tendered,7",
                  "00\n"),
        "counts": ("tendered,guaranteed delivery\n", "274000,35", "00\n"),
        "prices": ((DATA / PRICES).read_text(encoding="utf-8"), "2004-03-01,8.1140,18", "59000\n"),
    }[kind]
    path = tally(tmp_path, head + line, "f.csv")
    if kind == "tally":
        path.write_text("holder_id,method,status,units\nR-0001,book-entry,tendered,500\n" + line, encoding="utf-8")
    size = path.stat().st_size

    def the_writer_goes_on(seconds):  # the rest of the line arrives while xlpy waits
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(rest)

    monkeypatch.setattr(settled.time, "sleep", the_writer_goes_on)
    read = {"tally": sources.read_tally, "counts": counts.read_counts, "prices": prices.read_prices}[kind]
    assert problems(read, path) == [
        f"f.csv: is still being written: it ended inside a line and grew from {size:,} to {size + len(rest):,} "
        "bytes within 0.5 s; read it again when it is complete"]
    read(path)  # complete now, it ends with a line break: read at once


def test_a_file_saved_without_a_final_line_break_is_read(tmp_path, monkeypatch):
    """Google Sheets and Notepad end a file without a line break: unchanged a moment later, it is read whole."""
    from xlpy.files import settled

    waited = []
    monkeypatch.setattr(settled.time, "sleep", waited.append)
    path = tally(tmp_path, "holder_id,units,method,status\nR-0001,500,book-entry,tendered\nR-0002,700,book-entry,"
                 "tendered", "f.csv")
    assert sources.read_tally(path).units == (500, 700)
    assert waited == [settled.PAUSE]
    path.write_text("holder_id,units,method,status\r\nR-0001,500,book-entry,tendered\r\n", encoding="utf-16")
    assert sources.read_tally(path).units == (500,) and waited == [settled.PAUSE]  # a UTF-16 line end: no wait


def test_a_workbook_read_as_a_mapping_file_is_named_as_one(tmp_path):
    """Wherever a mapping is read (given, recorded on the Cover, or named by an offer file): not "is not valid
    TOML: 'utf-8' codec can't decode byte 0x82"."""
    import shutil

    from repo_paths import ROOT

    path = shutil.copy(ROOT / "workbook" / "offer_results.xlsm", tmp_path / "map.xlsm")
    assert problems(sources.read_mapping, path) == [
        f"{path}: is a workbook or another ZIP package, not a mapping file (TOML); an XLSX tally is read as the tally "
        "itself"]


def test_a_count_files_header_problems_do_not_contradict_each_other(tmp_path):
    """Two tendered columns are one problem, not also "has no tendered column"; a formula never calculated in a
    column that is no count (a note beside them) is not read, so not refused under a blank column name."""
    from openpyxl import Workbook

    path = tally(tmp_path, "Units Tendered,Total Tendered,Withdrawn\n274000,290000,16000\n", "c.csv")
    assert problems(counts.read_counts, path) == [
        "c.csv: columns: more than one column could be tendered; delete or rename one of them (a count file's "
        "mapping names no columns), got 'Units Tendered, Total Tendered'"]
    wb = Workbook()
    wb.active.append(["tendered", "guaranteed delivery"])
    wb.active.append([274000, 3500, "=1+1"])
    wb.save(tmp_path / "c.xlsx")
    assert counts.read_counts(tmp_path / "c.xlsx") == (274000, 3500, 0)


@pytest.mark.parametrize("char, kind", [("\ufffe", "a noncharacter"), ("\uffff", "a noncharacter"),
                                        ("\x01", "a control character")])
def test_a_holder_id_a_workbook_cannot_store_is_named_by_row_and_character(tmp_path, char, kind):
    """U+FFFE and U+FFFF are no control characters, but XML forbids them: written into the holder table, the
    workbook opened nowhere (build and refresh said nothing).  The tally's reader refuses them, for every command
    (review 169: ``compute`` took them); a holder table from elsewhere is refused in the same words."""
    from xlpy.engine.model import HolderTable
    from xlpy.workbook.data import holder_problems

    path = tally(tmp_path, HEADER + "a-1,10,book-entry,tendered\n" + f"DTC{char}-0022,5,book-entry,tendered\n")
    said = (f"t.csv: row 3, column holder_id: holds {kind} (U+{ord(char):04X}), which a workbook cannot store, got "
            f"{'DTC' + char + '-0022'!r}")
    assert problems(sources.read_tally, path) == [said]
    table = HolderTable(holder_id=("a-1", f"DTC{char}-0022"), units=(10, 5), method=("book-entry",) * 2,
                        status=("tendered",) * 2)
    assert [str(p) for p in holder_problems(table, "t.csv", 21)] == [said]


def test_an_xlsx_tally_read_from_an_empty_sheet_names_it_and_the_others(tmp_path):
    """The first sheet is read unless a mapping names one: when it is empty and the data is on another, say which
    was read and how to name the other, not only "is empty"."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Other"
    data = wb.create_sheet("Tally")
    for row in (["holder_id", "units", "method", "status"], ["a-1", 10, "book-entry", "tendered"]):
        data.append(row)
    wb.active = 1  # the data's sheet is the one Excel shows
    wb.save(tmp_path / "t2.xlsx")
    assert problems(sources.read_tally, tmp_path / "t2.xlsx") == [
        "t2.xlsx: sheet 'Other' is empty (no header row); the file has other sheets: 'Tally': name the one to read "
        "with a mapping file's sheet key (sheet = \"Tally\")"]
    assert len(sources.read_tally(tmp_path / "t2.xlsx", sources.ColumnMapping(sheet="Tally"))) == 1
    wb.remove(data)
    wb.save(tmp_path / "t1.xlsx")
    assert problems(sources.read_tally, tmp_path / "t1.xlsx") == ["t1.xlsx: sheet 'Other' is empty (no header row)"]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "1900-02-28"])
def test_a_price_row_dated_before_the_days_a_workbook_holds_is_refused(tmp_path, day):
    """0001-01-01 made build crash (OverflowError in the price table's holidays); 1899-12-31 was written as serial 0.
    The offer file's rule for a date, and its words."""
    path = tally(tmp_path, f"date,price,volume\n{day},8.31,2517000\n2004-01-05,8.33,1658000\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: row 2, column date: must be a date from 1900-03-01 to 9999-12-31 (a serial number from 61 to "
        f"2958465, the days a workbook holds), got '{day}'"]
    assert [p.date.isoformat() for p in prices.read_prices(tally(tmp_path, "date,price,volume\n1900-03-01,1,0\n"
                                                                           "9999-12-31,2,0\n", "q.csv"))] == [
        "1900-03-01", "9999-12-31"]
