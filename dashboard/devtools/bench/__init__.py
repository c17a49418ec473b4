"""The performance benchmark behind `python -m dashboard bench`.

Generates a synthetic ICB at scale into a temporary database (in a child process), writes its
extracts as CSV files (in a child process), then measures, each as the median of several runs:

- DuckDB's own read of the referrals CSV into a fresh database, the floor for any load;
- loading the same CSV as the `load` command does (validated, committed in one transaction,
  published as a snapshot) into a fresh database;
- every named query in `queries/`, for the whole ICB and, where it takes `$pcns`, for one PCN
  (`name[pcn]`), with the parameters the pages use by default; each run is a fresh execution;
- every page's full server-side run (AppTest), with the query and view caches cleared first,
  as after a new filter or a load, and presentation mode's Next pressed at once
  (`present_next_s`);
- the headline figures computed the plain pandas way (read the extracts into DataFrames,
  filter, group; in a child process) against the same figures from the loaded database, up
  to `PANDAS_MAX_REFERRALS` (beyond it pandas would need the whole extracts in memory);
- peak resident memory of this process, which does the dashboard's own work (load, queries,
  pages); generation, CSV writing and pandas run in children, so they do not count.

With `browser=True` it also times, in Debian's chromium, what a person waits for: a first
page in a new browser, every page from its link, every page after choosing a PCN, and Next on
presentation mode opened cold, until every chart on it is drawn (`redraw`).

The modules, in the order `run` uses them: `children` (generation, extracts, pandas),
`timing` (raw read, load and queries), `figures` (the headline figures two ways), `redraw`
(the browser), `pages` (AppTest), `report` (the table against the targets).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.data import store
from dashboard.devtools.bench import children
from dashboard.devtools.bench.figures import differences, duckdb_figures
from dashboard.devtools.bench.pages import PAGES, time_pages
from dashboard.devtools.bench.redraw import time_browser
from dashboard.devtools.bench.report import table
from dashboard.devtools.bench.timing import (
    median_run,
    peak_rss_mb,
    time_load,
    time_queries,
    time_raw_read,
)
from dashboard.measures import queries
from dashboard.output import summary

__all__ = ["DEFAULT_REFERRALS", "DEFAULT_RUNS", "run", "table"]

DEFAULT_REFERRALS = 1_000_000
DEFAULT_RUNS = 3
# Above this, the pandas way would read ~70 million utilisation rows into memory at once (the
# point of the comparison): it is left out, and so are the extracts only it reads.
PANDAS_MAX_REFERRALS = 2_000_000


def run(
    referrals: int | None = DEFAULT_REFERRALS,
    runs: int = DEFAULT_RUNS,
    browser: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Run the benchmark; returns the figures `--json` prints, plus `context` for the table.

    `referrals` None benchmarks the default synthetic ICB, the data `make run` shows."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sp_bench_") as temporary:
        folder = Path(temporary)
        db = folder / "bench.duckdb"
        say(f"Generating {'the default' if referrals is None else f'{referrals:,}'} "
            "synthetic referrals (child process) ...")  # fmt: skip
        children.generate(db, referrals)
        with store.open_db(db, read_only=True) as con:
            rows = store.table_counts(con)["referrals"]
        with_pandas = rows <= PANDAS_MAX_REFERRALS
        kinds = tuple(store.KINDS) if with_pandas else ("referrals",)
        say(f"Writing {', '.join(kinds)} as CSV (child process) ...")
        children.write_extracts(db, folder, kinds)

        say(f"DuckDB's own read of referrals.csv, {runs} runs ...")
        raw_read_s = time_raw_read(folder / "referrals.csv", folder, runs)
        say(f"Loading referrals.csv as the load command does, {runs} runs ...")
        load_s = time_load(folder / "referrals.csv", folder, runs, rows)

        with store.open_db(db, read_only=True) as con:
            filters = summary.resolve_filters(con)
            codes = [
                row[0] for row in con.execute("select pcn_code from pcns order by 1").fetchall()
            ]
            say(f"Timing {len(list(queries.QUERY_DIR.glob('*.sql')))} queries, {runs} runs ...")
            query_s = time_queries(con, filters, codes[0], runs)
            say("Headline figures from the database ...")
            duckdb_s, from_duckdb = median_run(lambda: duckdb_figures(con, filters), runs)

        pandas_s, disagreements = None, []
        if with_pandas:
            say("Headline figures the pandas way (child process) ...")
            pandas_s, from_pandas = children.time_pandas(folder, filters, runs)
            disagreements = differences(from_pandas, from_duckdb)
        # Before the pages, with the database closed: the dashboards publish a snapshot of it.
        felt = None
        if browser:
            say("In the browser: a first page, every page from its link, choosing a PCN, and "
                "Next in presentation mode ...")  # fmt: skip
            felt = time_browser(db, codes, filters, runs, folder)
        say(f"Running {len(PAGES)} pages in AppTest, {runs} runs ...")
        page_s, present_next_s = time_pages(db, runs, timeout=max(30.0, rows / 10_000))
        peak = peak_rss_mb()

    result: dict[str, Any] = {
        "referrals": rows,
        "load_s": load_s,
        "raw_read_s": raw_read_s,
        "queries": query_s,
        "pages": page_s,
        "present_next_s": present_next_s,
        "pandas_s": pandas_s,
        "duckdb_s": duckdb_s,
        "peak_rss_mb": peak,
    }
    if felt is not None:
        result["browser_cold_s"] = felt["cold"]
        result["browser_navigate"] = felt["navigate"]
        result["browser_pcn"] = felt["pcn"]
        result["browser_present_next_s"] = felt["present_next"]
    context = {
        "runs": runs,
        "period": (filters.date_from, filters.date_to),
        "load_average": (load_before, os.getloadavg()[0]),
        "cpus": os.cpu_count(),
        "disagreements": disagreements,
    }
    return {"result": result, "context": context}
