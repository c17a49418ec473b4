from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store
from dashboard.output import report

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
SLIDES = len(report.VIEW_SLIDES) + 1


@pytest.fixture
def present(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))

    def open_at(**params: str) -> AppTest:
        # As a shared link does: straight onto the presentation page, parameters in the URL.
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params.update(params)
        return app.switch_page("views/present.py").run()

    return open_at


def test_presentation_opens_on_the_first_slide_with_its_chart(present):
    app = present()
    assert not app.exception
    assert "PCNs refer below the planning band" in app.title[0].value
    assert app.get("plotly_chart")
    assert app.query_params["slide"] in ("1", ["1"])
    assert app.button(key="slide_previous").disabled


def test_next_moves_to_the_following_slide_and_keeps_the_filter(present, synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        pcn = con.execute("select min(pcn_code) from pcns").fetchone()[0]
    app = present(pcn=pcn)
    app.button(key="slide_next").click().run()
    assert not app.exception
    assert app.query_params["slide"] in ("2", ["2"])
    assert app.query_params["pcn"] in (pcn, [pcn])
    assert "Wellbeing Star" in app.title[0].value


def test_last_slide_is_data_quality_and_next_is_disabled(present):
    app = present(slide=str(SLIDES))
    assert app.title[0].value == "Data quality"
    assert app.button(key="slide_next").disabled


@pytest.mark.parametrize("given", ["0", "99", "three"])
def test_a_slide_number_out_of_range_shows_the_nearest_slide(present, given):
    app = present(slide=given)
    assert not app.exception
    assert app.title[0].value
