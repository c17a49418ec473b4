"""Outcomes: paired wellbeing change by measure and domain, follow-up completion, by PCN."""

import streamlit as st

from dashboard.measures import outcomes_by_pcn as by_pcn
from dashboard.measures import outcomes_views as views
from dashboard.measures.formats import day, label
from dashboard.measures.outcomes import MEASURE_LABEL
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import draw_tiles, draw_view, no_data_message

filters = current_filters()
st.title("Outcomes")
st.caption(
    f"{scope_label(filters)}, referrals from {day(filters.date_from)} to "
    f"{day(filters.date_to)}. Paired baseline and follow-up scores only; every figure "
    "shows its n."
)
if not views.has_outcomes(query, filters):
    no_data_message()
    st.stop()

# Follow-up completion first: missing follow-ups bias everything below.
draw_tiles(views.completion_tiles(query, filters))
warning = views.followup_warning(query, filters)
if warning:
    st.warning(warning, icon=":material/warning:")

tab_star, tab_scores, tab_pcn = st.tabs(
    ["Wellbeing Star", "SWEMWBS, WEMWBS and ONS4", "By PCN and follow-up completion"]
)

with tab_star:
    draw_view(views.star_view(query, filters))
    draw_view(views.improved_view(query, filters))
    draw_view(views.change_view(query, filters))

with tab_scores:
    items = views.score_items(query, filters)
    if not items:
        st.info("No SWEMWBS, WEMWBS or ONS4 scores for this selection.")
    else:
        scores = views.scores_view(query, filters)
        draw_view(scores)
        st.dataframe(
            views.scores_table(scores),
            hide_index=True,
            key="outcomes_scores_table",
            column_config={
                "item": "Measure",
                "n": "People",
                "followup_pct": "% with follow-up",
                "mean_change": "Mean change (follow-up minus baseline)",
                "pct_improved": "% improved",
                "pct_meaningful": "% meaningful change",
            },
        )
        st.caption(views.meaningful_note())
        item = st.selectbox(
            "Distribution of change for", options=list(items), key="outcomes_distribution_item"
        )
        draw_view(views.distribution_view(query, filters, item))

with tab_pcn:
    measure = st.selectbox(
        "Measure",
        options=by_pcn.pcn_measures(query, filters),
        format_func=MEASURE_LABEL.get,
        key="outcomes_pcn_measure",
    )
    draw_view(by_pcn.followup_pcn_view(query, filters, measure))
    domain = st.selectbox(
        "Domain or item",
        options=by_pcn.pcn_domains(query, filters, measure),
        format_func=label,
        key="outcomes_pcn_domain",
    )
    draw_view(by_pcn.improved_pcn_view(query, filters, measure, domain))
