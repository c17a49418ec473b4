"""Utilisation: GP appointments, A&E attendances and admissions before and after referral."""

import streamlit as st

from dashboard.charts import outcomes as outcomes_charts
from dashboard.charts import utilisation as utilisation_charts
from dashboard.measures import utilisation
from dashboard.measures.disclosure import protect, suppress_value
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, pcn_names, scope_label
from dashboard.ui.frame import chart, suppression_note

filters = current_filters()
scope = scope_label(filters)
st.title("Health-system utilisation")
st.caption(
    f"{scope}, people first referred from {filters.date_from:%d %b %Y} to "
    f"{filters.date_to:%d %b %Y}: events per person in the window before and after referral."
)
st.warning(
    "**Regression to the mean.** People are often referred at a time of crisis, when their "
    "use of services is unusually high; some of the fall afterwards would have happened "
    "anyway. A before/after change alone does not show that social prescribing caused it: "
    "compare with the matched comparison cohort where one is loaded.",
    icon=":material/warning:",
)

# The sums are per PCN, so the selection and the ICB come from one cached result.
sums = query("utilisation_change", utilisation.sums_params(filters))
referred = utilisation.summarise(sums, "referred", filters.pcns)
if referred.empty:
    st.info(
        "No utilisation data for people first referred in this selection. Load a utilisation "
        "extract on the **Data** page.",
        icon=":material/info:",
    )
    st.stop()

withheld_anywhere = False
based_on = {
    column: "n_people" for column in utilisation.COLUMNS if column not in ("setting", "n_people")
}
shown = protect(referred, counts=("n_people",), based_on=based_on)
withheld_anywhere |= shown.any_withheld
people = int(referred["n_people"].max())
chart(
    utilisation_charts.before_after(shown.frame, utilisation.headline(referred)),
    referred,
    "utilisation_before_after",
    counts=("n_people",),
    based_on=based_on,
    caption=f"n = {people:,} people with both windows. Bars show 95% confidence intervals.",
)
table = shown.display()[
    [
        "setting",
        "n_people",
        "before_per_person",
        "after_per_person",
        "change_per_person",
        "change_low",
        "change_high",
        "pct_change",
    ]
]
table["setting"] = table["setting"].map(utilisation.SETTING_LABEL)
st.dataframe(
    table,
    hide_index=True,
    key="utilisation_table",
    column_config={
        "setting": "Setting",
        "n_people": "People",
        "before_per_person": st.column_config.NumberColumn("Before, per person", format="%.3f"),
        "after_per_person": st.column_config.NumberColumn("After, per person", format="%.3f"),
        "change_per_person": st.column_config.NumberColumn("Change", format="%+.3f"),
        "change_low": st.column_config.NumberColumn("95% CI from", format="%+.3f"),
        "change_high": st.column_config.NumberColumn("95% CI to", format="%+.3f"),
        "pct_change": st.column_config.NumberColumn("% change", format="%+.1f"),
    },
)

st.subheader("Cost before and after referral")
st.caption(
    "Unit costs start from settings.toml (value, price year and source). Edit them here to "
    "see the effect; edits last for this session. Change the file to change the default."
)
unit_costs = st.data_editor(
    utilisation.unit_cost_table(),
    key="utilisation_unit_costs",
    hide_index=True,
    disabled=["setting"],
    num_rows="fixed",
    column_config={
        "setting": st.column_config.TextColumn("Setting"),
        "value": st.column_config.NumberColumn("Unit cost (£)", min_value=0.0, format="%.2f"),
        "price_year": st.column_config.TextColumn("Price year"),
        "source": st.column_config.TextColumn("Source", width="large"),
    },
)
cost = utilisation.costs(referred, unit_costs)
total = cost[cost["setting"] == "total"].iloc[0]
n_cost = int(total["n_people"])
cols = st.columns(3)
for column, label, value in (
    (cols[0], "Cost per person before", total["before_cost"]),
    (cols[1], "Cost per person after", total["after_cost"]),
    (cols[2], "Net change per person", total["change_cost"]),
):
    shown_value = suppress_value(value, n_cost)
    column.metric(
        label,
        shown_value if isinstance(shown_value, str) else f"£{shown_value:,.2f}",
    )
change_cost = total["change_cost"]
if n_cost > 7:
    st.caption(
        f"Across the {n_cost:,} people, that is a net change of about "
        f"£{change_cost * n_cost:,.0f} in the window after referral, before allowing for "
        "regression to the mean or the cost of the service."
    )
cost_based_on = {"before_cost": "n_people", "after_cost": "n_people", "change_cost": "n_people"}
shown_cost = protect(cost, counts=("n_people",), based_on=cost_based_on)
withheld_anywhere |= shown_cost.any_withheld
chart(
    utilisation_charts.cost_before_after(
        shown_cost.frame,
        f"Cost per person {'fell' if change_cost < 0 else 'rose'} by "
        f"£{abs(change_cost):,.0f} after referral"
        if n_cost > 7
        else "Cost per person before and after referral",
    ),
    cost,
    "utilisation_cost",
    counts=("n_people",),
    based_on=cost_based_on,
    caption="Cost = mean events per person x unit cost, summed over settings.",
)

st.subheader("Against a comparison cohort")
comparison = utilisation.summarise(sums, "comparison", filters.pcns)
if comparison.empty:
    st.info(
        "No comparison cohort is loaded for this selection, so the change above cannot be "
        "separated from regression to the mean. Load utilisation rows with cohort = "
        "`comparison` (a matched group not referred, with their PCN and index date).",
        icon=":material/info:",
    )
else:
    did = utilisation.difference_in_differences(referred, comparison)
    did_based_on = {
        "naive_change": "n_people",
        "comparison_change": "comparison_n_people",
        "did": "comparison_n_people",
        "did_low": "comparison_n_people",
        "did_high": "comparison_n_people",
    }
    shown_did = protect(did, counts=("n_people", "comparison_n_people"), based_on=did_based_on)
    gp = did[did["setting"] == "gp_appointment"]
    title = (
        f"Against the comparison cohort, GP appointments changed by {gp.iloc[0]['did']:+.2f} "
        f"per person, not {gp.iloc[0]['naive_change']:+.2f}"
        if len(gp) and min(gp.iloc[0]["n_people"], gp.iloc[0]["comparison_n_people"]) > 7
        else "Naive change and difference in differences"
    )
    withheld_anywhere |= shown_did.any_withheld
    chart(
        utilisation_charts.naive_and_did(shown_did.frame, title),
        did,
        "utilisation_difference_in_differences",
        counts=("n_people", "comparison_n_people"),
        based_on=did_based_on,
        caption=f"Comparison cohort: {int(comparison['n_people'].max()):,} people, filtered "
        "by their own PCN and index date. Difference in differences = the referred cohort's "
        "change minus the comparison cohort's (Welch 95% CI).",
    )

st.subheader("By PCN")
setting = st.selectbox(
    "Setting",
    options=list(utilisation.SETTINGS_ORDER),
    format_func=utilisation.SETTING_LABEL.get,
    key="utilisation_pcn_setting",
)
per_pcn = utilisation.by_pcn(sums, setting)
per_pcn.insert(1, "pcn_name", per_pcn["pcn_code"].map(pcn_names()).fillna(per_pcn["pcn_code"]))
icb = utilisation.summarise(sums)
icb_pct = icb.loc[icb["setting"] == setting, "pct_change"]
shown_pcn = protect(per_pcn, counts=("n_people",), based_on=based_on)
withheld_anywhere |= shown_pcn.any_withheld
chart(
    outcomes_charts.pcn_comparison(
        shown_pcn.frame,
        "pct_change",
        f"{utilisation.SETTING_LABEL[setting]}: % change after referral by PCN",
        "% change in events per person",
        filters.pcns,
        float(icb_pct.iloc[0]) if len(icb_pct) else None,
    ),
    per_pcn,
    "utilisation_by_pcn",
    counts=("n_people",),
    based_on=based_on,
    caption="Selected PCNs are outlined and in bold; the dashed line is the ICB.",
)
suppression_note(withheld_anywhere)
