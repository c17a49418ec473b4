"""Statistical process control for monthly series: the XmR chart NHS England's Making Data
Count asks of board reports, with the special-cause rules as NHSRplotthedots applies them.

Limits are the mean +/- 2.66 x the mean moving range (the moving ranges are not screened for
outliers first, as in NHSRplotthedots' default). A point shows special cause when it is
beyond a limit; part of a run of 7 or more on one side of the mean (a shift); part of 7 or
more points each rising or each falling (a trend); or two of three points beyond two sigma
(2/3 of the way to a limit) on the same side. Points on the mean break a run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import pandas as pd

LIMIT = 2.66
RUN = 7


def _runs(flags: list[int], length: int) -> list[int]:
    """For each point, +1 or -1 where it is part of a run of `length` or more of that sign."""
    marked = [0] * len(flags)
    start = 0
    for index in range(1, len(flags) + 1):
        if index == len(flags) or flags[index] != flags[start]:
            if flags[start] and index - start >= length:
                for i in range(start, index):
                    marked[i] = flags[start]
            start = index
    return marked


def xmr(values: Sequence[float]) -> pd.DataFrame:
    """Per point: value, mean, lower and upper process limits, and special_cause ("high",
    "low" or None). Fewer than two points give no limits and no special cause."""
    points = [float(v) for v in values]
    frame = pd.DataFrame({"value": points})
    if len(points) < 2:
        frame[["mean", "lower", "upper"]] = math.nan
        frame["special_cause"] = None
        return frame
    mean = sum(points) / len(points)
    moving = [abs(b - a) for a, b in pairwise(points)]
    spread = LIMIT * sum(moving) / len(moving)
    lower, upper = mean - spread, mean + spread
    sigma2 = spread * 2 / 3
    side = [(p > mean) - (p < mean) for p in points]
    shift = _runs(side, RUN)
    steps = [0] + [(b > a) - (b < a) for a, b in pairwise(points)]
    # A trend of 7 points is 6 steps in one direction; the first point of it counts too.
    trend = _runs(steps, RUN - 1)
    for i in range(len(trend) - 1):
        if trend[i + 1] and not trend[i]:
            trend[i] = trend[i + 1]
    beyond2 = [(p > mean + sigma2) - (p < mean - sigma2) for p in points]
    two_of_three = [0] * len(points)
    for i in range(len(points) - 2):
        window = beyond2[i : i + 3]
        for sign in (1, -1):
            if window.count(sign) >= 2:
                for j in range(i, i + 3):
                    if beyond2[j] == sign:
                        two_of_three[j] = sign
    causes = []
    for i, point in enumerate(points):
        outside = (point > upper) - (point < lower)
        sign = outside or shift[i] or trend[i] or two_of_three[i]
        causes.append({1: "high", -1: "low"}.get(sign))
    frame["mean"], frame["lower"], frame["upper"] = mean, lower, upper
    frame["special_cause"] = pd.Series(causes, dtype=object)
    return frame


def variation(causes: Sequence[str | None]) -> str:
    """The variation icon's words for a measure where neither direction is better. Making
    Data Count's icon speaks of the latest point, and says so: earlier months may still show
    special cause."""
    latest = causes[-1] if causes else None
    if latest is None:
        return "Common cause variation in the latest month"
    return f"Special cause variation in the latest month: unusually {latest}"


def assurance(lower: float, upper: float, low_target: float, high_target: float) -> str:
    """Whether the process limits sit inside a target band (referrals per 1,000 a year)."""
    if math.isnan(lower) or math.isnan(upper):
        return "Too few points to assure"
    if low_target <= lower and upper <= high_target:
        return "Consistently within the band"
    if upper < low_target or lower > high_target:
        return "Consistently outside the band"
    return "Hit and miss: the band lies inside the process limits"
