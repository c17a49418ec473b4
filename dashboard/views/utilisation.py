"""Utilisation: GP appointments, A&E attendances and admissions before and after referral."""

import streamlit as st

from dashboard.measures import utilisation, utilisation_costs
from dashboard.measures.formats import day, label
from dashboard.measures.utilisation_figures import SETTING_LABEL, SETTINGS_ORDER
from dashboard.ui.data import built
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import draw_sections, draw_tiles, draw_view

filters = current_filters()
st.title("Health-system utilisation")
st.caption(
    f"{scope_label(filters)}, people first referred from {day(filters.date_from)} to "
    f"{day(filters.date_to)}: events per person in the window before and after referral."
)
st.warning(
    "**Regression to the mean.** People are often referred at a time of crisis, when their "
    "use of services is unusually high; some of the fall afterwards would have happened "
    "anyway. A before/after change alone does not show that social prescribing caused it: "
    "compare with the matched comparison cohort where one is loaded.",
    icon=":material/warning:",
)

if not built(utilisation.has_data, filters):
    st.info(
        "No utilisation data for people first referred in this selection. Load a utilisation "
        "extract on the **Data** page.",
        icon=":material/info:",
    )
    st.stop()

windows = built(utilisation.window_options, filters)
window = windows[0]
if len(windows) > 1:
    # Windows of different lengths are never pooled: one length at a time.
    window = st.selectbox(
        "Window length",
        options=windows,
        format_func=lambda months: f"{months}-month windows before and after",
        key="utilisation_window",
        help="More than one window length is loaded; figures are shown for one at a time.",
    )
caveat = built(utilisation.not_elapsed_caveat, filters, window)
if caveat:
    st.info(caveat, icon=":material/schedule:")


def before_and_after() -> None:
    before_after = built(utilisation.before_after_view, filters, window)
    draw_view(before_after)
    st.dataframe(
        utilisation.table(before_after),
        hide_index=True,
        key="utilisation_table",
        column_config={
            "setting": "Setting",
            "n_people": "People",
            "before_per_person": "Before, per person",
            "after_per_person": "After, per person",
            "change_per_person": "Change",
            "change_low": "95% CI from",
            "change_high": "95% CI to",
            "pct_change": "% change",
        },
    )


# The unit costs as edited, kept here too: the editor's own state goes when its tab is closed.
EDITED_COSTS = "utilisation_unit_costs_edited"


def cost() -> None:
    st.caption(
        "Unit costs start from the dashboard's settings (value, price year and source, in "
        "settings.toml). Edit them here to see the effect; edits last for this session. An "
        "analyst changes the settings file to change the default."
    )
    costs = st.session_state.get(EDITED_COSTS)
    if costs is None:
        costs = utilisation_costs.unit_cost_table()
        # The setting by name on screen; its code stays in the table, out of sight, for costing.
        costs.insert(0, "care_setting", [label(setting) for setting in costs["setting"]])
    unit_costs = st.data_editor(
        costs,
        key="utilisation_unit_costs",
        hide_index=True,
        disabled=["care_setting"],
        num_rows="fixed",
        column_order=["care_setting", "value", "price_year", "source"],
        column_config={
            "care_setting": st.column_config.TextColumn("Care setting"),
            "value": st.column_config.NumberColumn(
                "Unit cost (£)", min_value=0.0, format="localized"
            ),
            "price_year": st.column_config.TextColumn("Price year"),
            "source": st.column_config.TextColumn("Source", width="large"),
        },
    )
    st.session_state[EDITED_COSTS] = unit_costs
    view = built(utilisation_costs.cost_view, filters, unit_costs, window)
    draw_tiles(utilisation_costs.cost_tiles(view))
    draw_view(view)


def against_a_comparison_cohort() -> None:
    if not built(utilisation.has_comparison, filters, window):
        st.info(
            "No comparison cohort is loaded on these windows for this selection, so the "
            "change cannot be separated from regression to the mean. Load utilisation rows "
            "with cohort = `comparison` (a matched group not referred, with their PCN, index "
            "date and the same window length).",
            icon=":material/info:",
        )
        return
    comparison_caveat = built(utilisation.comparison_caveat, filters, window)
    if comparison_caveat:
        st.info(comparison_caveat, icon=":material/schedule:")
    draw_view(built(utilisation.did_view, filters, window))


def by_pcn() -> None:
    setting = st.selectbox(
        "Setting",
        options=list(SETTINGS_ORDER),
        format_func=SETTING_LABEL.get,
        key="utilisation_pcn_setting",
    )
    draw_view(built(utilisation.pcn_view, filters, setting, window))


draw_sections(
    "utilisation_section",
    {
        "Before and after": before_and_after,
        "Cost before and after referral": cost,
        "Against a comparison cohort": against_a_comparison_cohort,
        "By PCN": by_pcn,
    },
)
