"""The `referrals` section of `python -m dashboard summary --json`."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from dashboard.__main__ import main
from dashboard.data import store
from tests.factories import add_rows

PERIOD = ["--from", "2025-04-01", "--to", "2026-03-31"]


@pytest.fixture
def database(db_path):
    con = store.connect(db_path)
    add_rows(
        con,
        "pcns",
        {"pcn_code": "U00001", "pcn_name": "St Mary's PCN", "list_size": 9_000},
        {"pcn_code": "U00002", "pcn_name": "Abbey PCN", "list_size": 20_000},
    )
    referral_day = date(2025, 6, 2)
    add_rows(
        con,
        "referrals",
        *[
            {
                "referral_id": f"A{i}",
                "pcn_code": "U00001",
                "referral_date": referral_day,
                "first_contact_date": referral_day + timedelta(days=i % 10),
                "status": "declined" if i < 9 else "completed",
            }
            for i in range(83)
        ],
        *[{"referral_id": f"B{i}", "pcn_code": "U00002"} for i in range(3)],
    )
    con.close()
    return db_path


def summary(capsys, *arguments: str) -> dict:
    assert main(["summary", *arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["referrals"]


def test_summary_referrals_section_has_the_documented_shape(database, capsys):
    section = summary(capsys, "--db", str(database), *PERIOD)
    assert set(section) >= {
        "total",
        "by_pcn",
        "funnel",
        "median_wait_days",
        "p90_wait_days",
        "unknown_pcn",
        "monthly",
    }
    assert [set(row) for row in section["by_pcn"]] == [
        {"pcn_code", "pcn_name", "referrals", "rate_per_1000", "in_band"}
    ] * 2
    assert [row["pcn_name"] for row in section["by_pcn"]] == ["Abbey PCN", "St Mary's PCN"]
    assert set(section["funnel"]) >= {"referred", "contacted", "engaged", "completed", "declined"}


def test_summary_rounds_counts_to_5_and_withholds_small_ones(database, capsys):
    section = summary(capsys, "--db", str(database), *PERIOD)
    assert section["total"] == 85  # 86
    mary = next(row for row in section["by_pcn"] if row["pcn_code"] == "U00001")
    assert mary["referrals"] == 85  # 83
    # From the rounded count, 85 / 9,000 x 1,000 = 9.44, to one decimal: the exact 83 would
    # give 9.22, and 9.22 x the public list size gives the exact count back.
    assert mary["rate_per_1000"] == 9.4
    assert mary["in_band"] is True
    abbey = next(row for row in section["by_pcn"] if row["pcn_code"] == "U00002")
    assert (abbey["referrals"], abbey["rate_per_1000"], abbey["in_band"]) == ("*", "*", False)
    assert section["funnel"]["declined"] == 10  # 9
    assert section["funnel"]["completed"] == 75  # 74
    # From the rounded counts, 10 / 85, not the exact 9 / 86.
    assert section["funnel"]["decline_rate_pct"] == pytest.approx(round(1000 / 85, 1))
    assert section["median_wait_days"] == 4.0
    assert section["unknown_pcn"] == 0


def test_summary_without_suppression_gives_exact_counts(database, capsys):
    section = summary(capsys, "--db", str(database), *PERIOD, "--no-suppression")
    assert section["total"] == 86
    abbey = next(row for row in section["by_pcn"] if row["pcn_code"] == "U00002")
    assert (abbey["referrals"], abbey["rate_per_1000"]) == (3, 0.15)
    assert section["funnel"]["declined"] == 9


def test_summary_with_a_pcn_lists_only_that_pcn(database, capsys):
    section = summary(capsys, "--db", str(database), *PERIOD, "--pcn", "U00002")
    assert section["total"] == "*"
    assert [row["pcn_code"] for row in section["by_pcn"]] == ["U00002"]
    assert section["median_wait_days"] == "*"
    assert section["funnel"]["referred"] == "*"
