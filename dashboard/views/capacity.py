"""VCSE capacity: onward referrals against the places open services offer."""

import streamlit as st

from dashboard.charts.capacity import HEATMAP_MEASURES
from dashboard.data.contract import ACTIVITY_GROUP
from dashboard.measures import capacity_funding as funding
from dashboard.measures import capacity_views as views
from dashboard.measures.capacity import display_table, label
from dashboard.measures.formats import day
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, pcn_names, scope_label
from dashboard.ui.frame import draw_tiles, draw_view, draw_views, suppression_note

filters = current_filters()
st.title("VCSE capacity")
st.caption(
    f"{scope_label(filters)}, onward referrals from {day(filters.date_from)} to "
    f"{day(filters.date_to)} against the places open services serving the PCN offered in "
    "every month of the period. The gap nets the months against each other; the shortfall "
    "adds up only the places missing in months that ran short."
)
if not views.has_demand(query, filters):
    st.info("No onward referrals to VCSE activities in this selection.", icon=":material/info:")
    st.stop()

draw_tiles(views.tiles(query, filters))

st.header("Where demand outruns places")
measure = st.radio(
    "Colour the map by",
    options=list(HEATMAP_MEASURES),
    format_func=lambda m: HEATMAP_MEASURES[m][0],
    horizontal=True,
    key="capacity_heatmap_measure",
)
left, right = st.columns([3, 2])
with left:
    draw_view(views.heatmap_view(query, filters, measure))
with right:
    st.subheader("Largest shortfalls")
    worst = views.worst_gaps(query, filters)
    if worst.empty:
        st.success("No PCN-activity pair shown had more onward referrals than places.")
    else:
        st.dataframe(worst, hide_index=True, key="capacity_worst_gaps")

st.header("Month by month, for one PCN and activity")
names = pcn_names()
pcn_options = list(filters.pcns) or sorted(names, key=lambda code: names[code])
activity_options = sorted(ACTIVITY_GROUP)
default_pcn, default_activity = views.drilldown_default(query, filters) or (None, "walking")
picker = st.columns(2)
pcn = picker[0].selectbox(
    "PCN",
    options=pcn_options,
    index=pcn_options.index(default_pcn) if default_pcn in pcn_options else 0,
    format_func=lambda code: f"{names.get(code, code)} ({code})",
    key="capacity_pcn",
)
activity = picker[1].selectbox(
    "Activity",
    options=activity_options,
    index=activity_options.index(default_activity),
    format_func=label,
    key="capacity_activity",
)
draw_view(views.monthly_view(query, filters, pcn, names.get(pcn, pcn), activity))

st.header("Unmet demand")
st.caption(
    "Onward referrals waitlisted, declined for lack of capacity, or sent to a closed service."
)
draw_views(*views.unmet_views(query, filters))

st.header("Funding risk")
draw_view(funding.funding_view(query, filters))
for (heading, table), columns, key in (
    (funding.funding_ending(query, filters), funding.ENDING_COLUMNS, "capacity_funding_ending"),
    (funding.closed_services(query, filters), funding.CLOSED_COLUMNS, "capacity_closed_services"),
):
    st.subheader(heading)
    if len(table.frame):
        st.dataframe(display_table(table, columns), hide_index=True, key=key)
        suppression_note(table.any_withheld)

st.header("By NIHR activity group")
draw_view(views.group_view(query, filters))
