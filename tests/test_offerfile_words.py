"""The offer file's problems in a person's words (review 104): a date-time's value where --json gives every value, an
unknown key with the key meant or the table it belongs in, the TOML reader's own words for a table or a key given
twice and quoted text left open, an empty file and a tally given in the offer file's place named as such, and a
number's text naming what in it is no number's."""

from __future__ import annotations

import json

import pytest
from test_offerfile import BASE, TALLY, edit

from xlpy import cli


def said(tmp_path, capsys, text: str, *argv: str, name: str = "offer.toml") -> list[str]:
    """The lines ``xlpy compute`` prints of the offer file *text*, refused (exit status 2)."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert cli.main(["compute", str(tmp_path / name), *argv]) == 2
    out, err = capsys.readouterr()
    lines = [line.removeprefix(f"xlpy compute: {tmp_path / name}: ").removeprefix(f"xlpy compute: {name}: ")
             for line in err.splitlines()]
    return [json.loads(out)] if argv else lines


def test_a_date_time_is_the_value_json_gives_as_every_other_key_s(tmp_path, capsys):
    """Review 104, L1: ``"value": null`` and the value inside the reason, of a date-time alone."""
    (got,) = said(tmp_path, capsys, edit(BASE, "expiration = 2004-02-20", "expiration = 2004-02-20T12:00:00"),
                  "--json")
    (problem,) = got["errors"]
    assert (problem["value"], problem["reason"]) == ("2004-02-20 12:00:00",
                                                     "must be a date without a time (YYYY-MM-DD)")
    assert problem["message"].endswith("offer.expiration: must be a date without a time (YYYY-MM-DD), got "
                                       "2004-02-20 12:00:00")
    # at midnight its time is still shown as typed (a TOML date-time is no date), in its value too
    (got,) = said(tmp_path, capsys, edit(BASE, "outstanding = 464777", "outstanding = 2004-02-20T00:00:00"), "--json")
    assert [(p["value"], p["reason"]) for p in got["errors"]] == [("2004-02-20 00:00:00", "must be a number")]


def test_an_unknown_key_names_the_key_meant_or_the_table_it_belongs_in(tmp_path, capsys):
    """Review 104, L2: ``offer.orignal_ratio: is not a known key`` said nothing of original_ratio; ``max_units``
    under [tally] nothing of [offer]."""
    assert said(tmp_path, capsys, edit(BASE, "original_ratio = 3.2", "orignal_ratio = 3.2")) == [
        "offer.orignal_ratio: is not a known key (did you mean original_ratio?), got 3.2",
        "offer.original_ratio: is required (or original_conversion_price with face_per_unit), got nothing"]
    assert said(tmp_path, capsys, edit(BASE, "failed_delivery = 0", "failed_delivery = 0\nmax_units = 300000")) == [
        "tally.max_units: is not a known key of [tally]: it belongs in [offer] (a key belongs to the table whose "
        "header is above it: move it under [offer]), got 300000"]
    assert said(tmp_path, capsys, edit(BASE, "schema = 1", "schema = 1\nprice = 7.39")) == [
        "price: is not a known key at the top of the file: it belongs in [valuation] or [[exchange]] (a key belongs to "
        "the table whose header is above it: move it under [valuation] or [[exchange]]), got 7.39"]
    # a table or a key in capitals (review 105: [Offer] was told "did you mean offer?", as if a key)
    assert said(tmp_path, capsys, edit(BASE, "[offer]", "[Offer]"))[0].startswith(
        "Offer: is not a known key (did you mean [offer]? keys and tables are written in lower case), got {")
    assert said(tmp_path, capsys, edit(BASE, "tendered = 274000", "Tendered = 274000"))[0] == (
        "tally.Tendered: is not a known key (did you mean tendered? keys and tables are written in lower case), "
        "got 274000")
    # a key of no table, close to none: as before
    assert said(tmp_path, capsys, edit(BASE, "failed_delivery = 0", "failed_delivery = 0\nfoo = 1")) == [
        "tally.foo: is not a known key, got 1"]


def test_the_toml_reader_s_words_are_put_in_a_person_s(tmp_path, capsys):
    """Review 104, L3: ``Cannot declare ('valuation',) twice`` (a Python tuple), ``Cannot overwrite a value`` and
    ``Illegal character '\\n'``; the line and its text are shown as before."""
    twice = BASE + "\n[valuation]\nprice = 7.40\n"
    assert said(tmp_path, capsys, twice) == [
        "is not valid TOML: the table [valuation] is given twice (at line 26, column 11; first at line 22), got "
        "'[valuation]'"]
    assert said(tmp_path, capsys, edit(BASE, "price = 7.39", "price = 7.39\nprice = 7.40  # again")) == [
        "is not valid TOML: valuation.price is given twice (at line 25, column 13; first at line 24), got "
        "'price = 7.40'"]
    exchanges = BASE + "\n[[exchange]]\ndate = 2004-06-01\n\n[[exchange]]\ndate = 2004-07-01\ndate = 2004-07-02\n"
    assert said(tmp_path, capsys, exchanges)[0].startswith(
        "is not valid TOML: exchange[2].date is given twice (at line 31, column 18; first at line 30)")
    assert said(tmp_path, capsys, edit(BASE, 'issuer = "Hecla Mining Company"', 'issuer = "Hecla Mining Company')) == [
        'is not valid TOML: the quoted text on line 5 is not closed: a " is missing at its end (at line 5, column 31), '
        "got 'issuer = \"Hecla Mining Company'"]
    # review 105: a single-quoted text not closed (the reader ran to the file's end, naming no line), and a key given
    # twice inside an inline table
    assert said(tmp_path, capsys, edit(BASE, 'issuer = "Hecla Mining Company"', "issuer = 'Hecla Mining Company"))[
        0] == ("is not valid TOML: the quoted text on line 5 is not closed: a ' is missing at its end (the reader ran "
               "to the end of the file)")
    assert said(tmp_path, capsys, edit(BASE, "ratio = 7.94", "ratio = 7.94\nformula = {value = 1, value = 2}"))[
        0].startswith("is not valid TOML: value is given twice in the inline table on line ")
    # one not recognised for sure is told in the reader's words: a table given where a key is a value already
    assert said(tmp_path, capsys, "schema = 1\ntally = 5\n[tally]\n") == [
        "is not valid TOML: Cannot overwrite a value (at line 3, column 7), got '[tally]'"]


@pytest.mark.parametrize("text, start", [("", "is empty"), ("  \n\n\t\n", "is empty"),
                                         ("# Hecla, 2004\n\n", "holds only comments")])
def test_an_offer_file_holding_nothing_says_so_and_what_it_should_hold(tmp_path, capsys, text, start):
    """Review 104, L4: ``schema: must be 1 (the only schema this xlpy reads), got nothing``."""
    assert said(tmp_path, capsys, text) == [
        f"{start}: an offer file gives the offer's terms in TOML, from schema = 1 on, as the example offer file does "
        "(hecla-2004.toml, installed with xlpy as xlpy/examples; xlpy docs offer-file lists every key; xlpy build "
        "with no offer file builds the example)"]


def test_a_tally_given_in_the_offer_file_s_place_is_named_as_one(tmp_path, capsys):
    """Review 104, L4: a tally given as the offer file was ``is not valid TOML: Expected '=' after a key...``."""
    assert said(tmp_path, capsys, TALLY, name="tally.csv") == [
        "is a CSV file (a tally?), not an offer file (TOML): an offer file names its tally in [tally], file = "
        "\"tally.csv\", got 'holder_id,units,method,status'"]
    assert said(tmp_path, capsys, TALLY.replace(",", ";"), name="t.csv")[0].startswith("is a CSV file (a tally?)")
    # TOML whose first line is a comment with commas, or a key, is still told as TOML
    assert said(tmp_path, capsys, "# Hecla, 2004\nschema = 1 $\n")[0].startswith("is not valid TOML: Expected newline")
    assert said(tmp_path, capsys, "a, b = 1\n")[0].startswith("is not valid TOML")
    # JSON or YAML with commas on its first line is no tally either (review 105): told as TOML that does not read
    for text in ('{"schema": 1, "offer": {"id": "x"}}\n', "schema: 1, offer: x\n", "---, x\n"):
        assert said(tmp_path, capsys, text)[0].startswith("is not valid TOML"), text


def test_a_number_s_text_names_what_in_it_is_no_number_s(tmp_path, capsys):
    """Review 104, L9: ``must be a number, got '−274000'`` looked like a number: the minus sign (U+2212) is named as
    a tally's holder id names a zero-width space; spaces between thousands are told as a tally's are."""
    assert said(tmp_path, capsys, edit(BASE, "tendered = 274000", 'tendered = "\u2212274000"')) == [
        "tally.tendered: must be a number: it holds U+2212 (MINUS SIGN), not the minus sign a number is written with: "
        "write -274000, got '\u2212274000'"]
    assert said(tmp_path, capsys, edit(BASE, "outstanding = 464777", 'outstanding = "464\xa0777"')) == [
        "offer.outstanding: must be a number: spaces do not separate thousands in an offer file: write 464777 or "
        "464,777, not 464 777, got '464\\xa0777'"]
    for space in "\u2009\u2007":  # (a thin space, a figure space: review 105)
        got = said(tmp_path, capsys, edit(BASE, "outstanding = 464777", f'outstanding = "464{space}777"'))
        assert got[0].startswith("offer.outstanding: must be a number: spaces do not separate thousands in an offer "
                                 "file: write 464777"), got
    assert said(tmp_path, capsys, edit(BASE, "price = 7.39", 'price = "7.39\u200b"')) == [
        "valuation.price: must be a number: it holds U+200B (ZERO WIDTH SPACE): write 7.39, got '7.39\\u200b'"]
    assert said(tmp_path, capsys, edit(BASE, "price = 7.39", 'price = "7,39\u20ac"')) == [
        "valuation.price: must be a number: it holds U+20AC (EURO SIGN): a number is written in ASCII (the digits 0-9, "
        "a sign, a decimal point, commas between thousands), got '7,39\u20ac'"]
    assert said(tmp_path, capsys, edit(BASE, "price = 7.39", 'price = "abc"')) == [
        "valuation.price: must be a number, got 'abc'"]
