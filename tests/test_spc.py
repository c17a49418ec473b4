"""XmR charts and the special-cause rules, on series worked by hand."""

from __future__ import annotations

import pytest

from dashboard.measures.spc import assurance, variation, xmr


def test_limits_are_the_mean_plus_or_minus_266_mean_moving_ranges():
    chart = xmr([10, 12, 11, 13, 12])
    # Mean 11.6; moving ranges 2, 1, 2, 1 -> mean 1.5; 2.66 x 1.5 = 3.99.
    assert chart["mean"][0] == pytest.approx(11.6)
    assert chart["upper"][0] == pytest.approx(15.59)
    assert chart["lower"][0] == pytest.approx(7.61)
    assert chart["special_cause"].isna().all()


def test_a_point_beyond_a_limit_is_special_cause():
    values = [10, 11, 10, 11, 10, 11, 10, 30]
    # Mean 12.875; moving ranges 1 x 6 and 20 -> 26 / 7; upper 12.875 + 9.88 = 22.76.
    assert xmr(values)["special_cause"].tolist()[-1] == "high"


def test_a_run_of_seven_on_one_side_of_the_mean_is_a_shift():
    values = [5, 6, 5, 6, 5, 6, 9, 10, 9, 10, 9, 10, 9]
    # Mean 7.62: the last seven points all lie above it.
    assert xmr(values)["special_cause"].tolist()[-7:] == ["high"] * 7


def test_six_on_one_side_is_not_a_shift():
    values = [10, 11, 10, 11, 10, 11, 12, 12.5, 12, 12.5, 12, 12.5, 10, 11]
    # Mean 11.29; the six points from 12 are above it, one short of a shift, and within two
    # sigma (11.29 + 2/3 x 2.66 x 0.77 = 12.65).
    assert xmr(values)["special_cause"].isna().all()


def test_seven_points_each_rising_are_a_trend():
    values = [10, 10, 11, 12, 13, 14, 15, 16, 12, 11, 12, 11]
    causes = xmr(values)["special_cause"].tolist()
    # Points 2 to 8 (10, 11, ..., 16) rise six times in a row: a trend of seven points.
    assert causes[1:8] == ["high"] * 7


def test_two_of_three_beyond_two_sigma_on_one_side():
    low = [10, 11, 10, 11, 10, 11, 10, 11, 12.6, 12.6, 11, 10, 11, 10]
    # Mean 10.8, mean moving range 1.015: two sigma at 10.8 + 1.80 = 12.60; 12.6 is not beyond.
    assert xmr(low)["special_cause"].isna().all()
    high = [10, 11, 10, 11, 10, 11, 10, 11, 13, 13, 11, 10, 11, 10]
    # Mean 10.86, two sigma at 12.77, limit at 13.72: the two 13s are two of three beyond.
    causes = xmr(high)["special_cause"].tolist()
    assert causes[8:10] == ["high", "high"]
    assert [c for i, c in enumerate(causes) if i not in (8, 9)] == [None] * 12


def test_icons_say_the_variation_and_the_assurance_against_a_band():
    assert (
        variation([None, "high"]) == "Special cause variation in the latest month: unusually high"
    )
    assert variation(["low", None]) == "Common cause variation in the latest month"
    assert assurance(8.5, 11.5, 8, 12) == "Consistently within the band"
    assert assurance(12.5, 14, 8, 12) == "Consistently outside the band"
    assert assurance(7, 13, 8, 12).startswith("Hit and miss")
