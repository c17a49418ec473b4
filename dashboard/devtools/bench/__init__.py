"""The performance benchmark behind `python -m dashboard bench`.

Generates a synthetic ICB at scale into a temporary database (in a child process), writes its
extracts as CSV files (in a child process), then measures, each as the median of several runs:

- loading the referrals CSV through the real load path (`ingest.load`) into a fresh database;
- every named query in `queries/`, for the whole ICB and, where it takes `$pcns`, for one PCN
  (`name[pcn]`), with the parameters the pages use by default; each run is a fresh execution;
- every page's full server-side run (AppTest), with the query cache cleared first, as after
  a new filter or a load;
- the headline figures computed the plain pandas way (read the extracts into DataFrames,
  filter, group; in a child process) against the same figures from the loaded database;
- peak resident memory of this process, which does the dashboard's own work (load, queries,
  pages); generation, CSV writing and pandas run in children, so they do not count.

With `browser=True` it also times, in Debian's chromium, how long the page takes to redraw
after a PCN is picked in the sidebar filter (reported, not a target of the issue's tests).

The modules, in the order `run` uses them: `children` (generation, extracts, pandas),
`timing` (load and queries), `figures` (the headline figures two ways), `redraw` (the
browser), `pages` (AppTest), `report` (the table against the targets).
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
from dashboard.devtools.bench.timing import median_run, peak_rss_mb, time_load, time_queries
from dashboard.measures import queries
from dashboard.output import summary

__all__ = ["DEFAULT_REFERRALS", "DEFAULT_RUNS", "run", "table"]

DEFAULT_REFERRALS = 1_000_000
DEFAULT_RUNS = 3


def run(
    referrals: int = DEFAULT_REFERRALS,
    runs: int = DEFAULT_RUNS,
    browser: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Run the benchmark; returns the figures `--json` prints, plus `context` for the table."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sp_bench_") as temporary:
        folder = Path(temporary)
        db = folder / "bench.duckdb"
        say(f"Generating {referrals:,} synthetic referrals (child process) ...")
        children.generate(db, referrals)
        say("Writing the extracts as CSV (child process) ...")
        children.write_extracts(db, folder)

        say(f"Loading referrals.csv, {runs} runs ...")
        load_s = time_load(folder / "referrals.csv", folder, runs, referrals)

        with store.open_db(db, read_only=True) as con:
            filters = summary.resolve_filters(con)
            codes = [
                row[0] for row in con.execute("select pcn_code from pcns order by 1").fetchall()
            ]
            say(f"Timing {len(list(queries.QUERY_DIR.glob('*.sql')))} queries, {runs} runs ...")
            query_s = time_queries(con, filters, codes[0], runs)
            say("Headline figures from the database ...")
            duckdb_s, from_duckdb = median_run(lambda: duckdb_figures(con, filters), runs)

        say("Headline figures the pandas way (child process) ...")
        pandas_s, from_pandas = children.time_pandas(folder, filters, runs)
        # Before the pages, with the database closed: the dashboards publish a snapshot of it.
        browser_s = None
        if browser:
            say("Picking a PCN in the browser ...")
            browser_s = time_browser(db, codes, runs, folder)
        say(f"Running {len(PAGES)} pages in AppTest, {runs} runs ...")
        page_s = time_pages(db, runs, timeout=max(30.0, referrals / 10_000))
        peak = peak_rss_mb()

    result: dict[str, Any] = {
        "referrals": referrals,
        "load_s": load_s,
        "queries": query_s,
        "pages": page_s,
        "pandas_s": pandas_s,
        "duckdb_s": duckdb_s,
        "peak_rss_mb": peak,
    }
    if browser_s is not None:
        result["browser"] = browser_s
    context = {
        "runs": runs,
        "period": (filters.date_from, filters.date_to),
        "load_average": (load_before, os.getloadavg()[0]),
        "cpus": os.cpu_count(),
        "disagreements": differences(from_pandas, from_duckdb),
    }
    return {"result": result, "context": context}
