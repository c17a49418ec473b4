"""The Outcomes views by PCN: follow-up completion and % improved, against the ICB.

No Streamlit here; built through the disclosure gate (`outcomes.RULES`) like every view.
"""

from __future__ import annotations

import pandas as pd

from dashboard.charts import outcomes as outcome_charts
from dashboard.measures import outcomes
from dashboard.measures.disclosure import ratio
from dashboard.measures.filters import Filters
from dashboard.measures.outcomes import LOW_FOLLOWUP_PCT, MEASURE_LABEL
from dashboard.measures.view import Runner, View


def _names(run: Runner) -> dict[str, str]:
    return dict(run("pcn_options", {})[["pcn_code", "pcn_name"]].itertuples(index=False))


def _sums(run: Runner, filters: Filters) -> pd.DataFrame:
    return run("outcome_change", outcomes.sums_params(filters))


def pcn_measures(run: Runner, filters: Filters) -> list[str]:
    scored = set(_sums(run, filters)["measure"])
    return [m for m in MEASURE_LABEL if m in scored]


def pcn_domains(run: Runner, filters: Filters, measure: str) -> list[str]:
    sums = _sums(run, filters)
    return list(dict.fromkeys(sums.loc[sums["measure"] == measure, "domain"]))


def _with_names(run: Runner, frame: pd.DataFrame) -> pd.DataFrame:
    names = _names(run)
    frame = frame.copy()
    frame.insert(1, "pcn_name", [names.get(code, code) for code in frame["pcn_code"]])
    return frame


def followup_pcn_view(run: Runner, filters: Filters, measure: str) -> View:
    """Follow-up completion per PCN for one measure, against the ICB and the 60% line."""
    followup = _with_names(run, outcomes.followup_by_pcn(_sums(run, filters), measure))
    icb = ratio(followup["n"].sum(), followup["people_with_baseline"].sum(), 100)

    def draw(shown: pd.DataFrame):
        low = shown[shown["followup_pct"] < LOW_FOLLOWUP_PCT]
        return outcome_charts.pcn_comparison(
            shown,
            "followup_pct",
            f"{len(low)} of {len(shown)} PCNs have a follow-up for fewer than "
            f"{LOW_FOLLOWUP_PCT:.0f}% of people",
            "% of people with a baseline who have a follow-up",
            filters.pcns,
            icb,
            (LOW_FOLLOWUP_PCT, f"{LOW_FOLLOWUP_PCT:.0f}%"),
        )

    return outcomes.view(
        "outcomes_followup_by_pcn",
        followup,
        draw,
        caption="Where few people have a follow-up, that PCN's results say little: those "
        "followed up may be those who did well. PCNs with 1 to 7 people are withheld.",
    )


def improved_pcn_view(run: Runner, filters: Filters, measure: str, domain: str) -> View:
    """% improved per PCN for one measure and domain, against the ICB."""
    sums = _sums(run, filters)
    per_pcn = _with_names(run, outcomes.by_pcn(sums, measure, domain))[
        ["pcn_code", "pcn_name", "n", "n_improved", "pct_improved", "improved_ci_low",
         "improved_ci_high", "mean_improvement", "ci_low", "ci_high"]
    ]  # fmt: skip
    icb = outcomes.summarise(sums)
    icb = icb[(icb["measure"] == measure) & (icb["domain"] == domain)]
    icb_pct = ratio(icb["n_improved"].sum(), icb["n"].sum(), 100) if len(icb) else None
    label = f"{MEASURE_LABEL[measure]}, {domain.replace('_', ' ')}"

    def draw(shown: pd.DataFrame):
        title = f"{label}: % improved by PCN"
        chosen = shown[shown["pcn_code"].isin(filters.pcns)]
        selection = ratio(chosen["n_improved"].sum(), chosen["n"].sum(), 100)
        if filters.pcns and chosen["n"].notna().all() and selection is not None and icb_pct:
            title = (
                f"{label}: {selection:.0f}% improved in the selection, {icb_pct:.0f}% in the ICB"
            )
        elif icb_pct is not None:
            title += f" (ICB {icb_pct:.0f}%)"
        return outcome_charts.pcn_comparison(
            shown, "pct_improved", title, "% of people who improved", filters.pcns, icb_pct
        )

    return outcomes.view(
        "outcomes_improved_by_pcn",
        per_pcn,
        draw,
        caption="Selected PCNs are outlined and in bold; the dashed line is the ICB. PCNs with "
        "1 to 7 people are withheld; the CSV holds each PCN's 95% Wilson interval.",
    )
