"""The `referrals` section of `python -m dashboard summary --json`: the figures the pages show,
under the disclosure policy in force, and the monthly XmR chart of the whole ICB's referrals."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.measures import spc
from dashboard.measures.disclosure import MARK, Rules, disclose, exported, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.funnel import FUNNEL_STAGES
from dashboard.measures.referrals import headline, params, rate_table
from dashboard.measures.view import Runner
from dashboard.settings import ReferralBand


def summary_section(run: Runner, filters: Filters, band: ReferralBand) -> dict[str, Any]:
    """The `referrals` section of `python -m dashboard summary --json`: the figures the
    pages show, under the policy in force."""
    now = headline(run, filters, band)
    kpis = run("referral_kpis", params(filters, band)).iloc[0]
    rates = rate_table(run, filters, band)
    if filters.pcns:
        rates = rates[rates["selected"]]
    stages = run("referral_funnel", params(filters, band)).set_index("stage")["people"]
    funnel: dict[str, Any] = {stage: exported(stages.get(stage, 0)) for stage in FUNNEL_STAGES}
    funnel["decline_rate_pct"] = _json_figure(
        ratio(stages.get("declined", 0), stages.get("referred", 0), 100), 1
    )
    return {
        "total": exported(kpis["referrals"]),
        "by_pcn": [
            {
                "pcn_code": row.pcn_code,
                "pcn_name": row.pcn_name,
                "referrals": MARK if pd.isna(row.referrals) else int(row.referrals),
                "rate_per_1000": _json_figure(row.rate_per_1000, 2),
                "in_band": bool(row.in_band),
            }
            for row in rates.sort_values(["pcn_name", "pcn_code"]).itertuples()
        ],
        "funnel": funnel,
        "median_wait_days": _json_figure(now["median_wait_days"], 1),
        "p90_wait_days": _json_figure(now["p90_wait_days"], 1),
        "unknown_pcn": now["unknown_pcn"],
        "monthly": [
            {
                "month": row.month.date().isoformat(),
                "referrals": MARK if pd.isna(row.referrals) else int(row.referrals),
                "mean": _json_figure(row.mean, 1),
                "lower": _json_figure(row.lower, 1),
                "upper": _json_figure(row.upper, 1),
                "special_cause": row.special_cause,
            }
            for row in monthly_spc(run, filters, band).itertuples()
        ],
    }


def monthly_spc(run: Runner, filters: Filters, band: ReferralBand) -> pd.DataFrame:
    """The whole ICB's referrals a month (shown, rounded) on an XmR chart: mean, process
    limits and special cause, worked from the shown counts."""
    months = run("monthly_referrals", params(filters.model_copy(update={"pcns": ()}), band))
    icb = months[months["series"] == "ICB"].reset_index(drop=True)
    shown = disclose(icb, Rules(counts=("referrals",))).frame
    # A withheld month (1 to 7) sits at the middle of its range rather than breaking the series.
    chart = spc.xmr(shown["referrals"].fillna(4))
    return pd.concat([shown[["month", "referrals"]], chart.drop(columns="value")], axis=1)


def _json_figure(value: Any, digits: int) -> float | str:
    return MARK if value is None or pd.isna(value) else round(float(value), digits)
