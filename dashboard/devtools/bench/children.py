"""The benchmark's child processes: generating the data, writing the extracts and the pandas
comparison each run in their own process, so their memory is not counted as the dashboard's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from dashboard.data import store
from dashboard.measures.filters import Filters

SEED = 1
# `python -m` of this package runs its __main__.py: the extracts and pandas roles.
BENCH_MODULE = "dashboard.devtools.bench"


def run_child(args: list[str]) -> str:
    """Run `python -m ...` from the project root; returns its standard output."""
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=store.ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"`python -m {' '.join(args)}` failed:\n{result.stderr[-2000:]}")
    return result.stdout


def generate(db: Path, referrals: int | None) -> None:
    """A synthetic ICB of `referrals` referrals; None for the default one `make run` shows."""
    scale = [] if referrals is None else ["--referrals", str(referrals), "--seed", str(SEED)]
    run_child(["dashboard", "demo", "--db", str(db), *scale])


def write_extracts(db: Path, folder: Path, kinds: tuple[str, ...]) -> None:
    run_child([BENCH_MODULE, "extracts", str(db), str(folder), *kinds])


def time_pandas(folder: Path, filters: Filters, runs: int) -> tuple[float, dict[str, Any]]:
    """Median seconds of the headline figures the pandas way, and the figures."""
    args = [
        BENCH_MODULE,
        "pandas",
        str(folder),
        filters.date_from.isoformat(),
        filters.date_to.isoformat(),
        str(runs),
        *filters.pcns,
    ]
    out = json.loads(run_child(args))
    return out["seconds"], out["figures"]
