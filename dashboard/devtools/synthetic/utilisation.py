"""Synthetic health-system use before and after referral, for the referred and a comparison
cohort: both fall, partly by regression to the mean, the referred a little more."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.devtools.synthetic.extract import EXTRACT_DATE, WINDOW_MONTHS, numbered

# Mean count per window before referral, and the fall after it for the referred cohort.
_SETTINGS = (
    ("gp_appointment", 4.6, 0.17),
    ("ae_attendance", 0.48, 0.16),
    ("nonelective_admission", 0.16, 0.14),
)
# The comparison cohort's fall, as a share of the referred cohort's.
_COMPARISON_FALL = 0.45


def draw_utilisation(
    rng: np.random.Generator, refs: pd.DataFrame, *, first_comparison: int
) -> pd.DataFrame:
    """Counts per person, setting and window; comparison people carry their own PCN and date,
    and are numbered from `first_comparison`."""
    # Each person's first referral is their index date; only people with a whole
    # after-window before the extract date are linked.
    first = refs.drop_duplicates("person_id", keep="first")
    cutoff = pd.Timestamp(EXTRACT_DATE) - pd.DateOffset(months=WINDOW_MONTHS)
    referred = first[first["referral_date"] <= cutoff]
    n_comparison = len(referred) // 3
    comparison_rows = referred.sample(n=n_comparison, random_state=int(rng.integers(1 << 31)))
    frames = []
    for cohort, people, fall in (
        ("referred", referred, 1.0),
        ("comparison", comparison_rows, _COMPARISON_FALL),
    ):
        n = len(people)
        ids = (
            people["person_id"].to_numpy()
            if cohort == "referred"
            else numbered("C", first_comparison + np.arange(n))
        )
        frailty = rng.gamma(2.0, 0.5, size=n)  # people differ in how much care they use
        for setting, before_mean, relative_fall in _SETTINGS:
            before = rng.poisson(before_mean * frailty)
            after = rng.poisson(before_mean * frailty * (1 - relative_fall * fall))
            for period, counts in (("before", before), ("after", after)):
                frames.append(
                    pd.DataFrame(
                        {
                            "person_id": ids,
                            "setting": setting,
                            "period": period,
                            "window_months": WINDOW_MONTHS,
                            "count": counts,
                            "cohort": cohort,
                            "pcn_code": people["pcn_code"].to_numpy(),
                            "index_date": people["referral_date"]
                            .to_numpy()
                            .astype("datetime64[D]"),
                        }
                    )
                )
    frame = pd.concat(frames, ignore_index=True)
    # For the referred cohort the PCN and index date come from the referral itself.
    referred_rows = frame["cohort"] == "referred"
    frame.loc[referred_rows, "pcn_code"] = None
    frame.loc[referred_rows, "index_date"] = pd.NaT
    frame["extract_date"] = np.datetime64(EXTRACT_DATE, "D")
    return frame
