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


def offer_text(path: Path = SEED) -> str:
    """An example offer file's TOML without its comments, one ``key = value`` a line, for tests to edit.

    ``offer_text().replace("tendered = 274000", "tendered = 464777")`` is the seed with every unit tendered.
    """
    import re

    return "".join(re.sub(r"\s*#.*", "", line).rstrip() + "\n" for line in path.read_text(encoding="utf-8").splitlines()
                   if not line.lstrip().startswith("#"))


#: The seed offer file (workbook/offers/hecla-2004.toml, with its [accounting]) as text.
SEED_TEXT = offer_text()
