"""Holder workbooks of any length for tests: one offer file (as the benchmarks write theirs) over a tally given."""

from pathlib import Path

#: A holder offer reading ``tally.csv`` beside it; ``{id}``, ``{issuer}`` and ``{outstanding}`` to fill.
HOLDER_OFFER = """schema = 1
[offer]
id = "{id}"
issuer = "{issuer}"
kind = "preferred"
outstanding = {outstanding}
original_ratio = 3.2
common_outstanding_before = 900000000
expiration = 2004-02-20
[offer.consideration]
ratio = 7.94
fractional = "cash"
[tally]
file = "tally.csv"
final = true
[valuation]
date = 2004-02-20
price = 7.39
"""


def holder_book(folder: Path, lines: list[tuple[str, int]], outstanding: int, offer_id: str = "holders",
                issuer: str = "Holder Tally Co") -> Path:
    """``folder/book.xlsm`` built (not validated) from ``folder/tally.csv`` of *lines* (holder id, units), each
    tendered by book entry, and an offer of *outstanding* units."""
    from xlpy.cli import main

    rows = "".join(f"{holder},{units},book-entry,tendered\n" for holder, units in lines)
    (folder / "tally.csv").write_text("holder_id,units,method,status\n" + rows, encoding="utf-8")
    (folder / "offer.toml").write_text(HOLDER_OFFER.format(id=offer_id, issuer=issuer, outstanding=outstanding),
                                       encoding="utf-8")
    book = folder / "book.xlsm"
    assert main(["build", str(folder / "offer.toml"), "-o", str(book), "--no-validate", "--quiet"]) == 0
    return book
