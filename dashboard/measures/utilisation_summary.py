"""`utilisation` in `summary --json`: the shown figures of the Utilisation views, per window."""

from __future__ import annotations

from typing import Any

from dashboard.measures.disclosure import records
from dashboard.measures.filters import Filters
from dashboard.measures.utilisation import (
    DIGITS,
    did_view,
    has_comparison,
    shown_summary,
    window_options,
)
from dashboard.measures.view import Runner


def _rounded(value: Any, digits: int) -> Any:
    return (
        round(value, digits)
        if isinstance(value, float | int) and not isinstance(value, bool)
        else value
    )


def _summary_rows(run: Runner, filters: Filters, window: int) -> list[dict[str, Any]]:
    shown = records(shown_summary(run, filters, window))
    did, comparison = {}, {}
    if has_comparison(run, filters, window):
        did = {row["setting"]: row for row in records(did_view(run, filters, window).shown)}
        comparison = {
            row["setting"]: row
            for row in records(shown_summary(run, filters, window, "comparison"))
        }
    out = []
    for row in shown:
        item: dict[str, Any] = {
            "setting": row["setting"],
            "window_months": window,
            "n_people": row["n_people"],
            "people_not_elapsed": row["n_not_elapsed"],
            "before_per_person": _rounded(row["before_per_person"], DIGITS),
            "after_per_person": _rounded(row["after_per_person"], DIGITS),
            "pct_change": _rounded(row["pct_change"], 1),
        }
        if row["setting"] in did:
            other = comparison[row["setting"]]
            item["comparison"] = {
                "n_people": other["n_people"],
                "before_per_person": _rounded(other["before_per_person"], DIGITS),
                "after_per_person": _rounded(other["after_per_person"], DIGITS),
                "pct_change": _rounded(other["pct_change"], 1),
            }
            item["difference_in_differences"] = _rounded(did[row["setting"]]["did"], DIGITS)
        out.append(item)
    return out


def summary_section(run: Runner, filters: Filters) -> list[dict[str, Any]]:
    """`utilisation` for `summary --json`: per window length (the most common first) and
    setting, the referred cohort, and the comparison cohort and the difference in differences
    beside it when one is loaded on that window. Under the policy in force."""
    return [
        row
        for window in window_options(run, filters)
        for row in _summary_rows(run, filters, window)
    ]
