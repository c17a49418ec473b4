"""Referrals: rates per PCN against the planning band, trend, funnel, waits and reach."""

import streamlit as st

from dashboard.measures import funnel, reach, referrals, referrals_monthly, waits
from dashboard.settings import load_settings
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, period_caption
from dashboard.ui.frame import draw_tiles, draw_view, draw_views, no_data_message

filters = current_filters()
band = load_settings().referral_band

st.title("Referrals")
st.caption(period_caption(filters))

if not referrals.has_referrals(query, filters, band):
    no_data_message()
    st.stop()

draw_tiles(referrals.kpi_tiles(query, filters, band))

st.header("Rate against the planning band")
draw_view(referrals.rate_view(query, filters, band, "referral_rate_by_pcn"))
draw_view(referrals.rate_funnel_view(query, filters, band))

st.header("Month by month")
draw_view(referrals_monthly.monthly_view(query, filters, band))

st.header("From referral to completion")
draw_views(funnel.funnel_view(query, filters, band), funnel.decline_view(query, filters, band))

st.header("Waits to first contact")
draw_views(
    waits.waits_view(query, filters, band), waits.wait_distribution_view(query, filters, band)
)

st.header("Referral sources and primary reasons")
draw_views(*(reach.mix_view(query, filters, band, d) for d in ("referral_source", "reason")))

st.header("Who is reached")
finding = reach.route_finding(query, filters, band)
if finding:
    st.markdown(finding)
draw_views(*reach.equity_views(query, filters, band))
