import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store
from dashboard.output import report, summary

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def pack(synthetic_db):
    """The pack the presentation shows by default (the latest whole financial year)."""
    with store.open_db(synthetic_db, read_only=True) as con:
        return report.build_pack(con, summary.resolve_filters(con))


@pytest.fixture
def present(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))

    def open_at(**params: str) -> AppTest:
        # As a shared link does: straight onto the presentation page, parameters in the URL.
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params.update(params)
        return app.switch_page("views/present.py").run()

    return open_at


def test_presentation_opens_on_the_front_sheet(present):
    app = present()
    assert not app.exception
    assert app.title[0].value == report.TITLE
    text = " ".join(m.value for m in app.markdown)
    assert "Classification: OFFICIAL-SENSITIVE" in text
    assert app.query_params["slide"] in ("1", ["1"])
    assert app.button(key="slide_previous").disabled


def test_a_chart_slide_says_its_headline_once(present, pack):
    app = present(slide="3")
    assert not app.exception
    [title] = app.title
    assert "PCNs refer below the planning band" in title.value
    assert app.get("plotly_chart")
    chart = app.get("plotly_chart")[0].proto.spec
    assert title.value not in chart, "the chart repeats the headline"
    said = [m.value for m in app.markdown if title.value in m.value]
    assert not said, said


def test_next_moves_to_the_following_slide_and_keeps_the_filter(present, synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        pcn = con.execute("select min(pcn_code) from pcns").fetchone()[0]
    app = present(pcn=pcn, slide="4")
    app.button(key="slide_next").click().run()
    assert not app.exception
    assert app.query_params["slide"] in ("5", ["5"])
    assert app.query_params["pcn"] in (pcn, [pcn])
    assert "Wellbeing Star" in app.title[0].value


def test_last_slide_is_the_appendix_and_next_is_disabled(present, pack):
    app = present(slide=str(len(pack.slides) + 1))
    assert app.title[0].value == pack.slides[-1].title
    assert app.title[0].value.startswith("Definitions, sources and caveats")
    assert app.button(key="slide_next").disabled


@pytest.mark.parametrize("given", ["0", "99", "three"])
def test_a_slide_number_out_of_range_shows_the_nearest_slide(present, given):
    app = present(slide=given)
    assert not app.exception
    assert app.title[0].value


def test_the_front_sheet_shows_without_waiting_for_the_slides_and_next_shows_them(
    present, pack, monkeypatch
):
    from dashboard.ui import data

    data.clear_views()
    release = threading.Event()
    build_pack = report.build_pack

    def held(*args, **kwargs):
        release.wait(timeout=60)
        return build_pack(*args, **kwargs)

    # While the slides are still being made, the front sheet is already there.
    monkeypatch.setattr(report, "build_pack", held)
    app = present()
    assert not app.exception
    assert app.title[0].value == report.TITLE
    assert any("front sheet" in caption.value for caption in app.caption)
    release.set()
    app.button(key="slide_next").click().run()
    assert not app.exception
    assert app.title[0].value == "Executive summary"
    assert any(f"slide 2 of {len(pack.slides) + 1}" in c.value for c in app.caption)


def test_slides_that_failed_to_be_made_are_made_again_on_the_next_run(present, monkeypatch):
    from dashboard.ui import data

    data.clear_views()
    build_pack = report.build_pack
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return build_pack(*args, **kwargs)

    monkeypatch.setattr(report, "build_pack", fails_once)
    assert present(slide="2").exception
    app = present(slide="2")
    assert not app.exception
    assert app.title[0].value == "Executive summary"
