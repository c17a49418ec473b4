"""Every chart the product draws, laid out in chromium at the widths it is read at: nothing
overlaps and nothing is cut off, on a 1440 x 900 screen, a 1280 x 720 projector, a 390 px
phone and in the PNG and board pack images.

Each figure is drawn by plotly.js (the copy in the installed plotly package, so no network)
and the boxes of its texts are compared: the title and subtitle, annotations, the legend,
axis titles, tick labels, the colour bar, and the labels on bars and heatmap cells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from dashboard.charts.capacity import gap_heatmap
from dashboard.charts.outcomes import pcn_comparison
from dashboard.charts.theme import rate_by_pcn
from dashboard.data import store
from dashboard.measures import (
    queries,
)
from dashboard.output import report
from dashboard.output.images import SLIDE_HEIGHT, SLIDE_WIDTH
from dashboard.output.slide_charts import for_slide
from dashboard.output.summary import resolve_filters
from tests.views import every_view

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Size:
    width: int
    height: int | None = None  # None: the figure's own height, as on a page


# The width of a chart's column: Streamlit's page is about 1300 px wide on a 1440 px screen
# and 1150 px on a 1280 px projector; two charts side by side get about half each; a 390 px
# phone leaves about 360 px. A chart's PNG is drawn at slide size. The board pack and
# presentation mode restyle their charts: `slide_figures` draws those as they do.
SIZES = {
    "1440x900 full width": Size(1300),
    "1440x900 half width": Size(640),
    "1280x720 half width": Size(560),
    "390 px phone": Size(360),
    "PNG download": Size(SLIDE_WIDTH, SLIDE_HEIGHT),
}
# Presentation mode draws a slide's chart this high, across the page (dashboard/views/present.py).
PRESENTATION_HEIGHT, PRESENTATION_FONT = 370, 14
# Overlaps of a pixel or less are anti-aliasing, not a collision anyone sees.
TOLERANCE = 1.0


@pytest.fixture(scope="module")
def figures(synthetic_db) -> list[tuple[str, go.Figure]]:
    """Every view for the whole ICB, and the views of one selected PCN."""
    with store.open_db(synthetic_db, read_only=True) as con:
        run = queries.runner(con)
        icb = resolve_filters(con)
        first_pcn = run("pcn_options", {})["pcn_code"].iloc[0]
        one_pcn = icb.model_copy(update={"pcns": (first_pcn,)})
        drawn = [(f"{v.key} (ICB)", v.figure) for v in every_view(run, icb)]
        drawn += [(f"{v.key} ({first_pcn})", v.figure) for v in every_view(run, one_pcn)]
    return drawn


@pytest.fixture(scope="module")
def slide_figures(synthetic_db) -> list[tuple[str, go.Figure, int, int]]:
    """The board pack's charts as its images draw them, and as presentation mode does on a
    1440 px screen and a 1280 px projector: (name, figure, width, height)."""
    with store.open_db(synthetic_db, read_only=True) as con:
        pack = report.build_pack(con, resolve_filters(con))
    drawn = []
    for slide in (s for s in pack.slides if s.figure is not None):
        image = for_slide(slide.figure)
        drawn.append((f"{slide.title} (pack)", image, image.layout.width, image.layout.height))
        shown = for_slide(
            slide.figure, height=PRESENTATION_HEIGHT, width=None, font=PRESENTATION_FONT
        )
        for width in (1150, 1300):
            drawn.append((f"{slide.title} (presented)", shown, width, PRESENTATION_HEIGHT))
    return drawn


@pytest.fixture(scope="module")
def chart_page(browser):
    """One page with plotly.js loaded; each figure is drawn into it in turn."""
    page = browser.new_page(viewport={"width": 1700, "height": 1000})
    page.set_content(
        f"<html><body style='margin:0'><script>{get_plotlyjs()}</script>"
        "<div id='chart'></div></body></html>"
    )
    yield page
    page.close()


# The boxes of every text a reader sees, by kind, from a drawn chart's SVG (`chart`: its
# div), for `problems`. The page tests (tests/test_accessibility.py) run it on the charts a
# real page draws.
COLLECT = """
(chart) => {
  const box = (element) => {
    const b = element.getBoundingClientRect();
    return {x: b.x, y: b.y, w: b.width, h: b.height, text: element.textContent.trim()};
  };
  const boxes = (selector) => Array.from(chart.querySelectorAll(selector)).map(box)
    .filter((b) => b.w > 0 && b.h > 0);
  const axisTitles = '.infolayer > g[class^="g-"][class$="title"]:not(.g-gtitle) text';
  return {
    frame: box(chart.querySelector('.svg-container')),
    plots: boxes('.draglayer .nsewdrag'),
    texts: {
      title: boxes('.gtitle, .gtitle-subtitle'),
      annotation: boxes('.annotation-text'),
      legend: boxes('.legend .bg'),
      'axis title': boxes(axisTitles),
      'tick label': boxes('.xaxislayer-above text, .yaxislayer-above text'),
      'colour bar': boxes('.colorbar .cbfills rect'),
      'colour bar title': boxes('.colorbar .cbtitle text'),
      'label on a mark': boxes('.bartext, .textpoint text'),
      'cell label': boxes('.heatmap-label text'),
    },
    bars: boxes('.barlayer .point path'),
    labelled: {
      x: chart.querySelectorAll('.xaxislayer-above text').length,
      y: chart.querySelectorAll('.yaxislayer-above text').length,
    },
  };
}
"""

MEASURE = f"""
async ([figure, width, height]) => {{
  const chart = document.getElementById('chart');
  Plotly.purge(chart);
  const layout = {{...figure.layout, width: width, height: height || figure.layout.height || 450}};
  await Plotly.newPlot(chart, figure.data, layout, {{responsive: false, displayModeBar: false}});
  return ({COLLECT})(chart);
}}
"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > TOLERANCE
        and min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > TOLERANCE
    )


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - TOLERANCE
        and inner["y"] >= outer["y"] - TOLERANCE
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + TOLERANCE
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + TOLERANCE
    )


def _cell_size(figure: go.Figure, plot: dict) -> tuple[float, float] | None:
    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    if not heatmaps:
        return None
    columns, rows = len(heatmaps[0].x), len(heatmaps[0].y)
    return plot["w"] / columns, plot["h"] / rows


def _categories(figure: go.Figure) -> dict[str, int]:
    """How many categories each axis of rows or columns names (heatmaps and bar charts)."""
    counts = {}
    for trace in figure.data:
        if trace.type == "heatmap":
            axes = {"x": trace.x, "y": trace.y}
        elif trace.type == "bar":
            axes = {"y": trace.y} if trace.orientation == "h" else {"x": trace.x}
        else:
            continue
        for axis, values in axes.items():
            if values is not None and all(isinstance(v, str) for v in values):
                counts[axis] = max(counts.get(axis, 0), len(set(values)))
    return counts


def problems(figure: go.Figure, drawn: dict) -> list[str]:
    """What a reader would see wrong: texts that overlap, are cut off, sit on a bar, or spill
    out of their heatmap cell, and rows or columns Plotly left unnamed for want of room."""
    found = []
    for axis, count in _categories(figure).items():
        if drawn["labelled"][axis] < count:
            found.append(f"{drawn['labelled'][axis]} of {count} {axis} categories are named")
    texts = [(kind, box) for kind, boxes in drawn["texts"].items() for box in boxes]
    for kind, box in texts:
        if not _inside(box, drawn["frame"]):
            found.append(f"{kind} {box['text']!r} is cut off by the chart's edge")
    for index, (kind, box) in enumerate(texts):
        for other_kind, other in texts[index + 1 :]:
            if _overlap(box, other):
                found.append(f"{kind} {box['text']!r} overlaps {other_kind} {other['text']!r}")
    for box in drawn["texts"]["annotation"]:
        if any(_overlap(box, bar) for bar in drawn["bars"]):
            found.append(f"annotation {box['text']!r} sits on a bar")
    cell = _cell_size(figure, drawn["plots"][0]) if drawn["plots"] else None
    for box in drawn["texts"]["cell label"]:
        if cell and (box["w"] > cell[0] - 2 or box["h"] > cell[1]):
            found.append(f"cell label {box['text']!r} is wider or taller than its cell")
    return found


def _drawn(page, figure: go.Figure, width: int, height: int | None) -> dict:
    return page.evaluate(MEASURE, [json.loads(figure.to_json()), width, height])


@pytest.mark.parametrize("size", list(SIZES))
def test_no_chart_has_overlapping_or_cut_off_text(figures, chart_page, size):
    width, height = SIZES[size].width, SIZES[size].height
    report = [
        f"{name}: {problem}"
        for name, figure in figures
        for problem in problems(figure, _drawn(chart_page, figure, width, height))
    ]
    assert not report, f"{len(report)} collisions at {size}:\n" + "\n".join(report)


def test_no_board_pack_or_presentation_chart_has_overlapping_or_cut_off_text(
    slide_figures, chart_page
):
    report = [
        f"{name} at {width}x{height}: {problem}"
        for name, figure, width, height in slide_figures
        for problem in problems(figure, _drawn(chart_page, figure, width, height))
    ]
    assert not report, f"{len(report)} collisions:\n" + "\n".join(report)


LONG_NAMES = [
    "North East Bristol and Severnside Primary Care Network",
    "Hartlepool and Stockton Health PCN",
    "Bradford City Central and Manningham Community Partnership",
    "Abbey PCN",
]


def _long_named_charts() -> list[tuple[str, go.Figure]]:
    codes = [f"U{i:05d}" for i in range(len(LONG_NAMES))]
    rates = pd.DataFrame(
        {
            "pcn_code": codes,
            "pcn_name": LONG_NAMES,
            "rate_per_1000": [6.0, 9.5, 13.0, 11.0],
            "band_position": ["below", "within", "above", "within"],
            "selected": [False, True, False, False],
            "referrals": [300, 450, 700, 500],
            "list_size": [50_000] * 4,
        }
    )
    pairs = pd.DataFrame(
        {
            "pcn_code": codes * 2,
            "pcn_name": LONG_NAMES * 2,
            "activity": ["walking"] * 4 + ["mental_health_support"] * 4,
            "demand": [120.0, 40.0, 1310.0, 8.0] * 2,
            "gap": [-314.0, 12.0, 1234.0, 0.0] * 2,
        }
    )
    return [
        ("rate by PCN", rate_by_pcn(rates, 8, 12, "IIF 2022/23 guidance", 10.2, "Rates")),
        ("PCN comparison", pcn_comparison(rates, "rate_per_1000", "Rates", "Per 1,000")),
        ("gap heatmap", gap_heatmap(pairs, "gap", codes, "Gaps")),
    ]


@pytest.mark.parametrize("size", ["390 px phone", "1440x900 full width"])
def test_long_pcn_names_wrap_and_collide_with_nothing(chart_page, size):
    width, height = SIZES[size].width, SIZES[size].height
    report = [
        f"{name}: {problem}"
        for name, figure in _long_named_charts()
        for problem in problems(figure, _drawn(chart_page, figure, width, height))
    ]
    assert not report, "\n".join(report)


def test_the_check_sees_what_the_issue_reported(chart_page):
    """A title cut by the edge, a legend over a subtitle, a label on a bar, cell numbers run
    together, and rows left unnamed: each is found."""
    crowded = go.Figure(
        layout={
            "title": {
                "text": "A title far too long to fit the width of a phone without a break",
                "subtitle": {"text": "n = 15694 referrals"},
            },
            "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom"},
            "margin": {"t": 60},
        }
    )
    crowded.add_bar(x=["a", "b"], y=[5, 6], name="One")
    crowded.add_bar(x=["a", "b"], y=[6, 5], name="Two")
    crowded.add_annotation(x="a", y=3, text="All groups 10.9", showarrow=False)
    cells = go.Figure()
    cells.add_heatmap(
        z=[[1, 2, 3] * 8] * 40,
        x=[f"Activity {i}" for i in range(24)],
        y=[f"PCN {i}" for i in range(40)],
        text=[["-314"] * 24] * 40,
        texttemplate="%{text}",
        textfont={"size": 14},
    )
    text = "\n".join(
        problem
        for figure in (crowded, cells)
        for problem in problems(figure, _drawn(chart_page, figure, 360, 450))
    )
    assert "cut off" in text
    assert "overlaps legend" in text or "legend '' overlaps title" in text
    assert "sits on a bar" in text
    assert "cell label '-314' overlaps cell label '-314'" in text
    assert "y categories are named" in text
