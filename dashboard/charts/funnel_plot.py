"""The funnel plot: each PCN's figure against its size, with control limits around the ICB."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    AXIS_CHARS,
    BAND_FILL,
    NHS_BLUE,
    NHS_DARK_GREY,
    VERMILION,
    across,
    add,
    empty,
    fit,
    reference_line,
    wrap,
)

OUTSIDE = VERMILION


def funnel_plot(
    points: pd.DataFrame,
    lines: pd.DataFrame,
    target: float | None,
    title: str,
    size_title: str,
    value_title: str,
    selected: tuple[str, ...] = (),
    value: str = "value",
    size: str = "size",
    band: tuple[float, float] | None = None,
) -> go.Figure:
    """`points`: one row per PCN (pcn_code, pcn_name, `size`, `value`, outside); `lines`: the
    95% and 99.8% limits by size (control_limits.curve). Withheld PCNs (no value) are not
    drawn; selected PCNs are outlined; PCNs beyond the 99.8% limits are orange."""
    drawn = points.dropna(subset=[value, size])
    if drawn.empty or target is None:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    for level, dash, name in (("998", "dash", "99.8% limits"), ("95", "dot", "95% limits")):
        # Both limits in one trace, broken between them: one legend entry turns both off
        # (a legend group would take a legend row of its own).
        add(
            figure,
            "scatter",
            x=[*lines["size"], None, *lines["size"]],
            y=[*lines[f"low_{level}"], None, *lines[f"high_{level}"]],
            mode="lines",
            line={"color": NHS_DARK_GREY, "dash": dash, "width": 1.5},
            name=name,
            hoverinfo="skip",
        )
    reference_line(figure, "y", target, f"ICB {target:.1f}", dash="solid", width=1)
    if band is not None:
        # The planning band shaded, so that PCNs below it are seen against their limits.
        figure.add_shape(
            across(
                "y", band[0], band[1], fillcolor=BAND_FILL, line={"width": 0}, layer="below",
                name=f"Planning band {band[0]:g}-{band[1]:g}", showlegend=True,
            )
        )  # fmt: skip
    picked = drawn["pcn_code"].isin(selected)
    outside = drawn["outside"].notna() & (drawn["outside"] != "")
    add(
        figure,
        "scatter",
        x=drawn[size],
        y=drawn[value],
        mode="markers",
        name="PCN",
        marker={
            "size": [14 if s else 10 for s in picked],
            "color": [OUTSIDE if o else NHS_BLUE for o in outside],
            "line": {"color": ["#000000" if s else "white" for s in picked], "width": 2},
        },
        customdata=drawn[["pcn_name", "pcn_code"]],
        hovertemplate="%{customdata[0]} (%{customdata[1]})<br>"
        + size_title
        + ": %{x:,.0f}<br>"
        + value_title
        + ": %{y:.1f}<extra></extra>",
    )
    figure.update_layout(
        xaxis={"title": wrap(size_title, AXIS_CHARS), "rangemode": "tozero"},
        yaxis={
            "title": wrap(value_title, 30),
            "range": [
                0,
                max(value_ceiling(drawn, lines, value, size), band[1] * 1.1 if band else 0),
            ],
        },
        height=460,
    )
    return fit(figure)


def value_ceiling(drawn: pd.DataFrame, lines: pd.DataFrame, value: str, size: str) -> float:
    """The top of the value axis: the highest PCN, or the upper 99.8% limit where PCNs are
    (from half the smallest one's size), with room above. The limits start at a size of 1,
    where they run to thousands: an axis fitted to them pressed every PCN flat onto zero."""
    near = lines.loc[lines["size"] >= drawn[size].min() / 2, "high_998"]
    return 1.1 * max(float(drawn[value].max()), float(near.max()) if len(near) else 0.0)
