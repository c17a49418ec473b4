"""The funnel views: from referral to completion, and the decline rate by PCN.

No Streamlit here; built through the disclosure gate like every view (see referrals.py).
"""

from __future__ import annotations

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures.control_limits import funnel_plot_view
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
        figure = charts.funnel(shown, funnel_title(shown))
        figure.update_layout(
            title_subtitle_text=f"n = {count_text(referred)} referrals; completion and "
            "drop-outs are shares of closed referrals"
        )
        # After the subtitle is set, so that it is wrapped and given room too.
        return rc.title_room(figure)

    return build(
        "referral_funnel",
        stages,
        FUNNEL_RULES,
        draw,
        caption="Contacted: a first contact is recorded. Engaged: engaged or completed. Open: "
        "referred, contacted or engaged and not yet closed. Completed and the drop-outs "
        "(each referral's latest status) are shares of the closed referrals, with 95% "
        "intervals (Wilson) in the CSV.",
    )


DECLINE_RULES = Rules(
    counts=(*(stage for stage in FUNNEL_STAGES if stage != "open"), "closed"),
    ratios={
        "decline_rate_pct": Ratio(
            "declined", "referred", 100, interval=("decline_low", "decline_high"), method="wilson"
        ),
        "completed_pct": Ratio("completed", "closed", per=100),
    },
)


def decline_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    """Each PCN's decline rate against its referrals, a funnel plot around the ICB rate."""
    funnel = filters.marked(run("pcn_funnel", params(filters, band)))
    funnel = funnel.assign(decline_low=float("nan"), decline_high=float("nan"))
    icb_rate = ratio(funnel["declined"].sum(), funnel["referred"].sum(), 100)
    return funnel_plot_view(
        "decline_rate_by_pcn",
        funnel,
        DECLINE_RULES,
        value="decline_rate_pct",
        size="referred",
        target=icb_rate,
        kind="proportion",
        per=100,
        title=f"Decline rate by PCN against its referrals (ICB {figure_text(icb_rate)}%)",
        size_title="Referrals",
        value_title="% of referrals declined",
        selected=filters.pcns,
        subject="Decline rate",
        caption=f"Declined / referred, by the referral's PCN; n = "
        f"{count_text(funnel['referred'].sum())} referrals. The CSV holds each PCN's funnel "
        "stages and the 95% interval (Wilson) of its decline rate.",
    )
