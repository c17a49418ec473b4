from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from dashboard.data.contract import (
    KINDS,
    OutcomeRow,
    ReferralRow,
    columns,
    normalise_header,
)
from dashboard.data.store import table_ddl


def test_contract_every_kind_has_its_key_among_its_columns():
    for name, kind in KINDS.items():
        assert set(kind.key) <= {c.name for c in columns(name)}, name


def test_contract_enum_columns_list_their_allowed_values():
    status = next(c for c in columns("referrals") if c.name == "status")
    assert status.allowed == (
        "referred", "contacted", "engaged", "completed", "declined", "not_contactable",
        "did_not_attend",
    )  # fmt: skip
    assert status.type_label == "category"


def test_contract_ranges_and_patterns_come_from_the_models():
    imd = next(c for c in columns("referrals") if c.name == "imd_decile")
    assert (imd.minimum, imd.maximum, imd.required) == (1, 10, False)
    pcn = next(c for c in columns("referrals") if c.name == "pcn_code")
    assert pcn.pattern == r"^U\d{5}$"


def test_normalise_header_ignores_case_spaces_and_punctuation():
    assert normalise_header("Date of Referral") == normalise_header("date_of_referral")
    assert normalise_header(" PCN-Code ") == normalise_header("pcn_code")


def test_referral_model_accepts_declared_aliases():
    row = ReferralRow.model_validate(
        {
            "Referral ID": "R1",
            "Person ID": "P1",
            "PCN Code": "U12345",
            "Date of referral": "2025-04-01",
            "Referral source": "gp",
            "Reason": "money",
            "Age band": "85+",
            "Sex": "male",
            "Ethnicity": "asian",
            "Status": "completed",
        }
    )
    assert row.referral_id == "R1" and row.pcn_code == "U12345"


@pytest.mark.parametrize(
    "change",
    [
        {"pcn_code": "12345"},
        # Well after today: the parameters are made when the tests are collected, maybe before
        # midnight, and the model checks against the day it runs.
        {"referral_date": date.today() + timedelta(days=30)},
        {"first_contact_date": date(2025, 3, 1)},
        {"imd_decile": 14},
        {"status": "lost"},
    ],
)
def test_referral_model_rejects_values_outside_the_contract(change):
    base = {
        "referral_id": "R1",
        "person_id": "P1",
        "pcn_code": "U12345",
        "referral_date": date(2025, 4, 1),
        "referral_source": "gp",
        "reason": "money",
        "age_band": "45-54",
        "sex": "male",
        "ethnicity": "asian",
        "status": "completed",
    }
    with pytest.raises(ValidationError):
        ReferralRow.model_validate({**base, **change})


def test_outcome_model_checks_the_score_range_of_its_measure():
    with pytest.raises(ValidationError, match="outside 1-5"):
        OutcomeRow(referral_id="R1", measure="wellbeing_star", domain="money", baseline_score=7)
    OutcomeRow(referral_id="R1", measure="wemwbs", domain="total", baseline_score=70)


def test_table_ddl_declares_the_key_as_primary_key():
    ddl = table_ddl("outcomes")
    assert 'primary key ("referral_id", "measure", "domain")' in ddl
