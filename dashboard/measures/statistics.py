"""Statistics for paired before/after figures: t-based confidence intervals, sums that add up
across PCNs, and the SWEMWBS raw-to-metric conversion. Plain functions, no scipy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

# SWEMWBS raw total (7-35) -> metric score, from the Rasch analysis (Stewart-Brown et al. 2009,
# the conversion table Warwick Medical School publishes for scoring SWEMWBS).
SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}


def swemwbs_metric(raw: float) -> float:
    """The SWEMWBS metric score of a raw total from 7 to 35 (rounded to a whole raw score)."""
    whole = round(raw)
    if whole not in SWEMWBS_METRIC:
        raise ValueError(f"a SWEMWBS raw total is 7 to 35, not {raw}")
    return SWEMWBS_METRIC[whole]


def swemwbs_metric_list() -> list[float]:
    """The table as a list indexed by raw total - 7, for the `$swemwbs_metric` query parameter."""
    return [SWEMWBS_METRIC[raw] for raw in range(7, 36)]


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return h


def _regularised_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    tail = 0.5 * _regularised_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def _t_pdf(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


@cache
def t_quantile(p: float, df: float) -> float:
    """The t value below which a share `p` of Student's t(df) lies.

    Newton's method on the CDF from the normal quantile, with bisection as the safety net.
    """
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if p == 0.5:
        return 0.0
    low, high = -1.0, 1.0
    while t_cdf(low, df) > p:
        low *= 2
    while t_cdf(high, df) < p:
        high *= 2
    guess = NormalDist().inv_cdf(p)
    guess = guess if low < guess < high else (low + high) / 2
    for _ in range(200):
        error = t_cdf(guess, df) - p
        if abs(error) < 1e-14:
            break
        if error < 0:
            low = guess
        else:
            high = guess
        step = guess - error / _t_pdf(guess, df)
        guess = step if low < step < high else (low + high) / 2
        if high - low < 1e-13 * max(1.0, abs(guess)):
            break
    return guess


@dataclass(frozen=True)
class MeanCI:
    """A mean with its 95% (or other) confidence interval; bounds are NaN below 2 people."""

    n: int
    mean: float
    sd: float
    low: float
    high: float


def mean_ci(n: float, mean: float, sd: float, level: float = 0.95) -> MeanCI:
    """The t-distribution confidence interval of a mean: mean +/- t(n-1) x sd / sqrt(n)."""
    n = int(n)
    if n < 1 or mean is None or math.isnan(mean):
        return MeanCI(n, math.nan, math.nan, math.nan, math.nan)
    if n < 2 or sd is None or math.isnan(sd):
        return MeanCI(n, mean, math.nan, math.nan, math.nan)
    half = t_quantile(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return MeanCI(n, mean, sd, mean - half, mean + half)


def mean_ci_of(values, level: float = 0.95) -> MeanCI:
    """The confidence interval of the mean of a list of numbers (for tests and small inputs)."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return mean_ci(0, math.nan, math.nan, level)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else math.nan
    return mean_ci(n, mean, sd, level)


def mean_sd_from_sums(n: float, total: float, sum_squares: float) -> tuple[float, float]:
    """Mean and sample standard deviation from n, the sum and the sum of squares."""
    if not n:
        return math.nan, math.nan
    mean = total / n
    if n < 2:
        return mean, math.nan
    variance = max((sum_squares - total * total / n) / (n - 1), 0.0)
    return mean, math.sqrt(variance)


def difference_ci(first: MeanCI, second: MeanCI, level: float = 0.95) -> tuple[float, float, float]:
    """first.mean - second.mean with a Welch confidence interval (independent groups)."""
    difference = first.mean - second.mean
    if first.n < 2 or second.n < 2 or math.isnan(first.sd) or math.isnan(second.sd):
        return difference, math.nan, math.nan
    v1, v2 = first.sd**2 / first.n, second.sd**2 / second.n
    se = math.sqrt(v1 + v2)
    if se == 0:
        return difference, difference, difference
    df = (v1 + v2) ** 2 / (v1**2 / (first.n - 1) + v2**2 / (second.n - 1))
    half = t_quantile(0.5 + level / 2, df) * se
    return difference, difference - half, difference + half


def pct_change(before: float, after: float) -> float:
    """(after - before) / before x 100; NaN when there was nothing before."""
    if before is None or after is None or not before or math.isnan(before):
        return math.nan
    return (after - before) / before * 100


Z95 = 1.959963984540054
Z998 = 3.090232306167813


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion successes / n, as fractions (OHID Fingertips)."""
    if not n:
        return math.nan, math.nan
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return max((centre - half) / scale, 0.0), min((centre + half) / scale, 1.0)


def byars_interval(observed: float, z: float = Z95) -> tuple[float, float]:
    """Byars' approximation to the exact Poisson interval of a count (OHID Fingertips)."""
    if observed is None or math.isnan(observed) or observed < 0:
        return math.nan, math.nan
    low = 0.0
    if observed > 0:
        low = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    upper_count = observed + 1
    high = upper_count * (1 - 1 / (9 * upper_count) + z / (3 * math.sqrt(upper_count))) ** 3
    return max(low, 0.0), high


def kaplan_meier(times, events, weights) -> list[tuple[float, float]]:
    """The Kaplan-Meier survival curve [(time, S(time))] from grouped data: at each time, how
    many had the event (`events` true) and how many were censored, weighted by `weights`.
    Censored at a time are still at risk at that time (the usual convention)."""
    table: dict[float, list[float]] = {}
    for time, event, weight in zip(times, events, weights, strict=True):
        row = table.setdefault(float(time), [0.0, 0.0])
        row[0 if event else 1] += float(weight)
    at_risk = sum(a + b for a, b in table.values())
    survival, curve = 1.0, []
    for time in sorted(table):
        happened, censored = table[time]
        if happened and at_risk:
            survival *= 1 - happened / at_risk
            curve.append((time, survival))
        at_risk -= happened + censored
    return curve


def survival_quantile(curve: list[tuple[float, float]], q: float) -> float:
    """The time by which a share q has had the event (S(t) <= 1 - q); NaN if never reached."""
    for time, survival in curve:
        if survival <= 1 - q + 1e-12:
            return time
    return math.nan
