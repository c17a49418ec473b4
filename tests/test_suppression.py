import pandas as pd

from dashboard.measures.disclosure import (
    EXPORT,
    MARK,
    OFF,
    export_count,
    export_figure,
    protect,
    protect_total,
    suppress_value,
)


def test_counts_from_one_to_seven_are_withheld_and_zero_is_kept():
    frame = pd.DataFrame({"pcn": ["a", "b", "c", "d"], "people": [0, 1, 7, 8]})
    shown = protect(frame, counts=("people",)).display()
    assert list(shown["people"]) == [0, MARK, MARK, 8]


def test_a_percentage_built_on_a_small_count_is_withheld():
    frame = pd.DataFrame({"n": [5, 40], "pct_improved": [60.0, 55.0]})
    shown = protect(frame, counts=("n",), based_on={"pct_improved": "n"})
    assert shown.frame["pct_improved"].isna().tolist() == [True, False]
    assert shown.any_withheld


def test_exports_round_other_counts_to_the_nearest_five():
    frame = pd.DataFrame({"people": [3, 12, 13, 1002]})
    shown = protect(frame, counts=("people",), policy=EXPORT).display()
    assert list(shown["people"]) == [MARK, 10, 15, 1000]


def test_no_suppression_leaves_every_figure_as_it_is():
    frame = pd.DataFrame({"people": [3, 12]})
    assert list(protect(frame, counts=("people",), policy=OFF).display()["people"]) == [3, 12]


def test_single_figures_follow_the_same_rule():
    assert suppress_value(42.5, 5) == MARK
    assert suppress_value(42.5, 50) == 42.5
    assert export_count(6) == MARK
    assert export_count(0) == 0
    assert export_count(23) == 25
    assert export_count(23, OFF) == 23
    assert export_figure(12.345, 100, 2) == 12.35
    assert export_figure(12.345, 3, 2) == MARK


def test_a_total_beside_a_withheld_part_is_rounded_so_the_part_stays_hidden():
    assert protect_total(1234, [3, 1231]) == 1235
    assert protect_total(1234, [30, 1204]) == 1234
    assert protect_total(1234, [30, 1204], EXPORT) == 1235
    assert protect_total(5, [5]) == MARK


def test_a_percentage_with_a_small_numerator_is_withheld_too():
    frame = pd.DataFrame({"referred": [400, 400], "declined": [3, 40], "decline_pct": [0.75, 10.0]})
    shown = protect(
        frame, counts=("referred", "declined"), based_on={"decline_pct": ("referred", "declined")}
    ).display()
    assert list(shown["decline_pct"]) == [MARK, 10.0]
    assert list(shown["declined"]) == [MARK, 40]


def test_capacity_tile_total_is_rounded_when_a_pair_beside_it_is_withheld():
    from dashboard.measures.capacity import count_text

    assert count_text(1234, pd.Series([3, 1231])) == "1,235"
    assert count_text(1234, pd.Series([30, 1204])) == "1,234"
    assert count_text(5) == MARK
