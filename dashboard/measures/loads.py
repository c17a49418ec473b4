"""What is loaded: rows per extract, months of referrals, and the load history, through the
disclosure gate like every other figure (a table of 3 referral rows would give 3 away)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from dashboard.charts import theme as charts
from dashboard.measures.disclosure import Disclosed, Rules, disclose
from dashboard.measures.view import Runner, View, build

LOAD_COUNTS = ("rows_read", "accepted", "rejected")


def loaded_table(counts: Mapping[str, int]) -> Disclosed:
    """Rows held per extract kind."""
    frame = pd.DataFrame({"extract": list(counts), "rows": list(counts.values())})
    return disclose(frame, Rules(counts=("rows",)))


def coverage_view(run: Runner) -> View:
    coverage = run("referral_coverage", {})
    return build(
        "referral_coverage",
        coverage,
        Rules(counts=("referrals",)),
        lambda shown: charts.monthly_trend(shown, f"Referrals loaded for {len(shown)} months"),
        caption="Every month of referrals in the database, whatever the filter: a dip or a gap "
        "usually means a missing or partial extract.",
    )


def load_history(run: Runner) -> Disclosed:
    return disclose(run("load_history", {}), Rules(counts=LOAD_COUNTS))


def unknown_pcns(run: Runner) -> Disclosed:
    """Referrals of PCN codes missing from the reference list, left out of every figure."""
    return disclose(run("unknown_pcns", {}), Rules(counts=("referrals",)))


def data_date(run: Runner) -> date | None:
    """The data's date: the latest date in the loaded extracts (query data_date)."""
    day = run("data_date", {}).iloc[0]["data_date"]
    return None if day is None or pd.isna(day) else pd.Timestamp(day).date()
