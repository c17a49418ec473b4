"""Synthetic referrals: when, from where and why people are referred, and how far each
referral has gone by the extract date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.data.contract import AgeBand, Ethnicity, ReferralSource
from dashboard.devtools.synthetic.extract import EXTRACT_DATE, FIRST_DAY, LAST_DAY, numbered

_REASONS = (
    "loneliness",
    "mental_wellbeing",
    "money",
    "housing",
    "physical_activity",
    "long_term_condition",
    "carer",
    "bereavement",
    "employment",
    "other",
)
_REASON_WEIGHTS = (0.22, 0.25, 0.12, 0.07, 0.07, 0.10, 0.05, 0.05, 0.03, 0.04)
_AGE_WEIGHTS = (0.02, 0.07, 0.11, 0.12, 0.14, 0.16, 0.17, 0.14, 0.07)
_SEXES = ("female", "male", "other", "unknown")
_SEX_WEIGHTS = (0.60, 0.385, 0.005, 0.01)
_ETHNICITY_WEIGHTS = (0.80, 0.03, 0.08, 0.04, 0.02, 0.03)
_MEDICAL_SOURCES = ("gp", "nurse", "other_clinician", "practice_staff")
_COMMUNITY_SOURCES = ("self", "vcse", "social_care", "secondary_care", "other")
_PRACTICES_PER_PCN = 6


def _day_weights() -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    years = np.asarray((days - pd.Timestamp(FIRST_DAY)).days) / 365.25
    weights = 1.0 + 0.12 * years  # services grow year on year
    weights = weights * np.where(days.day_of_week >= 5, 0.08, 1.0)  # few weekend referrals
    weights = weights * np.where(days.month == 8, 0.8, 1.0) * np.where(days.month == 12, 0.75, 1.0)
    return days, weights / weights.sum()


def referral_counts(rng: np.random.Generator, pcns: pd.DataFrame, total: int | None) -> np.ndarray:
    """Each PCN's number of referrals over three years, at its rate; exactly `total` in all
    when given."""
    expected = pcns["rate"] * pcns["list_size"] / 1000 * 3
    if total is None:
        return rng.poisson(expected.to_numpy())
    return rng.multinomial(total, (expected / expected.sum()).to_numpy())


def draw_referrals(
    rng: np.random.Generator,
    pcns: pd.DataFrame,
    counts: np.ndarray,
    *,
    first_pcn: int,
    first_referral: int,
) -> pd.DataFrame:
    """`counts[i]` referrals for the i-th of `pcns`, which is the ICB's PCN number
    `first_pcn + i`; referrals are numbered from `first_referral`, and so are the people
    (less one), so that parts of an ICB drawn apart share no identifier."""
    n = int(counts.sum())
    pcn_index = np.repeat(np.arange(len(pcns)), counts)
    days, weights = _day_weights()
    referral_date = days.to_numpy()[rng.choice(len(days), size=n, p=weights)]

    deprivation = pcns["deprivation"].to_numpy()[pcn_index]
    age_index = rng.choice(len(AgeBand), size=n, p=_AGE_WEIGHTS)
    sex_index = rng.choice(len(_SEXES), size=n, p=_SEX_WEIGHTS)
    ethnicity_index = rng.choice(len(Ethnicity), size=n, p=_ETHNICITY_WEIGHTS)
    decile = np.clip(np.round(rng.normal(10 - 8 * deprivation, 2.2)), 1, 10)
    imd_decile = pd.array(decile.astype("int64"), dtype="Int64")
    imd_decile[rng.random(n) < 0.03] = pd.NA

    # People from deprived areas, younger people, men and ethnic minorities reach social
    # prescribing more often through non-medical routes.
    community_odds = (
        0.22
        + 0.10 * (decile <= 3)
        + 0.08 * (age_index <= 2)
        + 0.05 * (sex_index == 1)
        + 0.08 * np.isin(ethnicity_index, (1, 2, 3, 4))
    )
    community = rng.random(n) < community_odds
    source = np.where(
        community,
        rng.choice(_COMMUNITY_SOURCES, size=n, p=(0.35, 0.25, 0.18, 0.12, 0.10)),
        rng.choice(_MEDICAL_SOURCES, size=n, p=(0.72, 0.10, 0.08, 0.10)),
    )
    reason = rng.choice(_REASONS, size=n, p=_REASON_WEIGHTS)

    wait = np.ceil(rng.gamma(2.0, 5.0, size=n) * pcns["wait_scale"].to_numpy()[pcn_index])
    first_contact = referral_date + wait.astype("timedelta64[D]")
    duration = rng.integers(30, 150, size=n).astype("timedelta64[D]")
    status, first_contact_date, end_date = _progress(rng, referral_date, first_contact, duration)

    # One referral in twelve picks another of the part at random and, when that one is from
    # the same PCN, re-refers its person; people never span two PCNs, and so never two parts.
    person = first_referral - 1 + np.arange(n)
    rereferral = np.flatnonzero(rng.random(n) < 0.08)
    earlier = rng.integers(0, n, size=rereferral.size)
    same_pcn = pcn_index[earlier] == pcn_index[rereferral]
    person[rereferral[same_pcn]] = person[earlier[same_pcn]]

    practice_number = (first_pcn + pcn_index) * _PRACTICES_PER_PCN + rng.integers(
        0, _PRACTICES_PER_PCN, size=n
    )

    frame = pd.DataFrame(
        {
            "referral_id": numbered("R", first_referral + np.arange(n)),
            "person_id": numbered("P", person),
            "pcn_code": pcns["pcn_code"].to_numpy()[pcn_index],
            "practice_code": np.char.add("Y", np.char.zfill(practice_number.astype(str), 5)),
            "referral_date": referral_date.astype("datetime64[D]"),
            "referral_source": source,
            "reason": reason,
            "age_band": np.array([band.value for band in AgeBand])[age_index],
            "sex": np.array(_SEXES)[sex_index],
            "ethnicity": np.array([e.value for e in Ethnicity])[ethnicity_index],
            "imd_decile": imd_decile,
            "first_contact_date": first_contact_date.astype("datetime64[D]"),
            "end_date": end_date.astype("datetime64[D]"),
            "status": status,
        }
    )
    assert set(frame["referral_source"]) <= {s.value for s in ReferralSource}
    return frame.sort_values(["referral_date", "referral_id"], ignore_index=True)


def _progress(
    rng: np.random.Generator,
    referral_date: np.ndarray,
    first_contact: np.ndarray,
    duration: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each referral's status, first contact date and end date as known at the extract date."""
    n = len(referral_date)
    end = first_contact + duration
    u = rng.random(n)
    contacted = u < 0.86
    not_contactable = (u >= 0.86) & (u < 0.94)
    declined_before_contact = u >= 0.94
    v = rng.random(n)
    declined_after_contact = contacted & (v < 0.08)
    did_not_attend = contacted & (v >= 0.08) & (v < 0.14)
    engaged = contacted & (v >= 0.14)
    completes = engaged & (rng.random(n) < 0.78)

    extract = np.datetime64(EXTRACT_DATE)
    contact_known = contacted & (first_contact <= extract)
    closed_early = not_contactable | declined_before_contact | declined_after_contact
    end = np.where(closed_early, referral_date + duration // 3, end)
    end = np.where(did_not_attend, first_contact + np.timedelta64(14, "D"), end)
    ended = end <= extract
    status = np.full(n, "referred", dtype=object)
    status[contact_known] = "contacted"
    status[engaged & contact_known] = "engaged"
    status[completes & contact_known & ended] = "completed"
    status[did_not_attend & contact_known & ended] = "did_not_attend"
    status[not_contactable & ended] = "not_contactable"
    status[(declined_before_contact | declined_after_contact) & ended] = "declined"

    has_end = np.isin(status, ("completed", "declined", "did_not_attend", "not_contactable"))
    nat = np.datetime64("NaT")
    # A declined referral records no first contact: the two together are a load warning.
    first_contact_date = np.where(contact_known & (status != "declined"), first_contact, nat)
    end_date = np.where(has_end, end, nat)
    return status, first_contact_date, end_date
