"""The typed reader (xlpy.files.typed), the one date-serial helper and the engine's shared rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xlpy.engine import rules
from xlpy.engine.errors import InputError, InputErrors
from xlpy.excel import args as excel_args
from xlpy.files import typed
from xlpy.files.serial_dates import from_serial, serial_day, serial_text, to_serial


def _toml(data: dict) -> typed.Reader:
    return typed.Reader(lambda k: data.get(k, typed.MISSING), lambda k: f"offer.{k}", typed.TOML)


def _cells(data: dict) -> typed.Reader:
    return typed.Reader(data.get, lambda k: f"Inputs!{k[0]}", typed.CELLS, name=lambda k: k[1])


def test_every_problem_is_returned_as_located_data():
    r = _toml({"outstanding": -5, "ratio": "abc", "kind": "bond", "expiration": "soon", "final": "yes"})
    assert r.whole("outstanding", positive=True) is None
    assert r.number("ratio") is None
    assert r.choice("kind", ("preferred", "note")) == ""
    assert r.date("expiration") is None
    assert r.flag("final", default=False) is False
    assert r.text("issuer") == ""
    assert [str(p) for p in r.problems] == [
        "offer.outstanding: must be a positive whole number, got -5",
        "offer.ratio: must be a number, got 'abc'",
        "offer.kind: must be one of preferred, note, got 'bond'",
        "offer.expiration: must be a date YYYY-MM-DD, got 'soon'",
        "offer.final: must be true or false, got 'yes'",
        "offer.issuer: is required, got nothing",
    ]
    with pytest.raises(InputErrors) as info:
        r.check()
    assert len(info.value.problems) == 6


def test_good_values_are_typed_and_nothing_is_recorded():
    r = _toml({"units": 274000, "ratio": Decimal("7.94"), "text_ratio": "464,777", "day": dt.date(2004, 2, 20),
               "final": True, "kind": "note", "issuer": "  Hecla  "})
    assert r.whole("units") == 274000
    assert r.number("ratio", positive=True) == Decimal("7.94")
    assert r.number("text_ratio") == Decimal("464777")  # the offer file may write a number as text
    assert r.date("day") == dt.date(2004, 2, 20)
    assert r.flag("final", default=False) is True and r.flag("absent", default=True) is True
    assert r.choice("kind", ("preferred", "note")) == "note"
    assert r.text("issuer") == "Hecla"
    assert r.whole("absent", required=False, default=7) == 7
    assert r.problems == []


@pytest.mark.parametrize("text", ["20040220", "2004-W08-5", "2004-051", "04-02-20"])
def test_a_day_written_as_text_is_yyyy_mm_dd_only(text, tmp_path):
    """Python's date.fromisoformat reads more of ISO 8601 than the contract says (a compact day, a week date, an
    ordinal day): refused, in a cell, an offer file's text and a price file alike."""
    r = _toml({"expiration": text})
    assert r.date("expiration") is None
    assert [str(p) for p in r.problems] == [f"offer.expiration: must be a date YYYY-MM-DD, got {text!r}"]
    assert _toml({"expiration": " 2004-02-20 "}).date("expiration") == dt.date(2004, 2, 20)
    from xlpy.files.prices import read_prices

    (tmp_path / "p.csv").write_text(f"date,price,volume\n2004-02-19,8.3,100\n{text},8.3,100\n")
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert [str(p) for p in info.value.problems] == [
        f"p.csv: row 3, column date: must be a date YYYY-MM-DD, got {text!r}"]


def test_a_price_file_whose_dates_are_all_in_another_format_is_told_once(tmp_path):
    """Review 84: a price history with every date written 01/02/2004 (a US export) gave a line for each row, 39 for
    the example file, the same refusal over and over: one line now names the column, how many and how to mend it.
    A file with some dates right still names each row that is not."""
    from xlpy.files.prices import read_prices

    days = ("01/02/2004", "01/05/2004", "01/06/2004")
    (tmp_path / "p.csv").write_text("date,price,volume\n" + "".join(f"{d},8.3,100\n" for d in days))
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert [str(p) for p in info.value.problems] == [
        "p.csv: column date: must hold dates written YYYY-MM-DD, and none of its 3 rows does (a date such as "
        "01/02/2004 could be day or month first): format the column as yyyy-mm-dd in Excel (Format Cells, Custom) "
        "and save it as CSV again; row 2, got '01/02/2004'"]
    (tmp_path / "p.csv").write_text("date,price,volume\n2004-01-02,8.3,100\n01/05/2004,8.3,1\n01/06/2004,8.3,1\n")
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert [p.field for p in info.value.problems] == ["p.csv: row 3, column date", "p.csv: row 4, column date"]


@pytest.mark.parametrize("first", ["37988", "2004-01-02 00:00:00", "2004-01-02T16:00:00", "20040102"])
def test_a_date_column_of_serials_or_times_is_not_said_to_be_day_or_month_first(tmp_path, first):
    """Review 133: the refusal of a date column said a date such as 01/02/2004 could be day or month first for
    Excel serials and timestamps too, which raise no such question; the way to mend them is the same."""
    from xlpy.files.prices import read_prices

    (tmp_path / "p.csv").write_text(f"date,price,volume\n{first},8.3,100\n{first}9,8.3,100\n")
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    (said,) = [str(p) for p in info.value.problems]
    assert said.startswith("p.csv: column date: must hold dates written YYYY-MM-DD, and none of its 2 rows does: "
                           "format the column as yyyy-mm-dd in Excel"), said


def test_toml_counts_must_be_integers_below_fifteen_digits():
    r = _toml({"a": Decimal("274000.0"), "b": 10**15})
    assert r.whole("a") is None and r.whole("b", below=10**15) is None
    assert "written as an integer" in r.problems[0].reason
    assert r.problems[1].reason.startswith("must be below 1,000,000,000,000,000")


def test_cells_are_strict_and_name_the_input():
    r = _cells({("C11", "Outstanding"): "464777", ("C12", "Kind"): None, ("C13", "Final"): "TRUE",
                ("C14", "Day"): dt.datetime(2004, 2, 20, 0, 0), ("C15", "Units"): -3.0, ("C16", "Final"): True,
                ("C17", "Day"): "2004-02-20"})
    assert r.number(("C11", "Outstanding")) is None
    assert r.choice(("C12", "Kind"), ("preferred", "note")) == ""
    assert r.flag(("C13", "Final")) is False  # text: Excel's AND skips it, its IF refuses it; never read as TRUE
    assert r.date(("C14", "Day")) == dt.date(2004, 2, 20)
    assert r.whole(("C15", "Units")) is None
    assert r.flag(("C16", "Final")) is True
    assert r.date(("C17", "Day")) is None  # text: compared with dates, the workbook's formulas put it after all
    retype = "not text: type it again (a cell formatted as Text keeps what is typed as text)"
    assert [str(p) for p in r.problems] == [
        "Inputs!C11: Outstanding must be a number, not text, got '464777'",
        "Inputs!C12: Kind is required, got nothing",
        f"Inputs!C13: Final must be TRUE or FALSE, {retype}, got 'TRUE'",
        "Inputs!C15: Units must not be negative, got -3.0",
        f"Inputs!C17: Day must be a date, {retype}, got '2004-02-20'",
    ]


def test_a_whole_number_where_a_cell_s_text_belongs_reads_as_excel_shows_it():
    """A number in a text cell was read as ``str(value)``: the float 2004.0 (xlwings hands every number of a live
    book over so) as '2004.0', where the file's int 2004 read '2004'.  A whole float is its integer text; one too
    large for its digits to be the ones typed (from 2**53: 12345678901234567 is the float 12345678901234568.0) is
    refused, naming the input and the value, not read as '1.2345678901234568e+16'."""
    r = _cells({("C9", "Issuer"): 2004.0, ("C6", "Issuer"): 2004, ("C7", "Security"): 2004.5,
                ("C8", "OfferId"): -7.0, ("C5", "OfferId"): 12345678901234567.0, ("C10", "OfferId"): 2.0**53 - 1,
                ("C11", "Issuer"): 12345678901234567})
    assert [r.text(("C9", "Issuer")), r.text(("C6", "Issuer")), r.text(("C7", "Security"))] == ["2004", "2004",
                                                                                                 "2004.5"]
    assert r.text(("C8", "OfferId")) == "-7" and r.text(("C10", "OfferId")) == "9007199254740991"
    assert r.text(("C5", "OfferId")) == "" and r.text(("C11", "Issuer")) == "12345678901234567"  # (an int: exact)
    assert [str(p) for p in r.problems] == [  # (as the README quotes it)
        "Inputs!C5: OfferId is a number too long to be read as text exactly (its last digits are lost): type it as "
        "text, with an apostrophe before it, got 1.2345678901234568e+16"]
    # the offer file's TOML reads no number as text: 2004.0 is refused as it was
    r = _toml({"issuer": Decimal("2004.0")})
    assert r.text("issuer") == "" and [p.reason for p in r.problems] == ["must be non-empty text"]


def test_a_whole_day_number_in_a_date_cell_is_named_as_its_day_and_the_cell_s_format():
    """A date cell whose number format shows no date gives its serial number (38037; Excel through xlwings, 38037.0):
    the day is named, and the format as at fault; a number no day has, a fraction, or a day before 1950 (a year
    typed, 2004) is not called a day."""
    r = _cells({("C15", "Expiration"): 38037, ("C16", "Day"): 38037.0, ("C17", "Day"): 38037.5,
                ("C18", "Day"): 20040220, ("C19", "Day"): 2004})
    assert [r.date(k) for k in (("C15", "Expiration"), ("C16", "Day"), ("C17", "Day"), ("C18", "Day"),
                                ("C19", "Day"))] == [None] * 5
    fmt = "the cell's number format shows the date as a number; give the cell a date format, yyyy-mm-dd"
    assert [str(p) for p in r.problems] == [
        f"Inputs!C15: Expiration must be a date (2004-02-20 as a serial number: {fmt}), got 38037",
        f"Inputs!C16: Day must be a date (2004-02-20 as a serial number: {fmt}), got 38037",
        "Inputs!C17: Day must be a date, got 38037.5", "Inputs!C18: Day must be a date, got 20040220",
        "Inputs!C19: Day must be a date, got 2004"]  # (a year typed: not called 1905-06-26)


def test_a_cell_s_formula_where_a_number_is_typed_is_named_a_formula_not_text():
    """Review: =0.005 in the tie-out tolerance's cell was refused as "must be a number, not text"."""
    r = _cells({("C51", "Tolerance"): "=0.005", ("C52", "Step"): "0.1"})
    assert (r.number(("C51", "Tolerance")), r.number(("C52", "Step"))) == (None, None)
    assert [str(p) for p in r.problems] == [
        "Inputs!C51: Tolerance must be a number, typed in: not a formula, got '=0.005'",
        "Inputs!C52: Step must be a number, not text, got '0.1'"]


def test_arguments_read_serials_and_ignore_case():
    assert excel_args.date(38037.75, "expiration") == dt.date(2004, 2, 20)  # the time of day is cut off
    assert excel_args.choice("DOWN", "fractional", ("cash", "down", "nearest"), "cash") == "down"
    with pytest.raises(InputError, match="must be at least 1, got 0"):
        excel_args.whole(0.0, "days", minimum=1)


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1),
                                 dt.date(2004, 2, 20), dt.date(9999, 12, 31)])
def test_serials_round_trip(day):
    serial = to_serial(day)
    assert from_serial(serial) == day
    if day >= dt.date(1900, 3, 1):
        assert serial_day(serial) == day and serial_text(day) == str(serial)


def test_the_fictitious_leap_day_and_the_1904_system():
    with pytest.raises(InputError, match="29 February 1900"):
        from_serial(60)
    assert serial_text(dt.date(1904, 1, 2), date1904=True) == "1"
    assert serial_text(dt.datetime(2004, 2, 20, 18)) == "38037.75"


def test_tally_limits_each_name_their_field_and_limit():
    counts = {"outstanding": 100, "tendered": 120, "guaranteed_delivery": 130, "failed_delivery": 140}
    fields = {"tendered": "T", "guaranteed_delivery": "G", "failed_delivery": "F", "outstanding": "O"}
    assert [str(p) for p in rules.tally_problems(counts, fields, show="{:,}".format)] == [
        "T: must not exceed O (100), got 120",
        "G: must not exceed T (120), got 130",
        "F: must not exceed G (130), got 140",
    ]
    assert rules.tally_problems({"outstanding": 100, "tendered": 100, "guaranteed_delivery": 0}) == []
    assert rules.tally_problems({"tendered": 5, "guaranteed_delivery": 3}) == []  # no outstanding: not checked


@pytest.mark.parametrize("count, limit", [
    ("tendered", "outstanding"), ("guaranteed_delivery", "tendered"), ("failed_delivery", "guaranteed_delivery")])
def test_a_tally_count_may_reach_its_limit_but_not_pass_it(count, limit):
    at = {"outstanding": 100, "tendered": 100, "guaranteed_delivery": 100, "failed_delivery": 100}
    assert rules.tally_problems(at) == []  # each count equal to its limit: accepted
    [problem] = rules.tally_problems({**at, count: 101})  # one past its limit: refused, at that count alone
    assert (problem.field, problem.value) == (count, 101) and limit in problem.reason


def test_period_order():
    start, end = dt.date(2004, 1, 1), dt.date(2004, 3, 31)
    assert rules.period_problems(start, end) == [] and rules.period_problems(None, start) == []
    [problem] = rules.period_problems(end, start, ("period_start", "period_end"))
    assert str(problem) == "period_end: must not be before period_start (2004-03-31), got 2004-01-01"
    with pytest.raises(InputError, match="period.end: must not be before period.start"):
        rules.check_period(end, start)


def test_text_a_workbook_cannot_store_is_named_by_its_character():
    """XML 1.0 forbids the C0 controls but tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF:
    a workbook holding one opens nowhere.  The offer file refuses every control character too; a workbook's cell,
    only what XML forbids."""
    values = {"a": "x\ufffey", "b": "x\uffffy", "c": "x\ud800y", "d": "x\x07y", "e": "x\ty", "f": "x\x85y",
              "g": "A" * 32768, "h": "A" * 32767}
    toml = _toml(values)
    assert [toml.text(k) for k in "abcdefgh"] == [""] * 7 + ["A" * 32767]
    assert [str(p) for p in toml.problems] == [
        "offer.a: holds a noncharacter (U+FFFE), which a workbook cannot store, got 'x\\ufffey'",
        "offer.b: holds a noncharacter (U+FFFF), which a workbook cannot store, got 'x\\uffffy'",
        "offer.c: holds a lone surrogate (U+D800), which a workbook cannot store, got 'x\\ud800y'",
        "offer.d: holds a control character (U+0007), which a workbook cannot store, got 'x\\x07y'",
        "offer.e: holds a control character (U+0009), which a one-line value does not hold, got 'x\\ty'",
        "offer.f: holds a control character (U+0085), which a one-line value does not hold, got 'x\\x85y'",
        f"offer.g: is longer than a cell holds (32,767 characters), got {'A' * 60!r}... (32,768 characters)"]
    cells = _cells({("C6", "Issuer"): "x\ufffey", ("C7", "Security"): "x\ty"})
    assert cells.text(("C6", "Issuer")) == "" and cells.text(("C7", "Security")) == "x\ty"
    assert [str(p) for p in cells.problems] == [
        "Inputs!C6: Issuer holds a noncharacter (U+FFFE), which a workbook cannot store, got 'x\\ufffey'"]


def test_a_blank_volume_or_price_is_said_to_be_blank_and_a_column_left_empty_once(tmp_path):
    """Review 133: a blank volume was refused as 'must be a number, got ''', and a column left empty gave a line a
    row (capped), where one line for the column says it."""
    from xlpy.files.prices import read_prices

    (tmp_path / "p.csv").write_text("date,price,volume\n2004-02-11,8.3,\n2004-02-12,,100\n2004-02-13,8.4,100\n")
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert [str(p) for p in info.value.problems] == [
        "p.csv: row 2, column volume: is blank: give the day's volume (0 for a day the stock did not trade)",
        "p.csv: row 3, column price: is blank: give the day's price"]
    (tmp_path / "p.csv").write_text("date,price,Volume\n" + "".join(f"2004-02-{d},8.3,\n" for d in range(10, 30)))
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert [str(p) for p in info.value.problems] == [
        "p.csv: column Volume: is blank in every row (all 20 of them): give each day's volume, as the price "
        "vendor's file has it"]
    with (tmp_path / "p.csv").open("a") as fh:  # (a row of separators under the lines, as Excel leaves one: review 137)
        fh.write(",,\n")
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert len(info.value.problems) == 1 and "is blank in every row (all 20 of them)" in str(info.value.problems[0])
    (tmp_path / "p.csv").write_text("date,price,volume\n2004-02-11,8.3,\n")  # (one row: the row, not the column)
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    assert [str(p) for p in info.value.problems] == [
        "p.csv: row 2, column volume: is blank: give the day's volume (0 for a day the stock did not trade)"]


@pytest.mark.parametrize("first", ["01/02/2004 0:00", "1/2/2004 12:00:00 AM", "01/02/04 4:00 p.m.", "1/2/04"])
def test_a_date_with_a_time_as_excel_writes_it_is_still_said_to_be_day_or_month_first(tmp_path, first):
    """Review 134: 01/02/2004 0:00 (how Excel writes a date and time to CSV) lost the clause; review 137: so did
    a time of day written with AM or PM, as Excel writes one in the United States."""
    from xlpy.files.prices import read_prices

    (tmp_path / "p.csv").write_text(f"date,price,volume\n{first},8.3,100\n{first},8.3,100\n")
    with pytest.raises(InputErrors) as info:
        read_prices(tmp_path / "p.csv")
    (said,) = [str(p) for p in info.value.problems]
    assert "rows does (a date such as 01/02/2004 could be day or month first): format" in said, said
