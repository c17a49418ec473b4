"""VCSE capacity: onward referrals against the places open services offer."""

import streamlit as st

from dashboard.charts.capacity import HEATMAP_MEASURES
from dashboard.data.contract import ACTIVITY_GROUP
from dashboard.measures import capacity_funding as funding
from dashboard.measures import capacity_views as views
from dashboard.measures.capacity import display_table, label
from dashboard.measures.formats import day
from dashboard.ui.data import built
from dashboard.ui.filters import current_filters, pcn_names, scope_label
from dashboard.ui.frame import draw_sections, draw_tiles, draw_view, draw_views, suppression_note

filters = current_filters()
st.title("VCSE capacity")
st.caption(
    f"{scope_label(filters)}, onward referrals from {day(filters.date_from)} to "
    f"{day(filters.date_to)} against the places open services serving the PCN offered in "
    "every month of the period. The gap nets the months against each other; the shortfall "
    "adds up only the places missing in months that ran short."
)
if not built(views.has_demand, filters):
    st.info("No onward referrals to VCSE activities in this selection.", icon=":material/info:")
    st.stop()

draw_tiles(built(views.tiles, filters))


def where_demand_outruns_places() -> None:
    measure = st.radio(
        "Colour the map by",
        options=list(HEATMAP_MEASURES),
        format_func=lambda m: HEATMAP_MEASURES[m][0],
        horizontal=True,
        key="capacity_heatmap_measure",
    )
    left, right = st.columns([3, 2])
    with left:
        draw_view(built(views.heatmap_view, filters, measure))
    with right:
        st.subheader("Largest shortfalls")
        worst = built(views.worst_gaps, filters)
        if worst.empty:
            st.success("No PCN-activity pair shown had more onward referrals than places.")
        else:
            st.dataframe(worst, hide_index=True, key="capacity_worst_gaps")


def month_by_month() -> None:
    names = pcn_names()
    pcn_options = list(filters.pcns) or sorted(names, key=lambda code: names[code])
    activity_options = sorted(ACTIVITY_GROUP)
    default_pcn, default_activity = built(views.drilldown_default, filters) or (None, "walking")
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
    draw_view(built(views.monthly_view, filters, pcn, names.get(pcn, pcn), activity))


def unmet_demand() -> None:
    st.caption(
        "Onward referrals waitlisted, declined for lack of capacity, or sent to a closed service."
    )
    draw_views(*built(views.unmet_views, filters))


def funding_risk() -> None:
    draw_view(built(funding.funding_view, filters))
    for (heading, table), columns, key in (
        (built(funding.funding_ending, filters), funding.ENDING_COLUMNS, "capacity_funding_ending"),
        (
            built(funding.closed_services, filters),
            funding.CLOSED_COLUMNS,
            "capacity_closed_services",
        ),
    ):
        st.subheader(heading)
        if len(table.frame):
            st.dataframe(display_table(table, columns), hide_index=True, key=key)
            suppression_note(table.any_withheld)


def by_activity_group() -> None:
    draw_view(built(views.group_view, filters))


draw_sections(
    "capacity_section",
    {
        "Where demand outruns places": where_demand_outruns_places,
        "Month by month, for one PCN and activity": month_by_month,
        "Unmet demand": unmet_demand,
        "Funding risk": funding_risk,
        "By NIHR activity group": by_activity_group,
    },
)
