"""Synthetic outcome measures for people who engaged: Wellbeing Star, ONS4, SWEMWBS, WEMWBS.

Gains follow published patterns: people who start with a low Star score improve most, and for
ONS4 anxiety a fall is the improvement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.data.contract import MEASURE_DOMAINS

_STAR_GAIN = {  # mean gain in Star points for a middling baseline, by domain
    "feeling_positive": 0.75,
    "lifestyle": 0.55,
    "looking_after_yourself": 0.55,
    "managing_symptoms": 0.45,
    "work_volunteering": 0.30,
    "money": 0.60,
    "where_you_live": 0.40,
    "family_friends": 0.70,
}


def draw_outcomes(rng: np.random.Generator, refs: pd.DataFrame) -> pd.DataFrame:
    """One measure per engaged referral, a row per domain; most completers have a follow-up."""
    started = refs[refs["status"].isin(("engaged", "completed"))]
    n = len(started)
    measure_draw = rng.random(n)
    has_followup = np.where(
        started["status"].to_numpy() == "completed", rng.random(n) < 0.68, rng.random(n) < 0.15
    )
    baseline_date = started["first_contact_date"].to_numpy()
    followup_date = np.where(has_followup, started["end_date"].to_numpy(), np.datetime64("NaT"))
    star = measure_draw < 0.62
    ons4 = (measure_draw >= 0.62) & (measure_draw < 0.80)
    total = measure_draw >= 0.80
    frames = [
        _star(rng, started[star], has_followup[star]),
        _ons4(rng, started[ons4], has_followup[ons4]),
        _total(rng, started[total], has_followup[total], measure_draw[total]),
    ]
    dates = pd.DataFrame(
        {
            "referral_id": started["referral_id"].to_numpy(),
            "baseline_date": baseline_date.astype("datetime64[D]"),
            "followup_date": followup_date.astype("datetime64[D]"),
        }
    )
    scores = pd.concat(frames, ignore_index=True).merge(dates, on="referral_id", how="left")
    scores.loc[scores["followup_score"].isna(), "followup_date"] = pd.NaT
    return scores


def _long(
    ids: np.ndarray, measure: str, baseline: np.ndarray, followup: np.ndarray
) -> pd.DataFrame:
    domains = MEASURE_DOMAINS[measure]
    return pd.DataFrame(
        {
            "referral_id": np.repeat(ids, len(domains)),
            "measure": measure,
            "domain": np.tile(domains, len(ids)),
            "baseline_score": baseline.ravel(),
            "followup_score": followup.ravel(),
        }
    )


def _star(rng: np.random.Generator, people: pd.DataFrame, followup: np.ndarray) -> pd.DataFrame:
    domains = MEASURE_DOMAINS["wellbeing_star"]
    n = len(people)
    person_level = rng.normal(2.7, 0.6, size=(n, 1))
    baseline = np.clip(np.round(person_level + rng.normal(0, 0.8, size=(n, len(domains)))), 1, 5)
    gain = np.array([_STAR_GAIN[d] for d in domains])
    # Those who start lowest have most room to move, and move most.
    expected = gain * (1 + 0.45 * (3 - baseline))
    after = np.clip(np.round(baseline + rng.normal(expected, 0.9)), 1, 5)
    after[~followup] = np.nan
    return _long(people["referral_id"].to_numpy(), "wellbeing_star", baseline, after)


def _ons4(rng: np.random.Generator, people: pd.DataFrame, followup: np.ndarray) -> pd.DataFrame:
    n = len(people)
    means = np.array([4.6, 5.3, 4.8, 6.1])  # life satisfaction, worthwhile, happiness, anxiety
    change = np.array([1.1, 0.9, 1.0, -1.0])
    baseline = np.clip(np.round(rng.normal(means, 2.0, size=(n, 4))), 0, 10)
    after = np.clip(np.round(baseline + rng.normal(change, 1.8, size=(n, 4))), 0, 10)
    after[~followup] = np.nan
    return _long(people["referral_id"].to_numpy(), "ons4", baseline, after)


def _total(
    rng: np.random.Generator, people: pd.DataFrame, followup: np.ndarray, draw: np.ndarray
) -> pd.DataFrame:
    swemwbs = draw < 0.96
    frames = []
    for measure, chosen, mean, sd, gain, low, high in (
        ("swemwbs", swemwbs, 19.5, 4.0, 2.4, 7, 35),
        ("wemwbs", ~swemwbs, 40.0, 8.0, 4.0, 14, 70),
    ):
        k = int(chosen.sum())
        baseline = np.clip(np.round(rng.normal(mean, sd, size=(k, 1))), low, high)
        after = np.clip(np.round(baseline + rng.normal(gain, sd * 0.8, size=(k, 1))), low, high)
        after[~followup[chosen]] = np.nan
        frames.append(_long(people["referral_id"].to_numpy()[chosen], measure, baseline, after))
    return pd.concat(frames, ignore_index=True)
