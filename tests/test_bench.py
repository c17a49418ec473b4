"""`python -m dashboard bench`: its JSON line, and the pandas comparison it makes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.data import store
from dashboard.devtools.bench import figures, pages, redraw
from dashboard.output import summary
from tests.test_docs import README

# Every name the README quotes or puts in a code span: the keys its `--json` line documents.
README_NAMES = set(re.findall(r'["`]([a-z_]+)["`]', README))

ROOT = Path(__file__).resolve().parents[1]
KEYS = {
    "referrals",
    "load_s",
    "raw_read_s",
    "queries",
    "pages",
    "present_next_s",
    "pandas_s",
    "duckdb_s",
    "peak_rss_mb",
}


def test_bench_json_prints_only_one_line_of_the_documented_shape():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "bench",
            "--referrals",
            "2000",
            "--runs",
            "1",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    measured = json.loads(result.stdout)
    assert set(measured) == KEYS
    assert KEYS <= README_NAMES, "the README documents every key --json prints"
    assert measured["referrals"] == 2000
    assert {"referral_funnel", "referral_funnel[pcn]", "outcome_change"} <= set(measured["queries"])
    assert "outcome_change[pcn]" not in measured["queries"]  # it takes no PCN filter
    assert set(measured["pages"]) == set(pages.PAGES)
    timed = ("load_s", "raw_read_s", "pandas_s", "duckdb_s", "present_next_s")
    seconds = [measured[key] for key in timed]
    seconds += [*measured["queries"].values(), *measured["pages"].values()]
    assert all(isinstance(value, float) and value > 0 for value in seconds)
    assert measured["peak_rss_mb"] > 0
    # The readable table goes to standard error, with the comparison's verdict.
    assert re.search(r"figures agree +yes", result.stderr)


def test_headline_figures_the_pandas_way_match_the_dashboards_queries(synthetic_db, tmp_path):
    figures.write_extracts(synthetic_db, tmp_path, tuple(store.KINDS))
    with store.open_db(synthetic_db, read_only=True) as con:
        icb = summary.resolve_filters(con)
        one_pcn = icb.model_copy(update={"pcns": (bench_pcn(con),)})
        for filters in (icb, one_pcn):
            from_pandas = figures.pandas_figures(tmp_path, filters)
            from_duckdb = figures.duckdb_figures(con, filters)
            assert figures.differences(from_pandas, from_duckdb) == []
    # Every headline is there and not empty, so agreement is not agreement on nothing.
    assert from_pandas["funnel"]["referred"] > 0
    assert len(from_pandas["star_pct_improved"]) == 8
    assert set(from_pandas["utilisation"]) == {
        "gp_appointment",
        "ae_attendance",
        "nonelective_admission",
    }
    assert from_pandas["capacity"] and from_pandas["median_wait_days"] is not None


def bench_pcn(con) -> str:
    return con.execute("select min(pcn_code) from pcns").fetchone()[0]


def test_differences_name_a_figure_that_disagrees():
    left = {"funnel": {"referred": 10}, "utilisation": {"gp": [1.0, 2.0]}, "wait": None}
    right = {"funnel": {"referred": 10}, "utilisation": {"gp": [1.0, 2.5]}, "wait": None}
    assert figures.differences(left, left) == []
    assert figures.differences(left, right) == ["/utilisation/gp: 2.0 != 2.5"]
    assert figures.differences({"wait": 3.0}, {"wait": None}) == ["/wait: 3.0 != None"]


@pytest.mark.browser
def test_bench_browser_times_a_first_page_every_page_choosing_a_pcn_and_next_slide():
    from tests.conftest import REQUIRE_BROWSER, _browser_missing

    reason = _browser_missing()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"SP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "bench", "--referrals", "3000", "--runs", "1",
         "--json", "--browser"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    browser = {"browser_cold_s", "browser_navigate", "browser_pcn", "browser_present_next_s"}
    assert set(measured) == KEYS | browser
    assert browser <= README_NAMES, "the README documents every key --browser adds"
    assert set(measured["browser_navigate"]) == {
        name or "overview" for name in redraw.BROWSER_PAGES
    }
    assert set(measured["browser_pcn"]) == set(measured["browser_navigate"]) - {"present"}
    seconds = [measured["browser_cold_s"], measured["browser_present_next_s"]]
    seconds += measured["browser_navigate"].values()
    seconds += measured["browser_pcn"].values()
    # Each is a real wait: more than a frame, less than the browser's own time-out.
    assert all(0.016 < value < 300 for value in seconds), seconds
    assert re.search(r"browser: from its link, referrals +\d+\.\d{3}", result.stderr)
    assert re.search(r"browser: Next at once, presentation cold +\d+\.\d{3}", result.stderr)
