"""VCSE capacity gaps: where onward referrals outrun the places open services offer.

Definitions (DESIGN.md), per PCN x activity x month: demand = onward referrals (the PCN is the
referral's, the activity the onward referral's); capacity = monthly places of open services
serving that PCN for that activity, 0 where none does; unmet = waitlisted, declined for no
capacity, or sent to a closed service. For a period, capacity is the places of every month of
it, gap = demand - capacity, and shortfall the sum of each month's max(0, demand - places)
(queries/capacity_gaps.sql).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dashboard.data.contract import ACTIVITY_GROUP
from dashboard.measures.disclosure import Disclosed, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.formats import label

# The contract's activity -> NIHR group mapping, bound into SQL as `$activity_groups`.
ACTIVITY_GROUPS_PARAM: list[list[str]] = [[a, g] for a, g in ACTIVITY_GROUP.items()]
UNMET_REASONS = {
    code: label(code) for code in ("waitlisted", "declined_no_capacity", "service_closed")
}
RISKY_FUNDING = ("unfunded", "time_limited")
FUNDING_LABELS = {
    code: label(code)
    for code in ("funded", "time_limited", "unfunded", "no_service_recorded", "unknown_service")
}


def params(filters: Filters) -> dict[str, Any]:
    """The filter's parameters plus the NIHR group mapping the capacity queries take."""
    return {**filters.params(), "activity_groups": ACTIVITY_GROUPS_PARAM}


def heatmap_pcns(pairs: pd.DataFrame, limit: int = 30) -> list[str]:
    """The PCN codes a heatmap shows: all of them, or the `limit` with the largest shortfall."""
    shortfall = pairs["shortfall"].groupby(pairs["pcn_code"]).sum()
    demand = pairs.groupby("pcn_code")["demand"].sum()
    ranked = pd.DataFrame({"shortfall": shortfall, "demand": demand}).sort_values(
        ["shortfall", "demand"], ascending=False
    )
    return list(ranked.index[:limit])


def unmet_by(reasons: pd.DataFrame, column: str) -> pd.DataFrame:
    """Unmet onward referrals summed by `column`, one column per reason, most unmet first.

    `reasons` is the capacity_unmet_reasons query (PCN x activity x reason).
    """
    if reasons.empty:
        return pd.DataFrame(columns=[column, "unmet", *UNMET_REASONS])
    wide = (
        reasons.pivot_table(index=column, columns="reason", values="unmet", aggfunc="sum")
        .reindex(columns=list(UNMET_REASONS))
        .fillna(0)
        .astype(int)
    )
    wide.insert(0, "unmet", wide.sum(axis=1))
    wide = wide.reset_index().rename_axis(columns=None)
    return wide.sort_values(["unmet", column], ascending=[False, True]).reset_index(drop=True)


def by_group(pairs: pd.DataFrame) -> pd.DataFrame:
    """The PCN-activity pairs rolled up to their NIHR activity group (set in SQL)."""
    columns = [
        "demand",
        "capacity",
        "gap",
        "shortfall",
        "unmet",
        "months_with_demand",
        "months_short",
    ]
    if pairs.empty:
        return pd.DataFrame(columns=["nihr_group", *columns])
    groups = pairs.groupby("nihr_group", as_index=False)[columns].sum(min_count=1)
    return groups.sort_values(["demand", "nihr_group"], ascending=[False, True]).reset_index(
        drop=True
    )


def funding_window_end(start: date) -> date:
    """The last day of the funding-risk window: 6 months after its start, the data's date (as
    SQL's `+ interval 6 month`, which keeps to the month's last day)."""
    return (pd.Timestamp(start) + pd.DateOffset(months=6)).date()


def risky_share(funding: pd.DataFrame) -> tuple[float | None, int]:
    """The % of onward referrals to unfunded or time-limited services, and the n it is on."""
    total = int(funding["demand"].sum()) if not funding.empty else 0
    if not total:
        return None, 0
    risky = funding.loc[funding["funding"].isin(RISKY_FUNDING), "demand"].sum()
    shown = ratio(risky, total, 100)  # from the rounded counts, like every percentage
    return shown, total


def display_table(protected: Disclosed, columns: dict[str, str]) -> pd.DataFrame:
    """The `columns` of a protected table (renamed) as text for `st.dataframe`: `*` where
    withheld, codes by their names, dates as `1 Apr 2025` (Disclosed.text)."""
    return protected.text(columns)
