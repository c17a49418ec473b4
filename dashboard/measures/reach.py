"""Who is reached: referral sources and reasons by PCN, and rates by deprivation, age, sex
and ethnicity against the registered population, split by route."""

from __future__ import annotations

import pandas as pd

from dashboard.charts import referrals as rc
from dashboard.charts import theme as charts
from dashboard.measures import formats
from dashboard.measures.disclosure import Ratio, Rules, count_text, figure_text, people_text, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import RATE, headline, params, patient_years
from dashboard.measures.view import Runner, View, build
from dashboard.settings import ReferralBand

EQUITY_DIMENSIONS = ("imd_quintile", "age_band", "sex", "ethnicity")


# Sources and reasons --------------------------------------------------------------------------

MIX_RULES = Rules(
    counts=("referrals", "pcn_referrals"),
    ratios={"share_pct": Ratio("referrals", "pcn_referrals", per=100)},
)


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


def mix_title(shown: pd.DataFrame, noun: str) -> str:
    icb = shown[shown["pcn_code"] == "ICB"].sort_values("referrals", ascending=False)
    if icb.empty or not icb["pcn_referrals"].fillna(0).iloc[0]:
        return f"{noun}: no referrals in the period"
    top = icb.iloc[0]
    pcns = shown[shown["pcn_code"] != "ICB"]
    spread = pcns[pcns["category"] == top["category"]]["share_pct"].dropna()
    title = (
        f"{formats.label(top['category'])} is the most common {noun.lower()}: "
        f"{figure_text(top['share_pct'], '{:.0f}%')}"
    )
    if len(spread) > 1:
        title += f", from {formats.percent(spread.min())} to {formats.percent(spread.max())} by PCN"
    return title


def mix_view(run: Runner, filters: Filters, band: ReferralBand, dimension: str) -> View:
    mix = _complete_mix(
        filters.marked(run("referral_mix_by_pcn", params(filters, band))), dimension
    )
    noun = "Referral source" if dimension == "referral_source" else "Primary reason"
    icb_total = mix.loc[mix["pcn_code"] == "ICB", "pcn_referrals"]

    def caption(shown: pd.DataFrame) -> str:
        drawn = charts.telling_pcns(shown, "pcn_referrals", ends=False)
        return "Each row adds up to 100%. The first row is the whole ICB." + charts.telling_note(
            shown, drawn, "the PCNs with most referrals"
        )

    return build(
        f"referral_{dimension}_by_pcn",
        mix,
        MIX_RULES,
        lambda shown: rc.mix_heatmap(
            charts.telling_pcns(shown, "pcn_referrals", ends=False),
            mix_title(shown, noun),
            f"n = {count_text(icb_total.iloc[0] if len(icb_total) else 0)} referrals; "
            "% of each PCN's referrals",
        ),
        caption=caption,
    )


# Reach and equity -----------------------------------------------------------------------------

EQUITY_COUNTS = ("referrals", "clinical_referrals", "community_referrals", "dimension_referrals")
EQUITY_RULES = Rules(
    counts=EQUITY_COUNTS,
    ratios={
        "rate_per_1000": RATE,
        "clinical_rate_per_1000": Ratio("clinical_referrals", "patient_years", 1000, True),
        "community_rate_per_1000": Ratio("community_referrals", "patient_years", 1000, True),
        "community_route_pct": Ratio("community_referrals", "referrals", per=100),
        "share_of_referrals_pct": Ratio("referrals", "dimension_referrals", per=100),
    },
)
EQUITY_HEADINGS = {
    "imd_quintile": "deprivation (IMD quintile)",
    "age_band": "age band",
    "sex": "sex",
    "ethnicity": "ethnicity",
}


def _rate(groups: pd.DataFrame, code: str) -> float | None:
    row = groups[groups["group_code"] == code]
    return None if row.empty else row["rate_per_1000"].iloc[0]


def equity_title(groups: pd.DataFrame, dimension: str) -> str:
    if dimension == "imd_quintile":
        q1, q5 = _rate(groups, "1"), _rate(groups, "5")
        if not groups["population"].notna().any():
            return "Most deprived 20%: no population by IMD quintile loaded"
        text = f"Most deprived 20%: {figure_text(q1)} per 1,000 a year"
        return text + (f"; least deprived 20%: {figure_text(q5)}" if q5 is not None else "")
    if dimension == "sex":
        if groups[groups["group_code"].isin(("female", "male"))]["population"].isna().any():
            return "Referrals by sex (no population by sex loaded)"
        return (
            f"Women are referred at {figure_text(_rate(groups, 'female'))} per 1,000 a year, "
            f"men at {figure_text(_rate(groups, 'male'))}"
        )
    measured = groups.dropna(subset=["referrals"])
    if measured["population"].notna().any():
        measured = measured.dropna(subset=["rate_per_1000"])
        if measured.empty:
            return f"Too few referrals to compare by {EQUITY_HEADINGS[dimension]}"
        high = measured.loc[measured["rate_per_1000"].idxmax()]
        low = measured.loc[measured["rate_per_1000"].idxmin()]
        return (
            f"Highest rate {rc.group_label(dimension, high['group_code'])} "
            f"({formats.number(high['rate_per_1000'], 1)} per 1,000 a year), lowest "
            f"{rc.group_label(dimension, low['group_code'])} "
            f"({formats.number(low['rate_per_1000'], 1)})"
        )
    measured = measured.dropna(subset=["share_of_referrals_pct"])
    if measured.empty:
        return f"Too few referrals to compare by {EQUITY_HEADINGS[dimension]}"
    top = measured.loc[measured["referrals"].idxmax()]
    return (
        f"{rc.group_label(dimension, top['group_code'])}: "
        f"{formats.percent(top['share_of_referrals_pct'])} "
        "of referrals (no population denominator loaded)"
    )


def _equity_groups(run: Runner, filters: Filters, band: ReferralBand) -> pd.DataFrame:
    equity = run("referral_equity", params(filters, band))
    return equity.assign(
        patient_years=patient_years(equity["population"], filters.year_days),
        dimension_referrals=equity.groupby("dimension")["referrals"].transform("sum"),
    )


def route_finding(run: Runner, filters: Filters, band: ReferralBand) -> str | None:
    """How far the most deprived 20% reach the service through community routes."""
    equity = _equity_groups(run, filters, band)
    imd = equity[equity["dimension"] == "imd_quintile"]
    q1 = imd[imd["group_code"] == "1"]
    if q1.empty:
        return None
    q1_pct = ratio(q1["community_referrals"].iloc[0], q1["referrals"].iloc[0], 100)
    overall = ratio(imd["community_referrals"].sum(), imd["referrals"].sum(), 100)
    if q1_pct is None or overall is None:
        return None
    return (
        f"{formats.percent(q1_pct)} of referrals from the most deprived 20% came through "
        "community routes (self-referral, VCSE organisations, social care, other), against "
        f"{formats.percent(overall)} for everyone."
    )


def equity_views(run: Runner, filters: Filters, band: ReferralBand) -> list[View]:
    equity = _equity_groups(run, filters, band)
    overall = headline(run, filters, band)["rate_per_1000"]
    views = []
    for dimension in EQUITY_DIMENSIONS:
        groups = equity[equity["dimension"] == dimension].reset_index(drop=True)
        unknown = groups[groups["population"].isna()]["referrals"].sum()
        if not groups["population"].notna().any():
            caption = (
                "The PCN reference extract gives no population for this split: referrals only."
            )
        else:
            caption = (
                f"Rates per 1,000 of the registered population by {EQUITY_HEADINGS[dimension]}, "
                "from the PCN reference extract."
            )
            if unknown:
                caption += (
                    f" {people_text(unknown).capitalize()} referrals in groups without a "
                    "population (unknown, other) are not in the rates."
                )
        if dimension == "imd_quintile":
            caption += (
                " IMD: the Index of Multiple Deprivation; quintile 1 is the most deprived 20% of "
                "areas."
            )
        subtitle = (
            f"n = {count_text(groups['referrals'].sum())} referrals, by "
            f"{EQUITY_HEADINGS[dimension]} and route"
        )
        views.append(
            build(
                f"referrals_by_{dimension}",
                groups,
                EQUITY_RULES,
                lambda shown, d=dimension, s=subtitle: rc.equity_bars(
                    shown, d, overall, equity_title(shown, d), s
                ),
                title=lambda shown, d=dimension: equity_title(shown, d),
                caption=caption,
            )
        )
    return views
