"""Waits from referral to first contact: by PCN and their distribution."""

from __future__ import annotations

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures.disclosure import Built, Rules, count_text, figure_text
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import headline, params
from dashboard.measures.view import Runner, View, build
from dashboard.settings import ReferralBand

# Waits ----------------------------------------------------------------------------------------

WAIT_RULES = Rules(
    counts=("people_with_wait",),
    built={
        "median_wait_days": Built("people_with_wait", 1),
        "p90_wait_days": Built("people_with_wait", 1),
    },
)


def waits_title(shown: pd.DataFrame) -> str:
    measured = shown.dropna(subset=["median_wait_days"])
    chosen = measured[measured["selected"]]
    if measured.empty:
        return "Too few first contacts per PCN to compare waits"
    if len(chosen) == 1:
        row = chosen.iloc[0]
        return (
            f"{row['pcn_name']}: median {row['median_wait_days']:.0f} days to first contact, "
            f"9 in 10 within {row['p90_wait_days']:.0f}"
        )
    return (
        f"Median wait to first contact from {measured['median_wait_days'].min():.0f} to "
        f"{measured['median_wait_days'].max():.0f} days across PCNs"
    )


def waits_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    waits = run("pcn_waits", params(filters, band))
    subtitle = f"n = {count_text(waits['people_with_wait'].sum())} people with a first contact"

    def caption(shown: pd.DataFrame) -> str:
        drawn = charts.telling_pcns(shown, "median_wait_days")
        return (
            "Days from referral to first contact; referrals not yet contacted have no wait."
            + charts.telling_note(shown, drawn, "the longest and shortest median waits")
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
    query_params = params(filters, band)
    distribution = run("wait_distribution", query_params)
    now = headline(run, filters, band)
    n = now["people_with_wait"]
    if n == 0:
        title = "No first contacts recorded in the period"
    else:
        title = (
            f"Half of people were contacted within "
            f"{figure_text(now['median_wait_days'], '{:.0f}')} days, 9 in 10 within "
            f"{figure_text(now['p90_wait_days'], '{:.0f}')}"
        )
    return build(
        "wait_distribution",
        distribution,
        Rules(counts=("people",)),
        lambda shown: rc.wait_histogram(
            shown, now["median_wait_days"], title, f"n = {count_text(n)} people"
        ),
        caption="Whole weeks from referral to first contact; 12 weeks or more share the last bar.",
    )
