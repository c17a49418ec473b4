"""Chart builders: pure DataFrame -> plotly Figure, all in the one house template.

A chart cannot know the width it will be drawn at (a phone, half a laptop screen, a slide), so
its layout is worked out here to hold at all of them: titles, subtitles, notes, legend names
and category labels are wrapped short enough for a 360 px phone column, and the space above
the plot is reserved line by line for the title, the subtitle and the legend (`fit`).
"""

from __future__ import annotations

import math
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.data.contract import label

NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_PALE_GREY = "#E8EDEE"
TEXT_COLOUR = "#212B32"
# Colours that stay apart under protanopia, deuteranopia and tritanopia as well as normal
# vision, in every set a chart puts side by side (tests/test_palette.py simulates each).
ORANGE = "#E69F00"
VERMILION = "#D55E00"  # a concern: below the band, dropped out, worse, beyond the limits
GREEN = "#009E73"
SKY_BLUE = "#56B4E9"
WINE = "#882255"
BLACK = "#000000"
LIGHT_GREY = "#BBBBBB"  # none, or no change: drawn with a pattern or beside darker colours
# Series told apart by colour alone (one a setting, one a PCN): NHS Blue first.
PALETTE = (NHS_BLUE, ORANGE, SKY_BLUE, WINE, BLACK, LIGHT_GREY)
BAND_FILL = "rgba(0, 158, 115, 0.15)"
BASELINE = ORANGE  # the "before" of every before-and-after chart, beside NHS Blue after
MINUS = "\u2212"  # a true minus sign: a hyphen reads as a dash and is easily missed

TITLE_SIZE, SUBTITLE_SIZE, NOTE_SIZE, LEGEND_SIZE, LABEL_SIZE = 17, 13, 12, 13, 13
# Characters a line holds in a 360 px phone column at each size (Arial averages about half
# an em a character; a little less is allowed for capitals and figures).
TITLE_CHARS, SUBTITLE_CHARS, NOTE_CHARS, LEGEND_CHARS = 34, 46, 50, 38
# An axis title is centred on the plot, which a phone shares with the tick labels.
AXIS_CHARS = 26
LINE_SPACING = 1.3  # Plotly's, between the lines of a text
# Under a chart's plot area, tick labels take about this many pixels, and each line of the
# axis title this many more.
TICKS_ROOM, AXIS_TITLE_LINE = 50, 21

pio.templates["nhs"] = go.layout.Template(
    layout=go.Layout(
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": TEXT_COLOUR},
        title={"font": {"size": TITLE_SIZE}, "x": 0, "xanchor": "left"},
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        # The tick labels stand off their axes, so the two zeros at a corner never touch.
        xaxis={
            "gridcolor": NHS_PALE_GREY,
            "linecolor": NHS_DARK_GREY,
            "zeroline": False,
            "automargin": True,
            "ticklabelstandoff": 8,
            "tickfont": {"size": LABEL_SIZE},
            "separatethousands": True,  # 15,000 as the tables write it, not 15000
        },
        yaxis={
            "gridcolor": NHS_PALE_GREY,
            "linecolor": NHS_DARK_GREY,
            "zeroline": False,
            "automargin": True,
            "ticklabelstandoff": 6,
            "tickfont": {"size": LABEL_SIZE},
            "separatethousands": True,  # 15,000 as the tables write it, not 15000
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1, "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 16, "t": 80, "b": 10},
        hoverlabel={"font": {"size": 13}},
    )
)
pio.templates.default = "nhs"


# Text that fits -------------------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]+>)")
_BREAK = re.compile(r"<br\s*/?\s*>", re.IGNORECASE)
# A title's own line breaks. Plotly draws `<br >` as a new line like `<br>`; the trailing
# space keeps the words apart wherever the title is read as plain text (a slide heading, a
# screen reader's name for the chart), and the title's first `<br>` still ends its heading.
TITLE_BREAK = " <br >"


def wrap(text: str, width: int, newline: str = "<br>") -> str:
    """`text` with a `newline` at word boundaries, so that no line is longer than `width`
    characters (markup not counted; a word longer than a line keeps its own line). Its own
    line breaks stay; a tag open across a new line (<b>, <sup>) is closed and reopened."""
    lines = []
    for paragraph in _BREAK.split(text):
        lines.extend(_wrap_paragraph(paragraph, width))
    return _join(lines, newline)


def _wrap_paragraph(paragraph: str, width: int) -> list[list[str]]:
    """Lines of tokens (words and tags)."""
    lines: list[list[str]] = [[]]
    length = 0
    for token in (t for t in _TAG.split(paragraph) if t):
        if _TAG.fullmatch(token):
            lines[-1].append(token)
            continue
        for index, word in enumerate(token.split(" ")):
            if index:  # a space in the text: the place to break, if the line is full
                if length and length + 1 + len(_visible(word)) > width:
                    lines.append([])
                    length = 0
                elif length:
                    lines[-1].append(" ")
                    length += 1
            if word:
                lines[-1].append(word)
                length += len(_visible(word))
    return lines


def _visible(word: str) -> str:
    return word.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _join(lines: list[list[str]], newline: str) -> str:
    """The lines joined by `newline`, each tag open at a line's end closed there and
    reopened at the start of the next line (Plotly styles each line on its own)."""
    out, open_tags = [], []
    for number, tokens in enumerate(lines):
        if number:
            out.append("".join(f"</{_name(tag)}>" for tag in reversed(open_tags)))
            out.append(newline)
            out.append("".join(open_tags))
        for token in tokens:
            out.append(token)
            if _TAG.fullmatch(token):
                if token.startswith("</"):
                    open_tags = _closed(open_tags, _name(token))
                elif not token.endswith("/>"):
                    open_tags.append(token)
    return "".join(out).replace(" " + newline, newline)


def _name(tag: str) -> str:
    return re.match(r"</?\s*([a-zA-Z0-9]+)", tag).group(1).lower()


def _closed(open_tags: list[str], name: str) -> list[str]:
    for index in range(len(open_tags) - 1, -1, -1):
        if _name(open_tags[index]) == name:
            return open_tags[:index] + open_tags[index + 1 :]
    return open_tags


def plain(text: str | None) -> str:
    """A chart text as one line of plain words: no markup, no line breaks."""
    return " ".join(_TAG.sub(" ", text or "").split())


def line_count(text: str | None) -> int:
    return 0 if not text else len(_BREAK.findall(text)) + 1


def _plain_length(text: str) -> int:
    return max(len(_visible(_TAG.sub("", line))) for line in _BREAK.split(text))


def signed(value: float, template: str = "{:+,.0f}") -> str:
    """A signed number with a true minus: `+1,234`, `−314`."""
    return template.format(value).replace("-", MINUS)


def add(figure: go.Figure, kind: str, **properties) -> None:
    """Add a trace of `kind` ("bar", "scatter", "heatmap") to `figure`, on the subplot `row`
    and `col` if given. Plotly's `add_bar` and the like validate every property twice
    (building the trace, then adding it), for a colour per point more than the rest of the
    chart costs; a trace given as a dict is validated once."""
    row, col = properties.pop("row", None), properties.pop("col", None)
    figure.add_trace({"type": kind, **properties}, row=row, col=col)


def labels(texts, width: int = 16) -> list[str]:
    """Category labels wrapped to `width` characters a line, for a horizontal axis."""
    return [wrap(str(text), width) for text in texts]


# A row's name (a PCN, a group) beside its bar: longer names wrap, so a phone keeps a plot.
ROW_CHARS = 20
ROW_LINE = 15  # pixels each further line of a row's name needs


def shortened(text: str, width: int) -> str:
    """`text` cut to about `width` characters at a word, with an ellipsis, for a name that
    must keep to one line (a heatmap's row); the hover and the CSV keep it whole."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:-") + "\u2026"


def row_height(names, base: int = 22) -> int:
    """Pixels a row of bars takes, room made for its longest name's lines."""
    return base + ROW_LINE * (max((line_count(n) for n in names), default=1) - 1)


# The space above the plot ---------------------------------------------------------------------

TITLE_PAD = 20  # Plotly lifts a title of several lines about 13 px: the pad takes it back
TITLE_LINE = TITLE_SIZE * LINE_SPACING + 1
SUBTITLE_LINE = SUBTITLE_SIZE * LINE_SPACING + 1
LEGEND_LINE = LEGEND_SIZE * LINE_SPACING
# Room a legend entry takes besides its text (the symbol and the gaps), and the legend's
# width in a 360 px phone column.
LEGEND_SYMBOL, PHONE_LEGEND_WIDTH = 44, 330
CHAR_WIDTH = 0.56  # of the font size, a conservative average for Arial


def _split_title(title: str) -> tuple[str, list[str]]:
    """A title as the measures write it, `heading<br><sup>note</sup>...`: its heading and
    the notes after it."""
    heading, *rest = _BREAK.split(title.replace(TITLE_BREAK, " "))
    notes = [re.sub(r"</?sup>", "", part).strip() for part in rest]
    return heading, [note for note in notes if note]


def legend_entries(figure: go.Figure) -> list[str]:
    """The names the legend will show: traces (unless hidden) and shapes given a legend
    entry, as Plotly decides."""
    if figure.layout.showlegend is False:
        return []
    traces = [t for t in figure.data if t.showlegend is not False and t.name]
    if len(traces) == 1 and traces[0].showlegend is None:
        traces = []
    shapes = [s for s in figure.layout.shapes if s.showlegend and s.name]
    return [str(item.name) for item in (*traces, *shapes)]


def _legend_layout(names: list[str]) -> tuple[int, float]:
    """Entries a row (the same at every width) and the legend's height in pixels."""
    longest = max(_plain_length(name) for name in names)
    per_row = 1
    for candidate in (3, 2):
        room = PHONE_LEGEND_WIDTH / candidate - LEGEND_SYMBOL
        if longest * LEGEND_SIZE * CHAR_WIDTH <= room:
            per_row = candidate
            break
    rows = [names[i : i + per_row] for i in range(0, len(names), per_row)]
    height = sum(max(line_count(n) for n in row) * LEGEND_LINE + 3 for row in rows) + 10
    return per_row, height


def fit(figure: go.Figure, top_axis: float = 0, min_plot: int = 220) -> go.Figure:
    """Lay out the space above the plot so nothing there overlaps at any width: the title and
    its notes wrapped for a phone and placed from the top, the legend in fixed columns just
    above the plot (its names wrapped), and `top_axis` pixels of tick labels on a top axis.
    The figure grows by what the top takes: its plot keeps the height the figure's height
    left it (at least `min_plot` pixels), so rows of bars keep their labels. Safe to call
    again after the title changes."""
    layout = figure.layout
    title, margin = layout.title.to_plotly_json(), layout.margin.to_plotly_json()
    bottom = _bottom(figure)
    plot_height = max((layout.height or 450) - (margin.get("t") or 80) - bottom, min_plot)
    heading, notes = _split_title(title.get("text") or "")
    heading = wrap(heading, TITLE_CHARS, TITLE_BREAK)
    # The notes a title carries stay in it (small, under the heading); the subtitle under them.
    note_lines = [line for note in notes for line in _BREAK.split(wrap(note, SUBTITLE_CHARS))]
    subtitle = wrap(title.get("subtitle", {}).get("text") or "", SUBTITLE_CHARS)
    changes = {
        "title": _merged(
            title,
            {
                "text": heading + "".join(f"<br><sup>{line}</sup>" for line in note_lines),
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": TITLE_PAD},
                "subtitle": {"text": subtitle or None, "font": {"size": SUBTITLE_SIZE}},
            },
        )
    }
    top = 8 + (line_count(heading) + len(note_lines)) * TITLE_LINE
    if subtitle:
        top += 8 + line_count(subtitle) * SUBTITLE_LINE
    names = legend_entries(figure)
    if names:
        for trace in figure.data:
            if trace.name:
                trace.name = wrap(str(trace.name), LEGEND_CHARS)
        for shape in layout.shapes:
            if shape.name:
                shape.name = wrap(str(shape.name), LEGEND_CHARS)
        per_row, legend_height = _legend_layout(legend_entries(figure))
        changes["showlegend"] = True
        changes["legend"] = _merged(
            layout.legend.to_plotly_json(),
            {
                "orientation": "h",
                "entrywidthmode": "fraction",
                "entrywidth": 1 / per_row - 0.001,
                "x": 0,
                "xanchor": "left",
                "xref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "yref": "paper",
                "font": {"size": LEGEND_SIZE},
                "tracegroupgap": 0,
                # In the order drawn, also for stacked bars (which Plotly would reverse).
                "traceorder": "normal",
            },
        )
        top += 6 + legend_height
    if top_axis:
        top += top_axis + 14
    # Without a legend, the top tick label of a y axis stands half a line above the plot,
    # under the title.
    top = math.ceil(top + (4 if names else 18))
    changes["margin"] = {**margin, "t": top}
    changes["height"] = top + bottom + plot_height
    # Whole objects, merged here: Plotly validates and records a nested update leaf by leaf,
    # which took most of the time a chart took to build.
    figure.update_layout(changes, overwrite=True)
    return figure


def _merged(old: dict, new: dict) -> dict:
    """`old` updated by `new` as `update_layout` would: nested dicts merged, other values
    replaced, a None removing the value."""
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = _merged(merged[key], value)
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _bottom(figure: go.Figure) -> int:
    """The pixels under the plot: the margin, or the tick labels and the axis title, where
    those (pushing the margin themselves) take more."""
    axis = figure.layout.xaxis
    room = 0
    if axis.visible is not False and axis.side != "top":
        room = TICKS_ROOM + AXIS_TITLE_LINE * line_count(axis.title.text)
    return max(figure.layout.margin.b or 10, room)


def across(axis: str, start, end=None, *, plot: tuple[str, str] = ("x", "y"), **properties) -> dict:
    """A shape across the whole plot (its axes `plot`) at `start` on the `axis` ("x": an
    upright line, "y": a level one), or a band from `start` to `end`: the shape Plotly's
    add_vline, add_hline, add_vrect and add_hrect make, for `add_shape`. Those revalidate every
    shape and annotation the figure has, for every subplot: many times the cost of a chart's
    own traces."""
    xref, yref = plot
    kind = "line" if end is None else "rect"
    end = start if end is None else end
    if axis == "x":
        position = {
            "x0": start,
            "x1": end,
            "xref": xref,
            "y0": 0,
            "y1": 1,
            "yref": f"{yref} domain",
        }
    else:
        position = {
            "x0": 0,
            "x1": 1,
            "xref": f"{xref} domain",
            "y0": start,
            "y1": end,
            "yref": yref,
        }
    return {"type": kind, **position, **properties}


def reference_line(
    figure: go.Figure, axis: str, value: float, name: str, dash: str = "dash", **where
) -> None:
    """A line across the plot at `value` on the `axis` ("x" or "y"), named in the legend:
    a label on the plot would sit on a bar or a point."""
    line = {
        "dash": dash,
        "color": where.pop("color", NHS_DARK_GREY),
        "width": where.pop("width", 2),
    }
    figure.add_shape(across(axis, value, line=line, name=name, showlegend=True, **where))


def empty(title: str, message: str = "No data for this selection") -> go.Figure:
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_annotation(
        text=wrap(message, NOTE_CHARS), showarrow=False, font={"size": 16, "color": NHS_DARK_GREY}
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return fit(figure, min_plot=120)


BAND_POSITION_STYLE = {  # colour and pattern, so the band position is never told by colour alone
    "below": ("Below the band", VERMILION, "/"),
    "within": ("Within the band", GREEN, ""),
    "above": ("Above the band", NHS_BLUE, "."),
}


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
        wrap(f"<b>{name}</b>" if selected else str(name), ROW_CHARS)
        for name, selected in zip(ordered["pcn_name"], ordered["selected"], strict=True)
    ]
    figure = go.Figure(layout={"title": {"text": title}})
    figure.add_shape(
        across("x", band_low, band_high, fillcolor=BAND_FILL, line={"width": 0}, layer="below")
    )
    for position, (name, colour, pattern) in BAND_POSITION_STYLE.items():
        mask = (ordered["band_position"] == position).to_numpy()
        if not mask.any():
            continue
        part = ordered[mask]
        add(
            figure,
            "bar",
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
            cliponaxis=False,
            customdata=part[["pcn_code", "referrals", "list_size"]],
            hovertemplate="%{y} (%{customdata[0]})<br>%{x:.1f} per 1,000 a year"
            "<br>%{customdata[1]:,} referrals, list size %{customdata[2]:,}<extra></extra>",
        )
    if icb_rate is not None:
        reference_line(figure, "x", icb_rate, f"ICB {icb_rate:.1f} per 1,000 a year")
    # Room on the right for a selected PCN's rate beside its bar.
    longest = ordered["rate_per_1000"].max()
    if any_selected and pd.notna(longest):
        figure.update_xaxes(range=[0, max(longest, band_high) * 1.15])
    figure.update_layout(
        barmode="overlay",
        height=max(360, row_height(labels) * len(ordered) + 140),
        xaxis_title=wrap("Referrals per 1,000 registered patients a year", AXIS_CHARS),
        yaxis={"categoryorder": "array", "categoryarray": labels},
    )
    # Below the axis title, in pixels from the plot's foot: inside the plot the label sat on
    # the first bar, and at a share of the height it sat on the tick numbers of short charts.
    note = wrap(
        f"Shaded: planning band {band_low:g}-{band_high:g} per 1,000 a year. Source: {band_source}",
        AXIS_CHARS + 6,
    )
    offset = TICKS_ROOM + AXIS_TITLE_LINE * line_count(figure.layout.xaxis.title.text)
    figure.add_annotation(
        text=note,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-offset,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": NOTE_SIZE, "color": NHS_DARK_GREY},
        align="left",
    )
    figure.update_layout(
        margin={"b": offset + math.ceil(line_count(note) * NOTE_SIZE * LINE_SPACING) + 16}
    )
    return fit(figure)


def mark_financial_years(
    figure: go.Figure,
    months: pd.Series,
    xref: str = "x",
    yref: str = "y domain",
    plots: tuple[tuple[str, str], ...] = (("x", "y"),),
) -> None:
    """A dotted line at the start (1 April) of each financial year shown, across each of the
    `plots` (the axes of each subplot), labelled inside the foot of the plot (or of the subplot
    on `xref`, `yref`), clear of the legend and the title above it."""
    starts = pd.to_datetime(pd.Series(months.unique()))
    lines, notes = [], []
    for april in starts[starts.dt.month == 4]:
        line = {"dash": "dot", "color": NHS_DARK_GREY}
        lines += [across("x", april, plot=plot, line=line) for plot in plots]
        notes.append(
            {
                "x": april,
                "y": 0,
                "xref": xref,
                "yref": yref,
                "text": f"FY {april.year}/{(april.year + 1) % 100:02d}",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11, "color": NHS_DARK_GREY},
            }
        )
    # Added at once: each add_shape or add_annotation revalidates all the figure has.
    layout = figure.layout
    figure.update_layout(
        shapes=(*layout.shapes, *lines), annotations=(*layout.annotations, *notes), overwrite=True
    )


def monthly_trend(months: pd.DataFrame, title: str) -> go.Figure:
    """Referrals a month, with the start of each financial year marked."""
    if months.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    add(
        figure,
        "scatter",
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
    return fit(figure)


def funnel(stages: pd.DataFrame, title: str) -> go.Figure:
    """Referred -> contacted -> engaged -> completed, with the drop-outs below; a bar a
    stage, across the page so the stage names never crowd."""
    if stages.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    order = [label(s) for s in stages["stage"]]
    for drop_out, name, colour, pattern in (
        (False, "Progressed", NHS_BLUE, ""),
        (True, "Dropped out", VERMILION, "/"),
    ):
        part = stages[stages["drop_out"] == drop_out]
        add(
            figure,
            "bar",
            y=[label(s) for s in part["stage"]],
            x=part["people"],
            orientation="h",
            name=name,
            marker={
                "color": colour,
                "pattern": {"shape": pattern, "fgcolor": "white", "fillmode": "overlay"},
            },
            text=["*" if pd.isna(p) else f"{p:,.0f}" for p in part["people"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    largest = stages["people"].max()
    figure.update_layout(
        xaxis={"title": "Referrals", "range": [0, (largest if pd.notna(largest) else 1) * 1.2]},
        yaxis={"categoryorder": "array", "categoryarray": order, "autorange": "reversed"},
        height=max(360, 34 * len(order) + 160),
    )
    return fit(figure)


def dumbbell(
    frame: pd.DataFrame, category: str, before: str, after: str, title: str, axis_title: str
) -> go.Figure:
    """Mean before and after for each category, joined by a line."""
    if frame.empty:
        return empty(title)
    figure = go.Figure(layout={"title": {"text": title}})
    labels = [wrap(label(c), 22) for c in frame[category]]
    for row, start, end in zip(labels, frame[before], frame[after], strict=True):
        add(
            figure,
            "scatter",
            x=[start, end],
            y=[row, row],
            mode="lines",
            line={"color": NHS_PALE_GREY, "width": 6},
            showlegend=False,
            hoverinfo="skip",
        )
    add(
        figure,
        "scatter",
        x=frame[before],
        y=labels,
        mode="markers",
        name="Baseline",
        marker={"color": BASELINE, "size": 14, "symbol": "circle"},
    )
    add(
        figure,
        "scatter",
        x=frame[after],
        y=labels,
        mode="markers",
        name="Follow-up",
        marker={"color": NHS_BLUE, "size": 14, "symbol": "diamond"},
    )
    figure.update_layout(
        xaxis_title=wrap(axis_title, AXIS_CHARS), height=max(320, 48 * len(labels) + 140)
    )
    return fit(figure)


HEATMAP_ROW = 24  # pixels a row: room for a cell's number at the page's text size
HEATMAP_FONT = 10  # 14 upright activity names keep their place down to a 340 px phone
COLOUR_BAR_ROOM = 90  # under the plot: the colour bar, its numbers and its title


def heatmap_layout(figure: go.Figure, columns: list[str], rows: int, scale_title: str) -> go.Figure:
    """A heatmap laid out for every width: its column names on top, read upwards, with room
    reserved for the longest (side by side they collide as soon as columns are narrow); the
    colour bar under the plot, where it takes no width from the cells; cell numbers sized
    by Plotly to fit their cell (and left out where a cell is too small for any: the hover
    and the CSV have them)."""
    longest = max((len(str(c)) for c in columns), default=0)
    figure.update_traces(
        selector={"type": "heatmap"},
        textfont={"size": None},
        colorbar={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "top",
            "ypad": 8,
            "thickness": 12,
            "len": 0.6,  # of the plot's width, which a phone narrows to about 200 pixels
            "lenmode": "fraction",
            # Hung from the foot of the plot: anchored to the container, Plotly drew the title
            # across the bar.
            "title": {"text": scale_title, "side": "top", "font": {"size": NOTE_SIZE}},
            "tickfont": {"size": NOTE_SIZE},
        },
    )
    figure.update_layout(
        # Every row and column named (dtick 1): near a phone's width Plotly would otherwise
        # drop every other name of its own accord, though upright names still fit.
        xaxis={
            "side": "top",
            "showgrid": False,
            "tickangle": -90,
            "tickfont": {"size": HEATMAP_FONT},
            "dtick": 1,
        },
        yaxis={"showgrid": False, "tickfont": {"size": HEATMAP_FONT}, "dtick": 1},
        margin={"b": COLOUR_BAR_ROOM},
    )
    fit(figure, top_axis=longest * HEATMAP_FONT * CHAR_WIDTH + 8, min_plot=0)
    row = row_height(figure.data[0].y, HEATMAP_ROW)
    figure.update_layout(height=figure.layout.margin.t + COLOUR_BAR_ROOM + row * rows)
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
