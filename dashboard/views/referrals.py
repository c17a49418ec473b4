"""Referrals: rates per PCN against the planning band, trend and funnel."""

import streamlit as st

from dashboard.core import charts, findings
from dashboard.core.settings import load_settings
from dashboard.core.suppression import protect, suppress_value
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import chart, no_data_message, suppression_note

filters = current_filters()
band = load_settings().referral_band
params = {**filters.params(), "band_low": band.low_per_1000, "band_high": band.high_per_1000}
previous = {
    **filters.previous().params(),
    "band_low": band.low_per_1000,
    "band_high": band.high_per_1000,
}

st.title("Referrals")
st.caption(f"{scope_label(filters)}, {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y}")

kpis = query("referral_kpis", params).iloc[0]
if not kpis["referrals"]:
    no_data_message()
    st.stop()
before = query("referral_kpis", previous).iloc[0]

tiles = st.columns(4)
tiles[0].metric(
    "Referrals",
    suppress_value(int(kpis["referrals"]), kpis["referrals"]),
    findings.change_phrase(kpis["referrals"], before["referrals"]),
)
tiles[1].metric(
    "Per 1,000 registered a year",
    suppress_value(round(kpis["rate_per_1000"], 1), kpis["referrals"]),
    findings.change_phrase(kpis["rate_per_1000"], before["rate_per_1000"]),
)
tiles[2].metric(
    "Median wait to first contact",
    suppress_value(f"{kpis['median_wait_days']:.0f} days", kpis["people_with_wait"]),
    delta_color="inverse",
)
tiles[3].metric(
    "Declined",
    suppress_value(f"{kpis['decline_rate_pct']:.1f}%", kpis["referrals"]),
    delta_color="inverse",
)

rates = query("pcn_referral_rates", params)
shown = protect(rates, counts=("referrals",), based_on={"rate_per_1000": "referrals"})
chart(
    charts.rate_by_pcn(
        shown.frame,
        band.low_per_1000,
        band.high_per_1000,
        band.source,
        kpis["rate_per_1000"],
        findings.band_finding(rates),
    ),
    rates,
    "referral_rate_by_pcn",
    counts=("referrals",),
    based_on={"rate_per_1000": "referrals"},
    caption="Annualised: referrals / registered list x 1,000 x 365 / days in the period.",
)
suppression_note(shown.any_withheld)

left, right = st.columns(2)
with left:
    months = query("monthly_referrals", params)
    monthly = protect(months, counts=("referrals",), based_on={"rate_per_1000": "referrals"})
    chart(
        charts.monthly_trend(monthly.frame, f"Referrals a month, {scope_label(filters)}"),
        months,
        "monthly_referrals",
        counts=("referrals",),
        based_on={"rate_per_1000": "referrals"},
    )
with right:
    stages = query("referral_funnel", params)
    funnel = protect(stages, counts=("people",))
    completed = stages.set_index("stage")["people"]
    chart(
        charts.funnel(
            funnel.frame,
            f"{completed['completed'] / completed['referred']:.0%} of referrals completed",
        ),
        stages,
        "referral_funnel",
        counts=("people",),
    )
