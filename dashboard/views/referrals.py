"""Referrals: rates per PCN against the planning band, trend, funnel, waits and reach."""

import streamlit as st

from dashboard.measures import referrals
from dashboard.settings import load_settings
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import draw_view, no_data_message

filters = current_filters()
band = load_settings().referral_band

st.title("Referrals")
st.caption(
    f"{scope_label(filters)}, {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y} "
    f"({filters.days} days). Tiles compare with the {filters.days} days before."
)

if not query("referral_kpis", referrals.params(filters, band)).iloc[0]["referrals"]:
    no_data_message()
    st.stop()

for column, tile in zip(st.columns(5), referrals.kpi_tiles(query, filters, band), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help)

st.header("Rate against the planning band")
draw_view(referrals.rate_view(query, filters, band, "referral_rate_by_pcn"))

st.header("Month by month")
draw_view(referrals.monthly_view(query, filters, band))

st.header("From referral to completion")
left, right = st.columns(2)
with left:
    draw_view(referrals.funnel_view(query, filters, band))
with right:
    draw_view(referrals.decline_view(query, filters, band))

st.header("Waits to first contact")
left, right = st.columns(2)
with left:
    draw_view(referrals.waits_view(query, filters, band))
with right:
    draw_view(referrals.wait_distribution_view(query, filters, band))

st.header("Referral sources and primary reasons")
left, right = st.columns(2)
with left:
    draw_view(referrals.mix_view(query, filters, band, "referral_source"))
with right:
    draw_view(referrals.mix_view(query, filters, band, "reason"))

st.header("Who is reached")
finding = referrals.route_finding(query("referral_equity", referrals.params(filters, band)))
if finding:
    st.markdown(finding)
equity = referrals.equity_views(query, filters, band)
for row in (equity[:2], equity[2:]):
    for column, view in zip(st.columns(2), row, strict=True):
        with column:
            draw_view(view)
