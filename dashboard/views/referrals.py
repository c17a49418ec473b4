"""Referrals: rates per PCN against the planning band, trend, funnel, waits and reach."""

import streamlit as st

from dashboard.measures import funnel, reach, referrals, referrals_monthly, waits
from dashboard.settings import load_settings
from dashboard.ui.data import built
from dashboard.ui.filters import current_filters, period_caption
from dashboard.ui.frame import draw_sections, draw_tiles, draw_view, draw_views, no_data_message

filters = current_filters()
band = load_settings().referral_band

st.title("Referrals")
st.caption(period_caption(filters))

if not built(referrals.has_referrals, filters, band):
    no_data_message()
    st.stop()

draw_tiles(built(referrals.kpi_tiles, filters, band))


def against_the_band() -> None:
    draw_view(built(referrals.rate_view, filters, band, "referral_rate_by_pcn"))
    draw_view(built(referrals.rate_funnel_view, filters, band))


def month_by_month() -> None:
    draw_view(built(referrals_monthly.monthly_view, filters, band))


def referral_to_completion() -> None:
    draw_views(built(funnel.funnel_view, filters, band), built(funnel.decline_view, filters, band))


def waits_to_first_contact() -> None:
    draw_views(
        built(waits.waits_view, filters, band), built(waits.wait_distribution_view, filters, band)
    )


def sources_and_reasons() -> None:
    draw_views(*(built(reach.mix_view, filters, band, d) for d in ("referral_source", "reason")))


def who_is_reached() -> None:
    finding = built(reach.route_finding, filters, band)
    if finding:
        st.markdown(finding)
    draw_views(*built(reach.equity_views, filters, band))


draw_sections(
    "referrals_section",
    {
        "Rate against the planning band": against_the_band,
        "Month by month": month_by_month,
        "From referral to completion": referral_to_completion,
        "Waits to first contact": waits_to_first_contact,
        "Sources and reasons": sources_and_reasons,
        "Who is reached": who_is_reached,
    },
)
