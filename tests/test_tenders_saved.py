"""The holder table's saved values: each line's formula cells hold the engine's figure.

Built and refreshed holder workbooks are read as a file preview reads them
(``openpyxl`` ``data_only=True``, which never calculates) and every line is
checked against a reference computed here from the line's own inputs by the
workbook's formulas (in exact fractions), and the columns' totals against the
engine's results.  The validator names a doctored line's cell; many differing
lines read as a stale file.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from repo_paths import DATA, OFFERS
from repo_paths import SEED_EPOCH as EPOCH

COLUMNS = ("eligible", "run", "holder_units", "accepted", "shares", "fraction")


def _build(folder: Path, offer_file: Path) -> Path:
    from xlpy.files.offerfile import compute_file, load
    from xlpy.workbook.build import build_workbook

    offer = load(offer_file)
    for name in {Path(offer.tally.holders.source).name} | {p.name for p in DATA.iterdir()}:
        if (DATA / name).is_file():
            shutil.copy(DATA / name, folder / name)
    offer, results = compute_file(offer_file)
    tally = Path(offer.tally.holders.source).name
    return build_workbook(offer, results, folder / f"{offer_file.stem}.xlsm", record={"TallySource": tally})


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """{'formula': hecla holder workbook (ratio by formula), 'capped': notes offer with proration and odd lots}."""
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        for kind, name in (("formula", "hecla-2004-formula.toml"), ("capped", "notes-capped-example.toml")):
            out[kind] = _build(tmp_path_factory.mktemp(kind), OFFERS / name)
    return out


def _copy(path: Path, tmp_path: Path) -> Path:
    for f in path.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / path.name


def _lay_offer_results(path: Path):
    from openpyxl import load_workbook

    from xlpy.engine.compute import compute
    from xlpy.files import calendars
    from xlpy.workbook import data as bookdata
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    wb = load_workbook(path)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    offer = bookdata.read_offer(lambda s, r: wb[s][r].value, lay)
    return lay, offer, compute(offer, calendars.sessions)


def _reference(holders, units, status, offer, ratio: Decimal) -> list[tuple]:
    """Each line's formula columns by the workbook's own formulas, in exact fractions."""
    n = len(holders)
    eligible = [u if s == "tendered" else 0 for u, s in zip(units, status)]
    run, total = [], 0
    for i in range(n):
        total = (total if i and holders[i] == holders[i - 1] else 0) + eligible[i]
        run.append(total)
    hu = [run[i] if i == n - 1 or holders[i] != holders[i + 1] else 0 for i in range(n)]
    all_eligible = sum(eligible)
    cap, odd_lot = offer.max_units, offer.odd_lot
    prorated = cap is not None and all_eligible > cap
    odd_raw = sum(u for u in hu if 0 < u < odd_lot) if prorated and odd_lot else 0
    odd_units = 0 if prorated and odd_raw > cap else odd_raw
    capacity = cap - odd_units if prorated else all_eligible
    rest = all_eligible - odd_units

    def accept(u):
        if u == 0 or not prorated or (odd_units > 0 and u < odd_lot):
            return u
        return math.floor(Fraction(u * capacity, rest))

    out = []
    r = Fraction(ratio)
    for i in range(n):
        a = accept(hu[i])
        exact = a * r
        if offer.consideration.fractional == "nearest":
            shares, frac = math.floor(exact + Fraction(1, 2)), Fraction(0)
        else:
            shares = math.floor(exact)
            frac = exact - shares
        out.append((eligible[i], run[i], hu[i], a, shares, frac))
    return out


def _saved_rows(path: Path, lay):
    from openpyxl import load_workbook

    sheet, t = lay.table("tblTenders")
    ws = load_workbook(path, data_only=True)[sheet.title]
    keys = [c.key for c in t.columns]
    rows = []
    for values in ws.iter_rows(min_row=t.first_row, max_row=t.last_row, min_col=t.first_col,
                               max_col=t.first_col + len(keys) - 1, values_only=True):
        rows.append(dict(zip(keys, values)))
    return rows


def _assert_engine_figures(path: Path):
    lay, offer, results = _lay_offer_results(path)
    rows = _saved_rows(path, lay)
    h = offer.tally.holders
    assert [r["holder"] for r in rows] == list(h.holder_id)  # the sheet's order, which the offer keeps
    want = _reference(h.holder_id, h.units, h.status, offer, results.offer_ratio)
    for i, (row, w) in enumerate(zip(rows, want)):
        got = tuple(row[k] for k in COLUMNS)
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in got), (i, got)
        assert got[:5] == w[:5], (i, got, w)
        assert Fraction(str(got[5])) == w[5], (i, got, w)  # written as the exact decimal
    # The columns tie to the engine's totals.
    assert sum(r["accepted"] for r in rows) == results.units_accepted
    assert sum(r["shares"] for r in rows) == results.common_issued
    fractions = sum(Decimal(str(r["fraction"])) for r in rows)
    if offer.consideration.fractional == "cash":
        # (the price is an average to 34 digits: the product is compared to the engine's own rounding)
        assert abs(fractions * results.fractional_price - results.fractional_cash) < Decimal("1e-20")
    assert sum(1 for r in rows if r["accepted"] > 0) == results.holders_accepted
    return lay, offer, results, rows


@pytest.mark.parametrize("kind", ["formula", "capped"])
def test_built_holder_workbook_saves_each_lines_figures(books, kind):
    _, offer, results, rows = _assert_engine_figures(books[kind])
    if kind == "capped":  # the case that proves the proration: some lines prorated, some odd lots in full
        assert results.units_accepted < results.units_tendered
        assert any(0 < r["accepted"] < r["holder_units"] for r in rows)
        assert any(0 < r["holder_units"] < offer.odd_lot and r["accepted"] == r["holder_units"] for r in rows)
    assert any(r["fraction"] for r in rows)


def _refresh(book: Path, tally: Path) -> int:
    import argparse

    from xlpy.cli import refresh as cli_refresh

    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args([str(book), "--tally", str(tally), "--no-backup"]))


def _new_tally(book: Path, lines: int, seed: int) -> Path:
    """The book's tally with *lines* more lines, some of them a second line of an existing holder."""
    from openpyxl import load_workbook

    from xlpy.files.sources import read_tally

    lay = _lay_offer_results(book)[0]
    sheet, ref = lay.cell("TallySource")
    old = read_tally(book.parent / load_workbook(book)[sheet][ref].value)  # the tally the Cover records
    rng = random.Random(seed)
    out = book.parent / f"tally-{seed}.csv"
    lines_out = ["holder_id,units,method,status"]
    lines_out += [f"{h},{u},{m},{s}" for h, u, m, s in zip(old.holder_id, old.units, old.method, old.status)]
    for i in range(lines):
        holder = rng.choice(old.holder_id) if i % 2 else f"NEW-{i:04d}"
        lines_out.append(f"{holder},{rng.randint(1, 150)},book-entry,{rng.choice(['tendered', 'withdrawn'])}")
    out.write_text("\n".join(lines_out) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("kind", ["formula", "capped"])
def test_refreshed_holder_workbook_saves_each_lines_figures(books, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(books[kind], tmp_path)
    before = _lay_offer_results(book)[2]
    assert _refresh(book, _new_tally(book, 40, seed=7)) == 0
    results = _assert_engine_figures(book)[2]
    assert results.units_tendered != before.units_tendered
    # the refresh writes the table as shared formulas; the saved values sit beside them
    text = _sheet_xml(book, "Tenders")
    assert 't="shared"' in text and re.search(r'<f t="shared" si="\d+"/><v>[^<]+</v>', text)


def _sheet_xml(path: Path, sheet: str) -> str:
    from xlpy.workbook import package

    pkg = package.Package(path)
    return pkg.read(pkg.sheet_parts()[sheet]).decode("utf-8")


def _set_saved(path: Path, sheet: str, refs: list[str], value: str) -> None:
    """Change the <v> of formula cells inside the package, as a person with a zip tool could."""
    from xlpy.workbook import package

    pkg = package.Package(path)
    part = pkg.sheet_parts()[sheet]
    text = pkg.read(part).decode("utf-8")
    for ref in refs:
        text, n = re.subn(rf'(<c r="{ref}"[^>]*>(?:(?!</c>).)*?</f>|<c r="{ref}"[^>]*><f[^>]*/>)<v>[^<]*(</v>)',
                          rf"\g<1><v>{value}\g<2>", text, count=1)
        assert n == 1, ref
    pkg.write(part, text.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())
    assert zipfile.ZipFile(path).testzip() is None


def _table_cell(lay, key: str, line: int) -> str:
    _, t = lay.table("tblTenders")
    return f"{t.letter(key)}{t.first_row + line}"


@pytest.mark.parametrize("refreshed", [False, True])
def test_doctored_line_is_a_finding_naming_its_cell(books, tmp_path, monkeypatch, refreshed):
    from xlpy.workbook.validate import validate

    book = _copy(books["capped"], tmp_path)
    if refreshed:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
        assert _refresh(book, _new_tally(book, 10, seed=3)) == 0
    assert validate(book, legs=()).findings == []
    lay, _, _, rows = _assert_engine_figures(book)
    line = max(range(len(rows)), key=lambda i: rows[i]["accepted"])
    ref = _table_cell(lay, "accepted", line)
    _set_saved(book, "Tenders", [ref], str(rows[line]["accepted"] + 1))
    report = validate(book, legs=())
    assert [(f.where, f.leg) for f in report.findings] == [(f"Tenders!{ref}", "saved")]
    f = report.findings[0]
    assert "doctored" in f.what and "Accepted" in f.what
    assert (f.expected, f.found) == (str(rows[line]["accepted"]), str(rows[line]["accepted"] + 1))


def test_many_differing_lines_read_as_stale_and_are_shown_in_part(books, tmp_path):
    from xlpy.workbook.validate import SAVED_TABLE_SHOWN, validate

    book = _copy(books["capped"], tmp_path)
    lay, _, _, rows = _assert_engine_figures(book)
    n = len(rows)
    assert n > SAVED_TABLE_SHOWN + 5
    # As a file saved before recalculation: every line's figures are yesterday's (here: all 1).
    _set_saved(book, "Tenders", [_table_cell(lay, k, i) for k in COLUMNS for i in range(n)], "1")
    report = validate(book, legs=())
    assert report.findings and all("stale" in f.what and f.leg == "saved" for f in report.findings)
    for key in COLUMNS:
        differing = [i for i in range(n) if rows[i][key] != 1]
        cells = [f"Tenders!{_table_cell(lay, key, i)}" for i in differing]
        shown = [f.where for f in report.findings if f.where in cells]
        assert shown == cells[:SAVED_TABLE_SHOWN]
        if len(differing) > SAVED_TABLE_SHOWN:
            col = re.sub(r"\d+$", "", cells[0])
            assert f"{len(differing) - SAVED_TABLE_SHOWN} more saved value(s) of {col} differ" in " ".join(report.notes)


def test_engine_holder_lines_agree_with_the_engines_count_and_delivery():
    """holder_lines, line by line, against count_tally (per holder) and deliver (totals), on random tallies."""
    from xlpy.engine.allocation import count_tally, deliver, holder_lines
    from xlpy.engine.model import HolderTable, Tally

    rng = random.Random(2026)
    for trial in range(60):
        n = rng.randint(1, 60)
        ids = sorted(f"H{rng.randint(0, n // 2):03d}" for _ in range(n))
        units = [rng.randint(0, 500) for _ in range(n)]
        status = [rng.choice(["tendered", "tendered", "withdrawn", "failed"]) for _ in range(n)]
        method = ["guaranteed" if s == "failed" else "book-entry" for s in status]
        eligible = sum(u for u, s in zip(units, status) if s == "tendered")
        cap = rng.choice([None, max(1, eligible // 2), eligible + 1, max(1, eligible // 10)])
        odd_lot = rng.choice([None, 50, 200])
        ratio = Decimal(rng.choice(["7.94", "33.5", "1", "0.125", "12.3456"]))
        policy = rng.choice(["cash", "down", "nearest"])
        count = count_tally(Tally(holders=HolderTable(tuple(ids), tuple(units), tuple(method), tuple(status))),
                            cap, odd_lot)
        lines = holder_lines(ids, units, status, ratio, policy, cap, odd_lot)
        assert sorted(a for a in lines.accepted if a) == sorted(a for a in count.holders if a), trial
        d = deliver(list(count.holders), ratio, policy)
        assert sum(lines.shares) == d.common_issued and sum(lines.fraction) == d.fractional_shares, trial
        want = _reference(ids, units, status, type("O", (), {
            "max_units": cap, "odd_lot": odd_lot,
            "consideration": type("C", (), {"fractional": policy})()})(), ratio)
        assert [(e, r, h, a, s, Fraction(f)) for e, r, h, a, s, f in zip(
            lines.eligible, lines.run, lines.holder_units, lines.accepted, lines.shares, lines.fraction)] == want


def test_unshare_leaves_groups_wholly_inside_or_outside_without_parsing():
    """A master's range decides: a group inside the area, or apart from it, is left as it is (the same text)."""
    from xlpy.workbook.shared_formulas import unshare_crossing

    rows = "".join(f'<row r="{r}"><c r="A{r}"><f t="shared" si="0"/><v>{r}</v></c></row>' for r in range(2, 50))
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:A49" si="0">B1*2</f></c></row>'
             + rows + "</sheetData></worksheet>")
    assert unshare_crossing(sheet, (1, 49, 1, 3)) is sheet  # wholly inside
    assert unshare_crossing(sheet, (60, 90, 1, 3)) is sheet  # wholly apart
    crossed = unshare_crossing(sheet, (10, 90, 1, 1))  # crossing: every cell spelt out
    assert 't="shared"' not in crossed and "<f>B30*2</f>" in crossed


def _refresh_prices_lower(book: Path, tmp_path: Path, factor: str = "0.9", write_only: bool = False) -> None:
    """``xlpy refresh BOOK --prices`` the example's prices times *factor* (``prices-FACTOR.csv`` in *tmp_path*;
    only written, with *write_only*): the ratio moves, the tally does not."""
    import argparse

    from xlpy.cli import refresh as cli_refresh

    src = (DATA / "hecla-2004-prices-illustrative.csv").read_text(encoding="utf-8").splitlines()
    lower = [src[0]] + [f"{d},{Decimal(p) * Decimal(factor):.4f},{v}" for d, p, v in (x.split(",") for x in src[1:])]
    prices = tmp_path / f"prices-{factor}.csv"
    prices.write_text("\n".join(lower) + "\n", encoding="utf-8")
    if write_only:
        return
    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    assert cli_refresh.refresh_command(p.parse_args([str(book), "--prices", str(prices), "--no-backup"])) == 0


def test_price_refresh_gives_the_kept_holder_table_its_new_figures(books, tmp_path, monkeypatch):
    """A refresh of the prices alone moves the ratio: the holder table stays, its saved figures follow."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(books["formula"], tmp_path)
    before = _lay_offer_results(book)[2]
    _refresh_prices_lower(book, tmp_path)
    results = _assert_engine_figures(book)[2]
    assert results.offer_ratio != before.offer_ratio and results.common_issued != before.common_issued


@pytest.mark.libreoffice
def test_refreshed_shared_formulas_recalculate_in_libreoffice(books, tmp_path, monkeypatch):
    """LibreOffice reads the refresh's shared formulas: its own figures for every line are the engine's."""
    from xlpy.workbook import libreoffice
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(books["capped"], tmp_path)
    assert _refresh(book, _new_tally(book, 30, seed=11)) == 0
    assert 't="shared"' in _sheet_xml(book, "Tenders")
    report = validate(book, require_libreoffice=True)
    assert report.findings == [] and report.legs_run == ["formulas", "libreoffice"], report.findings
    # Saved by LibreOffice: the saved values are now LibreOffice's own results of those formulas.
    out = libreoffice.convert([book], convert_to="xlsm:Calc MS Excel 2007 VBA XML", ext="xlsm",
                               out_dir=tmp_path / "lo", timeout=240, what="re-save the workbook")[0]
    _assert_engine_figures(out)
    assert validate(out, legs=()).findings == []


def _prices_only(book: Path, prices: Path) -> None:
    """The Prices button's refresh (the tally and its table stay), on the file."""
    import datetime as dt

    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.refresh import refresh_prices

    when = dt.datetime(2004, 2, 24)
    b = PackageBook(book)
    assert refresh_prices(b, prices, when=when).changed
    b.save(when)


def test_price_refresh_fills_the_kept_holder_table_in_one_pass(books, tmp_path, monkeypatch):
    """A prices-only refresh keeps the holder table; its new figures take the split-and-join way, which gives
    what the careful way gives."""
    from xlpy.workbook import saved_values

    results = []
    fast = saved_values._fill_table_fast

    def spy(region, table, texts):
        out = fast(region, table, texts)
        results.append(out)
        return out

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book = _copy(books["formula"], tmp_path)
    before = _sheet_xml(book, "Tenders")
    _refresh_prices_lower(tmp_path / "unused.xlsm", tmp_path, "0.8", write_only=True)
    (tmp_path / "careful").mkdir()
    again = _copy(book, tmp_path / "careful")
    monkeypatch.setattr(saved_values, "_fill_table_fast", spy)
    _prices_only(book, tmp_path / "prices-0.8.csv")
    assert len(results) == 1 and results[0] is not None
    _assert_engine_figures(book)
    assert _sheet_xml(book, "Tenders") != before  # the holder lines' saved figures moved with the ratio
    # The same bytes by the careful way (the fast way turned off).
    monkeypatch.setattr(saved_values, "_fill_table_fast", lambda *a: None)
    _prices_only(again, tmp_path / "prices-0.8.csv")
    assert _sheet_xml(again, "Tenders") == _sheet_xml(book, "Tenders")


def test_build_writes_the_holder_table_as_a_refresh_does(books, tmp_path, monkeypatch):
    """A build's holder rows come from the refresh's writer: shared formulas, each line's saved value beside it."""
    xml = _sheet_xml(books["capped"], "Tenders")
    assert xml.count('<f t="shared" ref=') == 6 and xml.count('<f t="shared" si=') > 150  # six masters, the rest members
    _assert_engine_figures(books["capped"])


def test_compare_table_reads_empty_and_odd_saved_values():
    """<v></v> (openpyxl's save) is no saved value; text where a number belongs differs, shown as found."""
    from xlpy.workbook.layout import Column, Table
    from xlpy.workbook.saved_values import compare_table
    from xlpy.workbook.validate import Expect, same_figure

    table = Table("tblT", (Column("units", "Units"), Column("eligible", "Eligible", None, "={units}")), 3, 1)
    part = (b'<worksheet><sheetData><row r="2"><c r="B2"><v>5</v></c><c r="C2"><f>B2</f><v></v></c></row>'
            b'<row r="3"><c r="B3"><v>6</v></c><c r="C3"><f>B3</f><v>six</v></c></row>'
            b'<row r="4"><c r="B4"><v>7</v></c><c r="C4"><f>B4</f><v>7</v></c></row></sheetData></worksheet>')
    found, compared, blank = compare_table(part, "T", table, {"eligible": (5, 6, 7)}, same_figure, Expect)
    assert (compared, blank) == (2, 1)
    assert [(m.where, m.saved, m.engine) for m in found] == [("T!C3", "six", 6)]


@pytest.mark.parametrize("refreshed", [False, True])
def test_clean_holder_table_is_compared_in_one_pass(books, tmp_path, monkeypatch, refreshed):
    """A clean table (as built, as refreshed) is compared by one split, every cell counted as compared."""
    from xlpy.workbook import saved_values
    from xlpy.workbook.validate import validate

    book = _copy(books["capped"], tmp_path)
    if refreshed:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
        assert _refresh(book, _new_tally(book, 10, seed=5)) == 0
    calls = []
    alike = saved_values._all_saved_alike
    monkeypatch.setattr(saved_values, "_all_saved_alike", lambda *a: calls.append(alike(*a)) or calls[-1])
    lay = _lay_offer_results(book)[0]
    with_table = validate(book, legs=())
    assert calls == [True] and with_table.findings == []
    monkeypatch.setattr(saved_values, "compare_holder_table", lambda *a: ([], (0, 0)))
    without = validate(book, legs=())
    assert with_table.cells_compared - without.cells_compared == len(COLUMNS) * lay.table("tblTenders")[1].rows


def test_holder_table_read_column_by_column_is_the_cell_by_cell_reading(books, tmp_path):
    """The validator reads a clean holder table column by column; a cell the careful reading would change or
    refuse sends the whole table back to it, so findings still name their cells."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    from xlpy.engine.errors import InputErrors
    from xlpy.workbook import data as bookdata
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    wb = load_workbook(books["capped"])
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    asked = []

    def get(sheet, ref):
        return wb[sheet][ref].value

    def get_rows(sheet, ref):
        asked.append(ref)
        c1, r1, c2, r2 = range_boundaries(ref)
        return list(wb[sheet].iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True))

    careful = bookdata.read_offer(get, lay).tally.holders
    assert bookdata._clean_holder_columns(lay, get_rows) is not None and asked
    assert bookdata.read_offer(get, lay, get_rows=get_rows).tally.holders == careful
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    for key, value in (("holder", " DTC-0101"), ("units", "12"), ("status", "Tendered"), ("units", True)):
        cell = ws.cell(t.first_row + 3, t.first_col + [c.key for c in t.columns].index(key))
        old, cell.value = cell.value, value
        assert bookdata._clean_holder_columns(lay, get_rows) is None, (key, value)
        try:
            slow = bookdata.read_offer(get, lay)
        except InputErrors as exc:
            slow = str(exc)
        try:
            fast = bookdata.read_offer(get, lay, get_rows=get_rows)
        except InputErrors as exc:
            fast = str(exc)
        assert fast == slow, (key, value)
        cell.value = old


#: Holder ids a careless writer or reader changes: Excel's own escape written literally, XML's specials, edge
#: spaces (the tally reader strips them), accents.
AWKWARD_IDS = ("A&B <x> _x0041_", "x_x1234_y", "Café-ü")


def _awkward_book(folder: Path) -> tuple[Path, Path]:
    """The notes example with AWKWARD_IDS as three more holders, built: (workbook, offer file)."""
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    shutil.copytree(OFFERS / "data", folder / "data")
    tally = folder / "data" / "notes-capped-tally.csv"
    extra = "".join(f'"{h}",{7 + i},certificate,tendered\n' for i, h in enumerate(AWKWARD_IDS))
    tally.write_text(tally.read_text(encoding="utf-8") + extra, encoding="utf-8")
    offer_file = folder / "notes-capped-example.toml"
    shutil.copy(OFFERS / offer_file.name, offer_file)
    offer, results = compute_file(offer_file)
    return build_workbook(offer, results, folder / "awkward.xlsm"), offer_file


def test_text_that_looks_like_excels_escape_is_stored_escaped_and_read_as_written(tmp_path, monkeypatch):
    """A literal ``_x0041_`` is stored ``_x005F_x0041_`` (as Excel stores it; openpyxl does not) and read back as
    the text it was, so the workbook's offer is the offer file's and the build validates clean."""
    from xlpy.workbook import data as bookdata
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book, offer_file = _awkward_book(tmp_path)
    xml = _sheet_xml(book, "Tenders")
    assert "A&amp;B &lt;x&gt; _x005F_x0041_" in xml and "x_x005F_x1234_y" in xml
    offer = _lay_offer_results(book)[1]
    assert set(AWKWARD_IDS) <= set(offer.tally.holders.holder_id)
    assert bookdata.excel_text("_x005F_x0041_ and _x005F_x005F_") == "_x0041_ and _x005F_"
    assert bookdata.excel_text(5) == 5
    report = validate(book, offer_file, legs=("formulas",))
    assert report.findings == [], report.findings


@pytest.mark.libreoffice
def test_libreoffice_reads_the_escaped_text_as_the_text_it_was(tmp_path, monkeypatch):
    """An application that follows the standard shows the holder id itself, not the escape."""
    from openpyxl import load_workbook

    from xlpy.workbook import data as bookdata
    from xlpy.workbook import libreoffice

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book, _ = _awkward_book(tmp_path)
    out = libreoffice.convert([book], convert_to="xlsx", ext="xlsx", out_dir=tmp_path / "lo", timeout=240,
                               what="save the workbook as xlsx")[0]
    ws = load_workbook(out)["Tenders"]  # LibreOffice's own file: text escaped as it judges right
    shown = {bookdata.excel_text(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert set(AWKWARD_IDS) <= shown, sorted(x for x in shown if "_x" in x or "&" in x)
