"""Outcomes view: paired change per measure and domain, for the selection, the ICB and each PCN.

`outcome_change` returns sums per PCN, measure and domain; everything here adds those sums up
for a set of PCNs, so the selection and the ICB come from one query and always agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.data.contract import MEASURE_DOMAINS
from dashboard.measures.disclosure import Built, Disclosed, Ratio, Rules, disclose
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import (
    mean_ci,
    mean_sd_from_sums,
    swemwbs_metric_list,
)
from dashboard.measures.view import View, build
from dashboard.settings import Settings, load_settings

LOW_FOLLOWUP_PCT = 60.0  # below this share with a follow-up, results may flatter the service
MEASURE_LABEL = {
    "wellbeing_star": "Wellbeing Star",
    "ons4": "ONS4",
    "swemwbs": "SWEMWBS",
    "wemwbs": "WEMWBS",
}
# What each measure's short name stands for: spelled out on its first use in every view.
MEASURE_NAME = {
    "ons4": "ONS personal wellbeing, four questions",
    "swemwbs": "Short Warwick-Edinburgh Mental Wellbeing Scale",
    "wemwbs": "Warwick-Edinburgh Mental Wellbeing Scale",
}


def names_sentence(measures: Iterable[str]) -> str:
    """`ONS4: ONS personal wellbeing, four questions. SWEMWBS: ...` for the measures a view
    names, so a reader meets each abbreviation spelled out."""
    return " ".join(
        f"{MEASURE_LABEL[m]}: {MEASURE_NAME[m]}."
        for m in dict.fromkeys(measures)
        if m in MEASURE_NAME
    )


SUMS = [
    "people_with_baseline",
    "n",
    "sum_baseline",
    "sum_followup",
    "sum_improvement",
    "sumsq_improvement",
    "n_improved",
    "n_worse",
    "n_meaningful",
    "low_baseline_n",
    "low_baseline_improved",
    "low_baseline_sum_improvement",
    "low_baseline_sumsq_improvement",
]
MEASURE_ORDER = {measure: index for index, measure in enumerate(MEASURE_DOMAINS)}


def query_params(filters: Filters, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or load_settings()
    return {
        **filters.params(),
        "swemwbs_metric": swemwbs_metric_list(),
        "swemwbs_threshold": settings.outcomes.swemwbs_meaningful_change,
        "wemwbs_threshold": settings.outcomes.wemwbs_meaningful_change,
    }


def sums_params(filters: Filters, settings: Settings | None = None) -> dict[str, Any]:
    """Parameters of `outcome_change`: the period only, as its sums are per PCN (so every PCN
    selection shares one cached result)."""
    return {k: v for k, v in query_params(filters, settings).items() if k != "pcns"}


def star(sums: pd.DataFrame, pcns: tuple[str, ...] = ()) -> pd.DataFrame:
    """The Wellbeing Star rows of `summarise`, one per domain."""
    summary = summarise(sums, pcns)
    return summary[summary["measure"] == "wellbeing_star"].reset_index(drop=True)


def better(measure: str, domain: str) -> str:
    """Which way is better: `lower` for ONS4 anxiety, `higher` for everything else."""
    return "lower" if (measure, domain) == ("ons4", "anxiety") else "higher"


COLUMNS = [
    "measure",
    "domain",
    "better",
    "people_with_baseline",
    "n",
    "followup_pct",
    "mean_baseline",
    "mean_followup",
    "mean_change",
    "change_ci_low",
    "change_ci_high",
    "mean_improvement",
    "ci_low",
    "ci_high",
    "n_improved",
    "pct_improved",
    "improved_ci_low",
    "improved_ci_high",
    "n_worse",
    "pct_worse",
    "n_meaningful",
    "pct_meaningful",
    "meaningful_ci_low",
    "meaningful_ci_high",
    "low_baseline_n",
    "low_baseline_improved",
    "low_baseline_pct_improved",
    "low_baseline_mean_improvement",
    "low_baseline_ci_low",
    "low_baseline_ci_high",
]


def _share(numerator: str, denominator: str, interval: tuple[str, str] | None = None) -> Ratio:
    return Ratio(numerator, denominator, per=100, interval=interval, method="wilson")


def _on(n: str, *columns: str) -> dict[str, Built]:
    return {column: Built(n, 3) for column in columns}


# What the gate does to every frame above (through `RULES.within` for the columns a view keeps):
# counts of people (referrals) rounded or withheld; shares worked from the rounded counts, with
# Wilson intervals; means and their t intervals withheld when built on 1 to 7 people.
RULES = Rules(
    counts=(
        "people_with_baseline",
        "n",
        "n_improved",
        "n_worse",
        "n_meaningful",
        "low_baseline_n",
        "low_baseline_improved",
        "people",
    ),
    ratios={
        "followup_pct": _share("n", "people_with_baseline"),
        "pct_improved": _share("n_improved", "n", ("improved_ci_low", "improved_ci_high")),
        "pct_worse": _share("n_worse", "n"),
        "pct_meaningful": _share("n_meaningful", "n", ("meaningful_ci_low", "meaningful_ci_high")),
        "low_baseline_pct_improved": _share("low_baseline_improved", "low_baseline_n"),
    },
    built={
        **_on("n", "mean_baseline", "mean_followup", "mean_change", "change_ci_low"),
        **_on("n", "change_ci_high", "mean_improvement", "ci_low", "ci_high"),
        **_on("low_baseline_n", "low_baseline_mean_improvement"),
        **_on("low_baseline_n", "low_baseline_ci_low", "low_baseline_ci_high"),
    },
)


def view(
    key: str, frame: pd.DataFrame, draw: Callable[[pd.DataFrame], go.Figure], **kwargs: Any
) -> View:
    """An outcomes View: `frame` through `RULES` for the columns it holds (see `view.build`)."""
    return build(key, frame, RULES.within(frame.columns), draw, **kwargs)


def shown(frame: pd.DataFrame) -> Disclosed:
    """`frame` through `RULES` for the columns it holds, as the pages show it."""
    return disclose(frame, RULES.within(frame.columns))


def _pct(part: Any, whole: Any) -> float:
    return float(part) * 100.0 / float(whole) if whole and not pd.isna(part) else math.nan


def _statistics(totals: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Means, shares and 95% CIs from the summed rows, one row per row of `totals`: the exact
    figures, which the disclosure gate (RULES) recomputes from the rounded counts."""
    rows = []
    for row in totals.itertuples(index=False):
        n = int(row.n or 0)
        mean, sd = mean_sd_from_sums(n, row.sum_improvement, row.sumsq_improvement)
        ci = mean_ci(n, mean, sd)
        low_n = int(row.low_baseline_n or 0)
        low_mean, low_sd = mean_sd_from_sums(
            low_n, row.low_baseline_sum_improvement, row.low_baseline_sumsq_improvement
        )
        low_ci = mean_ci(low_n, low_mean, low_sd)
        direction = -1 if better(row.measure, row.domain) == "lower" else 1
        has_threshold = row.measure in ("swemwbs", "wemwbs")
        star = row.measure == "wellbeing_star"
        rows.append(
            {
                **{key: getattr(row, key) for key in keys},
                "better": better(row.measure, row.domain),
                "people_with_baseline": int(row.people_with_baseline),
                "n": n,
                "followup_pct": _pct(n, row.people_with_baseline),
                "mean_baseline": row.sum_baseline / n if n else math.nan,
                "mean_followup": row.sum_followup / n if n else math.nan,
                "mean_change": direction * mean if n else math.nan,
                "change_ci_low": ci.low if direction == 1 else -ci.high,
                "change_ci_high": ci.high if direction == 1 else -ci.low,
                "mean_improvement": mean,
                "ci_low": ci.low,
                "ci_high": ci.high,
                "n_improved": int(row.n_improved),
                "pct_improved": _pct(row.n_improved, n),
                "improved_ci_low": math.nan,  # Wilson, worked out by the gate (RULES)
                "improved_ci_high": math.nan,
                "n_worse": int(row.n_worse),
                "pct_worse": _pct(row.n_worse, n),
                "n_meaningful": int(row.n_meaningful) if has_threshold else None,
                "pct_meaningful": _pct(row.n_meaningful, n) if has_threshold else math.nan,
                "meaningful_ci_low": math.nan,  # Wilson, worked out by the gate (RULES)
                "meaningful_ci_high": math.nan,
                "low_baseline_n": low_n if star else None,
                "low_baseline_improved": int(row.low_baseline_improved or 0) if star else None,
                "low_baseline_pct_improved": _pct(row.low_baseline_improved, low_n),
                "low_baseline_mean_improvement": low_mean,
                "low_baseline_ci_low": low_ci.low,
                "low_baseline_ci_high": low_ci.high,
            }
        )
    extra = [key for key in keys if key not in COLUMNS]
    return pd.DataFrame(rows, columns=extra + COLUMNS)


def _order(measure: str, domain: str) -> tuple[int, int]:
    domains = MEASURE_DOMAINS.get(measure, ())
    return MEASURE_ORDER.get(measure, 99), domains.index(domain) if domain in domains else 99


def summarise(sums: pd.DataFrame, pcns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Paired change per measure and domain for the given PCNs (empty: the whole ICB).

    `mean_change` is follow-up minus baseline; `mean_improvement` and its confidence interval
    are the change in the better direction, so for ONS4 anxiety a fall is a positive improvement.
    """
    chosen = sums if not pcns else sums[sums["pcn_code"].isin(pcns)]
    if chosen.empty:
        return pd.DataFrame(columns=COLUMNS)
    totals = chosen.groupby(["measure", "domain"], as_index=False)[SUMS].sum(min_count=1)
    totals = totals.iloc[
        sorted(
            range(len(totals)),
            key=lambda i: _order(totals["measure"].iat[i], totals["domain"].iat[i]),
        )
    ]
    return _statistics(totals, ["measure", "domain"]).reset_index(drop=True)


def by_pcn(sums: pd.DataFrame, measure: str, domain: str) -> pd.DataFrame:
    """One measure and domain per PCN: people with a baseline, follow-up share, improvement."""
    part = sums[(sums["measure"] == measure) & (sums["domain"] == domain)]
    totals = part.groupby(["pcn_code", "measure", "domain"], as_index=False)[SUMS].sum(min_count=1)
    return _statistics(totals, ["pcn_code", "measure", "domain"])


def followup_by_pcn(sums: pd.DataFrame, measure: str) -> pd.DataFrame:
    """People with a baseline and with a follow-up in one measure, per PCN.

    Every person scores every domain of their measure, so the domain most people scored counts
    the people; a person missing a domain still counts once.
    """
    part = sums[sums["measure"] == measure]
    if part.empty:
        return pd.DataFrame(columns=["pcn_code", "people_with_baseline", "n", "followup_pct"])
    people = part.groupby("pcn_code", as_index=False).agg(
        people_with_baseline=("people_with_baseline", "max"), n=("n", "max")
    )
    people["followup_pct"] = [
        _pct(n, base) for n, base in zip(people["n"], people["people_with_baseline"], strict=True)
    ]
    return people


def distribution(changes: pd.DataFrame, measure: str, domain: str) -> pd.DataFrame:
    """People by whole-point change (in the better direction) for one measure and domain."""
    part = changes[(changes["measure"] == measure) & (changes["domain"] == domain)]
    return part[["improvement", "people"]].sort_values("improvement").reset_index(drop=True)
