"""Outcomes: paired wellbeing change by domain."""

import streamlit as st

from dashboard.core import charts
from dashboard.core.suppression import protect
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import chart, suppression_note

filters = current_filters()
st.title("Outcomes")
st.caption(
    f"{scope_label(filters)}, referrals from {filters.date_from:%d %b %Y} to "
    f"{filters.date_to:%d %b %Y}. Paired baseline and follow-up scores only."
)

domains = query("wellbeing_star_domains", filters.params())
derived = {
    "mean_baseline": "n",
    "mean_followup": "n",
    "mean_change": "n",
    "sd_change": "n",
    "pct_improved": "n",
    "low_baseline_pct_improved": "low_baseline_n",
}
counts = ("n", "low_baseline_n", "people_with_baseline")
shown = protect(domains, counts=counts, based_on=derived)

paired = int(domains["n"].max()) if len(domains) else 0
with_baseline = int(domains["people_with_baseline"].max()) if len(domains) else 0
cols = st.columns(3)
cols[0].metric("People with a Wellbeing Star baseline", f"{with_baseline:,}")
cols[1].metric("... with a follow-up", f"{paired:,}")
cols[2].metric("Follow-up completion", f"{paired / with_baseline:.0%}" if with_baseline else "-")
if with_baseline and paired / with_baseline < 0.6:
    st.warning(
        "Fewer than 60% of people have a follow-up score. Those who do may differ from those "
        "who do not, so these results may overstate the benefit."
    )

best = domains.sort_values("mean_change", ascending=False)
title = (
    f"Wellbeing Star: largest gain in {best.iloc[0]['domain'].replace('_', ' ')}"
    if len(best)
    else "Wellbeing Star by domain"
)
chart(
    charts.dumbbell(
        shown.frame, "domain", "mean_baseline", "mean_followup", title, "Mean score (1-5)"
    ),
    domains,
    "wellbeing_star_domains",
    counts=counts,
    based_on=derived,
    caption=f"n = {paired:,} people with paired scores.",
)
st.dataframe(
    shown.display()[["domain", "n", "pct_improved", "low_baseline_n", "low_baseline_pct_improved"]],
    hide_index=True,
    column_config={
        "pct_improved": st.column_config.NumberColumn("% improved", format="%.1f"),
        "low_baseline_pct_improved": st.column_config.NumberColumn(
            "% improved, low baseline (2 or less)", format="%.1f"
        ),
        "low_baseline_n": "n, low baseline",
    },
)
suppression_note(shown.any_withheld)
