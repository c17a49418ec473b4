"""The funnel views: from referral to completion, and the decline rate by PCN.

No Streamlit here; built through the disclosure gate like every view (see referrals.py).
"""

from __future__ import annotations

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures.disclosure import Ratio, Rules, count_text, figure_text, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import params
from dashboard.measures.view import Runner, View, build
from dashboard.settings import ReferralBand

FUNNEL_STAGES = (
    "referred",
    "contacted",
    "engaged",
    "open",
    "completed",
    "declined",
    "not_contactable",
    "did_not_attend",
)


FUNNEL_RULES = Rules(
    counts=("people", "base"),
    ratios={
        "share_pct": Ratio(
            "people", "base", 100, interval=("share_low", "share_high"), method="wilson"
        )
    },
)


def funnel_title(stages: pd.DataFrame) -> str:
    shares = stages.set_index("stage")["share_pct"]
    if stages.empty or not stages["base"].fillna(0).iloc[0]:
        return "No referrals in the period"
    completed = figure_text(shares.get("completed"), "{:.0f}%")
    declined = figure_text(shares.get("declined"), "{:.0f}%")
    return f"{completed} of closed referrals completed; {declined} declined"


def funnel_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    stages = run("referral_funnel", params(filters, band))
    stages = stages.assign(share_low=float("nan"), share_high=float("nan"))
    referred = stages.loc[stages["stage"] == "referred", "people"].sum()

    def draw(shown: pd.DataFrame):
        figure = rc.title_room(charts.funnel(shown, funnel_title(shown)))
        figure.update_layout(
            title_subtitle_text=f"n = {count_text(referred)} referrals; completion and "
            "drop-outs are shares of closed referrals"
        )
        return figure

    return build(
        "referral_funnel",
        stages,
        FUNNEL_RULES,
        draw,
        caption="Contacted: a first contact is recorded. Engaged: engaged or completed. Open: "
        "referred, contacted or engaged and not yet closed. Completed and the drop-outs "
        "(each referral's latest status) are shares of the closed referrals, with Wilson 95% "
        "intervals in the CSV.",
    )


DECLINE_RULES = Rules(
    counts=(*(stage for stage in FUNNEL_STAGES if stage != "open"), "closed"),
    ratios={
        "decline_rate_pct": Ratio("declined", "referred", per=100),
        "completed_pct": Ratio("completed", "closed", per=100),
    },
)


def decline_title(funnel: pd.DataFrame, icb_rate: float | None) -> str:
    measured = funnel.dropna(subset=["decline_rate_pct"])
    icb = figure_text(icb_rate)
    if measured.empty:
        return "Too few referrals per PCN to compare decline rates"
    chosen = measured[measured["selected"]]
    if len(chosen) == 1:
        row = chosen.iloc[0]
        return f"{row['pcn_name']}: {row['decline_rate_pct']:.1f}% declined (ICB {icb}%)"
    return (
        f"Decline rate from {measured['decline_rate_pct'].min():.0f}% to "
        f"{measured['decline_rate_pct'].max():.0f}% across PCNs (ICB {icb}%)"
    )


def decline_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    funnel = run("pcn_funnel", params(filters, band))
    referred = funnel["referred"].sum()
    icb_rate = ratio(funnel["declined"].sum(), referred, 100)

    def draw(shown: pd.DataFrame):
        return rc.pcn_bars(
            charts.telling_pcns(shown, "decline_rate_pct"),
            "decline_rate_pct",
            decline_title(shown, icb_rate),
            f"n = {count_text(referred)} referrals across {len(funnel)} PCNs",
            "% of referrals declined",
            icb_rate,
            "ICB",
        )

    def caption(shown: pd.DataFrame) -> str:
        drawn = charts.telling_pcns(shown, "decline_rate_pct")
        return (
            "Declined / referred, by the referral's PCN. The funnel stages of each PCN are in "
            "the CSV." + charts.telling_note(shown, drawn, "the highest and lowest decline rates")
        )

    return build("decline_rate_by_pcn", funnel, DECLINE_RULES, draw, caption=caption)
