"""Chart builders: pure DataFrame -> plotly Figure, all in the one house template."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_PALE_GREY = "#E8EDEE"
# NHS Blue first, then the Okabe-Ito palette, which stays distinct under colour-vision deficiency.
PALETTE = ("#005EB8", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
BAND_FILL = "rgba(0, 158, 115, 0.15)"
# Tick labels and the axis title take about this many pixels under a chart's plot area.
BAND_NOTE_OFFSET = 60

pio.templates["nhs"] = go.layout.Template(
    layout=go.Layout(
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#212B32"},
        title={"font": {"size": 18}, "x": 0, "xanchor": "left"},
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={
            "gridcolor": NHS_PALE_GREY,
            "linecolor": NHS_DARK_GREY,
            "zeroline": False,
            "automargin": True,
        },
        yaxis={
            "gridcolor": NHS_PALE_GREY,
            "linecolor": NHS_DARK_GREY,
            "zeroline": False,
            "automargin": True,
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"font": {"size": 13}},
    )
)
pio.templates.default = "nhs"


def empty(title: str, message: str = "No data for this selection") -> go.Figure:
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_annotation(text=message, showarrow=False, font={"size": 16, "color": NHS_DARK_GREY})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


BAND_POSITION_STYLE = {  # colour and pattern, so the band position is never told by colour alone
    "below": ("Below the band", PALETTE[3], "/"),
    "within": ("Within the band", PALETTE[2], ""),
    "above": ("Above the band", PALETTE[0], "."),
}


def _label(text: str) -> str:
    return text.replace("_", " ").capitalize()


def rate_by_pcn(
    rates: pd.DataFrame,
    band_low: float,
    band_high: float,
    band_source: str,
    icb_rate: float | None,
    title: str,
) -> go.Figure:
    """Annualised referral rate per PCN, against the planning band and the ICB's rate;
    selected PCNs outlined and labelled with their rate, their peers faded."""
    if rates.empty:
        return empty(title)
    ordered = rates.sort_values("rate_per_1000")
    any_selected = bool(ordered["selected"].any())
    labels = [
        f"<b>{name}</b>" if selected else name
        for name, selected in zip(ordered["pcn_name"], ordered["selected"], strict=True)
    ]
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_vrect(
        x0=band_low,
        x1=band_high,
        fillcolor=BAND_FILL,
        line_width=0,
        layer="below",
    )
    for position, (name, colour, pattern) in BAND_POSITION_STYLE.items():
        mask = (ordered["band_position"] == position).to_numpy()
        if not mask.any():
            continue
        part = ordered[mask]
        figure.add_bar(
            y=[label for label, keep in zip(labels, mask, strict=True) if keep],
            x=part["rate_per_1000"],
            orientation="h",
            name=name,
            marker={
                "color": colour,
                "pattern": {
                    "shape": pattern,
                    "fgcolor": "white",
                    "solidity": 0.35,
                    "fillmode": "overlay",
                },
                "line": {
                    "color": ["#000000" if s else colour for s in part["selected"]],
                    "width": [3 if s else 0 for s in part["selected"]],
                },
                "opacity": [1.0 if s or not any_selected else 0.4 for s in part["selected"]],
            },
            text=[
                ("*" if pd.isna(rate) else f"{rate:.1f}") if chosen else ""
                for rate, chosen in zip(part["rate_per_1000"], part["selected"], strict=True)
            ],
            textposition="outside",
            customdata=part[["pcn_code", "referrals", "list_size"]],
            hovertemplate="%{y} (%{customdata[0]})<br>%{x:.1f} per 1,000 a year"
            "<br>%{customdata[1]} referrals, list size %{customdata[2]:,}<extra></extra>",
        )
    if icb_rate is not None:
        figure.add_vline(
            x=icb_rate,
            line_dash="dash",
            line_color=NHS_DARK_GREY,
            annotation_text=f"ICB {icb_rate:.1f}",
            annotation_position="bottom right",
        )
    figure.update_layout(
        barmode="overlay",
        height=max(360, 22 * len(ordered) + 140),
        xaxis_title="Referrals per 1,000 registered patients a year",
        yaxis={"categoryorder": "array", "categoryarray": labels},
    )
    # Below the axis title, in pixels from the plot's foot: inside the plot the label sat on
    # the first bar, and at a share of the height it sat on the tick numbers of short charts.
    figure.add_annotation(
        text=f"Shaded: planning band {band_low:g}-{band_high:g} per 1,000 a year. "
        f"Source: {band_source}",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-BAND_NOTE_OFFSET,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 12, "color": NHS_DARK_GREY},
        align="left",
    )
    figure.update_layout(margin={"b": BAND_NOTE_OFFSET + 30})
    return figure


def mark_financial_years(figure: go.Figure, months: pd.Series) -> None:
    """A dotted line and label at the start (1 April) of each financial year shown."""
    starts = pd.to_datetime(pd.Series(months.unique()))
    for april in starts[starts.dt.month == 4]:
        figure.add_vline(x=april, line_dash="dot", line_color=NHS_DARK_GREY)
        figure.add_annotation(
            x=april,
            y=1,
            yref="paper",
            text=f"FY {april.year}/{(april.year + 1) % 100:02d}",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 11},
        )


def monthly_trend(months: pd.DataFrame, title: str) -> go.Figure:
    """Referrals a month, with the start of each financial year marked."""
    if months.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_scatter(
        x=months["month"],
        y=months["referrals"],
        mode="lines+markers",
        name="Referrals",
        line={"color": NHS_BLUE, "width": 3},
        hovertemplate="%{x|%b %Y}: %{y:,} referrals<extra></extra>",
    )
    mark_financial_years(figure, months["month"])
    figure.update_layout(
        yaxis_title="Referrals", xaxis_title=None, showlegend=False, yaxis_rangemode="tozero"
    )
    return figure


def funnel(stages: pd.DataFrame, title: str) -> go.Figure:
    """Referred -> contacted -> engaged -> completed, with the drop-outs beside."""
    if stages.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    for drop_out, name, colour in (
        (False, "Progressed", NHS_BLUE),
        (True, "Dropped out", PALETTE[3]),
    ):
        part = stages[stages["drop_out"] == drop_out]
        figure.add_bar(
            x=[_label(s) for s in part["stage"]],
            y=part["people"],
            name=name,
            marker_color=colour,
            text=part["people"],
            textposition="outside",
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    figure.update_layout(yaxis_title="Referrals", yaxis_rangemode="tozero")
    return figure


def dumbbell(
    frame: pd.DataFrame, category: str, before: str, after: str, title: str, axis_title: str
) -> go.Figure:
    """Mean before and after for each category, joined by a line."""
    if frame.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    labels = [_label(c) for c in frame[category]]
    for label, start, end in zip(labels, frame[before], frame[after], strict=True):
        figure.add_scatter(
            x=[start, end],
            y=[label, label],
            mode="lines",
            line={"color": NHS_PALE_GREY, "width": 6},
            showlegend=False,
            hoverinfo="skip",
        )
    figure.add_scatter(
        x=frame[before],
        y=labels,
        mode="markers",
        name="Baseline",
        marker={"color": PALETTE[1], "size": 14, "symbol": "circle"},
    )
    figure.add_scatter(
        x=frame[after],
        y=labels,
        mode="markers",
        name="Follow-up",
        marker={"color": NHS_BLUE, "size": 14, "symbol": "diamond"},
    )
    figure.update_layout(xaxis_title=axis_title, height=max(320, 48 * len(labels) + 140))
    return figure


# A chart with a row per PCN stays readable, and quick to draw, up to about this many rows.
PCN_CHART_LIMIT = 40


def telling_pcns(
    frame: pd.DataFrame, value: str, limit: int = PCN_CHART_LIMIT, ends: bool = True
) -> pd.DataFrame:
    """The rows of the PCNs worth drawing when there are more than `limit`: the highest and
    lowest by `value` (or, with `ends=False`, the highest), plus any selected PCN and the ICB
    row. With `limit` PCNs or fewer, every row."""
    codes = frame["pcn_code"][frame["pcn_code"] != "ICB"].drop_duplicates()
    if len(codes) <= limit:
        return frame
    per_pcn = (
        frame[frame["pcn_code"] != "ICB"]
        .drop_duplicates("pcn_code")
        .set_index("pcn_code")[value]
        .dropna()
        .sort_values()
    )
    if ends:
        keep = set(per_pcn.index[: limit // 2]) | set(per_pcn.index[-(limit // 2) :])
    else:
        keep = set(per_pcn.index[-limit:])
    if "selected" in frame:
        keep |= set(frame.loc[frame["selected"].fillna(False).astype(bool), "pcn_code"])
    return frame[frame["pcn_code"].isin(keep | {"ICB"})]


def telling_note(frame: pd.DataFrame, shown: pd.DataFrame, which: str) -> str:
    """What a chart cut by `telling_pcns` leaves out, for its caption; empty when nothing."""
    total = frame.loc[frame["pcn_code"] != "ICB", "pcn_code"].nunique()
    drawn = shown.loc[shown["pcn_code"] != "ICB", "pcn_code"].nunique()
    if drawn == total:
        return ""
    return f" Showing {drawn} of {total} PCNs ({which}, and any selected); the CSV has every PCN."
