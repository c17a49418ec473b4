"""Overview: the headline of every view, for the ICB or the selected PCNs."""

import streamlit as st

from dashboard.core import charts, findings
from dashboard.core.capacity import ACTIVITY_GROUPS_PARAM
from dashboard.core.settings import load_settings
from dashboard.core.suppression import protect, suppress_value
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, scope_label
from dashboard.ui.frame import chart, no_data_message, suppression_note

filters = current_filters()
params = filters.params()
band = load_settings().referral_band
params.update(band_low=band.low_per_1000, band_high=band.high_per_1000)

st.title("Social prescribing overview")
st.caption(
    f"{scope_label(filters)}, {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y} "
    f"({filters.days} days)"
)

kpis = query("referral_kpis", params).iloc[0]
if not kpis["referrals"]:
    no_data_message()
    st.stop()

outcomes = query("wellbeing_star_domains", params)
utilisation = query("utilisation_before_after", params)
capacity = query("capacity_gaps", {**params, "activity_groups": ACTIVITY_GROUPS_PARAM})

tiles = st.columns(4)
tiles[0].metric("Referrals", suppress_value(int(kpis["referrals"]), kpis["referrals"]))
tiles[1].metric(
    "Referrals per 1,000 a year",
    suppress_value(round(kpis["rate_per_1000"], 1), kpis["referrals"]),
    help=f"Planning band {band.low_per_1000:g}-{band.high_per_1000:g}. {band.source}",
)
improved = outcomes["n"].sum()
tiles[2].metric(
    "Improved wellbeing (Star, any domain mean)",
    suppress_value(
        f"{(outcomes['pct_improved'] * outcomes['n']).sum() / improved:.0f}%" if improved else None,
        improved,
    )
    or "no follow-ups",
    help="Share of paired Wellbeing Star domain scores that rose at follow-up.",
)
gp = utilisation[utilisation["setting"] == "gp_appointment"]
tiles[3].metric(
    "GP appointments per person",
    suppress_value(f"{gp.iloc[0]['pct_change']:+.0f}%", gp.iloc[0]["n_people"]) if len(gp) else "-",
    help="Change from the window before referral to the window after (referred cohort).",
)

rates = query("pcn_referral_rates", params)
shown = protect(rates, counts=("referrals",), based_on={"rate_per_1000": "referrals"})
chart(
    charts.rate_by_pcn(
        shown.frame,
        band.low_per_1000,
        band.high_per_1000,
        band.source,
        kpis["rate_per_1000"],
        findings.band_finding(rates),
    ),
    rates,
    "overview_rate_by_pcn",
    counts=("referrals",),
    based_on={"rate_per_1000": "referrals"},
    caption=f"n = {int(kpis['referrals']):,} referrals across {len(rates)} PCNs.",
)
suppression_note(shown.any_withheld)

unmet = int(capacity["unmet"].sum())
demand = int(capacity["demand"].sum())
if demand:
    st.subheader("VCSE capacity")
    st.write(
        f"Of {suppress_value(demand, demand)} onward referrals to VCSE activities, "
        f"{suppress_value(unmet, unmet)} ({unmet / demand:.0%}) went unmet: waitlisted, "
        "declined for lack of capacity, or sent to a closed service."
    )
