"""Derived fact tables stay what a from-scratch rebuild would give, whatever order loads come in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.data import derived, ingest, store
from dashboard.measures import queries
from tests.extracts import rows, write_csv
from tests.factories import add_rows


def facts(con) -> dict[str, list[tuple]]:
    return {
        table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
        for table in derived.TABLES
    }


def rebuilt(con) -> dict[str, list[tuple]]:
    """The facts a full rebuild gives, leaving the database as it was."""
    con.execute("begin transaction")
    try:
        derived.rebuild(con)
        return facts(con)
    finally:
        con.execute("rollback")


def assert_consistent(con) -> dict[str, list[tuple]]:
    current = facts(con)
    assert current == rebuilt(con)
    return current


def utilisation_pair(person_id: str, setting: str = "gp_appointment", **values) -> list[dict]:
    before = {"person_id": person_id, "setting": setting, "period": "before", "count": 4}
    after = {"person_id": person_id, "setting": setting, "period": "after", "count": 2}
    return [{**before, **values}, {**after, **values}]


def test_facts_follow_corrections_late_referrals_and_second_referrals(con):
    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R1"})
    add_rows(con, "utilisation", *utilisation_pair("P1"))
    # Loaded before their referral: no facts yet, as an inner join would give.
    assert not any(assert_consistent(con).values())

    add_rows(con, "referrals", {"referral_id": "R1", "person_id": "P1", "pcn_code": "U00001"})
    loaded = assert_consistent(con)
    assert [row[3:5] for row in loaded["outcome_facts"]] == [(date(2025, 6, 1), "U00001")]
    assert [row[2] for row in loaded["onward_facts"]] == ["U00001"]
    assert [row[2:6] for row in loaded["utilisation_facts"]] == [
        ("referred", "U00001", date(2025, 6, 1), date(2025, 6, 1))
    ]

    # The referral's PCN and date corrected by a reload of the same key.
    add_rows(
        con,
        "referrals",
        {
            "referral_id": "R1",
            "person_id": "P1",
            "pcn_code": "U00002",
            "referral_date": date(2025, 5, 1),
        },
    )
    corrected = assert_consistent(con)
    assert [row[3:5] for row in corrected["outcome_facts"]] == [(date(2025, 5, 1), "U00002")]
    assert [row[2] for row in corrected["onward_facts"]] == ["U00002"]
    assert [row[:2] for row in corrected["outcome_monthly"]] == [(2025 * 12 + 4, "U00002")]

    # An earlier second referral for the same person becomes the first referral.
    add_rows(
        con,
        "referrals",
        {
            "referral_id": "R0",
            "person_id": "P1",
            "pcn_code": "U00003",
            "referral_date": date(2025, 1, 10),
        },
    )
    second = assert_consistent(con)
    assert [row[2:6] for row in second["utilisation_facts"]] == [
        ("referred", "U00003", date(2025, 1, 10), date(2025, 1, 10))
    ]

    # An outcome loaded after its referral, and a correction of a score.
    add_rows(con, "outcomes", {"referral_id": "R1", "domain": "lifestyle", "followup_score": 5})
    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 1})
    scores = assert_consistent(con)
    assert sorted(row[2:7] for row in scores["outcome_facts"]) == [
        ("feeling_positive", date(2025, 5, 1), "U00002", 3.0, 1.0),
        ("lifestyle", date(2025, 5, 1), "U00002", 3.0, 5.0),
    ]

    # A comparison cohort row has no referral: its own PCN and index date.
    add_rows(
        con,
        "utilisation",
        *utilisation_pair(
            "C1", cohort="comparison", pcn_code="U00009", index_date=date(2025, 7, 1)
        ),
    )
    comparison = assert_consistent(con)
    assert [row[:8] for row in comparison["utilisation_facts"] if row[0] == "C1"] == [
        ("C1", "gp_appointment", "comparison", "U00009", date(2025, 7, 1), date(2025, 7, 1), 4, 2)
    ]
    assert [row[:4] for row in comparison["utilisation_monthly"]] == [
        (2025 * 12 + 0, "U00003", "referred", "gp_appointment"),
        (2025 * 12 + 6, "U00009", "comparison", "gp_appointment"),
    ]


def test_referral_moved_to_another_person_moves_their_utilisation(con):
    add_rows(con, "referrals", {"referral_id": "R1", "person_id": "P1"})
    add_rows(con, "utilisation", *utilisation_pair("P1"), *utilisation_pair("P2"))
    assert [row[0] for row in assert_consistent(con)["utilisation_facts"]] == ["P1"]

    add_rows(con, "referrals", {"referral_id": "R1", "person_id": "P2"})

    assert [row[0] for row in assert_consistent(con)["utilisation_facts"]] == ["P2"]


def test_unpaired_utilisation_and_onward_referral_moved_to_another_referral(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "pcn_code": "U00001"},
        {"referral_id": "R2", "pcn_code": "U00002"},
    )
    add_rows(con, "utilisation", utilisation_pair("P-R1")[0])
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R1"})
    assert assert_consistent(con)["utilisation_facts"] == []

    add_rows(con, "utilisation", utilisation_pair("P-R1")[1])
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R2"})

    current = assert_consistent(con)
    assert len(current["utilisation_facts"]) == 1
    assert [row[1:3] for row in current["onward_facts"]] == [("R2", "U00002")]


def test_referrals_loaded_before_anything_points_at_them_get_facts_from_later_loads(
    con, monkeypatch
):
    with monkeypatch.context() as patched:
        patched.setattr(derived, "refresh", pytest.fail)  # nothing can have facts yet
        add_rows(con, "referrals", {"referral_id": "R1", "person_id": "P1"}, {"referral_id": "R2"})
    assert not any(assert_consistent(con).values())

    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
    add_rows(con, "utilisation", *utilisation_pair("P1"))
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R2"})
    add_rows(con, "referrals", {"referral_id": "R1", "person_id": "P1", "pcn_code": "U00002"})

    current = assert_consistent(con)
    assert [row[4] for row in current["outcome_facts"]] == ["U00002"]
    assert [row[3] for row in current["utilisation_facts"]] == ["U00002"]
    assert len(current["onward_facts"]) == 1


def test_rolled_back_load_leaves_facts_unchanged(con):
    add_rows(con, "referrals", {"referral_id": "R1"})
    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
    before = facts(con)

    con.execute("begin transaction")
    add_rows(con, "referrals", {"referral_id": "R1", "pcn_code": "U00002"}, {"referral_id": "R2"})
    add_rows(con, "outcomes", {"referral_id": "R2", "followup_score": 5})
    assert facts(con) != before
    con.execute("rollback")

    assert facts(con) == before


def test_refused_file_load_leaves_facts_unchanged(con, tmp_path: Path):
    add_rows(con, "referrals", {"referral_id": "R1", "person_id": "P1", "pcn_code": "U12345"})
    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
    before = facts(con)
    corrected = write_csv(tmp_path / "r.csv", rows("referrals", {"pcn_code": "U54321"}))
    bad = write_csv(tmp_path / "bad.csv", rows("referrals", {"referral_id": "R9", "pcn_code": "X"}))

    reports = ingest.load(
        con,
        [ingest.Extract(p.name, p, "referrals") for p in (corrected, bad)],
        strict=True,
        today=date(2026, 1, 15),
    )

    assert not any(report.loaded for report in reports)
    assert facts(con) == before


def test_identical_reload_refreshes_no_facts(con, monkeypatch):
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
    add_rows(con, "utilisation", *utilisation_pair("P-R1"))
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R2"})
    before = facts(con)

    def refresh(*args):
        raise AssertionError("an identical reload refreshed facts")

    monkeypatch.setattr(derived, "refresh", refresh)
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
    add_rows(con, "utilisation", *utilisation_pair("P-R1"))
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R2"})

    assert facts(con) == before


def test_changed_column_no_fact_uses_refreshes_nothing(con, monkeypatch):
    add_rows(con, "referrals", {"referral_id": "R1", "status": "referred"})
    monkeypatch.setattr(derived, "refresh", pytest.fail)

    add_rows(con, "referrals", {"referral_id": "R1", "status": "completed"})

    assert con.execute("select status from referrals").fetchone() == ("completed",)


def test_synthetic_database_facts_match_a_rebuild(synthetic_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(synthetic_db.read_bytes())
    with store.open_db(copy) as con:
        current = facts(con)
        assert all(current.values())
        assert current == rebuilt(con)


def test_facts_are_readable_inside_the_load_transaction(con):
    con.execute("begin transaction")
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "followup_score": 4},
        {"referral_id": "R2", "measure": "swemwbs", "domain": "total", "baseline_score": 20},
    )
    add_rows(con, "utilisation", *utilisation_pair("P-R1"))
    add_rows(con, "onward_referrals", {"onward_id": "O1", "referral_id": "R2"})
    inside = facts(con)
    con.execute("commit")

    assert all(inside.values())
    assert inside == assert_consistent(con)


def test_database_from_before_the_facts_gets_them_when_opened_read_only(db_path):
    with store.open_db(db_path) as con:
        add_rows(con, "referrals", {"referral_id": "R1"})
        add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
        for table in derived.TABLES:
            con.execute(f"drop table {table}")
        con.execute("drop table derived_version")

    with store.open_db(db_path, read_only=True) as con:
        assert len(facts(con)["outcome_facts"]) == 1


def test_each_definition_gives_exactly_its_tables_columns(con):
    # The temp relations a rebuild or refresh scopes the definitions with, empty.
    con.execute("create temp view _derived_people as select person_id from main.utilisation")
    con.execute(
        "create temp table _derived_cells (referral_month integer, index_month integer, "
        "onward_month integer, pcn_code varchar)"
    )
    for table in derived.TABLES:
        defined = [
            row[0] for row in con.execute(f"describe {derived.definition(table)}").fetchall()
        ]
        stored = [row[0] for row in con.execute(f"describe {table}").fetchall()]
        assert defined == stored, table


def test_whole_months_from_the_monthly_sums_equal_the_same_rows_summed_from_the_facts(con):
    # Everything happens between 2 and 27 February 2025, so February as a whole month (read
    # from the monthly sums) and 2-27 February (a part month, summed from the facts by the
    # query) hold the same rows and must give the same figures.
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "pcn_code": "U00001", "referral_date": date(2025, 2, 5)},
        {"referral_id": "R2", "pcn_code": "U00002", "referral_date": date(2025, 2, 20)},
        {"referral_id": "R3", "pcn_code": "U00001", "referral_date": date(2025, 2, 10)},
    )
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "baseline_score": 2, "followup_score": 4},
        {
            "referral_id": "R1",
            "measure": "ons4",
            "domain": "anxiety",
            "baseline_score": 6,
            "followup_score": 3,
        },
        {
            "referral_id": "R2",
            "measure": "ons4",
            "domain": "anxiety",
            "baseline_score": 3,
            "followup_score": 5,
        },
        {
            "referral_id": "R2",
            "measure": "ons4",
            "domain": "happiness",
            "baseline_score": 3,
            "followup_score": 5,
        },
        {"referral_id": "R3", "domain": "lifestyle", "baseline_score": 3},
        {
            "referral_id": "R3",
            "measure": "swemwbs",
            "domain": "total",
            "baseline_score": 20,
            "followup_score": 25,
        },
    )
    add_rows(
        con,
        "utilisation",
        *utilisation_pair("P-R1"),
        *utilisation_pair("P-R2", setting="ae_attendance", count=3),
    )
    add_rows(
        con,
        "onward_referrals",
        {
            "onward_id": "O1",
            "referral_id": "R1",
            "onward_date": date(2025, 2, 6),
            "result": "waitlisted",
        },
        {"onward_id": "O2", "referral_id": "R2", "onward_date": date(2025, 2, 21)},
        {
            "onward_id": "O3",
            "referral_id": "R3",
            "onward_date": date(2025, 2, 27),
            "result": "service_closed",
        },
    )
    fixed = {
        "pcns": [],
        "swemwbs_metric": [float(raw) + 0.5 for raw in range(7, 36)],
        "swemwbs_threshold": 3.0,
        "wemwbs_threshold": 3.0,
        "activity_groups": [["gardening", "natural world"]],
    }
    whole = {**fixed, "date_from": date(2025, 2, 1), "date_to": date(2025, 2, 28)}
    part = {**fixed, "date_from": date(2025, 2, 2), "date_to": date(2025, 2, 27)}

    for name in ("outcome_change", "outcome_followup", "utilisation_change", "capacity_gaps"):
        from_monthly, from_facts = queries.run(con, name, whole), queries.run(con, name, part)
        assert len(from_monthly) > 0, name
        pd.testing.assert_frame_equal(from_monthly, from_facts, obj=name)


def test_total_score_facts_follow_corrected_scores_and_moved_referrals(con):
    def totals(con) -> list[tuple]:
        return sorted(
            con.execute(
                "select referral_month, pcn_code, measure, baseline_score, followup_score "
                "from outcome_total_facts"
            ).fetchall()
        )

    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "pcn_code": "U00001", "referral_date": date(2025, 2, 5)},
        {"referral_id": "R2", "pcn_code": "U00001", "referral_date": date(2025, 2, 20)},
    )
    add_rows(
        con,
        "outcomes",
        {"referral_id": "R1", "baseline_score": 2, "followup_score": 4},
        {"referral_id": "R1", "measure": "swemwbs", "domain": "total", "baseline_score": 20},
        {
            "referral_id": "R2",
            "measure": "wemwbs",
            "domain": "total",
            "baseline_score": 40,
            "followup_score": 47,
        },
    )
    february = 2025 * 12 + 1
    assert_consistent(con)
    # Only the measures outcome_monthly does not pre-sum, and only with a baseline.
    assert totals(con) == [
        (february, "U00001", "swemwbs", 20.0, None),
        (february, "U00001", "wemwbs", 40.0, 47.0),
    ]

    # A follow-up recorded later for the same key, and a referral moved to another month and PCN.
    add_rows(
        con,
        "outcomes",
        {
            "referral_id": "R1",
            "measure": "swemwbs",
            "domain": "total",
            "baseline_score": 20,
            "followup_score": 26,
        },
    )
    add_rows(
        con,
        "referrals",
        {"referral_id": "R2", "pcn_code": "U00002", "referral_date": date(2025, 3, 3)},
    )
    assert_consistent(con)
    assert totals(con) == [
        (february, "U00001", "swemwbs", 20.0, 26.0),
        (february + 1, "U00002", "wemwbs", 40.0, 47.0),
    ]
