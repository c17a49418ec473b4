"""VCSE capacity: onward referrals against the places open services offer."""

import streamlit as st

from dashboard.core import charts
from dashboard.core.suppression import protect
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import chart, suppression_note

filters = current_filters()
st.title("VCSE capacity")
st.caption(
    f"{scope_label(filters)}, onward referrals from {filters.date_from:%d %b %Y} to "
    f"{filters.date_to:%d %b %Y}, against the monthly places of open services."
)

activities = query("capacity_by_activity", filters.params())
counts = ("demand", "unmet")
shown = protect(activities, counts=counts)
short = activities[activities["demand"] > activities["capacity"]]
title = (
    f"Demand outran capacity in {len(short)} of {len(activities)} activities"
    if len(activities)
    else "Demand and capacity by activity"
)
chart(
    charts.grouped_bars(
        shown.frame,
        "activity",
        {"demand": "Onward referrals", "capacity": "Places at open services", "unmet": "Unmet"},
        title,
        "Over the period",
    ),
    activities,
    "capacity_by_activity",
    counts=counts,
    caption="Unmet: waitlisted, declined for lack of capacity, or sent to a closed service.",
)
suppression_note(shown.any_withheld)
