"""A synthetic ICB: PCNs, referrals, outcomes, utilisation and VCSE provision.

Seeded and deterministic. Patterns follow published findings, not any real patient:
referral rates that put some PCNs below, some inside and some above the planning band;
wellbeing gains that are largest for people with a low baseline; modest falls in service
use that partly reflect regression to the mean (the comparison cohort falls too); and VCSE
capacity that runs short in some places and activities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.data.contract import (
    ACTIVITY_GROUP,
    MEASURE_DOMAINS,
    POPULATION_AGE_COLUMNS,
    POPULATION_IMD_COLUMNS,
    AgeBand,
    Ethnicity,
    ReferralSource,
    column_names,
)

FIRST_DAY = date(2023, 4, 1)
LAST_DAY = date(2026, 3, 31)
# The extract was taken two months after the last referral: later events are not yet known.
EXTRACT_DATE = date(2026, 5, 31)
WINDOW_MONTHS = 6
REFERRALS_PER_PCN = 1_400  # over the three years, at the default scale
ICB_CODE = "QZZ"

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
_AGE_POPULATION_SHARE = (0.20, 0.08, 0.14, 0.14, 0.13, 0.13, 0.10, 0.06, 0.02)
_SEXES = ("female", "male", "other", "unknown")
_SEX_WEIGHTS = (0.60, 0.385, 0.005, 0.01)
_ETHNICITY_WEIGHTS = (0.80, 0.03, 0.08, 0.04, 0.02, 0.03)
_MEDICAL_SOURCES = ("gp", "nurse", "other_clinician", "practice_staff")
_COMMUNITY_SOURCES = ("self", "vcse", "social_care", "secondary_care", "other")
# Activities a link worker typically suggests for each primary need.
_ACTIVITIES_FOR_REASON = {
    "loneliness": ("befriending", "arts", "walking", "group_learning", "dance"),
    "mental_wellbeing": ("mental_health_support", "arts", "gardening", "walking", "volunteering"),
    "money": ("advice_money",),
    "housing": ("advice_housing", "advice_money"),
    "physical_activity": ("walking", "sport", "dance", "healthy_eating"),
    "long_term_condition": ("healthy_eating", "walking", "cooking", "sport"),
    "carer": ("befriending", "advice_money", "mental_health_support"),
    "bereavement": ("befriending", "mental_health_support", "arts"),
    "employment": ("volunteering", "group_learning", "advice_money"),
    "other": ("other", "gardening", "cooking"),
}
_ACTIVITY_CAPACITY = {  # typical places a month for one service
    "arts": 12,
    "befriending": 10,
    "gardening": 8,
    "cooking": 8,
    "healthy_eating": 10,
    "volunteering": 10,
    "walking": 25,
    "dance": 12,
    "sport": 15,
    "group_learning": 10,
    "advice_money": 12,
    "advice_housing": 6,
    "mental_health_support": 8,
    "other": 6,
}
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


@dataclass(frozen=True)
class SyntheticIcb:
    pcns: pd.DataFrame
    referrals: pd.DataFrame
    outcomes: pd.DataFrame
    utilisation: pd.DataFrame
    services: pd.DataFrame
    onward_referrals: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "pcns": self.pcns,
            "referrals": self.referrals,
            "outcomes": self.outcomes,
            "utilisation": self.utilisation,
            "services": self.services,
            "onward_referrals": self.onward_referrals,
        }


def generate(referrals: int | None = None, seed: int = 2024) -> SyntheticIcb:
    """A synthetic ICB; `referrals` sets the scale (about 42,000 over three years by default)."""
    rng = np.random.default_rng(seed)
    n_pcns = 30 if referrals is None else max(30, round(referrals / REFERRALS_PER_PCN))
    pcns = _pcns(rng, n_pcns)
    refs = _referrals(rng, pcns, referrals)
    return SyntheticIcb(
        pcns=pcns.drop(columns=["rate", "deprivation", "wait_scale"]),
        referrals=refs,
        outcomes=_outcomes(rng, refs),
        utilisation=_utilisation(rng, refs),
        services=(services := _services(rng, pcns)),
        onward_referrals=_onward_referrals(rng, refs, services),
    )


def _pcns(rng: np.random.Generator, n: int) -> pd.DataFrame:
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


def _day_weights() -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    years = np.asarray((days - pd.Timestamp(FIRST_DAY)).days) / 365.25
    weights = 1.0 + 0.12 * years  # services grow year on year
    weights = weights * np.where(days.day_of_week >= 5, 0.08, 1.0)  # few weekend referrals
    weights = weights * np.where(days.month == 8, 0.8, 1.0) * np.where(days.month == 12, 0.75, 1.0)
    return days, weights / weights.sum()


def _referrals(rng: np.random.Generator, pcns: pd.DataFrame, total: int | None) -> pd.DataFrame:
    expected = pcns["rate"] * pcns["list_size"] / 1000 * 3
    if total is not None:
        expected = expected * total / expected.sum()
        counts = rng.multinomial(total, (expected / expected.sum()).to_numpy())
    else:
        counts = rng.poisson(expected.to_numpy())
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

    # About one referral in twelve is a re-referral of someone already known to the PCN.
    person = np.arange(n)
    rereferral = np.flatnonzero(rng.random(n) < 0.08)
    earlier = rng.integers(0, n, size=rereferral.size)
    same_pcn = pcn_index[earlier] == pcn_index[rereferral]
    person[rereferral[same_pcn]] = person[earlier[same_pcn]]

    practices_per_pcn = 6
    practice_number = pcn_index * practices_per_pcn + rng.integers(0, practices_per_pcn, size=n)

    frame = pd.DataFrame(
        {
            "referral_id": np.char.add("R", np.char.zfill(np.arange(1, n + 1).astype(str), 8)),
            "person_id": np.char.add("P", np.char.zfill(person.astype(str), 8)),
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


def _outcomes(rng: np.random.Generator, refs: pd.DataFrame) -> pd.DataFrame:
    started = refs[refs["status"].isin(("engaged", "completed"))]
    n = len(started)
    measure_draw = rng.random(n)
    has_followup = np.where(
        started["status"].to_numpy() == "completed", rng.random(n) < 0.68, rng.random(n) < 0.15
    )
    baseline_date = started["first_contact_date"].to_numpy()
    followup_date = np.where(has_followup, started["end_date"].to_numpy(), np.datetime64("NaT"))
    frames = [
        _star(rng, started[measure_draw < 0.62], has_followup[measure_draw < 0.62]),
        _ons4(
            rng,
            started[(measure_draw >= 0.62) & (measure_draw < 0.80)],
            has_followup[(measure_draw >= 0.62) & (measure_draw < 0.80)],
        ),
        _total(
            rng,
            started[measure_draw >= 0.80],
            has_followup[measure_draw >= 0.80],
            measure_draw[measure_draw >= 0.80],
        ),
    ]
    dates = pd.DataFrame(
        {
            "referral_id": started["referral_id"].to_numpy(),
            "baseline_date": baseline_date.astype("datetime64[D]"),
            "followup_date": followup_date.astype("datetime64[D]"),
        }
    )
    outcomes = pd.concat(frames, ignore_index=True).merge(dates, on="referral_id", how="left")
    outcomes.loc[outcomes["followup_score"].isna(), "followup_date"] = pd.NaT
    return outcomes


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


def _utilisation(rng: np.random.Generator, refs: pd.DataFrame) -> pd.DataFrame:
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
        ("comparison", comparison_rows, 0.45),
    ):
        n = len(people)
        ids = (
            people["person_id"].to_numpy()
            if cohort == "referred"
            else np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
        )
        frailty = rng.gamma(2.0, 0.5, size=n)  # people differ in how much care they use
        for setting, before_mean, relative_fall in (
            ("gp_appointment", 4.6, 0.17),
            ("ae_attendance", 0.48, 0.16),
            ("nonelective_admission", 0.16, 0.14),
        ):
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
    return frame


def _services(rng: np.random.Generator, pcns: pd.DataFrame) -> pd.DataFrame:
    rows = []
    provider_kinds = ("Trust", "Community Interest Company", "Group", "Project", "Charity")
    for pcn in pcns.itertuples():
        place = pcn.pcn_name.removesuffix(" PCN")
        for activity, places in _ACTIVITY_CAPACITY.items():
            if rng.random() > 0.72:
                continue
            # Capacity follows list size loosely, so some PCN-activity pairs run short.
            capacity = int(rng.poisson(places * pcn.list_size / 45_000 * rng.uniform(0.3, 1.6)))
            funding = rng.choice(("funded", "time_limited", "unfunded"), p=(0.6, 0.25, 0.15))
            end = None
            if funding == "time_limited":
                end = pd.Timestamp(LAST_DAY) + pd.Timedelta(days=int(rng.integers(-180, 540)))
            rows.append(
                {
                    "pcn_code": pcn.pcn_code,
                    "provider_name": f"{place} {activity.replace('_', ' ').title()} "
                    f"{provider_kinds[int(rng.integers(len(provider_kinds)))]}",
                    "activity": activity,
                    "monthly_capacity": capacity,
                    "funding": funding,
                    "funding_end_date": end,
                    "status": rng.choice(("open", "closed", "paused"), p=(0.91, 0.06, 0.03)),
                    "waiting_list": int(rng.poisson(3)),
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "service_id", [f"S{i:05d}" for i in range(1, len(frame) + 1)])
    frame["funding_end_date"] = pd.to_datetime(frame["funding_end_date"]).astype("datetime64[s]")
    return frame[column_names("services")]


def _onward_referrals(
    rng: np.random.Generator, refs: pd.DataFrame, services: pd.DataFrame
) -> pd.DataFrame:
    started = refs[refs["status"].isin(("contacted", "engaged", "completed"))]
    repeats = np.where(rng.random(len(started)) < 0.35, 2, 1)
    people = started.loc[started.index.repeat(repeats)].reset_index(drop=True)
    n = len(people)
    activity = np.empty(n, dtype=object)
    for reason, options in _ACTIVITIES_FOR_REASON.items():
        rows = np.flatnonzero(people["reason"].to_numpy() == reason)
        activity[rows] = rng.choice(options, size=rows.size)
    onward_date = people["first_contact_date"] + pd.to_timedelta(rng.integers(0, 28, size=n), "D")
    onward_date = onward_date.where(
        onward_date <= pd.Timestamp(EXTRACT_DATE), pd.Timestamp(EXTRACT_DATE)
    )
    frame = pd.DataFrame(
        {
            "referral_id": people["referral_id"].to_numpy(),
            "pcn_code": people["pcn_code"].to_numpy(),
            "activity": activity,
            "onward_date": onward_date.to_numpy().astype("datetime64[D]"),
        }
    )
    # Link to one service for the PCN and activity where there is one.
    first_service = services.drop_duplicates(["pcn_code", "activity"])[
        ["pcn_code", "activity", "service_id", "status", "monthly_capacity"]
    ]
    frame = frame.merge(first_service, on=["pcn_code", "activity"], how="left")
    frame.loc[rng.random(n) < 0.05, "service_id"] = None

    month = frame["onward_date"].to_numpy().astype("datetime64[M]")
    demand = frame.groupby([frame["pcn_code"], frame["activity"], month])["referral_id"].transform(
        "size"
    )
    pressure = (demand / frame["monthly_capacity"].fillna(0).clip(lower=1)).to_numpy()
    short = rng.random(n) < np.clip((pressure - 1.0) * 0.5, 0, 0.7)
    result = rng.choice(
        ("attended", "accepted", "did_not_attend", "declined_by_person"),
        size=n,
        p=(0.62, 0.18, 0.12, 0.08),
    )
    result = np.where(short, rng.choice(("waitlisted", "declined_no_capacity"), size=n), result)
    result = np.where(frame["status"].to_numpy() == "closed", "service_closed", result)
    frame["result"] = result
    frame.insert(
        0, "onward_id", np.char.add("O", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    )
    assert set(frame["activity"]) <= set(ACTIVITY_GROUP)
    return frame[["onward_id", "referral_id", "service_id", "activity", "onward_date", "result"]]
