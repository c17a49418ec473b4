"""What every surface draws: a View (a chart with the data behind it) or a Tile (a headline).

Every page, presentation mode, the board pack and `summary --json` take their numbers from
Views and Tiles built here, by the domain modules, through `build`: it passes the query's
frame through the disclosure gate first and hands the chart builder only the shown frame, so
no exact count can reach a chart, a CSV or a slide. A View keeps no exact data.

A View's figure is drawn the first time something asks for it, not when the View is built:
a board pack's executive summary needs every view's figures and headline, not their charts,
and a slide's chart is drawn when the slide is shown or exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import pandas as pd
import plotly.graph_objects as go

from dashboard.measures.disclosure import Disclosed, Policy, Rules, disclose

Runner = Callable[[str, Mapping[str, Any]], pd.DataFrame]
Made = TypeVar("Made")

_ONCE: WeakKeyDictionary[Runner, dict[Hashable, Any]] = WeakKeyDictionary()


def once(run: Runner, key: Hashable, make: Callable[[], Made]) -> Made:
    """`make()` once per `run` and `key`, for figures several views of a board pack or a page
    work out from the same query results. A runner is made for each view the dashboard caches,
    each pack and each command, so nothing kept here outlives the data it was made from. What
    comes back is shared: read it, never change it."""
    made = _ONCE.setdefault(run, {})
    if key not in made:
        made[key] = make()
    return made[key]


@dataclass(frozen=True)
class View:
    """A chart ready to draw: its figure, the shown data its CSV is made from, a caption and
    the key messages a slide or presentation shows beside it."""

    key: str
    draw: Callable[[], go.Figure]  # the figure, drawn once, when first asked for
    shown: Disclosed
    caption: str | None = None
    messages: tuple[str, ...] = ()
    heading: str | None = None  # the chart's title, when known without drawing it

    @property
    def figure(self) -> go.Figure:
        return self.draw()

    @property
    def withheld(self) -> bool:
        return self.shown.any_withheld

    @property
    def title(self) -> str:
        """The chart's title as plain text, for a slide heading."""
        return plain_title(self.heading or self.figure.layout.title.text or "")


def plain_title(title: str) -> str:
    """A chart title without Plotly's subtitle and markup."""
    return re.sub(r"<[^>]+>", "", title.split("<br>")[0]).strip()


@dataclass(frozen=True)
class Tile:
    """A headline figure: its label, shown value, change on the previous period and help."""

    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"
    help: str | None = None


Text = str | Callable[[pd.DataFrame], str] | None


def build(
    key: str,
    data: pd.DataFrame,
    rules: Rules,
    draw: Callable[[pd.DataFrame], go.Figure],
    *,
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    title: Text = None,
    caption: Text = None,
    messages: Callable[[pd.DataFrame], Sequence[str]] | Sequence[str] = (),
    policy: Policy | None = None,
) -> View:
    """A View whose chart, title, caption and messages are made from `data` after the
    disclosure gate, never before. `derive` adds columns computed from the shown values (a
    band position, a rank) before anything is drawn; it keeps the rows as they are. `title`
    is the title `draw` gives the chart, for a View whose title is read without its chart."""
    shown = disclose(data, rules, policy)
    if derive is not None:
        frame = derive(shown.frame.copy())
        withheld = shown.withheld.reindex(columns=frame.columns, fill_value=False)
        shown = Disclosed(frame, withheld)
    if callable(title):
        title = title(shown.frame)
    if callable(caption):
        caption = caption(shown.frame)
    if callable(messages):
        messages = messages(shown.frame)
    # Drawn from a copy, so that what a caller does to the shown frame meanwhile (or the chart
    # to its own) cannot change the chart or the CSV.
    frame = shown.frame.copy()
    return View(key, cache(lambda: draw(frame)), shown, caption, tuple(messages), title)
