"""The shared strings of a workbook or an XLSX tally, counted before a reader builds them (review 119 H4): 28 million
strings no cell uses, a 20 MB file within the limits on sizes and ratios, made ``xlpy compute BOOK`` take 2.6 GB and
198 s, and ``refresh --tally T.xlsx`` run out of memory after 242 s, openpyxl's reader building every one.  Over
``--max-strings`` (``XLPY_MAX_STRINGS``, 2,500,000 by default) the file is refused in one line naming the file, the
part and the limit, as the other limits refuse one."""

from __future__ import annotations

import hashlib
import random
import time
import zipfile
from pathlib import Path

import pytest
from hostile_books import book  # noqa: F401  (the fixture)
from repo_paths import DATA, TALLY

from xlpy.cli import main
from xlpy.engine.errors import InputError
from xlpy.files import safety

pytestmark = pytest.mark.usefixtures("fresh_limits")

STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
RAISE = "(raise the limit with --max-strings or XLPY_MAX_STRINGS)"


def with_strings(src: Path, dst: Path, n: int, part: str = "xl/sharedStrings.xml", typed: bool = True,
                 related: bool = True, target: str | None = None) -> Path:
    """*src* with a shared strings part *part* of *n* one-letter strings no cell uses (of eight letters, at random:
    packed about 23 times, within the limit on ratios), given its content type in [Content_Types].xml (*typed*) and
    named by a relationship of the workbook (*related*; *target*: as it names it, by default relative to xl/)."""
    target = target or part.removeprefix("xl/")
    rnd = random.Random(7)
    block = [b"<si><t>%c</t></si>" % rnd.choice(b"abcdefgh") for _ in range(100_000)]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info)
            if typed and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/%s" ContentType="%s"/></Types>'
                                    % (part.encode(), STRINGS_TYPE))
            if related and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS9" Type="%s" Target="%s"/>'
                                    b"</Relationships>" % (STRINGS_REL, target.encode()))
            if info.filename != part:
                z.writestr(info.filename, data)
        with z.open(part, "w", force_zip64=True) as fh:
            fh.write(HEAD)
            for start in range(0, n, len(block)):
                fh.write(b"".join(block[:n - start]))
            fh.write(b"</sst>")
    return dst


def test_a_workbook_over_the_default_limit_is_refused_before_its_strings_are_read(book, capsys):  # noqa: F811
    """2,500,001 strings: refused in a second or so, where they took 20 s and more to build, 3 million 50 to 106 s."""
    big = with_strings(book, book.parent / "big.xlsm", 2_500_001)
    start = time.perf_counter()
    assert main(["compute", str(big)]) == 2
    took = time.perf_counter() - start
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy compute: {big}: part xl/sharedStrings.xml: holds more than 2,500,000 shared strings, the limit; "
        f"refused before reading them {RAISE}"]
    assert took < 10, took


def test_the_limit_is_raised_by_the_option_over_the_environment(book, capsys, monkeypatch):  # noqa: F811
    strung = with_strings(book, book.parent / "strung.xlsm", 30)
    monkeypatch.setenv("XLPY_MAX_STRINGS", "29")
    assert main(["compute", str(strung)]) == 2
    assert "holds more than 29 shared strings, the limit; refused before reading them" in capsys.readouterr().err
    assert main(["compute", str(strung), "--max-strings", "30"]) == 0
    monkeypatch.setenv("XLPY_MAX_STRINGS", "lots")
    with pytest.raises(InputError, match="XLPY_MAX_STRINGS: must be a finite number > 0, got 'lots'"):
        safety.limits()
    assert main(["compute", str(strung), "--max-strings", "0"]) == 2
    assert "--max-strings: must be > 0, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("part, typed, related, target", [
    ("xl/sharedStrings.xml", False, False, None),  # (by its name alone)
    ("xl/strings9.xml", True, False, None),  # (openpyxl's reader finds it by its content type)
    ("xl/strings9.xml", False, True, None),  # (xlpy's readers follow the workbook's relationship)
    ("xl/strings9.xml", False, True, "/xl/strings9.xml"),
    ("xl/Other/S.xml", False, True, "other/s.xml"),  # (part names compare without case)
])
def test_every_part_a_reader_takes_for_the_shared_strings_is_counted(book, part, typed, related, target):  # noqa: F811
    strung = with_strings(book, book.parent / "strung.xlsm", 11, part, typed, related, target)
    safety.configure(strings=11)
    safety.check_package(strung, "strung.xlsm")
    safety.configure(strings=10)
    with pytest.raises(InputError) as caught:
        safety.check_package(strung, "strung.xlsm")
    assert str(caught.value) == (f"strung.xlsm: part {part}: holds more than 10 shared strings, the limit; refused "
                                 f"before reading them {RAISE}")


def test_strings_are_counted_exactly_whatever_their_spelling_and_across_slices(tmp_path):
    """Items closed in place, with attributes or a prefix; closing tags and other elements are no items; an item's
    tag split between two slices of the part read (8 MB) is counted once."""
    items = [b"<si/>", b'<si xml:space="preserve"><t>b</t></si>', b"<x:si><x:t>c</x:t></x:si>", b"<si>\n<t>d</t></si>",
             b"<si><r><t>e</t></r><rPh sb='0'><t>f</t></rPh></si>", b"<sig/>", b"<size/>"]
    counted = 5
    body = b"".join(items) * 60_000  # (about 9 MB: every spelling meets the slices' edge somewhere)
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", HEAD + body + b"</sst>")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/sharedStrings.xml")
        for shift in (0, 1, 7, 100):  # (the edge falling elsewhere in a tag)
            with zipfile.ZipFile(tmp_path / f"{shift}.zip", "w", zipfile.ZIP_DEFLATED) as z2:
                z2.writestr(info.filename, HEAD + b" " * shift + body + b"</sst>")
            with zipfile.ZipFile(tmp_path / f"{shift}.zip") as z2:
                part = z2.getinfo(info.filename)
                assert safety.shared_strings_over(z2, part, counted * 60_000 - 1)
                assert not safety.shared_strings_over(z2, part, counted * 60_000)


def test_a_refresh_refuses_an_xlsx_tally_over_the_limit_and_leaves_the_workbook(book, capsys):  # noqa: F811
    from openpyxl import Workbook

    wb = Workbook()
    for line in (DATA / TALLY).read_text(encoding="utf-8").splitlines():
        wb.active.append([int(v) if v.isdigit() else v for v in line.split(",")])
    wb.save(book.parent / "plain.xlsx")
    held = 400
    tally = with_strings(book.parent / "plain.xlsx", book.parent / "t.xlsx", held)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    assert main(["refresh", str(book), "--tally", str(tally), "--max-strings", str(held - 1)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {tally}: part xl/sharedStrings.xml: holds more than {held - 1:,} shared strings, the limit; "
        f"refused before reading them {RAISE}", f"xlpy refresh: {book} was not changed"]
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert main(["refresh", str(book), "--tally", str(tally), "--max-strings", str(held), "-q"]) == 0
