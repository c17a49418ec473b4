"""Chart builders for the VCSE capacity page: pure DataFrame -> plotly Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    BLACK,
    LIGHT_GREY,
    MINUS,
    NHS_BLUE,
    NHS_DARK_GREY,
    ORANGE,
    ROW_CHARS,
    SKY_BLUE,
    VERMILION,
    WINE,
    add,
    empty,
    fit,
    heatmap_layout,
    row_height,
    shortened,
    signed,
    wrap,
)
from dashboard.data.contract import label

SHORT = VERMILION  # demand above capacity
SPARE = "#0072B2"  # places to spare
# The reasons an onward referral went unmet (waitlisted, no capacity, service closed), in the
# order `unmet_bars` is given them: told apart under every common colour-vision deficiency,
# and by pattern too.
UNMET_COLOURS = (ORANGE, SKY_BLUE, WINE)
UNMET_PATTERNS = ("", "/", ".")
FUNDING_COLOURS = {"funded": NHS_BLUE, "time_limited": ORANGE, "unfunded": WINE}
NO_SERVICE = LIGHT_GREY  # onward referrals with no service recorded
# Onward referrals, places and unmet per NIHR group.
GROUP_COLOURS = (NHS_BLUE, LIGHT_GREY, SHORT)
PLACES_LINE = BLACK
NO_PLACES = "No open service offered places for this activity to this PCN in the period"

HEATMAP_MEASURES = {
    "gap": (f"Gap (demand {MINUS} places)", "{:+,.0f}"),
    "demand_pct_of_capacity": ("Demand as % of places", "{:,.0f}%"),
}


def _cell_text(value: float, withheld: bool, template: str) -> str:
    if withheld:
        return "*"
    if pd.isna(value):
        return ""
    return signed(value, template)


def _transposed(cells: list[list]) -> list[list]:
    return [list(column) for column in zip(*cells, strict=True)]


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
    # On one line each: a heatmap drawn at a fixed height (a PNG) has no room for a second.
    full = [f"{names[code]} ({code})" for code in pcn_order]
    rows = [f"{shortened(str(names[code]), ROW_CHARS)} ({code})" for code in pcn_order]
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
    columns = [label(a) for a in activities]
    # The hover names the PCN in full: its row's name may be shortened.
    named = [[name] * len(activities) for name in full]
    hover = "%{customdata}<br>%{x}: %{text}<extra></extra>"
    if len(rows) == 1:
        # One PCN: its activities down the page. Plotly sizes cell numbers by the distance
        # between rows, and a single row has none: its numbers would overflow their cells.
        z, text, named = z.T, _transposed(text), _transposed(named)
        rows, columns = columns, rows
        hover = "%{customdata}<br>%{y}: %{text}<extra></extra>"
    figure = go.Figure(layout={"title": {"text": title}})
    add(
        figure,
        "heatmap",
        z=z,
        x=columns,
        y=rows,
        text=text,
        texttemplate="%{text}",
        customdata=named,
        hovertemplate=hover,
        xgap=1,
        ygap=1,
        **colours,
    )
    figure.update_layout(yaxis={"autorange": "reversed", "type": "category"})
    return heatmap_layout(figure, columns, len(rows), axis_title)


def monthly_demand_capacity(months: pd.DataFrame, title: str) -> go.Figure:
    """Onward referrals a month (bars, unmet stacked on top) against places (a line).

    A month whose counts are withheld (NaN, 1 to 7) is marked `*` on the axis.
    """
    if months.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    hidden = months["demand"].isna() | months["unmet"].isna()
    if hidden.any():
        add(
            figure,
            "scatter",
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
    add(
        figure,
        "bar",
        x=months["month"],
        y=met,
        name="Met: a place was offered",
        marker_color=NHS_BLUE,
        hovertemplate="%{x|%b %Y}: %{y:,}<extra>Met</extra>",
    )
    add(
        figure,
        "bar",
        x=months["month"],
        y=months["unmet"],
        name="Unmet: waitlisted, no capacity or service closed",
        marker={
            "color": SHORT,
            "pattern": {"shape": "/", "fgcolor": "white", "solidity": 0.3, "fillmode": "overlay"},
        },
        hovertemplate="%{x|%b %Y}: %{y:,}<extra>Unmet</extra>",
    )
    add(
        figure,
        "scatter",
        x=months["month"],
        y=months["capacity"],
        name="Places at open services",
        mode="lines+markers",
        line={"color": PLACES_LINE, "width": 3, "dash": "dash", "shape": "hv"},
        hovertemplate="%{x|%b %Y}: %{y:,} places<extra></extra>",
    )
    figure.update_layout(
        barmode="stack", yaxis_title="Onward referrals or places", yaxis_rangemode="tozero"
    )
    if not months["capacity"].fillna(0).any():
        figure.update_layout(title_subtitle_text=NO_PLACES)
    return fit(figure)


def unmet_bars(
    unmet: pd.DataFrame, category: str, reasons: dict[str, str], title: str, codes: bool = True
) -> go.Figure:
    """Horizontal bars of unmet onward referrals per `category`, stacked by reason.

    `codes`: the categories are codes (`advice_money`) to label, not names to show as they are.
    """
    if unmet.empty or not unmet[list(reasons)].fillna(0).to_numpy().any():
        return empty(title, "No unmet onward referrals in this selection")
    ordered = unmet.iloc[::-1]
    labels = [wrap(label(str(c)) if codes else str(c), ROW_CHARS) for c in ordered[category]]
    figure = go.Figure(layout={"title": {"text": title}})
    for index, (column, name) in enumerate(reasons.items()):
        add(
            figure,
            "bar",
            y=labels,
            x=ordered[column],
            name=name,
            orientation="h",
            marker={
                "color": UNMET_COLOURS[index % len(UNMET_COLOURS)],
                "pattern": {
                    "shape": UNMET_PATTERNS[index % len(UNMET_PATTERNS)],
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
        height=max(320, row_height(labels, 24) * len(labels) + 160),
        yaxis={"categoryorder": "array", "categoryarray": labels},
    )
    return fit(figure)


def funding_bars(funding: pd.DataFrame, labels: dict[str, str], title: str) -> go.Figure:
    """Onward referrals by the funding of the service they went to, a bar each down the
    page, each with its share: time-limited funding in orange, none in wine."""
    if funding.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    add(
        figure,
        "bar",
        y=[labels.get(f, label(f)) for f in funding["funding"]],
        x=funding["demand"],
        orientation="h",
        marker={
            "color": [FUNDING_COLOURS.get(f, NO_SERVICE) for f in funding["funding"]],
            "line": {"color": NHS_DARK_GREY, "width": 1},
        },
        text=["" if pd.isna(p) else f"{p:.0f}%" for p in funding["pct_of_demand"]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:,} onward referrals<extra></extra>",
    )
    largest = funding["demand"].max()
    figure.update_layout(
        xaxis={"title": "Onward referrals", "range": [0, (largest if largest > 0 else 1) * 1.2]},
        yaxis={"autorange": "reversed"},
        showlegend=False,
        height=max(300, 40 * len(funding) + 180),
    )
    return fit(figure)


def group_bars(groups: pd.DataFrame, title: str) -> go.Figure:
    """Demand, places and unmet per NIHR activity group, side by side, a group a row."""
    if groups.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    labels = [label(g) for g in groups["nihr_group"]]
    for (column, name), colour, pattern in zip(
        (
            ("demand", "Onward referrals"),
            ("capacity", "Places over the period"),
            ("unmet", "Unmet"),
        ),
        GROUP_COLOURS,
        ("", ".", "/"),
        strict=True,
    ):
        add(
            figure,
            "bar",
            y=labels,
            x=groups[column],
            orientation="h",
            name=name,
            marker={
                "color": colour,
                "pattern": {"shape": pattern, "fgcolor": "white", "fillmode": "overlay"},
            },
            hovertemplate="%{y}: %{x:,}<extra>" + name + "</extra>",
        )
    figure.update_layout(
        barmode="group",
        xaxis_title="Over the period",
        xaxis_rangemode="tozero",
        yaxis={"autorange": "reversed"},
        height=max(340, 66 * len(labels) + 160),
    )
    return fit(figure)
