import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store
from tests.pages import APP, open_page, open_section


@pytest.fixture
def app(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))
    return AppTest.from_file(APP, default_timeout=120)


@pytest.mark.parametrize("pcn", [False, True], ids=["icb", "one_pcn"])
def test_outcomes_page_renders_with_and_without_a_pcn_filter(app, pcn):
    at = open_page(app, "views/outcomes.py", pcn)
    assert at.title[0].value == "Outcomes"
    labels = [metric.label for metric in at.metric]
    assert "Follow-up completion" in labels
    open_section(at, "outcomes", "SWEMWBS, WEMWBS and ONS4")
    assert at.selectbox(key="outcomes_distribution_item").options
    open_section(at, "outcomes", "By PCN and follow-up completion")
    assert at.selectbox(key="outcomes_pcn_measure").value == "wellbeing_star"


def test_outcomes_page_warns_when_few_people_have_a_follow_up(app):
    at = open_page(app, "views/outcomes.py", pcn=False)
    completion = next(m for m in at.metric if m.label == "Follow-up completion").value
    if int(completion.rstrip("%")) < 60:
        assert any("follow-up" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["views/outcomes.py"])
def test_pages_explain_when_nothing_is_loaded(db_path, monkeypatch, page):
    store.connect(db_path).close()
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.info
