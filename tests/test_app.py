from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = [
    "views/overview.py",
    "views/referrals.py",
    "views/outcomes.py",
    "views/utilisation.py",
    "views/capacity.py",
    "views/data.py",
]


@pytest.fixture
def app(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture(scope="module")
def pcn(synthetic_db) -> str:
    # Read from the original: the dashboard holds its copy open for writing.
    with store.open_db(synthetic_db, read_only=True) as con:
        return con.execute("select min(pcn_code) from pcns").fetchone()[0]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_the_whole_icb_without_an_error(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    assert not app.error
    assert app.get("plotly_chart"), f"{page} shows no chart"
    assert app.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_one_pcn_without_an_error(app, pcn, page):
    app.query_params["pcn"] = pcn
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    assert not app.error
    assert app.multiselect(key="pcn").value == [pcn]


def test_default_period_is_the_latest_whole_financial_year(app):
    app.run()
    assert str(app.date_input(key="period_from").value) == "2025-04-01"
    assert str(app.date_input(key="period_to").value) == "2026-03-31"


def test_shared_link_sets_the_filter(app, pcn):
    app.query_params.update({"pcn": pcn, "from": "2024-04-01", "to": "2025-03-31"})
    app.run()
    assert app.multiselect(key="pcn").value == [pcn]
    assert str(app.date_input(key="period_from").value) == "2024-04-01"
    assert not app.warning


def test_malformed_link_parameters_are_ignored_with_a_notice(app):
    app.query_params.update({"pcn": ["U99999", "nonsense"], "from": "01/04/2024", "tab": "x"})
    app.run()
    assert not app.exception
    notices = " ".join(w.value for w in app.warning)
    assert "U99999" in notices and "nonsense" in notices
    assert "01/04/2024" in notices and "`tab`" in notices
    assert app.multiselect(key="pcn").value == []


def test_choosing_a_pcn_puts_it_in_the_url(app, pcn):
    app.run()
    app.multiselect(key="pcn").select(pcn).run()
    assert app.query_params["pcn"] in (pcn, [pcn])


def test_a_reversed_period_shows_an_error_and_the_default(app):
    app.run()
    app.date_input(key="period_from").set_value("2026-03-01").run()
    app.date_input(key="period_to").set_value("2025-05-01").run()
    assert any("after it ends" in e.value for e in app.error)
    assert not app.exception


def test_an_empty_database_asks_for_data_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(tmp_path / "empty.duckdb"))
    for page in PAGES:
        app = AppTest.from_file(APP, default_timeout=60)
        app.run()
        app.switch_page(page).run()
        assert not app.exception, page
