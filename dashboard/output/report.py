"""The board pack's content for a filter: what the slides say, computed from the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb

from dashboard.measures import capacity_views, outcomes_views, queries, referrals, utilisation
from dashboard.measures.disclosure import Rules, disclose, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.scope import EVERY_PCN, Scope, masked
from dashboard.measures.view import Runner, View
from dashboard.output.boardpack import Pack, Slide
from dashboard.settings import load_settings

SUPPRESSION_NOTE = (
    "Disclosure control: counts of 1 to 7 are shown as * and every other count is rounded to "
    "the nearest 5; rates and percentages are worked from the rounded counts; means, medians "
    "and percentages built on 1 to 7 people are withheld (after NHS England's disclosure "
    "control for sub-national figures)."
)


def scope_name(run: Runner, con: duckdb.DuckDBPyConnection, filters: Filters) -> str:
    pcns = run("pcn_options", {})
    if not filters.pcns:
        icb = con.execute("select min(icb_code) from pcns").fetchone()[0]
        return f"ICB {icb}" if icb else "the ICB"
    names = dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))
    return ", ".join(f"{names.get(code, code)} ({code})" for code in filters.pcns)


def title_lines(run: Runner, con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, ...]:
    span = run("referral_date_range", {}).iloc[0]
    latest = span["last_referral"]
    return (
        scope_name(run, con, filters),
        f"{filters.date_from:%d %B %Y} to {filters.date_to:%d %B %Y} (both days included)",
        f"Referrals loaded up to {latest:%d %B %Y}" if latest is not None else "No referrals",
        f"Prepared {date.today():%d %B %Y}",
    )


def data_quality_slide(con: duckdb.DuckDBPyConnection) -> Slide:
    kinds = queries.run(con, "data_quality", {})
    shown = disclose(kinds, Rules(counts=("rows_read", "accepted", "rejected")))
    loads = int(kinds["loads"].sum()) if len(kinds) else 0
    rejected = ratio(kinds["rejected"].sum(), kinds["rows_read"].sum(), 100)
    if not len(kinds) or not kinds["rows_read"].sum():
        rejected_message = "No rows read"
    elif rejected is None:
        rejected_message = "Fewer than 8 rows were rejected at load"
    else:
        rejected_message = f"{rejected:.1f}% of rows read were rejected at load"
    messages = [
        f"{len(kinds)} of 6 extract kinds loaded, in {loads} load{'s' * (loads != 1)}"
        if len(kinds)
        else "No extracts loaded",
        rejected_message,
    ]
    table = shown.display()
    return Slide(
        title="Data quality",
        messages=tuple(messages),
        table=table[["kind", "rows_read", "accepted", "rejected", "date_from", "date_to"]],
        withheld=shown.any_withheld,
        notes="Every load is validated against the data contract; rejected rows are reported "
        "with their reasons on the Data page and never loaded. " + SUPPRESSION_NOTE,
    )


def view_slide(view: View, notes: str) -> Slide:
    """A slide is a view: its title, key messages and chart, with the definitions it uses."""
    return Slide(
        title=view.title,
        messages=view.messages,
        figure=view.figure,
        withheld=view.withheld,
        notes=f"{notes} {SUPPRESSION_NOTE}",
    )


def referrals_slide(run: Runner, filters: Filters) -> Slide:
    band = load_settings().referral_band
    view = referrals.rate_view(run, filters, band, "report_rate_by_pcn")
    # The key messages compare with the previous period: worked out for the slide only, not
    # on every rerun of the pages that draw the same chart.
    view = replace(view, messages=referrals.key_messages(run, filters, band))
    return view_slide(view, referrals.slide_notes(band))


def outcomes_slide(run: Runner, filters: Filters) -> Slide:
    return view_slide(
        outcomes_views.star_view(run, filters, "report_outcomes_star"),
        "Paired baseline and follow-up scores only. Improved: a higher score at follow-up. "
        f"{outcomes_views.LOW_BASELINE_NOTE} Missing follow-ups bias results: people who "
        "complete a follow-up may have done better.",
    )


def utilisation_slide(run: Runner, filters: Filters) -> Slide:
    return view_slide(utilisation.board_view(run, filters), utilisation.SLIDE_NOTES)


def capacity_slide(run: Runner, filters: Filters) -> Slide:
    if not capacity_views.has_demand(run, filters):
        return Slide("VCSE capacity", ("No onward referrals to VCSE activities",))
    return view_slide(
        capacity_views.group_view(run, filters, "report_capacity_by_group"),
        "Demand: onward referrals (PCN of the referral, activity of the onward referral). "
        "Capacity: the places open services serving the PCN offered in every month of the "
        "period; shortfall: the places missing in the months that ran short.",
    )


VIEW_SLIDES = (referrals_slide, outcomes_slide, utilisation_slide, capacity_slide)


def build_pack(con: duckdb.DuckDBPyConnection, filters: Filters, scope: Scope = EVERY_PCN) -> Pack:
    """The board pack for a filter: title, one slide per view, data quality. A `pcn` user's
    pack names only their PCNs (dashboard.measures.scope), like their pages."""
    run = masked(queries.runner(con), scope)
    return Pack(
        title="Social prescribing: board report",
        subtitle_lines=title_lines(run, con, filters),
        slides=(*(slide(run, filters) for slide in VIEW_SLIDES), data_quality_slide(con)),
        notes=SUPPRESSION_NOTE,
    )
