"""What page tests share: reading chart titles and picking a PCN from the synthetic ICB."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from dashboard.data import store

APP = "../dashboard/app.py"


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(e.proto.spec)["layout"]["title"]["text"] for e in at.get("plotly_chart")]


def pcn_with_apostrophe(synthetic_db) -> tuple[str, str]:
    # From the original: the app in this process holds its copy open for writing.
    with store.open_db(synthetic_db, read_only=True) as con:
        return con.execute(
            "select pcn_code, pcn_name from pcns where pcn_name like '%''%' order by pcn_name"
        ).fetchone()
