"""What the refresh macros' tests share (``test_macros.py``, ``test_macros_safety.py``, ``test_macros_excel.py``):
the workbooks built once per run, copied for a test with their sources beside them; tallies and prices made from
the bundled ones; the refresh as the command runs it; a workbook's cells and layout; and a person's edits."""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy.cli import refresh as cli_refresh
from xlpy.workbook.backends import PackageBook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

REFRESH_EPOCH = "1077580800"  # a day later


HOSTILE_NAMES = ("=1+1", "+SUM(A1:A9)", "-2", "@cmd", "=HYPERLINK(\"http://example.com\",\"x\")", "'quoted")


@pytest.fixture
def built(standard_books):
    """{'seed': path, 'holders': path}: built once per run, with their sources beside them (tests/conftest.py)."""
    return {"seed": standard_books["seed"], "holders": standard_books["holders"]}


def _copy(built, kind: str, tmp_path: Path) -> Path:
    src = built[kind]
    for f in src.parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / src.name


@pytest.fixture
def holders(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REFRESH_EPOCH)
    return _copy(built, "holders", tmp_path)


@pytest.fixture
def seed(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REFRESH_EPOCH)
    return _copy(built, "seed", tmp_path)


def _tally_rows(extra: int = 40, names=()) -> list[list[str]]:
    rows = list(csv.reader((DATA / TALLY).read_text(encoding="utf-8").splitlines()))
    rows += [[f"NEW-{i:04d}", str(100 + i), "book-entry", "tendered"] for i in range(extra)]
    rows += [[n, "10", "certificate", "tendered"] for n in names]
    return rows


def _write_csv(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _new_prices(path: Path, factor: str = "1.01") -> Path:
    rows = list(csv.reader((DATA / PRICES).read_text(encoding="utf-8").splitlines()))
    out = [rows[0]] + [[d, str((Decimal(p) * Decimal(factor)).quantize(Decimal("0.0001"))), v] for d, p, v in rows[1:]]
    return _write_csv(path, out)


def _refresh(argv: list[str]) -> int:
    """`xlpy refresh ...` as the command line runs it (the lead registers the command)."""
    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args(argv))


def _cells(path: Path) -> dict[tuple[str, str], tuple]:
    wb = load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.data_type, c.number_format,
                                       c.font.color.rgb if c.font.color else None)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}


def _layout(path: Path):
    wb = load_workbook(path)
    return wb, layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))


def _cell(path: Path, name: str):
    wb, lay = _layout(path)
    sheet, ref = lay.cell(name)
    return wb[sheet][ref]


def _person_edits(path: Path) -> None:
    """What a person does in Excel: change an input, add a comment and a note (saved with openpyxl here)."""
    wb = load_workbook(path, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("CommonBefore")
    wb[sheet][ref].value = 116_000_000
    wb[sheet][ref].comment = Comment("Per the 10-K cover page.", "J. Smith")
    wb["Inputs"]["F2"] = "checked by J. Smith"
    wb["Tenders"]["N25"] = "call the agent about this line"  # beside the holder table
    wb.save(path)


def _equivalent_offer(folder: Path, tally: Path, prices: Path) -> Path:
    text = FORMULA.read_text(encoding="utf-8")
    text = text.replace('prices = "data/hecla-2004-prices-illustrative.csv"', f'prices = "{prices.name}"')
    text = text.replace('file = "data/hecla-2004-tally.csv"', f'file = "{tally.name}"')
    text = text.replace("common_outstanding_before = 115000000", "common_outstanding_before = 116000000")
    out = folder / "equivalent.toml"
    out.write_text(text, encoding="utf-8")
    return out


def _cells_as_excel_writes_them(path: Path, cells: dict[str, str]) -> None:
    """Give cells of Tenders (its sheet part in *path*) the inner XML *cells* maps them to (``<f>...</f>``, ``<v>``),
    keeping each one's style: what Excel writes for a formula filled down or typed over, by hand."""
    with PackageBook(path) as book:
        part = book.pkg.sheet_parts()["Tenders"]
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    text = parts[part].decode("utf-8")
    for ref, inner in cells.items():
        text, n = re.subn(rf'<c r="{ref}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)', lambda m: f'<c r="{ref}"{m.group(1) or ""}>'
                          f"{inner}</c>", text, count=1, flags=re.DOTALL)
        assert n == 1, ref
    parts[part] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
