"""Synthetic VCSE provision: the services in each PCN, and the onward referrals link workers
make to them, which meet no capacity where demand outruns the places."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.data.contract import ACTIVITY_GROUP, column_names
from dashboard.devtools.synthetic.extract import EXTRACT_DATE, LAST_DAY, numbered

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
_PROVIDER_KINDS = ("Trust", "Community Interest Company", "Group", "Project", "Charity")


def draw_services(
    rng: np.random.Generator, pcns: pd.DataFrame, *, first_service: int
) -> pd.DataFrame:
    """Most activities in most PCNs, with places, funding and status; numbered from
    `first_service`."""
    rows = []
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
                    f"{_PROVIDER_KINDS[int(rng.integers(len(_PROVIDER_KINDS)))]}",
                    "activity": activity,
                    "monthly_capacity": capacity,
                    "funding": funding,
                    "funding_end_date": end,
                    "status": rng.choice(("open", "closed", "paused"), p=(0.91, 0.06, 0.03)),
                    "waiting_list": int(rng.poisson(3)),
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "service_id", [f"S{first_service + i:05d}" for i in range(len(frame))])
    frame["funding_end_date"] = pd.to_datetime(frame["funding_end_date"]).astype("datetime64[s]")
    return frame[column_names("services")]


def draw_onward_referrals(
    rng: np.random.Generator, refs: pd.DataFrame, services: pd.DataFrame, *, first_onward: int
) -> pd.DataFrame:
    """One or two onward referrals per contacted person, to activities that suit their need,
    numbered from `first_onward`. `services` must include those of every PCN in `refs`."""
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
    frame.insert(0, "onward_id", numbered("O", first_onward + np.arange(n)))
    assert set(frame["activity"]) <= set(ACTIVITY_GROUP)
    return frame[["onward_id", "referral_id", "service_id", "activity", "onward_date", "result"]]
