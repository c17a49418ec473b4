"""Chart builders for the Outcomes page (and the per-PCN comparison the Utilisation page shares).

Pure DataFrame -> go.Figure, in the house template.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    AXIS_CHARS,
    BASELINE,
    LIGHT_GREY,
    NHS_BLUE,
    NHS_DARK_GREY,
    ORANGE,
    ROW_CHARS,
    VERMILION,
    across,
    add,
    empty,
    fit,
    line_count,
    reference_line,
    row_height,
    telling_note,
    telling_pcns,
    wrap,
)
from dashboard.data.contract import label

WORSE, NO_CHANGE, BETTER = VERMILION, LIGHT_GREY, NHS_BLUE
SELECTED = ORANGE  # a selected PCN's bar among its peers'


def mean_with_ci(
    frame: pd.DataFrame,
    category: str,
    mean: str,
    low: str,
    high: str,
    title: str,
    axis_title: str,
    n: str = "n",
) -> go.Figure:
    """A point per category with its 95% confidence interval, against a line at no change."""
    shown = frame.dropna(subset=[mean])
    if shown.empty:
        return empty(title)
    labels = [
        wrap(f"{label(c)} (n = {int(k):,})", 20)
        for c, k in zip(shown[category], shown[n], strict=True)
    ]
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_shape(across("x", 0, line={"color": NHS_DARK_GREY, "width": 1}))
    add(
        figure,
        "scatter",
        x=shown[mean],
        y=labels,
        mode="markers",
        name="Mean, with 95% confidence interval",
        marker={"color": NHS_BLUE, "size": 12, "symbol": "diamond"},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (shown[high] - shown[mean]).fillna(0),
            "arrayminus": (shown[mean] - shown[low]).fillna(0),
            "color": NHS_BLUE,
            "thickness": 2,
        },
        hovertemplate="%{y}: %{x:.2f}<extra></extra>",
    )
    figure.update_layout(
        xaxis_title=wrap(axis_title, AXIS_CHARS),
        yaxis={"autorange": "reversed"},
        height=max(300, (17 * max(line_count(t) for t in labels) + 20) * len(labels) + 140),
    )
    return fit(figure)


def improved_share(frame: pd.DataFrame, title: str) -> go.Figure:
    """% improved per domain, for everyone (with its 95% interval where the frame has one)
    and for people who started low, side by side."""
    if frame.empty:
        return empty(title)
    labels = [wrap(label(d), 20) for d in frame["domain"]]
    figure = go.Figure(layout={"title": {"text": title}})
    for column, name, colour, pattern in (
        ("pct_improved", "Everyone", NHS_BLUE, ""),
        ("low_baseline_pct_improved", "Low baseline (2 or less)", BASELINE, "/"),
    ):
        interval = (
            {
                "type": "data",
                "symmetric": False,
                "array": (frame["improved_ci_high"] - frame[column]).fillna(0),
                "arrayminus": (frame[column] - frame["improved_ci_low"]).fillna(0),
                "color": NHS_DARK_GREY,
            }
            if column == "pct_improved" and "improved_ci_low" in frame
            else None
        )
        add(
            figure,
            "bar",
            y=labels,
            x=frame[column],
            error_x=interval,
            orientation="h",
            name=name,
            marker={"color": colour, "pattern": {"shape": pattern}},
            hovertemplate="%{y}: %{x:.1f}% improved<extra>" + name + "</extra>",
        )
    figure.update_layout(
        barmode="group",
        xaxis={"title": "% of people who improved", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        height=max(320, 52 * len(labels) + 140),
    )
    return fit(figure)


def change_distribution(
    frame: pd.DataFrame, title: str, threshold: float | None = None, unit: str = "points"
) -> go.Figure:
    """People by change in the better direction, one bar per whole-point bin [k, k + 1):
    worse, no change, better. Each bar spans its bin, so the meaningful-change line at the
    threshold sits on a bin edge and no bar straddles it."""
    if frame.empty:
        return empty(title)
    colours = [WORSE if v < 0 else (NO_CHANGE if v == 0 else BETTER) for v in frame["improvement"]]
    figure = go.Figure(layout={"title": {"text": title}})
    add(
        figure,
        "bar",
        x=frame["improvement"] + 0.5,
        y=frame["people"],
        width=0.9,
        marker_color=colours,
        customdata=frame[["improvement"]].assign(to=frame["improvement"] + 1),
        hovertemplate="%{customdata[0]:+d} to under %{customdata[1]:+d} "
        + unit
        + ": %{y:,} people<extra></extra>",
    )
    figure.update_traces(showlegend=False)
    if threshold is not None:
        reference_line(figure, "x", threshold, f"Meaningful change: {threshold:g}+ {unit}")
    figure.update_layout(
        xaxis_title=wrap(f"Change in {unit} (positive = better)", AXIS_CHARS),
        yaxis_title="People",
    )
    return fit(figure)


def pcn_comparison(
    frame: pd.DataFrame,
    value: str,
    title: str,
    axis_title: str,
    selected: tuple[str, ...] = (),
    icb_value: float | None = None,
    reference: tuple[float, str] | None = None,
    label: str = "pcn_name",
) -> go.Figure:
    """One bar per PCN, selected PCNs outlined and labelled in bold, with the ICB value.
    Beyond PCN_CHART_LIMIT PCNs, the highest and lowest (and any selected) are drawn."""
    measured = frame.dropna(subset=[value]).assign(selected=lambda f: f["pcn_code"].isin(selected))
    shown = telling_pcns(measured, value).sort_values(value)
    if shown.empty:
        return empty(title)
    left_out = telling_note(measured, shown, "the highest and lowest")
    if left_out:
        title = f"{title}<br><sup>{left_out.strip()}</sup>"
    names = shown[label] if label in shown else shown["pcn_code"]
    picked = shown["pcn_code"].isin(selected).to_numpy()
    labels = [
        wrap(f"<b>{n}</b>" if s else str(n), ROW_CHARS) for n, s in zip(names, picked, strict=True)
    ]
    figure = go.Figure(layout={"title": {"text": title}})
    add(
        figure,
        "bar",
        x=shown[value],
        y=labels,
        orientation="h",
        marker={
            "color": [SELECTED if s else NHS_BLUE for s in picked],
            "line": {"color": ["#000000" if s else NHS_BLUE for s in picked], "width": 2},
        },
        customdata=shown[["pcn_code"]],
        hovertemplate="%{y} (%{customdata[0]}): %{x:.1f}<extra></extra>",
        showlegend=False,
    )
    if icb_value is not None and pd.notna(icb_value):
        reference_line(figure, "x", icb_value, f"ICB {icb_value:.1f}".replace("-", "\u2212"))
    if reference is not None:
        reference_line(figure, "x", reference[0], reference[1], dash="dot", color=VERMILION)
    figure.update_layout(
        xaxis_title=wrap(axis_title, AXIS_CHARS),
        yaxis={"categoryorder": "array", "categoryarray": labels},
        height=max(360, row_height(labels) * len(labels) + 140),
    )
    return fit(figure)
