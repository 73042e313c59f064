"""The offer file and the files it names: good input read exactly, from each form it may be written in.

The offer texts are ``test_offerfile.py``'s, where every bad input is refused case by case.
"""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from repo_paths import ROOT as REPO
from test_offerfile import BASE, FORMULA, HOLDERS, PRICES, TALLY, edit

from xlpy import cli
from xlpy.engine import InputErrors
from xlpy.files import offerfile


def load_text(tmp_path: Path, text: str, files: dict[str, str] | None = None):
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    return offerfile.load(tmp_path / "offer.toml")


def test_numbers_read_from_their_text(tmp_path):
    text = edit(edit(BASE, "price = 7.39", "price = 0.1"), "ratio = 7.94", "ratio = 7.940")
    o = load_text(tmp_path, text)
    assert str(o.valuation.price) == "0.1"  # not 0.1000000000000000055511151231257827
    assert str(o.consideration.ratio) == "7.940"
    assert o.original_ratio == D("3.2") and o.outstanding == 464777 and type(o.outstanding) is int


def test_numbers_as_strings_and_integers(tmp_path):
    text = edit(edit(BASE, "tendered = 274000", 'tendered = "274,000"'), "outstanding = 464777",
                "outstanding = 464_777")
    o = load_text(tmp_path, edit(text, "price = 7.39", 'price = "7.39"'))
    assert (o.tally.tendered, o.outstanding, o.valuation.price) == (274000, 464777, D("7.39"))
    # an underscore in text is refused (review 96: Python's Decimal() read "464_777"); TOML's integer 464_777 is TOML's
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, edit(BASE, "outstanding = 464777", 'outstanding = "464_777"'))
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: offer.outstanding: must be a number written without '_' (an underscore is no thousands "
        "separator), got '464_777'"]
    # counts are TOML integers: a float, even a whole one, is refused (1e400 would be a 401-digit count)
    with pytest.raises(InputErrors, match=r"tally.tendered: must be a whole number written as an integer"):
        load_text(tmp_path, edit(BASE, "tendered = 274000", "tendered = 274000.0"))


def test_numbers_in_their_one_written_form(tmp_path):
    text = edit(edit(edit(BASE, "outstanding = 464777", 'outstanding = " 464,777 "'), "price = 7.39",
                     'price = "7.390"'), 'fractional = "cash"', 'fractional = "cash"\ncash_total = "1,234,567.5"')
    o = load_text(tmp_path, text)
    assert (o.outstanding, o.valuation.price, o.consideration.cash_total) == (464777, D("7.390"), D("1234567.5"))
    # the largest values the bounds allow are read and computed, and rounded without a decimal exception
    big = edit(edit(BASE, "price = 7.39", "price = 9999999.99"), "ratio = 7.94", "ratio = 9999999.123456")
    (tmp_path / "offer.toml").write_text(big, encoding="utf-8")
    _, r = offerfile.compute_file(tmp_path / "offer.toml")
    assert r.common_issued == 2739999759826  # 274,000 × 9,999,999.123456, fraction in cash


def test_exact_messages_for_numbers_dates_and_text(tmp_path):
    def problems(old, new):
        with pytest.raises(InputErrors) as info:
            load_text(tmp_path, edit(BASE, old, new))
        return [str(p) for p in info.value.problems]

    assert problems("ratio = 7.94", 'ratio = "7,94"') == [
        "offer.toml: offer.consideration.ratio: must be a number, got '7,94'"]
    assert problems("price = 7.39", "price = 10000000") == [
        "offer.toml: valuation.price: must be below 10,000,000 (the bound for a price per share), got 10000000"]
    assert problems("expiration = 2004-02-20", "expiration = 0001-01-01") == [
        "offer.toml: offer.expiration: must be a date from 1900-03-01 to 9999-12-31 (a serial number from 61 to "
        "2958465, the days a workbook holds), got 0001-01-01"]
    assert problems('issuer = "Hecla Mining Company"', 'issuer = "Hecla\\u0000Mining"') == [
        "offer.toml: offer.issuer: holds a control character (U+0000), which a workbook cannot store, got "
        "'Hecla\\x00Mining'"]
    assert problems('issuer = "Hecla Mining Company"', 'issuer = "x\\uFFFEy"') == [
        "offer.toml: offer.issuer: holds a noncharacter (U+FFFE), which a workbook cannot store, got 'x\\ufffey'"]
    assert problems('issuer = "Hecla Mining Company"', f'issuer = "{"A" * 40000}"') == [
        f"offer.toml: offer.issuer: is longer than a cell holds (32,767 characters), got {'A' * 60!r}... (40,000 "
        "characters)"]
    assert problems("schema = 1", "schema = true") == [
        "offer.toml: schema: must be 1 (the only schema this xlpy reads), got true"]
    # a list or a table is shown as TOML writes it, not as Python holds it ([Decimal('7.94')], {'ratio': ...})
    assert problems("ratio = 7.94", 'ratio = [7.94, "x", true, { a = 1 }]') == [
        'offer.toml: offer.consideration.ratio: must be a number, got [7.94, "x", true, { a = 1 }]']
    assert problems("[offer.consideration]", "[consideration]")[0] == (
        'offer.toml: consideration: is not a known key at the top of the file (did you mean [offer.consideration]?), '
        'got { ratio = 7.94, fractional = "cash" }')


def test_a_problem_of_a_later_exchange_names_its_own_table_when_an_earlier_one_is_bad(tmp_path):
    """An exchange that cannot be read is left out of those the engine checks: the second's ratio below the
    original is still named exchange[2], not the first's number."""
    exchanges = ("\n[[exchange]]\ndate = 2004-03-05\nunits = 20000\nratio = 7.5\nprice = -8.5\n"
                 "\n[[exchange]]\ndate = 2004-03-12\nunits = 13000\nratio = 3.0\nprice = 7.9\n")
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, BASE + exchanges)
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: exchange[1].price: must be > 0, got -8.5",
        "offer.toml: exchange[2].ratio: is below the original ratio 3.2: not an induced conversion, got 3.0"]


def test_a_cap_and_a_floor_finer_than_places_are_both_named(tmp_path):
    formula = ("[offer.consideration.formula]\nvalue = 66\nprices = \"p.csv\"\nplaces = 0\ncap = 8.255\n"
               "floor = 1.001\n")
    text = BASE.replace("\nratio = 7.94\n", "\n")  # the ratio set by formula instead
    days = "".join(f"2004-02-{d},8.8,1000\n" for d in ("11", "12", "13", "17", "18"))
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, text + formula, {"p.csv": "date,price,volume\n" + days})
    why = ("has more decimals than the ratio is rounded to (0), so the rounded ratio could pass it: give it to 0 "
           "decimals or raise places")
    assert [str(p) for p in info.value.problems] == [
        f"offer.toml: offer.consideration.formula.cap: {why}, got 8.255",
        f"offer.toml: offer.consideration.formula.floor: {why}, got 1.001"]


def test_byte_order_mark_is_read(tmp_path):
    (tmp_path / "offer.toml").write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))  # as Notepad saves UTF-8
    assert offerfile.load(tmp_path / "offer.toml").outstanding == 464777


def test_a_utf16_offer_file_is_read_and_another_encoding_named(tmp_path, capsys, monkeypatch):
    """Notepad's "Unicode" is UTF-16 after a byte-order mark, read as a tally in Excel's "Unicode Text" is; any
    other text that is not UTF-8 is named, with what to do."""
    (tmp_path / "offer.toml").write_bytes(BASE.encode("utf-16"))  # (the byte-order mark first)
    assert offerfile.load(tmp_path / "offer.toml").outstanding == 464777
    shutil.copytree(REPO / "workbook" / "offers" / "data", tmp_path / "data")  # build records the tally's mapping
    (tmp_path / "formula.toml").write_bytes((REPO / "workbook" / "offers" / "hecla-2004-formula.toml").read_text(
        encoding="utf-8").encode("utf-16"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "formula.toml", "-o", "book.xlsm", "--no-validate"]) == 0
    capsys.readouterr()
    (tmp_path / "offer.toml").write_bytes(BASE.replace("Hecla Mining Company", "Hecla Mining Compañía").encode("cp1252"))
    with pytest.raises(InputErrors) as info:
        offerfile.load(tmp_path / "offer.toml")
    at = BASE.index("Hecla Mining Company") + len("Hecla Mining Compa")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'offer.toml'}: is not UTF-8 text (byte 0xf1 at offset {at}); save it as UTF-8"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_utf16_without_its_mark_and_utf32_are_named(tmp_path, encoding):
    """Text in UTF-16 without a byte-order mark, or in UTF-32 (whose mark starts as UTF-16's does), reads as text
    with a NUL between characters: named as such, not as a TOML error at line 1."""
    for text in (BASE, BASE.replace("Hecla Mining Company", "Hecla Mining Compañía")):  # (ñ: not UTF-8 then)
        (tmp_path / "offer.toml").write_bytes(text.encode(encoding))
        with pytest.raises(InputErrors) as info:
            offerfile.load(tmp_path / "offer.toml")
        assert [str(p) for p in info.value.problems] == [
            f"{tmp_path / 'offer.toml'}: holds NUL characters (it is UTF-16 saved without a byte-order mark, or "
            "UTF-32); save it as UTF-8 text"]


def test_a_nul_in_an_otherwise_utf8_offer_file_is_named_where_it_is(tmp_path):
    at = BASE.index("[offer]")
    (tmp_path / "offer.toml").write_bytes(BASE[:at].encode() + b"\x00\x00" + BASE[at:].encode())
    with pytest.raises(InputErrors) as info:
        offerfile.load(tmp_path / "offer.toml")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'offer.toml'}: holds NUL characters (the first at offset {at}; a text editor shows them as "
        "blanks or boxes); save it as UTF-8 text"]


def test_original_ratio_from_conversion_price(tmp_path):
    # Forest City's 7% preferred: $50 / $15.12 = 625/189
    o = load_text(tmp_path, edit(BASE, "original_ratio = 3.2", "original_conversion_price = 15.12"))
    assert o.original_ratio == D("3.306878306878306878306878306878307")
    assert o.original_conversion_price == D("15.12")
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, edit(edit(BASE, "original_ratio = 3.2", "original_conversion_price = 15.12"),
                                 "face_per_unit = 50\n", ""))
    assert [p.field for p in info.value.problems] == ["offer.toml: offer.face_per_unit"]


def test_holder_tally_file(tmp_path):
    o = load_text(tmp_path, HOLDERS, {"tally.csv": TALLY})
    t = o.tally.holders
    assert t.holder_id == ("DTC-0001", "DTC-0002", "R-10001", "NGD-001")
    assert t.units == (150000, 120500, 2000, 3500)
    assert t.status == ("tendered", "tendered", "withdrawn", "tendered")
    _, r = offerfile.compute_file(tmp_path / "offer.toml")
    # 150,000 + 120,500 + 3,500 = 274,000 tendered and not withdrawn; 3,500 by guaranteed delivery
    assert (r.units_tendered, r.units_guaranteed_delivery, r.common_issued) == (274000, 3500, 2175560)


def test_tally_spellings_and_leading_zeros(tmp_path):
    body = ("Account,Shares Tendered,Delivery,Status\n"
            "007, 1000 ,DTC,valid\n"
            "7,500,Certificated,Withdrawn\n"
            "0007,\"1,250\",NGD,accepted\n")  # (1,500 would be a footer: the units of the lines above)
    o = load_text(tmp_path, HOLDERS, {"tally.csv": body})
    t = o.tally.holders
    assert t.holder_id == ("007", "7", "0007")  # ids are text: leading zeros kept
    assert t.units == (1000, 500, 1250)
    assert t.method == ("book-entry", "certificate", "guaranteed")
    assert t.status == ("tendered", "withdrawn", "tendered")


def test_semicolon_separated_exports(tmp_path):
    # Spreadsheet applications in many European locales export with ";" and a decimal comma.
    body = TALLY.replace(",", ";")
    o = load_text(tmp_path, HOLDERS, {"tally.csv": body})
    assert o.tally.holders.units == (150000, 120500, 2000, 3500)
    prices = PRICES.read_text(encoding="utf-8")
    european = "\n".join(";".join(cell.replace(".", ",") for cell in line.split(","))
                         for line in prices.splitlines()) + "\n"
    assert "8,45;" in european or ";8," in european  # the file really uses decimal commas
    (tmp_path / "prices.csv").write_text(european, encoding="utf-8")
    (tmp_path / "offer.toml").write_text(FORMULA, encoding="utf-8")
    _, r = offerfile.compute_file(tmp_path / "offer.toml")
    assert (r.average_price, r.offer_ratio) == (D("8.31"), D("7.94"))


def test_tally_defaults_stated_in_a_mapping_file(tmp_path):
    (tmp_path / "map.toml").write_text('[defaults]\nmethod = "book-entry"\nstatus = "tendered"\n', encoding="utf-8")
    text = edit(HOLDERS, 'file = "tally.csv"', 'file = "tally.csv"\nmapping = "map.toml"')
    o = load_text(tmp_path, text, {"tally.csv": "holder_id,units\nA,100\nB,200\n"})
    assert o.tally.holders.status == ("tendered", "tendered")
    assert o.tally.holders.method == ("book-entry", "book-entry")
    (tmp_path / "map.toml").write_text('[defaults]\nstatus = "maybe"\n', encoding="utf-8")
    with pytest.raises(InputErrors, match=r"map.toml: defaults.status: must be one of tendered, withdrawn, failed"):
        load_text(tmp_path, text, {"tally.csv": "holder_id,units\nA,100\n"})


def _refused_with(folder, text: str, mapping: str, tally: str = TALLY) -> list[str]:
    """The problems the offer file *text* in *folder* is refused for, its mapping data/map.toml holding *mapping* and
    its tally data/tally.csv *tally*."""
    (folder / "data" / "map.toml").write_text(mapping, encoding="utf-8")
    with pytest.raises(InputErrors) as got:
        load_text(folder, text, {"data/tally.csv": tally})
    return [str(p) for p in got.value.problems]


def test_a_problem_inside_a_file_in_a_folder_names_it_as_the_offer_file_writes_it(tmp_path):
    """Review 118's LOW: a refusal named the tally by its name alone (tally.file: tally.csv: row 2), where the offer
    file writes data/tally.csv and its "not found" and a refresh's --tally name the path as given."""
    (tmp_path / "data").mkdir()
    text = edit(HOLDERS, 'file = "tally.csv"', 'file = "data/tally.csv"\nmapping = "data/map.toml"')
    assert _refused_with(tmp_path, text, '[defaults]\nmethod = "book-entry"\n', TALLY.replace("150000", "10.5")) == [
        "offer.toml: tally.file: data/tally.csv: row 2, column units: must be a whole number, got '10.5'"]
    assert _refused_with(tmp_path, text, '[defaults]\nstatus = "maybe"\n') == [
        "offer.toml: tally.mapping: data/map.toml: defaults.status: must be one of tendered, withdrawn, failed, "
        "got 'maybe'"]
    shutil.copyfile(PRICES, tmp_path / "data" / "prices.csv")
    with (tmp_path / "data" / "prices.csv").open("a", encoding="utf-8") as f:
        f.write("2004-03-01,abc,1000\n")
    with pytest.raises(InputErrors) as got:
        load_text(tmp_path, edit(FORMULA, 'prices = "prices.csv"', 'prices = "data/prices.csv"'))
    said = str(got.value.problems[0])
    assert said.startswith("offer.toml: offer.consideration.formula.prices: data/prices.csv: row "), said


def test_a_mapping_s_problem_names_the_tally_in_its_folder_too(tmp_path):
    """Review 124's LOW: a mapping's column the tally lacks named the mapping as the offer file writes it but the
    tally, in its reason, by its name alone (``data/map.toml: columns.units: is not in tally.csv's header``); a
    quoted value of that name is a value, not renamed."""
    (tmp_path / "data").mkdir()
    text = edit(HOLDERS, 'file = "tally.csv"', 'file = "data/tally.csv"\nmapping = "data/map.toml"')
    assert _refused_with(tmp_path, text, '[columns]\nunits = "Units"\n') == [
        "offer.toml: tally.mapping: data/map.toml: columns.units: is not in data/tally.csv's header; the header has "
        "'units': a mapping names a header exactly, as it is written, got 'Units'"]
    said = _refused_with(tmp_path, text, '[columns]\nunits = "tally.csv"\n')
    assert said[0].startswith("offer.toml: tally.mapping: data/map.toml: columns.units: is not in data/tally.csv's "
                              "header") and said[0].endswith(", got 'tally.csv'"), said


def test_a_mappings_problem_met_as_the_tally_is_read_names_the_mapping_as_the_offer_file_writes_it(tmp_path):
    """A mutation review: a mapping's problem found only as the tally is read (a sheet named for a CSV tally) is
    named by the mapping's path as the offer file writes it (maps/map.toml), not by its name alone; renamed as the
    tally's path in its place (map.toml), no test failed, as the mapping and the tally sat in one folder."""
    (tmp_path / "data").mkdir()
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "map.toml").write_text('sheet = "Tenders"\n', encoding="utf-8")
    text = edit(HOLDERS, 'file = "tally.csv"', 'file = "data/tally.csv"\nmapping = "maps/map.toml"')
    with pytest.raises(InputErrors) as got:
        load_text(tmp_path, text, {"data/tally.csv": TALLY})
    assert [str(p) for p in got.value.problems] == [
        "offer.toml: tally.mapping: maps/map.toml: sheet: names a worksheet, but data/tally.csv is a CSV file, which "
        "has none: leave the key out of the mapping file for a CSV tally (it names the sheet of an XLSX one), got "
        "'Tenders'"]


def test_formula_offer(tmp_path):
    shutil.copyfile(PRICES, tmp_path / "prices.csv")
    (tmp_path / "offer.toml").write_text(FORMULA, encoding="utf-8")
    _, r = offerfile.compute_file(tmp_path / "offer.toml")
    # 84,105,510 / 10,121,000 = 8.31; 66 / 8.31 = 7.9422 -> 7.94
    assert (r.average_price, r.offer_ratio) == (D("8.31"), D("7.94"))
    assert (r.averaging_start.isoformat(), r.averaging_end.isoformat()) == ("2004-02-11", "2004-02-18")


def test_a_formula_without_lag_days_ends_its_window_two_trading_days_before_expiration(tmp_path):
    """lag_days left out is 2, the example offer's (its window ends 2004-02-18, two trading days before the 20th):
    the same offer read and computed as with it written.  Review 111: no test left it out."""
    from repo_paths import DATA
    from repo_paths import FORMULA as FORMULA_FILE

    shutil.copytree(DATA, tmp_path / "data")
    text = FORMULA_FILE.read_text(encoding="utf-8")
    assert text.count("\nlag_days = 2\n") == 1
    (tmp_path / "written.toml").write_text(text, encoding="utf-8")
    (tmp_path / "left-out.toml").write_text(text.replace("\nlag_days = 2\n", "\n"), encoding="utf-8")
    left_out, r = offerfile.compute_file(tmp_path / "left-out.toml")
    written, w = offerfile.compute_file(tmp_path / "written.toml")
    assert left_out.consideration.formula.lag_days == written.consideration.formula.lag_days == 2
    assert r == w and r.averaging_end.isoformat() == "2004-02-18" and r.offer_ratio == D("7.94")

_LAG_2 = "5 trading days ending 2 before it needs 6 trading days before it"
_LAG_0 = "5 trading days ending on it (or the last trading day before it) needs 5 trading days up to it"


@pytest.mark.parametrize("expiration, lag, said", [
    ("1989-12-01", 2, f"{_LAG_2}, and the calendar has none"), ("1990-01-02", 2, f"{_LAG_2}, and the calendar has none"),
    ("1990-01-03", 2, f"{_LAG_2}, and the calendar has 1"), ("1990-01-05", 2, f"{_LAG_2}, and the calendar has 3"),
    ("1990-01-05", 0, f"{_LAG_0}, and the calendar has 4")])
def test_an_expiration_at_the_start_of_the_calendars_records_is_named_not_lag_days(tmp_path, expiration, lag, said):
    """QA: an offer expiring before or just after the first day XNYS knows (1990-01-02) was told "lag_days: must be at
    most 1" or "averaging_days: must be at most 2 with a lag of 2", or "calendar: has no sessions", got 'XNYS': the
    expiration is at fault, and where the calendar's records start is what to know."""
    shutil.copyfile(PRICES, tmp_path / "prices.csv")
    text = FORMULA.replace("expiration = 2004-02-20", f"expiration = {expiration}")
    (tmp_path / "offer.toml").write_text(text.replace("lag_days = 2", f"lag_days = {lag}"), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        offerfile.compute_file(tmp_path / "offer.toml")
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: offer.expiration: is too early for calendar XNYS, whose records start on 1990-01-02: a window of "
        f"{said}, got {expiration}"]


@pytest.mark.parametrize("key, value", [("averaging_days", "20040220"), ("lag_days", "1000000"),
                                        ("lag_days", "10001")])
def test_a_window_of_more_than_10000_trading_days_is_named_by_its_key(tmp_path, key, value):
    """Review: lag_days = 1000000 (or averaging_days typed as a date) ended compute, build and refresh in a traceback
    (OverflowError: date value out of range): the calendar days searched for the window passed year 1."""
    shutil.copyfile(PRICES, tmp_path / "prices.csv")
    default = {"averaging_days": "5", "lag_days": "2"}[key]
    (tmp_path / "offer.toml").write_text(FORMULA.replace(f"{key} = {default}", f"{key} = {value}"), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        offerfile.compute_file(tmp_path / "offer.toml")
    assert [str(p) for p in info.value.problems] == [
        f"offer.toml: offer.consideration.formula.{key}: must be at most 10,000 (trading days, about 40 years), "
        f"got {value}"]


def test_a_count_above_its_limit_is_shown_as_the_limit_beside_it_is(tmp_path, capsys):
    """A review: build said "offer.max_units: must not exceed offer.outstanding (464777), got 500000" and "got 4000"
    for the failed deliveries, where the count files and the rest of xlpy write 464,777."""
    text = edit(edit(BASE, "expiration = 2004-02-20", "expiration = 2004-02-20\nmax_units = 500000"),
                "failed_delivery = 0", "failed_delivery = 4000")
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(tmp_path / "o.xlsm")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy build: offer.toml: tally.failed_delivery: must not exceed tally.guaranteed_delivery (3,500), got 4,000",
        "xlpy build: offer.toml: offer.max_units: must not exceed offer.outstanding (464,777), got 500,000"]
    assert not (tmp_path / "o.xlsm").exists()
    later = "\n[[exchange]]\ndate = 2004-03-01\nunits = 200000\nratio = 7.94\nprice = 7.5\n"
    (tmp_path / "offer.toml").write_text(BASE + later, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        offerfile.compute_file(tmp_path / "offer.toml")
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: exchange: units accepted in all exchanges exceed offer.outstanding (464,777), got 474,000"]


@pytest.mark.parametrize("old, new, said", [
    ("outstanding = 464777", "outstanding = -464777",
     "offer.outstanding: must be a positive whole number, got -464,777"),
    ("outstanding = 464777", "outstanding = 10_000_000_000_000_000", "offer.outstanding: must be below "
     "1,000,000,000,000,000 (Excel holds 15 digits exactly), got 10,000,000,000,000,000"),
    # text is shown as typed, a month (or a year typed for one) and money as written
    ("outstanding = 464777", 'outstanding = "-464777"', "offer.outstanding: must be a positive whole number, "
     "got '-464777'"),
    ("expiration = 2004-02-20", "expiration = 2004-02-20\nfiscal_year_end_month = 13", "offer.fiscal_year_end_month: "
     "must be a month, 1 to 12 (12: the calendar year), got 13"),
    ("expiration = 2004-02-20", "expiration = 2004-02-20\nfiscal_year_end_month = 2004", "offer.fiscal_year_end_month: "
     "must be a month, 1 to 12 (12: the calendar year), got 2004"),
    ('fractional = "cash"', 'fractional = "cash"\ncash_total = 10000000000000', "offer.consideration.cash_total: "
     "must be below 10,000,000,000,000 (the bound for an amount in total), got 10000000000000")])
def test_only_a_count_is_shown_with_thousands_separators(tmp_path, old, new, said):
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, edit(BASE, old, new))
    assert [str(p) for p in info.value.problems] == [f"offer.toml: {said}"]


def test_load_reports_all_problems_at_once(tmp_path):
    text = edit(edit(edit(BASE, "outstanding = 464777", "outstanding = -1"), "price = 7.39", "price = nan"),
                'kind = "preferred"', 'kind = "bond"')
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, text)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["offer.toml: offer.kind", "offer.toml: offer.outstanding", "offer.toml: valuation.price"]


def test_a_ratio_below_the_original_is_reported_beside_a_bad_tally(tmp_path):
    """The ratio needs no tally: one run names both, so the file is not fixed twice."""
    (tmp_path / "t.csv").write_text("holder_id,units,method,status\nA,10.5,book-entry,tendered\n")
    text = edit(edit(BASE, "ratio = 7.94", "ratio = 3.0"), "tendered = 274000", 'file = "t.csv"')
    text = text.replace("guaranteed_delivery = 3500\n", "").replace("failed_delivery = 0\n", "")
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, text)
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: tally.file: t.csv: row 2, column units: must be a whole number, got '10.5'",
        "offer.toml: offer.consideration.ratio: is below offer.original_ratio (3.2): not an induced conversion; "
        "give [extinguishment] carrying_amount to measure it as an extinguishment or redemption, got 3.0"]


def test_a_ratio_that_is_the_conversion_prices_ratio_rounded_points_at_original_ratio(tmp_path):
    """R0 from a conversion price (50 ÷ 15.14 = 3.30250990...) and an offer at the terms' rounded rate (3.3025,
    the shares plus a cash premium): the refusal showed R0 to 34 digits and said nothing of original_ratio. The
    hint is for a rate of 3 places or more, R0 not ending; a ratio of fewer places is lower, not rounded."""
    text = edit(edit(BASE, "original_ratio = 3.2", "original_conversion_price = 15.14"), "ratio = 7.94",
                "ratio = 3.3025")
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        offerfile.compute_file(tmp_path / "offer.toml")
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: offer.consideration.ratio: is below offer.original_ratio (3.3025099075..., offer.face_per_unit "
        "÷ offer.original_conversion_price 15.14): not an induced conversion; give [extinguishment] carrying_amount to "
        "measure it as an extinguishment or redemption; 3.3025 is that ratio rounded to 4 places: if the terms "
        "state the conversion rate as 3.3025, give offer.original_ratio = 3.3025 instead of "
        "original_conversion_price, got 3.3025"]
    # as the message says: the stated rate is R0, and the offer is an induced conversion of no extra shares
    (tmp_path / "offer.toml").write_text(edit(text, "original_conversion_price = 15.14", "original_ratio = 3.3025"),
                                         encoding="utf-8")
    _, r = offerfile.compute_file(tmp_path / "offer.toml")
    assert (r.offer_ratio, r.original_ratio, r.incremental_shares) == (D("3.3025"), D("3.3025"), 0)
    # a ratio below R0 that is not R0 rounded gets no hint
    text = edit(text, "ratio = 3.3025", "ratio = 3.29")
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        offerfile.compute_file(tmp_path / "offer.toml")
    assert "rounded" not in str(info.value) and "(3.3025099075..., offer.face_per_unit ÷" in str(info.value)
    for ratio in ("3.30", "3.3"):  # R0 rounded to fewer than 3 places: a lower offer, not a stated rate
        (tmp_path / "offer.toml").write_text(edit(text, "ratio = 3.29", f"ratio = {ratio}"), encoding="utf-8")
        with pytest.raises(InputErrors) as info:
            offerfile.compute_file(tmp_path / "offer.toml")
        assert "rounded" not in str(info.value), ratio


def test_a_mapping_files_problem_names_the_key_that_names_it(tmp_path):
    """As a tally's lines are named after `tally.file`, a mapping file's problems come after `tally.mapping`."""
    text = edit(BASE, "tendered = 274000", 'file = "t.csv"\nmapping = "map.toml"').replace(
        "guaranteed_delivery = 3500\n", "").replace("failed_delivery = 0\n", "")
    files = {"t.csv": "holder_id,units,method,status\nA,10,book-entry,tendered\n", "map.toml": 'encoding = "klingon"\n'}
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, text, files)
    assert [str(p) for p in info.value.problems] == [
        "offer.toml: tally.mapping: map.toml: encoding: must be the name of a character set a CSV file is saved in "
        "(e.g. utf-8, cp1252, latin-1, utf-16), got 'klingon'"]
    # a tally whose columns only the mapping names: not read without it, so not called short of its columns
    files = {"t.csv": "Acct,Shs,method,status\nA,10,book-entry,tendered\n",
             "map.toml": 'encoding = "klingon"\n[columns]\nholder_id = "Acct"\nunits = "Shs"\n'}
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, text, files)
    assert [p.field for p in info.value.problems] == ["offer.toml: tally.mapping: map.toml: encoding"]
    # ... but a tally file that is not there is said at once, beside the mapping's problem
    with pytest.raises(InputErrors) as info:
        load_text(tmp_path, text.replace('file = "t.csv"', 'file = "gone.csv"'), files)
    assert [p.reason for p in info.value.problems][1:] == ["tally file not found"], info.value.problems


def test_a_workbook_given_as_the_offer_file_is_named_as_such(tmp_path):
    book = tmp_path / "offer.xlsm"
    shutil.copyfile(REPO / "workbook" / "offer_results.xlsm", book)
    with pytest.raises(InputErrors) as info:
        offerfile.load(book)
    assert [str(p) for p in info.value.problems] == [
        f"{book}: is a workbook or another ZIP package, not an offer file (TOML); xlpy validate, refresh and "
        "render take workbooks"]


def test_a_workbook_is_not_built_for_figures_past_what_it_holds(tmp_path):
    """Each field within its bound, but their product past 15 significant digits: the engine computes it
    exactly, a workbook would round it, so the build refuses it and writes nothing."""
    text = (REPO / "workbook/offers/hecla-2004.toml").read_text()
    text = text.replace("outstanding = 464777 ", "outstanding = 900000000000000 ")
    text = text.replace("tendered = 274000 ", "tendered = 800000000000000 ")
    path = tmp_path / "huge.toml"
    path.write_text(text)
    offer, results = offerfile.compute_file(path)
    assert results.common_issued == 6352000000000000  # exact in the engine
    from xlpy.workbook.build import build_workbook

    with pytest.raises(InputErrors) as info:
        build_workbook(offer, results, tmp_path / "huge.xlsm")
    assert [p.field for p in info.value.problems] == [
        "common stock issued", "common stock outstanding after the offer", "fair value of the offer's consideration",
        "fair value under the original terms", "offer: units x ratio in parts of 1/1,000,000 share",
        "Sensitivity grid: fair value of the offer's consideration for 900,000,000,000,000 units at 8.868 a share",
        "Sensitivity grid: fair value under the original terms for 900,000,000,000,000 units at 8.868 a share"]
    assert str(info.value.problems[0]) == (
        "common stock issued: must be below 1,000,000,000,000,000 for a workbook (it holds 15 digits of whole "
        "shares exactly); check offer.outstanding, the ratios and valuation.price, got 6,352,000,000,000,000")
    assert str(info.value.problems[2]).endswith(", got 46941280000000000.0000")  # (money as it is)
    assert list(tmp_path.iterdir()) == [path]


def test_a_workbook_refuses_shares_it_cannot_count_exactly_in_parts_of_a_share(tmp_path):
    """Below 10^15 shares but past 2^53 parts of 1/1,000,000 share: the workbook's INT and MOD of units x ratio
    parts would give one share too many and no fraction."""
    text = (REPO / "workbook/offers/hecla-2004.toml").read_text()
    text = text.replace("outstanding = 464777 ", "outstanding = 27897430389 ")
    text = text.replace("tendered = 274000 ", "tendered = 27897430389 ")
    text = text.replace("guaranteed_delivery = 3500 ", "guaranteed_delivery = 0 ")
    text = text.replace("ratio = 7.94 ", "ratio = 3.445964 ")
    path = tmp_path / "parts.toml"
    path.write_text(text)
    offer, results = offerfile.compute_file(path)
    assert results.common_issued == 96133540812 and results.fractional_shares == D("0.999996")
    from xlpy.workbook.build import build_workbook

    with pytest.raises(InputErrors) as info:
        build_workbook(offer, results, tmp_path / "parts.xlsm")
    assert [str(p) for p in info.value.problems] == [
        "offer: units x ratio in parts of 1/1,000,000 share: must be below 2^53 (9,007,199,254,740,992) for a "
        "workbook, which counts shares in those parts exactly only below it; check offer.outstanding and the ratios, "
        "got 96,133,540,812,999,996"]
    assert list(tmp_path.iterdir()) == [path]


def test_a_mapping_s_empty_sheet_or_a_header_not_written_as_text_is_named(tmp_path):
    """``sheet = ""`` would read the first sheet, not a named one; ``holder_id = 5`` is no header as written: each
    is the mapping file's problem, named by its key, not the tally's."""
    from xlpy.files import sources

    path = tmp_path / "map.toml"
    path.write_text('sheet = ""\n[columns]\nholder_id = 5\nunits = " "\nmethod = "Method"\n', encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        sources.read_mapping(path)
    assert [str(p) for p in info.value.problems] == [
        'map.toml: columns.holder_id: must be the column\'s header as written in the tally, in quotes (holder_id = '
        '"Account"), got 5',
        'map.toml: columns.units: must be the column\'s header as written in the tally, in quotes (holder_id = '
        '"Account"), got \' \'',
        "map.toml: sheet: must be the name of a worksheet (leave the key out to read the first sheet), got ''"]
    path.write_text('sheet = "Tally"\n[columns]\nholder_id = "Acct"\n', encoding="utf-8")
    assert sources.read_mapping(path).sheet == "Tally"


@pytest.mark.parametrize("depth", [33, 900, 1000])
def test_toml_nested_too_deeply_is_refused_in_one_line(tmp_path, depth):
    """A thousand ``[`` ran Python's TOML reader out of stack: a RecursionError traceback, for an offer file and a
    mapping file alike.  Nesting that parses, but far deeper than any key of xlpy's, is refused the same way."""
    from xlpy.files import sources

    deep = "x = " + "[" * depth + "]" * depth + "\n"
    offer = tmp_path / "offer.toml"
    offer.write_text(deep + (REPO / "workbook" / "offers" / "hecla-2004.toml").read_text(encoding="utf-8"))
    why = "nests arrays or tables within one another more than 32 deep, which no key of xlpy's is: it is not read"
    with pytest.raises(InputErrors) as info:
        offerfile.load(offer)
    assert [str(p) for p in info.value.problems] == [f"offer.toml: {why}"]
    (tmp_path / "map.toml").write_text("[columns]\nunits = \"Shares\"\n" + deep.replace("x =", "[y]\nz ="))
    with pytest.raises(InputErrors) as info:
        sources.read_mapping(tmp_path / "map.toml")
    assert [str(p) for p in info.value.problems] == [f"map.toml: {why}"]


def test_toml_nested_32_deep_is_read(tmp_path):
    (tmp_path / "map.toml").write_text("x = " + "[" * 31 + "]" * 31 + "\n")
    from xlpy.files import sources

    with pytest.raises(InputErrors) as info:
        sources.read_mapping(tmp_path / "map.toml")
    assert str(info.value.problems[0]) == "map.toml: x: is not a known key of a mapping file (its tables: " \
        "[columns], [methods], [statuses], [defaults], [holders]; its keys: encoding, sheet)"


@pytest.mark.parametrize("text, said", [
    ('[colums]\nunits = "Shs"\n', "colums: is not a known table of a mapping file (did you mean [columns]?)"),
    ('[Columns]\nunits = "Shs"\n', "Columns: is not a known table of a mapping file (did you mean [columns]? keys "
     "and tables are written in lower case)"),
    ('encodng = "cp1252"\n', "encodng: is not a known key of a mapping file (did you mean encoding?)"),
])
def test_a_mapping_files_misspelt_table_or_key_is_named_with_the_one_meant(tmp_path, text, said):
    """A mapping file's misspelt table said ``colums: unknown key, got {'units': 'Shs'}``, unlike an offer file's."""
    from xlpy.files import sources

    (tmp_path / "map.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        sources.read_mapping(tmp_path / "map.toml")
    assert [str(p) for p in info.value.problems] == [f"map.toml: {said}"]
