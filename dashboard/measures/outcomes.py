"""Outcomes view: paired change per measure and domain, for the selection, the ICB and each PCN.

`outcome_change` returns sums per PCN, measure and domain; everything here adds those sums up
for a set of PCNs, so the selection and the ICB come from one query and always agree.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pandas as pd

from dashboard.data.contract import MEASURE_DOMAINS
from dashboard.measures import queries
from dashboard.measures.disclosure import (
    Policy,
    built,
    export_count,
    export_figure,
    figure_text,
    ratio,
)
from dashboard.measures.disclosure import count_text as shown_count_text
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import mean_ci, mean_sd_from_sums, swemwbs_metric_list
from dashboard.measures.view import Runner, Tile
from dashboard.settings import Settings, load_settings

LOW_FOLLOWUP_PCT = 60.0  # below this share with a follow-up, results may flatter the service
MEASURE_LABEL = {
    "wellbeing_star": "Wellbeing Star",
    "ons4": "ONS4",
    "swemwbs": "SWEMWBS (metric score)",
    "wemwbs": "WEMWBS",
}
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


def _share(part: float, whole: float) -> float:
    """A percentage worked from the shown (rounded) counts, NaN where the gate withholds it:
    from exact counts, 58.3% of a shown 10 would pin the exact 7 of 12."""
    shown = ratio(part, whole, 100)
    return math.nan if shown is None else shown


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
    "pct_improved",
    "pct_worse",
    "n_meaningful",
    "pct_meaningful",
    "low_baseline_n",
    "low_baseline_pct_improved",
    "low_baseline_mean_improvement",
    "low_baseline_ci_low",
    "low_baseline_ci_high",
]


def _statistics(totals: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Means, shares and 95% CIs from the summed rows, one row per row of `totals`."""
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
        rows.append(
            {
                **{key: getattr(row, key) for key in keys},
                "better": better(row.measure, row.domain),
                "people_with_baseline": int(row.people_with_baseline),
                "n": n,
                "followup_pct": _share(n, row.people_with_baseline),
                "mean_baseline": row.sum_baseline / n if n else math.nan,
                "mean_followup": row.sum_followup / n if n else math.nan,
                "mean_change": direction * mean if n else math.nan,
                "change_ci_low": ci.low if direction == 1 else -ci.high,
                "change_ci_high": ci.high if direction == 1 else -ci.low,
                "mean_improvement": mean,
                "ci_low": ci.low,
                "ci_high": ci.high,
                "pct_improved": _share(row.n_improved, n),
                "pct_worse": _share(row.n_worse, n),
                "n_meaningful": int(row.n_meaningful) if has_threshold else None,
                "pct_meaningful": _share(row.n_meaningful, n) if has_threshold else math.nan,
                "low_baseline_n": low_n if row.measure == "wellbeing_star" else None,
                "low_baseline_pct_improved": _share(row.low_baseline_improved, low_n),
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
        _share(n, base) for n, base in zip(people["n"], people["people_with_baseline"], strict=True)
    ]
    return people


def distribution(changes: pd.DataFrame, measure: str, domain: str) -> pd.DataFrame:
    """People by whole-point change (in the better direction) for one measure and domain."""
    part = changes[(changes["measure"] == measure) & (changes["domain"] == domain)]
    return part[["improvement", "people"]].sort_values("improvement").reset_index(drop=True)


def improved_share(
    rows: pd.DataFrame, pct: str = "pct_improved", n: str = "n"
) -> tuple[float | None, float]:
    """The share of paired scores that improved across `rows` (domains), weighted by their n:
    (percentage or None when there are none, number of paired scores)."""
    total = rows[n].fillna(0).sum()
    if not total:
        return None, 0
    return (rows[pct] * rows[n]).sum() / total, total


def headline(summary: pd.DataFrame) -> str:
    """The chart title for the Wellbeing Star: where people improved most."""
    star = summary[(summary["measure"] == "wellbeing_star") & (summary["n"] > 7)]
    if star.empty:
        return "Wellbeing Star: baseline and follow-up by domain"
    best = star.sort_values("pct_improved", ascending=False).iloc[0]
    return (
        f"Wellbeing Star: {best['pct_improved']:.0f}% improved in "
        f"{best['domain'].replace('_', ' ')}, the most of any domain"
    )


def _star_row(row: pd.Series, policy: Policy) -> dict[str, Any]:
    return {
        "domain": row["domain"],
        "n": export_count(row["n"], policy),
        "pct_improved": export_figure(row["pct_improved"], row["n"], 1, policy),
        "low_baseline_n": export_count(row["low_baseline_n"], policy),
        "low_baseline_pct_improved": export_figure(
            row["low_baseline_pct_improved"], row["low_baseline_n"], 1, policy
        ),
        "mean_change": export_figure(row["mean_change"], row["n"], 3, policy),
    }


def _score_row(row: pd.Series, policy: Policy) -> dict[str, Any]:
    return {
        "measure": row["measure"],
        "domain": row["domain"],
        "better": row["better"],
        "n": export_count(row["n"], policy),
        "followup_pct": export_figure(row["followup_pct"], row["people_with_baseline"], 1, policy),
        "mean_change": export_figure(row["mean_change"], row["n"], 3, policy),
        "change_ci_low": export_figure(row["change_ci_low"], row["n"], 3, policy),
        "change_ci_high": export_figure(row["change_ci_high"], row["n"], 3, policy),
        "pct_improved": export_figure(row["pct_improved"], row["n"], 1, policy),
        "pct_meaningful": export_figure(row["pct_meaningful"], row["n"], 1, policy),
    }


def summary_section(
    con: duckdb.DuckDBPyConnection, filters: Filters, policy: Policy
) -> dict[str, Any]:
    """`outcomes` for `summary --json`: the Star by domain, and the other measures' scores."""
    sums = queries.run(con, "outcome_change", sums_params(filters))
    summary = summarise(sums, filters.pcns)
    star = summary[summary["measure"] == "wellbeing_star"]
    totals = summary[summary["measure"].isin(("swemwbs", "wemwbs"))]
    ons4 = summary[summary["measure"] == "ons4"]
    return {
        "wellbeing_star": [_star_row(row, policy) for _, row in star.iterrows()],
        "totals": [_score_row(row, policy) for _, row in totals.iterrows()],
        "ons4": [_score_row(row, policy) for _, row in ons4.iterrows()],
    }


def overview_tiles(run: Runner, filters: Filters) -> list[Tile]:
    """The Overview's outcome tile: the share of paired Wellbeing Star domain scores that
    rose, with its n in people (the most people scored on any domain)."""
    rows = star(run("outcome_change", sums_params(filters)), filters.pcns)
    people = rows["n"].max() if len(rows) else 0
    improved = (rows["pct_improved"].fillna(0) * rows["n"]).sum() / 100 if len(rows) else 0
    share = built(ratio(round(improved), rows["n"].sum(), 100), people) if people else None
    return [
        Tile(
            "Wellbeing Star domain scores that improved",
            figure_text(share, "{:.0f}%") if people else "no follow-ups",
            help=f"Share of paired Wellbeing Star domain scores that rose at follow-up; "
            f"n = {shown_count_text(people)} people.",
        )
    ]
