"""The offer file and the files it names: every bad input refused (good input: ``test_offerfile_read.py``).

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
from pathlib import Path

import pytest
from repo_paths import ROOT as REPO

from xlpy import cli

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
    # --- numbers in one written form, within their bounds (docs/offer-file.md, "Numbers", "Sizes") -----
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
    # a rate of 1 is 100% (or 1% typed as a percentage): no fraction below 1 either (review 111)
    Case("tax-rate-one", BASE + "\n[period]\nstart = 2004-01-01\nend = 2004-03-31\n"
         "settlement = 2004-02-25\nnet_income = 1000000\ntax_rate = 1\n",
         [("period.tax_rate: must be a fraction below 1 (0.21 for 21%), got 1", "1")]),
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
    # a value where a table goes is its one problem: its keys are not each said to be required after it
    Case("tally-not-a-table", edit(edit(BASE, "schema = 1\n", "schema = 1\ntally = 5\n"),
                                   "[tally]\ntendered = 274000\nguaranteed_delivery = 3500\nfailed_delivery = 0\n", ""),
         [("tally: must be a table", "got 5")]),
    Case("consideration-not-a-table",
         edit(edit(BASE, "[offer.consideration]\nratio = 7.94\nfractional = \"cash\"\n", ""),
              "expiration = 2004-02-20\n", "expiration = 2004-02-20\nconsideration = \"7.94\"\n"),
         [("offer.consideration: must be a table", "'7.94'")]),
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
    Case("tally-header-only", HOLDERS, [("tally.csv", "no tally lines: a tally lists a line for each holder's tender")],
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
    """Exit 2; one stderr line per problem naming the file, the key and the value; no traceback; no output but
    ``--json``'s object of the refusal, an error for each line."""
    import json

    assert status == 2, err
    said = json.loads(out)
    assert (said["ok"], said["status"]) == (False, 2)
    assert [f"xlpy compute: {e['message']}" for e in said["errors"]] == err.splitlines()
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
    assert lines[-1].endswith("offer.toml: tally.file: tally.csv: and 70 more problems, all in column units")


def test_the_problems_past_the_first_are_counted_without_comparing_them_with_each_other():
    """Review 90: the count of the problems past the first 50 searched all the problems for each one, so a tally of
    100,000 bad lines took 17 s to count and a million minutes; the counting lines (capped once before) are told
    apart by their kind, and no problem is compared with another."""
    from xlpy.engine.errors import InputError, capped

    class Uncomparable(InputError):
        def __eq__(self, other):
            raise AssertionError("a problem was compared with another")

        __hash__ = InputError.__hash__

    once = capped([Uncomparable(f"t.csv: row {i}", i, "bad") for i in range(2, 200)], 50)
    again = capped(once + [Uncomparable("t.csv: row 300", 0, "bad")], 50)
    assert [str(p) for p in once[-1:]] == ["t.csv: and 148 more problems"]
    assert [str(p) for p in again[-1:]] == ["t.csv: and 149 more problems"] and len(again) == 51
