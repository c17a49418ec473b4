"""Overview: the referral headline first, then the headline of every other view."""

import streamlit as st

from dashboard.measures import outcomes as outcome_view
from dashboard.measures import referrals
from dashboard.measures import utilisation as utilisation_view
from dashboard.measures.capacity import ACTIVITY_GROUPS_PARAM, count_text
from dashboard.measures.disclosure import MARK, is_small, suppress_value
from dashboard.settings import load_settings
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import board_pack_downloads, draw_view, no_data_message

filters = current_filters()
band = load_settings().referral_band
params = referrals.params(filters, band)

st.title("Social prescribing overview")
st.caption(
    f"{scope_label(filters)}, {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y} "
    f"({filters.days} days). Tiles compare with the {filters.days} days before."
)

if not query("referral_kpis", params).iloc[0]["referrals"]:
    no_data_message()
    st.stop()

board_pack_downloads(filters)
st.page_link(
    "views/present.py",
    label="Present these results in a meeting",
    icon=":material/slideshow:",
    query_params=st.query_params.to_dict(),
)

st.header("Referrals")
for column, tile in zip(st.columns(5), referrals.kpi_tiles(query, filters, band), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help)
draw_view(referrals.rate_view(query, filters, band, "overview_rate_by_pcn"))
st.page_link(
    "views/referrals.py",
    label="Trend, funnel, waits and who is reached: the Referrals page",
    icon=":material/arrow_forward:",
)

outcomes = outcome_view.star(
    query("outcome_change", outcome_view.sums_params(filters)), filters.pcns
)
utilisation = utilisation_view.summarise(
    query("utilisation_change", utilisation_view.sums_params(filters)), "referred", filters.pcns
)
capacity = query("capacity_gaps", {**params, "activity_groups": ACTIVITY_GROUPS_PARAM})

st.header("Outcomes, utilisation and capacity")
tiles = st.columns(3)
improved, scores = outcome_view.improved_share(outcomes)
tiles[0].metric(
    "Improved wellbeing (Star, any domain mean)",
    suppress_value(f"{improved:.0f}%", scores) if improved is not None else "no follow-ups",
    help="Share of paired Wellbeing Star domain scores that rose at follow-up.",
)
gp = utilisation[utilisation["setting"] == "gp_appointment"]
tiles[1].metric(
    "GP appointments per person",
    suppress_value(f"{gp.iloc[0]['pct_change']:+.0f}%", gp.iloc[0]["n_people"]) if len(gp) else "-",
    help="Change from the window before referral to the window after (referred cohort).",
)
unmet, demand = capacity["unmet"].sum(), capacity["demand"].sum()
tiles[2].metric(
    "VCSE onward referrals unmet",
    MARK if is_small(unmet) else suppress_value(f"{unmet / demand:.0%}", demand) if demand else "-",
    help="Waitlisted, declined for lack of capacity, or sent to a closed service.",
)
if demand:
    st.write(
        f"Of {count_text(demand, capacity['demand'])} onward referrals to VCSE activities, "
        f"{count_text(unmet, capacity['unmet'])} went unmet."
    )
