"""The benchmark's timings of the dashboard's own work, in this process: the load path and
every named query, each the median of several runs."""

from __future__ import annotations

import resource
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from dashboard.data import ingest, snapshots, store
from dashboard.measures import capacity, queries
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import swemwbs_metric_list
from dashboard.settings import load_settings

Result = TypeVar("Result")


def median_run(work: Callable[[], Result], runs: int) -> tuple[float, Result]:
    """Median seconds of `runs` calls of `work`, and what the last call returned."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def query_params(filters: Filters) -> dict[str, Any]:
    """Every named query's parameters: the Filters model's, and the rest with the values the
    pages use by default."""
    settings = load_settings()
    return {
        **filters.params(),
        "band_low": settings.referral_band.low_per_1000,
        "band_high": settings.referral_band.high_per_1000,
        "swemwbs_metric": swemwbs_metric_list(),
        "swemwbs_threshold": settings.outcomes.swemwbs_meaningful_change,
        "wemwbs_threshold": settings.outcomes.wemwbs_meaningful_change,
        "activity_groups": capacity.ACTIVITY_GROUPS_PARAM,
        "activity": "gardening",  # the capacity drill-down's activity, with its `pcn`
        "data_date": filters.date_to,  # funding ends are measured from the data's date
    }


def time_load(csv: Path, folder: Path, runs: int, rows: int) -> float:
    """Median seconds of loading the referrals CSV as the `load` command does, into a fresh
    database each run: the writer turn, `ingest.load` (validated and committed in one
    transaction) and publishing the snapshot readers see."""
    samples = []
    for run in range(runs):
        db = folder / f"load_{run}.duckdb"
        started = time.perf_counter()
        with store.writing(db, incoming_bytes=csv.stat().st_size) as con:
            # The file-size limit (settings [load]) guards uploads; at national scale the
            # benchmark's extract is over it by design.
            (report,) = ingest.load(
                con,
                [ingest.Extract(csv.name, csv, "referrals")],
                max_bytes=csv.stat().st_size + 1,
            )
            if report.loaded:
                snapshots.publish(con, db, "benchmark load")
        samples.append(time.perf_counter() - started)
        _remove_database(db)
        if not report.loaded or report.accepted != rows:
            raise RuntimeError(
                f"the benchmark load accepted {report.accepted:,} of {rows:,} rows "
                f"({report.refused or 'some rows were rejected'})"
            )
    return statistics.median(samples)


def time_raw_read(csv: Path, folder: Path, runs: int) -> float:
    """Median seconds of DuckDB's own read of the same CSV into a table of a fresh database
    file: the floor any load stands on (no validation, no transaction, no snapshot)."""
    samples = []
    for run in range(runs):
        db = folder / f"raw_{run}.duckdb"
        con = duckdb.connect(str(db))
        try:
            started = time.perf_counter()
            con.execute("create table raw as select * from read_csv($path)", {"path": str(csv)})
            con.execute("checkpoint")
            samples.append(time.perf_counter() - started)
        finally:
            con.close()
        _remove_database(db)
    return statistics.median(samples)


def _remove_database(db: Path) -> None:
    """A benchmark database with its write-ahead log and snapshots."""
    shutil.rmtree(snapshots.folder(db), ignore_errors=True)
    for leftover in db.parent.glob(f"{db.stem}*"):
        if leftover.is_file():
            leftover.unlink()


def time_queries(con, filters: Filters, pcn: str, runs: int) -> dict[str, float]:
    """Every named query for the whole ICB, and for one PCN where it takes `$pcns`."""
    base = {**query_params(filters), "pcn": pcn}
    scopes = {"": base, "[pcn]": {**base, "pcns": [pcn]}}
    timings = {}
    for path in sorted(queries.QUERY_DIR.glob("*.sql")):
        name = path.stem
        for suffix, params in scopes.items():
            if suffix and "pcns" not in queries.parameters(name):
                continue
            timings[f"{name}{suffix}"], _ = median_run(
                lambda name=name, params=params: queries.run(con, name, params), runs
            )
    return timings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
