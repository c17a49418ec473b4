import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.charts import capacity, referrals, theme
from dashboard.charts.theme import PCN_CHART_LIMIT, plain, telling_note, telling_pcns, wrap
from dashboard.data import store
from dashboard.measures import capacity_views, queries
from dashboard.measures import referrals as referral_measures
from dashboard.measures.view import plain_title
from dashboard.output.summary import resolve_filters
from dashboard.settings import load_settings


def pcns(count: int, selected: str | None = None) -> pd.DataFrame:
    codes = [f"U{i:05d}" for i in range(count)]
    return pd.DataFrame(
        {"pcn_code": codes, "rate": range(count), "selected": [c == selected for c in codes]}
    )


def test_a_chart_for_an_icb_draws_every_pcn():
    frame = pcns(30)
    assert telling_pcns(frame, "rate").equals(frame)
    assert telling_note(frame, frame, "the highest and lowest") == ""


def test_a_national_chart_draws_the_ends_and_the_selected_pcn_and_says_so():
    frame = pcns(714, selected="U00300")
    drawn = telling_pcns(frame, "rate")
    assert len(drawn) == PCN_CHART_LIMIT + 1
    assert {"U00000", "U00019", "U00694", "U00713", "U00300"} <= set(drawn["pcn_code"])
    assert "U00020" not in set(drawn["pcn_code"])
    assert "Showing 41 of 714 PCNs" in telling_note(frame, drawn, "the highest and lowest")


def test_wrap_breaks_between_words_and_keeps_every_line_within_the_width():
    text = "11 of 30 PCNs refer below the planning band (7 within, 12 above)"
    lines = wrap(text, 20).split("<br>")
    assert lines == ["11 of 30 PCNs refer", "below the planning", "band (7 within, 12", "above)"]
    assert wrap("Short", 20) == "Short"
    assert wrap("Supercalifragilistic word", 5) == "Supercalifragilistic<br>word"


def test_wrap_keeps_its_own_breaks_and_closes_and_reopens_a_tag_across_a_new_one():
    assert wrap("Heading<br>next", 40) == "Heading<br>next"
    assert wrap("<b>Moorland East PCN</b>", 10) == "<b>Moorland</b><br><b>East PCN</b>"
    assert wrap("<sup>n = 1,234 referrals shown</sup>", 12) == (
        "<sup>n = 1,234</sup><br><sup>referrals</sup><br><sup>shown</sup>"
    )


def test_a_name_kept_to_one_line_is_cut_at_a_word_with_an_ellipsis():
    assert (
        theme.shortened("North East Bristol and Severnside PCN", 20) == "North East Bristol\u2026"
    )
    assert theme.shortened("Abbey PCN", 20) == "Abbey PCN"


def test_a_wrapped_title_still_reads_as_its_whole_heading():
    figure = theme.fit(
        go.Figure(
            layout={
                "title": {
                    "text": "Demand outran places for 166 of 391 PCN-activity pairs"
                    "<br><sup>n = 15,450 onward referrals shown; 28 withheld</sup>"
                }
            }
        )
    )
    text = figure.layout.title.text
    assert "<br >" in text  # wrapped for a phone
    assert plain_title(text) == "Demand outran places for 166 of 391 PCN-activity pairs"
    assert plain(text).endswith("n = 15,450 onward referrals shown; 28 withheld")


def _equity_bars(groups: list[str], reference: float, title: str, subtitle: str):
    rates = pd.DataFrame(
        {
            "group_code": groups,
            "population": [1000, 1000],
            "clinical_rate_per_1000": [5.0, 6.0],
            "community_rate_per_1000": [2.0, 2.5],
        }
    )
    return referrals.equity_bars(rates, "imd_quintile", reference, title, subtitle)


def test_fit_twice_lays_out_the_same_figure():
    figure = _equity_bars(
        ["1", "2"],
        7.5,
        "Most deprived 20%: 7.0 per 1,000 a year; least deprived 20%: 8.5",
        "n = 1,000 referrals, by deprivation (IMD quintile) and route",
    )
    once = figure.to_json()
    assert theme.fit(figure).to_json() == once


def test_a_reference_value_is_named_in_the_legend_not_written_on_the_bars():
    figure = _equity_bars(["1", "5"], 10.9, "Rates by deprivation", "n = 1,000")
    assert not figure.layout.annotations
    [line] = figure.layout.shapes
    assert line.showlegend and line.name == "All groups: 10.9"


def test_gap_cells_read_with_a_true_minus_and_thousands_separators():
    pairs = pd.DataFrame(
        {
            "pcn_code": ["U00001", "U00001", "U00002"],
            "pcn_name": ["North", "North", "South"],
            "activity": ["walking", "arts", "walking"],
            "demand": [10.0, 1300.0, float("nan")],
            "gap": [-314.0, 1234.0, float("nan")],
        }
    )
    figure = capacity.gap_heatmap(pairs, "gap", ["U00001", "U00002"], "Gaps")
    cells = [cell for row in figure.data[0].text for cell in row]
    assert cells == ["+1,234", "\u2212314", "", "*"]


def test_the_vcse_month_chart_names_its_bars_plainly_and_says_when_no_service_offers_places():
    months = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-04-01", "2025-05-01"]),
            "demand": [20.0, 25.0],
            "unmet": [10.0, 15.0],
            "capacity": [0.0, 0.0],
        }
    )
    figure = capacity.monthly_demand_capacity(months, "Walking in North PCN")
    names = [plain(trace.name) for trace in figure.data]
    assert not [name for name in names if "not unmet" in name.lower()]
    assert "Met: a place was offered" in names
    assert figure.layout.title.subtitle.text.startswith("No open service offered places")


def test_the_vcse_month_by_month_chart_opens_on_a_pair_with_places(synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        run = queries.runner(con)
        filters = resolve_filters(con)
        pcn, activity = capacity_views.drilldown_default(run, filters)
        months = capacity_views.monthly_view(run, filters, pcn, pcn, activity).shown.frame
    assert months["capacity"].fillna(0).gt(0).any()


def _boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const b = e.getBoundingClientRect();"
        " return {x: b.x, y: b.y, w: b.width, h: b.height}; })",
    )


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


@pytest.mark.browser
@pytest.mark.parametrize("pcn_count", [3, 30])
def test_planning_band_label_sits_on_no_bar_and_no_axis_number(browser, tmp_path, pcn_count):
    from dashboard.charts.theme import rate_by_pcn

    rates = pd.DataFrame(
        {
            "pcn_code": [f"U{i:05d}" for i in range(pcn_count)],
            "pcn_name": [f"Network {i}" for i in range(pcn_count)],
            "rate_per_1000": [2.0 + i for i in range(pcn_count)],
            "band_position": ["below"] * pcn_count,
            "selected": [False] * pcn_count,
            "referrals": [100] * pcn_count,
            "list_size": [40_000] * pcn_count,
        }
    )
    figure = rate_by_pcn(rates, 8, 12, "IIF 2022/23 guidance", 9.5, "Referral rate by PCN")
    page_file = tmp_path / "chart.html"
    page_file.write_text(figure.to_html(include_plotlyjs=True, full_html=True))
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(page_file.as_uri())
    page.wait_for_selector(".annotation-text")
    notes = [
        box
        for box, text in zip(
            _boxes(page, ".annotation"),
            page.eval_on_selector_all(".annotation", "els => els.map(e => e.textContent)"),
            strict=True,
        )
        if "planning band" in text.lower()
    ]
    assert len(notes) == 1
    crowded = _boxes(page, ".point path") + _boxes(page, ".xtick text") + _boxes(page, ".xtitle")
    assert crowded and not any(_overlap(notes[0], other) for other in crowded)
    page.close()


def test_a_funnel_plot_spreads_its_pcns_over_the_axis_not_flat_on_zero(synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        run = queries.runner(con)
        view = referral_measures.rate_funnel_view(
            run, resolve_filters(con), load_settings().referral_band
        )
    [points] = [t for t in view.figure.data if t.mode == "markers"]
    top = view.figure.layout.yaxis.range[1]
    # The limits run to thousands at a size of 1; the axis follows the PCNs and their limits.
    assert max(points.y) < top < 3 * max(points.y)
