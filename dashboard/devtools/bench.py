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
"""

from __future__ import annotations

import json
import logging
import math
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.data import ingest, store
from dashboard.measures import capacity, queries
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import FUNNEL_STAGES
from dashboard.measures.statistics import swemwbs_metric_list
from dashboard.output import summary
from dashboard.settings import load_settings

DEFAULT_REFERRALS = 1_000_000
DEFAULT_RUNS = 3
SEED = 1
PAGES = ("overview", "referrals", "outcomes", "utilisation", "capacity", "data", "present")
BROWSER_PAGES = {"overview": "", "referrals": "referrals", "capacity": "capacity"}
CHROMIUM = os.environ.get("SP_CHROMIUM", "/usr/bin/chromium")
# Chromium flags for a closed network: no background calls that would be refused.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The extracts the pandas comparison reads; services do not enter its headline figures.
PANDAS_EXTRACTS = ("pcns", "referrals", "outcomes", "utilisation", "onward_referrals")
UNMET_RESULTS = ("waitlisted", "declined_no_capacity", "service_closed")

_BARE_MODE_LOGGERS = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)

# Targets of issue 8, at 1,000,000 referrals on this 2-core machine.
LOAD_TARGET_S = 10.0
QUERY_TARGET_S = 0.1
PAGE_TARGET_S = 1.0
SPEEDUP_TARGET = 5.0
MEMORY_TARGET_MB = 2048.0
BROWSER_TARGET_S = 1.5


def extra_params() -> dict[str, Any]:
    """Parameters beyond the Filters model's, with the values the pages use by default."""
    settings = load_settings()
    return {
        "band_low": settings.referral_band.low_per_1000,
        "band_high": settings.referral_band.high_per_1000,
        "swemwbs_metric": swemwbs_metric_list(),
        "swemwbs_threshold": settings.outcomes.swemwbs_meaningful_change,
        "wemwbs_threshold": settings.outcomes.wemwbs_meaningful_change,
        "activity_groups": capacity.ACTIVITY_GROUPS_PARAM,
        "activity": "gardening",  # the capacity drill-down's activity, for `pcn` below
    }


def median_seconds(work: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


# ---------------------------------------------------------------------------------------------
# Data: generation and extracts, both in child processes


def _child(args: list[str]) -> str:
    """Run `python -m ...` from the project root; returns its standard output."""
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=store.ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"`python -m {' '.join(args)}` failed:\n{result.stderr[-2000:]}")
    return result.stdout


def generate(db: Path, referrals: int) -> None:
    _child(
        ["dashboard", "demo", "--db", str(db), "--referrals", str(referrals), "--seed", str(SEED)]
    )


def write_extracts(db: Path, folder: Path) -> None:
    """Every table of `db` as `<kind>.csv` in `folder` (ISO dates, empty for missing)."""
    with store.open_db(db, read_only=True) as con:
        for kind in store.KINDS:
            con.table(kind).write_csv(str(folder / f"{kind}.csv"))


# ---------------------------------------------------------------------------------------------
# The headline figures, two ways


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def pandas_figures(folder: Path, filters: Filters) -> dict[str, Any]:
    """The headline figures the way an analyst would write them: read the extracts whole,
    filter to the period and PCNs, group."""
    pcns = pd.read_csv(folder / "pcns.csv")
    referrals = pd.read_csv(
        folder / "referrals.csv", parse_dates=["referral_date", "first_contact_date"]
    )
    outcomes = pd.read_csv(folder / "outcomes.csv")
    # Referred people's rows leave pcn_code and index_date empty: text, not a guess per chunk.
    utilisation = pd.read_csv(
        folder / "utilisation.csv", dtype={"pcn_code": str, "index_date": str}
    )
    onward = pd.read_csv(folder / "onward_referrals.csv", parse_dates=["onward_date"])

    start, end = pd.Timestamp(filters.date_from), pd.Timestamp(filters.date_to)
    in_period = referrals[referrals["referral_date"].between(start, end)]
    chosen = in_period[in_period["pcn_code"].isin(filters.pcns)] if filters.pcns else in_period

    per_pcn = in_period.groupby("pcn_code").size().reindex(pcns["pcn_code"], fill_value=0)
    rates = per_pcn.to_numpy() * 1000 / pcns["list_size"].to_numpy() * 365 / filters.days

    status = chosen["status"]
    funnel = {
        "referred": len(chosen),
        "contacted": int(chosen["first_contact_date"].notna().sum()),
        "engaged": int(status.isin(["engaged", "completed"]).sum()),
        **{stage: int((status == stage).sum()) for stage in FUNNEL_STAGES[3:]},
    }
    waits = (chosen["first_contact_date"] - chosen["referral_date"]).dt.days

    star = outcomes[
        (outcomes["measure"] == "wellbeing_star") & outcomes["baseline_score"].notna()
    ].merge(chosen[["referral_id"]], on="referral_id")
    paired = star[star["followup_score"].notna()]
    improved = (paired["followup_score"] > paired["baseline_score"]).groupby(paired["domain"])
    star_pct = {
        domain: (100.0 * improved.sum()[domain] / improved.size()[domain])
        if domain in improved.size().index
        else None
        for domain in sorted(star["domain"].unique())
    }

    earlier = referrals.loc[referrals["referral_date"] < start, "person_id"]
    first = (
        in_period[~in_period["person_id"].isin(earlier)]
        .sort_values("referral_date", kind="stable")
        .drop_duplicates("person_id")[["person_id", "pcn_code"]]
    )
    if filters.pcns:
        first = first[first["pcn_code"].isin(filters.pcns)]
    referred = utilisation[utilisation["cohort"] == "referred"].drop(columns="pcn_code")
    windows = (
        referred.merge(first, on="person_id")
        .pivot_table(index=["person_id", "setting"], columns="period", values="count")
        .dropna(subset=["before", "after"])
    )
    means = windows.groupby("setting")[["before", "after"]].mean()

    onward = onward[onward["onward_date"].between(start, end)]
    owners = referrals if not filters.pcns else referrals[referrals["pcn_code"].isin(filters.pcns)]
    onward = onward.merge(owners[["referral_id"]], on="referral_id")
    demand = onward.assign(unmet=onward["result"].isin(UNMET_RESULTS)).groupby("activity")

    return {
        "rates": {
            code: [int(count), float(rate)]
            for code, count, rate in zip(pcns["pcn_code"], per_pcn, rates, strict=True)
        },
        "funnel": {stage: int(count) for stage, count in funnel.items()},
        "median_wait_days": _number(waits.median()),
        "star_pct_improved": {domain: _number(pct) for domain, pct in star_pct.items()},
        "utilisation": {
            setting: [float(row.before), float(row.after)] for setting, row in means.iterrows()
        },
        "capacity": {
            activity: [int(size), int(unmet)]
            for (activity, size), unmet in zip(
                demand.size().items(), demand["unmet"].sum(), strict=True
            )
        },
    }


def duckdb_figures(con, filters: Filters) -> dict[str, Any]:
    """The same headline figures from the loaded database, through the project's queries."""
    params = {**filters.params(), **extra_params()}
    rates = queries.run(con, "pcn_referral_rates", params)
    funnel = queries.run(con, "referral_funnel", params)
    kpis = queries.run(con, "referral_kpis", params).iloc[0]

    def chosen(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["pcn_code"].isin(filters.pcns)] if filters.pcns else frame

    outcomes = chosen(queries.run(con, "outcome_change", params))
    star = (
        outcomes[outcomes["measure"] == "wellbeing_star"]
        .groupby("domain")[["n_improved", "n"]]
        .sum()
    )
    utilisation = chosen(queries.run(con, "utilisation_change", params))
    utilisation = (
        utilisation[utilisation["cohort"] == "referred"]
        .groupby("setting")[["sum_before", "sum_after", "n_people"]]
        .sum()
    )
    gaps = queries.run(con, "capacity_gaps", params).groupby("activity")[["demand", "unmet"]].sum()
    return {
        "rates": {
            row.pcn_code: [int(row.referrals), float(row.rate_per_1000)]
            for row in rates.sort_values("pcn_code").itertuples()
        },
        "funnel": {row.stage: int(row.people) for row in funnel.itertuples()},
        "median_wait_days": _number(kpis["median_wait_days"]),
        "star_pct_improved": {
            domain: (100.0 * row.n_improved / row.n) if row.n else None
            for domain, row in star.iterrows()
        },
        "utilisation": {
            setting: [row.sum_before / row.n_people, row.sum_after / row.n_people]
            for setting, row in utilisation.iterrows()
            if row.n_people
        },
        "capacity": {
            activity: [int(row.demand), int(row.unmet)] for activity, row in gaps.iterrows()
        },
    }


def differences(left: Any, right: Any, where: str = "") -> list[str]:
    """Where two sets of figures differ beyond floating-point noise; empty when they agree."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = [f"{where}/{key}: only one side" for key in left.keys() ^ right.keys()]
        for key in sorted(left.keys() & right.keys()):
            found += differences(left[key], right[key], f"{where}/{key}")
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [d for a, b in zip(left, right, strict=True) for d in differences(a, b, where)]
    if left is None or right is None:
        return [] if left is right else [f"{where}: {left} != {right}"]
    if math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9):
        return []
    return [f"{where}: {left} != {right}"]


def _pandas_child(folder: Path, filters: Filters, runs: int) -> dict[str, Any]:
    result = {}

    def work() -> None:
        result["figures"] = pandas_figures(folder, filters)

    seconds = median_seconds(work, runs)
    return {"seconds": seconds, "figures": result["figures"]}


def time_pandas(folder: Path, filters: Filters, runs: int) -> tuple[float, dict[str, Any]]:
    """pandas in a child process, so its DataFrames do not count in this one's memory."""
    args = [
        "dashboard.devtools.bench",
        "pandas",
        str(folder),
        filters.date_from.isoformat(),
        filters.date_to.isoformat(),
        str(runs),
        *filters.pcns,
    ]
    out = json.loads(_child(args))
    return out["seconds"], out["figures"]


# ---------------------------------------------------------------------------------------------
# The dashboard's own work, in this process


def time_load(csv: Path, folder: Path, runs: int, rows: int) -> float:
    """Median seconds of `ingest.load` of the referrals CSV into a fresh database each run."""
    samples = []
    for run in range(runs):
        db = folder / f"load_{run}.duckdb"
        with store.open_db(db) as con:
            started = time.perf_counter()
            (report,) = ingest.load(con, [ingest.Extract(csv.name, csv, "referrals")])
            samples.append(time.perf_counter() - started)
        db.unlink()
        if not report.loaded or report.accepted != rows:
            raise RuntimeError(
                f"the benchmark load accepted {report.accepted:,} of {rows:,} rows "
                f"({report.refused or 'some rows were rejected'})"
            )
    return statistics.median(samples)


def time_queries(con, filters: Filters, pcn: str, runs: int) -> dict[str, float]:
    """Every named query for the whole ICB, and for one PCN where it takes `$pcns`."""
    base = {**filters.params(), **extra_params(), "pcn": pcn}
    scopes = {"": base, "[pcn]": {**base, "pcns": [pcn]}}
    timings = {}
    for path in sorted(queries.QUERY_DIR.glob("*.sql")):
        name = path.stem
        for suffix, params in scopes.items():
            if suffix and "pcns" not in queries.parameters(name):
                continue
            timings[f"{name}{suffix}"] = median_seconds(
                lambda name=name, params=params: queries.run(con, name, params), runs
            )
    return timings


def time_pages(db: Path, runs: int, timeout: float) -> dict[str, float]:
    """Each page's full server-side run in AppTest, with the query cache cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # Outside a server, every AppTest run warns that there is no runtime: expected here.
    for name in _BARE_MODE_LOGGERS:
        logging.getLogger(name).addFilter(lambda record: False)

    app = str(store.ROOT / "dashboard" / "app.py")
    previous = os.environ.get(store.DB_ENV)
    os.environ[store.DB_ENV] = str(db)
    try:
        timings = {}
        for page in PAGES:
            samples = []
            for _ in range(runs):
                at = AppTest.from_file(app, default_timeout=timeout)
                at.run()
                at.switch_page(f"views/{page}.py")
                st.cache_data.clear()
                started = time.perf_counter()
                at.run()
                samples.append(time.perf_counter() - started)
                if at.exception:
                    raise RuntimeError(f"page {page} failed: {at.exception[0].message}")
            timings[page] = statistics.median(samples)
        return timings
    finally:
        st.cache_resource.clear()  # closes the page's connection to the benchmark database
        if previous is None:
            os.environ.pop(store.DB_ENV, None)
        else:
            os.environ[store.DB_ENV] = previous


# ---------------------------------------------------------------------------------------------
# The browser: a PCN picked in the sidebar, until the page has redrawn

# Records, in the page, when Enter picks the PCN and when the rerun it starts has finished
# (the app's script state goes to running, then back to notRunning, then a frame is painted).
_WATCH_REDRAW = """
() => {
  window.__picked = null; window.__redrawn = null;
  const app = document.querySelector('[data-testid="stApp"]');
  let running = false;
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && window.__picked === null) window.__picked = performance.now();
  }, {capture: true});
  new MutationObserver((changes, observer) => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running') running = true;
    if (running && state === 'notRunning') {
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        window.__redrawn = performance.now();
      }));
    }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run` on a free port on `db`, once it answers its health check: (process, url).
    Its output goes to `log`; RuntimeError, with that output, if it does not start."""
    port = _free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(store.ROOT / "dashboard" / "app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=store.ROOT,
            env={**os.environ, store.DB_ENV: str(db)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"streamlit did not start:\n{log.read_text()}")
        time.sleep(0.25)  # polling the health endpoint


def time_browser(db: Path, pcns: list[str], runs: int, folder: Path) -> dict[str, float]:
    """Median seconds from picking a PCN in the sidebar to the page redrawn, per page.

    Each run picks a different PCN, so no run is served from an earlier run's cache.
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"--browser needs chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    process, url = serve(db, folder / "streamlit.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            timings = {}
            picks = iter(pcns * (len(BROWSER_PAGES) * runs))
            for name, path in BROWSER_PAGES.items():
                samples = []
                for _ in range(runs):
                    code = next(picks)
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.goto(f"{url}/{path}")
                    app = page.get_by_test_id("stApp")
                    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(
                        timeout=300_000
                    )
                    expect(app).to_have_attribute(
                        "data-test-script-state", "notRunning", timeout=300_000
                    )
                    page.evaluate(_WATCH_REDRAW)
                    picker = page.get_by_test_id("stSidebar").get_by_role("combobox").first
                    picker.click()
                    picker.fill(code)
                    picker.press("Enter")
                    page.wait_for_function("window.__redrawn !== null", timeout=300_000)
                    picked, redrawn = page.evaluate("[window.__picked, window.__redrawn]")
                    samples.append((redrawn - picked) / 1000)
                    page.close()
                timings[name] = statistics.median(samples)
            browser.close()
        return timings
    finally:
        process.terminate()
        process.wait(timeout=30)


# ---------------------------------------------------------------------------------------------
# The whole benchmark


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


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
        generate(db, referrals)
        say("Writing the extracts as CSV (child process) ...")
        _child(["dashboard.devtools.bench", "extracts", str(db), str(folder)])

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
            figures: dict[str, Any] = {}

            def from_duckdb() -> None:
                figures["duckdb"] = duckdb_figures(con, filters)

            duckdb_s = median_seconds(from_duckdb, runs)

        say("Headline figures the pandas way (child process) ...")
        pandas_s, figures["pandas"] = time_pandas(folder, filters, runs)
        # Before the pages: the dashboard there holds the database open for writing.
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
        "disagreements": differences(figures["pandas"], figures["duckdb"]),
    }
    return {"result": result, "context": context}


def _verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def table(result: dict[str, Any], context: dict[str, Any]) -> str:
    """The benchmark as a plain-text table, each figure against its target."""
    first, last = context["period"]
    before, after = context["load_average"]
    lines = [
        f"Benchmark: {result['referrals']:,} referrals, median of {context['runs']} runs, "
        f"period {first:%d/%m/%Y} to {last:%d/%m/%Y}",
        f"Load average {before:.1f} at the start, {after:.1f} at the end ({context['cpus']} CPUs).",
        "",
        f"{'measure':<40}{'seconds':>10}  {'target':<10}",
    ]

    def row(label: str, value: float, target: str = "", passed: bool = True, unit: str = ""):
        shown = f"{value:.1f}{unit}" if unit else f"{value:.3f}"
        verdict = _verdict(passed) if target else ""
        lines.append(f"{label:<40}{shown:>10}  {target:<10}{verdict}".rstrip())

    row(
        "load referrals CSV",
        result["load_s"],
        f"< {LOAD_TARGET_S:g} s",
        result["load_s"] < LOAD_TARGET_S,
    )
    for name, seconds in result["queries"].items():
        row(f"query {name}", seconds, f"< {QUERY_TARGET_S:g} s", seconds < QUERY_TARGET_S)
    for name, seconds in result["pages"].items():
        row(f"page {name}", seconds, f"< {PAGE_TARGET_S:g} s", seconds < PAGE_TARGET_S)
    for name, seconds in result.get("browser", {}).items():
        row(
            f"browser: pick a PCN, {name}",
            seconds,
            f"< {BROWSER_TARGET_S:g} s",
            seconds < BROWSER_TARGET_S,
        )
    speedup = result["pandas_s"] / result["duckdb_s"]
    row("headline figures, pandas", result["pandas_s"])
    row("headline figures, dashboard", result["duckdb_s"])
    row(
        "pandas / dashboard",
        speedup,
        f">= {SPEEDUP_TARGET:g}x",
        speedup >= SPEEDUP_TARGET,
        unit="x",
    )
    peak = result["peak_rss_mb"]
    row("peak memory (MB)", peak, f"< {MEMORY_TARGET_MB:g} MB", peak < MEMORY_TARGET_MB, unit=" ")
    disagreements = context["disagreements"]
    lines.append(
        f"{'pandas and dashboard figures agree':<40}{'yes' if not disagreements else 'NO':>10}"
    )
    lines += [f"  differs: {text}" for text in disagreements[:20]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """The child processes: `extracts DB FOLDER` and `pandas FOLDER FROM TO RUNS [PCN ...]`."""
    role, *args = argv
    if role == "extracts":
        write_extracts(Path(args[0]), Path(args[1]))
    elif role == "pandas":
        folder, date_from, date_to, runs, *pcns = args
        filters = Filters(
            pcns=tuple(pcns),
            date_from=date.fromisoformat(date_from),
            date_to=date.fromisoformat(date_to),
        )
        print(json.dumps(_pandas_child(Path(folder), filters, int(runs))))
    else:
        raise SystemExit(f"unknown role {role!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
