"""Benchmark: the engine on a 1,000,000-line holder tally, and the engine's import cost.

Run from the repository root (a script, not a test)::

    python benchmarks/bench_engine.py

Measured in one run, best of 7 alternated rounds (tally) or 5 (import):

* (a) ``pandas.read_csv`` of the tally alone;
* (b) ``xlpy.files.offerfile.compute_file`` on an offer file that names the tally:
  reading and checking every line (``xlpy.files.sources.read_tally``), counting,
  delivering shares per holder and measuring the charge (``xlpy.engine.compute``).

Targets: (b) / (a) <= 2.0; ``import xlpy.engine`` costs <= 50 ms over a bare
interpreter start, and loads none of pandas, openpyxl, xlwings (asserted).
Each figure is printed with PASS or MISS; ``--strict`` exits 1 on a MISS.

The tally is realistic rather than kind: 2% of holders have a second line
(summed before rounding), 1% of lines are withdrawn, 2% are guaranteed
deliveries of which some failed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = 1_000_000
#: Alternated rounds of (a) and (b); on a shared machine the best of each is the figure least
#: disturbed by other work, and the median of the rounds' own ratios is printed beside it.
ROUNDS = 7
TALLY_TARGET = 2.0
IMPORT_TARGET_MS = 50.0
HEAVY = ("pandas", "openpyxl", "xlwings")


def write_tally(path: Path, lines: int, seed: int = 2004) -> tuple[int, int]:
    """Write a holder tally; return (units tendered and not withdrawn, units outstanding to declare)."""
    rng = random.Random(seed)
    tendered = 0
    methods = ("book-entry",) * 90 + ("certificate",) * 8 + ("guaranteed",) * 2
    out = ["holder_id,units,method,status\n"]
    for i in range(lines):
        units = rng.randint(1, 400)
        method = methods[rng.randrange(100)]
        r = rng.random()
        if r < 0.01:
            status = "withdrawn"
        elif method == "guaranteed" and r < 0.1:
            status = "failed"
        else:
            status = "tendered"
        if status != "withdrawn":
            tendered += units
        # about one holder in fifty has a second line (summed before rounding)
        holder = i - 1 if i and rng.random() < 0.02 else i
        out.append(f"H{holder:07d},{units},{method},{status}\n")
    path.write_text("".join(out), encoding="utf-8")
    return tendered, tendered + 1_000_000


def write_offer(path: Path, tally: str, outstanding: int) -> None:
    path.write_text(
        f"""schema = 1
[offer]
id = "bench"
issuer = "Benchmark Issuer"
kind = "preferred"
outstanding = {outstanding}
original_ratio = 3.2
common_outstanding_before = 900000000
expiration = 2004-02-20
[offer.consideration]
ratio = 7.94
fractional = "cash"
[tally]
file = "{tally}"
final = true
[valuation]
date = 2004-02-20
price = 7.39
""",
        encoding="utf-8",
    )


def holder_workbook(tmp: Path, lines: int) -> tuple[Path, Path, Path]:
    """A holder workbook refreshed from a *lines*-line tally (yesterday's), and today's tally beside it.

    Returns (workbook, yesterday's tally, today's tally); both tallies have *lines* lines.
    """
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook
    from xlpy.workbook.refresh_file import refresh_file

    _, outstanding = write_tally(tmp / "small.csv", 300, seed=1)
    write_tally(tmp / "yesterday.csv", lines, seed=2003)
    today_tendered, _ = write_tally(tmp / "today.csv", lines, seed=2004)
    write_offer(tmp / "offer.toml", "small.csv", outstanding + 2 * today_tendered)
    offer, results = compute_file(tmp / "offer.toml")
    book = build_workbook(offer, results, tmp / "book.xlsm", record={"TallySource": "small.csv"})
    refresh_file(book, tmp / "yesterday.csv", backup=False)
    return book, tmp / "yesterday.csv", tmp / "today.csv"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def wall(args: list[str], repeat: int, cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, cwd=cwd)
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=LINES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo))

    import pandas as pd

    from xlpy.files.offerfile import compute_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tally = tmp / "tally.csv"
        tendered, outstanding = write_tally(tally, args.lines)
        offer = tmp / "offer.toml"
        write_offer(offer, tally.name, outstanding)
        size_mb = tally.stat().st_size / 1e6

        results = {}

        def run_xlpy():
            results["r"] = compute_file(offer)[1]

        # alternate the two, so a change in machine load hits both alike
        pairs = []
        for _ in range(ROUNDS):
            pairs.append((best(lambda: pd.read_csv(tally), 1), best(run_xlpy, 1)))
        t_pandas = min(a for a, _ in pairs)
        t_xlpy = min(b for _, b in pairs)
        r = results["r"]
        assert r.units_tendered == tendered, (r.units_tendered, tendered)

    ratio = t_xlpy / t_pandas
    per_round = statistics.median(b / a for a, b in pairs)
    print(f"holder tally: {args.lines:,} lines, {size_mb:.1f} MB; units tendered {r.units_tendered:,}, "
          f"accepted {r.units_accepted:,}, common issued {r.common_issued:,}")
    print(f"  (a) pandas.read_csv alone          {t_pandas * 1000:8.0f} ms (best of {ROUNDS})")
    print(f"  (b) xlpy read_tally + compute      {t_xlpy * 1000:8.0f} ms (best of {ROUNDS})")
    print(f"  ratio (b)/(a)                      {ratio:8.2f}    target <= {TALLY_TARGET:.1f}  "
          f"{verdict(ratio <= TALLY_TARGET)}")
    print(f"  median of the rounds' own ratios   {per_round:8.2f}    (information: machine load)")

    py = sys.executable
    env_args = [py, "-c"]
    # run from the repository root, so "import xlpy.engine" loads this checkout
    t_bare = wall(env_args + ["pass"], 5, repo)
    t_engine = wall(env_args + ["import xlpy.engine"], 5, repo)
    cost_ms = (t_engine - t_bare) * 1000
    probe = subprocess.run(
        env_args + ["import sys, xlpy.engine; print(' '.join(m for m in %r if m in sys.modules))" % (HEAVY,)],
        check=True, capture_output=True, text=True, cwd=repo,
    )
    loaded = probe.stdout.split()
    print(f"import cost: python -c pass {t_bare * 1000:.1f} ms, python -c 'import xlpy.engine' "
          f"{t_engine * 1000:.1f} ms (best of 5)")
    print(f"  import xlpy.engine over bare start {cost_ms:8.1f} ms  target <= {IMPORT_TARGET_MS:.0f} ms  "
          f"{verdict(cost_ms <= IMPORT_TARGET_MS)}")
    print(f"  heavy modules after import: {', '.join(loaded) or 'none'}  {verdict(not loaded)}")
    assert not loaded, f"import xlpy.engine loaded {loaded}"
    missed = ratio > TALLY_TARGET or cost_ms > IMPORT_TARGET_MS
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
