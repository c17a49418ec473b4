"""VCSE capacity gaps: where onward referrals outrun the places open services offer.

Definitions (DESIGN.md), per PCN x activity x month: demand = onward referrals (the PCN is the
referral's, the activity the onward referral's); capacity = monthly places of open services
serving that PCN for that activity, 0 where none does; gap = demand - capacity; unmet =
waitlisted, declined for no capacity, or sent to a closed service. Period totals sum the
months in which the pair saw demand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from dashboard.data.contract import ACTIVITY_GROUP
from dashboard.measures import queries
from dashboard.measures.disclosure import (
    MARK,
    Policy,
    Protected,
    export_count,
    figure_text,
    protect_total,
    ratio,
)
from dashboard.measures.filters import Filters
from dashboard.measures.view import Runner, Tile

# The contract's activity -> NIHR group mapping, bound into SQL as `$activity_groups`.
ACTIVITY_GROUPS_PARAM: list[list[str]] = [[a, g] for a, g in ACTIVITY_GROUP.items()]
UNMET_REASONS = {
    "waitlisted": "Waitlisted",
    "declined_no_capacity": "Declined: no capacity",
    "service_closed": "Service closed",
}
# Gap and shortfall are counted like demand: with the places beside them they would give it back.
GAP_COUNTS = ("demand", "unmet", "capacity", "gap", "shortfall")
GAP_BASED_ON = {"gap": "demand", "demand_pct_of_capacity": "demand"}
RISKY_FUNDING = ("unfunded", "time_limited")
FUNDING_LABELS = {
    "funded": "Funded",
    "time_limited": "Time-limited",
    "unfunded": "Unfunded",
    "no_service_recorded": "No service recorded",
    "unknown_service": "Service not in the extract",
}


def params(filters: Filters) -> dict[str, Any]:
    """The filter's parameters plus the NIHR group mapping the capacity queries take."""
    return {**filters.params(), "activity_groups": ACTIVITY_GROUPS_PARAM}


def label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def gap_finding(pairs: pd.DataFrame) -> str:
    """E.g. `Demand outran places for 41 of 120 PCN-activity pairs`, with the n beneath."""
    if pairs.empty:
        return "No onward referrals in the period"
    short = int((pairs["gap"] > 0).sum())
    return (
        f"Demand outran places for {short} of {len(pairs)} PCN-activity pairs"
        f"<br><sup>{int(pairs['months_short'].sum()):,} PCN-activity-months short; "
        f"n = {count_text(pairs['demand'].sum())} onward referrals</sup>"
    )


def worst_gaps(pairs: pd.DataFrame, limit: int = 15) -> pd.DataFrame:
    """The pairs with the largest shortfall (gap > 0), worst first."""
    short = pairs[pairs["gap"] > 0]
    return short.sort_values(["gap", "demand"], ascending=False).head(limit).reset_index(drop=True)


def heatmap_pcns(pairs: pd.DataFrame, limit: int = 30) -> list[str]:
    """The PCN codes a heatmap shows: all of them, or the `limit` with the largest shortfall."""
    shortfall = pairs["gap"].clip(lower=0).groupby(pairs["pcn_code"]).sum()
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
    groups = pairs.groupby("nihr_group", as_index=False)[columns].sum()
    return groups.sort_values(["demand", "nihr_group"], ascending=[False, True]).reset_index(
        drop=True
    )


def funding_window_end(filters: Filters) -> date:
    """The last day of the funding-risk window: 6 months after the period's end (as SQL's
    `+ interval 6 month`, which keeps to the month's last day)."""
    return (pd.Timestamp(filters.date_to) + pd.DateOffset(months=6)).date()


def count_text(value: float, parts: pd.Series | None = None) -> str | int:
    """A count for a tile: `*` for 1 to 7, else with thousands separators; rounded to 5 when
    one of the `parts` shown beside it (the pairs it adds up) is withheld."""
    shown = protect_total(int(value), parts if parts is not None else [])
    return shown if shown == MARK else f"{shown:,}"


def risky_share(funding: pd.DataFrame) -> tuple[float | None, int]:
    """The % of onward referrals to unfunded or time-limited services, and the n it is on."""
    total = int(funding["demand"].sum()) if not funding.empty else 0
    if not total:
        return None, 0
    risky = funding.loc[funding["funding"].isin(RISKY_FUNDING), "demand"].sum()
    shown = ratio(risky, total, 100)  # from the rounded counts, like every percentage
    return shown, total


def drilldown_default(pairs: pd.DataFrame) -> tuple[str, str] | None:
    """The PCN and activity the drill-down opens on: the worst gap."""
    if pairs.empty:
        return None
    worst = pairs.sort_values(["gap", "demand"], ascending=False).iloc[0]
    return str(worst["pcn_code"]), str(worst["activity"])


def display_table(protected: Protected, columns: dict[str, str]) -> pd.DataFrame:
    """The `columns` of a protected table (renamed), `*` where withheld, for `st.dataframe`.

    A column that mixes numbers and `*` is shown as text (Arrow needs one type a column).
    """
    shown = protected.display()[list(columns)]
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(protected.frame[column]):
            shown[column] = protected.frame[column].dt.date
    for coded in ("activity", "funding", "status"):
        if coded in shown.columns:
            shown[coded] = shown[coded].map(lambda code: FUNDING_LABELS.get(code, label(code)))
    shown = shown.rename(columns=columns)
    for column in shown.columns:
        values = shown[column]
        if (
            values.map(lambda v: isinstance(v, str)).any()
            and not values.map(lambda v: isinstance(v, str)).all()
        ):
            shown[column] = values.map(_as_text)
    return shown


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _export_places(value: float, policy: Policy) -> int | str | None:
    # Places are not people, so never withheld, but rounded like every other exported count.
    return export_count(value, Policy(suppress=False, round_to=policy.round_to))


def _export_gap(gap: float, demand: float, policy: Policy) -> int | str | None:
    # The gap is built on the demand: withheld with it, else rounded (it can be negative).
    if policy.suppress and 1 <= demand <= 7:
        return "*"
    return export_count(gap, Policy(suppress=False, round_to=policy.round_to))


def summary_capacity(
    con: duckdb.DuckDBPyConnection, filters: Filters, policy: Policy
) -> list[dict[str, Any]]:
    """`capacity` in `summary --json`: per PCN and activity, summed over months with demand."""
    pairs = queries.run(con, "capacity_gaps", params(filters))
    pairs = pairs.sort_values(["pcn_code", "activity"])
    return [
        {
            "pcn_code": row.pcn_code,
            "activity": row.activity,
            "demand": export_count(row.demand, policy),
            "capacity": _export_places(row.capacity, policy),
            "gap": _export_gap(row.gap, row.demand, policy),
            "shortfall": _export_gap(row.shortfall, row.demand, policy),
            "unmet": export_count(row.unmet, policy),
        }
        for row in pairs.itertuples()
    ]


def summary_months_short(con: duckdb.DuckDBPyConnection, filters: Filters, policy: Policy) -> int:
    """`capacity_months_short`: PCN-activity-months whose demand exceeded capacity.

    A count of months, not of people, so it is neither withheld nor rounded.
    """
    pairs = queries.run(con, "capacity_gaps", params(filters))
    return int(pairs["months_short"].sum())


def overview_tiles(run: Runner, filters: Filters) -> list[Tile]:
    """The Overview's capacity tile: the share of onward referrals that went unmet."""
    pairs = run("capacity_gaps", params(filters))
    unmet, demand = pairs["unmet"].sum(), pairs["demand"].sum()
    return [
        Tile(
            "VCSE onward referrals unmet",
            figure_text(ratio(unmet, demand, 100), "{:.0f}%") if demand else "-",
            help=f"Waitlisted, declined for lack of capacity, or sent to a closed service: "
            f"{count_text(unmet)} of {count_text(demand)} onward referrals.",
        )
    ]
