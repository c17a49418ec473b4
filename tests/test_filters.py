from datetime import date

from dashboard.measures.filters import Filters, default_period, parse_query_params

DEFAULT = (date(2025, 4, 1), date(2026, 3, 31))
KNOWN = {"U12345", "U23456"}


def test_default_period_is_the_latest_whole_financial_year_in_the_data():
    assert default_period(date(2023, 4, 1), date(2026, 3, 31)) == DEFAULT
    assert default_period(date(2023, 4, 1), date(2026, 10, 15)) == DEFAULT
    assert default_period(date(2023, 4, 1), date(2026, 3, 30)) == (
        date(2024, 4, 1),
        date(2025, 3, 31),
    )


def test_default_period_is_all_the_data_when_no_financial_year_ends_inside_it():
    assert default_period(date(2025, 5, 1), date(2025, 9, 30)) == (
        date(2025, 5, 1),
        date(2025, 9, 30),
    )


def test_filters_count_both_ends_of_the_period():
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    assert filters.days == 365
    assert filters.params()["days"] == 365


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    previous = Filters(date_from=date(2025, 4, 1), date_to=date(2025, 4, 30)).previous()
    assert (previous.date_from, previous.date_to) == (date(2025, 3, 2), date(2025, 3, 31))


def test_query_params_parse_a_shared_link():
    filters, notices = parse_query_params(
        {"pcn": ["U12345"], "from": ["2024-04-01"], "to": ["2025-03-31"]}, KNOWN, DEFAULT
    )
    assert notices == []
    assert filters == Filters(
        pcns=("U12345",), date_from=date(2024, 4, 1), date_to=date(2025, 3, 31)
    )


def test_query_params_accept_comma_separated_and_lower_case_codes():
    filters, _ = parse_query_params({"pcn": ["u12345,U23456"]}, KNOWN, DEFAULT)
    assert filters.pcns == ("U12345", "U23456")


def test_query_params_ignore_malformed_and_unknown_values_with_a_notice():
    filters, notices = parse_query_params(
        {"pcn": ["X1", "U99999", "U12345"], "from": ["31/03/2025"], "colour": ["red"]},
        KNOWN,
        DEFAULT,
    )
    assert filters.pcns == ("U12345",)
    assert (filters.date_from, filters.date_to) == DEFAULT
    assert len(notices) == 4
    assert any("colour" in n for n in notices)
    assert any("U99999" in n and "no PCN" in n for n in notices)
    assert any("X1" in n for n in notices)
    assert any("31/03/2025" in n for n in notices)


def test_query_params_with_a_reversed_period_fall_back_to_the_default():
    filters, notices = parse_query_params(
        {"from": ["2026-01-01"], "to": ["2025-01-01"]}, KNOWN, DEFAULT
    )
    assert (filters.date_from, filters.date_to) == DEFAULT
    assert notices


def test_url_form_leaves_out_the_default_period():
    filters = Filters(pcns=("U12345",), date_from=DEFAULT[0], date_to=DEFAULT[1])
    assert filters.query_params(DEFAULT) == {"pcn": ["U12345"]}


def test_a_whole_financial_year_is_compared_with_the_one_before_and_counts_as_one_year():
    leap = Filters(date_from=date(2023, 4, 1), date_to=date(2024, 3, 31))  # 366 days
    assert leap.days == 366
    assert leap.year_days == 365
    fy = Filters(date_from=date(2024, 4, 1), date_to=date(2025, 3, 31))
    before = fy.previous()
    # Not 2 Apr 2023 to 31 Mar 2024, as the same number of days before would give.
    assert (before.date_from, before.date_to) == (date(2023, 4, 1), date(2024, 3, 31))
    two = Filters(date_from=date(2023, 4, 1), date_to=date(2025, 3, 31))
    assert two.year_days == 730
    assert two.previous().date_from == date(2021, 4, 1)


def test_a_part_year_is_compared_with_the_same_number_of_days_before():
    part = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert part.year_days == 31
    assert (part.previous().date_from, part.previous().date_to) == (
        date(2024, 12, 1),
        date(2024, 12, 31),
    )
