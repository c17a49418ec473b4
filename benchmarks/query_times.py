"""Median time of every named query, for the whole ICB and for one PCN.

    python benchmarks/query_times.py --db PATH [--runs 5]

Build a large database first, e.g. `python -m dashboard demo --db /tmp/big.duckdb
--referrals 1000000`. Results are not cached here: each run is a fresh execution.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dashboard.core import capacity, queries, store, summary
from dashboard.core.settings import load_settings
from dashboard.core.statistics import swemwbs_metric_list

# Parameters beyond the Filters model's, with the values the dashboard uses by default.
EXTRA_PARAMS = {
    "band_low": load_settings().referral_band.low_per_1000,
    "band_high": load_settings().referral_band.high_per_1000,
    "swemwbs_metric": swemwbs_metric_list(),
    "swemwbs_threshold": load_settings().outcomes.swemwbs_meaningful_change,
    "wemwbs_threshold": load_settings().outcomes.wemwbs_meaningful_change,
    "activity_groups": capacity.ACTIVITY_GROUPS_PARAM,
    "activity": "gardening",  # the capacity drill-down's activity; its PCN is the one below
}


def time_query(con, name: str, params: dict, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        queries.run(con, name, params)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with store.open_db(Path(args.db), read_only=True) as con:
        filters = summary.resolve_filters(con)
        one_pcn = con.execute("select min(pcn_code) from pcns").fetchone()[0]
        scopes = {"icb": filters, "pcn": filters.model_copy(update={"pcns": (one_pcn,)})}
        referrals = con.execute("select count(*) from referrals").fetchone()[0]
        print(f"{referrals:,} referrals; period {filters.date_from} to {filters.date_to}")
        print(f"{'query':<36}{'ICB ms':>10}{'PCN ms':>10}")
        for path in sorted(queries.QUERY_DIR.glob("*.sql")):
            timings = [
                time_query(
                    con, path.stem, {**scope.params(), **EXTRA_PARAMS, "pcn": one_pcn}, args.runs
                )
                * 1000
                for scope in scopes.values()
            ]
            print(f"{path.stem:<36}{timings[0]:>10.1f}{timings[1]:>10.1f}")


if __name__ == "__main__":
    main()
