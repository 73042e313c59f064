"""LibreOffice's recalculated copy of a workbook, which ``validate`` reads back, is xlpy's own, made from a workbook
that passed the package limits: it is held to their sizes and number of parts, not to the compression ratio meant
for a file from outside, and a refusal names it as that copy of its workbook, with the option that lifts it."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from xlpy.cli import main
from xlpy.engine.errors import InputError
from xlpy.files import safety

from holder_books import holder_book

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


def long_ids_book(folder: Path, lines: int) -> Path:
    """A workbook built from a tally of *lines* holders whose ids are 1,000 characters, alike but for their ends."""
    tally = [(f"{'H' * 990}{i:010d}", i % 400 + 1) for i in range(lines)]
    return holder_book(folder, tally, 2 * sum(units for _, units in tally), "long-ids", "Long Ids Issuer")


def largest_ratio(source) -> float:
    """The largest compression ratio of *source*'s parts held to the ratio (over the floor)."""
    with zipfile.ZipFile(source) as z:
        return max((i.file_size / max(i.compress_size, 1) for i in z.infolist()
                    if i.file_size > safety.RATIO_FLOOR), default=0.0)


@pytest.mark.libreoffice
def test_a_tally_of_long_ids_is_validated_though_libreoffice_s_copy_packs_them_past_the_ratio(tmp_path, capsys,
                                                                                             monkeypatch):
    """Review: a 2,000-line tally of 1,000-character ids built a workbook (its largest part packed 24 times) that
    ``validate`` refused in its LibreOffice leg, `book.lo-input.xlsx: part xl/sharedStrings.xml: unpacks 134 times
    its packed size (2.0 MB), over the limit of 100; ... --max-ratio`, of a file the user never gave: LibreOffice's
    copy, which packs the ids in its shared strings. The copy is held to the sizes and parts, not the ratio; the
    workbook given is held to the ratio as before. Here 300 lines and a ratio floor of 64 KB stand for 2,000 lines
    and its 1 MB, and --max-ratio 30 for 100."""
    monkeypatch.setattr(safety, "RATIO_FLOOR", 64 << 10)
    book = long_ids_book(tmp_path, 300)
    copies: dict[str, float] = {}  # label -> largest ratio, of each package checked but the workbook given
    real = safety.check_package

    def check_package(source, label=None, lim=None):
        if Path(source) != book:
            copies[label] = largest_ratio(source)
        return real(source, label, lim)

    monkeypatch.setattr(safety, "check_package", check_package)
    capsys.readouterr()
    assert largest_ratio(book) < 30
    assert main(["validate", str(book), "--no-formulas", "--max-ratio", "30"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("book.xlsm: valid (") and "libreoffice" in out, out + err
    assert list(copies) == ["LibreOffice's recalculated copy of book.xlsm"]
    assert max(copies.values()) > 30  # (the copy refused before: its ids packed past the limit)

    # the workbook given: under the ratio as before
    assert main(["validate", str(book), "--no-formulas", "--max-ratio", "15"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"xlpy validate: book\.xlsm: part xl/worksheets/sheet3\.xml: unpacks \d+ times its packed size "
                        r"\(.* MB\), over the limit of 15; refused before unpacking \(raise the limit with --max-ratio "
                        r"or XLPY_MAX_RATIO\)", line), line


def test_libreoffice_s_copy_is_held_to_the_sizes_and_named_as_the_copy_of_its_workbook(seed, tmp_path):
    """The reader of LibreOffice's copy (told the workbook it is a copy of) does not hold it to the ratio, which a
    file from outside is held to; over a size it is refused naming the copy, its workbook, and the option."""
    from xlpy.workbook.package import Package
    from xlpy.workbook.readback import xlsx_values

    copy = Path(shutil.copy(seed, tmp_path / "book.lo-input.xlsx"))
    with zipfile.ZipFile(copy, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("customXml/item9.xml", b" " * (2 << 20))  # (2 MB packed some thousand times)
    with pytest.raises(InputError, match=r"^book\.lo-input\.xlsx: part customXml/item9\.xml: unpacks [\d,]+ times .*"
                                         r"--max-ratio or XLPY_MAX_RATIO\)$"):
        Package(copy)  # (a file from outside)
    assert xlsx_values(copy, [("Results", "C28")], copy_of="book.xlsm")[("Results", "C28")] is not None
    safety.configure(part_mb=1)
    with pytest.raises(InputError) as said:
        xlsx_values(copy, [("Results", "C28")], copy_of="book.xlsm")
    assert str(said.value) == ("LibreOffice's recalculated copy of book.xlsm: part customXml/item9.xml: unpacks to "
                               "2.0 MB, over the limit of 1 MB per part; refused before unpacking (raise the limit "
                               "with --max-part-mb or XLPY_MAX_PART_MB)")
    safety.reset()
    safety.configure(parts=3)
    with pytest.raises(InputError, match=r"^LibreOffice's recalculated copy of book\.xlsm: has \d+ parts, over the "
                                         r"limit of 3; refused before unpacking \(raise the limit with --max-parts "
                                         r"or XLPY_MAX_PARTS\)$"):
        xlsx_values(copy, [("Results", "C28")], copy_of="book.xlsm")


def _stored(source: Path, change) -> bytes:
    """The package *source* stored (not deflated), each worksheet part's bytes given to *change*."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename.startswith("xl/worksheets/sheet") else body)
    return out.getvalue()


#: LibreOffice's copy spoilt three ways: a part failing its checksum, parts cut short (not XML), not a package; and
#: how the leg's finding says it, after the workbook's name and "LibreOffice's recalculated copy".
SPOILT = {
    "damaged": (lambda copy: _stored(copy, lambda b: b).replace(b"<sheetData>", b"<sheetDatb>"),
                r": is damaged \(Bad CRC-32 for file 'xl/worksheets/sheet\d+\.xml'\)"),  # (the part named once)
    "not XML": (lambda copy: _stored(copy, lambda b: b[:len(b) // 10]),
                r", part xl/worksheets/sheet\d+\.xml: is not well-formed XML \(.*\)"),
    "no package": (lambda copy: b"no zip package here" * 100,
                   r": not a workbook: it is a file of no kind xlpy knows \(.*\)"),
}


def _spoilt_copies(monkeypatch, spoil) -> None:
    """LibreOffice stood in for: its recalculated copy is the copy it is given, spoilt by *spoil*."""
    from xlpy.workbook import libreoffice

    def recalculate(copy, out_dir, timeout=None):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        made = Path(out_dir) / f"{Path(copy).stem}.xlsx"
        made.write_bytes(spoil(Path(copy)))
        return made

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(libreoffice, "recalculate", recalculate)


@pytest.mark.parametrize("kind", SPOILT)
def test_a_spoilt_copy_names_its_workbook_once(seed, capsys, monkeypatch, kind):
    """Review: a damaged part of LibreOffice's copy was said `book.xlsm: LibreOffice's recalculated copy of
    book.xlsm: part ... is damaged`, the workbook named twice; and a part of it that is not XML ended validate with
    lxml's traceback. The copy is named once, then what is wrong with it: a finding of the LibreOffice leg."""
    spoil, said = SPOILT[kind]
    _spoilt_copies(monkeypatch, spoil)
    capsys.readouterr()
    assert main(["validate", str(seed), "--no-formulas"]) == 1
    out, err = capsys.readouterr()
    finding, verdict = out.splitlines()
    assert re.fullmatch(rf"book\.xlsm: LibreOffice's recalculated copy{said}; the workbook was not validated by "
                        r"LibreOffice \[libreoffice\]", finding), finding
    assert err == "" and verdict.startswith("book.xlsm: 1 finding(s) (") and verdict.endswith("recalculated by: none)")


def test_a_copy_refused_over_a_limit_is_the_libreoffice_leg_s_finding_and_the_formulas_leg_still_reported(
        seed, capsys, monkeypatch):
    """Review: LibreOffice's copy refused (over a limit, damaged) refused the whole workbook, exit status 2, and
    the formulas leg's comparison, done, was dropped: nothing on standard output. The formulas leg is reported as
    ever, the copy's refusal is the LibreOffice leg's finding (the workbook was not validated by LibreOffice: exit
    status 1, not valid), and --json's object is a report's, not a refusal's."""
    import json

    with zipfile.ZipFile(seed) as z:
        parts = len(z.infolist())

    def more_parts(copy: Path) -> bytes:  # (LibreOffice's copy with 20 parts more than the workbook)
        import io

        out = io.BytesIO(copy.read_bytes())
        with zipfile.ZipFile(out, "a") as z:
            for i in range(20):
                z.writestr(f"customXml/item{i + 1}.xml", b"<a/>")
        return out.getvalue()

    _spoilt_copies(monkeypatch, more_parts)
    limit = ["--max-parts", str(parts + 10)]  # (the workbook is under it, its copy over it)
    capsys.readouterr()
    assert main(["validate", str(seed), *limit]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    *_, finding, verdict = out.splitlines()
    assert finding == (f"book.xlsm: LibreOffice's recalculated copy: has {parts + 20} parts, over the limit of "
                       f"{parts + 10}; refused before unpacking (raise the limit with --max-parts or XLPY_MAX_PARTS); "
                       "the workbook was not validated by LibreOffice [libreoffice]")
    assert re.fullmatch(r"book\.xlsm: 1 finding\(s\) \([\d,]+ figures compared; recalculated by: formulas [\d.]+\)",
                        verdict), verdict
    assert main(["validate", str(seed), *limit, "--json"]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert "errors" not in report and "status" not in report  # (a report, not a refusal)
    assert report["ok"] is False and report["legs_run"] == ["formulas"]
    assert report["compared_by_leg"]["formulas"] > 100 and "libreoffice" not in report["compared_by_leg"]
    assert report["sha256"] and report["validated_at"]
    assert [(f["where"], f["leg"]) for f in report["findings"]] == [("LibreOffice's recalculated copy", "libreoffice")]
