"""A view's figure made for a slide or a projector: the headline is the slide's, not the
chart's; the text is large enough to read across a room; the XmR lines of a monthly series.

Everything here restyles a copy of a figure already drawn from shown data, or draws from the
shown values it carries: nothing reaches back for exact counts.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go

from dashboard.measures import spc

# A slide's chart area is about 8 x 4.3 inches: drawn at 1100 x 580 (and sharpened x2 when
# exported), 21 px text prints at about 11 pt (ticks 10 pt), what a board member reads in a room.
WIDTH, HEIGHT = 1100, 580
FONT = 21
GREY = "#425563"

# NHS England Making Data Count icon colours, each dark enough for white text at 4.5:1
# (WCAG 2.2 AA): NHS Blue for Making Data Count's light blue, and its orange (#E46C0A, 3.3:1)
# and grey (#7B7D7D, 4.1:1) a shade darker.
MDC_IMPROVING = "#005EB8"  # blue: special cause, improving; assurance, the target met
MDC_CONCERN = "#B35300"  # orange: special cause, concerning; assurance, the target missed
MDC_NEITHER = "#7030A0"  # purple: special cause where neither direction is better
MDC_COMMON = "#636566"  # grey: common cause; assurance, hit and miss


def chart_note(figure: go.Figure) -> str:
    """What the chart says under its heading (the notes its title carries in `<sup>` and its
    subtitle, wrapped for a phone), as one line a slide prints under the chart."""
    notes = re.findall(r"<sup>(.*?)</sup>", figure.layout.title.text or "")
    subtitle = figure.layout.title.subtitle
    if subtitle and subtitle.text:
        notes.append(subtitle.text)
    return " ".join(re.sub(r"<[^>]+>", " ", " ".join(notes)).split())


def for_slide(
    figure: go.Figure, height: int = HEIGHT, width: int | None = WIDTH, font: int = FONT
) -> go.Figure:
    """A copy with no title (the slide's headline says it; its n line goes under the chart),
    text at slide size and a fixed size for the image. `width=None` leaves the width to the
    page (presentation mode)."""
    slide = go.Figure(figure)
    slide.update_layout(
        title={"text": "", "subtitle": {"text": None}},
        font={"size": font},
        legend={"font": {"size": font - 2}},
        height=height,
        width=width,
        # The legend above the plot pushes the top margin out as far as it needs.
        margin={"t": 10, "l": 10, "r": 20, "b": 10},
    )
    slide.update_annotations(font_size=font - 3)
    # Axes drawn for a page may fix their own small text: the slide's size wins.
    for update in (slide.update_xaxes, slide.update_yaxes):
        update(tickfont={"size": font - 3}, title_font={"size": font - 1})
    return slide


def xmr_points(months: pd.DataFrame) -> pd.DataFrame:
    """The ICB's shown monthly rate as an XmR chart (measures.spc): month, value, mean,
    limits and special cause."""
    rates = months.loc[months["series"] == "ICB", ["month", "rate_per_1000"]].dropna()
    chart = spc.xmr(rates["rate_per_1000"])
    chart.insert(0, "month", rates["month"].to_numpy())
    return chart


def with_xmr(figure: go.Figure, chart: pd.DataFrame) -> go.Figure:
    """A copy of the monthly chart with the XmR mean, process limits and special-cause points
    on its rate panel (the second row: axes x2, y2)."""
    drawn = go.Figure(figure)
    if len(chart) < 2:
        return drawn
    axes = {"xaxis": "x2", "yaxis": "y2"}
    for column, name, dash in (("mean", "Mean", "solid"), ("upper", "Process limits", "dash"),
                               ("lower", "Process limits", "dash")):  # fmt: skip
        drawn.add_scatter(
            x=chart["month"], y=chart[column], mode="lines", name=name,
            line={"color": GREY, "width": 1.5, "dash": dash}, hoverinfo="skip",
            showlegend=column != "lower", legendgroup=name, **axes,
        )  # fmt: skip
    special = chart[chart["special_cause"].notna()]
    if len(special):
        drawn.add_scatter(
            x=special["month"], y=special["value"], mode="markers",
            name="Special cause",
            marker={"color": MDC_NEITHER, "size": 11, "symbol": "circle"}, **axes,
        )  # fmt: skip
    return drawn


def variation_badge(chart: pd.DataFrame) -> tuple[str, str]:
    """The variation icon of the latest point: words and colour. Referral rates have no better
    direction, so special cause is purple (Making Data Count's 'neither')."""
    words = spc.variation(list(chart["special_cause"]))
    return words, MDC_COMMON if words.startswith("Common") else MDC_NEITHER


def assurance_badge(chart: pd.DataFrame, low: float, high: float) -> tuple[str, str]:
    """The assurance icon against the planning band: words and colour."""
    if len(chart) < 2:
        return spc.assurance(float("nan"), float("nan"), low, high), MDC_COMMON
    words = spc.assurance(chart["lower"].iloc[0], chart["upper"].iloc[0], low, high)
    colour = {"Consistently within the band": MDC_IMPROVING,
              "Consistently outside the band": MDC_CONCERN}.get(words, MDC_COMMON)  # fmt: skip
    return words, colour
