"""Plain-English findings that chart titles and key messages state."""

from __future__ import annotations

import pandas as pd

from dashboard.measures import formats
from dashboard.measures.filters import Filters


def band_finding(rates: pd.DataFrame) -> str:
    """E.g. `4 of 30 PCNs refer below the planning band`."""
    if rates.empty:
        return "No PCNs loaded"
    total = len(rates)
    below = int((rates["band_position"] == "below").sum())
    above = int((rates["band_position"] == "above").sum())
    within = total - below - above
    if below:
        return (
            f"{below} of {total} PCNs refer below the planning band "
            f"({within} within, {above} above)"
        )
    return f"All {total} PCNs refer at or above the planning band ({above} above)"


def versus(filters: Filters) -> str:
    """What a change is against, short enough for a tile: `vs last year` for a whole
    financial year, else `vs previous` (the tile's help names the period)."""
    return "vs last year" if filters.financial_years == 1 else "vs previous"


def previous_sentence(filters: Filters) -> str:
    """`Change compared with 1 Apr 2024 to 31 Mar 2025.`: what a tile's change is against."""
    earlier = filters.previous()
    return f"Change compared with {formats.period(earlier.date_from, earlier.date_to)}."


def change_phrase(current: float | None, previous: float | None, against: str) -> str | None:
    """`+14% vs last year`, or None when there is nothing to compare."""
    if current is None or previous in (None, 0) or pd.isna(current) or pd.isna(previous):
        return None
    change = (current - previous) / previous * 100
    return f"{formats.signed_percent(change)} {against}"
