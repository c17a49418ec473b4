"""The disclosure gate: small counts withheld, others rounded to 5, figures from rounded counts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.measures.disclosure import (
    MARK,
    OFF,
    Built,
    Ratio,
    Rules,
    applying,
    count,
    count_text,
    disclose,
    exported,
    people_text,
    ratio,
    records,
)
from dashboard.measures.statistics import byars_interval, wilson_interval


def test_counts_of_1_to_7_are_withheld_zero_stays_and_the_rest_round_to_5():
    assert [count(n) for n in (0, 1, 7, 8, 12, 13, 431)] == [0, None, None, 10, 10, 15, 430]
    assert [count_text(n) for n in (0, 3, 1234)] == ["0", MARK, "1,235"]
    assert people_text(3) == "fewer than 8"


def test_a_ratio_is_worked_from_the_rounded_counts():
    # 83 of a public list of 9,000: the exact 9.22 per 1,000 x 9,000 / 1,000 gives 83 back.
    assert ratio(83, 9_000, 1000, public=True) == pytest.approx(85 / 9)
    assert ratio(9, 86, 100) == pytest.approx(10 / 85 * 100)


def test_a_percentage_with_a_numerator_of_1_to_7_is_withheld():
    # 3 declined of 400: the percentage would give the 3 away.
    assert ratio(3, 400, 100) is None
    assert ratio(0, 400, 100) == 0


def test_disclose_rounds_counts_and_recomputes_ratios_and_their_intervals():
    frame = pd.DataFrame(
        {
            "declined": [3, 43, 0],
            "referred": [400, 143, 5],
            "pct": [0.75, 30.07, 0.0],
            "low": [math.nan] * 3,
            "high": [math.nan] * 3,
        }
    )
    rules = Rules(
        counts=("declined", "referred"),
        ratios={
            "pct": Ratio("declined", "referred", 100, interval=("low", "high"), method="wilson")
        },
    )
    shown = disclose(frame, rules)
    assert shown.frame["referred"].tolist()[:2] == [400, 145]
    assert math.isnan(shown.frame["pct"][0]) and shown.withheld["pct"][0]
    assert shown.frame["pct"][1] == pytest.approx(round(45 / 145 * 100, 1))
    low, high = wilson_interval(45, 145)
    assert (shown.frame["low"][1], shown.frame["high"][1]) == (
        pytest.approx(round(low * 100, 1)),
        pytest.approx(round(high * 100, 1)),
    )
    # Referred 5 is withheld, so is its percentage, even with a numerator of 0.
    assert shown.withheld["pct"][2]
    assert shown.display()["declined"].tolist() == [MARK, 45, 0]


def test_a_rate_interval_is_byars_from_the_rounded_count():
    frame = pd.DataFrame(
        {"n": [101], "years": [10_000.0], "rate": [10.1], "lo": [0.0], "hi": [0.0]}
    )
    rules = Rules(
        counts=("n",),
        ratios={"rate": Ratio("n", "years", 1000, True, ("lo", "hi"), "byars")},
    )
    shown = disclose(frame, rules).frame.iloc[0]
    low, high = byars_interval(100)
    assert shown["rate"] == 10.0
    assert (shown["lo"], shown["hi"]) == (
        pytest.approx(round(low / 10, 1)),
        pytest.approx(round(high / 10, 1)),
    )


def test_a_shifted_interval_moves_with_the_rounding():
    frame = pd.DataFrame({"events": [36], "people": [12], "mean": [3.0], "lo": [2.5], "hi": [3.5]})
    rules = Rules(
        counts=("events", "people"),
        ratios={"mean": Ratio("events", "people", interval=("lo", "hi"), method="shift", digits=2)},
    )
    shown = disclose(frame, rules).frame.iloc[0]
    assert shown["mean"] == pytest.approx(3.5)  # 35 / 10
    assert (shown["lo"], shown["hi"]) == (pytest.approx(3.0), pytest.approx(4.0))


def test_a_figure_built_on_1_to_7_people_is_withheld():
    frame = pd.DataFrame({"n": [5, 50], "median": [12.34, 8.0]})
    shown = disclose(frame, Rules(counts=("n",), built={"median": Built("n", 1)}))
    assert shown.withheld["median"].tolist() == [True, False]
    assert shown.frame["median"][1] == 8.0


def test_rules_naming_a_missing_column_fail_loudly():
    with pytest.raises(KeyError, match="lacks"):
        disclose(pd.DataFrame({"n": [1]}), Rules(counts=("people",)))


def test_a_count_built_on_other_people_is_rounded_and_withheld_with_them():
    # A shortfall of places counts referrals, and is on the demand: 3 short of 23 demand is a
    # count of 1 to 7 (withheld); 12 short of 5 demand is withheld with the demand.
    frame = pd.DataFrame({"demand": [23, 5, 40], "shortfall": [3, 12, 12]})
    rules = Rules(counts=("demand", "shortfall"), built={"shortfall": Built("demand", 0)})
    shown = disclose(frame, rules).display()
    assert shown["shortfall"].tolist() == [MARK, MARK, 10]


def test_rules_within_keep_only_the_columns_a_table_shows_and_refuse_orphan_figures():
    rules = Rules(
        counts=("n", "improved"),
        ratios={"pct": Ratio("improved", "n", 100, interval=("low", "high"), method="wilson")},
        built={"mean": Built("n")},
    )
    assert rules.within(["n", "mean"]) == Rules(counts=("n",), built={"mean": Built("n")})
    with pytest.raises(KeyError, match="built on"):
        rules.within(["pct", "n"])  # a share shown without its numerator cannot be recomputed
    with pytest.raises(KeyError, match="interval"):
        rules.within(["pct", "n", "improved", "low"])  # half an interval would pass exact


def test_the_analysts_flag_turns_the_gate_off_only_inside_its_block():
    frame = pd.DataFrame({"n": [3, 431]})
    with applying(OFF):
        assert disclose(frame, Rules(counts=("n",))).frame["n"].tolist() == [3, 431]
        assert exported(3) == 3
    assert exported(3) == MARK
    assert records(disclose(frame, Rules(counts=("n",)))) == [{"n": MARK}, {"n": 430}]
