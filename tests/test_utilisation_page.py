"""The Utilisation page (AppTest, by widget key): renders, edits unit costs, one window at a
time, and says who is left out."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.charts.theme import plain
from dashboard.data import store
from tests.factories import add_rows, set_extract_dates
from tests.pages import APP, each_section, open_page, open_section

PAGE = "views/utilisation.py"
COST = "Cost before and after referral"


@pytest.fixture
def app(app_db, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(app_db))
    return AppTest.from_file(APP, default_timeout=120)


def subtitles(at: AppTest) -> list[str]:
    specs = [json.loads(element.proto.spec) for element in at.get("plotly_chart")]
    return [plain(spec["layout"]["title"].get("subtitle", {}).get("text", "")) for spec in specs]


@pytest.mark.parametrize("pcn", [False, True], ids=["icb", "one_pcn"])
def test_utilisation_page_renders_with_and_without_a_pcn_filter(app, pcn):
    at = open_page(app, PAGE, pcn)
    assert at.title[0].value == "Health-system utilisation"
    assert any("Regression to the mean" in w.value for w in at.warning)
    # one window length in the synthetic data: no choice to make, and every chart says it
    assert "utilisation_window" not in [s.key for s in at.selectbox]
    shown = [subtitle for _ in each_section(at, "utilisation") for subtitle in subtitles(at)]
    assert len(shown) == 4
    assert all("6-month windows before and after" in s for s in shown)
    assert at.selectbox(key="utilisation_pcn_setting").value == "gp_appointment"
    open_section(at, "utilisation", COST)
    assert at.data_editor(key="utilisation_unit_costs").value["value"].tolist()[0] == 42.0


def cost_before(at: AppTest) -> float:
    value = next(m for m in at.metric if m.label == "Cost per person before").value
    return float(value.lstrip("£").replace(",", ""))


def set_gp_cost(at: AppTest, value: float) -> float:
    at.session_state["utilisation_unit_costs"] = {
        "edited_rows": {0: {"value": value}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    return cost_before(at)


def test_unit_cost_editor_changes_the_cost_figure(app):
    at = open_section(open_page(app, PAGE), "utilisation", COST)
    at_default = cost_before(at)
    doubled = set_gp_cost(at, 84.0)
    tripled = set_gp_cost(at, 126.0)
    assert doubled > at_default
    # each extra GBP 42 per GP appointment adds the same amount per person: shown GP use x 42
    # (the tile shows whole pounds, so each step may differ by the rounding)
    assert tripled - doubled == pytest.approx(doubled - at_default, abs=1)
    # The edit outlasts a visit to another section.
    open_section(at, "utilisation", "By PCN")
    assert cost_before(open_section(at, "utilisation", COST)) == tripled


def test_page_explains_when_nothing_is_loaded(db_path, monkeypatch):
    store.connect(db_path).close()
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.info


def two_windows(con) -> None:
    """10 people on 6-month windows, 20 on 12-month windows, and 12 people whose 12-month
    after-window had not ended when their counts were extracted."""
    groups = (("S", 10, 6, None), ("T", 20, 12, None), ("L", 12, 12, "2025-11-01"))
    for prefix, n, months, _ in groups:
        ids = [f"{prefix}{i:02d}" for i in range(n)]
        add_rows(con, "referrals", *({"referral_id": f"R{p}", "person_id": p} for p in ids))
        add_rows(
            con,
            "utilisation",
            *(
                {"person_id": p, "period": period, "count": count, "window_months": months}
                for p in ids
                for period, count in (("before", 3), ("after", 2))
            ),
        )
    set_extract_dates(con, lambda person: date(2025, 11, 1) if person.startswith("L") else None)


def test_two_window_lengths_are_shown_one_at_a_time(db_path, monkeypatch):
    with store.open_db(db_path) as con:
        add_rows(con, "pcns", {"pcn_code": "U00001"})
        two_windows(con)
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"], at.query_params["to"] = "2025-04-01", "2026-03-31"
    at = open_page(at, PAGE)
    window = at.selectbox(key="utilisation_window")
    assert window.options == [
        "12-month windows before and after",
        "6-month windows before and after",
    ]
    assert window.value == 12  # the most common
    assert all("12-month windows" in s for s in subtitles(at))
    assert any("10 people whose after-window had not ended" in i.value for i in at.info)
    window.set_value(6).run()
    assert not at.exception
    assert all("6-month windows" in s for s in subtitles(at))
