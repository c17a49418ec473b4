from datetime import date

import pandas as pd
import pytest

from dashboard.data import store
from dashboard.data.contract import KINDS, columns
from dashboard.devtools import synthetic
from dashboard.measures import queries

# PCNs per part: the whole ICB of 30 PCNs in one part, and in ten parts of three.
PART_SIZES = {"one part": synthetic.PART_PCNS, "in parts": 3}


@pytest.fixture(scope="module", params=PART_SIZES.values(), ids=PART_SIZES.keys())
def part_pcns(request):
    return request.param


@pytest.fixture(scope="module")
def icb(part_pcns):
    return synthetic.generate(referrals=6_000, seed=7, part_pcns=part_pcns)


def test_generator_is_deterministic_for_a_seed(icb, part_pcns):
    again = synthetic.generate(referrals=6_000, seed=7, part_pcns=part_pcns)
    for kind, frame in icb.tables().items():
        pd.testing.assert_frame_equal(frame, again.tables()[kind], obj=kind)


def test_generator_differs_between_seeds(icb, part_pcns):
    other = synthetic.generate(referrals=6_000, seed=8, part_pcns=part_pcns)
    assert not icb.referrals["referral_date"].equals(other.referrals["referral_date"])


def test_generator_makes_the_number_of_referrals_asked_for(icb):
    assert len(icb.referrals) == 6_000


def test_generated_tables_have_exactly_the_contract_columns(icb):
    for kind, frame in icb.tables().items():
        assert list(frame.columns) == [c.name for c in columns(kind)], kind


def test_generated_rows_pass_the_contract_models(icb):
    for kind, frame in icb.tables().items():
        sample = frame.sample(n=min(len(frame), 300), random_state=1)
        for record in sample.to_dict("records"):
            clean = {k: (None if pd.isna(v) else v) for k, v in record.items()}
            for key, value in clean.items():
                if isinstance(value, pd.Timestamp):
                    clean[key] = value.date()
            KINDS[kind].model.model_validate(clean)


def test_generated_values_stay_inside_the_contract_everywhere(icb):
    for kind, frame in icb.tables().items():
        for column in columns(kind):
            values = frame[column.name].dropna()
            if column.required:
                assert frame[column.name].notna().all(), f"{kind}.{column.name} has gaps"
            if column.allowed:
                assert set(values) <= set(column.allowed), f"{kind}.{column.name}"
            if column.minimum is not None:
                assert (values >= column.minimum).all(), f"{kind}.{column.name}"
            if column.maximum is not None:
                assert (values <= column.maximum).all(), f"{kind}.{column.name}"
            if column.pattern:
                assert values.astype(str).str.match(column.pattern).all(), f"{kind}.{column.name}"
    refs = icb.referrals
    assert (refs["referral_date"] <= pd.Timestamp(date.today())).all()
    contacted = refs.dropna(subset=["first_contact_date"])
    assert (contacted["first_contact_date"] >= contacted["referral_date"]).all()
    keys = {kind: KINDS[kind].key for kind in KINDS}
    for kind, frame in icb.tables().items():
        assert not frame.duplicated(list(keys[kind])).any(), f"{kind} repeats a key"


def test_default_icb_has_pcns_below_within_and_above_the_band(synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        params = {
            "date_from": date(2025, 4, 1),
            "date_to": date(2026, 3, 31),
            "days": 365,
            "pcns": [],
            "band_low": 8.0,
            "band_high": 12.0,
        }
        rates = queries.run(con, "pcn_referral_rates", params)
    assert 25 <= len(rates) <= 35
    assert set(rates["band_position"]) == {"below", "within", "above"}


def test_people_with_a_low_baseline_improve_most(icb):
    star = icb.outcomes[icb.outcomes["measure"] == "wellbeing_star"].dropna(
        subset=["followup_score"]
    )
    change = star["followup_score"] - star["baseline_score"]
    low = star["baseline_score"] <= 2
    assert change[low].mean() > change[~low].mean() > 0


def test_utilisation_falls_more_for_the_referred_than_the_comparison_cohort(icb):
    use = icb.utilisation[icb.utilisation["setting"] == "gp_appointment"]
    means = use.groupby(["cohort", "period"])["count"].mean()
    referred_fall = 1 - means["referred", "after"] / means["referred", "before"]
    comparison_fall = 1 - means["comparison", "after"] / means["comparison", "before"]
    assert referred_fall > comparison_fall > 0


def test_some_onward_referrals_meet_no_capacity(icb):
    results = set(icb.onward_referrals["result"])
    assert {"waitlisted", "declined_no_capacity", "service_closed", "attended"} <= results


def test_no_person_or_practice_spans_two_pcns_and_comparison_people_are_apart(icb):
    comparison = icb.utilisation[icb.utilisation["cohort"] == "comparison"]
    assert not set(comparison["person_id"]) & set(icb.referrals["person_id"])
    assert icb.referrals.groupby("person_id")["pcn_code"].nunique().max() == 1
    assert icb.referrals.groupby("practice_code")["pcn_code"].nunique().max() == 1


def test_onward_referrals_link_only_rows_that_exist_in_their_own_pcn(icb):
    refs, onward = icb.referrals, icb.onward_referrals
    assert set(icb.outcomes["referral_id"]) <= set(refs["referral_id"])
    assert set(onward["referral_id"]) <= set(refs["referral_id"])
    linked = onward.dropna(subset=["service_id"]).merge(refs, on="referral_id")
    served = linked.merge(icb.services, on="service_id", suffixes=("", "_service"))
    assert len(served) == len(linked) > 0
    assert (served["pcn_code"] == served["pcn_code_service"]).all()


def test_each_part_holds_only_its_own_pcns_rows():
    parts = list(synthetic.parts(referrals=3_000, seed=5, part_pcns=4))
    assert [len(part.pcns) for part in parts] == [4] * 7 + [2]
    assert sum(len(part.referrals) for part in parts) == 3_000
    for part in parts:
        codes = set(part.pcns["pcn_code"])
        for frame in (part.referrals, part.services):
            assert set(frame["pcn_code"]) <= codes


def test_the_part_size_keeps_the_pcns_and_their_referral_counts():
    whole = synthetic.generate(referrals=6_000, seed=7)
    in_parts = synthetic.generate(referrals=6_000, seed=7, part_pcns=3)
    pd.testing.assert_frame_equal(whole.pcns, in_parts.pcns)
    per_pcn = [icb.referrals["pcn_code"].value_counts().sort_index() for icb in (whole, in_parts)]
    pd.testing.assert_series_equal(*per_pcn)
    assert not whole.referrals["referral_date"].equals(in_parts.referrals["referral_date"])
