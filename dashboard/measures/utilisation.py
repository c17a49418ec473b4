"""The Utilisation views: events per person before and after referral, the comparison
cohort and PCNs (costs: utilisation_costs), each on one window length, through the gate.

No Streamlit here. Events per person are ratios of counts (events / people), both rounded by
the gate, so a small number of events cannot be recovered by multiplying back; every change,
% change, cost and difference in differences is worked from those shown figures, and its
interval (t, or Welch for the difference) is moved by the difference the rounding made.
"""

from __future__ import annotations

import pandas as pd

from dashboard.charts import outcomes as outcome_charts
from dashboard.charts import utilisation as charts
from dashboard.measures import formats
from dashboard.measures import utilisation_figures as figures
from dashboard.measures.disclosure import (
    Built,
    Disclosed,
    Ratio,
    Rules,
    count_text,
    disclose,
    figure_text,
    people_text,
)
from dashboard.measures.filters import Filters
from dashboard.measures.utilisation_figures import (
    COLUMNS,
    SETTING_LABEL,
    shown_pct,
    sums_params,
    window_phrase,
)
from dashboard.measures.view import Runner, Tile, View, build, once

DIGITS = 3  # events per person and their changes
COUNTS = ("n_people", "sum_before", "sum_after")
SLIDE_NOTES = (
    "Mean events per person (GP appointments, A&E attendances, emergency admissions) in the "
    "window before and the window after referral, for people with both windows of the same "
    "length; figures are per window length and never pooled across lengths. People whose "
    "after-window had not ended by the date the counts were extracted (else the date of the "
    "load) are left out. People are often referred at a crisis, so some of any fall is "
    "regression to the mean; where a matched comparison group of people not referred is "
    "loaded, the change compared with that group allows for it (the referred group's change "
    "minus the comparison group's, with a 95% interval: a difference in differences, Welch)."
)
COMPARISON_NOTE = (
    "Change compared with the comparison group: the referred group's change minus the change "
    "of a matched group of people not referred, with a 95% interval (a difference in "
    "differences, Welch interval)."
)


def _sums(run: Runner, filters: Filters) -> pd.DataFrame:
    return run("utilisation_change", sums_params(filters))


def window_options(run: Runner, filters: Filters) -> list[int]:
    """The window lengths loaded for the period, the most common (the default) first."""
    return figures.window_lengths(_sums(run, filters))


def chosen_window(run: Runner, filters: Filters, window: int | None) -> int | None:
    return window if window is not None else next(iter(window_options(run, filters)), None)


def has_data(run: Runner, filters: Filters) -> bool:
    return not exact_summary(run, filters, None).empty


# Before and after -----------------------------------------------------------------------------

CHANGE_COLUMNS = ("change_per_person", "change_low", "change_high")
SUMMARY_RULES = Rules(
    counts=(*COUNTS, "n_not_elapsed"),
    ratios={
        f"{p}_per_person": Ratio(
            f"sum_{p}", "n_people", interval=(f"{p}_low", f"{p}_high"), method="shift", digits=3
        )
        for p in ("before", "after")
    },
    built={
        **{c: Built(COUNTS, DIGITS) for c in CHANGE_COLUMNS},
        "pct_change": Built(COUNTS, 1),
    },
)
# What the gate shows: every exact column but the spread, which only feeds the intervals.
SHOWN_COLUMNS = [column for column in COLUMNS if column != "change_sd"]


def _changes(exact: pd.DataFrame):
    """The change and % change from the shown before and after figures; the change's t
    interval moved by what the rounding moved the change."""

    def derive(shown: pd.DataFrame) -> pd.DataFrame:
        change = (shown["after_per_person"] - shown["before_per_person"]).round(DIGITS)
        moved = change - exact["change_per_person"]
        shown["change_per_person"] = change
        shown["change_low"] = (exact["change_low"] + moved).round(DIGITS)
        shown["change_high"] = (exact["change_high"] + moved).round(DIGITS)
        shown["pct_change"] = shown_pct(shown["after_per_person"], shown["before_per_person"])
        return shown

    return derive


def exact_summary(run, filters, window, cohort="referred") -> pd.DataFrame:
    # Worked out once: a page or the board pack asks for it many times (a copy each, as the
    # callers make frames from it).
    return once(
        run,
        ("utilisation summary", filters, window, cohort),
        lambda: figures.summarise(_sums(run, filters), cohort, filters.pcns, window),
    ).copy()


def _summary_view(key: str, exact: pd.DataFrame, draw, keep=(), **extra) -> View:
    data = exact[[*keep, *SHOWN_COLUMNS]]
    return build(key, data, SUMMARY_RULES, draw, derive=_changes(exact), **extra)


def shown_summary(
    run: Runner, filters: Filters, window: int | None = None, cohort: str = "referred"
) -> Disclosed:
    """The before/after figures as every view shows them, without a chart (tiles, JSON)."""
    exact = exact_summary(run, filters, chosen_window(run, filters, window), cohort)
    shown = disclose(exact[SHOWN_COLUMNS], SUMMARY_RULES)
    return Disclosed(_changes(exact)(shown.frame.copy()), shown.withheld)


def headline(shown: pd.DataFrame, window: int | None, setting: str = "gp_appointment") -> str:
    row = shown[shown["setting"] == setting]
    if row.empty or pd.isna(row.iloc[0]["pct_change"]):
        return "Events per person, before and after referral"
    change = row.iloc[0]["pct_change"]
    direction = "fell" if change < 0 else "rose"
    months = f"the {window} months" if window else "the window"
    label = SETTING_LABEL[setting]
    return (
        f"{label} per person {direction} {formats.percent(abs(change))} in {months} after referral"
    )


def window_sentence(window: int | None) -> str:
    return f"{window_phrase(window).capitalize()}."


def people_subtitle(exact: pd.DataFrame, window: int | None) -> str:
    people = exact["n_people"].max() if len(exact) else 0
    return f"n = {count_text(people)} people; {window_phrase(window)}"


def not_elapsed_caveat(run: Runner, filters: Filters, window: int | None = None) -> str | None:
    """The caveat for people left out because their after-window had not ended."""
    window = chosen_window(run, filters, window)
    left_out = figures.not_elapsed(exact_summary(run, filters, window))
    if not left_out:
        return None
    return (
        f"{people_text(left_out).capitalize()} people whose after-window had not ended when the "
        f"counts were extracted are left out ({window_phrase(window)})."
    )


def before_after_view(run: Runner, filters: Filters, window: int | None = None) -> View:
    """Mean events per person before and after referral per setting, with 95% CIs."""
    window = chosen_window(run, filters, window)
    exact = exact_summary(run, filters, window)
    return _summary_view(
        "utilisation_before_after",
        exact,
        lambda shown: charts.before_after(
            shown, headline(shown, window), people_subtitle(exact, window)
        ),
        title=lambda shown: headline(shown, window),
        caption="Mean events per person in each window, for people with both windows; bars "
        f"show 95% confidence intervals. {window_sentence(window)}",
        messages=lambda shown: _messages(run, filters, window, shown),
    )


def table(view: View) -> pd.DataFrame:
    """The before/after view's shown figures as a table of text, `*` where withheld."""
    return view.shown.text(
        [
            "setting",
            "n_people",
            "before_per_person",
            "after_per_person",
            "change_per_person",
            "change_low",
            "change_high",
            "pct_change",
        ]
    )


def _messages(run, filters, window, shown: pd.DataFrame) -> tuple[str, ...]:
    """What a board slide or presentation says, from shown figures only."""
    people = shown["n_people"].max() if len(shown) else 0
    first = f"{people_text(people)} people with {window_phrase(window)}"
    left_out = figures.not_elapsed(exact_summary(run, filters, window))
    if left_out:
        first += f" ({people_text(left_out)} more, whose after-window had not ended, left out)"
    messages = [first]
    changes = [
        f"{SETTING_LABEL[row.setting]} {formats.signed_percent(row.pct_change)}"
        for row in shown.itertuples()
        if pd.notna(row.pct_change)
    ]
    if changes:
        messages.append("Per person after referral: " + ", ".join(changes))
    did = did_view(run, filters, window).shown.frame
    gp = did[did["setting"] == "gp_appointment"]
    if len(gp) and pd.notna(gp.iloc[0]["did"]):
        row = gp.iloc[0]
        messages.append(
            "Compared with people not referred, GP appointments changed by "
            f"{formats.signed(row['did'], 2)} per person (95% interval "
            f"{figure_text(row['did_low'], '{:+.2f}')} to "
            f"{figure_text(row['did_high'], '{:+.2f}')}), not "
            f"{formats.signed(row['naive_change'], 2)} as before and after alone suggest"
        )
    else:
        messages.append("Part of any fall would have happened anyway (regression to the mean)")
    return tuple(messages)


def board_view(run: Runner, filters: Filters) -> View:
    """The view the board pack and presentation mode show, on the most common window."""
    return before_after_view(run, filters)


def overview_tiles(run: Runner, filters: Filters) -> list[Tile]:
    """The Overview's utilisation headline: GP appointments per person, before to after."""
    window = chosen_window(run, filters, None)
    shown = shown_summary(run, filters, window).frame
    gp = shown[shown["setting"] == "gp_appointment"]
    value = figure_text(gp.iloc[0]["pct_change"], formats.signed_percent) if len(gp) else "-"
    exact = exact_summary(run, filters, window)
    people = exact.loc[exact["setting"] == "gp_appointment", "n_people"].sum()
    return [
        Tile(
            "GP appointments per person",
            value,
            help=f"Change from the window before referral to the window after, for people "
            f"referred ({window_phrase(window)}; {people_text(people)} people). People whose "
            "after-window had not ended when the counts were extracted are left out.",
        )
    ]


# Against the comparison cohort ----------------------------------------------------------------

DID_COUNTS = (*COUNTS, "comparison_n_people", "comparison_sum_before", "comparison_sum_after")
DID_RULES = Rules(
    counts=DID_COUNTS,
    ratios={
        f"{cohort}{p}_per_person": Ratio(f"{cohort}sum_{p}", f"{cohort}n_people", digits=DIGITS)
        for cohort in ("", "comparison_")
        for p in ("before", "after")
    },
    built={
        "naive_change": Built(COUNTS, DIGITS),
        "comparison_change": Built(DID_COUNTS[3:], DIGITS),
        # withheld when any count either cohort's figure uses is 1 to 7
        **{c: Built(DID_COUNTS, DIGITS) for c in ("did", "did_low", "did_high")},
    },
)


def has_comparison(run: Runner, filters: Filters, window: int | None = None) -> bool:
    return figures.has_comparison(_sums(run, filters), chosen_window(run, filters, window))


def _differences(exact: pd.DataFrame):
    """Both changes and their difference from the shown per-person figures; the Welch
    interval moved by what the rounding moved the difference."""

    def derive(shown: pd.DataFrame) -> pd.DataFrame:
        shown["naive_change"] = (shown["after_per_person"] - shown["before_per_person"]).round(
            DIGITS
        )
        shown["comparison_change"] = (
            shown["comparison_after_per_person"] - shown["comparison_before_per_person"]
        ).round(DIGITS)
        did = (shown["naive_change"] - shown["comparison_change"]).round(DIGITS)
        moved = did - exact["did"]
        shown["did"] = did
        shown["did_low"] = (exact["did_low"] + moved).round(DIGITS)
        shown["did_high"] = (exact["did_high"] + moved).round(DIGITS)
        return shown

    return derive


def did_view(run: Runner, filters: Filters, window: int | None = None) -> View:
    """The naive change beside the difference in differences, per setting, both cohorts on
    the same window length. Made once per runner: the before/after slide's messages and the
    finance slide's caveat both read it."""
    window = chosen_window(run, filters, window)
    return once(run, ("difference in differences", filters, window),
                lambda: _did_view(run, filters, window))  # fmt: skip


def _did_view(run: Runner, filters: Filters, window: int | None) -> View:
    referred = exact_summary(run, filters, window)
    comparison = exact_summary(run, filters, window, "comparison")
    exact = figures.difference_in_differences(referred, comparison)
    subtitle = (
        f"n = {count_text(referred['n_people'].max() if len(referred) else 0)} people referred "
        f"and {count_text(comparison['n_people'].max() if len(comparison) else 0)} in the "
        f"comparison group; {window_phrase(window)}"
    )

    def title(shown: pd.DataFrame) -> str:
        gp = shown[shown["setting"] == "gp_appointment"]
        if gp.empty or pd.isna(gp.iloc[0]["did"]):
            return "Change per person, before and after and compared with people not referred"
        return (
            f"Compared with people not referred, GP appointments changed by "
            f"{formats.signed(gp.iloc[0]['did'], 2)} per person, not "
            f"{formats.signed(gp.iloc[0]['naive_change'], 2)}"
        )

    return build(
        "utilisation_difference_in_differences",
        exact,
        DID_RULES,
        lambda shown: charts.naive_and_did(shown, title(shown), subtitle),
        derive=_differences(exact),
        caption=f"{COMPARISON_NOTE} The comparison group is filtered by its own PCN and start "
        "date; a figure is withheld where either group has 1 to 7 people or events. "
        + window_sentence(window),
    )


def comparison_caveat(run: Runner, filters: Filters, window: int | None = None) -> str | None:
    window = chosen_window(run, filters, window)
    left_out = figures.not_elapsed(exact_summary(run, filters, window, "comparison"))
    if not left_out:
        return None
    return (
        f"{people_text(left_out).capitalize()} people in the comparison group whose "
        "after-window had not ended when the counts were extracted are left out."
    )


# By PCN ---------------------------------------------------------------------------------------


def pcn_view(run: Runner, filters: Filters, setting: str, window: int | None = None) -> View:
    """One setting's % change per PCN for the referred cohort, against the ICB."""
    window = chosen_window(run, filters, window)
    exact = figures.by_pcn(_sums(run, filters), setting, window)
    names = dict(run("pcn_options", {})[["pcn_code", "pcn_name"]].itertuples(index=False))
    exact.insert(1, "pcn_name", [names.get(code, code) for code in exact["pcn_code"]])
    icb = shown_summary(run, filters.model_copy(update={"pcns": ()}), window).frame
    icb_pct = icb.loc[icb["setting"] == setting, "pct_change"]
    label = SETTING_LABEL[setting]

    def draw(shown: pd.DataFrame):
        figure = outcome_charts.pcn_comparison(
            shown,
            "pct_change",
            f"{label}: % change after referral by PCN",
            "% change in events per person",
            filters.pcns,
            float(icb_pct.iloc[0]) if len(icb_pct) and pd.notna(icb_pct.iloc[0]) else None,
        )
        return charts.with_subtitle(figure, people_subtitle(exact, window))

    return _summary_view(
        "utilisation_by_pcn",
        exact,
        draw,
        keep=("pcn_code", "pcn_name"),
        caption="Selected PCNs are outlined and in bold; the dashed line is the ICB. "
        + window_sentence(window),
    )
