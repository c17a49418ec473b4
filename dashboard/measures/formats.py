"""One way to write every number, sum of money, date and code a person reads.

Titles, captions, key messages, tiles and shown tables all write through these, so a figure
reads the same on a page, a slide and in presentation mode: `15,694`, `−£111`, `+10%`,
`1 Apr 2025`, `Family and friends`. Negative numbers carry a true minus sign (U+2212), not a
hyphen. Nothing here rounds for disclosure: pass only figures the gate has shown.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard.data.contract import label

MINUS = "\u2212"
# Under this many pounds a sum keeps its pence (a unit cost of £4.50); above it, whole pounds.
PENCE_BELOW = 10


def _signed(text: str) -> str:
    return text.replace("-", MINUS, 1) if text.startswith("-") else text


def _zero(value: float, digits: int) -> float:
    """`-0.0` rounds to `0`, never to a negative zero."""
    return 0.0 if round(value, digits) == 0 else value


def number(value: float, digits: int = 0) -> str:
    """`15,694`, `10.9`, `−3`: thousands separators and a true minus."""
    return _signed(f"{_zero(float(value), digits):,.{digits}f}")


def signed(value: float, digits: int = 0) -> str:
    """A change: `+0.36`, `−0.36`, `0`."""
    value = _zero(float(value), digits)
    return number(value, digits) if value <= 0 else f"+{number(value, digits)}"


def percent(value: float, digits: int = 0) -> str:
    """`28%`, `12.8%`."""
    return f"{number(value, digits)}%"


def signed_percent(value: float, digits: int = 0) -> str:
    """A change in per cent: `+10%`, `−17%`, `0%`."""
    return f"{signed(value, digits)}%"


def money(value: float) -> str:
    """`£1,234`, `−£111`; pence only under £10 (`£4.50`)."""
    value = float(value)
    digits = 2 if abs(value) < PENCE_BELOW else 0
    value = _zero(value, digits)
    text = f"£{abs(value):,.{digits}f}"
    return f"{MINUS}{text}" if value < 0 else text


def money_about(value: float) -> str:
    """A large sum without false precision, and without its sign (the sentence says `fell`
    or `rose`): `£1.15 million`, `£115,000`; to 3 significant figures."""
    value = abs(float(value))
    if value >= 1_000_000:
        return f"£{value / 1_000_000:.3g} million"
    rounded = float(f"{value:.3g}") if value else 0.0
    return f"£{rounded:,.0f}"


def _as_date(value: date | datetime | pd.Timestamp | str) -> date:
    return pd.Timestamp(value).date()


def day(value: date | datetime | pd.Timestamp | str) -> str:
    """`1 Apr 2025`."""
    shown = _as_date(value)
    return f"{shown.day} {shown:%b %Y}"


def month(value: date | datetime | pd.Timestamp | str) -> str:
    """`Apr 2025`: a month of a monthly series."""
    return f"{_as_date(value):%b %Y}"


def period(date_from: Any, date_to: Any) -> str:
    """`1 Apr 2025 to 31 Mar 2026` (both days included)."""
    return f"{day(date_from)} to {day(date_to)}"


def in_sentence(code: Any) -> str:
    """A code's name inside a sentence: `family and friends`, but `GP appointments`."""
    text = label(code)
    first = text.split(" ")[0]
    # Acronyms and names (GP, A&E, ONS4, Wellbeing Star) keep their capitals.
    return (
        text if first.isupper() or any(c.isdigit() for c in first) else text[:1].lower() + text[1:]
    )


def true_minus(text: str) -> str:
    """`-17%` -> `−17%`: every hyphen used as a minus sign (before a digit or £) made a true
    minus, and a rounded negative zero (`-0%`) made `0%`."""
    text = re.sub(r"(?<![\w)])[-+]0(\.0+)?(?![\d.])", lambda m: m.group(0)[1:], text)
    return re.sub(r"(?<![\w)])-(?=[\d£])", MINUS, text)
