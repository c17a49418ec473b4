"""The Referrals page renders for the ICB and for one PCN (AppTest)."""

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


def test_referrals_page_renders_every_view_for_the_icb(app):
    app.run()
    app.switch_page("views/referrals.py").run()
    assert not app.exception
    assert app.title[0].value == "Referrals"
    assert [m.label for m in app.metric] == [
        "Referrals",
        "Per 1,000 registered a year",
        "PCNs within the planning band",
        "Median wait to first contact",
        "Declined",
    ]
    titles = _chart_titles(app)
    assert len(titles) == 12
    assert "PCNs refer" in titles[0]
    assert any("busiest month" in t for t in titles)
    assert any("of closed referrals completed" in t for t in titles)
    assert any("Most deprived 20%" in t for t in titles)
    assert all(t != "" for t in titles)


def test_referrals_page_with_a_pcn_names_it_against_the_icb(app, synthetic_db):
    code, name = _pcn_with_apostrophe(synthetic_db)
    app.query_params["pcn"] = code
    app.run()
    app.switch_page("views/referrals.py").run()
    assert not app.exception
    titles = _chart_titles(app)
    assert titles[0].startswith(f"{name} refers")
    assert "ICB" in titles[0]
    assert any(t.startswith(f"{name}:") for t in titles)
