"""The `utilisation` section of `summary --json`: what the page shows, under the policy."""

from __future__ import annotations

import json
from datetime import date

from dashboard.__main__ import main
from dashboard.data import store
from dashboard.measures import queries, utilisation_summary
from dashboard.measures.disclosure import MARK, OFF, applying
from dashboard.measures.filters import Filters
from dashboard.output import summary
from tests.factories import add_rows

PERIOD = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
KEYS = {
    "setting",
    "window_months",
    "n_people",
    "people_not_elapsed",
    "before_per_person",
    "after_per_person",
    "pct_change",
}


def fill(con, window_months=6):
    people = [f"P{i:02d}" for i in range(12)]
    add_rows(
        con,
        "referrals",
        *({"referral_id": f"R{i:02d}", "person_id": p} for i, p in enumerate(people)),
    )
    add_rows(
        con,
        "utilisation",
        *(
            {"person_id": p, "period": period, "count": count, "window_months": window_months}
            for p in people
            for period, count in (("before", 3), ("after", 2))
        ),
    )


def comparison(con, n=10, window_months=6):
    add_rows(
        con,
        "utilisation",
        *(
            {
                "person_id": f"C{i:02d}",
                "period": period,
                "count": count,
                "cohort": "comparison",
                "pcn_code": "U00001",
                "index_date": date(2025, 6, 1),
                "window_months": window_months,
            }
            for i in range(n)
            for period, count in (("before", 3), ("after", 3 if i < n // 2 else 2))
        ),
    )


def section(con):
    return utilisation_summary.summary_section(lambda n, p: queries.run(con, n, p), PERIOD)


def test_the_section_rounds_counts_and_works_means_from_the_rounded_counts(con):
    fill(con)
    [gp] = section(con)
    assert set(gp) == KEYS  # no comparison cohort loaded
    # 12 people with 36 and 24 events are shown as 10 people with 35 and 25 (old code printed
    # 3.0 and 2.0, the exact means, beside the rounded n: together they gave back the 36).
    assert gp == {
        "setting": "gp_appointment",
        "window_months": 6,
        "n_people": 10,
        "people_not_elapsed": 0,
        "before_per_person": 3.5,
        "after_per_person": 2.5,
        "pct_change": -28.6,
    }


def test_without_suppression_the_section_is_exact(con):
    fill(con)
    with applying(OFF):
        [gp] = section(con)
    assert (gp["n_people"], gp["before_per_person"], gp["after_per_person"]) == (12, 3.0, 2.0)
    assert gp["pct_change"] == -33.3


def test_the_section_shows_the_comparison_and_difference_in_differences(con):
    fill(con)
    comparison(con)
    with applying(OFF):
        [gp] = section(con)
    assert gp["comparison"]["n_people"] == 10
    assert gp["comparison"]["after_per_person"] == 2.5
    assert gp["difference_in_differences"] == -0.5


def test_the_difference_is_withheld_when_the_comparison_cohort_is_small(con):
    fill(con)
    comparison(con, n=4)
    [gp] = section(con)
    assert gp["comparison"]["n_people"] == MARK
    assert gp["difference_in_differences"] == MARK


def test_each_window_length_has_its_own_rows_and_the_comparison_only_its_own(con):
    fill(con, window_months=12)
    comparison(con, window_months=6)
    rows = section(con)
    assert [(r["window_months"], r["setting"]) for r in rows] == [(12, "gp_appointment")]
    assert "difference_in_differences" not in rows[0]  # the 6-month cohort is not compared


def test_summary_build_carries_the_section(con):
    fill(con)
    result = json.loads(json.dumps(summary.build(con, PERIOD, OFF), default=str))
    assert result["utilisation"][0]["n_people"] == 12


def test_summary_command_prints_utilisation(db_path, capsys):
    with store.open_db(db_path) as con:
        fill(con)
    args = ["summary", "--json", "--db", str(db_path), "--from", "2025-04-01", "--to", "2026-03-31"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["utilisation"][0]["setting"] == "gp_appointment"
    assert printed["utilisation"][0]["n_people"] == 10
