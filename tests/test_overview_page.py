"""The Overview page leads with the referral headline, for the ICB and for one PCN (AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store
from tests.pages import APP, chart_titles, pcn_with_apostrophe


@pytest.fixture
def app(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))
    return AppTest.from_file(APP, default_timeout=60)


def test_overview_leads_with_the_referral_headline(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Social prescribing overview"
    assert app.header[0].value == "Referrals"
    assert "PCNs refer" in chart_titles(app)[0]
    labels = [m.label for m in app.metric]
    assert labels[0] == "Referrals"
    assert "GP appointments per person" in labels


def test_overview_with_a_pcn_leads_with_that_pcn(app, synthetic_db):
    code, name = pcn_with_apostrophe(synthetic_db)
    app.query_params["pcn"] = code
    app.run()
    assert not app.exception
    assert chart_titles(app)[0].startswith(f"{name} refers")


def test_the_overviews_views_are_made_side_by_side(app, monkeypatch):
    # Each of two views waits for the other to start: made one after the other, neither would.
    import functools
    import threading

    from dashboard.measures import outcomes_views, utilisation
    from dashboard.ui import data

    both = threading.Barrier(2, timeout=20)

    def waits_for_the_other(maker):
        @functools.wraps(maker)
        def held(*args, **kwargs):
            both.wait()
            return maker(*args, **kwargs)

        return held

    data.clear_views()
    for module in (outcomes_views, utilisation):
        monkeypatch.setattr(module, "overview_tiles", waits_for_the_other(module.overview_tiles))
    app.run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert "Star scores that rose" in labels and "GP appointments per person" in labels
