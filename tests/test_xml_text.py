"""XML text read without a parser where a long table's is read (xlpy/workbook/xml_text.py, the shared strings of
xlpy/workbook/fastload.py): the same text a parser gives.

A 100,000-line workbook saved by LibreOffice writes each formula out, with a
million entities (``IF(F500=&quot;tendered&quot;,D500,0)``), and its holder ids
as 100,000 shared strings.  Unescaping the formulas took a Python call an
entity, and openpyxl's reader took about a second for the strings; both are now
read in C where the text allows, and these tests hold them to the slow answer.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.reader.strings import read_string_table

from xlpy.workbook.fastload import plain_strings
from xlpy.workbook.xml_text import unescape

_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _one_pass(text: str) -> str:
    """Each entity or character reference replaced where it stands, in one pass (a regular expression's)."""
    def one(m):
        e = m.group(1)
        if e[0] != "#":
            return _NAMED[e]
        code = int(e[2:], 16) if e[1] == "x" else int(e[1:])
        return chr(code) if code <= 0x10FFFF else m.group(0)
    return _ENTITY.sub(one, text)


_PIECES = ["&", "amp;", "lt;", "gt;", "quot;", "apos;", "#", "x", "41;", "233;", ";", "a", " ", "&amp;", "&lt;",
           "&quot;", "IF(", "B5", "&#65;", "&#x41;", "&foo;", "&#1114112;"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join))
def test_unescape_reads_every_text_as_one_pass_does(text):
    assert unescape(text) == _one_pass(text)


def test_a_formula_libreoffice_writes_out_reads_as_typed():
    assert unescape("IF(F500=&quot;tendered&quot;,D500,0)&amp;&lt;&gt;&apos;") == 'IF(F500="tendered",D500,0)&<>\''
    assert unescape("&amp;lt; &amp;amp;") == "&lt; &amp;"  # (each entity once: &amp; last)


_SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{gap}<sst xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{body}</sst>')


def _escaped(text: str, quotes: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&apos;") if quotes else text


_TEXT = st.lists(st.sampled_from(list("ab &<>\"'_é\u200b\t\n") + ["x005F_", "_x000D_"]), max_size=12).map("".join)


@st.composite
def string_parts(draw):
    """A shared-strings part as Excel or LibreOffice writes one, then perhaps something a parser reads otherwise:
    rich text, a character reference, a CR, an empty ``<t/>``, an entity no XML names."""
    strings = draw(st.lists(_TEXT, max_size=8))
    quotes, preserve = draw(st.booleans()), draw(st.booleans())
    t = '<t xml:space="preserve">' if preserve else "<t>"
    items = [f"<si>{t}{_escaped(s, quotes)}</t></si>" for s in strings]
    odd = draw(st.sampled_from([None, "rich", "reference", "cr", "empty", "entity"]))
    if odd == "rich":
        items.append("<si><r><t>bold</t></r><r><t> plain</t></r></si>")
    elif odd == "reference":
        items.append("<si><t>caf&#233;</t></si>")
    elif odd == "cr":
        items.append("<si><t>a\rb</t></si>")
    elif odd == "empty":
        items.append("<si><t/></si>")
    elif odd == "entity":
        items.append("<si><t>&nbsp;</t></si>")
    gap = draw(st.sampled_from(["", "\n", "\r\n"]))
    return _SST.format(gap=gap, n=len(items), body="".join(items)).encode("utf-8"), odd


@settings(max_examples=400, deadline=None)
@given(string_parts())
def test_plain_shared_strings_read_as_openpyxl_reads_them(part):
    """Where the part holds plain text alone the pattern reads it, to openpyxl's strings; anything else is left to
    openpyxl's reader (None), which reads it or refuses it."""
    data, odd = part
    plain = plain_strings(data)
    if odd is None:
        assert plain is not None
    else:
        assert plain is None
    if plain is not None:
        assert plain == read_string_table(io.BytesIO(data))


def test_a_part_of_another_form_is_left_to_openpyxl():
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    assert plain_strings(f'<sst xmlns="{ns}"><si><t>a</t></si></sst>'.encode()) == ["a"]
    for other in (f'<x:sst xmlns:x="{ns}"><x:si><x:t>a</x:t></x:si></x:sst>',  # (a prefix)
                  '<sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>a</t></si></sst>',  # (Strict)
                  f'<sst xmlns="{ns}">\n  <si><t>a</t></si>\n</sst>',  # (laid out)
                  f'<?xml version="1.0" encoding="UTF-16"?><sst xmlns="{ns}"><si><t>a</t></si></sst>',
                  f'<!DOCTYPE sst><sst xmlns="{ns}"><si><t>a</t></si></sst>',
                  f'<?xml version="1.0"?>\u3000<sst xmlns="{ns}"><si><t>a</t></si></sst>',  # (no XML space)
                  f'<sst xmlns:x="{ns}"><si><t>a</t></si></sst>',  # (the main namespace bound to a prefix only)
                  '<sst xmlns="http://schemas.openxmlformats.org/other"><si><t>a</t></si></sst>',
                  f'<sst xmlns="{ns}" count="\u0661"><si><t>a</t></si></sst>'):
        assert plain_strings(other.encode()) is None, other
    assert plain_strings(b"\xff\xfe<\x00") is None  # (not UTF-8)


@pytest.mark.parametrize("inside", [b"a\x0bb", b"a\x0cb", b"a]]>b", "a\uffffb".encode(), b"a\xffb", b"a\x01b"])
def test_a_part_a_parser_refuses_is_left_to_openpyxl_s_reader_which_refuses_it(inside):
    """Review 129: a character XML does not allow, "]]>", or bytes that are not UTF-8 inside a string: openpyxl's
    reader refuses the part, so the pattern must not read it."""
    data = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + inside
            + b"</t></si></sst>")
    assert plain_strings(data) is None
    with pytest.raises(Exception):  # (a ParseError of the XML library in use)
        read_string_table(io.BytesIO(data))


def _book_of_strings(path, strings, rich: str | None = None):
    """A workbook of *strings* in column A (numbers in B), each a shared string as Excel and LibreOffice write
    them (openpyxl writes inline text: its package is given a shared-strings part); *rich*: one more string, as
    rich text."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl import Workbook

    wb = Workbook()
    for i, s in enumerate(strings, start=1):
        wb.active.cell(i, 2, i)
    wb.save(path)
    items = [f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings] + ([rich] if rich else [])
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" count="{len(items)}" '
           f'uniqueCount="{len(items)}">{"".join(items)}</sst>').encode()
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for i in range(len(items)):
        cell = f'<c r="A{i + 1}" t="s"><v>{i}</v></c>'
        sheet = sheet.replace(f'<row r="{i + 1}">', f'<row r="{i + 1}">{cell}', 1) if i < len(strings) else \
            sheet.replace("</sheetData>", f'<row r="{i + 1}">{cell}</row></sheetData>')
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    parts["xl/sharedStrings.xml"] = sst
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


_HARD = ["DTC-0022", " spaced ", "A & B <c>", 'say "x"', "tab\there", "line\nfeed", "_x000D_ and x005F_",
         "caf\u00e9 \u00d6lund \u200b", "=not a formula", "'quoted", ""]


@pytest.mark.parametrize("read_only", [False, True])
def test_a_workbook_loads_with_the_same_values_its_strings_read_fast(tmp_path, monkeypatch, read_only):
    """openpyxl writes each text cell as a shared string: the workbook loads to the same values with openpyxl's
    loader and with xlpy's, which reads the strings without openpyxl's reader (made to fail here)."""
    import openpyxl
    import openpyxl.reader.excel

    from xlpy.workbook.openpyxl_access import load_workbook

    path = _book_of_strings(tmp_path / "s.xlsx", _HARD)
    expected = [list(r) for r in openpyxl.load_workbook(path, read_only=read_only).active.iter_rows(values_only=True)]

    def refused(*a, **k):
        raise AssertionError("openpyxl's reader was used for plain strings")

    monkeypatch.setattr(openpyxl.reader.excel, "read_string_table", refused)
    got = [list(r) for r in load_workbook(path, read_only=read_only).active.iter_rows(values_only=True)]
    assert got == expected and got[0] == ["DTC-0022", 1]


def test_rich_text_strings_are_left_to_openpyxl_s_reader(tmp_path):
    import openpyxl

    from xlpy.workbook.openpyxl_access import load_workbook

    rich = _book_of_strings(tmp_path / "r.xlsx", ["a"], rich="<si><r><t>b</t></r><r><rPr><b/></rPr><t>old</t></r></si>")
    values = [r[0] for r in load_workbook(rich).active.iter_rows(values_only=True)]
    assert values == [r[0] for r in openpyxl.load_workbook(rich).active.iter_rows(values_only=True)] == ["a", "bold"]


@pytest.mark.parametrize("text, value", [("1", True), ("0", False), ("2", True), ("01", True), (" 1 ", True),
                                         ("-1", True), ("true", True), ("false", False)])
def test_a_boolean_cell_reads_as_openpyxl_reads_it(text, value):
    """Review 130: ``<c t="b"><v>2</v></c>`` (no program writes one; openpyxl reads it ``bool(int(v))``, True) was
    False to each of xlpy's own readers of a sheet's text; ``true``, which openpyxl refuses, is read as it says."""
    from xlpy.workbook.package import SheetXml
    from xlpy.workbook.xml_text import boolean

    assert boolean(text) is value
    sx = SheetXml(f'<worksheet><sheetData><row r="1"><c r="A1" t="b"><v>{text}</v></c></row></sheetData>'
                  "</worksheet>".encode())
    assert sx.typed_value(sx.rows_between(1, 1)[0][3][0][1], list) is value
    if text.strip().lstrip("-").isdigit():  # (what openpyxl reads at all)
        from openpyxl.worksheet._reader import WorkSheetParser
        from xml.etree.ElementTree import fromstring

        cell = fromstring(f'<c xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="A1" t="b">'
                          f"<v>{text}</v></c>")
        assert WorkSheetParser(b"", []).parse_cell(cell)["value"] is value
