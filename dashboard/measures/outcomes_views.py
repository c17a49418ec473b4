"""The Outcomes views: follow-up completion, the Wellbeing Star, the other measures, by PCN.

No Streamlit here. Each function takes a `run(name, params) -> DataFrame` and returns Views and
Tiles built through the disclosure gate (`outcomes.RULES`): every title, caption and message is
written from the shown figures, so a percentage on screen is the one a download holds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.charts import outcomes as outcome_charts
from dashboard.charts import theme as charts
from dashboard.measures import formats, outcomes
from dashboard.measures.disclosure import (
    count,
    count_text,
    figure_text,
    people_text,
    ratio,
    records,
)
from dashboard.measures.filters import Filters
from dashboard.measures.outcomes import LOW_FOLLOWUP_PCT, MEASURE_LABEL
from dashboard.measures.statistics import wilson_interval
from dashboard.measures.view import Runner, Tile, View
from dashboard.settings import Settings, load_settings

LOW_BASELINE_NOTE = (
    "Low baseline: 2 or less, as in the Rotherham evaluation. Regression to the mean: people "
    "who score low at referral, often at a crisis, tend to score higher later anyway, so part "
    "of their larger rise would have happened without social prescribing. Floor and ceiling: "
    "a score of 1 cannot fall and a score of 5 cannot rise, so low starters have more room to "
    "improve and high starters more room to fall."
)


def _summary(run: Runner, filters: Filters, settings: Settings | None = None) -> pd.DataFrame:
    sums = run("outcome_change", outcomes.sums_params(filters, settings))
    return outcomes.summarise(sums, filters.pcns)


def has_outcomes(run: Runner, filters: Filters) -> bool:
    return not _summary(run, filters).empty


# Follow-up completion ---------------------------------------------------------------------------


def completion(run: Runner, filters: Filters) -> dict[str, Any]:
    """People (referrals) with a baseline on any measure and with a follow-up, as shown."""
    per_pcn = run("outcome_followup", {k: v for k, v in filters.params().items() if k != "pcns"})
    if filters.pcns:
        per_pcn = per_pcn[per_pcn["pcn_code"].isin(filters.pcns)]
    with_baseline, paired = per_pcn["people_with_baseline"].sum(), per_pcn["n"].sum()
    star, improved = per_pcn["star_people"].sum(), per_pcn["star_improved_people"].sum()
    return {
        "people_with_baseline": with_baseline,
        "n": paired,
        "followup_pct": ratio(paired, with_baseline, 100) if with_baseline else None,
        "star_people": star,
        "star_improved_pct": ratio(improved, star, 100) if star else None,
        "star_improved_ci": _wilson_text(improved, star),
    }


def _wilson_text(part: Any, whole: Any) -> str:
    """`95% CI 61% to 66%` from the shown counts, or empty when either is withheld."""
    shown_part, shown_whole = count(part), count(whole)
    if shown_part is None or not shown_whole:
        return ""
    low, high = wilson_interval(shown_part, shown_whole)
    return f"95% interval {formats.percent(low * 100)} to {formats.percent(high * 100)}."


def rotherham_tile(people: dict[str, Any]) -> Tile:
    """The Rotherham evaluation's measure: people whose Star rose in at least one domain."""
    return Tile(
        "Rose in any Star domain",
        figure_text(people["star_improved_pct"], "{:.0f}%") if people["star_people"] else "-",
        help="People whose Wellbeing Star score rose in at least one of its 8 domains at "
        "follow-up, of people with a baseline and a follow-up Star (the Rotherham evaluation's "
        f"measure); n = {count_text(people['star_people'])} people. "
        f"{people['star_improved_ci']} With 8 chances to rise, most people's scores rise "
        "somewhere by chance and regression to the mean alone: read it beside the share of "
        "domain scores that rose, and the chart by domain.",
    )


def completion_tiles(run: Runner, filters: Filters) -> list[Tile]:
    people = completion(run, filters)
    share = people["followup_pct"]
    return [
        rotherham_tile(people),
        Tile(
            "People with a baseline score",
            count_text(people["people_with_baseline"]),
            help="Referrals with a baseline score on any measure; rounded to the nearest 5.",
        ),
        Tile(
            "With a follow-up score too",
            count_text(people["n"]),
            help="People with a baseline and a follow-up score on at least one measure; "
            "rounded to the nearest 5.",
        ),
        Tile(
            "Follow-up completion",
            figure_text(share, "{:.0f}%") if people["people_with_baseline"] else "-",
            help="People with a follow-up score on at least one measure, as a share of people "
            "with a baseline score (worked from the rounded counts).",
        ),
    ]


def followup_warning(run: Runner, filters: Filters) -> str | None:
    share = completion(run, filters)["followup_pct"]
    if share is None or share >= LOW_FOLLOWUP_PCT:
        return None
    return (
        f"Only {formats.percent(share)} of people have a follow-up score. People who "
        "complete a follow-up may differ from those who do not (often they did better), so "
        "these results may overstate the benefit."
    )


# The Wellbeing Star -----------------------------------------------------------------------------


def _star(run: Runner, filters: Filters) -> pd.DataFrame:
    summary = _summary(run, filters)
    star = summary[summary["measure"] == "wellbeing_star"].reset_index(drop=True)
    return star.drop(columns=[c for c in star if "meaningful" in c])


def star_headline(shown: pd.DataFrame) -> str:
    """Where people improved most, from the shown shares."""
    ranked = shown.dropna(subset=["pct_improved"])
    if ranked.empty:
        return "Wellbeing Star: baseline and follow-up by domain"
    best = ranked.sort_values("pct_improved", ascending=False).iloc[0]
    return (
        f"Wellbeing Star: {formats.percent(best['pct_improved'])} improved in "
        f"{formats.in_sentence(best['domain'])}, the most of any domain"
    )


def _paired_people(star: pd.DataFrame) -> str:
    """People with paired Star scores (the most on any domain), through the gate."""
    most = star["n"].max() if len(star) else 0
    return f"{people_text(most)} people with paired Wellbeing Star scores"


def star_view(run: Runner, filters: Filters, key: str = "outcomes_star_domains") -> View:
    """Mean baseline and follow-up per Star domain."""
    star = _star(run, filters)
    people = _paired_people(star)
    return outcomes.view(
        key,
        star,
        lambda shown: charts.dumbbell(
            shown, "domain", "mean_baseline", "mean_followup", star_headline(shown),
            "Mean score (1-5)",
        ),
        title=star_headline,
        caption=f"n = {people} (the most on any domain; rounded to 5).",
        messages=lambda shown: star_messages(shown, people),
    )  # fmt: skip


def _pooled(shown: pd.DataFrame, improved: str, n: str) -> float | None:
    """The share of the shown domain scores that improved, pooled over domains."""
    rows = shown.dropna(subset=[improved, n])
    return ratio(rows[improved].sum(), rows[n].sum(), 100) if len(rows) else None


def star_messages(shown: pd.DataFrame, people: str) -> list[str]:
    """A slide's key messages, from the shown figures."""
    if shown.empty:
        return ["No paired Wellbeing Star scores for this selection"]
    messages = [people]
    ranked = shown.dropna(subset=["pct_improved"])
    if len(ranked):
        top = ranked.sort_values("pct_improved", ascending=False).iloc[0]
        messages.append(
            f"{formats.percent(top['pct_improved'])} improved in "
            f"{formats.in_sentence(top['domain'])} (95% interval "
            f"{formats.percent(top['improved_ci_low'])} to "
            f"{formats.percent(top['improved_ci_high'])})"
        )
    low = _pooled(shown, "low_baseline_improved", "low_baseline_n")
    everyone = _pooled(shown, "n_improved", "n")
    if low is not None and everyone is not None:
        messages.append(
            f"Scores that started low (2 or less) improved {formats.percent(low)} of the time, "
            f"against {formats.percent(everyone)} for all scores"
        )
    return messages


def improved_view(run: Runner, filters: Filters) -> View:
    """% improved per Star domain, for everyone and for people who started low."""
    star = _star(run, filters)[
        ["domain", "n", "n_improved", "pct_improved", "improved_ci_low", "improved_ci_high",
         "low_baseline_n", "low_baseline_improved", "low_baseline_pct_improved"]
    ]  # fmt: skip

    def draw(shown: pd.DataFrame):
        both = shown.dropna(subset=["pct_improved", "low_baseline_pct_improved"])
        gap = (both["low_baseline_pct_improved"] - both["pct_improved"]).mean()
        title = (
            "People who started low improved more often"
            if len(both) and gap > 0
            else "Share of people who improved, by domain"
        )
        return outcome_charts.improved_share(shown, title)

    return outcomes.view(
        "outcomes_star_improved",
        star,
        draw,
        caption="Improved: a higher score at follow-up; bars show 95% intervals (Wilson). "
        + LOW_BASELINE_NOTE,
    )


def change_view(run: Runner, filters: Filters) -> View:
    """Mean change per Star domain with its 95% confidence interval."""
    star = _star(run, filters)[["domain", "n", "mean_change", "change_ci_low", "change_ci_high"]]
    return outcomes.view(
        "outcomes_star_change",
        star,
        lambda shown: outcome_charts.mean_with_ci(
            shown, "domain", "mean_change", "change_ci_low", "change_ci_high",
            "Mean change per domain, with 95% confidence intervals",
            "Mean change in score (follow-up minus baseline)",
        ),
        caption="An interval that does not cross 0 means the change is unlikely to be chance "
        "alone; it does not mean social prescribing caused it.",
    )  # fmt: skip


# SWEMWBS, WEMWBS and ONS4 -----------------------------------------------------------------------


def _item(measure: str, domain: str) -> str:
    """`ONS4 anxiety (a fall is better)`, `SWEMWBS total score`."""
    lower = outcomes.better(measure, domain) == "lower"
    return f"{MEASURE_LABEL[measure]} {formats.in_sentence(domain)}" + (
        " (a fall is better)" if lower else ""
    )


def _scores(run: Runner, filters: Filters) -> pd.DataFrame:
    summary = _summary(run, filters)
    scores = summary[summary["measure"] != "wellbeing_star"].reset_index(drop=True)
    scores.insert(
        2, "item", [_item(m, d) for m, d in zip(scores["measure"], scores["domain"], strict=True)]
    )
    return scores.drop(columns=[c for c in scores if c.startswith("low_baseline_")])


def score_items(run: Runner, filters: Filters) -> dict[str, tuple[str, str]]:
    """The label of every SWEMWBS, WEMWBS and ONS4 item scored: (measure, domain)."""
    scores = _scores(run, filters)
    return {
        item: (m, d)
        for item, m, d in zip(scores["item"], scores["measure"], scores["domain"], strict=True)
    }


def scores_view(run: Runner, filters: Filters) -> View:
    """Mean improvement per measure with its 95% confidence interval (a fall, for anxiety)."""
    scores = _scores(run, filters)
    return outcomes.view(
        "outcomes_scores_change",
        scores,
        lambda shown: outcome_charts.mean_with_ci(
            shown, "item", "mean_improvement", "ci_low", "ci_high",
            "Mean improvement per measure, with 95% confidence intervals",
            "Mean improvement in points (for ONS4 anxiety, the fall)",
        ),
        caption=f"{outcomes.names_sentence(scores['measure'])} {SWEMWBS_CONVERSION} ONS4 "
        "questions are reported one by one, never added up; for anxiety a fall is an "
        "improvement and is shown as a positive improvement here.",
    )  # fmt: skip


SWEMWBS_CONVERSION = (
    "SWEMWBS totals (7 to 35) are converted with the scale's published table, so that a step "
    "means the same change anywhere on the scale, before any comparison (the Rasch "
    "conversion to metric scores)."
)


SCORE_TABLE = ["item", "n", "followup_pct", "mean_change", "pct_improved", "pct_meaningful"]


def scores_table(view: View) -> pd.DataFrame:
    """The scores view's table as shown (`*` where withheld)."""
    return view.shown.text()[SCORE_TABLE]


def meaningful_note(settings: Settings | None = None) -> str:
    settings = settings or load_settings()
    return (
        f"Meaningful change: SWEMWBS {settings.outcomes.swemwbs_meaningful_change:g} points or "
        f"more on the converted score, WEMWBS {settings.outcomes.wemwbs_meaningful_change:g} "
        f"points or more ({settings.outcomes.source}). Both are settings in settings.toml."
    )


def distribution_view(run: Runner, filters: Filters, item: str) -> View:
    """People by whole-point change for one scored item."""
    settings = load_settings()
    measure, domain = score_items(run, filters)[item]
    changes = run("outcome_change_distribution", outcomes.query_params(filters, settings))
    spread = outcomes.distribution(changes, measure, domain)
    scores = _scores(run, filters)
    picked = outcomes.shown(scores).frame
    picked = picked[(picked["measure"] == measure) & (picked["domain"] == domain)].iloc[0]
    threshold = {
        "swemwbs": settings.outcomes.swemwbs_meaningful_change,
        "wemwbs": settings.outcomes.wemwbs_meaningful_change,
    }.get(measure)
    title = (
        f"{item}: {formats.percent(picked['pct_improved'])} improved, "
        f"{formats.percent(picked['pct_worse'])} did worse"
        if pd.notna(picked["pct_improved"]) and pd.notna(picked["pct_worse"])
        else item
    )
    return outcomes.view(
        "outcomes_change_distribution",
        spread,
        lambda shown: outcome_charts.change_distribution(
            shown, title, threshold, "converted points" if measure == "swemwbs" else "points"
        ),
        caption=f"{outcomes.names_sentence([measure])} n = {people_text(picked['n'])} people "
        "with a baseline and a follow-up score."
        + (f" {SWEMWBS_CONVERSION}" if measure == "swemwbs" else ""),
    )


# Overview and summary ---------------------------------------------------------------------------


def overview_tiles(run: Runner, filters: Filters) -> list[Tile]:
    """The Overview's outcome tiles: people whose Star rose in any domain (Rotherham), and the
    share of paired Star domain scores that rose, pooled over domains from the shown counts."""
    star = _star(run, filters)
    shown = outcomes.shown(star).frame
    people = star["n"].max() if len(star) else 0
    share = _pooled(shown, "n_improved", "n") if count(people) else None
    return [
        rotherham_tile(completion(run, filters)),
        Tile(
            "Star scores that rose",
            figure_text(share, "{:.0f}%") if people else "No follow-ups",
            help="Share of Wellbeing Star domain scores that rose between baseline and "
            f"follow-up, over all domains; n = {count_text(people)} people.",
        ),
    ]


STAR_KEYS = ["domain", "n", "pct_improved", "low_baseline_n", "low_baseline_pct_improved",
             "mean_change"]  # fmt: skip
SCORE_KEYS = ["measure", "domain", "better", "n", "followup_pct", "mean_change", "change_ci_low",
              "change_ci_high", "pct_improved", "pct_meaningful"]  # fmt: skip


def summary_section(run: Runner, filters: Filters) -> dict[str, Any]:
    """`outcomes` for `summary --json`: the Star by domain, and the other measures' scores,
    as the pages show them (`*` where withheld)."""
    summary = _summary(run, filters)
    shown = outcomes.shown(summary)
    measure = list(summary["measure"])
    star, scores = records(shown, STAR_KEYS), records(shown, SCORE_KEYS)

    def rows(chosen: list[dict[str, Any]], *measures: str) -> list[dict[str, Any]]:
        return [row for row, m in zip(chosen, measure, strict=True) if m in measures]

    return {
        "wellbeing_star": rows(star, "wellbeing_star"),
        "totals": rows(scores, "swemwbs", "wemwbs"),
        "ons4": rows(scores, "ons4"),
    }
