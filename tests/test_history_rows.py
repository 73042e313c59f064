"""History records how the count moved: a refresh that moved nothing it records (only days of the price history
past the averaging window) adds no row that would read as a duplicate of the last."""

from __future__ import annotations

import shutil

from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy import cli
from xlpy.workbook.backends import PackageBook
from xlpy.workbook.layout import HISTORY_COLUMNS, LAYOUT_NAME, Shape, layout
from xlpy.workbook.table_edits import history_records

TENDERED = HISTORY_COLUMNS.index("tendered")


def history(path) -> list[tuple]:
    """The History table's records as a refresh reads them."""
    with PackageBook(path) as book:
        return history_records(book, layout(Shape.decode(book.name(LAYOUT_NAME))))


def test_a_price_day_that_moves_nothing_adds_no_history_row(tmp_path, monkeypatch, capsys):
    (tmp_path / "data").mkdir()
    prices = (DATA / PRICES).read_text(encoding="utf-8").splitlines(keepends=True)
    tally = (DATA / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "data" / PRICES).write_text("".join(prices[:34]), encoding="utf-8")
    (tmp_path / "data" / TALLY).write_text("".join(tally[:11]), encoding="utf-8")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077148800")
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    built = history(tmp_path / "book.xlsm")
    assert len(built) == 1
    capsys.readouterr()

    with open(tmp_path / "data" / PRICES, "a", encoding="utf-8") as fh:  # the next day's price: past the window
        fh.write(prices[34])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077235200")
    assert cli.main(["refresh", "book.xlsm", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "refreshed at 2004-02-20 00:00:00 UTC" in out
    assert "book.xlsm: History: no row added: the tally, the count and the charge are as its last row has them" in out
    assert history(tmp_path / "book.xlsm") == built

    with open(tmp_path / "data" / TALLY, "a", encoding="utf-8") as fh:  # a new line: the count moved, a row
        fh.write(tally[11])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077321600")
    assert cli.main(["refresh", "book.xlsm", "--no-backup"]) == 0
    assert "no row added" not in capsys.readouterr().out
    now = history(tmp_path / "book.xlsm")
    assert len(now) == 2 and now[0] == built[0] and now[1][0] == "2004-02-21 00:00:00"
    assert now[1][TENDERED] > built[0][TENDERED]


def test_a_count_is_said_to_fall_at_half_of_historys_last_row_or_less_and_never_from_a_row_of_a_persons():
    from xlpy.workbook.layout.history import count_fell

    last = ("2004-02-20 00:00:00", "agent.csv", 298, 274000)  # (when, tally, lines, tendered)
    assert count_fell(last, ("", "new.csv", 150, 137001)) is None  # (tenders withdrawn: less than half)
    assert count_fell(last, ("", "new.csv", 1, 137000)) == (
        "warning: units tendered fell from 274,000 (History's last row, 2004-02-20 00:00:00: 298 lines of "
        "agent.csv) to 137,000 (1 line of new.csv): holders may withdraw, but seldom half at once; if this is not "
        "the agent's whole count, refresh again with the file that is")
    for held in ("call the agent", None, 0, float("nan")):  # a row of a person's, a cell cleared, none tendered
        assert count_fell(last[:3] + (held,), ("", "new.csv", 1, 0)) is None, held
    assert "(History's last row, note: its tally) to 0 (new.csv)" in count_fell(("note", None, None, 10),
                                                                            ("", "new.csv", None, 0))
    # the build's row of a counts workbook: its counts, not "0 lines of" them (review 63)
    built = ("2004-02-20 00:00:00", "aggregate counts in the offer file", 0, 274000)
    assert "(History's last row, 2004-02-20 00:00:00: the aggregate counts in the offer file) to 1,000 (1 line of " \
           "new.csv)" in count_fell(built, ("", "new.csv", 1, 1000))
