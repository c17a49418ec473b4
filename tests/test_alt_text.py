"""The one-sentence text alternative every chart carries (dashboard.charts.alt_text)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.alt_text import summary


def test_a_bar_chart_names_its_highest_and_lowest_and_counts_the_withheld():
    figure = go.Figure(layout={"title": {"text": "Referrals per 1,000<br><sup>sub</sup>"}})
    figure.add_bar(
        y=["<b>Upton PCN</b>", "Foxley PCN", "Hollins PCN", "Elm PCN"],
        x=[11.6, 8.6, None, 4.5],
        orientation="h",
        name="Within the band",
    )
    assert summary(figure) == (
        "Bar chart: Referrals per 1,000. Within the band: 3 values, highest 11.6 (Upton PCN), "
        "lowest 4.5 (Elm PCN), 1 withheld."
    )


def test_a_monthly_series_reads_from_first_to_last_month_in_words():
    months = pd.date_range("2025-04-01", periods=3, freq="MS")
    figure = go.Figure(layout={"title": {"text": "Referrals a month"}})
    figure.add_scatter(x=months, y=[1040, 1470, 1200], mode="lines", name="ICB")
    assert summary(figure) == (
        "Line chart: Referrals a month. ICB: 1,040 in Apr 2025 to 1,200 in Jun 2025, "
        "highest 1,470 in May 2025."
    )


def test_a_funnel_plot_names_pcns_from_its_hover_data_not_their_sizes():
    figure = go.Figure(layout={"title": {"text": "Rate against size"}})
    figure.add_scatter(x=[0, 10], y=[5, 5], mode="lines", hoverinfo="skip", name="limits")
    figure.add_scatter(
        x=[46061.0, 68422.0],
        y=[4.5, 18.3],
        mode="markers",
        name="PCN",
        customdata=np.array([["Hollins PCN", "U1"], ["Moorland PCN", "U2"]], dtype=object),
    )
    assert summary(figure) == (
        "Chart: Rate against size. PCN: 2 values, highest 18.3 (Moorland PCN), "
        "lowest 4.5 (Hollins PCN)."
    )


def test_a_heatmap_gives_its_shape_and_its_extreme_cells_with_a_true_minus():
    figure = go.Figure(layout={"title": {"text": "Gap"}})
    figure.add_heatmap(
        z=np.array([[185.0, np.nan], [-648.0, 3.0]]), x=["Walking", "Art"], y=["A PCN", "B PCN"]
    )
    assert summary(figure) == (
        "Heatmap: Gap. 2 rows by 2 columns, highest 185 (A PCN, Walking), "
        "lowest −648 (B PCN, Walking)."
    )


def test_a_chart_with_no_data_says_so_in_its_own_words():
    figure = go.Figure(layout={"title": {"text": "Waits"}})
    figure.add_annotation(text="No data for this selection", showarrow=False)
    assert summary(figure) == "Waits: No data for this selection."


def test_a_mark_over_a_withheld_month_is_not_read_as_a_series_and_small_changes_keep_digits():
    figure = go.Figure(layout={"title": {"text": "Change per person"}})
    figure.add_scatter(x=["Apr"], y=[0], mode="text", text=["*"], name="* withheld (1 to 7)")
    figure.add_bar(y=["GP", "A&E"], x=[-0.36, -0.04], orientation="h", name="Change")
    assert summary(figure) == (
        "Bar chart: Change per person. Change: 2 values, highest −0.04 (A&E), lowest −0.36 (GP)."
    )
