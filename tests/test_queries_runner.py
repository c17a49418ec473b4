import re
from datetime import date

import pytest

from dashboard.data import derived, store
from dashboard.measures import queries
from tests.factories import add_rows

# Every SQL file of the project: the named queries, the derived tables' and the macros.
SQL_FILES = sorted(queries.QUERY_DIR.rglob("*.sql"))
DEFINITIONS = [derived.DEFINITIONS / f"{table}.sql" for table in derived.TABLES]
# String literals and comments, so that what is left is code.
_LITERAL_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


def code(text: str) -> str:
    return _LITERAL_OR_COMMENT.sub(lambda m: "''" if m.group().startswith("'") else "", text)


def test_every_sql_file_is_lowercase():
    for path in SQL_FILES:
        text = code(path.read_text())
        assert text == text.lower(), f"{path.name} has upper-case SQL"


def test_every_query_and_definition_has_its_header_and_ends_with_select_from_final():
    for path in [*(queries.QUERY_DIR / f"{name}.sql" for name in queries.names()), *DEFINITIONS]:
        text = path.read_text()
        assert text.startswith(f"-- {path.stem}:"), f"{path.name} lacks its header comment"
        assert "final as (" in code(text), f"{path.name} has no final CTE"
        assert code(text).rstrip().endswith("select * from final"), path.name


def test_every_macro_is_used_by_a_query_a_derived_table_or_another_macro():
    texts = [code(path.read_text()) for path in SQL_FILES]
    for name in derived.macro_names():
        use = re.compile(rf"(?<!macro )\b{name}\(")
        assert any(use.search(text) for text in texts), f"macro {name} is used nowhere"


@pytest.mark.parametrize(
    ("formula", "pattern"),
    [
        ("the rate per 1,000 a year", r"\b365\b"),
        ("the improvement, ONS4 anxiety reversed", r"'anxiety'"),
        ("a month as a number", r"\*\s*12\b"),
        ("unmet VCSE demand", r"'declined_no_capacity'"),
        ("the SWEMWBS metric score", r"\blist_extract\("),
    ],
)
def test_shared_formulas_are_written_only_in_their_macro(formula, pattern):
    for path in SQL_FILES:
        if path == derived.MACROS:
            continue
        assert not re.search(pattern, code(path.read_text())), f"{path.name} rewrites {formula}"


def macro(con, expression: str, params: dict | None = None):
    return con.execute(f"select {expression}", params or {}).fetchone()


def test_rate_per_1000_a_year_annualises_over_the_days_of_the_period(con):
    # 10 referrals in a 73-day period on a list of 5,000: 2 per 1,000 in 73 days, 10 a year.
    assert macro(con, "rate_per_1000_a_year(10, 5000, 73)") == (pytest.approx(10.0),)
    assert macro(con, "rate_per_1000_a_year(0, 5000, 365)") == (0.0,)


@pytest.mark.parametrize(
    ("date_from", "date_to", "months"),
    [
        # first_month, month_from, month_to as year * 12 + month - 1
        (date(2025, 4, 1), date(2026, 3, 31), (2025 * 12 + 3, 2025 * 12 + 3, 2026 * 12 + 2)),
        (date(2025, 4, 2), date(2025, 6, 29), (2025 * 12 + 3, 2025 * 12 + 4, 2025 * 12 + 4)),
        (date(2024, 2, 1), date(2024, 2, 29), (2024 * 12 + 1, 2024 * 12 + 1, 2024 * 12 + 1)),
        (date(2024, 2, 2), date(2024, 2, 28), (2024 * 12 + 1, 2024 * 12 + 2, 2024 * 12 + 0)),
    ],
)
def test_period_months_are_the_first_month_and_the_whole_months(con, date_from, date_to, months):
    got = con.execute(
        "select first_month, month_from, month_to from period_months($date_from, $date_to)",
        {"date_from": date_from, "date_to": date_to},
    ).fetchone()
    assert got == months


def test_improvement_is_a_rise_except_for_ons4_anxiety_where_it_is_a_fall(con):
    assert macro(con, "improvement('ons4', 'happiness', 4, 7)") == (3,)
    assert macro(con, "improvement('ons4', 'anxiety', 4, 7)") == (-3,)
    assert macro(con, "improvement('ons4', 'anxiety', 7, 4)") == (3,)
    assert macro(con, "improvement('wellbeing_star', 'anxiety', 2, 3)") == (1,)


def test_metric_score_converts_swemwbs_only(con):
    metric = {"metric": [float(raw) * 10 for raw in range(7, 36)]}
    assert macro(con, "metric_score('swemwbs', 7, $metric)", metric) == (70.0,)
    assert macro(con, "metric_score('swemwbs', 35, $metric)", metric) == (350.0,)
    assert macro(con, "metric_score('wemwbs', 35, $metric)", metric) == (35,)


def test_outcome_sums_count_the_improved_and_the_low_baseline(con):
    sums = con.execute(
        """
        select sums.* from (
            select outcome_sums(baseline, followup, followup - baseline, baseline <= 2) as sums
            from (values (1, 3), (2, 1), (4, null), (3, 5)) as t (baseline, followup)
        )
        """
    ).df()
    assert sums.iloc[0].to_dict() == {
        "people_with_baseline": 4,
        "n": 3,
        "sum_baseline": 6,
        "sum_followup": 9,
        "sum_improvement": 3,
        "sumsq_improvement": 9,
        "n_improved": 2,
        "n_worse": 1,
        "low_baseline_n": 2,
        "low_baseline_improved": 1,
        "low_baseline_sum_improvement": 1,
        "low_baseline_sumsq_improvement": 5,
    }


def test_run_binds_only_the_parameters_a_query_names(con):
    add_rows(con, "pcns", {"pcn_code": "U00002", "pcn_name": "St Mary's PCN"})
    result = queries.run(con, "pcn_options", {"unused": 1, "pcns": []})
    assert result.to_dict("records") == [
        {"pcn_code": "U00002", "pcn_name": "St Mary's PCN", "list_size": 10_000, "icb_code": "QZZ"}
    ]


def test_run_names_a_missing_parameter(con):
    with pytest.raises(KeyError, match="date_from"):
        queries.run(con, "referral_funnel", {"pcns": []})


def test_run_refuses_a_query_name_that_is_not_a_file(con):
    with pytest.raises(KeyError, match="no query named"):
        queries.run(con, "../secrets", {})


def test_header_parameters_read_the_one_header_form():
    text = "-- q: what.\n-- grain: one row.\n-- parameters: $a (a thing, not $b's),\n--   $c.\nx"
    assert queries.header_parameters(text) == {"a", "b", "c"}
    assert queries.header_parameters("-- q: x.\n-- parameters: none.\nselect 1") == set()
    with pytest.raises(ValueError, match="one '-- parameters:' line"):
        queries.header_parameters("-- q: x.\n-- grain: one row. parameters: none.\nselect 1")
    with pytest.raises(ValueError, match="must end the header"):
        queries.header_parameters("-- q: x.\n-- parameters: $a.\n-- grain: one row.\nselect 1")


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


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2025, 4, 1), date(2026, 3, 31)),
        (date(2025, 4, 2), date(2025, 6, 29)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 2, 2), date(2024, 2, 28)),
        (date(2024, 12, 15), date(2025, 1, 31)),
        (date(2025, 6, 1), date(2025, 6, 1)),
        (date(2025, 6, 15), date(2025, 6, 15)),
        (date(2025, 6, 30), date(2025, 6, 30)),
    ],
)
def test_in_part_month_is_every_day_of_the_period_outside_its_whole_months(con, date_from, date_to):
    days = con.execute(
        """
        select
            day::date as day,
            in_part_month(day::date, $date_from, $date_to) as part,
            day::date between $date_from and $date_to
                and month_number(day::date) not between month_from and month_to as expected
        from range($date_from::date - 40, $date_to::date + 40, interval 1 day) as t(day),
            period_months($date_from, $date_to)
        """,
        {"date_from": date_from, "date_to": date_to},
    ).fetchall()
    assert [day for day, part, expected in days if part != expected] == []
    assert any(part for _, part, _ in days) == any(expected for _, _, expected in days)
