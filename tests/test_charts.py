import pandas as pd

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
