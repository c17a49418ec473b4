"""VCSE capacity: onward referrals against the places open services offer."""

import streamlit as st

from dashboard.charts import capacity as capacity_charts
from dashboard.data.contract import ACTIVITY_GROUP
from dashboard.measures import capacity
from dashboard.measures.disclosure import count_text, protect, suppress_value
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, pcn_names, scope_label
from dashboard.ui.frame import chart, suppression_note

filters = current_filters()
params = capacity.params(filters)
scope = scope_label(filters)
st.title("VCSE capacity")
st.caption(
    f"{scope}, onward referrals from {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y} "
    "against the monthly places of open services serving the PCN, over the months in which a "
    "PCN-activity pair saw demand. The gap nets those months against each other; the "
    "shortfall in each chart's CSV adds up only the places missing in months that ran short."
)

pairs = query("capacity_gaps", params)
if pairs.empty:
    st.info("No onward referrals to VCSE activities in this selection.", icon=":material/info:")
    st.stop()
gaps = protect(pairs, counts=capacity.GAP_COUNTS, based_on=capacity.GAP_BASED_ON)
funding = query("capacity_funding_share", params)
risky_pct, funding_n = capacity.risky_share(funding)

demand, unmet = int(pairs["demand"].sum()), int(pairs["unmet"].sum())
tiles = st.columns(4)
tiles[0].metric("Onward referrals", capacity.count_text(demand, pairs["demand"]))
tiles[1].metric(
    "Unmet",
    capacity.count_text(unmet, pairs["unmet"]),
    suppress_value(f"{unmet / demand:.0%} of onward referrals", demand),
    delta_color="off",
    delta_arrow="off",
)
tiles[2].metric(
    "PCN-activity-months short",
    f"{int(pairs['months_short'].sum()):,}",
    f"of {int(pairs['months_with_demand'].sum()):,} with demand",
    delta_color="off",
    delta_arrow="off",
)
tiles[3].metric(
    "To unfunded or time-limited services",
    suppress_value(None if risky_pct is None else f"{risky_pct:.0f}%", funding_n),
    help="Share of onward referrals that went to a service without secure funding.",
)

st.header("Where demand outruns places")
measure = st.radio(
    "Colour the map by",
    options=list(capacity_charts.HEATMAP_MEASURES),
    format_func=lambda m: capacity_charts.HEATMAP_MEASURES[m][0],
    horizontal=True,
    key="capacity_heatmap_measure",
)
heat_limit = 30
shown_pcns = capacity.heatmap_pcns(pairs, heat_limit)
heat_title = capacity.gap_finding(pairs)
if len(shown_pcns) < pairs["pcn_code"].nunique():
    heat_title += f"<br><sup>The {heat_limit} PCNs with the largest shortfall shown</sup>"
left, right = st.columns([3, 2])
with left:
    chart(
        capacity_charts.gap_heatmap(gaps.frame, gaps.withheld, measure, shown_pcns, heat_title),
        pairs,
        "capacity_gaps",
        counts=capacity.GAP_COUNTS,
        based_on=capacity.GAP_BASED_ON,
        caption="Blank: no onward referrals for the pair. Places are counted for each month "
        "the pair saw demand. The CSV holds every pair.",
    )
with right:
    worst = capacity.worst_gaps(pairs)
    st.subheader("Largest gaps")
    if worst.empty:
        st.success("No PCN-activity pair had more onward referrals than places.")
    else:
        table = protect(worst, counts=capacity.GAP_COUNTS, based_on=capacity.GAP_BASED_ON)
        st.dataframe(
            capacity.display_table(
                table,
                {
                    "pcn_name": "PCN",
                    "activity": "Activity",
                    "demand": "Onward referrals",
                    "capacity": "Places",
                    "gap": "Gap",
                    "unmet": "Unmet",
                    "months_short": "Months short",
                },
            ),
            hide_index=True,
            key="capacity_worst_gaps",
        )
suppression_note(gaps.any_withheld)

st.header("Month by month, for one PCN and activity")
names = pcn_names()
pcn_options = list(filters.pcns) or sorted(names, key=lambda code: names[code])
activity_options = sorted(ACTIVITY_GROUP)
default_pcn, default_activity = capacity.drilldown_default(pairs)
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
    format_func=capacity.label,
    key="capacity_activity",
)
months = query("capacity_monthly", {**filters.params(), "pcn": pcn, "activity": activity})
monthly = protect(months, counts=("demand", "unmet"), based_on={"gap": "demand"})
months_short = int((months["demand"] > months["capacity"]).sum())
chart(
    capacity_charts.monthly_demand_capacity(
        monthly.frame,
        monthly.withheld,
        f"{capacity.label(activity)} in {names.get(pcn, pcn)}: demand above places in "
        f"{months_short} of {len(months)} months (n = {count_text(months['demand'].sum())})",
    ),
    months,
    "capacity_monthly",
    counts=("demand", "unmet"),
    based_on={"gap": "demand"},
    caption="Places: monthly places of open services serving the PCN for the activity.",
)
suppression_note(monthly.any_withheld)

st.header("Unmet demand")
st.caption(
    "Onward referrals waitlisted, declined for lack of capacity, or sent to a closed service."
)
reasons = query("capacity_unmet_reasons", params)
by_activity = capacity.unmet_by(reasons, "activity")
by_pcn = capacity.unmet_by(reasons, "pcn_name").head(20)
left, right = st.columns(2)
for column, frame, category, key, title, codes in (
    (left, by_activity, "activity", "capacity_unmet_by_activity", "activity", True),
    (right, by_pcn, "pcn_name", "capacity_unmet_by_pcn", "PCN (20 most unmet)", False),
):
    unmet_shown = protect(frame, counts=("unmet", *capacity.UNMET_REASONS))
    top = frame.iloc[0] if not frame.empty else None
    with column:
        chart(
            capacity_charts.unmet_bars(
                unmet_shown.frame,
                category,
                capacity.UNMET_REASONS,
                f"Unmet onward referrals by {title}"
                + (
                    f": most for {capacity.label(str(top[category])) if codes else top[category]}"
                    if top is not None and top["unmet"] > 7
                    else ""
                ),
                codes=codes,
            ),
            frame,
            key,
            counts=("unmet", *capacity.UNMET_REASONS),
        )
        suppression_note(unmet_shown.any_withheld)

st.header("Funding risk")
funding_shown = protect(
    funding,
    counts=("demand", "taken_up"),
    based_on={"pct_of_demand": "demand", "pct_of_taken_up": ("demand", "taken_up")},
)
chart(
    capacity_charts.funding_bars(
        funding_shown.frame,
        capacity.FUNDING_LABELS,
        (
            f"{suppress_value(f'{risky_pct:.0f}%', funding_n)} of onward referrals went to "
            f"unfunded or time-limited services (n = {count_text(funding_n)})"
            if risky_pct is not None
            else "Onward referrals by the funding of the service"
        ),
    ),
    funding,
    "capacity_funding_share",
    counts=("demand", "taken_up"),
    based_on={"pct_of_demand": "demand", "pct_of_taken_up": ("demand", "taken_up")},
    caption="Taken up (in the CSV): attended or accepted by the service.",
)
suppression_note(funding_shown.any_withheld)

ending = query("capacity_funding_ending", params)
window = f"{filters.date_to:%d %b %Y} and {capacity.funding_window_end(filters):%d %b %Y}"
st.subheader(
    f"Funding ends between {window} for {len(ending)} open or paused services"
    if len(ending)
    else f"No open or paused service's funding ends between {window}"
)
if len(ending):
    ending_shown = protect(ending, counts=("demand",))
    st.dataframe(
        capacity.display_table(
            ending_shown,
            {
                "provider_name": "Service",
                "activity": "Activity",
                "pcn_code": "PCN served",
                "funding": "Funding",
                "funding_end_date": "Funding ends",
                "status": "Status",
                "monthly_capacity": "Places a month",
                "demand": "Onward referrals in the period",
            },
        ),
        hide_index=True,
        key="capacity_funding_ending",
    )
    suppression_note(ending_shown.any_withheld)

closed = query("capacity_closed_services", params)
st.subheader(
    f"{len(closed)} closed services still received onward referrals"
    if len(closed)
    else "No closed service received onward referrals in the period"
)
if len(closed):
    closed_shown = protect(closed, counts=("onward_referrals", "turned_away"))
    st.dataframe(
        capacity.display_table(
            closed_shown,
            {
                "service_id": "Service ID",
                "provider_name": "Service",
                "activity": "Activity",
                "pcn_code": "PCN served",
                "onward_referrals": "Onward referrals in the period",
                "turned_away": "Recorded as service closed",
                "last_onward_date": "Last onward referral",
            },
        ),
        hide_index=True,
        key="capacity_closed_services",
    )
    suppression_note(closed_shown.any_withheld)

st.header("By NIHR activity group")
groups = capacity.by_group(pairs)
groups_shown = protect(groups, counts=("demand", "unmet"), based_on={"gap": "demand"})
most_short = groups.sort_values("months_short", ascending=False).iloc[0] if len(groups) else None
chart(
    capacity_charts.group_bars(
        groups_shown.frame,
        f"{capacity.label(most_short['nihr_group'])} ran short in the most PCN-activity-months "
        f"({int(most_short['months_short']):,})"
        if most_short is not None
        else "Demand and places by NIHR activity group",
    ),
    groups,
    "capacity_by_group",
    counts=("demand", "unmet"),
    based_on={"gap": "demand"},
    caption="The four NIHR groups: advice and guidance, natural world, arts and creativity, "
    "sport and exercise. Cooking, healthy eating, volunteering and other activities are "
    "`other`.",
)
suppression_note(groups_shown.any_withheld)
