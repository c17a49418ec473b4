"""The VCSE capacity views: gaps by PCN and activity, one pair month by month, unmet demand,
funding risk and the NIHR groups.

No Streamlit here. Each function takes a `run(name, params) -> DataFrame` and returns Views,
Tiles or shown tables built through the disclosure gate. Places are a service's published
offer, not people, so they are shown as they are; onward referrals are counted like every
count, and the gap is worked from the shown (rounded) demand and the places, so the two
together give back only the rounded demand.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.charts import capacity as capacity_charts
from dashboard.measures import capacity, formats
from dashboard.measures.capacity import UNMET_REASONS, params
from dashboard.measures.disclosure import (
    Built,
    Disclosed,
    Ratio,
    Rules,
    count_text,
    disclose,
    figure_text,
    people_text,
    ratio,
    records,
)
from dashboard.measures.filters import Filters
from dashboard.measures.formats import label
from dashboard.measures.view import Runner, Tile, View, build

# Months are counted only where the demand they are on is shown: "3 of 3 months" on a pair
# with 3 onward referrals would bound it.
GAP_RULES = Rules(
    counts=("demand", "unmet", "shortfall"),
    ratios={"demand_pct_of_capacity": Ratio("demand", "capacity", per=100, public=True, digits=0)},
    built={
        "gap": Built("demand", 0),
        "shortfall": Built("demand", 0),
        "months_with_demand": Built("demand", 0),
        "months_short": Built("demand", 0),
    },
)
MONTH_RULES = Rules(counts=("demand", "unmet"), built={"gap": Built("demand", 0)})


def _with_gap(shown: pd.DataFrame) -> pd.DataFrame:
    """The gap from the shown demand and the places (NaN where the demand is withheld)."""
    return shown.assign(gap=shown["demand"] - shown["capacity"])


def _pairs(run: Runner, filters: Filters) -> pd.DataFrame:
    return run("capacity_gaps", params(filters))


def shown_pairs(run: Runner, filters: Filters) -> Disclosed:
    """Every PCN-activity pair with demand (and its PCN's name), as shown."""
    shown = disclose(_named(run, _pairs(run, filters)), GAP_RULES)
    return Disclosed(_with_gap(shown.frame), shown.withheld)


MONTHS = ("months_with_demand", "months_short")


def _months_of_shown_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with the months of those withheld (1 to 7 onward referrals) left out, for a
    total: months are exact, so a total less the shown pairs' months would give back a small
    pair's (and 7 months with demand would pin its 7 onward referrals)."""
    hidden = disclose(pairs[["demand"]], Rules(counts=("demand",))).withheld["demand"]
    return pairs.assign(**{column: pairs[column].where(~hidden) for column in MONTHS})


def has_demand(run: Runner, filters: Filters) -> bool:
    return not _pairs(run, filters).empty


# Tiles ----------------------------------------------------------------------------------------


def _totals(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """One row of `frame`'s column sums, for the gate to treat as any other row."""
    return pd.DataFrame([{c: frame[c].sum() for c in columns}])


TOTAL_RULES = Rules(
    counts=("demand", "unmet"),
    built={"months_with_demand": Built("demand", 0), "months_short": Built("demand", 0)},
)


def tiles(run: Runner, filters: Filters) -> list[Tile]:
    pairs = _pairs(run, filters)
    columns = ("demand", "unmet", *MONTHS)
    total = disclose(_totals(_months_of_shown_pairs(pairs), *columns), TOTAL_RULES).frame.iloc[0]
    unmet_share = ratio(pairs["unmet"].sum(), pairs["demand"].sum(), 100)
    risky, funding_n = capacity.risky_share(run("capacity_funding_share", params(filters)))
    return [
        Tile(
            "Onward referrals",
            count_text(pairs["demand"].sum()),
            help="Link workers' referrals on to VCSE activities in the period; rounded to the "
            "nearest 5.",
        ),
        Tile(
            "Unmet",
            count_text(pairs["unmet"].sum()),
            None if unmet_share is None else f"{formats.percent(unmet_share)} of referrals",
            "off",
            "Onward referrals waitlisted, declined for lack of capacity or sent to a closed "
            "service, and their share of all onward referrals.",
        ),
        Tile(
            "Months short of places",
            figure_text(total["months_short"], formats.number),
            None
            if pd.isna(total["months_with_demand"])
            else f"of {formats.number(total['months_with_demand'])} with demand",
            "off",
            "Months where a PCN's activity had fewer places than onward referrals, counted "
            "for every PCN and activity, of the months it had any onward referrals. PCNs' "
            "activities with 1 to 7 onward referrals are left out.",
        ),
        Tile(
            "To unfunded or time-limited",
            figure_text(risky, "{:.0f}%") if funding_n else "-",
            help="Share of onward referrals that went to unfunded or time-limited services "
            "(without secure funding), worked from the rounded counts.",
        ),
    ]


# Where demand outruns places ------------------------------------------------------------------


def gap_finding(shown: pd.DataFrame) -> str:
    """E.g. `Demand outran places for 41 of 120 activities in PCNs`, from the shown pairs."""
    if shown.empty:
        return "No onward referrals in the period"
    measured = shown.dropna(subset=["demand"])
    short = int((measured["gap"] > 0).sum())
    withheld = len(shown) - len(measured)
    note = f"; {formats.number(withheld)} with 1 to 7 onward referrals withheld" if withheld else ""
    return (
        f"Demand outran places for {formats.number(short)} of {formats.number(len(measured))} "
        "activities in PCNs"
        f"<br><sup>n = {count_text(shown['demand'].sum())} onward referrals shown{note}</sup>"
    )


def _named(run: Runner, frame: pd.DataFrame) -> pd.DataFrame:
    names = dict(run("pcn_options", {})[["pcn_code", "pcn_name"]].itertuples(index=False))
    return frame.assign(pcn_name=[names.get(code, code) for code in frame["pcn_code"]])


HEAT_LIMIT = 30


def heatmap_view(run: Runner, filters: Filters, measure: str) -> View:
    """PCN by activity, coloured by the gap or by demand as a share of places."""
    pairs = _named(run, _pairs(run, filters))

    def draw(shown: pd.DataFrame):
        pcns = capacity.heatmap_pcns(shown, HEAT_LIMIT)
        title = gap_finding(shown)
        if len(pcns) < shown["pcn_code"].nunique():
            title += f"<br><sup>The {HEAT_LIMIT} PCNs with the largest shortfall shown</sup>"
        return capacity_charts.gap_heatmap(shown, measure, pcns, title)

    return build(
        "capacity_gaps",
        pairs,
        GAP_RULES,
        draw,
        derive=_with_gap,
        caption="Each cell is one activity in one PCN. Blank: no onward referrals; `*`: 1 to 7. "
        "Places are those of every month of the period. The CSV holds every PCN and activity, "
        "with its shortfall.",
        messages=lambda shown: [gap_finding(shown).split("<br>")[0]],
    )


WORST_COLUMNS = {
    "pcn_name": "PCN",
    "activity": "Activity",
    "demand": "Onward referrals",
    "capacity": "Places",
    "gap": "Gap",
    "shortfall": "Shortfall",
    "unmet": "Unmet",
    "months_short": "Months short",
}


def worst_gaps(run: Runner, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """The pairs with the largest shown shortfall, for a table."""
    shown = shown_pairs(run, filters)
    short = shown.frame[shown.frame["shortfall"] > 0]
    order = short.sort_values(["shortfall", "demand"], ascending=False).head(limit).index
    return capacity.display_table(shown.take(order), WORST_COLUMNS)


def drilldown_default(run: Runner, filters: Filters) -> tuple[str, str] | None:
    """The PCN and activity the drill-down opens on: the largest shown shortfall among pairs
    an open service offers places for (a pair with no places shows demand against nothing),
    or among all pairs when none has places."""
    shown = shown_pairs(run, filters).frame.dropna(subset=["shortfall"])
    if shown.empty:
        return None
    offered = shown[shown["capacity"].fillna(0) > 0]
    shown = offered if not offered.empty else shown
    worst = shown.sort_values(["shortfall", "demand"], ascending=False).iloc[0]
    return str(worst["pcn_code"]), str(worst["activity"])


def monthly_view(run: Runner, filters: Filters, pcn: str, pcn_name: str, activity: str) -> View:
    """One PCN and activity month by month: onward referrals against places."""
    months = run("capacity_monthly", {**filters.params(), "pcn": pcn, "activity": activity})

    def draw(shown: pd.DataFrame):
        measured = shown.dropna(subset=["demand"])
        short = int((measured["gap"] > 0).sum())
        withheld = len(shown) - len(measured)
        return capacity_charts.monthly_demand_capacity(
            shown,
            f"{label(activity)} in {pcn_name}: demand above places in {short} of "
            f"{len(measured)} months shown (n = {count_text(months['demand'].sum())})"
            + (
                f"<br><sup>{withheld} month{'s' * (withheld != 1)} with 1 to 7 onward "
                "referrals withheld</sup>"
                if withheld
                else ""
            ),
        )

    return build(
        "capacity_monthly",
        months,
        MONTH_RULES,
        draw,
        derive=_with_gap,
        caption="Places: monthly places of open services serving the PCN for the activity.",
    )


# Unmet demand ---------------------------------------------------------------------------------

UNMET_RULES = Rules(counts=("unmet", *UNMET_REASONS))


def unmet_views(run: Runner, filters: Filters) -> tuple[View, View]:
    """Unmet onward referrals by activity and by PCN (the 20 most unmet), split by reason."""
    reasons = run("capacity_unmet_reasons", params(filters))
    by_activity = capacity.unmet_by(reasons, "activity")
    by_pcn = capacity.unmet_by(reasons, "pcn_name").head(20)

    def drawer(category: str, what: str, codes: bool):
        def draw(shown: pd.DataFrame):
            top = shown.dropna(subset=["unmet"]).sort_values("unmet", ascending=False)
            most = ""
            if len(top) and top["unmet"].iloc[0] > 0:
                name = str(top[category].iloc[0])
                most = f": most for {label(name) if codes else name}"
            return capacity_charts.unmet_bars(
                shown, category, UNMET_REASONS, f"Unmet onward referrals by {what}{most}", codes
            )

        return draw

    return (
        build("capacity_unmet_by_activity", by_activity, UNMET_RULES,
              drawer("activity", "activity", True)),
        build("capacity_unmet_by_pcn", by_pcn, UNMET_RULES,
              drawer("pcn_name", "PCN (20 most unmet)", False)),
    )  # fmt: skip


# NIHR activity groups -------------------------------------------------------------------------


def group_view(run: Runner, filters: Filters, key: str = "capacity_by_group") -> View:
    """Demand, places and unmet per NIHR activity group."""
    groups = capacity.by_group(_months_of_shown_pairs(_pairs(run, filters)))

    def title(shown: pd.DataFrame) -> str:
        ranked = shown.dropna(subset=["months_short"])
        if ranked.empty:
            return "Demand and places by NIHR activity group"
        most = ranked.sort_values("months_short", ascending=False).iloc[0]
        return (
            f"{label(most['nihr_group'])} ran short of places most often: "
            f"{formats.number(most['months_short'])} months"
        )

    return build(
        key,
        groups,
        GAP_RULES.within(groups.columns),
        lambda shown: capacity_charts.group_bars(shown, title(shown)),
        derive=_with_gap,
        title=title,
        caption="The four NIHR activity groups: advice and guidance, natural world, arts and "
        "creativity, sport and exercise. Cooking, healthy eating, volunteering and other "
        "activities count as Other.",
        messages=lambda shown: group_messages(run, filters, shown),
    )


def group_messages(run: Runner, filters: Filters, shown: pd.DataFrame) -> list[str]:
    """A slide's key messages, from the shown figures."""
    pairs = _pairs(run, filters)
    demand, unmet = pairs["demand"].sum(), pairs["unmet"].sum()
    messages = [f"{people_text(demand)} onward referrals to VCSE activities"]
    share = ratio(unmet, demand, 100)
    if share is not None:
        messages.append(
            f"{people_text(unmet)} ({formats.percent(share)}) unmet: waitlisted, declined for "
            "lack of capacity or sent to a closed service"
        )
    short = shown["months_short"].sum(min_count=1)
    if pd.notna(short):
        messages.append(
            f"In {formats.number(short)} months a PCN's activity had fewer places than onward "
            "referrals"
        )
    return messages


# Overview and summary -------------------------------------------------------------------------


def overview_tiles(run: Runner, filters: Filters) -> list[Tile]:
    """The Overview's capacity tile: the share of onward referrals that went unmet."""
    unmet, demand = run("capacity_demand_total", params(filters)).iloc[0][["unmet", "demand"]]
    return [
        Tile(
            "VCSE onward referrals unmet",
            figure_text(ratio(unmet, demand, 100), "{:.0f}%") if demand else "-",
            help=f"Waitlisted, declined for lack of capacity, or sent to a closed service: "
            f"{count_text(unmet)} of {count_text(demand)} onward referrals.",
        )
    ]


SUMMARY_KEYS = ["pcn_code", "activity", "demand", "capacity", "gap", "shortfall", "unmet"]


def summary_section(run: Runner, filters: Filters) -> list[dict[str, Any]]:
    """`capacity` in `summary --json`: per PCN and activity, over the period."""
    shown = shown_pairs(run, filters)
    order = shown.frame.sort_values(["pcn_code", "activity"]).index
    return records(shown.take(order), SUMMARY_KEYS)


def summary_months_short(run: Runner, filters: Filters) -> int | str | None:
    """`capacity_months_short`: PCN-activity-months whose demand exceeded places, withheld
    with the demand it is on."""
    pairs = _months_of_shown_pairs(_pairs(run, filters))
    total = disclose(_totals(pairs, "demand", "unmet", *MONTHS), TOTAL_RULES)
    return records(total, ["months_short"])[0]["months_short"]
