"""Funnel-plot control limits for comparing PCNs of different sizes.

Spiegelhalter DJ, "Funnel plots for comparing institutional performance", Statistics in
Medicine 2005;24:1185-1202: each PCN's figure is plotted against its size, with limits around
the ICB value (the target) that narrow as the size grows, so a PCN of 8 people is not ranked
against a PCN of 800. Limits use the normal approximation the paper gives, on the scale shown:

- a proportion p of n people: target +/- z * sqrt(target x (1 - target) / n);
- a rate per `per` of exposure E (patient-years): target +/- z * sqrt(target x per / E),
  the Poisson variance of the count scaled to the rate.

95% limits (z 1.960) are warnings; a PCN beyond the 99.8% limits (z 3.090) is named.

PCNs often vary more than chance alone allows (different populations, different services), and
then most of them fall outside limits of chance alone. As the paper recommends, the spread is
then widened by the square root of the overdispersion factor phi, the mean squared z-score of
the PCNs after Winsorising the 10% most extreme at each end, when k x phi exceeds the 95th
centile of chi-squared on k - 1 degrees of freedom (Wilson-Hilferty approximation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from dashboard.charts.funnel_plot import funnel_plot
from dashboard.measures.disclosure import Rules
from dashboard.measures.statistics import Z95, Z998
from dashboard.measures.view import View, build

Kind = Literal["proportion", "rate"]
LEVELS = {"95": Z95, "998": Z998}


def _spread(target: float, sizes, kind: Kind, per: float) -> np.ndarray:
    """The standard error of a PCN's figure at each size, if the ICB value held for it."""
    sizes = np.asarray(sizes, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            p = target / per
            spread = np.sqrt(p * (1 - p) / sizes) * per
        else:
            spread = np.sqrt(target * per / sizes)
    return np.where(sizes > 0, spread, np.nan)


def overdispersion(values, sizes, target: float, kind: Kind, per: float) -> float:
    """Spiegelhalter's multiplicative overdispersion factor phi, or 1 when the PCNs vary no
    more than chance allows (or there are too few to tell)."""
    values = np.asarray(values, dtype="float64")
    # A zero spread (an ICB value of 0, before any referral) gives no z: dropped below.
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (values - target) / _spread(target, sizes, kind, per)
    z = np.sort(z[np.isfinite(z)])
    k = len(z)
    if k < 5:
        return 1.0
    cut = int(np.floor(0.1 * k))
    if cut:
        z = np.clip(z, z[cut], z[k - 1 - cut])
    phi = float(np.mean(z**2))
    df = k - 1
    critical = df * (1 - 2 / (9 * df) + 1.6448536269514722 * np.sqrt(2 / (9 * df))) ** 3
    return phi if k * phi > critical and phi > 1 else 1.0


def limits(target: float, sizes, kind: Kind, per: float = 100.0, z: float = Z95, phi: float = 1.0):
    """(low, high) arrays of the limits at each size; NaN where the size is 0 or missing."""
    spread = _spread(target, sizes, kind, per) * np.sqrt(phi)
    low = np.maximum(target - z * spread, 0.0)
    high = target + z * spread
    if kind == "proportion":
        high = np.minimum(high, per)
    return low, high


def with_limits(
    frame: pd.DataFrame, value: str, size: str, target: float | None, kind: Kind, per: float
) -> pd.DataFrame:
    """`frame` with each row's 95% and 99.8% limits at its size, and `outside`: `above` or
    `below` the 99.8% limits, else empty. Rows without a value (withheld) get none."""
    out = frame.copy()
    if target is None or pd.isna(target):
        for column in ("low_95", "high_95", "low_998", "high_998", "overdispersion"):
            out[column] = np.nan
        out["outside"] = None
        return out
    phi = overdispersion(out[value], out[size], target, kind, per)
    out["overdispersion"] = round(phi, 3)
    for level, z in LEVELS.items():
        out[f"low_{level}"], out[f"high_{level}"] = limits(target, out[size], kind, per, z, phi)
    outside = pd.Series([None] * len(out), index=out.index, dtype=object)
    outside[out[value].notna() & (out[value] > out["high_998"])] = "above"
    outside[out[value].notna() & (out[value] < out["low_998"])] = "below"
    out["outside"] = outside
    return out


def curve(
    target: float, largest: float, kind: Kind, per: float, phi: float = 1.0, points: int = 80
) -> pd.DataFrame:
    """The limits as lines for a chart: sizes from 1 to past the largest PCN."""
    sizes = np.unique(np.geomspace(1, max(largest, 2) * 1.1, points))
    lines = pd.DataFrame({"size": sizes})
    for level, z in LEVELS.items():
        lines[f"low_{level}"], lines[f"high_{level}"] = limits(target, sizes, kind, per, z, phi)
    return lines


NAMED = 5  # PCNs named in a message before "and n more"


def outside_message(frame: pd.DataFrame, name: str = "pcn_name", what: str = "") -> str | None:
    """E.g. `Beacon PCN is above the 99.8% limits; Moorland PCN below`, or None."""
    named = []
    for side in ("above", "below"):
        pcns = frame.loc[frame["outside"] == side, name].astype(str).tolist()
        if len(pcns) > NAMED:
            pcns = [*pcns[:NAMED], f"{len(pcns) - NAMED} more PCNs"]
        if pcns:
            listed = ", ".join(pcns[:-1]) + " and " + pcns[-1] if len(pcns) > 1 else pcns[0]
            named.append(f"{listed} {'is' if len(pcns) == 1 else 'are'} {side}")
    if not named:
        return None
    return f"{'; '.join(named)} the 99.8% control limits{what}"


def funnel_plot_view(
    key: str,
    frame: pd.DataFrame,
    rules: Rules,
    *,
    value: str,
    size: str,
    target: float | None,
    kind: Kind,
    per: float,
    title: str | Callable[[pd.DataFrame], str],
    size_title: str,
    value_title: str,
    selected: tuple[str, ...] = (),
    caption: str | None = None,
    subject: str = "",
    band: tuple[float, float] | None = None,
) -> View:
    """A PCN comparison as a funnel plot, built through the gate: the points, the target and
    the limits all come from the shown (rounded) counts; the CSV holds each PCN's limits and
    whether it is outside them."""

    def draw(shown: pd.DataFrame):
        verdict = outside_message(shown) or "Every PCN shown is within the 99.8% control limits"
        heading = title(shown) if callable(title) else title
        largest = shown[size].max() if shown[size].notna().any() else 0
        phi = shown["overdispersion"].iloc[0] if len(shown) else 1.0
        lines = curve(target, largest, kind, per, phi) if target is not None else pd.DataFrame()
        if phi > 1:
            verdict += " (limits widened: PCNs differ by more than chance alone)"
        return funnel_plot(
            shown, lines, target, f"{heading}<br><sup>{verdict}</sup>", size_title, value_title,
            selected, value=value, size=size, band=band,
        )  # fmt: skip

    def messages(shown: pd.DataFrame) -> list[str]:
        verdict = outside_message(shown)
        return [f"{subject}: {verdict}" if subject else verdict] if verdict else []

    return build(
        key,
        frame,
        rules,
        draw,
        derive=lambda shown: with_limits(shown, value, size, target, kind, per),
        caption=(caption + " " if caption else "") + FUNNEL_NOTE,
        messages=messages,
    )


FUNNEL_NOTE = (
    "Funnel plot: the dotted and dashed lines show how far from the ICB value a PCN of that "
    "size could fall by chance alone (95% and 99.8% control limits, Spiegelhalter 2005), "
    "widened where PCNs differ by more than chance (overdispersion). PCNs withheld for small "
    "numbers are not drawn."
)
