"""Chart builders for the Referrals page: pure DataFrame -> plotly Figure (house template)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.theme import (
    AXIS_CHARS,
    BAND_FILL,
    BLACK,
    NHS_BLUE,
    ORANGE,
    PALETTE,
    ROW_CHARS,
    VERMILION,
    across,
    add,
    empty,
    fit,
    heatmap_layout,
    mark_financial_years,
    reference_line,
    row_height,
    shortened,
    wrap,
)
from dashboard.data.contract import label

PEER_OPACITY = 0.4
# Selected PCNs month by month, against the ICB's dashed line.
ICB_LINE = BLACK
SERIES = tuple(colour for colour in PALETTE if colour != ICB_LINE)
ROUTE_STYLE = {  # colour and pattern, so the route is never told by colour alone
    "clinical": ("Clinical route", NHS_BLUE, ""),
    "community": ("Community route (self, VCSE, social care, other)", ORANGE, "/"),
}
GROUP_LABELS = {
    "imd_quintile": {
        "1": "1 most deprived",
        "2": "2",
        "3": "3",
        "4": "4",
        "5": "5 least deprived",
        "unknown": "Unknown",
    },
}


def group_label(dimension: str, code: str) -> str:
    return GROUP_LABELS.get(dimension, {}).get(code, label(code))


def title_room(figure: go.Figure) -> go.Figure:
    """Room above the plot for the finding, its n and the legend, so none overlaps (call it
    again after changing the title or the subtitle)."""
    return fit(figure)


def _titled(title: str, subtitle: str | None = None) -> go.Figure:
    layout = {"title": {"text": title}}
    if subtitle:
        layout["title"]["subtitle"] = {"text": subtitle}
    return go.Figure(layout=layout)


def _pcn_labels(frame: pd.DataFrame) -> list[str]:
    return [
        wrap(f"<b>{name}</b>" if selected else str(name), ROW_CHARS)
        for name, selected in zip(frame["pcn_name"], frame["selected"], strict=True)
    ]


def _peer_opacity(frame: pd.DataFrame) -> list[float] | float:
    """Selected PCNs at full strength, their peers faded; all full when none is selected."""
    if not frame["selected"].any():
        return 1.0
    return [1.0 if selected else PEER_OPACITY for selected in frame["selected"]]


def monthly(
    months: pd.DataFrame, band_low: float, band_high: float, title: str, subtitle: str
) -> go.Figure:
    """Referrals a month (bars) and the annualised rate (lines, against the band), per series."""
    if months.empty:
        return empty(title)
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.45, 0.55],
    )
    figure.update_layout(title={"text": title, "subtitle": {"text": subtitle}})
    series_names = list(dict.fromkeys(months["series"]))
    selected_only = len(series_names) > 1
    for index, name in enumerate(series_names):
        part = months[months["series"] == name]
        is_icb = name == "ICB"
        colour = SERIES[(index - 1) % len(SERIES)] if selected_only else NHS_BLUE
        if selected_only and is_icb:
            colour = ICB_LINE
        if not (selected_only and is_icb):
            # Counts of the ICB and of one PCN differ thirtyfold: bars only for the selection.
            add(
                figure,
                "bar",
                x=part["month"],
                y=part["referrals"],
                name=name,
                marker_color=colour,
                hovertemplate="%{x|%b %Y}: %{y:,} referrals<extra>" + name + "</extra>",
                row=1,
                col=1,
            )
        add(
            figure,
            "scatter",
            x=part["month"],
            y=part["rate_per_1000"],
            mode="lines+markers",
            name=f"{name} rate",
            line={
                "color": colour,
                "width": 3,
                "dash": "dash" if selected_only and is_icb else "solid",
            },
            hovertemplate="%{x|%b %Y}: %{y:.1f} per 1,000 a year<extra>" + name + "</extra>",
            row=2,
            col=1,
        )
    rates = ("x2", "y2")
    figure.add_shape(
        across(
            "y",
            band_low,
            band_high,
            plot=rates,
            fillcolor=BAND_FILL,
            line={"width": 0},
            layer="below",
        )
    )
    mark_financial_years(
        figure, months["month"], xref="x2", yref="y2 domain", plots=(("x", "y"), rates)
    )
    figure.update_yaxes(rangemode="tozero")
    figure.update_yaxes(title_text="Referrals a month", row=1, col=1)
    figure.update_yaxes(title_text="Per 1,000 a year", row=2, col=1)
    figure.update_layout(barmode="group", height=560)
    return title_room(figure)


def pcn_bars(
    frame: pd.DataFrame,
    value: str,
    title: str,
    subtitle: str,
    axis_title: str,
    reference: float | None,
    reference_label: str,
) -> go.Figure:
    """One horizontal bar per PCN, sorted; the selected PCNs against faded peers and the ICB."""
    if frame.empty or frame[value].isna().all():
        return empty(title)
    ordered = frame.sort_values(value, na_position="first")
    figure = _titled(title, subtitle)
    labels = _pcn_labels(ordered)
    add(
        figure,
        "bar",
        y=labels,
        x=ordered[value],
        orientation="h",
        marker={"color": NHS_BLUE, "opacity": _peer_opacity(ordered)},
        customdata=ordered[["pcn_code"]],
        hovertemplate="%{y} (%{customdata[0]}): %{x:.1f}<extra></extra>",
        showlegend=False,
    )
    if reference is not None and not pd.isna(reference):
        reference_line(figure, "x", reference, f"{reference_label} {reference:.1f}")
    figure.update_layout(
        height=max(360, row_height(labels) * len(ordered) + 140),
        xaxis_title=wrap(axis_title, AXIS_CHARS),
        yaxis_type="category",
    )
    return title_room(figure)


def pcn_waits(waits: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Median and 90th percentile wait per PCN, joined by a line, sorted by the median."""
    if waits.empty or waits["median_wait_days"].isna().all():
        return empty(title)
    ordered = waits.sort_values("median_wait_days", ascending=False, na_position="first")
    labels = _pcn_labels(ordered)
    figure = _titled(title, subtitle)
    x_lines, y_lines = [], []
    for name, low, high in zip(
        labels, ordered["median_wait_days"], ordered["p90_wait_days"], strict=True
    ):
        x_lines += [low, high, None]
        y_lines += [name, name, None]
    add(
        figure,
        "scatter",
        x=x_lines,
        y=y_lines,
        mode="lines",
        line={"color": "#D8DDE0", "width": 5},
        showlegend=False,
        hoverinfo="skip",
    )
    for column, name, colour, symbol in (
        ("median_wait_days", "Median", NHS_BLUE, "circle"),
        ("p90_wait_days", "90th percentile", VERMILION, "diamond"),
    ):
        add(
            figure,
            "scatter",
            x=ordered[column],
            y=labels,
            mode="markers",
            name=name,
            marker={
                "color": colour,
                "symbol": symbol,
                "size": 11,
                "opacity": _peer_opacity(ordered),
            },
            customdata=ordered[["referrals"]],
            hovertemplate="%{y}: %{x:.0f} days<br>n = %{customdata[0]:,} referrals<extra>"
            + name
            + "</extra>",
        )
    figure.update_layout(
        height=max(360, row_height(labels) * len(ordered) + 140),
        xaxis_title=wrap("Days from referral to first contact", AXIS_CHARS),
        xaxis_rangemode="tozero",
        yaxis_type="category",
    )
    return title_room(figure)


def wait_histogram(
    distribution: pd.DataFrame, median: float | None, title: str, subtitle: str
) -> go.Figure:
    """People by whole weeks waited for a first contact, a bar a week down the page (13 weeks
    side by side crowd a phone), the median's week marked."""
    if distribution.empty or not distribution["people"].fillna(0).any():
        return empty(title)
    figure = _titled(title, subtitle)
    add(
        figure,
        "bar",
        y=distribution["wait_band"],
        x=distribution["people"],
        orientation="h",
        marker_color=NHS_BLUE,
        hovertemplate="%{y}: %{x:,} people<extra></extra>",
        showlegend=False,
    )
    if median is not None and not pd.isna(median):
        week = min(int(median // 7), len(distribution) - 1)
        reference_line(
            figure,
            "y",
            distribution["wait_band"].iloc[week],
            f"Median: {median:.0f} days",
            color=VERMILION,
            width=3,
        )
    figure.update_layout(
        xaxis_title="People",
        yaxis={"title": "Wait to first contact", "autorange": "reversed", "type": "category"},
        xaxis_rangemode="tozero",
        height=max(360, 24 * len(distribution) + 160),
    )
    return title_room(figure)


def mix_heatmap(shares: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Share of each PCN's referrals per category (columns), the ICB as the first row.

    `shares` has pcn_name, selected, category and share_pct; a row named "ICB" comes first.
    """
    if shares.empty:
        return empty(title)
    table = shares.pivot(
        index=["pcn_code", "pcn_name", "selected"], columns="category", values="share_pct"
    )
    order = table.mean().sort_values(ascending=False).index
    table = table[order]
    icb_first = sorted(table.index, key=lambda key: (key[0] != "ICB", key[1]))
    table = table.loc[icb_first]
    rows = [
        f"<b>{shortened(str(name), ROW_CHARS)}</b>"
        if selected or code == "ICB"
        else shortened(str(name), ROW_CHARS)
        for code, name, selected in table.index
    ]
    values = table.to_numpy(dtype=float)
    text = np.where(np.isnan(values), "*", np.char.mod("%.0f", np.nan_to_num(values)))
    columns = [label(c) for c in table.columns]
    figure = _titled(title, subtitle)
    add(
        figure,
        "heatmap",
        z=values,
        x=columns,
        y=rows,
        text=text,
        texttemplate="%{text}",
        colorscale=[[0, "#FFFFFF"], [1, NHS_BLUE]],
        customdata=[[name] * len(columns) for _, name, _ in table.index],
        hovertemplate="%{customdata}<br>%{x}: %{z:.1f}%<extra></extra>",
        xgap=1,
        ygap=1,
    )
    figure.update_layout(yaxis={"type": "category", "autorange": "reversed"})
    return heatmap_layout(figure, columns, len(rows), "% of PCN's referrals")


def equity_bars(
    groups: pd.DataFrame,
    dimension: str,
    overall_rate: float | None,
    title: str,
    subtitle: str,
) -> go.Figure:
    """Rate per 1,000 a year by group, stacked by route, where the population is known;
    otherwise referrals by group, stacked by route. A bar a group, down the page; the most
    deprived 20% in bold."""
    if groups.empty:
        return empty(title)
    with_rate = groups["population"].notna().any()
    shown = groups[groups["population"].notna()] if with_rate else groups
    labels = [
        f"<b>{group_label(dimension, code)}</b>"
        if dimension == "imd_quintile" and code == "1"
        else group_label(dimension, code)
        for code in shown["group_code"]
    ]
    figure = _titled(title, subtitle)
    for route, (name, colour, pattern) in ROUTE_STYLE.items():
        column = f"{route}_rate_per_1000" if with_rate else f"{route}_referrals"
        add(
            figure,
            "bar",
            y=labels,
            x=shown[column],
            orientation="h",
            name=name,
            marker={
                "color": colour,
                "pattern": {"shape": pattern, "fgcolor": "white", "fillmode": "overlay"},
            },
            hovertemplate="%{y}: %{x:,.1f}<extra>" + name + "</extra>",
        )
    if with_rate and overall_rate is not None and not pd.isna(overall_rate):
        reference_line(figure, "x", overall_rate, f"All groups: {overall_rate:.1f}")
    figure.update_layout(
        barmode="stack",
        xaxis_title="Per 1,000 registered a year" if with_rate else "Referrals",
        xaxis_rangemode="tozero",
        yaxis={"type": "category", "autorange": "reversed"},
        height=max(340, 30 * len(labels) + 200),
    )
    return title_room(figure)
