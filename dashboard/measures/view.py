"""What every surface draws: a View (a chart with the data behind it) or a Tile (a headline).

Every page, presentation mode, the board pack and `summary --json` take their numbers from
Views and Tiles built here, by the domain modules, through `build`: it passes the query's
frame through the disclosure gate first and hands the chart builder only the shown frame, so
no exact count can reach a chart, a CSV or a slide. A View keeps no exact data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.measures.disclosure import Disclosed, Policy, Rules, disclose

Runner = Callable[[str, Mapping[str, Any]], pd.DataFrame]


@dataclass(frozen=True)
class View:
    """A chart ready to draw: its figure, the shown data its CSV is made from, a caption and
    the key messages a slide or presentation shows beside it."""

    key: str
    figure: go.Figure
    shown: Disclosed
    caption: str | None = None
    messages: tuple[str, ...] = ()

    @property
    def withheld(self) -> bool:
        return self.shown.any_withheld

    @property
    def title(self) -> str:
        """The chart's title as plain text, for a slide heading."""
        return plain_title(self.figure.layout.title.text or "")


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
    caption: Text = None,
    messages: Callable[[pd.DataFrame], Sequence[str]] | Sequence[str] = (),
    policy: Policy | None = None,
) -> View:
    """A View whose chart, caption and messages are made from `data` after the disclosure
    gate, never before. `derive` adds columns computed from the shown values (a band
    position, a rank) before anything is drawn; it keeps the rows as they are."""
    shown = disclose(data, rules, policy)
    if derive is not None:
        frame = derive(shown.frame.copy())
        withheld = shown.withheld.reindex(columns=frame.columns, fill_value=False)
        shown = Disclosed(frame, withheld)
    if callable(caption):
        caption = caption(shown.frame)
    if callable(messages):
        messages = messages(shown.frame)
    return View(key, draw(shown.frame), shown, caption, tuple(messages))
