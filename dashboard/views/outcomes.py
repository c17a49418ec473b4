"""Outcomes: paired wellbeing change by measure and domain, follow-up completion, by PCN."""

import streamlit as st

from dashboard.charts import outcomes as outcomes_charts
from dashboard.charts import theme as charts
from dashboard.measures import outcomes
from dashboard.measures.disclosure import count_text, figure_text, protect, ratio
from dashboard.measures.statistics import swemwbs_metric_list
from dashboard.settings import load_settings
from dashboard.ui.data import query
from dashboard.ui.filters import current_filters, pcn_names, scope_label
from dashboard.ui.frame import chart, no_data_message, suppression_note

filters = current_filters()
settings = load_settings()
scope = scope_label(filters)
st.title("Outcomes")
st.caption(
    f"{scope}, referrals from {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y}. "
    "Paired baseline and follow-up scores only; every figure shows its n."
)

# The sums are per PCN, so the selection and the ICB come from one cached result.
sums = query("outcome_change", outcomes.sums_params(filters, settings))
summary = outcomes.summarise(sums, filters.pcns)
if summary.empty:
    no_data_message()
    st.stop()
icb = outcomes.summarise(sums) if filters.pcns else summary
names = pcn_names()
withheld_anywhere = False

# Follow-up completion first: missing follow-ups bias everything below.
people = summary.groupby("measure")[["people_with_baseline", "n"]].max().sum()
with_baseline, paired = int(people["people_with_baseline"]), int(people["n"])
completion = paired * 100.0 / with_baseline if with_baseline else float("nan")
cols = st.columns(3)
cols[0].metric(
    "People with a baseline score",
    count_text(with_baseline),
    help="Counted per measure: someone scored on two measures counts twice.",
)
cols[1].metric("... and a follow-up score", count_text(paired))
cols[2].metric(
    "Follow-up completion",
    figure_text(ratio(paired, with_baseline, 100), "{:.0f}%") if with_baseline else "-",
    help="People with a follow-up score as a share of people with a baseline score.",
)
if with_baseline > 7 and completion < outcomes.LOW_FOLLOWUP_PCT:
    st.warning(
        f"Only {completion:.0f}% of people have a follow-up score. People who complete a "
        "follow-up may differ from those who do not (often they did better), so these results "
        "may overstate the benefit.",
        icon=":material/warning:",
    )

tab_star, tab_scores, tab_pcn = st.tabs(
    ["Wellbeing Star", "SWEMWBS, WEMWBS and ONS4", "By PCN and follow-up completion"]
)

star_counts = ("people_with_baseline", "n", "low_baseline_n")
star_based_on = {
    "mean_baseline": "n",
    "mean_followup": "n",
    "mean_change": "n",
    "mean_improvement": "n",
    "ci_low": "n",
    "ci_high": "n",
    "change_ci_low": "n",
    "change_ci_high": "n",
    "pct_improved": "n",
    "pct_worse": "n",
    "followup_pct": "people_with_baseline",
    "low_baseline_pct_improved": "low_baseline_n",
    "low_baseline_mean_improvement": "low_baseline_n",
    "low_baseline_ci_low": "low_baseline_n",
    "low_baseline_ci_high": "low_baseline_n",
}

with tab_star:
    star = summary[summary["measure"] == "wellbeing_star"].reset_index(drop=True)
    star_data = star.drop(columns=["n_meaningful", "pct_meaningful"])
    shown = protect(star_data, counts=star_counts, based_on=star_based_on)
    withheld_anywhere |= shown.any_withheld
    n_star = int(star["n"].max()) if len(star) else 0
    chart(
        charts.dumbbell(
            shown.frame,
            "domain",
            "mean_baseline",
            "mean_followup",
            outcomes.headline(star),
            "Mean score (1-5)",
        ),
        star_data,
        "outcomes_star_domains",
        counts=star_counts,
        based_on=star_based_on,
        caption=f"n = {count_text(n_star)} people with paired Wellbeing Star scores.",
    )
    low = star[star["low_baseline_n"].fillna(0) > 7]
    gap = (low["low_baseline_pct_improved"] - low["pct_improved"]).mean() if len(low) else None
    chart(
        outcomes_charts.improved_share(
            shown.frame,
            "People who started low improved more often"
            if gap is not None and gap > 0
            else "Share of people who improved, by domain",
        ),
        star_data[["domain", "n", "pct_improved", "low_baseline_n", "low_baseline_pct_improved"]],
        "outcomes_star_improved",
        counts=("n", "low_baseline_n"),
        based_on={"pct_improved": "n", "low_baseline_pct_improved": "low_baseline_n"},
        caption="Improved: a higher score at follow-up. Low baseline: 2 or less, as in the "
        "Rotherham evaluation.",
    )
    chart(
        outcomes_charts.mean_with_ci(
            shown.frame,
            "domain",
            "mean_change",
            "change_ci_low",
            "change_ci_high",
            "Mean change per domain, with 95% confidence intervals",
            "Mean change in score (follow-up minus baseline)",
        ),
        star_data[["domain", "n", "mean_change", "change_ci_low", "change_ci_high"]],
        "outcomes_star_change",
        counts=("n",),
        based_on={"mean_change": "n", "change_ci_low": "n", "change_ci_high": "n"},
        caption="An interval that does not cross 0 means the change is unlikely to be chance "
        "alone; it does not mean social prescribing caused it.",
    )

with tab_scores:
    scores = summary[summary["measure"] != "wellbeing_star"].reset_index(drop=True)
    if scores.empty:
        st.info("No SWEMWBS, WEMWBS or ONS4 scores for this selection.")
    else:
        scores = scores.assign(
            item=[
                f"{outcomes.MEASURE_LABEL[m]}: {d.replace('_', ' ')}"
                + (" (a fall is better)" if b == "lower" else "")
                for m, d, b in zip(
                    scores["measure"], scores["domain"], scores["better"], strict=True
                )
            ]
        )
        score_based_on = {**star_based_on, "pct_meaningful": ("n", "n_meaningful")}
        score_data = scores.drop(columns=[c for c in scores if c.startswith("low_baseline_")])
        shown_scores = protect(
            score_data,
            counts=("people_with_baseline", "n", "n_meaningful"),
            based_on={k: v for k, v in score_based_on.items() if k in score_data},
        )
        withheld_anywhere |= shown_scores.any_withheld
        chart(
            outcomes_charts.mean_with_ci(
                shown_scores.frame,
                "item",
                "mean_improvement",
                "ci_low",
                "ci_high",
                "Mean improvement per measure, with 95% confidence intervals",
                "Mean improvement in points (for ONS4 anxiety, the fall)",
            ),
            score_data,
            "outcomes_scores_change",
            counts=("people_with_baseline", "n", "n_meaningful"),
            based_on={k: v for k, v in score_based_on.items() if k in score_data},
            caption="SWEMWBS totals are converted to metric scores with the published Rasch "
            "table before any comparison. ONS4 items are reported one by one, never summed; "
            "for anxiety a fall is an improvement and is shown as a positive improvement here.",
        )
        table = shown_scores.display()[
            ["item", "n", "followup_pct", "mean_change", "pct_improved", "pct_meaningful"]
        ]
        st.dataframe(
            table,
            hide_index=True,
            key="outcomes_scores_table",
            column_config={
                "item": "Measure",
                "followup_pct": st.column_config.NumberColumn("% with follow-up", format="%.0f"),
                "mean_change": st.column_config.NumberColumn(
                    "Mean change (follow-up minus baseline)", format="%.2f"
                ),
                "pct_improved": st.column_config.NumberColumn("% improved", format="%.1f"),
                "pct_meaningful": st.column_config.NumberColumn(
                    "% meaningful change", format="%.1f"
                ),
            },
        )
        st.caption(
            f"Meaningful change: SWEMWBS {settings.outcomes.swemwbs_meaningful_change:g} metric "
            f"points or more, WEMWBS {settings.outcomes.wemwbs_meaningful_change:g} points or "
            f"more ({settings.outcomes.source}). Both are settings in settings.toml."
        )
        item = st.selectbox(
            "Distribution of change for",
            options=list(scores["item"]),
            key="outcomes_distribution_item",
        )
        picked = scores[scores["item"] == item].iloc[0]
        changes = query(
            "outcome_change_distribution",
            {**filters.params(), "swemwbs_metric": swemwbs_metric_list()},
        )
        spread = outcomes.distribution(changes, picked["measure"], picked["domain"])
        threshold = {
            "swemwbs": settings.outcomes.swemwbs_meaningful_change,
            "wemwbs": settings.outcomes.wemwbs_meaningful_change,
        }.get(picked["measure"])
        shown_spread = protect(spread, counts=("people",))
        withheld_anywhere |= shown_spread.any_withheld
        chart(
            outcomes_charts.change_distribution(
                shown_spread.frame,
                f"{item}: {picked['pct_improved']:.0f}% improved, {picked['pct_worse']:.0f}% "
                "did worse"
                if picked["n"] > 7
                else item,
                threshold,
                "metric points" if picked["measure"] == "swemwbs" else "points",
            ),
            spread,
            "outcomes_change_distribution",
            counts=("people",),
            caption=f"n = {count_text(picked['n'])} people with paired scores.",
        )

with tab_pcn:
    measures = [m for m in outcomes.MEASURE_LABEL if m in set(sums["measure"])]
    measure = st.selectbox(
        "Measure",
        options=measures,
        format_func=outcomes.MEASURE_LABEL.get,
        key="outcomes_pcn_measure",
    )
    followup = outcomes.followup_by_pcn(sums, measure)
    followup["pcn_name"] = followup["pcn_code"].map(names).fillna(followup["pcn_code"])
    icb_followup = followup["n"].sum() * 100.0 / max(followup["people_with_baseline"].sum(), 1)
    low_pcns = followup[
        (followup["people_with_baseline"] > 7)
        & (followup["followup_pct"] < outcomes.LOW_FOLLOWUP_PCT)
    ]
    shown_followup = protect(
        followup,
        counts=("people_with_baseline", "n"),
        based_on={"followup_pct": "people_with_baseline"},
    )
    withheld_anywhere |= shown_followup.any_withheld
    chart(
        outcomes_charts.pcn_comparison(
            shown_followup.frame,
            "followup_pct",
            f"{len(low_pcns)} of {len(followup)} PCNs have a follow-up for fewer than "
            f"{outcomes.LOW_FOLLOWUP_PCT:.0f}% of people",
            "% of people with a baseline who have a follow-up",
            filters.pcns,
            icb_followup,
            (outcomes.LOW_FOLLOWUP_PCT, f"{outcomes.LOW_FOLLOWUP_PCT:.0f}%"),
        ),
        followup,
        "outcomes_followup_by_pcn",
        counts=("people_with_baseline", "n"),
        based_on={"followup_pct": "people_with_baseline"},
        caption="Where few people have a follow-up, that PCN's results say little: those "
        "followed up may be those who did well.",
    )

    domains = list(dict.fromkeys(sums.loc[sums["measure"] == measure, "domain"]))
    domain = st.selectbox(
        "Domain or item",
        options=domains,
        format_func=lambda d: d.replace("_", " ").capitalize(),
        key="outcomes_pcn_domain",
    )
    per_pcn = outcomes.by_pcn(sums, measure, domain)
    per_pcn["pcn_name"] = per_pcn["pcn_code"].map(names).fillna(per_pcn["pcn_code"])
    per_pcn = per_pcn[
        ["pcn_code", "pcn_name", "n", "pct_improved", "mean_improvement", "ci_low", "ci_high"]
    ]
    icb_row = icb[(icb["measure"] == measure) & (icb["domain"] == domain)]
    icb_pct = float(icb_row["pct_improved"].iloc[0]) if len(icb_row) else None
    pcn_based_on = {"pct_improved": "n", "mean_improvement": "n", "ci_low": "n", "ci_high": "n"}
    shown_pcn = protect(per_pcn, counts=("n",), based_on=pcn_based_on)
    withheld_anywhere |= shown_pcn.any_withheld
    label = f"{outcomes.MEASURE_LABEL[measure]}, {domain.replace('_', ' ')}"
    if filters.pcns:
        selected = summary[(summary["measure"] == measure) & (summary["domain"] == domain)]
        sel_pct = selected["pct_improved"].iloc[0] if len(selected) else None
        sel_n = int(selected["n"].iloc[0]) if len(selected) else 0
        title = (
            f"{label}: {sel_pct:.0f}% improved in {scope} against {icb_pct:.0f}% in the ICB"
            if sel_pct is not None and sel_n > 7 and icb_pct is not None
            else f"{label}: % improved by PCN"
        )
    else:
        title = f"{label}: % improved by PCN" + (
            f" (ICB {icb_pct:.0f}%)" if icb_pct is not None else ""
        )
    chart(
        outcomes_charts.pcn_comparison(
            shown_pcn.frame,
            "pct_improved",
            title,
            "% of people who improved",
            filters.pcns,
            icb_pct,
        ),
        per_pcn,
        "outcomes_improved_by_pcn",
        counts=("n",),
        based_on=pcn_based_on,
        caption="Selected PCNs are outlined and in bold; the dashed line is the ICB. PCNs with "
        "1 to 7 people are withheld.",
    )

suppression_note(withheld_anywhere)
