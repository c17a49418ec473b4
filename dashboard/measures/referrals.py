"""The Referrals views: rates against the planning band, trend, funnel, waits, mix and reach.

No Streamlit here. Every function takes a `run(name, params) -> DataFrame` so the pages pass
their cached query and the CLI a plain connection, and returns Views and Tiles built through
the disclosure gate: titles and captions are written from shown (rounded) values only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures import control_limits, findings, formats, waits
from dashboard.measures.disclosure import (
    MARK,
    Ratio,
    Rules,
    count,
    count_text,
    disclose,
    exported,
    figure_text,
    people_text,
    ratio,
)
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import byars_interval, wilson_interval
from dashboard.measures.view import Runner, Tile, View, build, once
from dashboard.settings import ReferralBand

RATE_DEFINITION = (
    "Referrals per 1,000 registered patients, scaled to a year: referrals / registered list "
    "x 1,000 x 365 / days in the period."
)
RATE = Ratio("referrals", "patient_years", per=1000, public=True)


def params(filters: Filters, band: ReferralBand) -> dict[str, Any]:
    """The bound parameters of every referral query."""
    return {**filters.params(), "band_low": band.low_per_1000, "band_high": band.high_per_1000}


def patient_years(list_size: Any, days: Any) -> Any:
    return list_size * days / 365


def _band_position(rate: pd.Series, band: ReferralBand) -> pd.Series:
    position = pd.Series("within", index=rate.index, dtype=object)
    position[rate < band.low_per_1000] = "below"
    position[rate > band.high_per_1000] = "above"
    return position.where(rate.notna())


# KPI tiles ------------------------------------------------------------------------------------


def headline(run: Runner, filters: Filters, band: ReferralBand) -> dict[str, Any]:
    """The shown headline figures of a period: referrals, rate, PCNs in band, wait, declines.
    Worked out once per runner: the board pack and the Referrals page ask in several places."""
    return once(run, ("referral headline", filters, band), lambda: _headline(run, filters, band))


def _headline(run: Runner, filters: Filters, band: ReferralBand) -> dict[str, Any]:
    kpis = run("referral_kpis", params(filters, band)).iloc[0]
    rates = rate_table(run, filters, band)
    in_scope = rates[rates["selected"]] if filters.pcns else rates
    wait = waits.headline(run, filters)
    years = patient_years(kpis["list_size"], filters.year_days) if kpis["list_size"] else None
    now = {
        "referrals": count(kpis["referrals"]),
        "referrals_text": people_text(kpis["referrals"]),
        "rate_per_1000": ratio(kpis["referrals"], years, 1000, public=True),
        "pcns": len(in_scope),
        "pcns_in_band": int((in_scope["band_position"] == "within").sum()),
        "median_wait_days": _figure(wait["median_wait_days"]),
        "p90_wait_days": _figure(wait["p90_wait_days"]),
        "declined": count(kpis["declined"]),
        "decline_rate_pct": ratio(kpis["declined"], kpis["referrals"], 100),
        "unknown_pcn": exported(kpis["unknown_pcn_referrals"]),
    }
    return {**now, "intervals": _intervals(now, kpis, years)}


def _intervals(now: dict[str, Any], kpis: pd.Series, years: float | None) -> dict[str, str]:
    """The 95% intervals of the headline figures, from the shown counts: Byars for the rate,
    Wilson for the shares (OHID Fingertips)."""
    shown, declined = count(kpis["referrals"]), count(kpis["declined"])
    texts = {}
    if shown is not None and years:
        low, high = byars_interval(shown)
        texts["rate"] = (
            f"95% interval {formats.number(low * 1000 / years, 1)} to "
            f"{formats.number(high * 1000 / years, 1)}."
        )
    if shown and declined is not None:
        low, high = wilson_interval(declined, shown)
        texts["declined"] = (
            f"95% interval {formats.percent(low * 100, 1)} to {formats.percent(high * 100, 1)}."
        )
    if now["pcns"]:
        low, high = wilson_interval(now["pcns_in_band"], now["pcns"])
        texts["in_band"] = (
            f"95% interval {formats.percent(low * 100)} to {formats.percent(high * 100)} of PCNs."
        )
    return texts


def _figure(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _delta(now: Any, before: Any, write: Callable[[float], str]) -> str | None:
    """The change on the previous period, or None when either period has no figure."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return write(now - before)


def _days(change: float) -> str:
    return f"{formats.signed(change)} day{'s' * (round(abs(change)) != 1)}"


def _unknown_note(now: dict[str, Any]) -> str:
    unknown = now["unknown_pcn"]
    if not unknown:
        return ""
    amount = "Fewer than 8" if unknown == MARK else formats.number(unknown)
    return (
        f" {amount} referrals from PCN codes missing from the reference list are left out "
        "of every figure (see the Data page)."
    )


def _tile(label: str, value: str, delta: str | None, colour: str, help: str, against: str) -> Tile:
    """A zero change is neutral, not red or green. st.metric reads a change's direction (its
    arrow and colour) from a leading hyphen, so a tile's change keeps one for its minus."""
    if delta is not None and ZERO_CHANGE.match(delta):
        delta, colour = f"No change {against}", "off"
    if delta is not None and delta.startswith(formats.MINUS):
        delta = "-" + delta[1:]
    return Tile(label, value, delta, colour, help)


ZERO_CHANGE = re.compile(rf"^[+\-{formats.MINUS}]?0(\.0+)?\D")


def kpi_tiles(run: Runner, filters: Filters, band: ReferralBand) -> list[Tile]:
    """Referrals, rate, PCNs in band, median wait and decline rate, each against the previous
    period (the previous financial year for a whole one); no change is shown when the
    previous period has no referrals."""
    now = headline(run, filters, band)
    before = headline(run, filters.previous(), band)
    if not before["referrals"]:
        before = dict.fromkeys(before)
    against = findings.versus(filters)
    compared = f" {findings.previous_sentence(filters)}"
    return [
        _tile(
            "Referrals",
            figure_text(now["referrals"], formats.number),
            findings.change_phrase(now["referrals"], before["referrals"], against),
            "normal",
            "Counts are rounded to the nearest 5 (disclosure control)."
            + _unknown_note(now)
            + compared,
            against,
        ),
        _tile(
            "Referrals per 1,000 a year",
            figure_text(now["rate_per_1000"]),
            findings.change_phrase(now["rate_per_1000"], before["rate_per_1000"], against),
            "off",
            f"{RATE_DEFINITION} {now['intervals'].get('rate', '')}{compared}",
            against,
        ),
        _tile(
            "PCNs in the planning band",
            f"{now['pcns_in_band']} of {now['pcns']}",
            _delta(
                now["pcns_in_band"],
                before["pcns_in_band"],
                lambda d: f"{formats.signed(d)} {against}",
            ),
            "normal",
            f"PCNs referring within the planning band, {band.low_per_1000:g}-"
            f"{band.high_per_1000:g} per 1,000 a year. Source: {band.source}. "
            f"{now['intervals'].get('in_band', '')}{compared}",
            against,
        ),
        _tile(
            "Median wait to first contact",
            figure_text(now["median_wait_days"], lambda d: f"{formats.number(d)} days"),
            _delta(
                now["median_wait_days"],
                before["median_wait_days"],
                lambda d: f"{_days(d)} {against}",
            ),
            "inverse",
            "Half of referrals had a first contact within this many days, counting people still "
            "waiting (a Kaplan-Meier estimate). 9 in 10 within "
            f"{figure_text(now['p90_wait_days'], lambda d: f'{formats.number(d)} days')}."
            + compared,
            against,
        ),
        _tile(
            "Declined",
            figure_text(now["decline_rate_pct"], "{:.1f}%"),
            _delta(
                now["decline_rate_pct"],
                before["decline_rate_pct"],
                lambda d: f"{formats.signed(d, 1)} pts {against}",
            ),
            "inverse",
            "Referrals declined by the person, as a share of referrals (SNOMED CT "
            "871711000000103, social prescribing declined). The change is in percentage points "
            f"(pts). {now['intervals'].get('declined', '')}{compared}",
            against,
        ),
    ]


# Rate against the band ------------------------------------------------------------------------

# Each PCN's rate with its exact Poisson (Byars) 95% interval, as OHID's Fingertips shows it.
RATE_RULES = Rules(
    counts=("referrals",),
    ratios={"rate_per_1000": replace(RATE, interval=("rate_low", "rate_high"), method="byars")},
)


def _rates(run: Runner, filters: Filters, band: ReferralBand) -> pd.DataFrame:
    rates = filters.marked(run("pcn_referral_rates", params(filters, band)))
    return rates.assign(
        patient_years=patient_years(rates["list_size"], filters.year_days),
        rate_low=float("nan"),  # worked out by the gate, from the shown count
        rate_high=float("nan"),
    )


def _rank_rates(rates: pd.DataFrame, band: ReferralBand) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Band position and rank from each PCN's shown rate, and the ICB's rate from the
    rounded ICB total, so nothing beside the chart is worked from exact counts."""
    icb = ratio(rates["referrals"].sum(), rates["patient_years"].sum(), 1000, public=True)

    def derive(shown: pd.DataFrame) -> pd.DataFrame:
        shown["band_position"] = _band_position(shown["rate_per_1000"], band)
        shown["in_band"] = shown["band_position"] == "within"
        shown["rank_high_to_low"] = shown["rate_per_1000"].rank(ascending=False, method="min")
        shown["icb_rate_per_1000"] = icb
        return shown

    return derive


def rate_table(run: Runner, filters: Filters, band: ReferralBand) -> pd.DataFrame:
    """Every PCN's shown referrals and rate, with its band position and rank."""
    rates = _rates(run, filters, band)
    return _rank_rates(rates, band)(disclose(rates, RATE_RULES).frame)


def rate_title(rates: pd.DataFrame) -> str:
    """The band finding, or for a selection, how it sits against the ICB and its peers."""
    if rates.empty:
        return "No PCNs loaded"
    chosen = rates[rates["selected"]]
    if chosen.empty:
        return findings.band_finding(rates)
    icb = figure_text(rates["icb_rate_per_1000"].iloc[0])
    if len(chosen) == 1:
        row = chosen.iloc[0]
        if pd.isna(row["rate_per_1000"]):
            return f"{row['pcn_name']}: too few referrals to show a rate (ICB {icb})"
        return (
            f"{row['pcn_name']} refers {formats.number(row['rate_per_1000'], 1)} per 1,000 a year, "
            f"{row['band_position']} the band (ICB {icb}; "
            f"{int(row['rank_high_to_low'])} of {len(rates)} PCNs)"
        )
    within = int(chosen["in_band"].sum())
    return f"{within} of {len(chosen)} selected PCNs refer within the band (ICB {icb})"


def list_size_sentence(rates: pd.DataFrame) -> str:
    """Which list sizes the rates used: the mean of the extracts dated in the period, or for
    a PCN with none, the nearest extract's."""
    if rates.empty:
        return ""
    extracts = rates["list_size_extracts"].fillna(0)
    dated = rates.loc[extracts > 0]
    sentence = ""
    if len(dated):
        low, high = int(extracts[extracts > 0].min()), int(extracts.max())
        span = f"{low}" if low == high else f"{low} to {high}"
        sentence = (
            f"List sizes: the mean of each PCN's list size extracts dated in the period ({span} "
            f"extract{'s' * (high != 1)}, "
            f"{formats.period(dated['list_size_from'].min(), dated['list_size_to'].max())})."
        )
    nearest = rates.loc[extracts == 0]
    if len(nearest):
        dates = nearest["list_size_from"].dropna()
        when = (
            f", dated {formats.day(dates.min())}"
            if len(dates) and dates.min() == dates.max()
            else ""
        )
        sentence += (
            f" {len(nearest)} PCN{'s' * (len(nearest) != 1)} with no extract in the period "
            f"use{'s' * (len(nearest) == 1)} the nearest one{when}."
        )
    return sentence.strip()


def rate_view(run: Runner, filters: Filters, band: ReferralBand, key: str) -> View:
    rates = _rates(run, filters, band)
    subtitle = (
        f"n = {count_text(rates['referrals'].sum())} referrals, {len(rates)} PCNs, "
        f"{formats.period(filters.date_from, filters.date_to)}"
    )

    def draw(shown: pd.DataFrame):
        figure = charts.rate_by_pcn(
            charts.telling_pcns(shown, "rate_per_1000"),
            band.low_per_1000,
            band.high_per_1000,
            band.source,
            shown["icb_rate_per_1000"].iloc[0] if len(shown) else None,
            rate_title(shown),
        )
        figure.update_layout(title_subtitle_text=subtitle)
        return rc.title_room(figure)

    def caption(shown: pd.DataFrame) -> str:
        drawn = charts.telling_pcns(shown, "rate_per_1000")
        return (
            f"{RATE_DEFINITION} {list_size_sentence(shown)} Selected PCNs are outlined and "
            "their peers faded." + charts.telling_note(shown, drawn, "the highest and lowest rates")
        )

    return build(
        key,
        rates,
        RATE_RULES,
        draw,
        derive=_rank_rates(rates, band),
        title=rate_title,
        caption=caption,
    )


def rate_funnel_view(run: Runner, filters: Filters, band: ReferralBand) -> View:
    """Each PCN's rate against its patient-years: a funnel plot around the ICB rate, so a
    small PCN's chance variation is not read as under-referring."""
    rates = _rates(run, filters, band)
    icb = ratio(rates["referrals"].sum(), rates["patient_years"].sum(), 1000, public=True)
    return control_limits.funnel_plot_view(
        "referral_rate_funnel",
        rates,
        RATE_RULES,
        value="rate_per_1000",
        size="patient_years",
        target=icb,
        kind="rate",
        per=1000,
        title=f"Referral rate by PCN against its registered population (ICB {figure_text(icb)} "
        "per 1,000 a year)",
        size_title="Patient-years (registered list x years in the period)",
        value_title="Referrals per 1,000 a year",
        selected=filters.pcns,
        subject="Referral rate",
        caption=f"{RATE_DEFINITION} The CSV holds each PCN's 95% interval (exact Poisson, Byars).",
        band=(band.low_per_1000, band.high_per_1000),
    )


def key_messages(
    run: Runner, filters: Filters, band: ReferralBand, now: dict[str, Any], funnel: View
) -> tuple[str, ...]:
    """What a board slide or presentation says about referrals, from shown figures only:
    `now` is the period's `headline`, `funnel` its `rate_funnel_view` (the slide has both)."""
    before = headline(run, filters.previous(), band)
    rates = rate_table(run, filters, band)
    first = f"{now['referrals_text']} referrals in the period"
    if now["rate_per_1000"] is not None:
        first += (
            f"; referral rate {formats.number(now['rate_per_1000'], 1)} per 1,000 registered "
            "patients a year"
        )
        change = findings.change_phrase(
            now["rate_per_1000"], before["rate_per_1000"], _on_previous(filters)
        )
        first += f" ({change})" if change else ""
    below = int((rates["band_position"] == "below").sum())
    messages = [
        first,
        f"{below} of {len(rates)} PCNs refer below the planning band "
        f"({band.low_per_1000:g}-{band.high_per_1000:g} per 1,000 a year)",
    ]
    messages += funnel.messages
    if now["median_wait_days"] is not None and now["decline_rate_pct"] is not None:
        messages.append(
            f"Median wait from referral to first contact {formats.number(now['median_wait_days'])} "
            f"days; {formats.percent(now['decline_rate_pct'])} of referrals declined"
        )
    return tuple(messages)


def _on_previous(filters: Filters) -> str:
    """What a key message's change is against, in full."""
    return "on the previous year" if filters.financial_years == 1 else "on the previous period"


def slide_notes(band: ReferralBand) -> str:
    return (
        f"Referral rate: {RATE_DEFINITION} Planning band: {band.source}. Wait: days from "
        "referral to first contact."
    )


def has_referrals(run: Runner, filters: Filters, band: ReferralBand) -> bool:
    return bool(run("referral_kpis", params(filters, band)).iloc[0]["referrals"])
