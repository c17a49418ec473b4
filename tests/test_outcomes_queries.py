from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.measures import outcomes, queries
from dashboard.measures.disclosure import OFF, applying
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import mean_ci_of, swemwbs_metric_list
from tests.factories import add_rows

PERIOD = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))


def sums(con, filters=PERIOD):
    return queries.run(con, "outcome_change", outcomes.sums_params(filters))


def row(summary, measure, domain):
    return summary[(summary["measure"] == measure) & (summary["domain"] == domain)].iloc[0]


@pytest.fixture(autouse=True)
def exact():
    """These tests check the arithmetic on a handful of people, before disclosure control
    (which would withhold every one of these small figures; see test_disclosure_attack)."""
    with applying(OFF):
        yield


def test_star_improved_share_counts_only_rises_and_pairs_only(con):
    add_rows(con, "referrals", *({"referral_id": f"R{i}"} for i in range(1, 6)))
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "baseline_score": 2, "followup_score": 4},
        {"referral_id": "R2", "baseline_score": 3, "followup_score": 3},
        {"referral_id": "R3", "baseline_score": 4, "followup_score": 3},
        {"referral_id": "R4", "baseline_score": 5, "followup_score": None},
    )
    star = row(outcomes.summarise(sums(con)), "wellbeing_star", "feeling_positive")
    assert star["people_with_baseline"] == 4
    assert star["n"] == 3
    assert star["followup_pct"] == pytest.approx(75.0)
    assert star["pct_improved"] == pytest.approx(100 / 3)
    assert star["pct_worse"] == pytest.approx(100 / 3)
    # the unpaired baseline of 5 is left out of the means
    assert star["mean_baseline"] == pytest.approx(3.0)
    assert star["mean_followup"] == pytest.approx(10 / 3)
    expected = mean_ci_of([2, 0, -1])
    assert star["mean_change"] == pytest.approx(expected.mean)
    assert (star["change_ci_low"], star["change_ci_high"]) == pytest.approx(
        (expected.low, expected.high)
    )


def test_star_low_baseline_is_two_or_less(con):
    add_rows(con, "referrals", *({"referral_id": f"R{i}"} for i in range(1, 5)))
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "baseline_score": 1, "followup_score": 3},
        {"referral_id": "R2", "baseline_score": 2, "followup_score": 2},
        {"referral_id": "R3", "baseline_score": 3, "followup_score": 4},
        {"referral_id": "R4", "baseline_score": 2, "followup_score": None},
    )
    star = row(outcomes.summarise(sums(con)), "wellbeing_star", "feeling_positive")
    assert star["low_baseline_n"] == 2
    assert star["low_baseline_pct_improved"] == pytest.approx(50.0)
    assert star["low_baseline_mean_improvement"] == pytest.approx(1.0)


def test_ons4_anxiety_fall_counts_as_improvement(con):
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(
        con,
        "outcomes",
        *(
            {
                "referral_id": r,
                "measure": "ons4",
                "domain": d,
                "baseline_score": b,
                "followup_score": f,
            }
            for r, d, b, f in (
                ("R1", "anxiety", 8, 5),
                ("R2", "anxiety", 6, 4),
                ("R1", "life_satisfaction", 5, 3),
                ("R2", "life_satisfaction", 5, 4),
            )
        ),
    )
    summary = outcomes.summarise(sums(con))
    anxiety = row(summary, "ons4", "anxiety")
    assert anxiety["better"] == "lower"
    assert anxiety["pct_improved"] == 100.0
    assert anxiety["mean_change"] == pytest.approx(-2.5)
    assert anxiety["mean_improvement"] == pytest.approx(2.5)
    assert anxiety["change_ci_low"] == pytest.approx(-anxiety["ci_high"])
    assert anxiety["change_ci_high"] == pytest.approx(-anxiety["ci_low"])
    satisfaction = row(summary, "ons4", "life_satisfaction")
    assert satisfaction["pct_improved"] == 0.0
    assert satisfaction["pct_worse"] == 100.0
    assert satisfaction["mean_change"] == pytest.approx(-1.5)


def test_swemwbs_is_compared_in_metric_scores(con):
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(
        con,
        "outcomes",
        # raw 14 -> 15.32 and 20 -> 18.59: +3.27 metric points, a meaningful change
        {
            "referral_id": "R1",
            "measure": "swemwbs",
            "domain": "total",
            "baseline_score": 14,
            "followup_score": 20,
        },
        # raw 20 -> 18.59 and 22 -> 19.98: +1.39, not meaningful
        {
            "referral_id": "R2",
            "measure": "swemwbs",
            "domain": "total",
            "baseline_score": 20,
            "followup_score": 22,
        },
    )
    total = row(outcomes.summarise(sums(con)), "swemwbs", "total")
    assert total["mean_baseline"] == pytest.approx((15.32 + 18.59) / 2)
    assert total["mean_change"] == pytest.approx((3.27 + 1.39) / 2)
    assert total["n_meaningful"] == 1
    assert total["pct_meaningful"] == pytest.approx(50.0)


def test_wemwbs_meaningful_change_threshold_is_a_setting(con):
    add_rows(con, "referrals", {"referral_id": "R1"})
    add_rows(
        con,
        "outcomes",
        {
            "referral_id": "R1",
            "measure": "wemwbs",
            "domain": "total",
            "baseline_score": 40,
            "followup_score": 43,
        },
    )
    params = {**outcomes.sums_params(PERIOD), "wemwbs_threshold": 4.0}
    strict = outcomes.summarise(queries.run(con, "outcome_change", params))
    assert row(strict, "wemwbs", "total")["n_meaningful"] == 0
    assert row(outcomes.summarise(sums(con)), "wemwbs", "total")["n_meaningful"] == 1


def test_outcomes_follow_referral_pcn_and_date(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "pcn_code": "U00001"},
        {"referral_id": "R2", "pcn_code": "U00002"},
        {"referral_id": "R3", "pcn_code": "U00002", "referral_date": date(2025, 3, 31)},
    )
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "baseline_score": 2, "followup_score": 5},
        {"referral_id": "R2", "baseline_score": 2, "followup_score": 3},
        {"referral_id": "R3", "baseline_score": 1, "followup_score": 5},
    )
    data = sums(con)
    icb = row(outcomes.summarise(data), "wellbeing_star", "feeling_positive")
    assert icb["n"] == 2  # R3 was referred before the period
    selected = row(outcomes.summarise(data, ("U00002",)), "wellbeing_star", "feeling_positive")
    assert selected["n"] == 1
    assert selected["mean_change"] == pytest.approx(1.0)
    per_pcn = outcomes.by_pcn(data, "wellbeing_star", "feeling_positive")
    assert dict(zip(per_pcn["pcn_code"], per_pcn["mean_improvement"], strict=True)) == {
        "U00001": 3.0,
        "U00002": 1.0,
    }


def test_followup_by_pcn_counts_people_once_per_measure(con):
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "domain": "money", "followup_score": 4},
        {"referral_id": "R1", "domain": "lifestyle", "followup_score": 4},
        {"referral_id": "R2", "domain": "money", "followup_score": None},
        {"referral_id": "R2", "domain": "lifestyle", "followup_score": None},
    )
    followup = outcomes.followup_by_pcn(sums(con), "wellbeing_star").iloc[0]
    assert (followup["people_with_baseline"], followup["n"]) == (2, 1)
    assert followup["followup_pct"] == 50.0


def test_change_distribution_counts_people_by_whole_point_in_better_direction(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1"},
        {"referral_id": "R2"},
        {"referral_id": "R3", "pcn_code": "U00002"},
    )
    add_rows(
        con,
        "outcomes",
        *(
            {
                "referral_id": r,
                "measure": "ons4",
                "domain": "anxiety",
                "baseline_score": b,
                "followup_score": f,
            }
            for r, b, f in (("R1", 8, 5), ("R2", 6, 3), ("R3", 2, 4))
        ),
    )
    params = {**PERIOD.params(), "swemwbs_metric": swemwbs_metric_list()}
    spread = outcomes.distribution(
        queries.run(con, "outcome_change_distribution", params), "ons4", "anxiety"
    )
    assert dict(zip(spread["improvement"], spread["people"], strict=True)) == {-2: 1, 3: 2}
    one_pcn = {**params, "pcns": ["U00002"]}
    spread = outcomes.distribution(
        queries.run(con, "outcome_change_distribution", one_pcn), "ons4", "anxiety"
    )
    assert list(spread["improvement"]) == [-2]


def test_a_change_just_under_the_threshold_is_binned_below_the_meaningful_line(con):
    # SWEMWBS raw 8 -> 10 is 9.51 -> 12.40 metric points: a change of 2.89, under the
    # meaningful 3. Rounded to the nearest point it would sit in the bar from 3, beyond the line.
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(
        con,
        "outcomes",
        *(
            {"referral_id": r, "measure": "swemwbs", "domain": "total",
             "baseline_score": b, "followup_score": f}
            for r, b, f in (("R1", 8, 10), ("R2", 7, 10))
        ),
    )  # fmt: skip
    params = {**PERIOD.params(), "swemwbs_metric": swemwbs_metric_list()}
    spread = outcomes.distribution(
        queries.run(con, "outcome_change_distribution", params), "swemwbs", "total"
    )
    # 7 -> 10 is 7.00 -> 12.40, a change of 5.4: the bin from 5.
    assert dict(zip(spread["improvement"], spread["people"], strict=True)) == {2: 1, 5: 1}


def per_row_sums(con, params) -> pd.DataFrame:
    """outcome_change worked out row by row in pandas from the canonical tables: every outcome
    with a baseline whose referral is loaded and dated in the period, on the referral's PCN."""
    rows = con.execute(
        "select pcn_code, referral_date, measure, domain, baseline_score, followup_score "
        "from main.outcomes inner join main.referrals using (referral_id) "
        "where baseline_score is not null"
    ).df()
    rows = rows[
        (rows["referral_date"].dt.date >= params["date_from"])
        & (rows["referral_date"].dt.date <= params["date_to"])
    ].copy()
    metric = np.array(params["swemwbs_metric"])
    swemwbs = rows["measure"] == "swemwbs"
    for score in ("baseline_score", "followup_score"):
        raw = rows.loc[swemwbs, score]
        rows.loc[swemwbs, score] = [np.nan if pd.isna(r) else metric[int(r) - 7] for r in raw]
    anxiety = (rows["measure"] == "ons4") & (rows["domain"] == "anxiety")
    rows["change"] = (rows["followup_score"] - rows["baseline_score"]) * np.where(anxiety, -1, 1)
    rows["low"] = (rows["measure"] == "wellbeing_star") & (rows["baseline_score"] <= 2)
    threshold = rows["measure"].map(
        {"swemwbs": params["swemwbs_threshold"], "wemwbs": params["wemwbs_threshold"]}
    )
    followed = rows["followup_score"].notna()

    def sums(group: pd.DataFrame) -> pd.Series:
        low, change = group["low"], group["change"]
        return pd.Series(
            {
                "people_with_baseline": len(group),
                "n": group["followup_score"].notna().sum(),
                "sum_baseline": group.loc[followed, "baseline_score"].sum(min_count=1),
                "sum_followup": group["followup_score"].sum(min_count=1),
                "sum_improvement": change.sum(min_count=1),
                "sumsq_improvement": (change * change).sum(min_count=1),
                "n_improved": (change > 0).sum(),
                "n_worse": (change < 0).sum(),
                "n_meaningful": (change >= threshold[group.index]).sum(),
                "low_baseline_n": (low & group["followup_score"].notna()).sum(),
                "low_baseline_improved": (low & (change > 0)).sum(),
                "low_baseline_sum_improvement": change[low].sum(min_count=1),
                "low_baseline_sumsq_improvement": (change[low] ** 2).sum(min_count=1),
            }
        )

    if rows.empty:
        return pd.DataFrame(columns=["pcn_code", "measure", "domain", *outcomes.SUMS])
    summed = rows.groupby(["pcn_code", "measure", "domain"]).apply(sums, include_groups=False)
    return summed.reset_index().sort_values(["pcn_code", "measure", "domain"])


def assert_outcome_change_is_the_per_row_sum(con) -> None:
    periods = [
        (date(2025, 2, 1), date(2025, 3, 31)),  # whole months: pre-summed
        (date(2025, 2, 2), date(2025, 3, 30)),  # part months only
        (date(2025, 2, 15), date(2025, 4, 14)),  # part months around a whole month
        (date(2025, 2, 20), date(2025, 2, 20)),  # one day
        (date(2024, 1, 1), date(2026, 12, 31)),  # all time
    ]
    settings = [
        {},
        {
            # a conversion no real table has (falling and rising), and other thresholds
            "swemwbs_metric": [float((raw * 7) % 11) + raw / 4 for raw in range(7, 36)],
            "swemwbs_threshold": 1.5,
            "wemwbs_threshold": 5.0,
        },
    ]
    for date_from, date_to in periods:
        for setting in settings:
            filters = Filters(date_from=date_from, date_to=date_to)
            params = {**outcomes.sums_params(filters), **setting}
            got = queries.run(con, "outcome_change", params)
            expected = per_row_sums(con, params)
            assert len(got) > 0
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True),
                expected.reset_index(drop=True),
                check_dtype=False,
                rtol=1e-9,
                obj=f"outcome_change {date_from} to {date_to} {setting}",
            )


def test_outcome_change_equals_the_per_row_sums_after_corrections_and_moved_referrals(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "pcn_code": "U00001", "referral_date": date(2025, 2, 5)},
        {"referral_id": "R2", "pcn_code": "U00002", "referral_date": date(2025, 2, 20)},
        {"referral_id": "R3", "pcn_code": "U00001", "referral_date": date(2025, 3, 3)},
        {"referral_id": "R4", "pcn_code": "U00002", "referral_date": date(2025, 3, 31)},
    )
    add_rows(
        con,
        "outcomes",
        *(
            {"referral_id": r, "measure": m, "domain": d, "baseline_score": b,
             "followup_score": f}
            for r, m, d, b, f in (
                ("R1", "wellbeing_star", "feeling_positive", 2, 4),
                ("R1", "ons4", "anxiety", 7, 4),
                ("R1", "swemwbs", "total", 14, 20),
                ("R2", "wellbeing_star", "feeling_positive", 3, None),
                ("R2", "ons4", "happiness", 4, 6),
                ("R2", "swemwbs", "total", 20, 22),
                ("R3", "wellbeing_star", "lifestyle", 1, 3),
                ("R3", "wemwbs", "total", 40, 46),
                ("R4", "swemwbs", "total", 25, 23),
                ("R4", "wemwbs", "total", 50, None),
            )
        ),
    )  # fmt: skip
    assert_outcome_change_is_the_per_row_sum(con)

    # Corrected scores (a follow-up recorded late, a baseline mistyped), through the load path.
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R4", "measure": "wemwbs", "domain": "total", "baseline_score": 50,
         "followup_score": 58},
        {"referral_id": "R2", "measure": "swemwbs", "domain": "total", "baseline_score": 12,
         "followup_score": 22},
    )  # fmt: skip
    assert_outcome_change_is_the_per_row_sum(con)

    # Referrals moved to another month and PCN: out of a whole month into a part one, and back.
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "pcn_code": "U00002", "referral_date": date(2025, 4, 10)},
        {"referral_id": "R3", "pcn_code": "U00002", "referral_date": date(2025, 2, 1)},
    )
    assert_outcome_change_is_the_per_row_sum(con)
