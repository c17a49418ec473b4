"""The board paper's house style for words and numbers: dates as `1 Apr 2025`, money as
`−£111` with a true minus sign, thousands separators, no raw codes (`gp_appointment`)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

MINUS = "−"  # U+2212, not a hyphen
_LEADING_ZERO_DAY = re.compile(r"\b0(\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
# A hyphen before a number or a pound sign, at the start or after a space or bracket.
_NEGATIVE = re.compile(r"(?:(?<=[\s(])|^)-(?=[\d£])")
_RANGE = re.compile(r"(?<=\d)-(?=\d)")  # 8-12: an en dash
_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_NAMED_CODES = {
    "gp_appointment": "GP appointments",
    "ae_attendance": "A&E attendances",
    "nonelective_admission": "non-elective admissions",
    "wellbeing_star": "Wellbeing Star",
    "not_stated": "not stated",
}


def day(value: date | pd.Timestamp) -> str:
    """`1 Apr 2025`."""
    return f"{value.day} {value:%b %Y}"


def money(value: float | None, whole: bool = True) -> str:
    """`−£111`, `£1,234`; `withheld` for a figure the disclosure gate withheld."""
    if value is None or pd.isna(value):
        return "withheld"
    text = f"£{abs(value):,.0f}" if whole else f"£{abs(value):,.2f}"
    return f"{MINUS}{text}" if round(value, 0 if whole else 2) < 0 else text


def signed(value: float, template: str = "{:+.2f}") -> str:
    """A change with its sign, the minus a true minus: `+0.12`, `−0.36`."""
    return template.format(value).replace("-", MINUS)


def plain(text: str) -> str:
    """A sentence from a view, in the paper's style."""
    text = _LEADING_ZERO_DAY.sub(r"\1 \2", text)
    text = text.replace("£-", f"{MINUS}£").replace("-£", f"{MINUS}£")
    text = _NEGATIVE.sub(MINUS, text)
    text = _RANGE.sub("–", text)
    text = _CODE.sub(lambda m: _NAMED_CODES.get(m.group(0), m.group(0).replace("_", " ")), text)
    return text.replace("`", "")
