"""Overview: the referral headline first, then the headline of every other view."""

import streamlit as st

from dashboard.measures import capacity_views, outcomes_views, referrals, utilisation
from dashboard.settings import load_settings
from dashboard.ui.data import built, built_together
from dashboard.ui.filters import current_filters, period_caption
from dashboard.ui.frame import board_pack_downloads, draw_tiles, draw_view, no_data_message

filters = current_filters()
band = load_settings().referral_band

st.title("Social prescribing overview")
st.caption(period_caption(filters))

if not built(referrals.has_referrals, filters, band):
    no_data_message()
    st.stop()

kpis, rates, outcome_tiles, use_tiles, capacity_tiles = built_together(
    (referrals.kpi_tiles, filters, band),
    (referrals.rate_view, filters, band, "overview_rate_by_pcn"),
    (outcomes_views.overview_tiles, filters),
    (utilisation.overview_tiles, filters),
    (capacity_views.overview_tiles, filters),
)
board_pack_downloads(filters)
st.page_link(
    "views/present.py",
    label="Present these results in a meeting",
    icon=":material/slideshow:",
    query_params=st.query_params.to_dict(),
)

st.header("Referrals")
draw_tiles(kpis)
draw_view(rates)
st.page_link(
    "views/referrals.py",
    label="Trend, funnel, waits and who is reached: the Referrals page",
    icon=":material/arrow_forward:",
)

st.header("Outcomes, utilisation and capacity")
draw_tiles([*outcome_tiles, *use_tiles, *capacity_tiles])
