"""Utilisation: GP appointments, A&E attendances and admissions before and after referral."""

import streamlit as st

from dashboard.core import charts
from dashboard.core.suppression import protect
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import chart, suppression_note

filters = current_filters()
st.title("Health-system utilisation")
st.caption(
    f"{scope_label(filters)}, people first referred from {filters.date_from:%d %b %Y} to "
    f"{filters.date_to:%d %b %Y}: events per person in the window before and after referral."
)
st.warning(
    "People are often referred at a time of crisis, when their use of services is unusually "
    "high; some of the fall afterwards would have happened anyway (regression to the mean).",
    icon=":material/warning:",
)

settings = query("utilisation_before_after", filters.params())
derived = {
    "before_per_person": "n_people",
    "after_per_person": "n_people",
    "pct_change": "n_people",
}
shown = protect(settings, counts=("n_people",), based_on=derived)
people = int(settings["n_people"].max()) if len(settings) else 0
gp = settings[settings["setting"] == "gp_appointment"]
title = (
    f"GP appointments per person changed {gp.iloc[0]['pct_change']:+.0f}% after referral"
    if len(gp) and people > 7
    else "Events per person, before and after referral"
)
chart(
    charts.grouped_bars(
        shown.frame,
        "setting",
        {"before_per_person": "Before referral", "after_per_person": "After referral"},
        title,
        "Mean events per person",
    ),
    settings,
    "utilisation_before_after",
    counts=("n_people",),
    based_on=derived,
    caption=f"n = {people:,} people with both windows.",
)
suppression_note(shown.any_withheld)
