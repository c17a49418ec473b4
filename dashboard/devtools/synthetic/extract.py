"""What every synthetic extract shares: the period it covers, when it was taken, its identifiers."""

from __future__ import annotations

from datetime import date

import numpy as np

FIRST_DAY = date(2023, 4, 1)
LAST_DAY = date(2026, 3, 31)
# The extract was taken two months after the last referral: later events are not yet known.
EXTRACT_DATE = date(2026, 5, 31)
WINDOW_MONTHS = 6


def numbered(prefix: str, numbers: np.ndarray) -> np.ndarray:
    """Identifiers such as `R00000042`: `prefix`, then each number zero-padded to eight digits."""
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), 8))
