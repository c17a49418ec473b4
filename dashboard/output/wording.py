"""The board paper's house style on sentences the views wrote: dates as `1 Apr 2025`, true
minus signs, en dashes in ranges, no raw codes (`gp_appointment`). Numbers the paper writes
itself go through dashboard.measures.formats, the one way every surface writes them."""

from __future__ import annotations

import re

import pandas as pd

from dashboard.measures import formats

_LEADING_ZERO_DAY = re.compile(r"\b0(\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_RANGE = re.compile(r"(?<=[\d%])-(?=\d)")  # 8-12, 0.8%-1.2%: an en dash, not a minus
_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def money(value: float | None) -> str:
    """`−£111`, `£1,234`; `withheld` for a figure the disclosure gate withheld."""
    return "withheld" if value is None or pd.isna(value) else formats.money(value)


def money_about(value: float | None) -> str:
    """`£1.15 million`; `withheld` for a figure the disclosure gate withheld."""
    return "withheld" if value is None or pd.isna(value) else formats.money_about(value)


def plain(text: str) -> str:
    """A sentence from a view, in the paper's style."""
    text = _LEADING_ZERO_DAY.sub(r"\1 \2", text)
    # Ranges first: a hyphen between two numbers is a range, not a minus.
    text = _RANGE.sub("–", text)
    text = formats.true_minus(text.replace("£-", "-£"))
    text = _CODE.sub(lambda m: formats.in_sentence(m.group(0)), text)
    return text.replace("`", "")
