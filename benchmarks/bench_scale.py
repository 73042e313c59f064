"""Benchmark: holder workbooks at scale, each step beside LibreOffice's own conversion of the same file.

Run from the repository root (a script, not a test)::

    python benchmarks/bench_scale.py                 # 1,000, 20,000 and 100,000 lines
    python benchmarks/bench_scale.py --sizes 1000 20000

For each size, a holder tally made by ``bench_engine.py``'s generator and its
offer file; then each step run once as the command line runs it, each in a
process of its own (so its peak memory is its own):

* ``xlpy build --no-validate``;
* ``soffice --headless --convert-to xlsx`` of the built workbook (the anchor);
* ``xlpy validate --no-libreoffice`` (the formulas leg, with the structure check);
* ``xlpy validate --no-formulas`` (the LibreOffice leg, with the structure check);
* ``xlpy validate`` (both legs, as ``xlpy build`` runs it);
* ``xlpy refresh --tally`` a second tally of the same size, beside ``pandas.read_csv`` of it;
* ``xlpy validate`` (both legs) of the refreshed workbook, beside LibreOffice's
  conversion of it: the user's daily loop (a refresh writes the formula
  columns as shared formulas, which the validator reads as Excel's own).

Prints seconds and peak memory (the largest process of the step: resident set,
from ``resource.getrusage(RUSAGE_CHILDREN)`` of a fresh process that runs the
step) of each, and the ratios, all measured in one run.  Targets (PASS/MISS,
never a failing test): both legs <= 3x LibreOffice's conversion; refresh <= 10x
pandas; every step under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import write_offer, write_tally

SIZES = (1_000, 20_000, 100_000)
VALIDATE_TARGET = 3.0
REFRESH_TARGET = 10.0
MEMORY_TARGET_MB = 2048.0

#: Runs one command and reports its wall time and its largest descendant's peak memory, as JSON.
_RUNNER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": p.returncode, "s": wall, "mb": kb / 1024, "err": p.stderr.decode(errors="replace")[-400:]}))
"""


def run(args: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(seconds, peak MB) of one command, run in a fresh process; fails loudly."""
    out = subprocess.run([sys.executable, "-c", _RUNNER, *args], cwd=cwd, env=env, capture_output=True, text=True,
                         check=True)
    res = json.loads(out.stdout)
    if res["rc"] not in (0,):
        raise SystemExit(f"{' '.join(args)} exited {res['rc']}: {res['err']}")
    return res["s"], res["mb"]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def measure(lines: int, tmp: Path, soffice: str | None, env: dict) -> dict:
    import pandas as pd

    folder = tmp / f"n{lines}"
    folder.mkdir()
    _, outstanding = write_tally(folder / "tally.csv", lines, seed=2004)
    write_tally(folder / "today.csv", lines, seed=2005)
    write_offer(folder / "offer.toml", "tally.csv", outstanding * 2)
    xlpy = [sys.executable, "-m", "xlpy"]
    book = folder / "book.xlsm"
    res: dict[str, tuple[float, float]] = {}
    res["build"] = run(xlpy + ["build", "offer.toml", "-o", book.name, "--no-validate", "--quiet"], folder, env)
    if soffice:
        profile = tmp / "lo-profile"
        convert = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                   "--outdir", str(folder / "lo"), book.name]
        res["libreoffice"] = run(convert, folder, env)
    res["formulas"] = run(xlpy + ["validate", book.name, "--no-libreoffice", "--quiet"], folder, env)
    if soffice:
        res["lo_leg"] = run(xlpy + ["validate", book.name, "--no-formulas", "--quiet"], folder, env)
        res["both"] = run(xlpy + ["validate", book.name, "--quiet"], folder, env)
    pd.read_csv(folder / "today.csv")  # neither side pays for first reads
    t = time.perf_counter()
    pd.read_csv(folder / "today.csv")
    res["pandas"] = (time.perf_counter() - t, 0.0)
    res["refresh"] = run(xlpy + ["refresh", book.name, "--tally", "today.csv", "--no-backup", "--quiet"], folder, env)
    if soffice:
        res["libreoffice_refreshed"] = run(convert, folder, env)
        res["both_refreshed"] = run(xlpy + ["validate", book.name, "--quiet"], folder, env)
    else:
        res["formulas_refreshed"] = run(xlpy + ["validate", book.name, "--no-libreoffice", "--quiet"], folder, env)
    shutil.rmtree(folder, ignore_errors=True)
    return res


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(repo) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("CI", None)  # a missing LibreOffice is a note here, not a finding

    from xlpy.workbook import libreoffice

    soffice = libreoffice.find_soffice()
    with tempfile.TemporaryDirectory(prefix="xlpy-bench-scale-") as tmp:
        tmp = Path(tmp)
        if soffice:  # the first start creates the profile; not measured
            warm = tmp / "warm"
            warm.mkdir()
            (warm / "a.csv").write_text("1\n")
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless",
                            "--convert-to", "xlsx", "--outdir", str(warm), str(warm / "a.csv")],
                           capture_output=True, check=False)
        rows = []
        for n in args.sizes:
            r = measure(n, tmp, soffice, env)
            rows.append((n, r))
            print(_report(n, r, soffice is not None), flush=True)
    return 0


def _report(n: int, r: dict, lo: bool) -> str:
    out = [f"{n:,} holder lines"]

    def line(label, key, anchor=None, target=None):
        s, mb = r[key]
        text = f"  {label:<38} {s:8.1f} s  {mb:7.0f} MB {verdict(mb <= MEMORY_TARGET_MB)}"
        if anchor is not None:
            ratio = s / r[anchor][0]
            text += f"   {ratio:5.2f}x {'LibreOffice' if anchor.startswith('libreoffice') else 'pandas'}"
            if target is not None:
                text += f" (target <= {target:g}) {verdict(ratio <= target)}"
        out.append(text)

    line("xlpy build --no-validate", "build", "libreoffice" if lo else None)
    if lo:
        line("soffice --convert-to xlsx", "libreoffice")
    line("xlpy validate --no-libreoffice", "formulas", "libreoffice" if lo else None)
    if lo:
        line("xlpy validate --no-formulas", "lo_leg", "libreoffice")
        line("xlpy validate (both legs)", "both", "libreoffice", VALIDATE_TARGET)
    out.append(f"  {'pandas.read_csv of the new tally':<38} {r['pandas'][0]:8.2f} s")
    line("xlpy refresh --tally (new tally)", "refresh", "pandas", REFRESH_TARGET)
    out.append("  (refresh: the whole command, interpreter start included, against pandas in-process;"
               " bench_refresh.py measures the refresh in-process)")
    if lo:
        line("soffice --convert-to xlsx (refreshed)", "libreoffice_refreshed")
        line("xlpy validate (both legs, refreshed)", "both_refreshed", "libreoffice_refreshed", VALIDATE_TARGET)
    else:
        line("xlpy validate --no-libreoffice (refreshed)", "formulas_refreshed")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
