"""Disclosure control: the one gate every number passes before it reaches a person.

The rule, after NHS England's disclosure control for sub-national figures, made to hold
against differencing:

- A count of 1 to 7 people (or referrals, or events) is withheld and shown `*`; zero stays 0.
- Every other count is rounded to the nearest 5, on screen and in every export alike, so a
  withheld count cannot be worked out by subtracting the counts shown beside it, on another
  page, for another filter, or in a download: every shown count is off by up to 2.
- Every rate, percentage or mean of counts is recomputed from the rounded counts (and is
  withheld when its numerator or denominator is withheld), so multiplying it by its shown or
  public denominator (list sizes are public) gives back only the rounded count. Its interval
  is recomputed from the rounded counts too.
- A mean, median or other figure built on 1 to 7 people is withheld; others are rounded to a
  fixed number of decimals.

`Rules` say which columns of a frame are counts, ratios of counts, and figures built on n
people; `disclose` applies them. Only the analysts' flag `summary --no-suppression` uses `OFF`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from dashboard.measures import formats
from dashboard.measures.statistics import byars_interval, wilson_interval

SMALL_MAX = 7
ROUND_TO = 5
MARK = "*"
FEWER_THAN = f"fewer than {SMALL_MAX + 1}"
WITHHELD_NOTE = (
    "`*` marks a figure withheld because it counts, or is built on, 1 to 7 people. Every other "
    "count is rounded to the nearest 5, and rates and percentages are worked from the rounded "
    "counts (disclosure control)."
)


@dataclass(frozen=True)
class Policy:
    suppress: bool = True
    round_to: int = ROUND_TO


PROTECTED = Policy()
OFF = Policy(suppress=False, round_to=1)
# The policy in force; only `summary --no-suppression` ever changes it, through `applying`.
_POLICY: ContextVar[Policy] = ContextVar("disclosure_policy", default=PROTECTED)


@contextmanager
def applying(policy: Policy) -> Iterator[None]:
    """Compute everything inside the block under `policy` (OFF for the analysts' flag)."""
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def current_policy() -> Policy:
    return _POLICY.get()


@dataclass(frozen=True)
class Ratio:
    """A figure that is `numerator / denominator x per`, recomputed from the shown counts.

    `denominator` names a count column (rounded and withheld like any count) or, with
    `public=True`, an exposure that is public or not a count (patient-years from list sizes),
    which is used as it is. With no denominator the figure is the numerator times `per`.
    `interval` names the columns of its 95% interval, recomputed by `method`: `wilson` for a
    proportion, `byars` for a Poisson rate, `shift` to move an interval computed elsewhere (a
    t interval of a mean) by the difference the rounding made.
    """

    numerator: str
    denominator: str | None = None
    per: float = 1.0
    public: bool = False
    interval: tuple[str, str] | None = None
    method: Literal["wilson", "byars", "shift"] | None = None
    digits: int = 1


@dataclass(frozen=True)
class Built:
    """A figure built on the people counted in `n` (a mean score, a median wait)."""

    n: str | tuple[str, ...]
    digits: int = 2


@dataclass(frozen=True)
class Rules:
    counts: tuple[str, ...] = ()
    ratios: Mapping[str, Ratio] = field(default_factory=dict)
    built: Mapping[str, Built] = field(default_factory=dict)

    def columns(self) -> set[str]:
        intervals = {c for r in self.ratios.values() if r.interval for c in r.interval}
        return {*self.counts, *self.ratios, *self.built, *intervals}

    def within(self, columns: Iterable[str]) -> Rules:
        """The rules for a frame holding only `columns` (a table showing some of them).
        A figure kept without the counts it is worked from cannot be made safe: that raises."""
        have = set(columns)

        def needs(rule: Ratio | Built) -> set[str]:
            if isinstance(rule, Built):
                return {rule.n} if isinstance(rule.n, str) else set(rule.n)
            return {rule.numerator, *([rule.denominator] if rule.denominator else [])}

        kept = {**self.ratios, **self.built}
        lacking = {c: needs(r) - have for c, r in kept.items() if c in have and needs(r) - have}
        if lacking:
            raise KeyError(f"figures shown without the counts they are built on: {lacking}")
        kept_rules = Rules(
            counts=tuple(c for c in self.counts if c in have),
            ratios={
                c: r if not r.interval or set(r.interval) <= have else replace(r, interval=None)
                for c, r in self.ratios.items()
                if c in have
            },
            built={c: r for c, r in self.built.items() if c in have},
        )
        uncovered = (self.columns() & have) - kept_rules.columns()
        if uncovered:
            raise KeyError(f"interval columns shown without their figure: {sorted(uncovered)}")
        return kept_rules


@dataclass(frozen=True)
class Disclosed:
    """A frame after the gate: numbers as shown (NaN where withheld) and where it withheld."""

    frame: pd.DataFrame
    withheld: pd.DataFrame

    @property
    def any_withheld(self) -> bool:
        return bool(self.withheld.to_numpy().any())

    def take(self, index: pd.Index) -> Disclosed:
        """These rows, in this order, with their withheld marks."""
        return Disclosed(self.frame.loc[index], self.withheld.loc[index])

    def display(self) -> pd.DataFrame:
        """The table as people see it: `*` in every withheld cell."""
        shown = self.frame.astype(object).copy()
        for column in self.frame.columns:
            values = self.frame[column]
            # Rounded counts are floats inside (NaN where withheld): show 1,235, not 1235.0.
            if values.dtype.kind == "f" and (values.dropna() % 1 == 0).all():
                shown[column] = pd.Series(
                    [None if pd.isna(v) else int(v) for v in values],
                    index=values.index,
                    dtype=object,
                )
        shown[self.withheld] = MARK
        return shown

    def text(self, columns: Mapping[str, str] | Sequence[str] | None = None) -> pd.DataFrame:
        """The table for a screen or slide, every cell as text: `*` where withheld, counts
        as `1,235`, negatives with a true minus, dates as `1 Apr 2025`, codes by their names
        (`Family and friends`), empty where there is no figure. `columns` picks and orders
        the columns; a mapping also gives them their headings. (A table widget cannot hold
        numbers and `*` in one column; the CSV keeps the numbers and codes: `display`.)"""
        names = list(self.frame.columns) if columns is None else list(columns)
        shown = pd.DataFrame(
            {
                column: [
                    MARK if hidden else _cell(column, value)
                    for value, hidden in zip(self.frame[column], self.withheld[column], strict=True)
                ]
                for column in names
            },
            index=self.frame.index,
            dtype=object,
        )
        return shown.rename(columns=columns) if isinstance(columns, Mapping) else shown


# Columns whose values are contract codes, shown by their names (formats.label).
CODED_COLUMNS = frozenset(
    {"activity", "category", "cohort", "domain", "ethnicity", "extract", "funding", "kind",
     "measure", "nihr_group", "reason", "referral_source", "result", "setting", "sex", "stage",
     "status"}
)  # fmt: skip


def _cell(column: str, value: Any) -> str:
    """One shown value as text (see `Disclosed.text`)."""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return formats.label(value) if column in CODED_COLUMNS else value
    if _missing(value):
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        stamp = pd.Timestamp(value)
        has_time = stamp != stamp.normalize()
        return formats.day(stamp) + (f" {stamp:%H:%M}" if has_time else "")
    if isinstance(value, date):
        return formats.day(value)
    if isinstance(value, int | np.integer | float | np.floating):
        number = float(value)
        if number.is_integer():
            return formats.number(number)
        # Shown figures are rounded already: keep the decimals they have.
        decimals = len(f"{number:.3f}".rstrip("0").split(".")[1])
        return formats.number(number, decimals)
    return str(value)


# Scalars --------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def small(value: Any) -> bool:
    """True for a count of 1 to 7."""
    return not _missing(value) and 1 <= float(value) <= SMALL_MAX


def count(value: Any, policy: Policy | None = None) -> int | None:
    """A count as shown: None when withheld or missing, else rounded to the policy's step."""
    policy = policy or _POLICY.get()
    if _missing(value) or (policy.suppress and small(value)):
        return None
    step = policy.round_to
    return int(math.floor(float(value) / step + 0.5) * step) if step > 1 else int(value)


def exported(value: Any, policy: Policy | None = None) -> int | str | None:
    """A count for JSON: `*` for 1 to 7, None for none, else rounded."""
    if _missing(value):
        return None
    shown = count(value, policy)
    return MARK if shown is None else shown


def count_text(value: Any, policy: Policy | None = None) -> str:
    """A count for a title, tile or message: `*` for 1 to 7, `-` for none, else `1,235`."""
    policy = policy or _POLICY.get()
    if _missing(value):
        return "-"
    shown = count(value, policy)
    return MARK if shown is None else formats.number(shown)


def people_text(value: Any, policy: Policy | None = None) -> str:
    """A count in a sentence: `fewer than 8` for 1 to 7."""
    policy = policy or _POLICY.get()
    shown = count_text(value, policy)
    return FEWER_THAN if shown == MARK else shown


def ratio(
    numerator: Any, denominator: Any = None, per: float = 1.0, *, public: bool = False,
    policy: Policy | None = None,
) -> float | None:  # fmt: skip
    """`numerator / denominator x per` from the shown counts; None when withheld or empty."""
    policy = policy or _POLICY.get()
    top = count(numerator, policy)
    if top is None:
        return None
    if denominator is None:
        return top * per
    bottom = float(denominator) if public else count(denominator, policy)
    if bottom is None or _missing(bottom) or not bottom:
        return None
    return top / bottom * per


def built(value: Any, n: Any, policy: Policy | None = None) -> float | None:
    """A figure built on n people: None when n is 1 to 7 or the figure is missing."""
    policy = policy or _POLICY.get()
    if _missing(value) or (policy.suppress and small(n)):
        return None
    return float(value)


def figure_text(value: Any, template: str | Callable[[float], str] = "{:.1f}") -> str:
    """A shown figure for text: `*` when withheld (None or NaN), else written by `template`:
    a format string (`{:.0f}%`, its minus made a true one) or a function of
    dashboard.measures.formats (`formats.money`)."""
    if _missing(value):
        return MARK
    return template(value) if callable(template) else formats.true_minus(template.format(value))


# Frames ---------------------------------------------------------------------------------------


# Each column is read and rounded once, as a float64 numpy array: a frame's rules name the same
# counts many times (a numerator in several ratios, an n under several figures), and pandas
# operations cost far more per call than the few rows a shown frame has.


def _numbers(values: pd.Series) -> np.ndarray:
    """A column as float64 numbers, NaN where a value is not a number."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":
        return values.to_numpy(dtype="float64")
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()


def _round_counts(numbers: np.ndarray, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Counts as shown (NaN where withheld) and where they are withheld."""
    withheld = (numbers >= 1) & (numbers <= SMALL_MAX) & policy.suppress
    step = policy.round_to
    rounded = np.floor(numbers / step + 0.5) * step if step > 1 else numbers
    return np.where(withheld, np.nan, rounded), withheld


def _interval(rule: Ratio, top: np.ndarray, bottom: np.ndarray | None):
    """The interval of a recomputed ratio from the shown counts: (low, high) arrays."""
    if rule.method == "wilson":
        pairs = [
            wilson_interval(x, n) if pd.notna(x) and pd.notna(n) and n else (math.nan, math.nan)
            for x, n in zip(top.tolist(), bottom.tolist(), strict=True)
        ]
        scale = rule.per
    else:
        pairs = [byars_interval(x) if pd.notna(x) else (math.nan, math.nan) for x in top.tolist()]
        scale = rule.per / bottom if bottom is not None else rule.per
    low = np.array([p[0] for p in pairs], dtype="float64") * scale
    high = np.array([p[1] for p in pairs], dtype="float64") * scale
    return low, high


def _digits(values: np.ndarray, digits: int, policy: Policy) -> np.ndarray:
    """Shown figures to a fixed number of decimals; the analysts' exact figures in full."""
    return np.round(values, digits) if policy.suppress else values


class _Columns:
    """A frame's columns as numbers, each converted and rounded once (see `_numbers`)."""

    def __init__(self, frame: pd.DataFrame, policy: Policy):
        self._frame, self._policy = frame, policy
        self._numbers: dict[str, np.ndarray] = {}
        self._rounded: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def numbers(self, column: str) -> np.ndarray:
        if column not in self._numbers:
            self._numbers[column] = _numbers(self._frame[column])
        return self._numbers[column]

    def rounded(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """The column as shown counts, and where they are withheld."""
        if column not in self._rounded:
            self._rounded[column] = _round_counts(self.numbers(column), self._policy)
        return self._rounded[column]


def disclose(frame: pd.DataFrame, rules: Rules, policy: Policy | None = None) -> Disclosed:
    """Apply the rule to every column `rules` names; other columns pass unchanged."""
    policy = policy or _POLICY.get()
    missing = rules.columns() - set(frame.columns)
    if missing:
        raise KeyError(f"disclosure rules name columns the frame lacks: {sorted(missing)}")
    exact = _Columns(frame, policy)
    shown: dict[str, np.ndarray] = {}
    withheld: dict[str, np.ndarray] = {}
    # Off (the analysts' flag), counts pass exact, but ratios and their intervals are still
    # worked out, from the exact counts.
    for column in rules.counts:
        shown[column], withheld[column] = exact.rounded(column)
    # Dividing by a withheld (NaN) or zero count gives NaN, by design: numpy need not warn.
    with np.errstate(divide="ignore", invalid="ignore"):
        for column, rule in rules.ratios.items():
            _disclose_ratio(column, rule, exact, shown, withheld, policy)
    for column, rule in rules.built.items():
        names = (rule.n,) if isinstance(rule.n, str) else rule.n
        hidden = np.logical_or.reduce([exact.rounded(name)[1] for name in names])
        # A count built on other people (a shortfall of places, on the demand) stays rounded.
        values = shown[column] if column in rules.counts else exact.numbers(column)
        shown[column] = _digits(np.where(hidden, np.nan, values), rule.digits, policy)
        withheld[column] = withheld.get(column, False) | hidden
    return Disclosed(_with_columns(frame, shown), _flags(frame, withheld))


def _disclose_ratio(
    column: str,
    rule: Ratio,
    exact: _Columns,
    shown: dict[str, np.ndarray],
    withheld: dict[str, np.ndarray],
    policy: Policy,
) -> None:
    """The shown ratio `column` (and its interval) from the shown counts, into `shown`."""
    top, hidden = exact.rounded(rule.numerator)
    bottom = None
    if rule.denominator is None:
        value = top * rule.per
    else:
        if rule.public:
            bottom = exact.numbers(rule.denominator)
        else:
            bottom, bottom_withheld = exact.rounded(rule.denominator)
            hidden = hidden | bottom_withheld
        value = (top / np.where(bottom != 0, bottom, np.nan)) * rule.per
    figure = exact.numbers(column)
    value = _digits(np.where(~hidden & ~np.isnan(figure), value, np.nan), rule.digits, policy)
    shown[column] = value
    withheld[column] = hidden
    if rule.interval:
        low_name, high_name = rule.interval
        if rule.method == "shift":
            moved = value - figure
            low = exact.numbers(low_name) + moved
            high = exact.numbers(high_name) + moved
        else:
            low, high = _interval(rule, top, bottom)
        unshown = np.isnan(value)
        shown[low_name] = _digits(np.where(unshown, np.nan, low), rule.digits, policy)
        shown[high_name] = _digits(np.where(unshown, np.nan, high), rule.digits, policy)
        withheld[low_name] = hidden
        withheld[high_name] = hidden


def _with_columns(frame: pd.DataFrame, shown: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """`frame` with the `shown` columns in place of its own."""
    out = frame.copy()
    for column, values in shown.items():
        out[column] = values
    return out


def _flags(frame: pd.DataFrame, withheld: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Where `frame` is withheld: a bool frame like it, True in the `withheld` cells."""
    flags = np.zeros(frame.shape, dtype=bool)
    positions = {name: index for index, name in enumerate(frame.columns)}
    for column, hidden in withheld.items():
        flags[:, positions[column]] = hidden
    return pd.DataFrame(flags, index=frame.index, columns=frame.columns)


def records(shown: Disclosed, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows for JSON: `*` where withheld, None where there is no figure, plain numbers."""
    table = shown.display()
    if columns is not None:
        table = table[columns]
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")]


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if _missing(value):
        return None
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, np.floating | float):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value
