"""The board pack's content for a filter: what the slides say, computed from the data."""

from __future__ import annotations

from datetime import date

import duckdb

from dashboard.core import queries
from dashboard.core.boardpack import Pack, Slide
from dashboard.core.filters import Filters
from dashboard.core.suppression import EXPORT, SMALL_MAX, protect

SUPPRESSION_NOTE = (
    "Small-number suppression: counts of 1 to 7 are shown as * and every other count is "
    "rounded to the nearest 5; means, medians and percentages built on 1 to 7 people are "
    "withheld (after NHS England's disclosure control for sub-national figures)."
)


def scope_name(con: duckdb.DuckDBPyConnection, filters: Filters) -> str:
    pcns = queries.run(con, "pcn_options", {})
    if not filters.pcns:
        icb = con.execute("select min(icb_code) from pcns").fetchone()[0]
        return f"ICB {icb}" if icb else "the ICB"
    names = dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))
    return ", ".join(f"{names.get(code, code)} ({code})" for code in filters.pcns)


def title_lines(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, ...]:
    span = queries.run(con, "referral_date_range", {}).iloc[0]
    latest = span["last_referral"]
    return (
        scope_name(con, filters),
        f"{filters.date_from:%d %B %Y} to {filters.date_to:%d %B %Y} (both days included)",
        f"Referrals loaded up to {latest:%d %B %Y}" if latest is not None else "No referrals",
        f"Prepared {date.today():%d %B %Y}",
    )


def data_quality_slide(con: duckdb.DuckDBPyConnection) -> Slide:
    kinds = queries.run(con, "data_quality", {})
    counts = ("rows_read", "accepted", "rejected")
    shown = protect(kinds, counts=counts, policy=EXPORT).display()
    rejected = int(kinds["rejected"].sum()) if len(kinds) else 0
    read = int(kinds["rows_read"].sum()) if len(kinds) else 0
    loads = int(kinds["loads"].sum()) if len(kinds) else 0
    if not read:
        rejected_message = "No rows read"
    elif 1 <= rejected <= SMALL_MAX:
        rejected_message = "Fewer than 8 rows were rejected at load"
    else:
        rejected_message = f"{rejected / read:.1%} of rows read were rejected at load"
    messages = [
        f"{len(kinds)} of 6 extract kinds loaded, in {loads} load{'s' * (loads != 1)}"
        if len(kinds)
        else "No extracts loaded",
        rejected_message,
    ]
    return Slide(
        title="Data quality",
        messages=tuple(messages),
        table=shown[["kind", "loads", "rows_read", "accepted", "rejected", "date_to"]],
        notes="Every load is validated against the data contract; rejected rows are reported "
        "with their reasons on the Data page and never loaded. " + SUPPRESSION_NOTE,
    )


def build_pack(con: duckdb.DuckDBPyConnection, filters: Filters) -> Pack:
    """The board pack for a filter: title, one slide per view, data quality."""
    return Pack(
        title="Social prescribing: board report",
        subtitle_lines=title_lines(con, filters),
        slides=(data_quality_slide(con),),
        notes=SUPPRESSION_NOTE,
    )
