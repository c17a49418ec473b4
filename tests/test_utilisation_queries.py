"""utilisation_change on tiny hand-computed tables: pairs, first referrals, the comparison
cohort, window lengths kept apart and after-windows that had not ended left out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.data import store
from dashboard.measures import queries
from dashboard.measures import utilisation_figures as figures
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import mean_ci_of
from tests.factories import add_rows, set_extract_dates

PERIOD = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))


def use(person, before, after, setting="gp_appointment", **extra):
    rows = []
    for period, count in (("before", before), ("after", after)):
        if count is not None:
            rows.append(
                {"person_id": person, "setting": setting, "period": period, "count": count} | extra
            )
    return rows


def sums(con, filters=PERIOD):
    return queries.run(con, "utilisation_change", figures.sums_params(filters))


def gp(summary):
    return summary[summary["setting"] == "gp_appointment"].iloc[0]


def referrals(con, *people, day=date(2025, 6, 1)):
    add_rows(
        con,
        "referrals",
        *({"referral_id": f"R-{p}", "person_id": p, "referral_date": day} for p in people),
    )


def test_before_after_per_person_with_ci_pairs_only(con):
    referrals(con, "A", "B", "C")
    add_rows(con, "utilisation", *use("A", 4, 2), *use("B", 2, 2), *use("C", 9, None))
    row = gp(figures.summarise(sums(con)))
    assert row["n_people"] == 2  # C has no after window
    assert (row["sum_before"], row["sum_after"]) == (6, 4)
    assert row["before_per_person"] == 3.0
    assert row["after_per_person"] == 2.0
    assert row["pct_change"] == pytest.approx(-100 / 3)
    expected = mean_ci_of([-2, 0])  # -1 +/- 12.706 x 1.414 / sqrt(2)
    assert row["change_per_person"] == -1.0
    assert (row["change_low"], row["change_high"]) == pytest.approx((expected.low, expected.high))


def test_people_count_once_through_their_first_referral(con):
    add_rows(
        con,
        "referrals",
        # D was first referred before the period: not a new referral in it
        {"referral_id": "R1", "person_id": "D", "referral_date": date(2024, 12, 1)},
        {"referral_id": "R2", "person_id": "D", "referral_date": date(2025, 6, 1)},
        # E was referred twice in the period: the first referral's PCN counts
        {
            "referral_id": "R3",
            "person_id": "E",
            "referral_date": date(2025, 5, 1),
            "pcn_code": "U00002",
        },
        {
            "referral_id": "R4",
            "person_id": "E",
            "referral_date": date(2025, 9, 1),
            "pcn_code": "U00001",
        },
    )
    add_rows(con, "utilisation", *use("D", 5, 1), *use("E", 3, 1))
    data = sums(con)
    assert figures.summarise(data)["n_people"].tolist() == [1]
    assert gp(figures.summarise(data, pcns=("U00002",)))["before_per_person"] == 3.0
    assert figures.summarise(data, pcns=("U00001",)).empty
    earlier = Filters(date_from=date(2024, 4, 1), date_to=date(2025, 3, 31))
    assert gp(figures.summarise(sums(con, earlier)))["before_per_person"] == 5.0


def test_comparison_cohort_filters_by_its_own_pcn_and_index_date(con):
    referrals(con, "A", "B")
    comparison = {"cohort": "comparison", "pcn_code": "U00001", "index_date": date(2025, 7, 1)}
    add_rows(
        con,
        "utilisation",
        *use("A", 4, 2),
        *use("B", 2, 2),
        *use("X1", 3, 3, **comparison),
        *use("X2", 1, 2, **comparison),
        *use("X3", 9, 0, **(comparison | {"index_date": date(2024, 7, 1)})),
        *use("X4", 9, 0, **(comparison | {"pcn_code": "U00002"})),
    )
    data = sums(con)
    assert figures.has_comparison(data, 6)
    referred = figures.summarise(data, "referred", ("U00001",))
    other = figures.summarise(data, "comparison", ("U00001",))
    assert gp(other)["n_people"] == 2  # X3 is outside the period, X4 in another PCN
    assert gp(other)["change_per_person"] == 0.5
    did = figures.difference_in_differences(referred, other).iloc[0]
    assert did["naive_change"] == -1.0
    assert did["comparison_change"] == 0.5
    assert did["did"] == -1.5
    assert did["did_low"] < -1.5 < did["did_high"]


def test_window_lengths_are_kept_apart_and_never_pooled(con):
    # Old code: one row per cohort, PCN and setting, the 6- and 12-month people pooled.
    referrals(con, "A", "B", "C")
    add_rows(
        con,
        "utilisation",
        *use("A", 4, 2, window_months=6),
        *use("B", 2, 2, window_months=6),
        *use("C", 12, 6, window_months=12),
    )
    data = sums(con)
    assert sorted(data["window_months"]) == [6, 12]
    assert figures.window_lengths(data) == [6, 12]  # the most common first
    six, twelve = figures.summarise(data, window=6), figures.summarise(data, window=12)
    assert (gp(six)["n_people"], gp(six)["before_per_person"]) == (2, 3.0)
    assert (gp(twelve)["n_people"], gp(twelve)["before_per_person"]) == (1, 12.0)
    assert gp(figures.summarise(data))["n_people"] == 2  # the default is the most common


def test_the_comparison_cohort_is_compared_only_on_the_same_window(con):
    referrals(con, "A", "B")
    comparison = {"cohort": "comparison", "pcn_code": "U00001", "index_date": date(2025, 7, 1)}
    add_rows(
        con,
        "utilisation",
        *use("A", 4, 2, window_months=12),
        *use("B", 2, 2, window_months=12),
        *use("X1", 3, 3, window_months=6, **comparison),
    )
    data = sums(con)
    assert not figures.has_comparison(data, 12)
    referred = figures.summarise(data, "referred", window=12)
    other = figures.summarise(data, "comparison", window=12)
    assert figures.difference_in_differences(referred, other).empty


def test_people_whose_after_window_had_not_ended_by_the_extract_date_are_left_out(con):
    # A: 1 Jun 2025 + 6 months = 1 Dec 2025, extracted 30 Nov: not ended. B: extracted 1 Dec.
    # C has no extract date: judged against the load's date (today), long after.
    referrals(con, "A", "B", "C")
    add_rows(con, "utilisation", *use("A", 9, 0), *use("B", 4, 2), *use("C", 2, 2))
    set_extract_dates(con, {"A": date(2025, 11, 30), "B": date(2025, 12, 1)}.get)
    row = gp(figures.summarise(sums(con)))
    assert row["n_people"] == 2
    assert row["before_per_person"] == 3.0  # (4 + 2) / 2: A's 9 is not in it
    assert row["n_not_elapsed"] == 1


def test_without_an_extract_date_the_load_date_decides(con, db_path):
    # Referred two months ago with 6-month windows: the window ends after today's load.
    recent = date.today() - timedelta(days=60)
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "person_id": "A", "referral_date": recent},
        {"referral_id": "R2", "person_id": "B", "referral_date": date(2025, 6, 1)},
    )
    add_rows(con, "utilisation", *use("A", 9, 0), *use("B", 4, 2))
    store.record_load(
        con, file_name="u.csv", kind="utilisation", rows_read=4, accepted=4, rejected=0
    )
    since = Filters(date_from=date(2025, 4, 1), date_to=date.today())
    row = gp(figures.summarise(sums(con, since)))
    assert (row["n_people"], row["n_not_elapsed"], row["before_per_person"]) == (1, 1, 4.0)


def test_whole_months_summed_ahead_agree_with_people_summed_one_by_one(con):
    # The period's whole months come from utilisation_monthly, its edges from the facts;
    # with an extract date anywhere, every person is looked up instead: same sums.
    referrals(con, "A", day=date(2025, 4, 15))
    referrals(con, "B", "C", day=date(2025, 6, 1))
    add_rows(con, "utilisation", *use("A", 5, 1), *use("B", 4, 2), *use("C", 2, 3))
    split = Filters(date_from=date(2025, 4, 10), date_to=date(2025, 12, 31))
    before = gp(figures.summarise(sums(con, split)))
    set_extract_dates(con, {"C": date(2026, 6, 1)}.get)
    after = gp(figures.summarise(sums(con, split)))
    assert before[["n_people", "sum_before", "sum_after"]].tolist() == [3, 11, 6]
    assert after[["n_people", "sum_before", "sum_after"]].tolist() == [3, 11, 6]
