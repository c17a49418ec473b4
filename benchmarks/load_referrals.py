"""Benchmark: load a 1,000,000-row referrals CSV through the real load path.

    PYTHONPATH=. .venv/bin/python benchmarks/load_referrals.py [--rows N] [--csv PATH]

Writes the synthetic referrals to a CSV in /tmp (once; reused while it exists), then times
`python -m dashboard load referrals` into a fresh database, twice: a first load, then a
reload of the same file (every row replaces itself). Prints wall time and peak RSS of each.
The target is under 10 s and under 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
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


def timed_load(csv: Path, db: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the load process, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    status = subprocess.call(
        [sys.executable, "-m", "dashboard", "load", "referrals", str(csv), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far (kB on Linux).
    return seconds, max(peak, before) / 1024, status


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
            seconds, peak_mb, status = timed_load(csv, db)
            print(f"{label:<10} {seconds:6.2f} s   peak RSS {peak_mb:,.0f} MB   exit {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
