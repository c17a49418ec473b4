"""The monthly referral trend: referrals a month as an XmR chart (NHS England's Making Data
Count), against the ICB, through the gate like every view (see referrals.py)."""

from __future__ import annotations

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.measures import formats, spc
from dashboard.measures.disclosure import count_text
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import RATE_RULES, params, patient_years
from dashboard.measures.view import Runner, View, build
from dashboard.settings import ReferralBand


def monthly_title(months: pd.DataFrame) -> str:
    scope = months[months["series"] != "ICB"] if (months["series"] != "ICB").any() else months
    if scope.empty or not scope["referrals"].fillna(0).any():
        return "No referrals in the period"
    name = scope["series"].iloc[0] if scope["series"].nunique() == 1 else "The selected PCNs"
    per_month = scope.groupby("month")["referrals"].sum(min_count=1).dropna()
    if per_month.empty:
        return f"{name}: too few referrals a month to show"
    busiest = per_month.idxmax()
    return (
        f"{name}: busiest month {formats.month(busiest)} ({count_text(per_month.max())} referrals)"
    )


def monthly_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    months = run("monthly_referrals", params(filters, band))
    months = months.assign(patient_years=patient_years(months["list_size"], months["days"]))
    selection = months[months["series"] != "ICB"]
    total = (selection if len(selection) else months)["referrals"].sum()

    def title(shown: pd.DataFrame) -> str:
        return monthly_title(shown) if len(shown) else "No months in the period"

    return build(
        "monthly_referrals",
        months,
        RATE_RULES.within(months.columns),
        lambda shown: rc.monthly(
            shown,
            band.low_per_1000,
            band.high_per_1000,
            title(shown),
            f"n = {count_text(total)} referrals; planning band shaded; financial years marked",
        ),
        title=title,
        caption=lambda shown: (
            "A month cut by the period is annualised over its days inside the "
            "period. With PCNs selected, the ICB rate is the dashed line. "
            + spc_sentence(shown, band)
        ),
    )


def spc_sentence(shown: pd.DataFrame, band: ReferralBand) -> str:
    """The XmR reading of the ICB's monthly rate (Making Data Count), from shown rates."""
    rates = shown.loc[shown["series"] == "ICB", ["month", "rate_per_1000"]].dropna()
    if len(rates) < 2:
        return ""
    chart = spc.xmr(rates["rate_per_1000"])
    mean, lower, upper = chart[["mean", "lower", "upper"]].iloc[0]
    special = [
        f"{formats.month(month)} ({cause})"
        for month, cause in zip(rates["month"], chart["special_cause"], strict=True)
        if cause
    ]
    return (
        f"The ICB's monthly rate averages {formats.number(mean, 1)} per 1,000 a year; months "
        f"between {formats.number(lower, 1)} and {formats.number(upper, 1)} are ordinary "
        "variation (process limits of an XmR chart, NHS England's Making Data Count). "
        f"{spc.variation(list(chart['special_cause']))}"
        + (f"; special cause in {', '.join(special)}" if special else "")
        + f". Against the planning band: "
        f"{spc.assurance(lower, upper, band.low_per_1000, band.high_per_1000).lower()}."
    )
