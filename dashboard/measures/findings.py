"""Plain-English findings that chart titles and key messages state."""

from __future__ import annotations

import pandas as pd


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


def change_phrase(current: float | None, previous: float | None) -> str | None:
    """`+14% on the previous period`, or None when there is nothing to compare."""
    if current is None or previous in (None, 0) or pd.isna(current) or pd.isna(previous):
        return None
    change = (current - previous) / previous * 100
    return f"{change:+.0f}% on the previous period"
