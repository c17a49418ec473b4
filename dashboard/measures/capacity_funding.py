"""The VCSE capacity views of funding risk: onward referrals by the funding of the service,
services whose funding ends soon, and closed services still receiving onward referrals.

No Streamlit here; built through the disclosure gate like every view.
"""

from __future__ import annotations

from dashboard.charts import capacity as capacity_charts
from dashboard.measures import capacity, formats
from dashboard.measures.capacity import FUNDING_LABELS, params
from dashboard.measures.disclosure import (
    Disclosed,
    Ratio,
    Rules,
    count_text,
    disclose,
    figure_text,
)
from dashboard.measures.filters import Filters
from dashboard.measures.loads import data_date
from dashboard.measures.view import Runner, View, build

FUNDING_RULES = Rules(
    counts=("demand", "taken_up", "all_demand", "all_taken_up"),
    ratios={
        "pct_of_demand": Ratio("demand", "all_demand", per=100),
        "pct_of_taken_up": Ratio("taken_up", "all_taken_up", per=100),
    },
)


def funding_view(run: Runner, filters: Filters) -> View:
    """Onward referrals by the funding of the service they went to."""
    funding = run("capacity_funding_share", params(filters))
    funding = funding.assign(
        all_demand=funding["demand"].sum(), all_taken_up=funding["taken_up"].sum()
    )
    risky, n = capacity.risky_share(funding)
    title = (
        f"{figure_text(risky, '{:.0f}%')} of onward referrals went to unfunded or time-limited "
        f"services (n = {count_text(n)})"
        if n
        else "Onward referrals by the funding of the service"
    )
    return build(
        "capacity_funding_share",
        funding,
        FUNDING_RULES,
        lambda shown: capacity_charts.funding_bars(shown, FUNDING_LABELS, title),
        title=title,
        caption="Taken up (in the CSV): attended or accepted by the service.",
    )


ENDING_COLUMNS = {
    "provider_name": "Service",
    "activity": "Activity",
    "pcn_code": "PCN served",
    "funding": "Funding",
    "funding_end_date": "Funding ends",
    "status": "Status",
    "monthly_capacity": "Places a month",
    "demand": "Onward referrals",
}
CLOSED_COLUMNS = {
    "service_id": "Service ID",
    "provider_name": "Service",
    "activity": "Activity",
    "pcn_code": "PCN served",
    "onward_referrals": "Onward referrals",
    "turned_away": "Turned away: closed",
    "last_onward_date": "Last onward referral",
}


def funding_ending(run: Runner, filters: Filters) -> tuple[str, Disclosed]:
    """Open or paused services whose funding ends within 6 months of the data's date (the
    latest date in the loaded extracts; the period's end before anything is loaded)."""
    start = data_date(run) or filters.date_to
    ending = disclose(
        run("capacity_funding_ending", {**params(filters), "data_date": start}),
        Rules(counts=("demand",)),
    )
    window = (
        f"{formats.day(start)} (the data's date) and "
        f"{formats.day(capacity.funding_window_end(start))}"
    )
    heading = (
        f"Funding ends between {window} for {_services(len(ending.frame), 'open or paused ')}"
        if len(ending.frame)
        else f"No open or paused service's funding ends between {window}"
    )
    return heading, ending


def closed_services(run: Runner, filters: Filters) -> tuple[str, Disclosed]:
    """Closed services that still received onward referrals in the period."""
    closed = disclose(
        run("capacity_closed_services", params(filters)),
        Rules(counts=("onward_referrals", "turned_away")),
    )
    heading = (
        f"{_services(len(closed.frame), 'closed ')} still received onward referrals"
        if len(closed.frame)
        else "No closed service received onward referrals in the period"
    )
    return heading, closed


def _services(n: int, kind: str = "") -> str:
    """`1 service`, `21 closed services`."""
    return f"{n} {kind}service{'s' * (n != 1)}"
