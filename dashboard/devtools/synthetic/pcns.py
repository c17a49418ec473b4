"""Synthetic PCNs: list sizes, population by age band, IMD quintile and sex, and the hidden
traits (referral rate, deprivation, wait) that the referrals are drawn from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.data.contract import POPULATION_AGE_COLUMNS, POPULATION_IMD_COLUMNS

ICB_CODE = "QZZ"
# Columns that shape the referrals but are not part of the pcns extract.
TRAITS = ["rate", "deprivation", "wait_scale"]

_PLACES = (
    "Riverside",
    "Northgate",
    "Castle Hill",
    "St Mary's",
    "Millbrook",
    "Ashford Vale",
    "Kingsmead",
    "Oakfield",
    "Harbourside",
    "Westfield",
    "Elmswood",
    "Brookside",
    "Foxley",
    "Greenbank",
    "Hollins",
    "Lakeside",
    "Moorland",
    "Newtown",
    "Old Market",
    "Parkway",
    "Queensbury",
    "Redhill",
    "Southmoor",
    "Thornbury",
    "Upton",
    "Valley",
    "Whitecross",
    "Yardley",
    "Abbey",
    "Beacon",
    "Coldharbour",
    "Deansgate",
)
_AGE_POPULATION_SHARE = (0.20, 0.08, 0.14, 0.14, 0.13, 0.13, 0.10, 0.06, 0.02)


def draw_pcns(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """`n` PCNs with the pcns extract's columns plus `TRAITS`."""
    codes = 10_000 + rng.choice(89_999, size=n, replace=False)
    names = [
        f"{_PLACES[i % len(_PLACES)]}{'' if i < len(_PLACES) else f' {i // len(_PLACES) + 1}'} PCN"
        for i in range(n)
    ]
    list_size = rng.integers(25_000, 70_001, size=n)
    deprivation = rng.beta(2, 2, size=n)  # 0 affluent .. 1 deprived
    frame = pd.DataFrame(
        {
            "pcn_code": [f"U{code:05d}" for code in codes],
            "pcn_name": names,
            "icb_code": ICB_CODE,
            "list_size": list_size,
            # undated: the list counts as of the load, as an extract without EXTRACT_DATE
            "list_size_date": pd.Series([None] * n, dtype="datetime64[ns]"),
        }
    )
    age_share = rng.dirichlet(np.array(_AGE_POPULATION_SHARE) * 200, size=n)
    for j, column in enumerate(POPULATION_AGE_COLUMNS.values()):
        frame[column] = np.round(list_size * age_share[:, j]).astype("int64")
    quintile_weights = np.stack(
        [np.exp(-((np.arange(5) - 4 * (1 - d)) ** 2) / 3) for d in deprivation]
    )
    quintile_share = quintile_weights / quintile_weights.sum(axis=1, keepdims=True)
    for j, column in enumerate(POPULATION_IMD_COLUMNS.values()):
        frame[column] = np.round(list_size * quintile_share[:, j]).astype("int64")
    female_share = rng.normal(0.505, 0.01, size=n)
    frame["pop_female"] = np.round(list_size * female_share).astype("int64")
    frame["pop_male"] = list_size - frame["pop_female"]
    # A spread of annual referral rates per 1,000 around the 8-12 planning band.
    frame["rate"] = rng.uniform(4.0, 16.5, size=n)
    frame["deprivation"] = deprivation
    frame["wait_scale"] = rng.uniform(0.6, 2.2, size=n)
    return frame
