import re
from datetime import date

import pytest

from dashboard.data import store
from dashboard.measures import queries
from tests.factories import add_rows


def test_every_query_file_is_lowercase_and_ends_with_select_from_final():
    for path in queries.QUERY_DIR.glob("*.sql"):
        text = path.read_text()
        body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
        code = re.sub(r"'[^']*'", "''", body)
        assert code == code.lower(), f"{path.name} has upper-case SQL"
        assert text.startswith(f"-- {path.stem}:"), f"{path.name} lacks its header comment"
        assert "final as (" in body, f"{path.name} has no final CTE"


def test_run_binds_only_the_parameters_a_query_names(con):
    add_rows(con, "pcns", {"pcn_code": "U00002", "pcn_name": "St Mary's PCN"})
    result = queries.run(con, "pcn_options", {"unused": 1, "pcns": []})
    assert result.to_dict("records") == [
        {"pcn_code": "U00002", "pcn_name": "St Mary's PCN", "list_size": 10_000}
    ]


def test_run_names_a_missing_parameter(con):
    with pytest.raises(KeyError, match="date_from"):
        queries.run(con, "referral_funnel", {"pcns": []})


def test_run_refuses_a_query_name_that_is_not_a_file(con):
    with pytest.raises(KeyError, match="no query named"):
        queries.run(con, "../secrets", {})


def test_referral_date_range_spans_the_loaded_referrals(con):
    add_rows(
        con,
        "referrals",
        {"referral_id": "R1", "referral_date": date(2024, 4, 1)},
        {"referral_id": "R2", "referral_date": date(2025, 2, 28)},
    )
    span = queries.run(con, "referral_date_range", {}).iloc[0]
    assert (span["first_referral"].date(), span["last_referral"].date()) == (
        date(2024, 4, 1),
        date(2025, 2, 28),
    )


def test_load_history_lists_the_newest_load_first(con):
    for name in ("first.csv", "second.csv"):
        store.record_load(con, file_name=name, kind="pcns", rows_read=2, accepted=2, rejected=0)
    assert list(queries.run(con, "load_history", {})["file"]) == ["second.csv", "first.csv"]
