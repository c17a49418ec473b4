"""Tiny hand-made tables for query tests: give only the columns a test is about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from dashboard.data import store
from dashboard.data.contract import column_names

DEFAULTS: dict[str, dict[str, Any]] = {
    "pcns": {"pcn_name": "Test PCN", "icb_code": "QZZ", "list_size": 10_000},
    "referrals": {
        "person_id": None,  # defaults to the referral id
        "pcn_code": "U00001",
        "referral_date": date(2025, 6, 1),
        "referral_source": "gp",
        "reason": "loneliness",
        "age_band": "45-54",
        "sex": "female",
        "ethnicity": "white",
        "status": "referred",
    },
    "outcomes": {"measure": "wellbeing_star", "domain": "feeling_positive", "baseline_score": 3},
    "utilisation": {
        "setting": "gp_appointment",
        "period": "before",
        "window_months": 6,
        "count": 0,
        "cohort": "referred",
    },
    "services": {
        "provider_name": "Test provider",
        "activity": "gardening",
        "pcn_code": "U00001",
        "monthly_capacity": 10,
        "funding": "funded",
        "status": "open",
    },
    "onward_referrals": {
        "activity": "gardening",
        "onward_date": date(2025, 6, 10),
        "result": "attended",
    },
}


def add_rows(con: duckdb.DuckDBPyConnection, kind: str, *rows: dict[str, Any]) -> None:
    """Insert rows of one kind, filling the columns a test does not name with defaults."""
    filled = []
    for row in rows:
        values = {**DEFAULTS[kind], **row}
        if kind == "referrals" and values.get("person_id") is None:
            values["person_id"] = "P-" + values["referral_id"]
        filled.append(values)
    frame = pd.DataFrame(filled).reindex(columns=column_names(kind))
    store.upsert(con, kind, frame)


def set_extract_dates(con: duckdb.DuckDBPyConnection, extracted: Callable[[str], Any]) -> None:
    """Give each person's utilisation rows the extract date `extracted(person_id)` (None for
    none), through the write path, which keeps the derived facts in step."""
    rows = con.execute("select * from utilisation").df()
    rows["extract_date"] = pd.to_datetime(rows["person_id"].map(extracted))
    store.upsert(con, "utilisation", rows)
