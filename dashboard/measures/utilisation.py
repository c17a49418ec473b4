"""Utilisation view: events per person before and after referral, costs, and the comparison.

`utilisation_change` returns sums per cohort, PCN and setting; everything here adds them up
for a set of PCNs, so the selection, the ICB and each PCN come from one query.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from dashboard.measures import queries
from dashboard.measures.disclosure import Policy, export_count, export_figure
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import difference_ci, mean_ci, mean_sd_from_sums, pct_change
from dashboard.settings import UnitCost, load_settings

SETTINGS_ORDER = ("gp_appointment", "ae_attendance", "nonelective_admission")
SETTING_LABEL = {
    "gp_appointment": "GP appointments",
    "ae_attendance": "A&E attendances",
    "nonelective_admission": "Non-elective admissions",
}
SUMS = ["n_people", "sum_before", "sum_after", "sumsq_before", "sumsq_after", "sumsq_change"]
COLUMNS = [
    "setting",
    "n_people",
    "before_per_person",
    "before_low",
    "before_high",
    "after_per_person",
    "after_low",
    "after_high",
    "change_per_person",
    "change_low",
    "change_high",
    "change_sd",
    "pct_change",
]


def sums_params(filters: Filters) -> dict[str, Any]:
    """Parameters of `utilisation_change`: the period only, as its sums are per PCN."""
    return {"date_from": filters.date_from, "date_to": filters.date_to}


def _statistics(totals: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rows = []
    for row in totals.itertuples(index=False):
        n = int(row.n_people)
        before = mean_ci(n, *mean_sd_from_sums(n, row.sum_before, row.sumsq_before))
        after = mean_ci(n, *mean_sd_from_sums(n, row.sum_after, row.sumsq_after))
        change = mean_ci(n, *mean_sd_from_sums(n, row.sum_after - row.sum_before, row.sumsq_change))
        rows.append(
            {
                **{key: getattr(row, key) for key in keys},
                "n_people": n,
                "before_per_person": before.mean,
                "before_low": before.low,
                "before_high": before.high,
                "after_per_person": after.mean,
                "after_low": after.low,
                "after_high": after.high,
                "change_per_person": change.mean,
                "change_low": change.low,
                "change_high": change.high,
                "change_sd": change.sd,
                "pct_change": pct_change(before.mean, after.mean),
            }
        )
    extra = [key for key in keys if key not in COLUMNS]
    return pd.DataFrame(rows, columns=extra + COLUMNS)


def summarise(
    sums: pd.DataFrame, cohort: str = "referred", pcns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per setting: mean events per person before and after, and the paired change, with
    95% confidence intervals, for one cohort and the given PCNs (empty: the whole ICB)."""
    chosen = sums[sums["cohort"] == cohort]
    if pcns:
        chosen = chosen[chosen["pcn_code"].isin(pcns)]
    if chosen.empty:
        return pd.DataFrame(columns=COLUMNS)
    totals = chosen.groupby("setting", as_index=False)[SUMS].sum()
    rank = {setting: index for index, setting in enumerate(SETTINGS_ORDER)}
    totals = totals.sort_values("setting", key=lambda s: s.map(rank))
    return _statistics(totals, ["setting"]).reset_index(drop=True)


def by_pcn(sums: pd.DataFrame, setting: str) -> pd.DataFrame:
    """One setting per PCN for the referred cohort: before, after and change per person."""
    part = sums[(sums["cohort"] == "referred") & (sums["setting"] == setting)]
    totals = part.groupby(["pcn_code", "setting"], as_index=False)[SUMS].sum()
    return _statistics(totals, ["pcn_code", "setting"])


def has_comparison(sums: pd.DataFrame) -> bool:
    return bool((sums["cohort"] == "comparison").any())


def difference_in_differences(referred: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """Per setting: the referred cohort's change, the comparison cohort's, and the difference
    between them (Welch 95% CI); a negative difference means a larger fall among the referred."""
    columns = [
        "setting",
        "n_people",
        "naive_change",
        "comparison_n_people",
        "comparison_change",
        "did",
        "did_low",
        "did_high",
    ]
    rows = []
    for row in referred.itertuples(index=False):
        other = comparison[comparison["setting"] == row.setting]
        if other.empty:
            continue
        other = other.iloc[0]
        did, low, high = difference_ci(
            mean_ci(row.n_people, row.change_per_person, row.change_sd),
            mean_ci(other["n_people"], other["change_per_person"], other["change_sd"]),
        )
        rows.append(
            {
                "setting": row.setting,
                "n_people": row.n_people,
                "naive_change": row.change_per_person,
                "comparison_n_people": int(other["n_people"]),
                "comparison_change": other["change_per_person"],
                "did": did,
                "did_low": low,
                "did_high": high,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def unit_cost_table(costs: Mapping[str, UnitCost] | None = None) -> pd.DataFrame:
    """The unit costs as an editable table: setting, value, price year, source."""
    costs = costs or load_settings().unit_costs
    return pd.DataFrame(
        [
            {
                "setting": setting,
                "value": costs[setting].value,
                "price_year": costs[setting].price_year,
                "source": costs[setting].source,
            }
            for setting in SETTINGS_ORDER
            if setting in costs
        ]
    )


def costs(summary: pd.DataFrame, unit_costs: pd.DataFrame) -> pd.DataFrame:
    """Cost per person before and after referral by setting, and in total (GBP).

    The total adds each setting's mean, so it is the cost per person of a typical mix of use.
    """
    columns = ["setting", "n_people", "unit_cost", "before_cost", "after_cost", "change_cost"]
    prices = dict(zip(unit_costs["setting"], pd.to_numeric(unit_costs["value"]), strict=True))
    rows = []
    for row in summary.itertuples(index=False):
        price = prices.get(row.setting, math.nan)
        rows.append(
            {
                "setting": row.setting,
                "n_people": row.n_people,
                "unit_cost": price,
                "before_cost": row.before_per_person * price,
                "after_cost": row.after_per_person * price,
                "change_cost": row.change_per_person * price,
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    if not frame.empty:
        total = {
            "setting": "total",
            "n_people": int(frame["n_people"].min()),
            "unit_cost": math.nan,
            "before_cost": frame["before_cost"].sum(min_count=1),
            "after_cost": frame["after_cost"].sum(min_count=1),
            "change_cost": frame["change_cost"].sum(min_count=1),
        }
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    return frame


def headline(summary: pd.DataFrame, setting: str = "gp_appointment") -> str:
    row = summary[summary["setting"] == setting]
    if row.empty or row.iloc[0]["n_people"] <= 7 or pd.isna(row.iloc[0]["pct_change"]):
        return "Events per person, before and after referral"
    change = row.iloc[0]["pct_change"]
    direction = "fell" if change < 0 else "rose"
    return (
        f"{SETTING_LABEL[setting]} per person {direction} {abs(change):.0f}% "
        "in the window after referral"
    )


def summary_section(
    con: duckdb.DuckDBPyConnection, filters: Filters, policy: Policy
) -> list[dict[str, Any]]:
    """`utilisation` for `summary --json`: the referred cohort per setting, and the comparison
    cohort and the difference in differences beside it when one is loaded."""
    sums = queries.run(con, "utilisation_change", sums_params(filters))
    referred = summarise(sums, "referred", filters.pcns)
    comparison = summarise(sums, "comparison", filters.pcns)
    did = difference_in_differences(referred, comparison).set_index("setting")
    out = []
    for _, row in referred.iterrows():
        n = row["n_people"]
        item: dict[str, Any] = {
            "setting": row["setting"],
            "n_people": export_count(n, policy),
            "before_per_person": export_figure(row["before_per_person"], n, 3, policy),
            "after_per_person": export_figure(row["after_per_person"], n, 3, policy),
            "pct_change": export_figure(row["pct_change"], n, 1, policy),
        }
        if row["setting"] in did.index:
            other = comparison[comparison["setting"] == row["setting"]].iloc[0]
            m = other["n_people"]
            smaller = min(n, m)
            item["comparison"] = {
                "n_people": export_count(m, policy),
                "before_per_person": export_figure(other["before_per_person"], m, 3, policy),
                "after_per_person": export_figure(other["after_per_person"], m, 3, policy),
                "pct_change": export_figure(other["pct_change"], m, 1, policy),
            }
            item["difference_in_differences"] = export_figure(
                did.loc[row["setting"], "did"], smaller, 3, policy
            )
        out.append(item)
    return out
