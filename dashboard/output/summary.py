"""The headline figures of every page as one JSON-ready dict (`python -m dashboard summary`).

Each view contributes one section: a function (connection, filters, policy) -> JSON value,
listed in SECTIONS. Sections compute from unrounded values and round only on output.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb

from dashboard.data import store
from dashboard.measures import capacity, outcomes, queries, referrals, utilisation
from dashboard.measures.disclosure import Policy
from dashboard.measures.filters import Filters, default_period, financial_year

Section = Callable[[duckdb.DuckDBPyConnection, Filters, Policy], Any]
SECTIONS: dict[str, Section] = {
    "referrals": referrals.summary_section,
    "outcomes": outcomes.summary_section,
    "utilisation": utilisation.summary_section,
    "capacity": capacity.summary_capacity,
    "capacity_months_short": capacity.summary_months_short,
}


def resolve_filters(
    con: duckdb.DuckDBPyConnection,
    pcns: tuple[str, ...] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> Filters:
    """Filters from CLI flags; an open end takes the default period's end."""
    span = queries.run(con, "referral_date_range", {}).iloc[0]
    if span.isna().any():
        default = financial_year(date.today())
    else:
        default = default_period(span["first_referral"].date(), span["last_referral"].date())
    return Filters(pcns=pcns, date_from=date_from or default[0], date_to=date_to or default[1])


def build(con: duckdb.DuckDBPyConnection, filters: Filters, policy: Policy) -> dict[str, Any]:
    return {
        "filters": {
            "pcns": list(filters.pcns),
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
        },
        "suppression": {"small_numbers": policy.suppress, "rounded_to": policy.round_to},
        "data_version": store.data_version(con),
        **{name: section(con, filters, policy) for name, section in SECTIONS.items()},
    }
