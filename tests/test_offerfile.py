"""The offer file and the files it names: good input read exactly, every bad input refused.

Each bad input of issue 2 ("Bad input") is a separate case, run through the
command line in process (``xlpy.cli.main``): exit status 2, one line per
problem on standard error naming the file, the key (or the CSV row and
column) and the bad value, no traceback, nothing on standard output and no
file written.  ``test_cli.py`` runs every one of them again through the real
command, in a subprocess.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path

import pytest
from repo_paths import ROOT as REPO

from xlpy import cli
from xlpy.engine import InputErrors
from xlpy.files import offerfile

PRICES = REPO / "workbook" / "offers" / "data" / "hecla-2004-prices-illustrative.csv"

BASE = """\
schema = 1

[offer]
id = "bad-input-base"
issuer = "Hecla Mining Company"
kind = "preferred"
face_per_unit = 50
outstanding = 464777
original_ratio = 3.2
common_outstanding_before = 115000000
expiration = 2004-02-20

[offer.consideration]
ratio = 7.94
fractional = "cash"

[tally]
tendered = 274000
guaranteed_delivery = 3500
failed_delivery = 0

[valuation]
date = 2004-02-20
price = 7.39
"""

FORMULA = BASE.replace(
    'ratio = 7.94\nfractional = "cash"\n',
    'fractional = "cash"\nfractional_price = 8.31\n\n[offer.consideration.formula]\nvalue = 66.00\n'
    'prices = "prices.csv"\ncalendar = "XNYS"\naveraging_days = 5\nlag_days = 2\ncap = 8.25\nplaces = 2\n',
)
assert "[offer.consideration.formula]" in FORMULA

HOLDERS = BASE.replace(
    "tendered = 274000\nguaranteed_delivery = 3500\nfailed_delivery = 0\n", 'file = "tally.csv"\n'
)

TALLY = """\
holder_id,units,method,status
DTC-0001,150000,book-entry,tendered
DTC-0002,120500,book-entry,tendered
R-10001,2000,certificate,withdrawn
NGD-001,3500,guaranteed,tendered
"""


@dataclass
class Case:
    """One bad input: the offer text, extra files, and the (key, value) each stderr line must name."""

    id: str
    offer: str
    expect: list[tuple[str, str]]
    files: dict[str, str] = field(default_factory=dict)
    prices: bool = False  # copy the illustrative price file in as prices.csv
    path: str = "offer.toml"  # the file given on the command line


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def tally_case(id, rows, expect, **kw):
    """A holder-tally case: the rows replace the body of TALLY."""
    return Case(id, HOLDERS, expect, files={"tally.csv": "holder_id,units,method,status\n" + rows}, **kw)


def prices_case(id, csv_text, expect):
    return Case(id, FORMULA, expect, files={"prices.csv": csv_text})


def prices_without(day: str) -> str:
    return "".join(line for line in PRICES.read_text().splitlines(keepends=True) if not line.startswith(day))


BAD = [
    # --- counts -------------------------------------------------------------------------
    Case("negative-outstanding", edit(BASE, "outstanding = 464777", "outstanding = -5"),
         [("offer.outstanding", "-5")]),
    Case("fractional-outstanding", edit(BASE, "outstanding = 464777", "outstanding = 464777.5"),
         [("offer.outstanding", "464777.5")]),
    Case("float-outstanding", edit(BASE, "outstanding = 464777", "outstanding = 1e400"),
         [("offer.outstanding", "got 1e400")]),
    Case("count-beyond-excel", edit(BASE, "outstanding = 464777", "outstanding = 10_000_000_000_000_000"),
         [("offer.outstanding", "got 10,000,000,000,000,000")]),
    Case("negative-tendered", edit(BASE, "tendered = 274000", "tendered = -274000"),
         [("tally.tendered", "got -274,000")]),
    Case("fractional-tendered", edit(BASE, "tendered = 274000", "tendered = 274000.5"),
         [("tally.tendered", "274000.5")]),
    Case("fractional-guaranteed", edit(BASE, "guaranteed_delivery = 3500", "guaranteed_delivery = 3500.25"),
         [("tally.guaranteed_delivery", "3500.25")]),
    Case("negative-failed", edit(BASE, "failed_delivery = 0", "failed_delivery = -1"),
         [("tally.failed_delivery", "-1")]),
    Case("non-numeric-count", edit(BASE, "tendered = 274000", 'tendered = "about 274,000"'),
         [("tally.tendered", "'about 274,000'")]),
    Case("tendered-above-outstanding", edit(BASE, "tendered = 274000", "tendered = 500000"),
         [("tally.tendered: must not exceed offer.outstanding (464,777)", "got 500,000")]),
    Case("guaranteed-above-tendered", edit(BASE, "guaranteed_delivery = 3500", "guaranteed_delivery = 300000"),
         [("tally.guaranteed_delivery: must not exceed tally.tendered (274,000)", "got 300,000")]),
    Case("failed-above-guaranteed", edit(BASE, "failed_delivery = 0", "failed_delivery = 4000"),
         [("tally.failed_delivery: must not exceed tally.guaranteed_delivery (3,500)", "got 4,000")]),
    Case("max-units-above-outstanding",
         edit(BASE, "expiration = 2004-02-20", "expiration = 2004-02-20\nmax_units = 500000"),
         [("offer.max_units: must not exceed offer.outstanding (464,777)", "got 500,000")]),
    # --- consideration --------------------------------------------------------------------
    Case("both-ratio-and-formula", edit(FORMULA, "fractional_price = 8.31", "ratio = 7.94\nfractional_price = 8.31"),
         [("offer.consideration.formula", "give ratio or a formula table, not both")], prices=True),
    Case("neither-ratio-nor-formula", edit(BASE, "ratio = 7.94\n", ""),
         [("offer.consideration.ratio", "is required")]),
    Case("both-cash-forms", edit(BASE, "ratio = 7.94", "ratio = 7.94\ncash_per_unit = 2.50\ncash_total = 685000"),
         [("offer.consideration.cash_total", "685000")]),
    Case("unknown-kind", edit(BASE, 'kind = "preferred"', 'kind = "bond"'), [("offer.kind", "'bond'")]),
    Case("unknown-fractional-policy", edit(BASE, 'fractional = "cash"', 'fractional = "round-up"'),
         [("offer.consideration.fractional", "'round-up'")]),
    Case("ratio-below-original", edit(BASE, "ratio = 7.94", "ratio = 3.0"),
         [("offer.consideration.ratio", "3.0")]),
    # --- prices and ratios: missing, zero, NaN, infinite ---------------------------------------
    Case("missing-price", edit(BASE, "price = 7.39\n", ""), [("valuation.price", "is required")]),
    Case("zero-price", edit(BASE, "price = 7.39", "price = 0"), [("valuation.price", "0")]),
    Case("negative-price", edit(BASE, "price = 7.39", "price = -7.39"), [("valuation.price", "-7.39")]),
    Case("nan-price", edit(BASE, "price = 7.39", "price = nan"), [("valuation.price", "NaN")]),
    Case("inf-price", edit(BASE, "price = 7.39", "price = inf"), [("valuation.price", "Infinity")]),
    Case("text-nan-price", edit(BASE, "price = 7.39", 'price = "NaN"'), [("valuation.price", "'NaN'")]),
    Case("non-numeric-price", edit(BASE, "price = 7.39", 'price = "$7.39"'), [("valuation.price", "'$7.39'")]),
    Case("zero-ratio", edit(BASE, "ratio = 7.94", "ratio = 0"), [("offer.consideration.ratio", "0")]),
    Case("nan-ratio", edit(BASE, "ratio = 7.94", "ratio = nan"), [("offer.consideration.ratio", "NaN")]),
    Case("inf-ratio", edit(BASE, "ratio = 7.94", "ratio = +inf"), [("offer.consideration.ratio", "Infinity")]),
    Case("negative-inf-ratio", edit(BASE, "ratio = 7.94", "ratio = -inf"),
         [("offer.consideration.ratio", "-Infinity")]),
    Case("missing-original-ratio", edit(BASE, "original_ratio = 3.2\n", ""),
         [("offer.original_ratio", "is required")]),
    Case("nan-original-ratio", edit(BASE, "original_ratio = 3.2", "original_ratio = nan"),
         [("offer.original_ratio", "NaN")]),
    Case("zero-conversion-price", edit(BASE, "original_ratio = 3.2", "original_conversion_price = 0"),
         [("offer.original_conversion_price", "0")]),
    Case("formula-value-zero", edit(FORMULA, "value = 66.00", "value = 0"),
         [("offer.consideration.formula.value", "0")], prices=True),
    Case("formula-cap-nan", edit(FORMULA, "cap = 8.25", "cap = nan"),
         [("offer.consideration.formula.cap", "NaN")], prices=True),
    Case("formula-unknown-calendar", edit(FORMULA, 'calendar = "XNYS"', 'calendar = "XXXX"'),
         [("offer.consideration.formula.calendar", "'XXXX'")], prices=True),
    # --- dates ----------------------------------------------------------------------------
    Case("impossible-date", edit(BASE, "expiration = 2004-02-20", 'expiration = "2004-02-30"'),
         [("offer.expiration", "'2004-02-30'")]),
    Case("date-wrong-format", edit(BASE, "date = 2004-02-20", 'date = "20/02/2004"'),
         [("valuation.date", "'20/02/2004'")]),
    Case("date-with-time", edit(BASE, "expiration = 2004-02-20", "expiration = 2004-02-20T23:59:00"),
         [("offer.expiration", "got 2004-02-20 23:59:00")]),
    Case("date-at-midnight", edit(BASE, "expiration = 2004-02-20", "expiration = 2004-02-20T00:00:00"),
         [("offer.expiration: must be a date without a time (YYYY-MM-DD)", "got 2004-02-20 00:00:00")]),
    # a date-time typed where a count belongs is shown as typed, its time too (review 71: "got 2004-02-20")
    Case("date-time-for-a-count", edit(BASE, "outstanding = 464777", "outstanding = 2004-02-20T00:00:00"),
         [("offer.outstanding", "got 2004-02-20 00:00:00")]),
    Case("date-as-number", edit(BASE, "date = 2004-02-20", "date = 20040220"), [("valuation.date", "20040220")]),
    # --- numbers in one written form, within their bounds (docs/offer-file.md, "Numbers") -----
    Case("decimal-comma-ratio", edit(BASE, "ratio = 7.94", 'ratio = "7,94"'),
         [("offer.consideration.ratio: must be a number", "'7,94'")]),
    Case("decimal-comma-price", edit(BASE, "price = 7.39", 'price = "7,39"'), [("valuation.price", "'7,39'")]),
    Case("bad-grouping", edit(BASE, "outstanding = 464777", 'outstanding = "4,64,777"'),
         [("offer.outstanding", "'4,64,777'")]),
    Case("arabic-indic-digits", edit(BASE, "outstanding = 464777", 'outstanding = "\u0664\u0666\u0664\u0667\u0667\u0667"'),
         [("offer.outstanding: must be a number", "'\u0664")]),
    Case("exponent-in-text", edit(BASE, "outstanding = 464777", 'outstanding = "4.64777e5"'),
         [("offer.outstanding", "'4.64777e5'")]),
    Case("huge-exponent-in-text", edit(BASE, "outstanding = 464777", 'outstanding = "1e999999999"'),
         [("offer.outstanding", "'1e999999999'")]),
    Case("exponent-float", edit(BASE, "price = 7.39", "price = 7.39e0"),
         [("valuation.price: must be a number written without an exponent", "7.39e0")]),
    Case("huge-price", edit(BASE, "price = 7.39", "price = 1" + "0" * 300 + ".0"),
         [("valuation.price: must be below 10,000,000 (the bound for a price per share)", "1000")]),
    Case("huge-ratio", edit(BASE, "ratio = 7.94", "ratio = 10000000"),
         [("offer.consideration.ratio: must be below 10,000,000", "10000000")]),
    Case("huge-cash-total", edit(BASE, 'fractional = "cash"', 'fractional = "cash"\ncash_total = 10000000000000'),
         [("offer.consideration.cash_total: must be below 10,000,000,000,000", "10000000000000")]),
    Case("huge-exchange-price", BASE + "\n[[exchange]]\ndate = 2004-03-01\nunits = 100\nratio = 7.94\nprice = 1e7\n"
         "\n[[exchange]]\ndate = 2004-03-02\nunits = 100\nratio = 7.94\nprice = 10000000\n",
         [("exchange[1].price: must be a number written without an exponent", "1e7"),
          ("exchange[2].price: must be below 10,000,000", "10000000")]),
    Case("too-many-digits", edit(BASE, "ratio = 7.94", "ratio = 7.940000000000000000000000000000000000000000000000001"),
         [("offer.consideration.ratio: must be a number of at most 34 significant digits", "7.94")]),
    Case("huge-places", edit(FORMULA, "places = 2", "places = 100000000000000"),
         [("offer.consideration.formula.places: must be at most 15", "100000000000000")], prices=True),
    # --- text a workbook can hold, dates a workbook can show ------------------------------------
    Case("control-character-in-text", edit(BASE, 'issuer = "Hecla Mining Company"', 'issuer = "Hecla\\u0000Mining"'),
         [("offer.issuer: holds a control character (U+0000), which a workbook cannot store", "'Hecla\\x00Mining'")]),
    Case("newline-in-text", edit(BASE, 'issuer = "Hecla Mining Company"', 'issuer = "Hecla\\nMining"'),
         [("offer.issuer: holds a control character (U+000A)", "'Hecla\\nMining'")]),
    # U+FFFE and U+FFFF are no control characters, but XML 1.0 forbids them: the workbook would open nowhere
    Case("noncharacter-in-text", edit(BASE, 'issuer = "Hecla Mining Company"', 'issuer = "x\\uFFFEy"'),
         [("offer.issuer: holds a noncharacter (U+FFFE), which a workbook cannot store", "'x\\ufffey'")]),
    Case("noncharacter-ffff-in-text", edit(BASE, 'issuer = "Hecla Mining Company"',
                                          'issuer = "Hecla Mining Company"\nsecurity = "Series B\uffff"'),
         [("offer.security: holds a noncharacter (U+FFFF), which a workbook cannot store", "'Series B\\uffff'")]),
    Case("text-longer-than-a-cell", edit(BASE, 'issuer = "Hecla Mining Company"', f'issuer = "{"A" * 40000}"'),
         [("offer.issuer: is longer than a cell holds (32,767 characters)", f"{'A' * 60!r}... (40,000 characters)")]),
    Case("date-before-excel", edit(BASE, "expiration = 2004-02-20", "expiration = 0001-01-01"),
         [("offer.expiration: must be a date from 1900-03-01 to 9999-12-31", "0001-01-01")]),
    Case("date-text-before-excel", edit(BASE, "date = 2004-02-20", 'date = "1900-02-28"'),
         [("valuation.date: must be a date from 1900-03-01", "'1900-02-28'")]),
    # --- TOML, schema, keys -------------------------------------------------------------------
    Case("schema-true", edit(BASE, "schema = 1", "schema = true"), [("schema: must be 1", "true")]),
    Case("schema-float", edit(BASE, "schema = 1", "schema = 1.0"), [("schema: must be 1", "1.0")]),
    Case("toml-syntax-error", edit(BASE, "ratio = 7.94", "ratio = = 7.94"), [("is not valid TOML", "line 14")]),
    Case("toml-bad-date-literal", edit(BASE, "expiration = 2004-02-20", "expiration = 2004-13-01"),
         [("is not valid TOML", "line 11")]),
    Case("toml-unclosed-table", edit(BASE, "[tally]", "[tally"), [("is not valid TOML", "line 17")]),
    Case("unknown-schema", edit(BASE, "schema = 1", "schema = 2"), [("schema", "2")]),
    Case("missing-schema", edit(BASE, "schema = 1\n", ""), [("schema", "nothing")]),
    # another schema is refused on its own: its keys are not named as unknown to this one
    Case("unknown-schema-and-key", edit(BASE, "schema = 1", "schema = 2\nfoo = 1"), [("schema", "2")]),
    Case("mapping-with-counts", edit(BASE, "tendered = 274000", 'tendered = 274000\nmapping = "map.toml"'),
         [("tally.mapping: goes with a holder file (tally.file)", "'map.toml'")]),
    # a negative amount's bound is its size, said as such
    Case("huge-negative-net-income", BASE + "\n[period]\nstart = 2004-01-01\nend = 2004-03-31\n"
         "settlement = 2004-02-25\nnet_income = -10000000000000\n",
         [("period.net_income: must be above -10,000,000,000,000 (the bound for an amount in total)",
           "-10000000000000")]),
    # a tax rate typed as a percentage: the example is the figure typed, as a fraction; one beyond 100% is no such slip
    Case("tax-rate-as-a-percentage", BASE + "\n[period]\nstart = 2004-01-01\nend = 2004-03-31\n"
         "settlement = 2004-02-25\nnet_income = 1000000\ntax_rate = 25\n",
         [("period.tax_rate: must be a fraction below 1 (0.25 for 25%), got 25", "25")]),
    Case("tax-rate-far-above-one", BASE + "\n[period]\nstart = 2004-01-01\nend = 2004-03-31\n"
         "settlement = 2004-02-25\nnet_income = 1000000\ntax_rate = 2100\n",
         [("period.tax_rate: must be a fraction below 1 (0.21 for 21%), got 2100", "2100")]),
    # a price far below zero is named for its sign, not for a bound it would still break at -5
    Case("huge-negative-price", edit(BASE, "price = 7.39", "price = -20000000"), [("valuation.price: must be > 0",
                                                                                "-20000000")]),
    # a max_units given but wrong is named itself, not "set max_units" for the odd lot beside it
    Case("zero-max-units-with-odd-lot",
         edit(BASE, "expiration = 2004-02-20", "expiration = 2004-02-20\nmax_units = 0\nodd_lot = 100"),
         [("offer.max_units: must be a positive whole number", "0")]),
    Case("unknown-key-typo", edit(BASE, "tendered = 274000", "tenderd = 274000"),
         [("tally.tenderd", "274000"), ("tally.tendered", "is required")]),
    Case("unknown-key-in-offer", edit(BASE, "face_per_unit = 50", "face_per_unt = 50"),
         [("offer.face_per_unt", "50")]),
    Case("unknown-table", BASE + "\n[valuaton]\nprice = 7.39\n", [("valuaton", "price")]),
    Case("missing-offer-file", BASE, [("no-such-offer.toml", "offer file not found")], path="no-such-offer.toml"),
    # --- holder tally file -----------------------------------------------------------------------
    Case("missing-tally-file", edit(HOLDERS, '"tally.csv"', '"no-such-tally.csv"'),
         [("tally.file", "no-such-tally.csv: tally file not found")]),
    Case("tally-and-counts", edit(HOLDERS, 'file = "tally.csv"', 'file = "tally.csv"\ntendered = 274000'),
         [("tally.tendered", "got 274,000")], files={"tally.csv": TALLY}),
    Case("tally-missing-units-column", HOLDERS, [("tally.csv: header", "has no units column")],
         files={"tally.csv": "holder_id,method,status\nDTC-0001,book-entry,tendered\n"}),
    Case("tally-missing-holder-column", HOLDERS, [("tally.csv: header", "has no holder_id column")],
         files={"tally.csv": "units,method\n100,book-entry\n"}),
    tally_case("tally-non-numeric-units", "A,100,book-entry,tendered\nB,lots,book-entry,tendered\n",
               [("tally.csv: row 3, column units", "'lots'")]),
    tally_case("tally-negative-units", "A,100,book-entry,tendered\nB,-5,book-entry,tendered\n",
               [("tally.csv: row 3, column units", "-5")]),
    tally_case("tally-fractional-units", "A,100.5,book-entry,tendered\n",
               [("tally.csv: row 2, column units", "'100.5'")]),
    tally_case("tally-empty-units", "A,100,book-entry,tendered\nB,,certificate,tendered\n",
               [("tally.csv: row 3, column units", "''")]),
    tally_case("tally-unknown-status", "A,100,book-entry,tendered\nB,200,book-entry,cancelled\n",
               [("tally.csv: row 3, column status", "'cancelled'")]),
    tally_case("tally-unknown-method", "A,100,carrier-pigeon,tendered\n",
               [("tally.csv: row 2, column method", "'carrier-pigeon'")]),
    tally_case("tally-empty-holder", "A,100,book-entry,tendered\n,200,book-entry,tendered\n",
               [("tally.csv: row 3, column holder_id", "''")]),
    tally_case("tally-failed-not-guaranteed", "A,100,book-entry,failed\n",
               [("tally.csv: row 2, column status", "only a guaranteed delivery can fail")]),
    tally_case("tally-several-problems", "A,x,book-entry,tendered\nB,100,book-entry,gone\nC,-1,book-entry,tendered\n",
               [("tally.csv: row 2, column units", "'x'"), ("tally.csv: row 4, column units", "-1"),
                ("tally.csv: row 3, column status", "'gone'")]),
    tally_case("tally-above-outstanding", "A,300000,book-entry,tendered\nB,200000,book-entry,tendered\n",
               [("tally.file: tally.csv", "(464,777), got 500,000")]),
    Case("tally-without-method-and-status", HOLDERS,
         [("tally.csv: header", "has no method column"), ("tally.csv: header", "has no status column")],
         files={"tally.csv": "holder_id,units\nA,100\nB,200\n"}),
    Case("tally-empty-file", HOLDERS, [("tally.csv", "is empty")], files={"tally.csv": ""}),
    Case("tally-header-only", HOLDERS, [("tally.csv", "no tally lines")],
         files={"tally.csv": "holder_id,units,method,status\n"}),
    # --- price file --------------------------------------------------------------------------------
    Case("missing-price-file", edit(FORMULA, '"prices.csv"', '"no-such-prices.csv"'),
         [("offer.consideration.formula.prices", "no-such-prices.csv: price file not found")]),
    prices_case("prices-missing-volume-column", "date,price\n2004-02-11,8.45\n",
                [("prices.csv: header", "has no volume column")]),
    prices_case("prices-non-numeric-price", "date,price,volume\n2004-02-11,8.45,100\n2004-02-12,n/a,100\n",
                [("prices.csv: row 3, column price", "'n/a'")]),
    prices_case("prices-zero-price", "date,price,volume\n2004-02-11,0,100\n",
                [("prices.csv: row 2, column price", "'0'")]),
    prices_case("prices-nan-price", "date,price,volume\n2004-02-11,nan,100\n",
                [("prices.csv: row 2, column price", "'nan'")]),
    prices_case("prices-inf-volume", "date,price,volume\n2004-02-11,8.45,inf\n",
                [("prices.csv: row 2, column volume", "'inf'")]),
    prices_case("prices-bad-date", "date,price,volume\n2004-02-30,8.45,100\n",
                [("prices.csv: row 2, column date", "'2004-02-30'")]),
    prices_case("prices-date-twice", "date,price,volume\n2004-02-11,8.45,100\n2004-02-11,8.40,100\n",
                [("prices.csv: row 3, column date", "'2004-02-11'")]),
    prices_case("prices-trading-day-missing", prices_without("2004-02-13"),
                [("offer.consideration.formula.prices: prices.csv", "'2004-02-13'")]),
]


def write_case(case: Case, folder: Path) -> Path:
    (folder / "offer.toml").write_text(case.offer, encoding="utf-8")
    if case.prices:
        shutil.copyfile(PRICES, folder / "prices.csv")
    for name, text in case.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder / case.path


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def check_refusal(case: Case, status: int, out: str, err: str) -> None:
    """Exit 2; one stderr line per problem naming the file, the key and the value; no traceback; no output."""
    assert status == 2, err
    assert out == ""
    assert "Traceback" not in err and 'File "' not in err
    lines = err.splitlines()
    assert len(lines) == len(case.expect), err
    name = Path(case.path).name
    for line in lines:
        assert line.startswith(f"xlpy compute: {name}: "), line
    unmatched = list(lines)
    for key, value in case.expect:
        hits = [line for line in unmatched if key in line and value in line]
        assert hits, f"no line names {key!r} and {value!r}:\n{err}"
        unmatched.remove(hits[0])


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.id)
def test_bad_input_refused(case, tmp_path, capsys, monkeypatch):
    path = write_case(case, tmp_path)
    before = listing(tmp_path)
    monkeypatch.chdir(tmp_path)  # the command as a user types it, in the offer's folder
    status = cli.main(["compute", path.name, "--json"])
    out, err = capsys.readouterr()
    check_refusal(case, status, out, err)
    assert listing(tmp_path) == before  # nothing written


def test_every_bad_input_category_covered():
    ids = {c.id for c in BAD}
    for needed in ("negative-tendered", "fractional-tendered", "tendered-above-outstanding",
                   "guaranteed-above-tendered",
                   "both-ratio-and-formula", "neither-ratio-nor-formula", "both-cash-forms", "unknown-kind",
                   "unknown-fractional-policy", "missing-price", "zero-price", "nan-price", "inf-price", "zero-ratio",
                   "nan-ratio", "inf-ratio", "impossible-date", "missing-tally-file", "missing-price-file",
                   "tally-missing-units-column", "prices-missing-volume-column", "tally-non-numeric-units",
                   "prices-non-numeric-price", "prices-trading-day-missing", "toml-syntax-error", "unknown-schema",
                   "unknown-key-typo"):
        assert needed in ids, needed


def test_bad_input_from_another_folder(tmp_path, capsys, monkeypatch):
    # Paths in the offer resolve against the offer's folder, and the message names the file as given.
    case = next(c for c in BAD if c.id == "tally-non-numeric-units")
    sub = tmp_path / "offers"
    sub.mkdir()
    write_case(case, sub)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["compute", os.path.join("offers", "offer.toml")])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.splitlines() == ["xlpy compute: offer.toml: tally.file: tally.csv: row 3, column units: "
                                "must be a number, got 'lots'"]


def test_many_problems_are_capped(tmp_path, capsys, monkeypatch):
    rows = "".join(f"H{i},x{i},book-entry,tendered\n" for i in range(120))
    case = tally_case("many", rows, [])
    write_case(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compute", "offer.toml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 51
    assert lines[0].endswith("tally.csv: row 2, column units: must be a number, got 'x0'")
    assert lines[-1].endswith("offer.toml: tally.file: tally.csv: and 70 more problems")


# --- good input ------------------------------------------------------------------------------


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
        'offer.toml: consideration: is not a known key, got { ratio = 7.94, fractional = "cash" }')


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
            "0007,\"1,500\",NGD,accepted\n")
    o = load_text(tmp_path, HOLDERS, {"tally.csv": body})
    t = o.tally.holders
    assert t.holder_id == ("007", "7", "0007")  # ids are text: leading zeros kept
    assert t.units == (1000, 500, 1500)
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


def test_formula_offer(tmp_path):
    shutil.copyfile(PRICES, tmp_path / "prices.csv")
    (tmp_path / "offer.toml").write_text(FORMULA, encoding="utf-8")
    _, r = offerfile.compute_file(tmp_path / "offer.toml")
    # 84,105,510 / 10,121,000 = 8.31; 66 / 8.31 = 7.9422 -> 7.94
    assert (r.average_price, r.offer_ratio) == (D("8.31"), D("7.94"))
    assert (r.averaging_start.isoformat(), r.averaging_end.isoformat()) == ("2004-02-11", "2004-02-18")


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
        "offer.toml: tally.mapping: map.toml: encoding: must be the name of a text encoding (e.g. utf-8, cp1252, "
        "latin-1), got 'klingon'"]
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
    assert str(info.value.problems[0]).startswith("map.toml: x: unknown key, got [[[")
