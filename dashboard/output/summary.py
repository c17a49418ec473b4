"""The headline figures of every page as one JSON-ready dict (`python -m dashboard summary`).

Each domain contributes one section: a function (run, filters) -> JSON value, listed in
SECTIONS, computed under the disclosure policy in force, so the JSON says what the pages say.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb

from dashboard.data import store
from dashboard.measures import (
    capacity_views,
    outcomes_views,
    queries,
    referrals_summary,
    utilisation_summary,
)
from dashboard.measures.disclosure import Policy, applying
from dashboard.measures.filters import Filters, default_period, financial_year
from dashboard.measures.view import Runner
from dashboard.settings import load_settings

Section = Callable[[Runner, Filters], Any]


def _referrals(run: Runner, filters: Filters) -> dict[str, Any]:
    return referrals_summary.summary_section(run, filters, load_settings().referral_band)


SECTIONS: dict[str, Section] = {
    "referrals": _referrals,
    "outcomes": outcomes_views.summary_section,
    "utilisation": utilisation_summary.summary_section,
    "capacity": capacity_views.summary_section,
    "capacity_months_short": capacity_views.summary_months_short,
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
    """Every section under `policy`: the figures the pages show, or with OFF the exact ones."""

    run = queries.runner(con)
    with applying(policy):
        sections = {name: section(run, filters) for name, section in SECTIONS.items()}
    return {
        "filters": {
            "pcns": list(filters.pcns),
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
        },
        "suppression": {"small_numbers": policy.suppress, "rounded_to": policy.round_to},
        "data_version": store.data_version(con),
        **sections,
    }
