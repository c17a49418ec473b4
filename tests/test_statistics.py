import itertools
import math

import pytest

from dashboard.measures.statistics import (
    SWEMWBS_METRIC,
    difference_ci,
    mean_ci,
    mean_ci_of,
    mean_sd_from_sums,
    pct_change,
    swemwbs_metric,
    swemwbs_metric_list,
    t_quantile,
)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (5, 2.571), (7, 2.365), (10, 2.228), (30, 2.042), (120, 1.980)],
)
def test_t_quantile_matches_printed_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=0.0005)


def test_t_quantile_is_symmetric_and_tends_to_normal():
    assert t_quantile(0.025, 9) == pytest.approx(-t_quantile(0.975, 9))
    assert t_quantile(0.95, 10) == pytest.approx(1.812, abs=0.0005)
    assert t_quantile(0.975, 1e7) == pytest.approx(1.95996, abs=1e-4)


def test_mean_ci_of_small_sample_matches_hand_calculation():
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sd sqrt(32/7) = 2.138; t(0.975, 7) = 2.3646;
    # half-width = 2.3646 x 2.138 / sqrt(8) = 1.7875.
    ci = mean_ci_of([2, 4, 4, 4, 5, 5, 7, 9])
    assert ci.mean == 5
    assert ci.sd == pytest.approx(math.sqrt(32 / 7))
    assert (ci.low, ci.high) == pytest.approx((3.2125, 6.7875), abs=1e-4)


def test_mean_ci_of_textbook_example():
    # Sleep data (Student 1908, drug 1 vs 2 differences): mean 1.58, 95% CI 0.700 to 2.460.
    diffs = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    ci = mean_ci_of(diffs)
    assert ci.mean == pytest.approx(1.58)
    assert (ci.low, ci.high) == pytest.approx((0.700, 2.460), abs=0.001)


def test_mean_ci_of_one_person_has_no_interval():
    ci = mean_ci(1, 3.0, math.nan)
    assert ci.mean == 3.0 and math.isnan(ci.low) and math.isnan(ci.high)


def test_mean_sd_from_sums_equals_direct_calculation():
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    mean, sd = mean_sd_from_sums(len(values), sum(values), sum(v * v for v in values))
    assert mean == 5 and sd == pytest.approx(math.sqrt(32 / 7))


def test_difference_ci_uses_welch_degrees_of_freedom():
    # Two groups n=10, sd 1 and 2: se = sqrt(0.1 + 0.4); df = 0.25 / (0.01/9 + 0.16/9) = 13.24.
    first, second = mean_ci(10, 1.0, 1.0), mean_ci(10, 0.0, 2.0)
    difference, low, high = difference_ci(first, second)
    half = t_quantile(0.975, 0.25 / (0.01 / 9 + 0.16 / 9)) * math.sqrt(0.5)
    assert difference == 1.0
    assert (low, high) == pytest.approx((1 - half, 1 + half))
    assert 2.1448 < half / math.sqrt(0.5) < 2.1604  # t(0.975) for 14 and 13 df


def test_swemwbs_conversion_uses_the_published_table():
    assert swemwbs_metric(7) == 7.00
    assert swemwbs_metric(8) == 9.51
    assert swemwbs_metric(21) == 19.25
    assert swemwbs_metric(34) == 32.55
    assert swemwbs_metric(35) == 35.00
    assert len(SWEMWBS_METRIC) == 29
    assert swemwbs_metric_list()[0] == 7.00 and swemwbs_metric_list()[-1] == 35.00
    metric = swemwbs_metric_list()
    assert all(a < b for a, b in itertools.pairwise(metric))


def test_swemwbs_conversion_rejects_scores_outside_the_range():
    with pytest.raises(ValueError):
        swemwbs_metric(6)


def test_pct_change_is_nan_when_nothing_before():
    assert pct_change(4, 3) == -25
    assert math.isnan(pct_change(0, 3))
