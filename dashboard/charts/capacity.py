"""Chart builders for the VCSE capacity page: pure DataFrame -> plotly Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import NHS_BLUE, NHS_DARK_GREY, PALETTE, empty

SHORT = "#D55E00"  # demand above capacity
SPARE = "#0072B2"  # places to spare

HEATMAP_MEASURES = {
    "gap": ("Gap (demand - places)", "{:+,.0f}"),
    "demand_pct_of_capacity": ("Demand as % of places", "{:,.0f}%"),
}


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _cell_text(value: float, withheld: bool, template: str) -> str:
    if withheld:
        return "*"
    if pd.isna(value):
        return ""
    return template.format(value)


def gap_heatmap(pairs: pd.DataFrame, measure: str, pcn_order: list[str], title: str) -> go.Figure:
    """PCN (rows) by activity (columns), coloured by `measure`, every cell labelled.

    `pairs` holds pcn_code, pcn_name, activity, demand and the measure as shown: a pair whose
    demand is withheld (1 to 7) has NaN there and is marked `*`. Cells with no demand stay
    blank; a % cell with no places reads `no places`.
    """
    shown = pairs[pairs["pcn_code"].isin(pcn_order)]
    if shown.empty:
        return empty(title)
    axis_title, template = HEATMAP_MEASURES[measure]
    names = shown.drop_duplicates("pcn_code").set_index("pcn_code")["pcn_name"]
    rows = [f"{names[code]} ({code})" for code in pcn_order]
    activities = sorted(shown["activity"].unique())
    values = shown.pivot_table(
        index="pcn_code", columns="activity", values=measure, aggfunc="first", dropna=False
    ).reindex(index=pcn_order, columns=activities)
    hidden = (
        shown.assign(hidden=shown["demand"].isna())
        .pivot_table(index="pcn_code", columns="activity", values="hidden", aggfunc="any")
        .reindex(index=pcn_order, columns=activities)
        .fillna(False)
        .astype(bool)
    )
    present = (
        shown.assign(present=True)
        .pivot_table(index="pcn_code", columns="activity", values="present", aggfunc="any")
        .reindex(index=pcn_order, columns=activities)
        .fillna(False)
        .astype(bool)
    )
    text = [
        [
            _cell_text(values.iat[i, j], hidden.iat[i, j], template) if present.iat[i, j] else ""
            for j in range(len(activities))
        ]
        for i in range(len(pcn_order))
    ]
    if measure == "demand_pct_of_capacity":
        text = [
            [
                "no places" if present.iat[i, j] and cell == "" else cell
                for j, cell in enumerate(row)
            ]
            for i, row in enumerate(text)
        ]
        z = values.to_numpy(dtype=float)
        colours = {"colorscale": [[0, "#FFFFFF"], [0.5, "#FBE3D6"], [1, SHORT]], "zmin": 0}
        colours["zmax"] = 200.0  # twice the places and beyond: the same deepest colour
    else:
        z = values.to_numpy(dtype=float)
        # The 95th percentile, so a few very large surpluses do not wash out every shortfall.
        reach = float(np.nanpercentile(np.abs(z), 95)) if np.isfinite(z).any() else 1.0
        reach = max(reach, 1.0)
        colours = {
            "colorscale": [[0, SPARE], [0.5, "#FFFFFF"], [1, SHORT]],
            "zmin": -reach,
            "zmax": reach,
        }
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_heatmap(
        z=z,
        x=[_label(a) for a in activities],
        y=rows,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 11},
        colorbar={"title": {"text": axis_title}},
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        xgap=1,
        ygap=1,
        **colours,
    )
    figure.update_layout(
        height=max(360, 26 * len(rows) + 200),
        yaxis={"autorange": "reversed", "showgrid": False},
        xaxis={"side": "top", "showgrid": False, "tickangle": -35},
        margin={"t": 190},
        title={"y": 0.99, "yanchor": "top"},
    )
    return figure


def monthly_demand_capacity(months: pd.DataFrame, title: str) -> go.Figure:
    """Onward referrals a month (bars, unmet stacked on top) against places (a line).

    A month whose counts are withheld (NaN, 1 to 7) is marked `*` on the axis.
    """
    if months.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    hidden = months["demand"].isna() | months["unmet"].isna()
    if hidden.any():
        figure.add_scatter(
            x=months.loc[hidden, "month"],
            y=[0] * int(hidden.sum()),
            mode="text",
            text=["*"] * int(hidden.sum()),
            textposition="top center",
            textfont={"size": 18, "color": NHS_DARK_GREY},
            name="* withheld (1 to 7)",
            hovertemplate="%{x|%b %Y}: withheld, 1 to 7 onward referrals<extra></extra>",
        )
    met = months["demand"] - months["unmet"]
    figure.add_bar(
        x=months["month"],
        y=met,
        name="Onward referrals, not unmet",
        marker_color=NHS_BLUE,
        hovertemplate="%{x|%b %Y}: %{y:,}<extra>Not unmet</extra>",
    )
    figure.add_bar(
        x=months["month"],
        y=months["unmet"],
        name="Unmet (waitlisted, no capacity, closed)",
        marker={
            "color": SHORT,
            "pattern": {"shape": "/", "fgcolor": "white", "solidity": 0.3, "fillmode": "overlay"},
        },
        hovertemplate="%{x|%b %Y}: %{y:,}<extra>Unmet</extra>",
    )
    figure.add_scatter(
        x=months["month"],
        y=months["capacity"],
        name="Places at open services",
        mode="lines+markers",
        line={"color": NHS_DARK_GREY, "width": 3, "dash": "dash", "shape": "hv"},
        hovertemplate="%{x|%b %Y}: %{y:,} places<extra></extra>",
    )
    figure.update_layout(
        barmode="stack", yaxis_title="Onward referrals / places a month", yaxis_rangemode="tozero"
    )
    return figure


def unmet_bars(
    unmet: pd.DataFrame, category: str, reasons: dict[str, str], title: str, codes: bool = True
) -> go.Figure:
    """Horizontal bars of unmet onward referrals per `category`, stacked by reason.

    `codes`: the categories are codes (`advice_money`) to label, not names to show as they are.
    """
    if unmet.empty or not unmet[list(reasons)].fillna(0).to_numpy().any():
        return empty(title, "No unmet onward referrals in this selection")
    ordered = unmet.iloc[::-1]
    labels = [_label(str(c)) if codes else str(c) for c in ordered[category]]
    figure = go.Figure(layout={"title": {"text": title}})
    shapes = ("", "/", ".")
    for index, (column, name) in enumerate(reasons.items()):
        figure.add_bar(
            y=labels,
            x=ordered[column],
            name=name,
            orientation="h",
            marker={
                "color": PALETTE[(index + 1) % len(PALETTE)],
                "pattern": {
                    "shape": shapes[index % 3],
                    "fgcolor": "white",
                    "solidity": 0.3,
                    "fillmode": "overlay",
                },
            },
            hovertemplate="%{y}: %{x:,}<extra>" + name + "</extra>",
        )
    figure.update_layout(
        barmode="stack",
        xaxis_title="Unmet onward referrals",
        height=max(320, 24 * len(labels) + 160),
        yaxis={"categoryorder": "array", "categoryarray": labels},
    )
    return figure


def funding_bars(funding: pd.DataFrame, labels: dict[str, str], title: str) -> go.Figure:
    """Onward referrals by the funding of the service they went to; at-risk funding in orange."""
    if funding.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    colours = {
        "funded": NHS_BLUE,
        "time_limited": PALETTE[1],
        "unfunded": SHORT,
    }
    figure.add_bar(
        x=[labels.get(f, _label(f)) for f in funding["funding"]],
        y=funding["demand"],
        marker_color=[colours.get(f, NHS_DARK_GREY) for f in funding["funding"]],
        text=["" if pd.isna(p) else f"{p:.0f}%" for p in funding["pct_of_demand"]],
        textposition="outside",
        hovertemplate="%{x}: %{y:,} onward referrals<extra></extra>",
    )
    figure.update_layout(yaxis_title="Onward referrals", yaxis_rangemode="tozero", showlegend=False)
    return figure


def group_bars(groups: pd.DataFrame, title: str) -> go.Figure:
    """Demand, places and unmet per NIHR activity group, side by side."""
    if groups.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    labels = [_label(g) for g in groups["nihr_group"]]
    for column, name, colour in (
        ("demand", "Onward referrals", NHS_BLUE),
        ("capacity", "Places over the period", NHS_DARK_GREY),
        ("unmet", "Unmet", SHORT),
    ):
        figure.add_bar(
            x=labels,
            y=groups[column],
            name=name,
            marker_color=colour,
            hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>",
        )
    figure.update_layout(barmode="group", yaxis_title="Over the period", yaxis_rangemode="tozero")
    return figure
