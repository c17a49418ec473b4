"""The Referrals views: queries composed into figures, headline sentences and KPI tiles.

No Streamlit here. Every function takes a `run(name, params) -> DataFrame` so the pages pass
their cached query and the CLI passes a plain connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures import findings, queries
from dashboard.measures.disclosure import (
    MARK,
    SMALL_MAX,
    Policy,
    export_count,
    export_figure,
    protect,
    protect_total,
)
from dashboard.measures.filters import Filters
from dashboard.settings import ReferralBand, load_settings

Runner = Callable[[str, Mapping[str, Any]], pd.DataFrame]
EQUITY_DIMENSIONS = ("imd_quintile", "age_band", "sex", "ethnicity")
FUNNEL_STAGES = (
    "referred",
    "contacted",
    "engaged",
    "completed",
    "declined",
    "not_contactable",
    "did_not_attend",
)


@dataclass(frozen=True)
class View:
    """A chart ready to draw: its figure, the unrounded data its CSV is made from, and how
    that data is suppressed (`counts`, `based_on`, as for `suppression.protect`)."""

    key: str
    figure: go.Figure
    data: pd.DataFrame
    counts: tuple[str, ...] = ()
    based_on: dict[str, str] = field(default_factory=dict)
    caption: str | None = None
    withheld: bool = False


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"
    help: str | None = None


def params(filters: Filters, band: ReferralBand) -> dict[str, Any]:
    """The bound parameters of every referral query."""
    return {**filters.params(), "band_low": band.low_per_1000, "band_high": band.high_per_1000}


def is_small(n: Any) -> bool:
    return n is not None and not pd.isna(n) and 1 <= n <= SMALL_MAX


def count_text(n: Any) -> str:
    """A count for a title or tile: `*` for 1 to 7."""
    if n is None or pd.isna(n):
        return "-"
    return MARK if is_small(n) else f"{int(n):,}"


def figure_text(value: Any, n: Any, template: str) -> str:
    """A figure built on n people for a title or tile: `*` when n is 1 to 7."""
    if is_small(n):
        return MARK
    if value is None or pd.isna(value):
        return "-"
    return template.format(value)


# KPI tiles ------------------------------------------------------------------------------------


def _delta(current: Any, previous: Any, ns: tuple[Any, ...], template: str) -> str | None:
    if any(is_small(n) for n in ns) or current is None or previous is None:
        return None
    if pd.isna(current) or pd.isna(previous):
        return None
    return template.format(current - previous)


def kpi_tiles(run: Runner, filters: Filters, band: ReferralBand) -> list[Tile]:
    """Referrals, rate, PCNs in band, median wait and decline rate, each against the previous
    period of the same length."""
    now = run("referral_kpis", params(filters, band)).iloc[0]
    before = run("referral_kpis", params(filters.previous(), band)).iloc[0]
    counts_small = is_small(now["referrals"]) or is_small(before["referrals"])
    rates = run("pcn_referral_rates", params(filters, band))
    in_scope = rates[rates["selected"]] if filters.pcns else rates
    # The rate chart shows each PCN's count: round the total if one of them is withheld.
    total = protect_total(now["referrals"], in_scope["referrals"]) if now["referrals"] else 0
    return [
        Tile(
            "Referrals",
            total if total == MARK else f"{total:,}",
            None if counts_small else findings.change_phrase(now["referrals"], before["referrals"]),
        ),
        Tile(
            "Per 1,000 registered a year",
            figure_text(now["rate_per_1000"], now["referrals"], "{:.1f}"),
            None
            if counts_small
            else findings.change_phrase(now["rate_per_1000"], before["rate_per_1000"]),
            "off",
            "Annualised: referrals / registered list x 1,000 x 365 / days in the period.",
        ),
        Tile(
            "PCNs within the planning band",
            f"{int(now['pcns_in_band'])} of {int(now['pcns'])}",
            _delta(
                now["pcns_in_band"], before["pcns_in_band"], (), "{:+.0f} on the previous period"
            ),
            help=f"Band {band.low_per_1000:g}-{band.high_per_1000:g} per 1,000 a year. "
            f"{band.source}",
        ),
        Tile(
            "Median wait to first contact",
            figure_text(now["median_wait_days"], now["people_with_wait"], "{:.0f} days"),
            _delta(
                now["median_wait_days"],
                before["median_wait_days"],
                (now["people_with_wait"], before["people_with_wait"]),
                "{:+.0f} days on the previous period",
            ),
            "inverse",
            f"90th percentile: "
            f"{figure_text(now['p90_wait_days'], now['people_with_wait'], '{:.0f} days')}.",
        ),
        Tile(
            "Declined",
            MARK
            if is_small(now["declined"])
            else figure_text(now["decline_rate_pct"], now["referrals"], "{:.1f}%"),
            _delta(
                now["decline_rate_pct"],
                before["decline_rate_pct"],
                (now["referrals"], before["referrals"]),
                "{:+.1f} points on the previous period",
            ),
            "inverse",
            "Declined / referred (SNOMED CT 871711000000103, social prescribing declined).",
        ),
    ]


# Rate against the band ------------------------------------------------------------------------

POSITION_WORDS = {"below": "below", "within": "within", "above": "above"}


def rate_title(rates: pd.DataFrame) -> str:
    """The band finding, or for a selection, how it sits against the ICB and its peers."""
    chosen = rates[rates["selected"]]
    if chosen.empty:
        return findings.band_finding(rates)
    icb = rates["icb_rate_per_1000"].iloc[0]
    if len(chosen) == 1:
        row = chosen.iloc[0]
        return (
            f"{row['pcn_name']} refers "
            f"{figure_text(row['rate_per_1000'], row['referrals'], '{:.1f}')} per 1,000 a year, "
            f"{row['band_position']} the band (ICB {icb:.1f}; "
            f"{int(row['rank_high_to_low'])} of {len(rates)} PCNs)"
        )
    within = int(chosen["in_band"].sum())
    return f"{within} of {len(chosen)} selected PCNs refer within the band (ICB {icb:.1f})"


def rate_view(run: Runner, filters: Filters, band: ReferralBand, key: str) -> View:
    rates = run("pcn_referral_rates", params(filters, band))
    based_on = {"rate_per_1000": "referrals"}
    shown = protect(rates, counts=("referrals",), based_on=based_on)
    icb = rates["icb_rate_per_1000"].iloc[0] if len(rates) else None
    subtitle = (
        f"n = {count_text(rates['referrals'].sum())} referrals, {len(rates)} PCNs, "
        f"{filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y}"
    )
    drawn = charts.telling_pcns(shown.frame, "rate_per_1000")
    figure = charts.rate_by_pcn(
        drawn,
        band.low_per_1000,
        band.high_per_1000,
        band.source,
        icb,
        rate_title(rates) if len(rates) else "No PCNs loaded",
    )
    figure.update_layout(title_subtitle_text=subtitle)
    rc.title_room(figure)
    return View(
        key,
        figure,
        rates,
        ("referrals",),
        based_on,
        "Annualised: referrals / registered list x 1,000 x 365 / days in the period. "
        "Selected PCNs are outlined and their peers faded."
        + charts.telling_note(rates, drawn, "the highest and lowest rates"),
        shown.any_withheld,
    )


# Monthly trend --------------------------------------------------------------------------------


def monthly_title(months: pd.DataFrame) -> str:
    scope = months[months["series"] != "ICB"] if (months["series"] != "ICB").any() else months
    if scope.empty or not scope["referrals"].any():
        return "No referrals in the period"
    name = scope["series"].iloc[0] if scope["series"].nunique() == 1 else "The selected PCNs"
    per_month = scope.groupby("month")["referrals"].sum()
    busiest = per_month.idxmax()
    return (
        f"{name}: busiest month {pd.Timestamp(busiest):%b %Y} "
        f"({count_text(per_month.max())} referrals)"
    )


def monthly_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    months = run("monthly_referrals", params(filters, band))
    based_on = {"rate_per_1000": "referrals"}
    shown = protect(months, counts=("referrals",), based_on=based_on)
    selection = months[months["series"] != "ICB"]
    total = (selection if len(selection) else months)["referrals"].sum()
    figure = rc.monthly(
        shown.frame,
        band.low_per_1000,
        band.high_per_1000,
        monthly_title(months) if len(months) else "No months in the period",
        f"n = {count_text(total)} referrals; planning band shaded; financial years marked",
    )
    return View(
        "monthly_referrals",
        figure,
        months,
        ("referrals",),
        based_on,
        "A month cut by the period is annualised over its days inside the period. "
        "With PCNs selected, the ICB rate is the dashed line.",
        shown.any_withheld,
    )


# Funnel and decline ---------------------------------------------------------------------------


def funnel_title(stages: pd.DataFrame) -> str:
    people = stages.set_index("stage")["people"]
    referred = people.get("referred", 0)
    if not referred:
        return "No referrals in the period"
    completed = figure_text(people["completed"] * 100 / referred, referred, "{:.0f}%")
    declined = figure_text(people["declined"] * 100 / referred, referred, "{:.0f}%")
    return f"{completed} of referrals completed; {declined} declined"


def funnel_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    stages = run("referral_funnel", params(filters, band))
    referred = stages.loc[stages["stage"] == "referred", "people"]
    stages = stages.assign(referred=int(referred.iloc[0]) if len(referred) else 0)
    based_on = {"share_pct": ("referred", "people")}
    shown = protect(stages, counts=("people", "referred"), based_on=based_on)
    figure = rc.title_room(charts.funnel(shown.frame, funnel_title(stages)))
    figure.update_layout(
        title_subtitle_text=f"n = {count_text(stages['referred'].iloc[0])} referrals; "
        "drop-outs in orange"
    )
    return View(
        "referral_funnel",
        figure,
        stages,
        ("people", "referred"),
        based_on,
        "Contacted: a first contact is recorded. Engaged: engaged or completed. "
        "Drop-outs are each referral's latest status.",
        shown.any_withheld,
    )


def decline_title(funnel: pd.DataFrame, icb_rate: float | None) -> str:
    measured = funnel[funnel["referred"] > SMALL_MAX].dropna(subset=["decline_rate_pct"])
    if measured.empty:
        return "Too few referrals per PCN to compare decline rates"
    chosen = measured[measured["selected"]]
    if len(chosen) == 1:
        row = chosen.iloc[0]
        return f"{row['pcn_name']}: {row['decline_rate_pct']:.1f}% declined (ICB {icb_rate:.1f}%)"
    return (
        f"Decline rate from {measured['decline_rate_pct'].min():.0f}% to "
        f"{measured['decline_rate_pct'].max():.0f}% across PCNs (ICB {icb_rate:.1f}%)"
    )


def decline_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    funnel = run("pcn_funnel", params(filters, band))
    counts = FUNNEL_STAGES
    based_on = {
        "decline_rate_pct": ("referred", "declined"),
        "completed_pct": ("referred", "completed"),
    }
    shown = protect(funnel, counts=counts, based_on=based_on)
    referred, declined = funnel["referred"].sum(), funnel["declined"].sum()
    icb_rate = declined * 100 / referred if referred else None
    drawn = charts.telling_pcns(shown.frame, "decline_rate_pct")
    figure = rc.pcn_bars(
        drawn,
        "decline_rate_pct",
        decline_title(funnel, icb_rate),
        f"n = {count_text(referred)} referrals across {len(funnel)} PCNs",
        "% of referrals declined",
        icb_rate,
        "ICB",
    )
    return View(
        "decline_rate_by_pcn",
        figure,
        funnel,
        counts,
        based_on,
        "Declined / referred, by the referral's PCN. The funnel stages of each PCN are in the "
        "CSV." + charts.telling_note(funnel, drawn, "the highest and lowest decline rates"),
        shown.any_withheld,
    )


# Waits ----------------------------------------------------------------------------------------


def waits_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    waits = run("pcn_waits", params(filters, band))
    based_on = {"median_wait_days": "people_with_wait", "p90_wait_days": "people_with_wait"}
    shown = protect(waits, counts=("people_with_wait",), based_on=based_on)
    measured = shown.frame.dropna(subset=["median_wait_days"])
    chosen = measured[measured["selected"]]
    if measured.empty:
        title = "Too few first contacts per PCN to compare waits"
    elif len(chosen) == 1:
        row = chosen.iloc[0]
        title = (
            f"{row['pcn_name']}: median {row['median_wait_days']:.0f} days to first contact, "
            f"9 in 10 within {row['p90_wait_days']:.0f}"
        )
    else:
        title = (
            f"Median wait to first contact from {measured['median_wait_days'].min():.0f} to "
            f"{measured['median_wait_days'].max():.0f} days across PCNs"
        )
    drawn = charts.telling_pcns(shown.frame, "median_wait_days")
    figure = rc.pcn_waits(
        drawn,
        title,
        f"n = {count_text(waits['people_with_wait'].sum())} people with a first contact",
    )
    return View(
        "waits_by_pcn",
        figure,
        waits,
        ("people_with_wait",),
        based_on,
        "Days from referral to first contact; referrals not yet contacted have no wait."
        + charts.telling_note(waits, drawn, "the longest and shortest median waits"),
        shown.any_withheld,
    )


def wait_distribution_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    query_params = params(filters, band)
    distribution = run("wait_distribution", query_params)
    kpis = run("referral_kpis", query_params).iloc[0]
    n = kpis["people_with_wait"]
    shown = protect(distribution, counts=("people",))
    if not n:
        title = "No first contacts recorded in the period"
    else:
        title = (
            f"Half of people were contacted within "
            f"{figure_text(kpis['median_wait_days'], n, '{:.0f}')} days, 9 in 10 within "
            f"{figure_text(kpis['p90_wait_days'], n, '{:.0f}')}"
        )
    median = None if is_small(n) else kpis["median_wait_days"]
    figure = rc.wait_histogram(shown.frame, median, title, f"n = {count_text(n)} people")
    return View(
        "wait_distribution",
        figure,
        distribution,
        ("people",),
        {},
        "Whole weeks from referral to first contact; 12 weeks or more share the last bar.",
        shown.any_withheld,
    )


# Sources and reasons --------------------------------------------------------------------------


def _complete_mix(mix: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Every PCN x category of one dimension, 0 where a PCN never used the category, with
    the ICB's totals as an extra row."""
    part = mix[mix["dimension"] == dimension]
    grid = part.pivot_table(
        index=["pcn_code", "pcn_name", "selected"],
        columns="category",
        values="referrals",
        aggfunc="sum",
        fill_value=0,
    )
    icb = grid.sum().to_frame().T
    icb.index = pd.MultiIndex.from_tuples([("ICB", "ICB", False)], names=grid.index.names)
    long = pd.concat([icb, grid]).stack().rename("referrals").reset_index()
    long["pcn_referrals"] = long.groupby("pcn_code")["referrals"].transform("sum")
    long["share_pct"] = long["referrals"] * 100 / long["pcn_referrals"]
    return long


def mix_view(run: Runner, filters: Filters, band: ReferralBand, dimension: str) -> View:
    mix = _complete_mix(run("referral_mix_by_pcn", params(filters, band)), dimension)
    based_on = {"share_pct": ("pcn_referrals", "referrals")}
    shown = protect(mix, counts=("referrals", "pcn_referrals"), based_on=based_on)
    noun = "Referral source" if dimension == "referral_source" else "Primary reason"
    icb = mix[mix["pcn_code"] == "ICB"].sort_values("referrals", ascending=False)
    if icb.empty or not icb["pcn_referrals"].iloc[0]:
        title = f"{noun}: no referrals in the period"
    else:
        top = icb.iloc[0]
        pcns = shown.frame[(shown.frame["pcn_code"] != "ICB")]
        spread = pcns[pcns["category"] == top["category"]]["share_pct"].dropna()
        title = (
            f"{rc.label(top['category'])} is the most common {noun.lower()}: "
            f"{top['share_pct']:.0f}%"
        )
        if len(spread) > 1:
            title += f", from {spread.min():.0f}% to {spread.max():.0f}% by PCN"
    drawn = charts.telling_pcns(shown.frame, "pcn_referrals", ends=False)
    figure = rc.mix_heatmap(
        drawn,
        title,
        f"n = {count_text(icb['pcn_referrals'].iloc[0] if len(icb) else 0)} referrals; "
        "% of each PCN's referrals",
    )
    return View(
        f"referral_{dimension}_by_pcn",
        figure,
        mix,
        ("referrals", "pcn_referrals"),
        based_on,
        "Each row adds up to 100%. The first row is the whole ICB."
        + charts.telling_note(mix, drawn, "the PCNs with most referrals"),
        shown.any_withheld,
    )


# Reach and equity -----------------------------------------------------------------------------

EQUITY_BASED_ON = {
    "rate_per_1000": "referrals",
    "clinical_rate_per_1000": "clinical_referrals",
    "community_rate_per_1000": "community_referrals",
    "community_route_pct": "referrals",
    "share_of_referrals_pct": "referrals",
}
EQUITY_COUNTS = ("referrals", "clinical_referrals", "community_referrals")


def _rate(groups: pd.DataFrame, code: str) -> tuple[float | None, int]:
    row = groups[groups["group_code"] == code]
    if row.empty:
        return None, 0
    return row["rate_per_1000"].iloc[0], row["referrals"].iloc[0]


def equity_title(groups: pd.DataFrame, dimension: str) -> str:
    if dimension == "imd_quintile":
        q1, n1 = _rate(groups, "1")
        q5, n5 = _rate(groups, "5")
        if q1 is None or pd.isna(q1):
            return "Most deprived 20%: no population by IMD quintile loaded"
        text = f"Most deprived 20%: {figure_text(q1, n1, '{:.1f}')} per 1,000 a year"
        if q5 is not None and not pd.isna(q5):
            text += f"; least deprived 20%: {figure_text(q5, n5, '{:.1f}')}"
        return text
    if dimension == "sex":
        female, nf = _rate(groups, "female")
        male, nm = _rate(groups, "male")
        if female is None or pd.isna(female) or male is None or pd.isna(male):
            return "Referrals by sex (no population by sex loaded)"
        return (
            f"Women are referred at {figure_text(female, nf, '{:.1f}')} per 1,000 a year, "
            f"men at {figure_text(male, nm, '{:.1f}')}"
        )
    measured = groups[groups["referrals"] > SMALL_MAX]
    if measured["population"].notna().any():
        measured = measured.dropna(subset=["rate_per_1000"])
        if measured.empty:
            return f"Too few referrals to compare by {rc.label(dimension).lower()}"
        high = measured.loc[measured["rate_per_1000"].idxmax()]
        low = measured.loc[measured["rate_per_1000"].idxmin()]
        return (
            f"Highest rate {rc.group_label(dimension, high['group_code'])} "
            f"({high['rate_per_1000']:.1f} per 1,000 a year), lowest "
            f"{rc.group_label(dimension, low['group_code'])} ({low['rate_per_1000']:.1f})"
        )
    if measured.empty:
        return f"Too few referrals to compare by {rc.label(dimension).lower()}"
    top = measured.loc[measured["referrals"].idxmax()]
    return (
        f"{rc.group_label(dimension, top['group_code'])}: {top['share_of_referrals_pct']:.0f}% "
        "of referrals (no population denominator loaded)"
    )


def route_finding(equity: pd.DataFrame) -> str | None:
    """How far the most deprived 20% reach the service through community routes."""
    imd = equity[equity["dimension"] == "imd_quintile"]
    total = imd["referrals"].sum()
    q1 = imd[imd["group_code"] == "1"]
    if q1.empty or q1["referrals"].iloc[0] <= SMALL_MAX or total <= SMALL_MAX:
        return None
    overall = imd["community_referrals"].sum() * 100 / total
    return (
        f"{q1['community_route_pct'].iloc[0]:.0f}% of referrals from the most deprived 20% "
        f"came through community routes (self, VCSE, social care, other), against "
        f"{overall:.0f}% for everyone."
    )


EQUITY_HEADINGS = {
    "imd_quintile": "IMD quintile",
    "age_band": "age band",
    "sex": "sex",
    "ethnicity": "ethnicity",
}


def equity_views(run: Runner, filters: Filters, band: ReferralBand) -> list[View]:
    query_params = params(filters, band)
    equity = run("referral_equity", query_params)
    overall = run("referral_kpis", query_params).iloc[0]["rate_per_1000"]
    views = []
    for dimension in EQUITY_DIMENSIONS:
        groups = equity[equity["dimension"] == dimension].reset_index(drop=True)
        shown = protect(groups, counts=EQUITY_COUNTS, based_on=EQUITY_BASED_ON)
        has_population = groups["population"].notna().any()
        unknown = groups[groups["population"].isna()]["referrals"].sum()
        if not has_population:
            caption = "The pcns extract gives no population for this split: referrals only."
        else:
            caption = (
                f"Denominator: registered population by {EQUITY_HEADINGS[dimension]} from the "
                "pcns extract."
            )
            if unknown:
                caption += (
                    f" {count_text(unknown)} referrals in groups without a population "
                    "(unknown, other) are not in the rates."
                )
        views.append(
            View(
                f"referrals_by_{dimension}",
                rc.equity_bars(
                    shown.frame,
                    dimension,
                    overall,
                    equity_title(groups, dimension),
                    f"n = {count_text(groups['referrals'].sum())} referrals, by "
                    f"{EQUITY_HEADINGS[dimension]} and route",
                ),
                groups,
                EQUITY_COUNTS,
                EQUITY_BASED_ON,
                caption,
                shown.any_withheld,
            )
        )
    return views


# Summary JSON ---------------------------------------------------------------------------------


def summary_section(con: duckdb.DuckDBPyConnection, filters: Filters, policy: Policy) -> dict:
    """The `referrals` section of `python -m dashboard summary --json`."""
    band = load_settings().referral_band

    def run(name: str, query_params: Mapping[str, Any]) -> pd.DataFrame:
        return queries.run(con, name, query_params)

    query_params = params(filters, band)
    kpis = run("referral_kpis", query_params).iloc[0]
    rates = run("pcn_referral_rates", query_params)
    if filters.pcns:
        rates = rates[rates["selected"]]
    stages = run("referral_funnel", query_params).set_index("stage")["people"]
    referred = stages.get("referred", 0)
    funnel: dict[str, Any] = {
        stage: export_count(stages.get(stage, 0), policy) for stage in FUNNEL_STAGES
    }
    funnel["decline_rate_pct"] = export_figure(
        stages.get("declined", 0) * 100 / referred if referred else None, referred, 1, policy
    )
    return {
        "total": export_count(kpis["referrals"], policy),
        "by_pcn": [
            {
                "pcn_code": row.pcn_code,
                "pcn_name": row.pcn_name,
                "referrals": export_count(row.referrals, policy),
                "rate_per_1000": export_figure(row.rate_per_1000, row.referrals, 2, policy),
                "in_band": bool(row.in_band),
            }
            for row in rates.sort_values(["pcn_name", "pcn_code"]).itertuples()
        ],
        "funnel": funnel,
        "median_wait_days": export_figure(
            kpis["median_wait_days"], kpis["people_with_wait"], 1, policy
        ),
    }
