"""The Overview page leads with the referral headline, for the ICB and for one PCN (AppTest)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store

APP = "../dashboard/app.py"


@pytest.fixture
def app(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))
    return AppTest.from_file(APP, default_timeout=60)


def _chart_titles(at: AppTest) -> list[str]:
    titles = []
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        titles.append(spec["layout"]["title"]["text"])
    return titles


def _pcn_with_apostrophe(synthetic_db) -> tuple[str, str]:
    # From the original: the app in this process holds its copy open for writing.
    with store.open_db(synthetic_db, read_only=True) as con:
        return con.execute(
            "select pcn_code, pcn_name from pcns where pcn_name like '%''%' order by pcn_name"
        ).fetchone()


def test_overview_leads_with_the_referral_headline(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Social prescribing overview"
    assert app.header[0].value == "Referrals"
    assert "PCNs refer" in _chart_titles(app)[0]
    labels = [m.label for m in app.metric]
    assert labels[0] == "Referrals"
    assert "GP appointments per person" in labels


def test_overview_with_a_pcn_leads_with_that_pcn(app, synthetic_db):
    code, name = _pcn_with_apostrophe(synthetic_db)
    app.query_params["pcn"] = code
    app.run()
    assert not app.exception
    assert _chart_titles(app)[0].startswith(f"{name} refers")
