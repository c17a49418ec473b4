"""The benchmark's headline figures, two ways: the plain pandas way from the extracts as CSV
files, and the dashboard's way from the loaded database through the named queries. They must
agree, or the speed-up compares different work."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.data import store
from dashboard.devtools.bench.timing import query_params
from dashboard.measures import queries, waits
from dashboard.measures.filters import Filters
from dashboard.measures.funnel import FUNNEL_STAGES
from dashboard.measures.statistics import kaplan_meier, survival_quantile

UNMET_RESULTS = ("waitlisted", "declined_no_capacity", "service_closed")


def write_extracts(db: Path, folder: Path, kinds: tuple[str, ...]) -> None:
    """Those tables of `db` as `<kind>.csv` in `folder` (ISO dates, empty for missing)."""
    with store.open_db(db, read_only=True) as con:
        for kind in kinds:
            con.table(kind).write_csv(str(folder / f"{kind}.csv"))


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def pandas_figures(folder: Path, filters: Filters) -> dict[str, Any]:
    """The headline figures the way an analyst would write them: read the extracts whole,
    filter to the period and PCNs, group."""
    pcns = pd.read_csv(folder / "pcns.csv")
    referrals = pd.read_csv(
        folder / "referrals.csv", parse_dates=["referral_date", "first_contact_date", "end_date"]
    )
    outcomes = pd.read_csv(folder / "outcomes.csv")
    # Referred people's rows leave pcn_code and index_date empty: text, not a guess per chunk.
    utilisation = pd.read_csv(
        folder / "utilisation.csv", dtype={"pcn_code": str, "index_date": str}
    )
    onward = pd.read_csv(folder / "onward_referrals.csv", parse_dates=["onward_date"])

    start, end = pd.Timestamp(filters.date_from), pd.Timestamp(filters.date_to)
    known = referrals[referrals["pcn_code"].isin(pcns["pcn_code"])]
    in_period = known[known["referral_date"].between(start, end)]
    chosen = in_period[in_period["pcn_code"].isin(filters.pcns)] if filters.pcns else in_period

    per_pcn = in_period.groupby("pcn_code").size().reindex(pcns["pcn_code"], fill_value=0)
    rates = per_pcn.to_numpy() * 1000 / pcns["list_size"].to_numpy() * 365 / filters.year_days

    status = chosen["status"]
    funnel = {
        "referred": len(chosen),
        "contacted": int(chosen["first_contact_date"].notna().sum()),
        "engaged": int(status.isin(["engaged", "completed"]).sum()),
        "open": int(status.isin(["referred", "contacted", "engaged"]).sum()),
        **{stage: int((status == stage).sum()) for stage in FUNNEL_STAGES[4:]},
    }
    # Time to first contact over all referrals; the not contacted censored at their end date
    # or at the data's date.
    as_of = referrals[["referral_date", "first_contact_date", "end_date"]].max().max()
    stop = chosen["first_contact_date"].fillna(chosen["end_date"]).fillna(as_of)
    waits = (stop - chosen["referral_date"]).dt.days.clip(lower=0)
    contacted = chosen["first_contact_date"].notna()
    median_wait = survival_quantile(
        kaplan_meier(waits, contacted, pd.Series(1, index=waits.index)), 0.5
    )

    star = outcomes[
        (outcomes["measure"] == "wellbeing_star") & outcomes["baseline_score"].notna()
    ].merge(chosen[["referral_id"]], on="referral_id")
    paired = star[star["followup_score"].notna()]
    improved = (paired["followup_score"] > paired["baseline_score"]).groupby(paired["domain"])
    star_pct = {
        domain: (100.0 * improved.sum()[domain] / improved.size()[domain])
        if domain in improved.size().index
        else None
        for domain in sorted(star["domain"].unique())
    }

    earlier = referrals.loc[referrals["referral_date"] < start, "person_id"]
    first = (
        in_period[~in_period["person_id"].isin(earlier)]
        .sort_values("referral_date", kind="stable")
        .drop_duplicates("person_id")[["person_id", "pcn_code"]]
    )
    if filters.pcns:
        first = first[first["pcn_code"].isin(filters.pcns)]
    referred = utilisation[utilisation["cohort"] == "referred"].drop(columns="pcn_code")
    windows = (
        referred.merge(first, on="person_id")
        .pivot_table(index=["person_id", "setting"], columns="period", values="count")
        .dropna(subset=["before", "after"])
    )
    means = windows.groupby("setting")[["before", "after"]].mean()

    onward = onward[onward["onward_date"].between(start, end)]
    owners = referrals if not filters.pcns else referrals[referrals["pcn_code"].isin(filters.pcns)]
    onward = onward.merge(owners[["referral_id"]], on="referral_id")
    demand = onward.assign(unmet=onward["result"].isin(UNMET_RESULTS)).groupby("activity")

    return {
        "rates": {
            code: [int(count), float(rate)]
            for code, count, rate in zip(pcns["pcn_code"], per_pcn, rates, strict=True)
        },
        "funnel": {stage: int(count) for stage, count in funnel.items()},
        "median_wait_days": _number(median_wait),
        "star_pct_improved": {domain: _number(pct) for domain, pct in star_pct.items()},
        "utilisation": {
            setting: [float(row.before), float(row.after)] for setting, row in means.iterrows()
        },
        "capacity": {
            activity: [int(size), int(unmet)]
            for (activity, size), unmet in zip(
                demand.size().items(), demand["unmet"].sum(), strict=True
            )
        },
    }


def duckdb_figures(con, filters: Filters) -> dict[str, Any]:
    """The same headline figures from the loaded database, through the project's queries."""
    params = query_params(filters)
    rates = queries.run(con, "pcn_referral_rates", params)
    funnel = queries.run(con, "referral_funnel", params)

    def run(name: str, given: dict) -> pd.DataFrame:
        return queries.run(con, name, given)

    def chosen(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["pcn_code"].isin(filters.pcns)] if filters.pcns else frame

    outcomes = chosen(queries.run(con, "outcome_change", params))
    star = (
        outcomes[outcomes["measure"] == "wellbeing_star"]
        .groupby("domain")[["n_improved", "n"]]
        .sum()
    )
    utilisation = chosen(queries.run(con, "utilisation_change", params))
    utilisation = (
        utilisation[utilisation["cohort"] == "referred"]
        .groupby("setting")[["sum_before", "sum_after", "n_people"]]
        .sum()
    )
    gaps = queries.run(con, "capacity_gaps", params).groupby("activity")[["demand", "unmet"]].sum()
    return {
        "rates": {
            row.pcn_code: [int(row.referrals), float(row.rate_per_1000)]
            for row in rates.sort_values("pcn_code").itertuples()
        },
        "funnel": {row.stage: int(row.people) for row in funnel.itertuples()},
        "median_wait_days": _number(waits.wait_summary(run, filters)["median_wait_days"].iloc[0]),
        "star_pct_improved": {
            domain: (100.0 * row.n_improved / row.n) if row.n else None
            for domain, row in star.iterrows()
        },
        "utilisation": {
            setting: [row.sum_before / row.n_people, row.sum_after / row.n_people]
            for setting, row in utilisation.iterrows()
            if row.n_people
        },
        "capacity": {
            activity: [int(row.demand), int(row.unmet)] for activity, row in gaps.iterrows()
        },
    }


def differences(left: Any, right: Any, where: str = "") -> list[str]:
    """Where two sets of figures differ beyond floating-point noise; empty when they agree."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = [f"{where}/{key}: only one side" for key in left.keys() ^ right.keys()]
        for key in sorted(left.keys() & right.keys()):
            found += differences(left[key], right[key], f"{where}/{key}")
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [d for a, b in zip(left, right, strict=True) for d in differences(a, b, where)]
    if left is None or right is None:
        return [] if left is right else [f"{where}: {left} != {right}"]
    if math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9):
        return []
    return [f"{where}: {left} != {right}"]
