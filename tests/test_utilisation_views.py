"""Utilisation views through the disclosure gate: events per person as ratios of rounded
counts, changes and costs from shown figures, the difference in differences withheld on any
small n, windows said on every figure, and an attack on a tiny ICB."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from dashboard.charts.theme import plain
from dashboard.measures import queries, utilisation, utilisation_costs, utilisation_summary
from dashboard.measures.disclosure import MARK, OFF, applying
from dashboard.measures.filters import Filters
from tests.factories import add_rows, set_extract_dates

PERIOD = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
COMPARISON = {"cohort": "comparison", "pcn_code": "U00001", "index_date": date(2025, 7, 1)}


def runner(con):
    return lambda name, params: queries.run(con, name, params)


def people(con, prefix, n, before, after, pcn="U00001", setting="gp_appointment", **extra):
    """n people with the same counts; referred people get a referral in `pcn`."""
    ids = [f"{prefix}{i:02d}" for i in range(n)]
    if extra.get("cohort") != "comparison":
        add_rows(
            con,
            "referrals",
            *({"referral_id": f"R{p}", "person_id": p, "pcn_code": pcn} for p in ids),
        )
    add_rows(
        con,
        "utilisation",
        *(
            {"person_id": p, "setting": setting, "period": period, "count": count} | extra
            for p in ids
            for period, count in (("before", before), ("after", after))
        ),
    )


def gp(frame):
    return frame[frame["setting"] == "gp_appointment"].iloc[0]


def test_events_per_person_are_worked_from_rounded_events_and_people(con):
    # 12 people, 36 events before and 24 after: shown as 35 / 10 and 25 / 10, so the shown
    # means times the shown people give back only rounded counts (old code: 3.0 and 2.0).
    people(con, "P", 12, 3, 2)
    view = utilisation.before_after_view(runner(con), PERIOD)
    row = gp(view.shown.frame)
    assert (row["n_people"], row["sum_before"], row["sum_after"]) == (10, 35, 25)
    assert (row["before_per_person"], row["after_per_person"]) == (3.5, 2.5)
    assert row["change_per_person"] == -1.0
    assert row["pct_change"] == pytest.approx(-28.6)


def test_a_mean_of_few_events_is_withheld_though_many_people_have_it(con):
    # 20 people, 5 A&E attendances before: 0.25 x 20 would give back the 5.
    people(con, "P", 5, 1, 0, setting="ae_attendance")
    people(con, "Q", 15, 0, 0, setting="ae_attendance")
    shown = utilisation.before_after_view(runner(con), PERIOD).shown.display()
    row = shown[shown["setting"] == "ae_attendance"].iloc[0]
    assert row["n_people"] == 20
    assert row["sum_before"] == MARK
    assert row["before_per_person"] == MARK
    assert row["change_per_person"] == MARK


def test_difference_in_differences_is_withheld_when_the_referred_cohort_is_small(con):
    # Old code gated the difference on the comparison cohort's n only: 3 referred people
    # beside 20 comparison people gave the referred change back (did + comparison change).
    people(con, "P", 3, 4, 2)
    people(con, "C", 20, 3, 3, **COMPARISON)
    shown = utilisation.did_view(runner(con), PERIOD).shown.display()
    row = gp(shown)
    assert row["n_people"] == MARK
    assert row["did"] == MARK and row["did_low"] == MARK and row["did_high"] == MARK
    assert row["naive_change"] == MARK
    assert row["comparison_change"] == 0.0


def test_difference_in_differences_is_withheld_when_comparison_events_are_few(con):
    people(con, "P", 20, 4, 2)
    people(con, "C", 3, 1, 0, **COMPARISON)
    people(con, "D", 17, 0, 0, **COMPARISON)
    row = gp(utilisation.did_view(runner(con), PERIOD).shown.display())
    assert row["comparison_n_people"] == 20
    assert row["comparison_sum_before"] == MARK
    assert row["did"] == MARK


def test_difference_in_differences_comes_from_shown_changes_with_a_shifted_welch_interval(con):
    people(con, "P", 10, 4, 2)
    people(con, "Q", 10, 2, 2)
    people(con, "C", 10, 3, 3, **COMPARISON)
    people(con, "D", 10, 1, 2, **COMPARISON)
    run = runner(con)
    row = gp(utilisation.did_view(run, PERIOD).shown.frame)
    assert row["did"] == pytest.approx(row["naive_change"] - row["comparison_change"])
    assert row["did"] == -1.5  # counts here are multiples of 5, so nothing moved
    with applying(OFF):
        exact = gp(utilisation.did_view(run, PERIOD).shown.frame)
    assert (row["did_low"], row["did_high"]) == pytest.approx(
        (exact["did_low"], exact["did_high"]), abs=1e-3
    )


def test_costs_are_shown_figures_times_unit_costs_and_the_total_times_shown_people(con):
    people(con, "P", 12, 3, 2)  # shown: 10 people, 3.5 before, 2.5 after per person
    prices = pd.DataFrame({"setting": ["gp_appointment"], "value": [42.0]})
    view = utilisation_costs.cost_view(runner(con), PERIOD, prices)
    row = gp(view.shown.frame)
    assert (row["before_cost"], row["after_cost"], row["change_cost"]) == (147.0, 105.0, -42.0)
    assert row["change_cost_total"] == -420.0  # -42 x the 10 people shown, not x 12
    tiles = {tile.label: tile.value for tile in utilisation_costs.cost_tiles(view)}
    assert tiles["Cost per person before"] == "£147"
    assert tiles["Change per person"] == "\u2212£42"
    assert tiles["Change across everyone"] == "\u2212£420"


def test_two_window_lengths_are_shown_one_at_a_time_and_each_figure_says_its_window(con):
    people(con, "P", 10, 3, 2, window_months=6)
    people(con, "Q", 20, 8, 4, window_months=12)
    run = runner(con)
    assert utilisation.window_options(run, PERIOD) == [12, 6]
    twelve = utilisation.before_after_view(run, PERIOD)
    six = utilisation.before_after_view(run, PERIOD, 6)
    assert gp(twelve.shown.frame)["before_per_person"] == 8.0  # not pooled with the 6-month
    assert gp(six.shown.frame)["before_per_person"] == 3.0
    for view in (
        twelve,
        utilisation_costs.cost_view(run, PERIOD, utilisation_costs.unit_cost_table()),
        utilisation.did_view(run, PERIOD),
        utilisation.pcn_view(run, PERIOD, "gp_appointment"),
    ):
        assert "12-month windows before and after" in plain(view.figure.layout.title.subtitle.text)
        assert "12-month windows before and after" in view.caption
    assert "12-month windows" in twelve.messages[0]
    assert "12-month windows" in utilisation.overview_tiles(run, PERIOD)[0].help


def test_people_whose_after_window_had_not_ended_are_counted_in_a_caveat(con):
    people(con, "P", 10, 3, 2)
    people(con, "L", 12, 9, 0)
    set_extract_dates(con, lambda person: date(2025, 11, 1) if person.startswith("L") else None)
    run = runner(con)
    caveat = utilisation.not_elapsed_caveat(run, PERIOD)
    assert caveat == (
        "10 people whose after-window had not ended when the counts were extracted are left out "
        "(6-month windows before and after referral)."
    )
    assert gp(utilisation.before_after_view(run, PERIOD).shown.frame)["before_per_person"] == 3.0


def test_a_small_number_left_out_is_said_as_fewer_than_8(con):
    people(con, "P", 10, 3, 2)
    people(con, "L", 3, 9, 0)
    set_extract_dates(con, lambda person: date(2025, 11, 1) if person.startswith("L") else None)
    caveat = utilisation.not_elapsed_caveat(runner(con), PERIOD)
    assert caveat.startswith("Fewer than 8 people whose after-window had not ended")


def test_the_board_view_states_its_key_messages_from_shown_figures(con):
    people(con, "P", 12, 3, 2)
    view = utilisation.board_view(runner(con), PERIOD)
    assert view.title == "GP appointments per person fell 29% in the 6 months after referral"
    assert view.messages[0] == "10 people with 6-month windows before and after referral"
    assert view.messages[1] == "Per person after referral: GP appointments \u221229%"
    assert "regression to the mean" in view.messages[2]
    assert utilisation.SLIDE_NOTES and "*" not in utilisation.SLIDE_NOTES


# Attack: a tiny ICB ---------------------------------------------------------------------------

SMALL = set(range(1, 8))


def tiny_icb(con):
    """U00001 with 23 referred and 11 comparison people; U00002 with 3 referred people, and
    A&E attendances so rare (5 among 23) that the mean would give them back."""
    add_rows(con, "pcns", {"pcn_code": "U00001"}, {"pcn_code": "U00002", "pcn_name": "Small"})
    people(con, "P", 23, 4, 3)
    people(con, "S", 3, 6, 1, pcn="U00002")
    people(con, "P", 5, 1, 0, setting="ae_attendance")
    people(con, "Q", 18, 0, 0, setting="ae_attendance")
    people(con, "C", 11, 4, 4, **COMPARISON)


def shown_counts(view) -> list[float]:
    counts = [c for c in view.shown.frame if c.startswith(("n_", "sum_", "comparison_n"))]
    counts += [c for c in view.shown.frame if c.startswith("comparison_sum")]
    return [v for c in counts for v in view.shown.frame[c].dropna()]


@pytest.mark.parametrize("pcns", [(), ("U00002",)], ids=["icb", "small_pcn"])
def test_no_small_count_can_be_read_or_derived_from_any_utilisation_view(con, pcns):
    tiny_icb(con)
    run = runner(con)
    filters = PERIOD.model_copy(update={"pcns": pcns})
    views = [
        utilisation.before_after_view(run, filters),
        utilisation_costs.cost_view(run, filters, utilisation_costs.unit_cost_table()),
        utilisation.did_view(run, filters),
        utilisation.pcn_view(run, filters, "gp_appointment"),
        utilisation.pcn_view(run, filters, "ae_attendance"),
    ]
    for view in views:
        # counts: rounded to 5 (never 1-7) in the data, the CSV and the figure's text
        assert not SMALL & {abs(v) for v in shown_counts(view)}, view.key
        assert all(v % 5 == 0 for v in shown_counts(view)), view.key
        layout = view.figure.to_plotly_json()["layout"]
        texts = [layout["title"]["text"], layout["title"].get("subtitle", {}).get("text", "")]
        texts += [a.get("text", "") for a in layout.get("annotations", [])]
        texts += [view.caption or "", *view.messages]
        for text in (t.replace("1 to 7", "the rule's") for t in texts):
            for stated in re.findall(r"n = ([\d,]+)|([\d,]+) (?:people|referred|comparison)", text):
                number = int((stated[0] or stated[1]).replace(",", ""))
                assert number % 5 == 0 and number not in SMALL, (view.key, text)
        # per-person figures x the shown people give back only rounded counts
        frame = view.shown.frame
        for period in ("before", "after"):
            if f"{period}_per_person" in frame:
                events = (frame[f"{period}_per_person"] * frame["n_people"]).dropna()
                tolerance = frame["n_people"].max() * 0.0005  # 3 decimals of a mean
                assert ((events - (events / 5).round() * 5).abs() <= tolerance).all(), view.key
    tiles = utilisation.overview_tiles(run, filters) + utilisation_costs.cost_tiles(views[1])
    for tile in tiles:
        assert "3 people" not in (tile.help or "") and tile.value not in {str(n) for n in SMALL}
    section = json.dumps(utilisation_summary.summary_section(run, filters))
    assert not re.search(r'"(n_people|people_not_elapsed)": [1-7][,}]', section)


def test_subtracting_the_other_pcns_from_the_icb_does_not_give_the_small_pcn(con):
    tiny_icb(con)
    run = runner(con)
    icb = gp(utilisation.before_after_view(run, PERIOD).shown.frame)
    big = PERIOD.model_copy(update={"pcns": ("U00001",)})
    other = gp(utilisation.before_after_view(run, big).shown.frame)
    for column in ("n_people", "sum_before", "sum_after"):
        assert icb[column] - other[column] not in SMALL  # exact: 3 people, 18 and 3 events


def test_the_small_pcn_figures_are_withheld_not_shown(con):
    tiny_icb(con)
    small = PERIOD.model_copy(update={"pcns": ("U00002",)})
    row = gp(utilisation.before_after_view(runner(con), small).shown.display())
    assert row["n_people"] == MARK and row["before_per_person"] == MARK
    [tile] = utilisation.overview_tiles(runner(con), small)
    assert tile.value == MARK
    assert "fewer than 8 people" in tile.help
    [gp_row, *_] = utilisation_summary.summary_section(runner(con), small)
    assert gp_row["n_people"] == MARK and gp_row["pct_change"] == MARK


def test_a_runner_works_the_summary_out_once_and_each_caller_gets_its_own_copy(con):
    # The board pack asks for the same before/after summary from several slides: worked out
    # once per runner, and never changed by what one of them does to its copy.
    people(con, "P", 20, before=4, after=2)
    run = runner(con)
    window = utilisation.chosen_window(run, PERIOD, None)
    first = utilisation.exact_summary(run, PERIOD, window)
    first["n_people"] = -1
    again = utilisation.exact_summary(run, PERIOD, window)
    assert gp(again)["n_people"] == 20
    assert again is not first

    people(con, "Q", 20, before=4, after=2)  # more people loaded
    assert gp(utilisation.exact_summary(run, PERIOD, window))["n_people"] == 20, "worked out once"
    assert gp(utilisation.exact_summary(runner(con), PERIOD, window))["n_people"] == 40
