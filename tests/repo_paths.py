"""Where the tests find the repository's own files: one definition for every test module."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OFFERS = ROOT / "workbook" / "offers"
DATA = OFFERS / "data"
SEED = OFFERS / "hecla-2004.toml"
FORMULA = OFFERS / "hecla-2004-formula.toml"
NOTES = OFFERS / "notes-capped-example.toml"
TALLY = "hecla-2004-tally.csv"
PRICES = "hecla-2004-prices-illustrative.csv"
SEED_EPOCH = "1077494400"  # 2004-02-23, the seed release's date (and the committed workbook's)
