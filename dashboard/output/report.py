"""The board pack's content for a filter: what the slides say, computed from the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd

from dashboard.charts import capacity as capacity_charts
from dashboard.charts import theme as charts
from dashboard.measures import capacity, outcomes, queries, referrals, utilisation
from dashboard.measures.disclosure import SMALL_MAX, Rules, disclose, people_text, protect, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.view import Runner, View, plain_title
from dashboard.output.boardpack import Pack, Slide
from dashboard.settings import load_settings

SUPPRESSION_NOTE = (
    "Disclosure control: counts of 1 to 7 are shown as * and every other count is rounded to "
    "the nearest 5; rates and percentages are worked from the rounded counts; means, medians "
    "and percentages built on 1 to 7 people are withheld (after NHS England's disclosure "
    "control for sub-national figures)."
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
    sums = run("outcome_change", outcomes.sums_params(filters))
    summary = outcomes.summarise(sums, filters.pcns)
    star = summary[summary["measure"] == "wellbeing_star"].reset_index(drop=True)
    if star.empty:
        return Slide("Outcomes", ("No paired Wellbeing Star scores for this selection",))
    shown = protect(
        star,
        counts=("n", "people_with_baseline"),
        based_on={"mean_baseline": "n", "mean_followup": "n"},
    )
    paired, with_baseline = star["n"].max(), star["people_with_baseline"].max()
    messages = [
        f"{people_text(paired)} people have paired Wellbeing Star scores"
        + (
            f" ({ratio(paired, with_baseline, 100):.0f}% of those with a baseline)"
            if paired > SMALL_MAX
            else ""
        ),
    ]
    ranked = star[star["n"] > SMALL_MAX].sort_values("pct_improved", ascending=False)
    if len(ranked):
        top = ranked.iloc[0]
        messages.append(
            f"{top['pct_improved']:.0f}% improved in {top['domain'].replace('_', ' ')}, "
            "the domain with the most improvement"
        )
    low = star[star["low_baseline_n"].fillna(0) > SMALL_MAX]
    if len(low):
        low_pct, _ = outcomes.improved_share(low, "low_baseline_pct_improved", "low_baseline_n")
        all_pct, _ = outcomes.improved_share(low)
        messages.append(
            f"Scores that started low (2 or less) improved {low_pct:.0f}% of the time, "
            f"against {all_pct:.0f}% for all scores"
        )
    return Slide(
        title=plain_title(outcomes.headline(star)),
        messages=tuple(messages),
        figure=charts.dumbbell(
            shown.frame,
            "domain",
            "mean_baseline",
            "mean_followup",
            outcomes.headline(star),
            "Mean score (1-5)",
        ),
        withheld=shown.any_withheld,
        notes="Paired baseline and follow-up scores only. Improved: a higher score at follow-up. "
        "Low baseline: 2 or less (Rotherham evaluation). Missing follow-ups bias results: people "
        "who complete a follow-up may have done better. " + SUPPRESSION_NOTE,
    )


def utilisation_slide(run: Runner, filters: Filters) -> Slide:
    return view_slide(utilisation.board_view(run, filters), utilisation.SLIDE_NOTES)


def capacity_slide(run: Runner, filters: Filters) -> Slide:
    pairs = run("capacity_gaps", capacity.params(filters))
    if pairs.empty:
        return Slide("VCSE capacity", ("No onward referrals to VCSE activities",))
    groups = capacity.by_group(pairs)
    shown = protect(groups, counts=capacity.GAP_COUNTS)
    demand, unmet = pairs["demand"].sum(), pairs["unmet"].sum()
    messages = [f"{people_text(demand)} onward referrals to VCSE activities"]
    if demand > SMALL_MAX and unmet > SMALL_MAX:
        messages.append(
            f"{people_text(unmet)} ({ratio(unmet, demand, 100):.0f}%) unmet: waitlisted, "
            "declined for lack of capacity or sent to a closed service"
        )
    short = int(pairs["months_short"].sum())
    messages.append(f"{short:,} PCN-activity-months had more demand than places")
    finding = capacity.gap_finding(pairs)
    return Slide(
        title=plain_title(finding),
        messages=tuple(messages),
        figure=capacity_charts.group_bars(shown.frame, finding),
        withheld=shown.any_withheld,
        notes="Demand: onward referrals (PCN of the referral, activity of the onward "
        "referral). Capacity: monthly places of open services serving the PCN, counted for the "
        "months a pair saw demand. " + SUPPRESSION_NOTE,
    )


VIEW_SLIDES = (referrals_slide, outcomes_slide, utilisation_slide, capacity_slide)


VIEW_SLIDES = (referrals_slide, outcomes_slide, utilisation_slide, capacity_slide)


def build_pack(con: duckdb.DuckDBPyConnection, filters: Filters) -> Pack:
    """The board pack for a filter: title, one slide per view, data quality."""

    def run(name: str, params: dict) -> pd.DataFrame:
        return queries.run(con, name, params)

    return Pack(
        title="Social prescribing: board report",
        subtitle_lines=title_lines(con, filters),
        slides=(*(slide(run, filters) for slide in VIEW_SLIDES), data_quality_slide(con)),
        notes=SUPPRESSION_NOTE,
    )
