"""The Outcomes views by PCN: follow-up completion and % improved, against the ICB.

No Streamlit here; built through the disclosure gate (`outcomes.RULES`) like every view.
"""

from __future__ import annotations

import pandas as pd

from dashboard.measures import formats, outcomes
from dashboard.measures.control_limits import funnel_plot_view
from dashboard.measures.disclosure import Ratio, Rules, ratio
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
    """Follow-up completion per PCN for one measure: a funnel plot around the ICB."""
    followup = _with_names(run, outcomes.followup_by_pcn(_sums(run, filters), measure))
    followup = followup.assign(followup_low=float("nan"), followup_high=float("nan"))
    icb = ratio(followup["n"].sum(), followup["people_with_baseline"].sum(), 100)

    def title(shown: pd.DataFrame) -> str:
        measured = shown.dropna(subset=["followup_pct"])
        low = measured[measured["followup_pct"] < LOW_FOLLOWUP_PCT]
        return (
            f"{MEASURE_LABEL[measure]}: {len(low)} of {len(measured)} PCNs shown have a "
            f"follow-up for fewer than {LOW_FOLLOWUP_PCT:.0f}% of people"
        )

    return funnel_plot_view(
        "outcomes_followup_by_pcn",
        followup,
        FOLLOWUP_RULES,
        value="followup_pct",
        size="people_with_baseline",
        target=icb,
        kind="proportion",
        per=100,
        title=title,
        size_title="People with a baseline score",
        value_title="% with a follow-up",
        selected=filters.pcns,
        caption=f"{outcomes.names_sentence([measure])} Where few people have a follow-up, that "
        "PCN's results say little: those followed up may be those who did well.".lstrip(),
    )


FOLLOWUP_RULES = Rules(
    counts=("people_with_baseline", "n"),
    ratios={
        "followup_pct": Ratio(
            "n", "people_with_baseline", 100, interval=("followup_low", "followup_high"),
            method="wilson",
        )
    },
)  # fmt: skip


def improved_pcn_view(run: Runner, filters: Filters, measure: str, domain: str) -> View:
    """% improved per PCN for one measure and domain: a funnel plot around the ICB."""
    sums = _sums(run, filters)
    per_pcn = _with_names(run, outcomes.by_pcn(sums, measure, domain))[
        ["pcn_code", "pcn_name", "n", "n_improved", "pct_improved", "improved_ci_low",
         "improved_ci_high", "mean_improvement", "ci_low", "ci_high"]
    ]  # fmt: skip
    icb = outcomes.summarise(sums)
    icb = icb[(icb["measure"] == measure) & (icb["domain"] == domain)]
    icb_pct = ratio(icb["n_improved"].sum(), icb["n"].sum(), 100) if len(icb) else None
    label = f"{MEASURE_LABEL[measure]}, {formats.in_sentence(domain)}"

    def title(shown: pd.DataFrame) -> str:
        chosen = shown[shown["pcn_code"].isin(filters.pcns)]
        selection = ratio(chosen["n_improved"].sum(), chosen["n"].sum(), 100)
        if filters.pcns and chosen["n"].notna().all() and selection is not None and icb_pct:
            return (
                f"{label}: {formats.percent(selection)} improved in the selection, "
                f"{formats.percent(icb_pct)} in the ICB"
            )
        return f"{label}: % improved by PCN" + (
            f" (ICB {formats.percent(icb_pct)})" if icb_pct else ""
        )

    return funnel_plot_view(
        "outcomes_improved_by_pcn",
        per_pcn,
        outcomes.RULES.within(per_pcn.columns),
        value="pct_improved",
        size="n",
        target=icb_pct,
        kind="proportion",
        per=100,
        title=title,
        size_title="People with paired scores",
        value_title="% of people who improved",
        selected=filters.pcns,
        caption=f"{outcomes.names_sentence([measure])} Selected PCNs are outlined. The CSV "
        "holds each PCN's 95% interval (Wilson).".lstrip(),
    )
