"""``xlpy compute`` and ``xlpy release``: the results contract, the announcement, and bad input
refused by the real command in a subprocess."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from repo_paths import FORMULA, NOTES, SEED
from repo_paths import ROOT as REPO
from test_offerfile import BAD, check_refusal, listing, write_case

from xlpy import cli
from xlpy.engine.schema import EPS_FIELDS, EXCHANGE_FIELDS, RESULT_FIELDS

Q1 = REPO / "tests" / "golden" / "hecla-2004-q1.toml"
CONTRACT = REPO / "docs" / "offer-file.md"

# The results contract, from the engine's one definition of it (xlpy.engine.schema); the test below
# ties docs/offer-file.md ("## Results") to the same definition.
ALWAYS = [f.key for f in RESULT_FIELDS if f.when == "always"]
FORMULA_ONLY = [f.key for f in RESULT_FIELDS if f.when == "formula"]
PERIOD_ONLY = [f.key for f in RESULT_FIELDS if f.when == "period"]
EPS_KEYS = [f.key for f in EPS_FIELDS]
EXCHANGE_KEYS = [f.key for f in EXCHANGE_FIELDS]
_ALL_FIELDS = RESULT_FIELDS + EPS_FIELDS + EXCHANGE_FIELDS
# counts of whole units and shares ("counts of whole shares are whole")
WHOLE = {f.key for f in _ALL_FIELDS if f.kind == "count"}
TEXT_KEYS = {f.key for f in _ALL_FIELDS if f.kind in ("text", "date")}
# how the document says a key is not always there
WHEN_PHRASES = {"formula": "only when the ratio is set by formula", "period": "only with a [period] table",
                "extinguishment": "present only when the induced-conversion test failed",
                "holders": "present only for a holder tally"}

SEED_PHRASES = [
    "approximately 274,000",
    "approximately 3,500",
    "approximately 191,000",
    "approximately 115 million to approximately 117 million",
    "approximately $9.6 million",
]


def run_json(capsys, path: Path) -> dict:
    assert cli.main(["compute", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert all(line.startswith("xlpy compute: warning: ") for line in err.splitlines()), err

    def no_floats(text):
        raise AssertionError(f"a bare JSON number {text} in the results: quantities must be strings")

    return json.loads(out, parse_float=no_floats)


def _documented_results() -> dict[str, str]:
    """Each key docs/offer-file.md's "## Results" section describes (its table and its list), with its text."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text[text.index("## Results"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    documented: dict[str, str] = {}
    for cell, rest in re.findall(r"^\| (`[^|]+`) \|(.*)$", section, flags=re.M):
        for key in re.findall(r"`([a-z_]+)`", cell):
            documented[key] = rest
    for key, rest in re.findall(r"^\* `([a-z_]+)`:(.*(?:\n  .*)*)", section, flags=re.M):
        assert key not in documented, f"{key} is described twice"
        documented[key] = " ".join(rest.split())
    return documented


def test_offer_file_md_describes_the_results_schema():
    documented = _documented_results()
    assert set(documented) == {f.key for f in RESULT_FIELDS}
    for f in RESULT_FIELDS:
        if f.when != "always":
            assert WHEN_PHRASES[f.when] in documented[f.key], f.key
        else:
            assert not any(p in documented[f.key] for p in WHEN_PHRASES.values()), f.key
    for key, fields in (("eps", EPS_FIELDS), ("exchanges", EXCHANGE_FIELDS)):
        named = set(re.findall(r"`([a-z_]+)`", documented[key])) - {"offer"}  # the first entry's label
        assert named == {f.key for f in fields}, key


@pytest.mark.parametrize(
    "path, formula, period",
    [(SEED, False, False), (FORMULA, True, False), (NOTES, False, True)],
    ids=["seed", "formula", "notes"],
)
def test_json_keys_follow_the_contract(capsys, path, formula, period):
    got = run_json(capsys, path)
    for key in ALWAYS + (FORMULA_ONLY if formula else []) + (PERIOD_ONLY if period else []):
        assert key in got, key
    if not formula:
        assert not set(FORMULA_ONLY) & set(got)
    if not period:
        assert "eps" not in got
    else:
        assert set(EPS_KEYS) <= set(got["eps"])
    assert got["exchanges"][0]["label"] == "offer"
    for ex in got["exchanges"]:
        assert set(EXCHANGE_KEYS) <= set(ex)
    check_quantities(got)


def test_json_keys_with_later_exchanges(capsys, tmp_path):
    import tomllib

    case = tomllib.loads(Q1.read_text(encoding="utf-8"))
    # write the golden case's inline offer as an offer file, by re-reading its own text
    text = Q1.read_text(encoding="utf-8")
    body = text[text.index("[input]"):text.index("[expected]")]
    offer_text = re.sub(r"^\[(\[?)input\.", r"[\1", body.replace("[input]\n", ""), flags=re.M)
    (tmp_path / "q1.toml").write_text(offer_text, encoding="utf-8")
    got = run_json(capsys, tmp_path / "q1.toml")
    assert got["offer_id"] == case["input"]["offer"]["id"]
    assert [e["label"] for e in got["exchanges"]] == ["offer", "exchange 1", "exchange 2"]
    assert [e["date"] for e in got["exchanges"]] == ["2004-02-20", "2004-03-05", "2004-03-22"]
    assert got["units_remaining"] == "157816" and "eps" in got
    check_quantities(got)


def check_quantities(got: dict) -> None:
    """Every quantity is a string holding a finite exact decimal; texts and dates are strings too."""
    assert got.pop("schema") == 1

    def walk(value, where):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{where}.{k}" if where else k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")
        else:
            assert isinstance(value, str), f"{where}: {value!r} is not a string"
            key = where.rsplit(".", 1)[-1]
            if where.startswith("warnings") or key in TEXT_KEYS:
                return
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise AssertionError(f"{where}: {value!r} is not a decimal") from None
            assert number.is_finite() and "E" not in value and "e" not in value, f"{where}: {value!r}"
            if key in WHOLE:
                assert number == number.to_integral_value(), f"{where}: {value} is not whole"

    walk(got, "")


def test_seed_json_figures(capsys):
    got = run_json(capsys, SEED)
    # issue 2, "Done when": the seed's figures
    assert {k: got[k] for k in ("common_issued", "incremental_shares", "induced_charge", "units_remaining",
                                "common_outstanding_after")} == {
        "common_issued": "2175560", "incremental_shares": "1298760", "induced_charge": "9597836.4",
        "units_remaining": "190777", "common_outstanding_after": "117175560"}


def test_release_states_the_seed_phrases(capsys):
    assert cli.main(["release", str(SEED)]) == 0
    out, err = capsys.readouterr()
    assert all(line.startswith("xlpy release: warning: ") for line in err.splitlines()), err
    text = " ".join(out.split())  # the paragraph is wrapped for the terminal
    for phrase in SEED_PHRASES:
        assert phrase in text, phrase
    assert "noncash dividend charge" in text and "first quarter" in text and "preliminary count" in text
    assert max(len(line) for line in out.splitlines()) <= 78


def test_release_of_the_notes_example(capsys):
    assert cli.main(["release", str(NOTES)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    # 79,300 $1,000 notes tendered, 1,300 by notice, of which 300 failed: the final count says $79.0 million and
    # $1.0 million of principal; 40,000 notes accepted pro rata; 60,000 left of 100,000; 50.0M -> 51.3M; $4.5
    # million, with cash: not "noncash"
    for phrase in ("approximately $79.0 million aggregate principal amount of notes was tendered",
                   "of which approximately $1.0 million was", "approximately $40.0 million aggregate principal",
                   "there was $100,000,000 aggregate principal amount of 5.00% Convertible Senior Notes",
                   "approximately $60.0 million aggregate principal amount of 5.00%",
                   "approximately 50 million to approximately 51 million",
                   "one-time inducement expense", "second quarter", "approximately $4.5 million", "final count"):
        assert phrase in text, phrase
    assert "noncash" not in text


def test_compute_table(capsys):
    assert cli.main(["compute", str(SEED)]) == 0
    out, err = capsys.readouterr()
    assert re.search(r"^Common issued\s+2,175,560$", out, flags=re.M)
    assert re.search(r"^Induced charge\s+\$9,597,836\.40$", out, flags=re.M)
    assert re.search(r"^Units remaining\s+190,777$", out, flags=re.M)
    # warnings go to standard error, never into the table
    assert "warning" not in out
    assert "xlpy compute: warning: preliminary count: 3,500 units" in err


def test_usage_error_is_not_a_traceback(capsys):
    assert cli.main(["compute"]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("argv, line", [
    (["render", "book.xlsm", "-o", "r", "--dpi", "72.5"],
     "xlpy render: argument --dpi: invalid int value: '72.5' (see xlpy render --help)"),
    (["refresh", "book.xlsm", "--keep", "x"],
     "xlpy refresh: argument --keep: invalid int value: 'x' (see xlpy refresh --help)"),
    (["compute", "x.toml", "--jsno"],
     "xlpy compute: unrecognized arguments: --jsno: did you mean --json? (see xlpy compute --help)"),
    (["compute", "x.toml", "--zzz"], "xlpy compute: unrecognized arguments: --zzz (see xlpy compute --help)"),
    (["render", "x.xlsm", "-o", "r", "--dpl", "30"],
     "xlpy render: unrecognized arguments: --dpl 30: did you mean --dpi? (see xlpy render --help)"),  # its own
    # An option the command lacks is named, not the required one it may have meant (--output), said missing first.
    (["render", "x.xlsm", "--out", "r"],
     "xlpy render: unrecognized arguments: --out: did you mean --output? (see xlpy render --help)"),
    (["render", "--out=r", "x.xlsm"],
     "xlpy render: unrecognized arguments: --out=r: did you mean --output? (see xlpy render --help)"),
    (["render", "x.xlsm"], "xlpy render: the following arguments are required: -o/--output (see xlpy render --help)"),
    # (review 65: a workbook given after "--" is no option; one before the command is xlpy's, named against it)
    (["render", "--", "--x.xlsm"],
     "xlpy render: the following arguments are required: -o/--output (see xlpy render --help)"),
    # (review 110: an option after "--" was told "did you mean" the very option typed)
    (["refresh", "--", "-book.xlsm", "--tally", "t.csv", "-q"],
     "xlpy refresh: after --, --tally is read as a file name, not as the option: put the options before -- (see xlpy "
     "refresh --help)"),
    (["refresh", "--", "--no-backup", "n.xlsm"],  # (taken as the workbook: n.xlsm was called the argument too many)
     "xlpy refresh: after --, --no-backup is read as a file name, not as the option: put the options before -- (see "
     "xlpy refresh --help)"),
    (["validate", "--", "--no-libreoffice", "n.xlsm"],  # (validated as a workbook not found: a finding, exit 1)
     "xlpy validate: after --, --no-libreoffice is read as a file name, not as the option: put the options before "
     "-- (see xlpy validate --help)"),
    # (review 164: a workbook whose name begins with "-" was said missing, its name never said)
    (["refresh", "-old.xlsm", "--tally", "t.csv"],
     "xlpy refresh: the following arguments are required: workbook; -old.xlsm is read as an option, as it begins with "
     "'-': write ./-old.xlsm for a file or folder of that name, or put it after -- (see xlpy refresh "
     "--help)"),
    (["validate", "a.xlsm", "-b.xlsm"],  # (review 165: an argument too many, said unrecognized)
     "xlpy validate: unrecognized arguments: -b.xlsm; -b.xlsm is read as an option, as it begins with '-': write "
     "./-b.xlsm for a file or folder of that name, or put it after -- (see xlpy validate --help)"),
    (["build", "o.toml", "-o", "-new.xlsm"],
     "xlpy build: argument -o/--output: expected one argument; -new.xlsm is read as an option, as it begins with "
     "'-': write ./-new.xlsm for a file or folder of that name (see xlpy build --help)"),
    # (review 167: a tally's name, and a name already after --, which is a file's)
    (["refresh", "book.xlsm", "--tally", "-t.csv"],
     "xlpy refresh: argument --tally: expected one argument; -t.csv is read as an option, as it begins with '-': write "
     "./-t.csv for a file or folder of that name (see xlpy refresh --help)"),
    (["render", "--", "-x.xlsm"], "xlpy render: the following arguments are required: -o/--output (see xlpy render "
     "--help)"),
    (["--x", "render"], "xlpy: unrecognized arguments: --x (see xlpy --help)"),
    (["--x", "--y"], "xlpy: unrecognized arguments: --x --y (see xlpy --help)"),
    (["comput"], "xlpy: argument COMMAND: invalid choice: 'comput' (choose from 'compute', 'release', 'entries', "
                 "'build', 'validate', 'render', 'refresh', 'vba', 'lite', 'docs') (see xlpy --help)"),
])
def test_a_badly_typed_option_is_one_line_naming_it(capsys, argv, line):
    """A usage error reads as every other bad input: one line, the option and the value, exit 2; a refresh's is
    followed by the line every refused refresh ends with (review 94: it had none)."""
    assert cli.main(argv) == 2
    said = ["xlpy refresh: nothing was changed"] if argv[0] == "refresh" else []
    assert capsys.readouterr().err.splitlines() == [line, *said]


def test_a_folder_or_file_whose_name_begins_with_a_dash_is_named_a_real_option_is_not(capsys, monkeypatch, tmp_path):
    """Review 167: the hint for a folder of such a name (no extension to go by), and none for an option that is one,
    though a file of its name is there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-out").mkdir()
    (tmp_path / "-q").write_text("")
    assert cli.main(["render", "x.xlsm", "-o", "-out"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy render: argument -o/--output: expected one argument; -out is read as an option, as it begins with '-': "
        "write ./-out for a file or folder of that name (see xlpy render --help)"]
    assert cli.main(["render", "x.xlsm", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy render: the following arguments are required: -o/--output (see xlpy render --help)"]


@pytest.mark.parametrize("command", [["validate", "book.xlsm"], ["build"]])
def test_skipping_libreoffice_and_requiring_it_is_a_usage_error_naming_both(capsys, monkeypatch, command):
    """Review 58: ``CI=1 xlpy validate book.xlsm --no-libreoffice --require-libreoffice`` said valid, exit 0."""
    monkeypatch.setenv("CI", "1")  # (where --require-libreoffice is the default anyway)
    assert cli.main([*command, "--no-libreoffice", "--require-libreoffice"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy {command[0]}: argument --require-libreoffice: not allowed with argument --no-libreoffice "
        f"(see xlpy {command[0]} --help)"]
    args = cli.build_parser().parse_args(["validate", "book.xlsm", "--no-libreoffice"])  # (CI's default: no conflict)
    assert (args.no_libreoffice, args.require_libreoffice) == (True, True)


def test_the_commands_are_listed_in_one_order_whichever_module_was_imported_first():
    """The commands' order came from the order their modules were first imported: a test importing the docs
    command's module first listed it first, and the usage line above failed when run after it."""
    code = ("import xlpy.cli.docs, xlpy.cli.workbook, xlpy.cli.offer\nfrom xlpy import cli\n"
            "print(' '.join(cli.build_parser()._subparsers._group_actions[0].choices))")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert got.stdout.split() == ["compute", "release", "entries", "build", "validate", "render", "refresh", "vba",
                                  "lite", "docs"]


@pytest.mark.parametrize("argv, named", [
    (["build", str(SEED), "-o", ""], ["--output"]),  # an unset shell variable: not "<offer id>.xlsm here"
    (["build", "", "-o", "out.xlsm"], ["offer"]),  # not the bundled seed example
    (["render", "book.xlsm", "-o", ""], ["--output"]),
    (["vba", "--output", ""], ["--output"]),  # not the module printed instead
    (["lite", "-o", ""], ["--output"]),
    (["compute", ""], ["offer"]),
    (["validate", "book.xlsm", "", "--offer", ""], ["WORKBOOK", "--offer"]),
    (["refresh", "book.xlsm", "--tally", ""], ["--tally"]),  # not the tally the Cover records
    (["refresh", "book.xlsm", "--prices", "", "--mapping", ""], ["--prices", "--mapping"]),
    (["refresh", ""], ["workbook"]),
])
def test_an_empty_path_is_refused_not_taken_as_not_given(capsys, tmp_path, monkeypatch, argv, named):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"xlpy {argv[0]}: {name}: must not be empty, got ''" for name in named]
    assert out == "" and list(tmp_path.iterdir()) == []


# --- the real command, in a subprocess ----------------------------------------------------------

# Every bad input of test_offerfile.py, run once more by the real command.
def xlpy(*args, cwd):
    return subprocess.run([sys.executable, "-m", "xlpy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.id)
def test_bad_input_in_a_subprocess(case, tmp_path):
    write_case(case, tmp_path)
    before = listing(tmp_path)
    proc = xlpy("compute", case.path, "--json", cwd=tmp_path)
    check_refusal(case, proc.returncode, proc.stdout, proc.stderr)
    assert listing(tmp_path) == before


@pytest.mark.parametrize("kind, words", [
    ("preferred", "charge on redemption (fair value less carrying amount) $"),
    ("note", "loss on extinguishment (fair value less carrying amount) $"),
])
def test_build_names_a_charge_that_is_not_induced_as_what_it_is(capsys, tmp_path, kind, words):
    """A ratio below R0 fails the induced-conversion test: the summary line does not call the charge induced."""
    text = SEED.read_text(encoding="utf-8").replace("ratio = 7.94", "ratio = 3.0", 1)
    text = text.replace('kind = "preferred"', f'kind = "{kind}"', 1)
    offer = tmp_path / "offer.toml"
    offer.write_text(text + "\n[extinguishment]\ncarrying_amount = 5000000\n", encoding="utf-8")
    assert cli.main(["build", str(offer), "-o", str(tmp_path / "out.xlsm"), "--no-validate"]) == 0
    out = capsys.readouterr().out
    assert f"{words}1,074,580.00" in out and "induced charge" not in out, out  # 822,000 x 7.39 - 5,000,000


@pytest.mark.parametrize("offer", [SEED, NOTES], ids=["preliminary", "prorated"])
def test_build_gives_the_warnings_compute_gives(capsys, tmp_path, offer):
    """A preliminary count or a proration is said on standard error by build as by compute: the person building the
    workbook is told, not only the one computing."""
    shutil.copytree(offer.parent / "data", tmp_path / "data")
    shutil.copy(offer, tmp_path / offer.name)
    assert cli.main(["compute", str(tmp_path / offer.name)]) == 0
    said = [line.replace("xlpy compute:", "xlpy build:", 1) for line in capsys.readouterr().err.splitlines()]
    assert said and all(": warning: " in line for line in said), said
    assert cli.main(["build", str(tmp_path / offer.name), "-o", str(tmp_path / "out.xlsm"), "--no-validate"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == said and out.startswith("built "), (out, err)


def test_build_refuses_holder_ids_a_worksheet_cannot_hold_faithfully(capsys, tmp_path):
    """A control character, U+FFFE, and two ids Excel's "=" takes for one holder: named by row, nothing written."""
    shutil.copytree(NOTES.parent / "data", tmp_path / "data")
    tally = tmp_path / "data" / "notes-capped-tally.csv"
    tally.write_text(tally.read_text(encoding="utf-8") + "odd-20,51,certificate,tendered\nCTL\x01X,10,book-entry,"
                     "tendered\nDTC\ufffe-0022,10,book-entry,tendered\n", encoding="utf-8")
    offer = tmp_path / NOTES.name
    shutil.copy(NOTES, offer)
    rows = len(tally.read_text(encoding="utf-8").splitlines())
    for command in ("build", "compute"):  # (review 169: compute took the two damaged ids)
        assert cli.main([command, str(offer), "-o", str(tmp_path / "out.xlsm")][:2 + 2 * (command == "build")]) == 2
        err = capsys.readouterr().err
        where = f"xlpy {command}: {NOTES.name}: tally.file: data/{tally.name}: row"  # (as the offer file names it)
        assert f"{where} {rows - 1}, column holder_id: holds a control character (U+0001)" in err, err
        # U+FFFE is no control character, but XML forbids it: the workbook was written, and opened nowhere
        assert (f"{where} {rows}, column holder_id: holds a noncharacter (U+FFFE), which a workbook cannot store, "
                "got 'DTC\\ufffe-0022'\n") in err, err
    # the damaged ids mended, the two ids Excel's "=" takes for one holder (build's alone: the engine counts two)
    tally.write_text(tally.read_text(encoding="utf-8").replace("CTL\x01X", "CTL-X").replace("\ufffe", "-"),
                     encoding="utf-8")
    assert cli.main(["build", str(offer), "-o", str(tmp_path / "out.xlsm")]) == 2
    err = capsys.readouterr().err
    assert f"{where.replace('compute', 'build')} {rows - 2}, column holder_id: differs from the holder id on row" in err
    assert "('ODD-20')" in err, err
    assert "Traceback" not in err and not (tmp_path / "out.xlsm").exists()


def test_seed_in_a_subprocess(tmp_path):
    proc = xlpy("compute", str(SEED), "--json", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr.startswith("xlpy compute: warning: preliminary count: 3,500 units")
    got = json.loads(proc.stdout)  # pure JSON: the warning is on standard error only
    assert (got["common_issued"], got["induced_charge"]) == ("2175560", "9597836.4")
    proc = xlpy("release", str(SEED), cwd=tmp_path)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert all(p in text for p in SEED_PHRASES)


def test_an_interrupt_says_what_was_written(capsys, tmp_path, monkeypatch):
    """Ctrl-C before the workbook is written leaves nothing; during validation, the message names the
    whole workbook already written and how to check it, rather than claiming nothing was written."""
    import xlpy.files.offerfile as offerfile
    import xlpy.workbook.validate as validate

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    out = tmp_path / "offer.xlsm"
    with monkeypatch.context() as m:
        m.setattr(offerfile, "compute_file", interrupted)
        assert cli.main(["build", str(SEED), "-o", str(out), "--quiet"]) == 130
    assert capsys.readouterr().err == "xlpy build: interrupted; nothing was written\n"
    assert listing(tmp_path) == {}

    monkeypatch.setattr(validate, "validate", interrupted)
    assert cli.main(["build", str(SEED), "-o", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err  # the count's warning, said with the summary, then the interruption
    assert err == ("xlpy build: warning: preliminary count: 3,500 units tendered by notice of guaranteed delivery "
                   "are included; the final count drops those not delivered (when the agent's count is final, set "
                   "tally.final to true)\n"
                   f"xlpy build: interrupted while validating; {out} was written but not validated "
                   f"(xlpy validate {out} checks it)\n")
    assert list(listing(tmp_path)) == ["offer.xlsm"]
    # under --json, a script parsing the output reads the same as a refusal object, where it met nothing
    assert cli.main(["build", str(SEED), "-o", str(out), "--quiet", "--force", "--no-backup", "--json"]) == 130
    said = json.loads(capsys.readouterr().out)
    assert (said["ok"], said["status"], [e["message"] for e in said["errors"]]) == (
        False, 130, [f"interrupted while validating; {out} was written but not validated (xlpy validate {out} "
                     "checks it)"])
    monkeypatch.setattr(offerfile, "compute_file", interrupted)
    before = out.read_bytes()  # (review 170: a build --force cut short said "nothing was written", not which file
    assert cli.main(["build", str(SEED), "-o", str(out), "--quiet", "--force"]) == 130  # it left as it was)
    assert capsys.readouterr().err == f"xlpy build: interrupted; {out} was not replaced\n"
    assert out.read_bytes() == before and list(listing(tmp_path)) == ["offer.xlsm"]
    assert cli.main(["compute", str(SEED), "--json"]) == 130
    out_text, err = capsys.readouterr()
    assert json.loads(out_text)["errors"][0]["reason"] == "interrupted; nothing was written", err


@pytest.mark.parametrize("name, status", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_unwinds_as_an_interrupt_and_exits_143(capsys, monkeypatch, tmp_path, name, status):
    """A CI runner cancelling a job (or timeout) sends SIGTERM: cleaned up as Ctrl-C is (LibreOffice's child,
    temporary folders), exit status 143, and the previous SIGTERM handler back afterwards. A closed terminal or
    a dropped ssh session sends SIGHUP: the same, status 129 (it left a copy of the workbook in the temporary
    folder and a LibreOffice profile)."""
    import os
    import signal
    import threading

    import xlpy.files.offerfile as offerfile

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    if not hasattr(signal, name):
        pytest.skip(f"no {name} on this system")
    signum = getattr(signal, name)

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signum)
        raise AssertionError(f"{name} did not stop the command")

    monkeypatch.setattr(offerfile, "compute_file", terminated)
    # (as a terminal starts it: a run under nohup or a CI runner may have it ignored, and then it stays so)
    inherited = signal.signal(signum, signal.SIG_DFL)
    try:
        assert cli.main(["build", str(SEED), "-o", str(tmp_path / "offer.xlsm"), "--quiet"]) == status
        assert signal.getsignal(signum) is signal.SIG_DFL
    finally:
        signal.signal(signum, inherited)
    assert capsys.readouterr().err == "xlpy build: terminated; nothing was written\n"
    assert listing(tmp_path) == {}


def test_a_sighup_ignored_when_xlpy_starts_stays_ignored(monkeypatch, tmp_path):
    """`nohup xlpy ...`: the shell ignores SIGHUP for it, and a dropped session must not stop it."""
    import os
    import signal
    import threading

    import xlpy.files.offerfile as offerfile

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        pytest.skip("signals are delivered to the main thread only, and SIGHUP is not on every system")
    compute = offerfile.compute_file

    def hung_up(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGHUP)
        return compute(*args, **kwargs)

    monkeypatch.setattr(offerfile, "compute_file", hung_up)
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        assert cli.main(["build", str(SEED), "-o", str(tmp_path / "offer.xlsm"), "--quiet", "--no-validate"]) == 0
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)
    assert (tmp_path / "offer.xlsm").is_file()


def test_an_interrupt_inside_a_finaliser_is_sent_again_not_lost(monkeypatch):
    """Raised inside a __del__, Ctrl-C would be printed as "Exception ignored" and dropped, and the command would
    carry on to exit 0: there it is sent again a moment later instead; anywhere else it is raised at once."""
    import signal
    import threading

    import xlpy.cli as entry

    sent, came = [], threading.Event()

    def kill(pid, signum):
        sent.append(signum)
        came.set()

    monkeypatch.setattr(entry.os, "kill", kill)

    class Finalised:
        def __del__(self):
            entry._signalled(signal.SIGINT, sys._getframe())

    Finalised()  # collected at once: the handler runs inside its __del__
    assert came.wait(10) and sent == [signal.SIGINT]  # (a moment later: up to 10 s on a loaded machine)
    came.clear()
    # inside a weakref.finalize callback, as a temporary folder's cleanup runs (review 110: a late SIGTERM printed
    # "Exception ignored in: <finalize object ...>" and the command went on to exit 0)
    import weakref

    weakref.finalize(Finalised, lambda: entry._signalled(signal.SIGTERM, sys._getframe()))()
    assert came.wait(10) and sent == [signal.SIGINT, signal.SIGTERM]
    with pytest.raises(KeyboardInterrupt):
        entry._signalled(signal.SIGINT, sys._getframe())
    with pytest.raises(entry.Terminated):
        entry._signalled(signal.SIGTERM, sys._getframe())


def test_the_documents_complete_example_is_the_founding_offer_file():
    """docs/offer-file.md shows `workbook/offers/hecla-2004.toml` as "a complete example": the same keys
    and values (the file's comments aside), so `xlpy entries` works on the text as shown."""
    import tomllib

    text = CONTRACT.read_text(encoding="utf-8").split("## A complete example", 1)[1]
    shown = text.split("```toml\n", 1)[1].split("```", 1)[0]
    assert tomllib.loads(shown) == tomllib.loads((REPO / "workbook" / "offers" / "hecla-2004.toml").read_text())


def test_a_script_s_decimal_context_does_not_change_what_a_build_refresh_and_validation_compute(tmp_path):
    """QA: a pipeline calling ``xlpy.cli.main`` in its own process, with ``getcontext().prec = 5`` (its saved
    journal entry read $4,540,000 for $4,539,999) or an ``Inexact`` trap (a traceback, at import even), gets the
    engine's figures: build, refresh and validate compute in the engine's context, and give the script's back."""
    script = f"""
import decimal, shutil
decimal.DefaultContext.traps[decimal.Inexact] = True  # (review: the engine's context took its traps from here)
decimal.getcontext().prec = 5
decimal.getcontext().traps[decimal.Inexact] = decimal.getcontext().traps[decimal.Rounded] = True
from xlpy.cli import main
assert main(["build", {str(NOTES)!r}, "-o", "p5.xlsm", "--no-libreoffice", "-q"]) == 0
shutil.copy({str(SEED)!r}, "seed.toml")
assert main(["build", "seed.toml", "-o", "seed.xlsm", "--no-validate", "-q"]) == 0
assert main(["refresh", "seed.xlsm", "--tally", "t.csv", "--no-backup"]) == 0
assert main(["validate", "p5.xlsm", "seed.xlsm", "--no-libreoffice"]) == 0
assert decimal.getcontext().prec == 5 and decimal.getcontext().traps[decimal.Inexact]
"""
    (tmp_path / "t.csv").write_text("holder_id,units,method,status\nA,250000,book-entry,tendered\n"
                                    "B,24999,guaranteed,tendered\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    # read again in a process of its own, at Python's default context: every saved figure the engine's
    proc = subprocess.run([sys.executable, "-m", "xlpy", "validate", "p5.xlsm", "seed.xlsm", "--no-libreoffice"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and proc.stdout.count(": valid (") == 2, proc.stdout + proc.stderr


def test_the_file_readers_check_digits_in_the_engine_s_context_whatever_the_caller_s(tmp_path):
    """Left alone, then taken: a script with ``getcontext().prec = 5`` calling the price reader got a price of 20
    significant digits through (``normalize()`` rounded it to 5 first), which the workbook's price table rounds;
    the offer file, tally, count and mapping readers are the engine's entry points too."""
    import decimal

    from xlpy.engine import InputErrors
    from xlpy.files.offerfile import compute_file
    from xlpy.files.prices import read_prices

    (tmp_path / "p.csv").write_text("date,close,volume\n2004-02-20,8.1234567890123456789,1000\n", encoding="utf-8")
    expected = compute_file(SEED)[1].to_dict()
    with decimal.localcontext() as theirs:
        theirs.prec = 5
        theirs.traps[decimal.Inexact] = True
        with pytest.raises(InputErrors, match=r"close: has more than 15 significant digits"):
            read_prices(tmp_path / "p.csv")
        assert compute_file(SEED)[1].to_dict() == expected
        assert decimal.getcontext().prec == 5  # the caller's own, given back


def test_the_documents_messages_cite_ship_and_print(capsys):
    """Review: messages cite docs/accounting.md and docs/offer-file.md, which a wheel did not carry; the package
    ships them and `xlpy docs NAME` prints one, as the repository holds it."""
    import tomllib

    from repo_paths import ROOT

    assert cli.main(["docs"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed[:-1]] == ["architecture", "accounting", "offer-file", "style"], listed
    for name, file in [("accounting", "accounting.md"), ("docs/offer-file.md", "offer-file.md"), ("STYLE", "style.md")]:
        assert cli.main(["docs", name]) == 0
        assert capsys.readouterr().out == (ROOT / "docs" / file).read_text(encoding="utf-8")
    assert cli.main(["docs", "accountng"]) == 2
    assert capsys.readouterr().err == ("xlpy docs: name: is not one of xlpy's documents (architecture, accounting, "
                                       "offer-file, style), got 'accountng'\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "xlpy.docs" in project["packages"] and project["package-dir"]["xlpy.docs"] == "docs"
    assert project["package-data"]["xlpy.docs"] == ["*.md"]


def test_build_json_gives_the_workbook_its_results_and_its_validation(tmp_path, capsys):
    """Review: a script building a workbook had to build with --no-validate, then validate --json, to read the
    outcome; build --json gives the workbook, the results as compute --json has them and the validation's record."""
    assert cli.main(["compute", str(SEED), "--json"]) == 0
    computed = json.loads(capsys.readouterr().out)
    out = tmp_path / "b.xlsm"
    assert cli.main(["build", str(SEED), "-o", str(out), "--json", "--no-libreoffice"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["workbook"] == str(out) and got["results"] == computed
    assert got["validation"]["ok"] is True and got["validation"]["legs_run"] == ["formulas"]
    assert got["validation"]["workbook"] == "b.xlsm" and got["validation"]["cells_compared"] > 200
    assert got["validation"]["path"] == str(out)  # (the path as given, as the build's own "workbook" is)
    assert cli.main(["build", str(SEED), "-o", str(out), "--json", "--force", "--no-validate"]) == 0
    again = json.loads(capsys.readouterr().out)
    backup = again.pop("backup")  # the workbook replaced, kept beside it
    warnings = again.pop("warnings")  # (every warning it gave on standard error: the results' first)
    assert again == {"workbook": str(out), "removed_backups": [], "history_from": None, "results": computed,
                     "validation": None}
    assert warnings[:len(computed["warnings"])] == computed["warnings"] and warnings == got["warnings"]
    assert re.fullmatch(r"b\.\d{8}-\d{6}\.bak\.xlsm", backup) and (tmp_path / backup).is_file()


def _built_twice(folder: Path, *more: str, status: int = 0) -> tuple[Path, bytes, list[str]]:
    """A workbook built, its bytes changed as a refresh or a save would change them, then built over with --force
    (and *more*), which exits with *status*: (the workbook, its bytes before that build, the other files in *folder*
    after it)."""
    book = folder / "book.xlsm"
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "-q"]) == 0
    with book.open("ab") as fh:  # (a zip reader skips bytes after its end: a stand-in for a day's refreshes)
        fh.write(b"the History of a day's refreshes")
    before = book.read_bytes()
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "-q", "--force", *more]) == status
    return book, before, sorted(p.name for p in folder.iterdir() if p != book)


def test_build_json_gives_every_warning_the_build_gave(tmp_path, capsys):
    """Review 73: a warning of the entries (notes paying accrued interest, none derecognised) went to standard error
    only; build --json gives every warning it gave there, as compute, entries and refresh give theirs."""
    from repo_paths import NOTES

    import shutil

    shutil.copytree(NOTES.parent / "data", tmp_path / "data")  # (its tally beside it)
    notes = tmp_path / "notes.toml"
    notes.write_text(NOTES.read_text(encoding="utf-8").replace(
        "accrued_interest_per_unit = 12.50", "accrued_interest_per_unit = 0"), encoding="utf-8")
    assert cli.main(["build", str(notes), "-o", str(tmp_path / "n.xlsm"), "--json", "--no-validate"]) == 0
    said = capsys.readouterr()
    warnings = json.loads(said.out)["warnings"]
    assert [w for w in warnings if w.startswith("the offer pays accrued interest")] and warnings == [
        line.removeprefix("xlpy build: warning: ") for line in said.err.splitlines()]


def test_build_force_keeps_the_workbook_it_replaces(tmp_path, capsys):
    """Review 63: build --force over a refreshed workbook lost it and its History, with no copy kept (a refresh keeps
    one); the workbook replaced is now kept as NAME.YYYYmmdd-HHMMSS.bak.xlsm, byte for byte, and said."""
    book, before, others = _built_twice(tmp_path)
    assert len(others) == 1 and re.fullmatch(r"book\.\d{8}-\d{6}\.bak\.xlsm", others[0]), others
    assert (tmp_path / others[0]).read_bytes() == before and book.read_bytes() != before
    assert f"(the previous version is kept as {others[0]})" in capsys.readouterr().out


def test_build_force_no_backup_keeps_none(tmp_path, capsys):
    book, before, others = _built_twice(tmp_path, "--no-backup")
    assert others == [] and book.read_bytes() != before
    assert "kept as" not in capsys.readouterr().out


def test_build_keep_names_one_backup_removed_as_one(tmp_path, capsys, monkeypatch):
    """Review 167: only two removed were ever tried; one is "1 older backup", not "backups"."""
    book = tmp_path / "book.xlsm"
    for n, day in enumerate(("1077580800", "1077667200", "1077753600", "1077840000")):  # three backups
        monkeypatch.setenv("SOURCE_DATE_EPOCH", day)
        assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "-q", *["--force"] * bool(n)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077926400")
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "--force", "--keep", "3"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        "(the previous version is kept as book.20040228-000000.bak.xlsm); removed 1 older backup (--keep 3): "
        "book.20040225-000000.bak.xlsm")


def test_build_force_keep_removes_older_backups_as_a_refresh_s_keep_does(tmp_path, capsys, monkeypatch):
    """Review 69: build had no --keep, so a workbook rebuilt daily gathered a backup a day beside it."""
    import json

    book = tmp_path / "book.xlsm"
    for n, day in enumerate(("1077580800", "1077667200", "1077753600", "1077840000")):  # three backups
        monkeypatch.setenv("SOURCE_DATE_EPOCH", day)
        assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "-q", *["--force"] * bool(n)]) == 0
    old = sorted(p.name for p in tmp_path.glob("book.*.bak.xlsm"))
    assert old == [f"book.200402{d}-000000.bak.xlsm" for d in (25, 26, 27)]
    capsys.readouterr()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077926400")
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "--force", "--keep", "2"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        "(the previous version is kept as book.20040228-000000.bak.xlsm); removed 2 older backups (--keep 2): "
        "book.20040225-000000.bak.xlsm, book.20040226-000000.bak.xlsm")  # (review 164: which earlier counts went)
    kept = ["book.20040227-000000.bak.xlsm", "book.20040228-000000.bak.xlsm"]  # the newest, and this build's
    assert sorted(p.name for p in tmp_path.glob("book.*.bak.xlsm")) == kept
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1078012800")
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "--force", "--keep", "0", "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["backup"] is None and said["removed_backups"] == kept  # none kept, not even this build's
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]
    # a build that replaces nothing removes nothing: the workbook lost, its backups may be all that is left of it
    # (review 71: a build of a book moved away, --keep 0, removed them)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1078099200")
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "--force", "-q"]) == 0
    book.rename(tmp_path / "moved.xlsm")
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "--keep", "0"]) == 0
    assert "removed" not in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.20040301-000000.bak.xlsm", "book.xlsm", "moved.xlsm"]
    assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--keep", "-1"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "xlpy build: --keep: must be 0 or more, got -1"


def test_build_force_whose_backup_cannot_be_written_leaves_the_workbook(tmp_path, capsys, monkeypatch):
    """A backup that does not fit: the workbook is not replaced, and the refusal says why and how to go on."""
    import errno

    from xlpy.workbook import backups

    def full(target, backup):
        raise backups.BackupNotWritten(errno.ENOSPC, "No space left on device", str(backup))

    monkeypatch.setattr(backups, "write_backup", full)
    book, before, others = _built_twice(tmp_path, status=2)
    assert others == [] and book.read_bytes() == before  # as it was; no temporary file left
    err = capsys.readouterr().err
    assert re.search(r"xlpy build: --output: was not replaced: its backup book\.\d{8}-\d{6}\.bak\.xlsm cannot be "
                     r"written \(No space left on device\); free space, or build without a backup \(--no-backup\), "
                     r"got '", err), err


@pytest.mark.parametrize("command", [[], ["compute"], ["build"], ["validate"], ["render"], ["refresh"], ["docs"]])
def test_every_help_ends_with_what_each_exit_status_means(capsys, command):
    """Review 58: no --help said what an exit status means; the README alone did, case by case."""
    assert cli.main([*command, "--help"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert said.endswith("exit status: 0 done; 1 findings (validate, or build's validation); 2 bad input, nothing "
                         "written; 3 a file in use (open in Excel or LibreOffice, being written): nothing changed, run "
                         "it again later; 70 an error xlpy did not expect (a defect to report); 130, 143 or 129 "
                         "stopped by Ctrl-C, SIGTERM or SIGHUP"), said[-300:]


def test_the_readme_s_first_console_block_is_what_the_commands_print(capsys):
    """Review 99: the README's release excerpt was wrapped where the release is not. Each line of the block's
    excerpts is a line of the command's output, or, where it has '...', begins or ends one (and the words between
    two '...' are in it)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("$ xlpy compute workbook/offers/hecla-2004.toml --json   # excerpt"):]
    block = block[:block.index("```")]
    commands = re.split(r"^\$ (.*)\n", block, flags=re.M)[1:]
    assert len(commands) == 4, commands
    for command, excerpt in zip(commands[::2], commands[1::2]):
        argv = command.split("#")[0].split()[1:]
        assert cli.main([*argv[:1], str(REPO / argv[1]), *argv[2:]]) == 0
        said = capsys.readouterr()
        out = said.out
        lines = out.splitlines() + said.err.splitlines()  # (its warning on standard error shown after it)
        for line in excerpt.splitlines():
            if "..." not in line:
                assert line in lines, f"README: {line!r} is no line of xlpy {command}"
                continue
            head, *middles, tail = line.split("...")
            if head.strip():
                assert any(x.startswith(head.strip()) for x in lines), f"README: {line!r} begins no line"
            if tail.strip():
                assert any(x.endswith(tail.strip()) for x in lines), f"README: {line!r} ends no line"
            for middle in middles:
                assert " ".join(middle.split()) in " ".join(out.split()), f"README: {middle!r} is not in the output"
