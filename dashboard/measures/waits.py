"""Waits from referral to first contact, over all referrals: Kaplan-Meier estimates with the
not-yet-contacted censored at the data's date (or at their end date when they closed
without a contact), so people still waiting are not dropped and the median not understated.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures.disclosure import (
    Built,
    Ratio,
    Rules,
    count_text,
    disclose,
    figure_text,
    people_text,
)
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import kaplan_meier, survival_quantile
from dashboard.measures.view import Runner, View, build
from dashboard.settings import ReferralBand

WITHIN_DAYS = (14, 28)
WAIT_RULES = Rules(
    counts=(
        "referrals",
        "contacted",
        "still_waiting",
        "within_14",
        "seen_14",
        "within_28",
        "seen_28",
    ),
    ratios={
        f"within_{d}_pct": Ratio(
            f"within_{d}",
            f"seen_{d}",
            100,
            interval=(f"within_{d}_low", f"within_{d}_high"),
            method="wilson",
        )
        for d in WITHIN_DAYS
    },
    built={"median_wait_days": Built("referrals", 0), "p90_wait_days": Built("referrals", 0)},
)
# The figures in the order a table (and its CSV) shows them: the same order in every process.
WAIT_COLUMNS = (
    *WAIT_RULES.counts,
    *WAIT_RULES.built,
    *(f"within_{d}_{part}" for d in WITHIN_DAYS for part in ("pct", "low", "high")),
)
DEFINITION = (
    "Days from referral to first contact over all referrals (Kaplan-Meier): a referral not yet "
    "contacted counts as waiting up to the data's date, or up to its end date if it closed "
    "without a contact. Within 14 or 28 days: of the referrals that could be followed that "
    "long."
)


def _summarise_by(times: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of `keys`: Kaplan-Meier median and 90th percentile of the wait (events are
    first contacts, the rest censored; censored at a time are still at risk at it) and the
    within-14/28-day counts. Vectorised over groups: a national ICB has hundreds of PCNs."""
    # Grouping tens of thousands of rows on text, a dozen times over, cost more than the
    # estimates themselves: the keys become integer codes first, and the rows one per group,
    # day and outcome (all the estimates depend on).
    codes = [pd.factorize(times[k], sort=True) for k in keys]
    times = (
        times.assign(**{k: c for k, (c, _) in zip(keys, codes, strict=True)})
        .groupby([*keys, "days", "contacted"], as_index=False)[["referrals", "still_waiting"]]
        .sum()
    )
    times = times.assign(
        event=times["referrals"].where(times["contacted"], 0),
        censored=times["referrals"].where(~times["contacted"], 0),
    )
    steps = (
        times.groupby([*keys, "days"], as_index=False)[["event", "censored"]]
        .sum()
        .sort_values([*keys, "days"])
    )
    leaving = steps["event"] + steps["censored"]
    # At risk at a time: all who leave at it or later, the group's total less those who left
    # before (whole counts, so exact; a reversed cumsum per group ran Python for each PCN).
    by_group = leaving.groupby([steps[k] for k in keys])
    at_risk = by_group.transform("sum") - by_group.cumsum() + leaving
    factor = (1 - steps["event"] / at_risk.where(at_risk > 0)).fillna(1.0)
    steps["survival"] = factor.groupby([steps[k] for k in keys]).cumprod()
    # A plain sum, renamed: named aggregation builds a MultiIndex of its specs on every call.
    rows = (
        times.groupby(keys)[["referrals", "event", "still_waiting"]]
        .sum()
        .rename(columns={"event": "contacted"})
    )
    for q, name in ((0.5, "median_wait_days"), (0.9, "p90_wait_days")):
        reached = steps[steps["survival"] <= 1 - q + 1e-12]
        rows[name] = reached.groupby(keys)["days"].min().astype("float64")
    for days in WITHIN_DAYS:
        within, seen = _within(times["days"], times["contacted"], days)
        rows[f"within_{days}"] = times["referrals"].where(within, 0).groupby(
            [times[k] for k in keys]).sum()  # fmt: skip
        rows[f"seen_{days}"] = times["referrals"].where(seen, 0).groupby(
            [times[k] for k in keys]).sum()  # fmt: skip
        rows[f"within_{days}_pct"] = (
            rows[f"within_{days}"] * 100 / rows[f"seen_{days}"].where(rows[f"seen_{days}"] > 0)
        )
        rows[f"within_{days}_low"] = rows[f"within_{days}_high"] = float("nan")
    rows = rows.reset_index()
    for k, (_, names) in zip(keys, codes, strict=True):
        rows[k] = names.take(rows[k])
    return rows


def _within(days, contacted, limit: int):
    """Contacted within `limit` days, and followed that long (contacted within it, or waiting
    or censored at it or later): the numerator and denominator of the share within."""
    within = contacted & (days <= limit)
    return within, within | (days >= limit)


def _summarise(times: pd.DataFrame) -> dict[str, Any]:
    """The figures of `_summarise_by` for one group (all of `times`), the same to the last bit:
    a headline sums a few hundred rows, where the grouped version's pandas cost 40 ms."""
    if times.empty:
        return {column: (0 if column in WAIT_RULES.counts else float("nan"))
                for column in WAIT_COLUMNS}  # fmt: skip
    days = times["days"].to_numpy()
    contacted = times["contacted"].to_numpy(dtype=bool)
    referrals = times["referrals"].to_numpy()
    curve = kaplan_meier(days, contacted, referrals)
    row: dict[str, Any] = {
        "referrals": int(referrals.sum()),
        "contacted": int(referrals[contacted].sum()),
        "still_waiting": int(times["still_waiting"].sum()),
        "median_wait_days": survival_quantile(curve, 0.5),
        "p90_wait_days": survival_quantile(curve, 0.9),
    }
    for limit in WITHIN_DAYS:
        within, seen = (int(referrals[mask].sum()) for mask in _within(days, contacted, limit))
        row |= {
            f"within_{limit}": within,
            f"seen_{limit}": seen,
            f"within_{limit}_pct": within * 100 / seen if seen else float("nan"),
            f"within_{limit}_low": float("nan"),
            f"within_{limit}_high": float("nan"),
        }
    return row


def _times(run: Runner, filters: Filters) -> pd.DataFrame:
    return run("wait_times", filters.params())


def wait_summary(run: Runner, filters: Filters) -> pd.DataFrame:
    """One row for the filter's PCNs (the whole ICB when none), exact: pass it to the gate."""
    return pd.DataFrame([_summarise(run("wait_times_total", filters.params()))])


def headline(run: Runner, filters: Filters) -> dict[str, Any]:
    """Shown median and 90th percentile waits, and the shown within-days shares."""
    return disclose(wait_summary(run, filters), WAIT_RULES).frame.iloc[0].to_dict()


def by_pcn(run: Runner, filters: Filters) -> pd.DataFrame:
    times = _times(run, filters)
    pcns = run("pcn_options", {})[["pcn_code", "pcn_name"]]
    rows = _summarise_by(times, ["pcn_code"]) if len(times) else pd.DataFrame(columns=["pcn_code"])
    frame = filters.marked(
        pcns.merge(rows.reindex(columns=["pcn_code", *WAIT_COLUMNS]), how="left")
    )
    counts = list(WAIT_RULES.counts)
    frame[counts] = frame[counts].fillna(0)
    return frame.sort_values(["median_wait_days", "pcn_code"], na_position="last")


def waits_title(shown: pd.DataFrame) -> str:
    measured = shown.dropna(subset=["median_wait_days"])
    chosen = measured[measured["selected"]]
    if measured.empty:
        return "Too few referrals per PCN to compare waits"
    if len(chosen) == 1:
        row = chosen.iloc[0]
        return (
            f"{row['pcn_name']}: median {row['median_wait_days']:.0f} days to first contact, "
            f"9 in 10 within {figure_text(row['p90_wait_days'], '{:.0f}')}"
        )
    return (
        f"Median wait to first contact from {measured['median_wait_days'].min():.0f} to "
        f"{measured['median_wait_days'].max():.0f} days across PCNs"
    )


def waits_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    waits = by_pcn(run, filters)
    subtitle = (
        f"n = {count_text(waits['referrals'].sum())} referrals, "
        f"{people_text(waits['still_waiting'].sum())} still waiting"
    )

    def caption(shown: pd.DataFrame) -> str:
        drawn = charts.telling_pcns(shown, "median_wait_days")
        return DEFINITION + charts.telling_note(
            shown, drawn, "the longest and shortest median waits"
        )

    return build(
        "waits_by_pcn",
        waits,
        WAIT_RULES,
        lambda shown: rc.pcn_waits(
            charts.telling_pcns(shown, "median_wait_days"), waits_title(shown), subtitle
        ),
        caption=caption,
    )


def wait_distribution_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    distribution = run("wait_distribution", filters.params())
    now = headline(run, filters)
    if not now["referrals"]:
        title = "No referrals in the period"
    else:
        title = (
            f"Half of referrals had a first contact within "
            f"{figure_text(now['median_wait_days'], '{:.0f}')} days, 9 in 10 within "
            f"{figure_text(now['p90_wait_days'], '{:.0f}')}"
        )
    within = ", ".join(
        f"{figure_text(now[f'within_{d}_pct'], '{:.0f}%')} within {d} days" for d in WITHIN_DAYS
    )
    median = now["median_wait_days"]
    return build(
        "wait_distribution",
        distribution,
        Rules(counts=("people",)),
        lambda shown: rc.wait_histogram(
            shown,
            None if pd.isna(median) else median,
            title,
            f"n = {count_text(now['referrals'])} referrals; {within}; bars: those contacted",
        ),
        caption="Whole weeks from referral to first contact for referrals with a contact; "
        "12 weeks or more share the last bar. The median and 90th percentile count everyone "
        "referred, still waiting included (Kaplan-Meier).",
    )
