"""Benchmark: a headless refresh (``xlpy refresh``) from a 100,000-line tally, against pandas.

Run from the repository root (a script, not a test)::

    python benchmarks/bench_refresh.py

A standard holder workbook is built from a small offer (300 lines), then
refreshed once from a 100,000-line tally to make it a 100,000-line workbook.
Then, measured in one run each (after one untimed pandas read, so neither
side pays for first imports):

* (a) ``pandas.read_csv`` of a second 100,000-line tally;
* (b) ``xlpy refresh BOOK --tally`` that tally, ``--no-backup``: the daily case,
  a workbook holding yesterday's 100,000 lines refreshed with today's --
  reading and checking every line, running the engine, rewriting the holder
  table (11 columns, its 6 formula columns as shared formulas with the
  engine's value of each line saved beside them), the names and the record,
  and writing the file (temporary file, then replace).

Target: (b) / (a) <= 5.  Prints both times, the ratio and PASS or MISS.
``--lines`` changes the tally size.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import write_offer, write_tally

LINES = 100_000
TARGET = 5.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=LINES)
    args = parser.parse_args(argv)

    import pandas as pd

    from xlpy.cli.refresh import refresh_command, setup_refresh
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    refresh = argparse.ArgumentParser(prog="xlpy refresh")
    setup_refresh(refresh)

    def xlpy(argv: list[str]) -> int:  # the body of `xlpy refresh`, as the command line runs it
        return refresh_command(refresh.parse_args(argv[1:]))

    with tempfile.TemporaryDirectory(prefix="xlpy-bench-refresh-") as tmp:
        tmp = Path(tmp)
        _, outstanding = write_tally(tmp / "small.csv", 300, seed=1)
        write_tally(tmp / "yesterday.csv", args.lines, seed=2003)
        today_tendered, _ = write_tally(tmp / "today.csv", args.lines, seed=2004)
        write_offer(tmp / "offer.toml", "small.csv", outstanding + 2 * today_tendered)
        offer, results = compute_file(tmp / "offer.toml")
        book = build_workbook(offer, results, tmp / "book.xlsm", record={"TallySource": "small.csv"})
        with redirect_stdout(io.StringIO()):
            assert xlpy(["refresh", str(book), "--tally", str(tmp / "yesterday.csv"), "--no-backup"]) == 0

        pd.read_csv(tmp / "yesterday.csv")  # warm: imports and the file cache
        t0 = time.perf_counter()
        pd.read_csv(tmp / "today.csv")
        pandas_s = time.perf_counter() - t0

        out = io.StringIO()
        t0 = time.perf_counter()
        with redirect_stdout(out):
            status = xlpy(["refresh", str(book), "--tally", str(tmp / "today.csv"), "--no-backup"])
        refresh_s = time.perf_counter() - t0
        assert status == 0, out.getvalue()
        size = book.stat().st_size

    ratio = refresh_s / pandas_s
    print(f"tally lines:              {args.lines:,}")
    print(f"(a) pandas.read_csv:      {pandas_s * 1000:8.1f} ms")
    print(f"(b) xlpy refresh:         {refresh_s * 1000:8.1f} ms  (workbook {size / 1e6:.1f} MB)")
    print(f"ratio (b)/(a):            {ratio:8.2f}  (target <= {TARGET:g})")
    print("PASS" if ratio <= TARGET else "MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
