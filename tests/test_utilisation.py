from datetime import date

import pandas as pd
import pytest

from dashboard.measures import queries, utilisation
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import mean_ci_of
from tests.factories import add_rows

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
    return queries.run(con, "utilisation_change", utilisation.sums_params(filters))


def gp(summary):
    return summary[summary["setting"] == "gp_appointment"].iloc[0]


def test_before_after_per_person_with_ci_pairs_only(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "person_id": "A"},
        {"referral_id": "R2", "person_id": "B"},
        {"referral_id": "R3", "person_id": "C"},
    )
    add_rows(con, "utilisation", *use("A", 4, 2), *use("B", 2, 2), *use("C", 9, None))
    row = gp(utilisation.summarise(sums(con)))
    assert row["n_people"] == 2  # C has no after window
    assert row["before_per_person"] == 3.0
    assert row["after_per_person"] == 2.0
    assert row["pct_change"] == pytest.approx(-100 / 3)
    expected = mean_ci_of([-2, 0])  # -1 +/- 12.706 x 1.414 / sqrt(2)
    assert row["change_per_person"] == -1.0
    assert (row["change_low"], row["change_high"]) == pytest.approx((expected.low, expected.high))
    assert row["change_low"] == pytest.approx(-1 - 12.7062, abs=1e-3)


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
    assert utilisation.summarise(data)["n_people"].tolist() == [1]
    assert gp(utilisation.summarise(data, pcns=("U00002",)))["before_per_person"] == 3.0
    assert utilisation.summarise(data, pcns=("U00001",)).empty
    earlier = Filters(date_from=date(2024, 4, 1), date_to=date(2025, 3, 31))
    assert gp(utilisation.summarise(sums(con, earlier)))["before_per_person"] == 5.0


def test_comparison_cohort_filters_by_its_own_pcn_and_index_date(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "person_id": "A"},
        {"referral_id": "R2", "person_id": "B"},
    )
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
    assert utilisation.has_comparison(data)
    referred = utilisation.summarise(data, "referred", ("U00001",))
    other = utilisation.summarise(data, "comparison", ("U00001",))
    assert gp(other)["n_people"] == 2  # X3 is outside the period, X4 in another PCN
    assert gp(other)["change_per_person"] == 0.5
    did = utilisation.difference_in_differences(referred, other).iloc[0]
    assert did["naive_change"] == -1.0
    assert did["comparison_change"] == 0.5
    assert did["did"] == -1.5
    assert did["did_low"] < -1.5 < did["did_high"]


def test_costs_multiply_mean_events_by_unit_cost():
    summary = pd.DataFrame(
        {
            "setting": ["gp_appointment", "ae_attendance"],
            "n_people": [10, 10],
            "before_per_person": [4.0, 0.5],
            "after_per_person": [3.0, 0.25],
            "change_per_person": [-1.0, -0.25],
        }
    )
    prices = pd.DataFrame({"setting": ["gp_appointment", "ae_attendance"], "value": [42.0, 300.0]})
    cost = utilisation.costs(summary, prices).set_index("setting")
    assert cost.loc["gp_appointment", "before_cost"] == 168.0
    assert cost.loc["ae_attendance", "change_cost"] == -75.0
    assert cost.loc["total", "before_cost"] == 318.0
    assert cost.loc["total", "after_cost"] == 201.0
    assert cost.loc["total", "change_cost"] == -117.0


def test_unit_cost_table_comes_from_settings_with_year_and_source():
    table = utilisation.unit_cost_table()
    assert list(table["setting"]) == list(utilisation.SETTINGS_ORDER)
    gp_cost = table.set_index("setting").loc["gp_appointment"]
    assert gp_cost["value"] == 42.0
    assert gp_cost["price_year"] == "2022/23"
    assert "PSSRU" in gp_cost["source"]
    assert table["source"].str.len().gt(0).all()
