from datetime import date

import pandas as pd

from dashboard.measures import formats
from dashboard.measures.disclosure import MARK, Rules, disclose

MINUS = "\u2212"


def test_numbers_carry_thousands_separators_and_a_true_minus():
    assert formats.number(15694) == "15,694"
    assert formats.number(1234567.891, 1) == "1,234,567.9"
    assert formats.number(-3.14159, 2) == f"{MINUS}3.14"
    assert formats.number(-0.2) == "0"  # never a negative zero


def test_changes_are_signed_and_zero_is_plain():
    assert formats.signed(0.364, 2) == "+0.36"
    assert formats.signed(-0.364, 2) == f"{MINUS}0.36"
    assert formats.signed_percent(9.6) == "+10%"
    assert formats.signed_percent(-16.7) == f"{MINUS}17%"
    assert formats.signed_percent(0.3) == "0%"
    assert formats.percent(12.84, 1) == "12.8%"


def test_money_is_whole_pounds_with_pence_only_under_ten_pounds():
    assert formats.money(-111.08) == f"{MINUS}£111"
    assert formats.money(1234.4) == "£1,234"
    assert formats.money(-1154908) == f"{MINUS}£1,154,908"
    assert formats.money(4.5) == "£4.50"
    assert formats.money(-0.004) == "£0.00"


def test_dates_read_day_month_year_without_a_leading_zero():
    assert formats.day(date(2025, 4, 1)) == "1 Apr 2025"
    assert formats.day(pd.Timestamp("2026-03-31 14:00")) == "31 Mar 2026"
    assert formats.period(date(2025, 4, 1), date(2026, 3, 31)) == "1 Apr 2025 to 31 Mar 2026"
    assert formats.month(date(2025, 10, 1)) == "Oct 2025"


def test_codes_read_as_plain_english_keeping_their_and():
    assert formats.label("family_friends") == "Family and friends"
    assert formats.label("advice_money") == "Advice and money"
    assert formats.label("gp_appointment") == "GP appointments"
    assert formats.label("looking_after_yourself") == "Looking after yourself"
    assert formats.label("other") == "Other"
    assert formats.in_sentence("family_friends") == "family and friends"
    assert formats.in_sentence("gp_appointment") == "GP appointments"


def test_true_minus_changes_minus_signs_only():
    assert formats.true_minus("fell -17%, to -£5") == f"fell {MINUS}17%, to {MINUS}£5"
    assert formats.true_minus("aged 18-24, Peer PCN a-1") == "aged 18-24, Peer PCN a-1"
    assert formats.true_minus("-0% change") == "0% change"


def test_a_shown_table_is_text_with_labels_dates_and_no_none():
    frame = pd.DataFrame(
        {
            "activity": ["advice_money", "walking", None],
            "provider_name": ["a_b Trust", "Walkers", "Nobody"],
            "ends": pd.to_datetime(["2026-04-01", None, "2026-05-01"]),
            "demand": [3, 15694, 0],
            "change": [-0.767, float("nan"), 1.5],
        }
    )
    shown = disclose(frame, Rules(counts=("demand",))).text(
        {"activity": "Activity", "provider_name": "Service", "ends": "Ends", "demand": "n",
         "change": "Change"}
    )  # fmt: skip
    assert shown.to_dict("list") == {
        "Activity": ["Advice and money", "Walking", ""],
        "Service": ["a_b Trust", "Walkers", "Nobody"],  # names are not codes
        "Ends": ["1 Apr 2026", "", "1 May 2026"],
        "n": [MARK, "15,695", "0"],
        "Change": [f"{MINUS}0.767", "", "1.5"],
    }


def test_a_large_sum_is_written_without_false_precision_or_sign():
    assert formats.money_about(-1_154_908) == "£1.15 million"
    assert formats.money_about(115_432) == "£115,000"
    assert formats.money_about(987) == "£987"
    assert formats.money_about(0) == "£0"
