"""Utilisation figures, exact: events per person before and after referral, per window length.

`utilisation_change` returns sums per cohort, PCN, setting and window length; everything here
adds them up for a set of PCNs and one window length, so the selection, the ICB and each PCN
come from one query and cohorts are compared only on the same window. The frames here are
exact: the views in dashboard.measures.utilisation pass them through the disclosure gate.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.measures import formats
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import difference_ci, mean_ci, mean_sd_from_sums, pct_change

SETTINGS_ORDER = ("gp_appointment", "ae_attendance", "nonelective_admission")
SETTING_LABEL = {setting: formats.label(setting) for setting in SETTINGS_ORDER}
SUMS = [
    "n_people",
    "sum_before",
    "sum_after",
    "sumsq_before",
    "sumsq_after",
    "sumsq_change",
    "n_not_elapsed",
]
COLUMNS = [
    "setting",
    "n_people",
    "sum_before",
    "sum_after",
    "n_not_elapsed",
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


def sums_params(filters: Filters) -> dict[str, object]:
    """Parameters of `utilisation_change`: the period only, as its sums are per PCN."""
    return {"date_from": filters.date_from, "date_to": filters.date_to}


def window_lengths(sums: pd.DataFrame) -> list[int]:
    """The window lengths loaded, the most common first (by referred people, then by anyone;
    a tie goes to the shorter window)."""
    if sums.empty:
        return []
    people = sums.assign(people=sums["n_people"] + sums["n_not_elapsed"])
    per_setting = people.groupby(["window_months", "cohort", "setting"])["people"].sum()
    # A person counts once per setting: the busiest setting stands for the window's people.
    per_cohort = per_setting.groupby(["window_months", "cohort"]).max().unstack(fill_value=0)
    referred = per_cohort.get("referred", pd.Series(0, index=per_cohort.index))
    ranked = pd.DataFrame(
        {"referred": referred, "anyone": per_cohort.sum(axis=1), "window": per_cohort.index}
    )
    ranked = ranked.sort_values(["referred", "anyone", "window"], ascending=[False, False, True])
    return [int(window) for window in ranked["window"]]


def window_phrase(window: int | None) -> str:
    """`6-month windows before and after referral`: said on every utilisation figure."""
    if window is None:
        return "windows before and after referral"
    return f"{window}-month windows before and after referral"


def _chosen(sums: pd.DataFrame, cohort: str, pcns: tuple[str, ...], window: int | None):
    chosen = sums[(sums["cohort"] == cohort) & (sums["window_months"] == window)]
    return chosen[chosen["pcn_code"].isin(pcns)] if pcns else chosen


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
                "sum_before": float(row.sum_before),
                "sum_after": float(row.sum_after),
                "n_not_elapsed": int(row.n_not_elapsed),
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


def _in_setting_order(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {setting: index for index, setting in enumerate(SETTINGS_ORDER)}
    return frame.sort_values("setting", key=lambda s: s.map(rank), kind="stable")


def summarise(
    sums: pd.DataFrame,
    cohort: str = "referred",
    pcns: tuple[str, ...] = (),
    window: int | None = None,
) -> pd.DataFrame:
    """Per setting, for one cohort, window length and set of PCNs (empty: the whole ICB):
    mean events per person before and after and the paired change, with 95% confidence
    intervals, the event sums they come from, and the people left out because their
    after-window had not ended. The window defaults to the most common one."""
    window = window if window is not None else next(iter(window_lengths(sums)), None)
    chosen = _chosen(sums, cohort, pcns, window)
    if chosen.empty:
        return pd.DataFrame(columns=COLUMNS)
    totals = _in_setting_order(chosen.groupby("setting", as_index=False)[SUMS].sum())
    measured = _statistics(totals, ["setting"])
    return measured[measured["n_people"] + measured["n_not_elapsed"] > 0].reset_index(drop=True)


def by_pcn(sums: pd.DataFrame, setting: str, window: int | None) -> pd.DataFrame:
    """One setting per PCN for the referred cohort on one window length."""
    part = _chosen(sums, "referred", (), window)
    part = part[(part["setting"] == setting) & (part["n_people"] > 0)]
    totals = part.groupby(["pcn_code", "setting"], as_index=False)[SUMS].sum()
    return _statistics(totals, ["pcn_code", "setting"])


def has_comparison(sums: pd.DataFrame, window: int | None) -> bool:
    chosen = _chosen(sums, "comparison", (), window)
    return bool((chosen["n_people"] > 0).any())


def not_elapsed(summary: pd.DataFrame) -> float:
    """People left out because their after-window had not ended by the extract date. A person
    has a row per setting, so the setting with the most stands for them."""
    return float(summary["n_not_elapsed"].max()) if len(summary) else 0.0


DID_COLUMNS = [
    "setting",
    "n_people",
    "sum_before",
    "sum_after",
    "before_per_person",
    "after_per_person",
    "comparison_n_people",
    "comparison_sum_before",
    "comparison_sum_after",
    "comparison_before_per_person",
    "comparison_after_per_person",
    "naive_change",
    "comparison_change",
    "did",
    "did_low",
    "did_high",
]


def difference_in_differences(referred: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """Per setting (both cohorts on the same window): the referred cohort's change, the
    comparison cohort's, and the difference between them (Welch 95% CI); a negative
    difference means a larger fall among the referred."""
    rows = []
    for row in referred[referred["n_people"] > 0].itertuples(index=False):
        other = comparison[(comparison["setting"] == row.setting) & (comparison["n_people"] > 0)]
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
                "sum_before": row.sum_before,
                "sum_after": row.sum_after,
                "before_per_person": row.before_per_person,
                "after_per_person": row.after_per_person,
                "comparison_n_people": int(other["n_people"]),
                "comparison_sum_before": other["sum_before"],
                "comparison_sum_after": other["sum_after"],
                "comparison_before_per_person": other["before_per_person"],
                "comparison_after_per_person": other["after_per_person"],
                "naive_change": row.change_per_person,
                "comparison_change": other["change_per_person"],
                "did": did,
                "did_low": low,
                "did_high": high,
            }
        )
    return pd.DataFrame(rows, columns=DID_COLUMNS)


def shown_pct(after: pd.Series, before: pd.Series) -> pd.Series:
    """% change from shown per-person figures; none where nothing happened before."""
    return ((after - before) * 100 / before.where(before != 0)).round(1)


def unit_prices(unit_costs: pd.DataFrame) -> dict[str, float]:
    values = pd.to_numeric(unit_costs["value"], errors="coerce")
    return {
        s: (math.nan if pd.isna(v) else float(v))
        for s, v in zip(unit_costs["setting"], values, strict=True)
    }
