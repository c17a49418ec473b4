"""Benchmark: load a 1,000,000-row referrals CSV through the real load path.

    PYTHONPATH=. .venv/bin/python benchmarks/load_referrals.py [--rows N] [--csv PATH]

Writes the synthetic referrals to a CSV in /tmp (once; reused while it exists), then times
`python -m dashboard load referrals` into a fresh database, twice: a first load, then a
reload of the same file (every row replaces itself). Prints wall and CPU time and peak RSS
of each (the whole process: interpreter start, imports, read, validate, write, commit).
The target is under 10 s and under 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, rows: int) -> None:
    from dashboard.core import synthetic

    print(f"Writing {rows:,} synthetic referrals to {path} ...", file=sys.stderr)
    referrals = synthetic.generate(referrals=rows).referrals
    partial = path.with_suffix(".partial")
    referrals.to_csv(partial, index=False, date_format="%d/%m/%Y")
    partial.replace(path)


def timed_load(csv: Path, db: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MB of the load process, and its exit code.

    CPU seconds say more than wall time on a machine shared with other work: the load uses
    both cores, so on an idle machine its wall time is a little over half its CPU time.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    status = subprocess.call(
        [sys.executable, "-m", "dashboard", "load", "referrals", str(csv), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss of children is the largest child so far (kB on Linux).
    return seconds, cpu, after.ru_maxrss / 1024, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args()
    csv = args.csv or Path(tempfile.gettempdir()) / f"sp_referrals_{args.rows}.csv"
    if not csv.exists():
        write_csv(csv, args.rows)
    print(f"{csv}: {csv.stat().st_size / 1e6:,.0f} MB", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        for label in ("first load", "reload"):
            load_average = os.getloadavg()[0]
            seconds, cpu, peak_mb, status = timed_load(csv, db)
            print(
                f"{label:<10} {seconds:6.2f} s wall  {cpu:6.2f} s CPU  peak RSS {peak_mb:,.0f} MB"
                f"  exit {status}  (load average {load_average:.1f} before)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
