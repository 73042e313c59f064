"""Benchmark: a refresh that switches a counts workbook to a 100,000-line holder table, against a plain refresh.

Run from the repository root (a script, not a test)::

    python benchmarks/bench_switch.py

A holder workbook is built from a small offer (300 lines); one copy is
refreshed from a 100,000-line tally (yesterday's), another is switched to
aggregate counts by a refresh from a count file.  Then, measured in one run
each:

* (a) ``xlpy refresh`` of the holder workbook from today's 100,000-line tally,
  ``--no-backup``: the daily case (see ``bench_refresh.py``);
* (b) ``xlpy refresh`` of the counts workbook from the same tally: the switch
  (a build of the offer with a two-line sample of the tally, its Tenders
  areas copied in, then the same refresh writing every line).

Target: (b) / (a) <= 2.  Prints both times, the ratio and PASS or MISS.
``--lines`` changes the tally size.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import holder_workbook

LINES = 100_000
TARGET = 2.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=LINES)
    args = parser.parse_args(argv)

    from xlpy.workbook.refresh_file import refresh_file

    def timed(book: Path, tally: Path) -> float:  # the body of `xlpy refresh`
        t0 = time.perf_counter()
        refresh_file(book, tally, backup=False)
        return time.perf_counter() - t0

    with tempfile.TemporaryDirectory(prefix="xlpy-bench-switch-") as tmp:
        tmp = Path(tmp)
        holders, _, today = holder_workbook(tmp, args.lines)
        (tmp / "counts.csv").write_text("tendered,guaranteed delivery\n1000,0\n", encoding="utf-8")
        counts = Path(shutil.copy(holders, tmp / "counts.xlsm"))
        timed(counts, tmp / "counts.csv")  # a counts workbook of the same offer

        plain_s = timed(holders, today)
        switch_s = timed(counts, today)

    ratio = switch_s / plain_s
    print(f"tally lines:                 {args.lines:,}")
    print(f"(a) refresh, holder book:    {plain_s * 1000:8.1f} ms")
    print(f"(b) refresh, counts switched:{switch_s * 1000:8.1f} ms")
    print(f"ratio (b)/(a):               {ratio:8.2f}  (target <= {TARGET:g})")
    print("PASS" if ratio <= TARGET else "MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
