"""A chart in one sentence, for people who cannot see it: its kind, title and what its data
says (the highest and lowest, or the first and last of a series). Worked from the figure
itself, which is drawn from disclosure-controlled data, so it says nothing the chart hides."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import plain

# More series than this and the sentence names the first ones and counts the rest.
SERIES_NAMED = 3


def number(value: float) -> str:
    """1,470, 10.9, and two decimals under 1 (a change of −0.36 per person, not −0.4)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace("-", "−")
    digits = 2 if abs(value) < 1 else 1
    return f"{value:,.{digits}f}".replace("-", "−")


def _when(value: object) -> str:
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y}" if stamp.day != 1 else f"{stamp:%b %Y}"


def _is_time(values: Sequence) -> bool:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, pd.Timestamp | np.datetime64) or hasattr(sample, "isoformat"):
        return True
    return isinstance(sample, str) and bool(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?.*", sample))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _listed(values) -> list:
    # Plotly keeps data as tuples or numpy arrays, whose truth value is ambiguous.
    return [] if values is None else list(values)


def _names(trace, count: int) -> list:
    """What each point of a scatter of numbers against numbers is: the first column of its
    hover data (a PCN's name), else its text, else its position."""
    custom = _listed(trace.customdata)
    if len(custom) == count and all(len(_listed(c)) and isinstance(c[0], str) for c in custom):
        return [c[0] for c in custom]
    text = _listed(trace.text)
    if len(text) == count and all(isinstance(t, str) and t for t in text):
        return text
    return list(range(1, count + 1))


def _pairs(trace) -> tuple[list, list]:
    """(what each point is, its value) for a bar or scatter trace. The value is on the axis
    of numbers; when both axes are numbers (a funnel plot), it is the vertical one."""
    xs, ys = _listed(trace.x), _listed(trace.y)
    if getattr(trace, "orientation", None) == "h" or (
        xs and all(_is_number(x) or x is None for x in xs) and ys and not _is_number(ys[0])
    ):
        return ys, xs
    if not xs:
        return list(range(1, len(ys) + 1)), ys
    if all(_is_number(x) or x is None for x in xs):
        return _names(trace, len(ys)), ys
    return xs, ys


def _present(values: list) -> list[int]:
    return [
        i
        for i, v in enumerate(values)
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and v != ""
    ]


def _series(trace) -> str | None:
    categories, values = _pairs(trace)
    kept = _present(values)
    try:
        numbers = [float(values[i]) for i in kept]
    except (TypeError, ValueError):
        return None
    if not numbers:
        return None
    name = plain(trace.name) if trace.name else ""
    withheld = len(values) - len(kept)
    hidden = f", {withheld} withheld" if withheld else ""
    label = f"{name}: " if name else ""
    if _is_time([categories[i] for i in kept]):
        first, last = kept[0], kept[-1]
        top = max(kept, key=lambda i: float(values[i]))
        return (
            f"{label}{number(float(values[first]))} in {_when(categories[first])} to "
            f"{number(float(values[last]))} in {_when(categories[last])}, highest "
            f"{number(float(values[top]))} in {_when(categories[top])}{hidden}"
        )
    if len(kept) == 1:
        return f"{label}{plain(str(categories[kept[0]]))} {number(numbers[0])}{hidden}"
    top = max(kept, key=lambda i: float(values[i]))
    low = min(kept, key=lambda i: float(values[i]))
    return (
        f"{label}{len(kept)} values, highest {number(float(values[top]))} "
        f"({plain(str(categories[top]))}), lowest {number(float(values[low]))} "
        f"({plain(str(categories[low]))}){hidden}"
    )


def _heatmap(trace) -> str | None:
    rows, columns = _listed(trace.y), _listed(trace.x)
    cells = [
        (float(v), r, c)
        for r, row in enumerate(_listed(trace.z))
        for c, v in enumerate(row)
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    ]
    if not cells:
        return None
    top, low = max(cells), min(cells)

    def where(cell) -> str:
        _, r, c = cell
        row = plain(str(rows[r])) if r < len(rows) else str(r + 1)
        column = plain(str(columns[c])) if c < len(columns) else str(c + 1)
        return f"{row}, {column}"

    return (
        f"{len(rows)} rows by {len(columns)} columns, highest {number(top[0])} ({where(top)}), "
        f"lowest {number(low[0])} ({where(low)})"
    )


def _kind(traces: list) -> str:
    types = {t.type for t in traces}
    if types == {"heatmap"}:
        return "Heatmap"
    if types == {"bar"}:
        return "Bar chart"
    if "bar" in types:
        return "Bar and line chart"
    modes = {getattr(t, "mode", "") or "" for t in traces}
    if any("lines" in m for m in modes) and all(
        _is_time(_listed(t.x)) for t in traces if t.type == "scatter"
    ):
        return "Line chart"
    return "Chart"


def summary(figure: go.Figure) -> str:
    """One sentence: '<kind>: <title>. <series>; <series>.'"""
    title = plain((figure.layout.title.text or "").split("<br>")[0]) or "untitled"
    # Decoration (joining lines, control limits without hover) and text-only marks (the `*`
    # over a withheld month) carry no data of their own.
    traces = [
        t
        for t in figure.data
        if getattr(t, "hoverinfo", None) != "skip" and getattr(t, "mode", None) != "text"
    ]
    parts = [
        text
        for text in (_heatmap(t) if t.type == "heatmap" else _series(t) for t in traces)
        if text
    ]
    if not parts:
        notes = [plain(a.text) for a in figure.layout.annotations if a.text]
        return f"{title}: {notes[0] if notes else 'no data for this selection'}."
    named = parts[:SERIES_NAMED]
    more = len(parts) - len(named)
    tail = f"; and {more} more series" if more else ""
    return f"{_kind(traces)}: {title}. {'; '.join(named)}{tail}."
