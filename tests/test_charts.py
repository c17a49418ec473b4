import pandas as pd
import pytest

from dashboard.charts.theme import PCN_CHART_LIMIT, telling_note, telling_pcns


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
