"""The Referrals page renders for the ICB and for one PCN (AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store
from tests.pages import APP, chart_titles, each_section, pcn_with_apostrophe


@pytest.fixture
def app(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))
    return AppTest.from_file(APP, default_timeout=60)


def test_referrals_page_renders_every_view_for_the_icb(app):
    app.run()
    app.switch_page("views/referrals.py").run()
    assert not app.exception
    assert app.title[0].value == "Referrals"
    assert [m.label for m in app.metric] == [
        "Referrals",
        "Referrals per 1,000 a year",
        "PCNs in the planning band",
        "Median wait to first contact",
        "Declined",
    ]
    # The first section is drawn at once, the others when opened.
    assert len(chart_titles(app)) == 2
    titles = [title for _ in each_section(app, "referrals") for title in chart_titles(app)]
    assert len(titles) == 13
    assert "PCNs refer" in titles[0]
    assert "control limits" in titles[1]  # the rate's funnel plot
    assert any("busiest month" in t for t in titles)
    assert any("of closed referrals completed" in t for t in titles)
    assert any("Most deprived 20%" in t for t in titles)
    assert all(t != "" for t in titles)


def test_referrals_page_with_a_pcn_names_it_against_the_icb(app, synthetic_db):
    code, name = pcn_with_apostrophe(synthetic_db)
    app.query_params["pcn"] = code
    app.run()
    app.switch_page("views/referrals.py").run()
    assert not app.exception
    titles = [title for _ in each_section(app, "referrals") for title in chart_titles(app)]
    assert titles[0].startswith(f"{name} refers")
    assert "ICB" in titles[0]
    assert any(t.startswith(f"{name}:") for t in titles)


def test_a_tile_shows_an_arrow_only_for_a_change_with_a_sign(app):
    from streamlit.proto.Metric_pb2 import Metric

    app.run()
    app.switch_page("views/referrals.py").run()
    arrows = {m.proto.delta: m.proto.direction for m in app.metric if m.proto.delta}
    assert arrows
    for delta, direction in arrows.items():
        signed = delta[:1] in "+-"
        # Streamlit draws an up arrow for "No change vs last year" unless told not to.
        assert (direction != Metric.MetricDirection.NONE) == signed, (delta, direction)
