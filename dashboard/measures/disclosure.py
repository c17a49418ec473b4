"""Small-number suppression, after NHS England's disclosure control for sub-national figures.

A count from 1 to 7 is withheld (shown `*`); a mean, median or percentage built on 1 to 7
people is withheld; zero stays 0. Exports also round every other count to the nearest 5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SMALL_MAX = 7
MARK = "*"


@dataclass(frozen=True)
class Policy:
    suppress: bool = True
    round_to: int = 1


ON_SCREEN = Policy(suppress=True, round_to=1)
EXPORT = Policy(suppress=True, round_to=5)
OFF = Policy(suppress=False, round_to=1)


@dataclass(frozen=True)
class Protected:
    """A query result after suppression: numbers (NaN where withheld) and where it withheld."""

    frame: pd.DataFrame
    withheld: pd.DataFrame

    @property
    def any_withheld(self) -> bool:
        return bool(self.withheld.to_numpy().any())

    def display(self) -> pd.DataFrame:
        """The table as people see it: `*` in every withheld cell."""
        shown = self.frame.astype(object).copy()
        shown[self.withheld] = MARK
        return shown


def is_small(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers >= 1) & (numbers <= SMALL_MAX)


def round_count(values: pd.Series, step: int) -> pd.Series:
    if step <= 1:
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    return np.floor(numbers / step + 0.5) * step


def protect(
    frame: pd.DataFrame,
    counts: Sequence[str] = (),
    based_on: Mapping[str, str | Sequence[str]] | None = None,
    policy: Policy = ON_SCREEN,
) -> Protected:
    """Withhold small counts, and figures built on small counts.

    `counts` are columns of people or events; `based_on` maps each derived column (a mean,
    median or percentage) to the count column of the people it is built on, or to several:
    a percentage names its numerator too, since 3 declined of 400 would give the 3 away.
    """
    based_on = dict(based_on or {})
    out = frame.copy()
    withheld = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    if not policy.suppress:
        return Protected(out, withheld)
    for column in counts:
        small = is_small(frame[column])
        withheld[column] = small
        out[column] = round_count(frame[column].where(~small), policy.round_to)
    for column, n_columns in based_on.items():
        names = (n_columns,) if isinstance(n_columns, str) else tuple(n_columns)
        small = np.logical_or.reduce([is_small(frame[name]) for name in names])
        withheld[column] = withheld[column] | small
        out[column] = out[column].where(~small)
    return Protected(out, withheld)


def suppress_value(value: float | int | None, n: float | int | None, policy: Policy = ON_SCREEN):
    """One figure for a tile or JSON: `*` when it is, or is built on, 1 to 7 people."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if policy.suppress and n is not None and 1 <= n <= SMALL_MAX:
        return MARK
    return value


def export_count(value: float | int | None, policy: Policy = EXPORT) -> int | str | None:
    """A count for an export or JSON: `*` for 1 to 7, else rounded to the policy's step."""
    if value is None or pd.isna(value):
        return None
    if policy.suppress and 1 <= value <= SMALL_MAX:
        return MARK
    step = policy.round_to
    return int(np.floor(value / step + 0.5) * step) if step > 1 else int(value)


def export_figure(
    value: float | None, n: float | int | None, digits: int, policy: Policy = EXPORT
) -> float | str | None:
    """A mean, median, rate or percentage for an export: `*` when built on 1 to 7 people."""
    if value is None or pd.isna(value):
        return None
    if policy.suppress and n is not None and 1 <= n <= SMALL_MAX:
        return MARK
    return round(float(value), digits)


def protect_total(total: float | int, parts, policy: Policy = ON_SCREEN) -> int | str:
    """A total shown beside its parts: rounded to 5 when any part is withheld, so the
    withheld part cannot be worked out by subtraction."""
    parts = pd.Series(parts, dtype="float64")
    if policy.suppress and 1 <= total <= SMALL_MAX:
        return MARK
    if policy.suppress and is_small(parts).any():
        return int(np.floor(total / 5 + 0.5) * 5)
    return export_count(total, policy)
