"""Outcomes: paired wellbeing change by measure and domain, follow-up completion, by PCN."""

import streamlit as st

from dashboard.measures import outcomes_by_pcn as by_pcn
from dashboard.measures import outcomes_views as views
from dashboard.measures.formats import day, label
from dashboard.measures.outcomes import MEASURE_LABEL
from dashboard.ui.data import built
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import draw_sections, draw_tiles, draw_view, no_data_message

filters = current_filters()
st.title("Outcomes")
st.caption(
    f"{scope_label(filters)}, referrals from {day(filters.date_from)} to "
    f"{day(filters.date_to)}. Paired baseline and follow-up scores only; every figure "
    "shows its n."
)
if not built(views.has_outcomes, filters):
    no_data_message()
    st.stop()

# Follow-up completion first: missing follow-ups bias everything below.
draw_tiles(built(views.completion_tiles, filters))
warning = built(views.followup_warning, filters)
if warning:
    st.warning(warning, icon=":material/warning:")


def wellbeing_star() -> None:
    draw_view(built(views.star_view, filters))
    draw_view(built(views.improved_view, filters))
    draw_view(built(views.change_view, filters))


def total_scores() -> None:
    items = built(views.score_items, filters)
    if not items:
        st.info("No SWEMWBS, WEMWBS or ONS4 scores for this selection.")
        return
    scores = built(views.scores_view, filters)
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
    draw_view(built(views.distribution_view, filters, item))


def by_pcn_and_completion() -> None:
    measure = st.selectbox(
        "Measure",
        options=built(by_pcn.pcn_measures, filters),
        format_func=MEASURE_LABEL.get,
        key="outcomes_pcn_measure",
    )
    draw_view(built(by_pcn.followup_pcn_view, filters, measure))
    domain = st.selectbox(
        "Domain or item",
        options=built(by_pcn.pcn_domains, filters, measure),
        format_func=label,
        key="outcomes_pcn_domain",
    )
    draw_view(built(by_pcn.improved_pcn_view, filters, measure, domain))


draw_sections(
    "outcomes_section",
    {
        "Wellbeing Star": wellbeing_star,
        "SWEMWBS, WEMWBS and ONS4": total_scores,
        "By PCN and follow-up completion": by_pcn_and_completion,
    },
)
