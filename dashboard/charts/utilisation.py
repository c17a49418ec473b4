"""Chart builders for the Utilisation page: pure DataFrame -> go.Figure, fed shown frames."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    AXIS_CHARS,
    BASELINE,
    NHS_BLUE,
    NHS_DARK_GREY,
    PALETTE,
    across,
    add,
    empty,
    fit,
    labels,
    wrap,
)
from dashboard.data.contract import label

# The settings as the contract names them everywhere ("Emergency admissions"), and their sum.
SETTING_LABEL = {
    **{s: label(s) for s in ("gp_appointment", "ae_attendance", "nonelective_admission")},
    "total": "Total",
}


def with_subtitle(figure: go.Figure, subtitle: str) -> go.Figure:
    """The figure's subtitle (its n and window), with room above the plot for it."""
    figure.update_layout(title_subtitle_text=subtitle)
    return fit(figure)


def before_after(summary: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Mean events per person before and after referral per setting, with 95% CIs."""
    if summary.empty:
        return with_subtitle(empty(title), subtitle)
    names = labels([SETTING_LABEL.get(s, s) for s in summary["setting"]], 12)
    figure = go.Figure(layout={"title": {"text": title}})
    for prefix, name, colour, pattern in (
        ("before", "Before referral", BASELINE, "/"),
        ("after", "After referral", NHS_BLUE, ""),
    ):
        mean = summary[f"{prefix}_per_person"]
        add(
            figure,
            "bar",
            x=names,
            y=mean,
            name=name,
            marker={"color": colour, "pattern": {"shape": pattern}},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (summary[f"{prefix}_high"] - mean).fillna(0),
                "arrayminus": (mean - summary[f"{prefix}_low"]).fillna(0),
                "color": NHS_DARK_GREY,
            },
            hovertemplate="%{x}: %{y:.2f} per person<extra>" + name + "</extra>",
        )
    figure.update_layout(
        barmode="group", yaxis_title="Mean events per person", yaxis_rangemode="tozero"
    )
    return with_subtitle(figure, subtitle)


def cost_before_after(costs: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Cost per person before and after referral per setting (GBP), stacked into the total."""
    if costs.empty:
        return with_subtitle(empty(title), subtitle)
    figure = go.Figure(layout={"title": {"text": title}})
    for index, row in enumerate(costs.itertuples(index=False)):
        name = SETTING_LABEL.get(row.setting, row.setting)
        add(
            figure,
            "bar",
            x=["Before referral", "After referral"],
            y=[row.before_cost, row.after_cost],
            name=name,
            marker_color=PALETTE[index % len(PALETTE)],
            hovertemplate="%{x}: £%{y:,.0f} per person<extra>" + name + "</extra>",
        )
    figure.update_layout(barmode="stack", yaxis_title="Cost per person (£)")
    return with_subtitle(figure, subtitle)


def naive_and_did(did: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """The naive before/after change beside the difference in differences, per setting."""
    if did.empty:
        return with_subtitle(empty(title), subtitle)
    names = labels([SETTING_LABEL.get(s, s) for s in did["setting"]], 16)
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_shape(across("x", 0, line={"color": NHS_DARK_GREY, "width": 1}))
    add(
        figure,
        "scatter",
        x=did["naive_change"],
        y=names,
        mode="markers",
        name="Change in people referred",
        marker={"color": BASELINE, "size": 12, "symbol": "circle"},
        hovertemplate="%{y}: %{x:+.2f} per person<extra>Change in people referred</extra>",
    )
    add(
        figure,
        "scatter",
        x=did["did"],
        y=names,
        mode="markers",
        name="Change beyond the comparison group's (95% interval)",
        marker={"color": NHS_BLUE, "size": 12, "symbol": "diamond"},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (did["did_high"] - did["did"]).fillna(0),
            "arrayminus": (did["did"] - did["did_low"]).fillna(0),
            "color": NHS_BLUE,
        },
        hovertemplate="%{y}: %{x:+.2f} per person"
        "<extra>Change beyond the comparison group's</extra>",
    )
    figure.update_layout(
        xaxis_title=wrap("Change in events per person (negative = fewer)", AXIS_CHARS),
        yaxis={"autorange": "reversed"},
        height=380,
    )
    return with_subtitle(figure, subtitle)
