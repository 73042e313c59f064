"""The packing of long sheets (xlpy/files/deflate.py) and the fast path that writes a table's rows.

A long sheet is packed by ISA-L where it is installed, in parallel slices
joined as one stream; whatever packed it, zlib (what Excel's and
LibreOffice's readers amount to) must unpack exactly the bytes that went in.
"""

from __future__ import annotations

import importlib.util
import random
import re
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpy.engine.errors import InputError
from xlpy.files import deflate, safety
from xlpy.workbook import table_xml
from xlpy.workbook.package import Package, PackageError


def _sheet_like(size: int, seed: int = 7) -> bytes:
    """Rows of cells much like a holder table's, *size* bytes or a little more."""
    rng = random.Random(seed)
    out, n = [], 0
    r = 20
    while n < size:
        row = (f'<row r="{r}"><c r="C{r}" s="27" t="inlineStr"><is><t>H{rng.randrange(10**7):07d}</t></is></c>'
               f'<c r="D{r}" s="26"><v>{rng.randint(1, 400)}</v></c></row>')
        out.append(row)
        n += len(row)
        r += 1
    return "".join(out).encode()


def test_the_fast_backend_is_the_one_installed():
    assert deflate.BACKEND == ("isal" if importlib.util.find_spec("isal") else "zlib")


@pytest.mark.parametrize("size", [1000, deflate.LARGE + 1, 3 * deflate.LARGE + 12345])
def test_zlib_unpacks_what_deflate_packed(size):
    data = _sheet_like(size)
    packed = deflate.deflate(data)
    d = zlib.decompressobj(-15)
    assert d.decompress(packed) == data and d.eof  # one stream: the slices join
    assert deflate.inflate(packed, len(data)) == data
    assert deflate.crc32(data) == zlib.crc32(data)
    if size > deflate.LARGE:
        assert len(packed) < len(data) / 4  # packed fast, but packed


def test_small_parts_are_the_same_bytes_on_every_machine():
    data = _sheet_like(50_000)
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert deflate.deflate(data, 6) == c.compress(data) + c.flush()


def test_inflate_stops_at_the_limit_and_refuses_damage():
    data = _sheet_like(deflate.LARGE + 10)
    packed = deflate.deflate(data)
    assert deflate.inflate(packed, len(data) - 1) is None
    with pytest.raises((zlib.error, EOFError)):
        deflate.inflate(packed[: len(packed) // 2], len(data))
    with pytest.raises(zlib.error):
        deflate.inflate(b"\xff" * 64, len(data))


def _package_with(tmp_path, data: bytes):
    path = tmp_path / "long.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", data)
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")  # (a package without one is refused as no workbook)
    return path


def test_a_long_part_is_read_by_the_fast_path_and_checked(tmp_path):
    data = _sheet_like(deflate.LARGE + 100)
    path = _package_with(tmp_path, data)
    assert Package(path).read("xl/worksheets/sheet1.xml") == data
    bad = Package(path)
    bad._infos["xl/worksheets/sheet1.xml"].CRC ^= 1  # what a damaged part looks like to the reader
    with pytest.raises(PackageError, match=r"is damaged \(Bad CRC-32 for file 'xl/worksheets/sheet1.xml'\)"):
        bad.read("xl/worksheets/sheet1.xml")
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    raw = Package(path)._raw("xl/worksheets/sheet1.xml")[1]
    with pytest.raises(InputError, match=r"part xl/worksheets/sheet1.xml: unpacks to more than 2 MB"):
        safety.inflate_part(raw, info, "long.xlsx", safety.Limits(2, 1024, 1e9, 100))


def test_a_rewritten_long_part_reads_back_through_zipfile(tmp_path):
    data = _sheet_like(2 * deflate.LARGE)
    pkg = Package(_package_with(tmp_path, b"<worksheet/>"))
    pkg.write("xl/worksheets/sheet1.xml", data)
    out = tmp_path / "out.xlsx"
    out.write_bytes(pkg.to_bytes())
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert zf.read("xl/worksheets/sheet1.xml") == data


_TEXT = st.lists(st.text(alphabet=st.sampled_from(list("Hab_x0 9&<>\t\u00a0\u2003é")), max_size=6), max_size=6)


@settings(deadline=None)  # (a worker descheduled on a loaded machine took one example past the 200 ms default)
@given(_TEXT)
def test_plain_text_check_agrees_with_the_careful_one(values):
    joined = "\x00".join(values)
    careful = not re.search(r"[\x01-\x1f&<>]|_x|\x00\s|\s\x00", joined) and joined == joined.strip()
    assert table_xml._plain_text(values) == careful
