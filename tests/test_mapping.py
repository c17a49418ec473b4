"""Mappings: a source system's export (its headers, codes and dates) loads as a contract extract."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.data import ingest, mappings
from dashboard.data.contract import columns
from dashboard.data.ingest import guess
from dashboard.data.ingest.mapping import Mapping, MappingError, parse, to_toml
from dashboard.data.readers import stage
from tests.extracts import rows, snapshot, write_csv

TODAY = date(2026, 1, 15)

# A case-management system's referral export: its own headers, codes, ages and UK dates.
FOREIGN: dict[str, Any] = {
    "Client Ref": "C001",
    "Date Referred": "14/04/2025",
    "Practice": "A81001",
    "PCN": "U12345",
    "Referred By": "Doctor",
    "Main Need": "Loneliness",
    "Age": "47",
    "Gender": "F",
    "Ethnic Group": "White British",
    "IMD Decile": "3",
    "First Contact": "22/04/2025",
    "Status": "Closed - goals met",
}
FOREIGN_HEADERS = list(FOREIGN)

NAME = "Case system referrals"

# The mapping file as the README (and the Data page's download) writes it.
MAPPING_TOML = f"""
name = "{NAME}"
kind = "referrals"
headers = [{", ".join(f'"{h}"' for h in FOREIGN_HEADERS)}]

[columns]  # contract column = the file's header
referral_id = "Client Ref"
person_id = "Client Ref"
referral_date = "Date Referred"
practice_code = "Practice"
pcn_code = "PCN"
referral_source = "Referred By"
reason = "Main Need"
age = "Age"
sex = "Gender"
ethnicity = "Ethnic Group"
imd_decile = "IMD Decile"
first_contact_date = "First Contact"
status = "Status"

[values.referral_source]  # the file's value = the contract value
"Doctor" = "gp"
"Link worker self-referral" = "self"
"Practice Nurse" = "nurse"

[values.reason]
"Money worries" = "money"
"Low mood" = "mental_wellbeing"

[values.sex]
F = "female"
M = "male"

[values.ethnicity]
"White British" = "white"
"Asian or Asian British" = "asian"
"White and Black Caribbean" = "mixed"

[values.status]
"Closed - goals met" = "completed"
"Open - awaiting contact" = "referred"
"Closed - declined" = "declined"
"""

REFERRAL_SOURCES = (
    "gp, nurse, other_clinician, practice_staff, self, vcse, social_care, secondary_care, other"
)

# What the database holds for a referral, in this order.
STORED = (
    "referral_id, person_id, pcn_code, practice_code, referral_date, referral_source, reason, "
    "age_band, sex, ethnicity, imd_decile, first_contact_date, status"
)


def foreign(*changes: dict[str, Any]) -> list[dict[str, Any]]:
    """One row of the source system's export per change, each the good row with it applied."""
    return [{**FOREIGN, **change} for change in changes]


def the_mapping(text: str = MAPPING_TOML) -> Mapping:
    return parse(text, "case-system.toml")


def with_changes(**changes: Any) -> Mapping:
    """The usual mapping with some of its fields replaced (validated again)."""
    return Mapping.model_validate({**the_mapping().model_dump(), **changes})


def load(
    con, *paths: Path, mapping: Mapping | None = None, kind: str | None = None, **options
) -> list[ingest.Report]:
    extracts = [ingest.Extract(path.name, path, kind, mapping) for path in paths]
    return ingest.load(con, extracts, today=TODAY, **options)


def only(reports: list[ingest.Report]) -> ingest.Report:
    assert len(reports) == 1
    return reports[0]


def stored(con) -> list[tuple]:
    return con.execute(f"select {STORED} from referrals order by referral_id").fetchall()


def errors(report: ingest.Report) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["reason"]) for e in report.as_json()["errors"]]


# --- a foreign export loads with its mapping --------------------------------------------------


FOUR_REFERRALS = foreign(
    {},
    {
        "Client Ref": "C002",
        "Date Referred": "15/04/2025",
        "Referred By": "Link worker self-referral",
        "Main Need": "Money worries",
        "Age": "71",
        "Gender": "M",
        "Ethnic Group": "Asian or Asian British",
        "IMD Decile": "5",
        "First Contact": "",
        "Status": "Open - awaiting contact",
    },
    {
        "Client Ref": "C003",
        "Date Referred": "16/04/2025",
        "Practice": "A81002",
        "Referred By": "Practice Nurse",
        "Main Need": "Low mood",
        "Age": "17",
        "Ethnic Group": "White and Black Caribbean",
        "IMD Decile": "",
        "First Contact": "",
        "Status": "Closed - declined",
    },
    {"Client Ref": "C004", "Age": "90", "Practice": ""},
)
FOUR_STORED = [
    ("C001", "C001", "U12345", "A81001", date(2025, 4, 14), "gp", "loneliness", "45-54",
     "female", "white", 3, date(2025, 4, 22), "completed"),
    ("C002", "C002", "U12345", "A81001", date(2025, 4, 15), "self", "money", "65-74",
     "male", "asian", 5, None, "referred"),
    ("C003", "C003", "U12345", "A81002", date(2025, 4, 16), "nurse", "mental_wellbeing", "0-17",
     "female", "mixed", None, None, "declined"),
    ("C004", "C004", "U12345", None, date(2025, 4, 14), "gp", "loneliness", "85+",
     "female", "white", 3, date(2025, 4, 22), "completed"),
]  # fmt: skip


def test_foreign_export_with_its_mapping_loads_every_row_in_contract_terms(con, tmp_path):
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)

    report = only(load(con, path, mapping=the_mapping()))

    assert report.loaded and not report.refused
    assert (report.kind, report.rows_read, report.accepted, report.rejected) == (
        "referrals",
        4,
        4,
        0,
    )
    assert report.mapping == NAME
    assert f"case-system.csv: read with the mapping '{NAME}'." in report.notices
    assert stored(con) == FOUR_STORED


def test_preview_with_a_mapping_reports_the_load_and_changes_nothing(con, tmp_path):
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)
    before = snapshot(con)

    report = only(ingest.preview(con, [ingest.Extract(path.name, path, None, the_mapping())]))

    assert (report.accepted, report.rejected, report.mapping) == (4, 0, NAME)
    assert snapshot(con) == before


def test_foreign_export_without_a_mapping_is_refused_as_mappable(con, tmp_path):
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)

    auto = only(load(con, path))
    chosen = only(load(con, path, kind="referrals"))

    for report in (auto, chosen):
        assert report.refused and not report.loaded
        assert report.mappable, report.refused
        assert report.mapping is None
        assert "load --mapping" in report.refused
    assert "has no referral_id" in chosen.refused
    assert stored(con) == []


def test_a_file_refused_for_patient_identifiers_is_not_offered_a_mapping(con, tmp_path):
    records = [r | {"NHS Number": "not given"} for r in foreign({})]
    path = write_csv(tmp_path / "case-system.csv", records)

    report = only(load(con, path, mapping=the_mapping()))

    assert report.refused and "'NHS Number' names an NHS number" in report.refused
    assert not report.mappable
    assert stored(con) == []


def test_mapping_for_another_kind_than_the_one_chosen_is_refused(con, tmp_path):
    path = write_csv(tmp_path / "case-system.csv", foreign({}))

    report = only(load(con, path, mapping=the_mapping(), kind="services"))

    assert report.refused == (
        f"case-system.csv: the mapping '{NAME}' is for referrals, but the file is to load as "
        "services."
    )
    assert snapshot(con)["services"] == [] and stored(con) == []


def test_columns_the_mapping_leaves_out_are_found_by_their_contract_names(con, tmp_path):
    # Only the source system's own headers are mapped; PCN and Status are contract aliases.
    text = MAPPING_TOML.replace('pcn_code = "PCN"\n', "").replace('status = "Status"\n', "")
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)

    report = only(load(con, path, mapping=the_mapping(text)))

    assert (report.accepted, report.rejected) == (4, 0)
    assert stored(con) == FOUR_STORED


def test_age_band_header_holding_ages_in_years_is_banded(con, tmp_path):
    text = MAPPING_TOML.replace('age = "Age"', 'age_band = "Age"')
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)

    report = only(load(con, path, mapping=the_mapping(text)))

    assert (report.accepted, report.rejected) == (4, 0)
    assert [r[7] for r in stored(con)] == ["45-54", "65-74", "0-17", "85+"]


def test_an_age_that_is_not_a_number_of_years_rejects_its_row(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {}, {"Client Ref": "C002", "Age": "47 years"}, {"Client Ref": "C003", "Age": "121"}
        ),
    )

    report = only(load(con, path, mapping=the_mapping()))

    assert report.accepted == 1
    assert [(row, column, value) for row, column, value, _ in errors(report)] == [
        (3, "age", "47 years"),
        (4, "age", "121"),
    ]
    assert {reason for *_, reason in errors(report)} == {
        "age must be a whole number of years from 0 to 120"
    }


# --- codes the mapping does not cover ---------------------------------------------------------


def test_a_new_code_rejects_only_its_rows_and_names_the_mapping(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {},
            {"Client Ref": "C002", "Referred By": "Receptionist"},
            {"Client Ref": "C003", "Referred By": "Practice Nurse"},
            {"Client Ref": "C004", "Referred By": "Receptionist"},
        ),
    )

    report = only(load(con, path, mapping=the_mapping()))

    reason = (
        f"is not one of the allowed values: {REFERRAL_SOURCES}, and the mapping '{NAME}' "
        "does not map it"
    )
    assert report.loaded
    assert (report.accepted, report.rejected) == (2, 2)
    assert errors(report) == [
        (3, "referral_source", "Receptionist", reason),
        (5, "referral_source", "Receptionist", reason),
    ]
    assert [(r[0], r[5]) for r in stored(con)] == [("C001", "gp"), ("C003", "nurse")]


def test_a_file_value_that_is_already_a_contract_value_still_loads(con, tmp_path):
    # The mapping has no [values] for reason: "Loneliness" is read as the contract's own value.
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign({}, {"Client Ref": "C002", "Main Need": "housing", "Referred By": "vcse"}),
    )

    report = only(load(con, path, mapping=the_mapping()))

    assert (report.accepted, report.rejected) == (2, 0)
    assert [(r[5], r[6]) for r in stored(con)] == [("gp", "loneliness"), ("vcse", "housing")]


# --- a mapping that does not fit the file -----------------------------------------------------


def test_mapping_naming_a_header_the_file_lacks_refuses_the_file_and_writes_nothing(con, tmp_path):
    seed = write_csv(tmp_path / "seed.csv", rows("referrals", {"referral_id": "R0"}))
    assert only(load(con, seed)).loaded
    before = snapshot(con)
    mapping = with_changes(columns={**the_mapping().columns, "referral_date": "Referral Received"})
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)
    other = write_csv(tmp_path / "other.csv", rows("referrals", {"referral_id": "R9"}))

    reports = load(con, path, mapping=mapping) + load(con, path, other, kind="referrals")
    report = reports[0]

    shown = ", ".join(f"'{h}'" for h in FOREIGN_HEADERS)
    assert report.refused == (
        f"case-system.csv: the mapping '{NAME}' reads referral_date from the column "
        f"'Referral Received', but the file has no such column. Its columns are: {shown}. "
        "Change the mapping's [columns], or choose another mapping."
    )
    assert report.mappable and not report.loaded
    assert snapshot(con) == before


def test_required_column_neither_mapped_nor_named_refuses_the_file_naming_the_mapping(
    con, tmp_path
):
    columns_without_reason = {k: v for k, v in the_mapping().columns.items() if k != "reason"}
    path = write_csv(tmp_path / "case-system.csv", foreign({}))

    report = only(load(con, path, mapping=with_changes(columns=columns_without_reason)))

    assert report.refused and report.mappable
    assert "has no reason column, required for referrals" in report.refused
    assert f"The mapping '{NAME}' does not name it" in report.refused
    assert stored(con) == []


def test_mapping_headers_match_the_file_whatever_their_case_and_spacing(con, tmp_path):
    records = [
        {k.upper() if k != "Main Need" else "  main   need ": v for k, v in r.items()}
        for r in FOUR_REFERRALS
    ]
    path = write_csv(tmp_path / "case-system.csv", records)

    report = only(load(con, path, mapping=the_mapping()))

    assert (report.accepted, report.rejected) == (4, 0)
    assert stored(con) == FOUR_STORED


# --- malformed mapping files ------------------------------------------------------------------


def _replace(old: str, new: str) -> str:
    assert old in MAPPING_TOML
    return MAPPING_TOML.replace(old, new, 1)


# Each bad mapping file, and the words its message must hold (besides the file's name).
BAD_MAPPINGS = {
    "invalid toml": (
        _replace('kind = "referrals"', "kind = referrals"),
        ["is not a valid mapping file (TOML)", "line 3"],
    ),
    "unknown kind": (
        _replace('kind = "referrals"', 'kind = "referral"'),
        ["kind", "'referral' is not an extract kind", "referrals"],
    ),
    "column not in the contract": (
        _replace('referral_date = "Date Referred"', 'referal_date = "Date Referred"'),
        ["[columns] referal_date is not a column of referrals", "referral_date"],
    ),
    "value not allowed": (
        _replace('"Closed - goals met" = "completed"', '"Closed - goals met" = "complete"'),
        [
            '[values.status] "Closed - goals met" = "complete"',
            "'complete' is not a status value",
            "use one of referred, contacted, engaged, completed, declined, not_contactable, "
            'did_not_attend, or "" for blank',
        ],
    ),
    "values for a column not in the contract": (
        _replace("[values.sex]", "[values.gender]"),
        ["[values.gender] gender is not a column of referrals"],
    ),
    "date format without a year": (
        _replace("[columns]", '[dates]\nformat = "%d-%b"\n\n[columns]'),
        ["[dates] format", "the date format '%d-%b' has no year"],
    ),
    "date format that is no date": (
        _replace("[columns]", '[dates]\nformat = "day then month"\n\n[columns]'),
        ["[dates] format", "has no day or month or year"],
    ),
    "unknown top-level key": (
        _replace('kind = "referrals"', 'kind = "referrals"\nsheet = "Referrals"'),
        ["sheet", "is not a mapping setting (name, kind, headers, columns, dates, values)"],
    ),
    "unknown key under dates": (
        _replace("[columns]", '[dates]\nformat = "%d-%b-%Y"\nzone = "UK"\n\n[columns]'),
        ["[dates] zone", "is not a mapping setting"],
    ),
    "no name": (_replace(f'name = "{NAME}"', ""), ["name", "is missing"]),
    "value mapped twice": (
        _replace('F = "female"', 'F = "female"\n" f " = "male"'),
        ["[values.sex] \" f \" is mapped twice, to 'female' and 'male'"],
    ),
    "age and age band": (
        _replace('age = "Age"', 'age = "Age"\nage_band = "Age"'),
        ["[columns] names both age and age_band"],
    ),
    "header left empty": (
        _replace('reason = "Main Need"', 'reason = "  "'),
        ["[columns] reason names no header"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_MAPPINGS))
def test_malformed_mapping_file_is_refused_naming_the_file_and_the_problem(case):
    text, words = BAD_MAPPINGS[case]

    with pytest.raises(MappingError) as raised:
        parse(text, "exports/case-system.toml")

    message = str(raised.value)
    assert message.startswith("exports/case-system.toml is not a ")
    for word in words:
        assert word in message


# --- dates written the source system's way ----------------------------------------------------

DATED = MAPPING_TOML.replace("[columns]", '[dates]\nformat = "%d-%b-%Y"\n\n[columns]')


def test_date_format_reads_its_dates_and_iso_and_rejects_uk_dates(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {"Date Referred": "14-Apr-2025", "First Contact": "22-Apr-2025"},
            {"Client Ref": "C002", "Date Referred": "2025-04-15", "First Contact": "3-may-2025"},
            {"Client Ref": "C003", "Date Referred": "16/04/2025", "First Contact": ""},
            {"Client Ref": "C004", "Date Referred": "01-Apr-2025", "First Contact": "16/04/2025"},
        ),
    )

    report = only(load(con, path, mapping=the_mapping(DATED)))

    reason = (
        f"is not a date as the mapping '{NAME}' writes them (%d-%b-%Y, for example "
        "14-Apr-2025) or yyyy-mm-dd"
    )
    assert errors(report) == [
        (4, "referral_date", "16/04/2025", reason),
        (5, "first_contact_date", "16/04/2025", reason),
    ]
    assert [(r[0], r[4], r[11]) for r in stored(con)] == [
        ("C001", date(2025, 4, 14), date(2025, 4, 22)),
        ("C002", date(2025, 4, 15), date(2025, 5, 3)),
    ]


def test_dates_in_the_mapping_format_after_today_are_rejected_as_future(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv", foreign({"Date Referred": "14-Apr-2027", "First Contact": ""})
    )

    report = only(load(con, path, mapping=the_mapping(DATED)))

    assert errors(report) == [
        (2, "referral_date", "14-Apr-2027", "is in the future (after today, 15/01/2026)")
    ]


def test_without_a_date_format_a_mapping_reads_uk_and_iso_dates_as_usual(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign({}, {"Client Ref": "C002", "Date Referred": "2025-04-15", "First Contact": ""}),
    )

    report = only(load(con, path, mapping=the_mapping()))

    assert (report.accepted, report.rejected) == (2, 0)
    assert [r[4] for r in stored(con)] == [date(2025, 4, 14), date(2025, 4, 15)]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("dd-mmm-yyyy", "%d-%b-%Y"),
        ("DD/MM/YY", "%d/%m/%y"),
        ("UK", "%d/%m/%Y"),
        ("iso", "%Y-%m-%d"),
        ("dd/mm/yyyy hh:mm", "%d/%m/%Y %H:%M"),
    ],
)
def test_date_format_may_be_written_as_a_shape_or_a_name(written, meant):
    text = MAPPING_TOML.replace("[columns]", f'[dates]\nformat = "{written}"\n\n[columns]')

    assert the_mapping(text).date_format == meant


def test_with_a_date_format_iso_dates_with_times_or_one_digit_parts_still_read(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {"Date Referred": "2025-04-14 10:30", "First Contact": "22-Apr-2025"},
            {"Client Ref": "C002", "Date Referred": "2025-4-1", "First Contact": ""},
        ),
    )

    report = only(load(con, path, mapping=the_mapping(DATED)))

    assert (report.accepted, report.rejected) == (2, 0), report.errors
    assert [r[4] for r in stored(con)] == [date(2025, 4, 14), date(2025, 4, 1)]


def test_date_shape_reads_the_files_dates(con, tmp_path):
    text = MAPPING_TOML.replace("[columns]", '[dates]\nformat = "dd-mmm-yyyy"\n\n[columns]')
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign({"Date Referred": "14-Apr-2025", "First Contact": "2025-04-22"}),
    )

    report = only(load(con, path, mapping=the_mapping(text)))

    assert (report.accepted, report.rejected) == (1, 0), report.errors
    assert [(r[4], r[11]) for r in stored(con)] == [(date(2025, 4, 14), date(2025, 4, 22))]


@pytest.mark.parametrize("written", ["%d/%m/%Y %H:%m", "%d/%m/%Y %c", "dd/mm/yyyy mm"])
def test_date_format_repeating_a_part_is_refused_with_a_message(written):
    text = MAPPING_TOML.replace("[columns]", f'[dates]\nformat = "{written}"\n\n[columns]')

    with pytest.raises(
        MappingError, match=r"^exports/case\.toml is not a usable mapping.*\[dates\]"
    ):
        parse(text, "exports/case.toml")


# --- blanks, and the file's case and spacing --------------------------------------------------


def test_values_mapped_to_blank_load_as_blank(con, tmp_path):
    text = MAPPING_TOML + (
        '\n[values.imd_decile]\n"Not known" = ""\n'
        '\n[values.first_contact_date]\n"N/A" = ""\n'
        '\n[values.practice_code]\n"Unregistered" = ""\n'
    )
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {"IMD Decile": "Not known", "First Contact": "N/A", "Practice": "Unregistered"},
            {"Client Ref": "C002", "IMD Decile": "7"},
        ),
    )

    report = only(load(con, path, mapping=the_mapping(text)))

    assert (report.accepted, report.rejected) == (2, 0)
    assert [(r[0], r[3], r[10], r[11]) for r in stored(con)] == [
        ("C001", None, None, None),
        ("C002", "A81001", 7, date(2025, 4, 22)),
    ]


def test_a_required_value_mapped_to_blank_rejects_its_row_as_empty(con, tmp_path):
    text = MAPPING_TOML.replace('"White British" = "white"', '"White British" = "white"\n"?" = ""')
    path = write_csv(
        tmp_path / "case-system.csv", foreign({}, {"Client Ref": "C002", "Ethnic Group": "?"})
    )

    report = only(load(con, path, mapping=the_mapping(text)))

    assert report.accepted == 1
    assert [(row, column, reason) for row, column, _, reason in errors(report)] == [
        (3, "ethnicity", "ethnicity is required but is empty")
    ]


def test_file_values_match_the_mapping_whatever_their_case_and_spaces(con, tmp_path):
    text = MAPPING_TOML.replace(
        '"Link worker self-referral" = "self"', '"Link  worker self-referral " = "self"'
    )
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {"Referred By": "  DOCTOR ", "Status": "closed  -  GOALS met", "Gender": "f"},
            {"Client Ref": "C002", "Referred By": "link worker SELF-REFERRAL", "Gender": " m"},
        ),
    )

    report = only(load(con, path, mapping=the_mapping(text)))

    assert (report.accepted, report.rejected) == (2, 0), report.errors
    assert [(r[5], r[8], r[12]) for r in stored(con)] == [
        ("gp", "female", "completed"),
        ("self", "male", "completed"),
    ]


def test_file_values_with_tabs_or_non_breaking_spaces_match_the_mapping(con, tmp_path):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign(
            {"Referred By": "\tDoctor"},
            {"Client Ref": "C002", "Referred By": "Doctor\t"},
            {"Client Ref": "C003", "Status": "Closed -\xa0goals met"},
        ),
    )

    report = only(load(con, path, mapping=the_mapping()))

    assert (report.accepted, report.rejected) == (3, 0), report.errors


# --- the file format: to_toml and parse -------------------------------------------------------

AWKWARD = Mapping(
    name='Trust\'s "EMIS" export \\ v2 — Zoë',
    kind="referrals",
    headers=(
        'Client "Ref"',
        "Date = Referred",
        "Referred.By",
        "Main\\Need",
        "Âge (années)",
        " Gender ",
        "[Status]",
        "#Practice",
    ),
    columns={
        "referral_id": 'Client "Ref"',
        "person_id": 'Client "Ref"',
        "referral_date": "Date = Referred",
        "referral_source": "Referred.By",
        "reason": "Main\\Need",
        "age": "Âge (années)",
        "sex": " Gender ",
        "status": "[Status]",
        "practice_code": "#Practice",
    },
    dates={"format": "%d.%m.%y"},
    values={
        "referral_source": {
            "Dr. = GP": "gp",
            'Self "walk-in"': "self",
            "Nurse\\Practice": "nurse",
            "Médecin généraliste": "gp",
            "a.b.c": "other",
            "": "other",
        },
        "status": {"Closed\ttab": "completed", "Line\nbreak": "declined", "ß": ""},
        "imd_decile": {"n/k # not known": ""},
    },
)


def test_to_toml_then_parse_gives_back_the_same_mapping():
    text = to_toml(AWKWARD)

    again = parse(text, "awkward.toml")

    assert again == AWKWARD
    assert to_toml(again) == text


def test_to_toml_of_the_usual_mapping_reads_back_and_loads_the_same(con, tmp_path):
    mapping = the_mapping()
    again = parse(to_toml(mapping), "again.toml")
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)

    report = only(load(con, path, mapping=again))

    assert again == mapping
    assert (report.accepted, report.rejected) == (4, 0)
    assert stored(con) == FOUR_STORED


def test_to_toml_then_parse_keeps_characters_beyond_the_basic_plane():
    mapping = Mapping(
        name="Referrals 🌳 export",
        kind="referrals",
        headers=("Ref 𝟙",),
        columns={"referral_id": "Ref 𝟙"},
        values={"sex": {"👩": "female"}},
    )

    assert parse(to_toml(mapping), "emoji.toml") == mapping


# --- saved mappings ---------------------------------------------------------------------------


def test_saved_mapping_is_applied_to_a_file_with_the_same_headers(con, db_path, tmp_path):
    mappings.save(db_path, the_mapping())
    # The same export another month: columns in another order, headers in another case.
    order = FOREIGN_HEADERS[::-1]
    respelt = {h: ("  " + h.upper() + " " if "e" in h else h.lower()) for h in FOREIGN_HEADERS}
    records = [{respelt[h]: r[h] for h in order} for r in FOUR_REFERRALS]
    path = write_csv(tmp_path / "may.csv", records)

    report = only(load(con, path, mappings=mappings.saved(db_path)))

    assert report.loaded and report.mapping == NAME
    assert (report.accepted, report.rejected) == (4, 0)
    assert f"may.csv: its headers match the saved mapping '{NAME}', which was applied." in (
        report.notices
    )
    assert stored(con) == FOUR_STORED


def test_saved_mapping_is_not_applied_to_a_file_with_other_headers(con, db_path, tmp_path):
    mappings.save(db_path, the_mapping())
    path = write_csv(tmp_path / "june.csv", [r | {"Team": "North"} for r in FOUR_REFERRALS])

    report = only(load(con, path, mappings=mappings.saved(db_path)))

    assert report.mapping is None
    assert report.refused and report.mappable
    assert stored(con) == []


def test_saved_mapping_is_not_applied_when_another_kind_is_chosen(con, db_path, tmp_path):
    mappings.save(db_path, the_mapping())
    path = write_csv(tmp_path / "may.csv", FOUR_REFERRALS)

    report = only(load(con, path, kind="services", mappings=mappings.saved(db_path)))

    assert report.mapping is None and report.refused


def test_mapping_given_with_the_file_wins_over_a_saved_one(con, db_path, tmp_path):
    mappings.save(db_path, the_mapping())
    own = with_changes(name="Case system, May", values={})
    path = write_csv(tmp_path / "may.csv", foreign({"Referred By": "gp", "Gender": "F"}))

    report = only(load(con, path, mapping=own, mappings=mappings.saved(db_path)))

    assert report.mapping == "Case system, May"
    assert [(column, value) for _, column, value, _ in errors(report)] == [
        ("sex", "F"),
        ("ethnicity", "White British"),
        ("status", "Closed - goals met"),
    ]


def test_saved_mapping_reads_back_from_its_folder_beside_the_database(db_path):
    path = mappings.save(db_path, the_mapping())

    assert path.parent == db_path.parent / "test.mappings" == mappings.folder(db_path)
    assert path.name == "case-system-referrals.toml" == mappings.file_name(NAME)
    assert mappings.saved(db_path) == [the_mapping()]
    assert [(m, problem) for _, m, problem in mappings.listing(db_path)] == [(the_mapping(), None)]
    assert not list(path.parent.glob(".saving-*"))


def test_saving_a_mapping_of_the_same_name_replaces_it(db_path):
    mappings.save(db_path, the_mapping())
    changed = with_changes(values={"sex": {"F": "female", "M": "male", "X": "other"}})

    mappings.save(db_path, changed)

    assert mappings.saved(db_path) == [changed]


def test_mappings_with_different_names_are_all_kept(db_path):
    names = ["GP search (EMIS)", "GP search: EMIS", "社会处方", "转介"]
    for name in names:
        mappings.save(db_path, with_changes(name=name))

    assert sorted(m.name for m in mappings.saved(db_path)) == sorted(names)


def test_deleted_mapping_is_no_longer_applied(con, db_path, tmp_path):
    mappings.save(db_path, the_mapping())
    path = write_csv(tmp_path / "may.csv", FOUR_REFERRALS)

    assert mappings.delete(db_path, NAME) is True
    assert mappings.delete(db_path, NAME) is False

    assert mappings.saved(db_path) == [] and mappings.listing(db_path) == []
    report = only(load(con, path, mappings=mappings.saved(db_path)))
    assert report.refused and report.mapping is None


def test_corrupt_mapping_file_is_listed_with_its_problem_and_skipped(con, db_path, tmp_path):
    mappings.save(db_path, the_mapping())
    folder = mappings.folder(db_path)
    (folder / "broken.toml").write_text('name = "Broken"\nkind = \n', encoding="utf-8")
    (folder / "wrong-kind.toml").write_text('name = "Wrong"\nkind = "people"\n', encoding="utf-8")

    listed = mappings.listing(db_path)

    problems = sorted(problem for _, mapping, problem in listed if mapping is None)
    assert len(listed) == 3 and len(problems) == 2
    assert problems[0].startswith("broken.toml is not a valid mapping file (TOML)")
    assert problems[1].startswith("wrong-kind.toml is not a usable mapping")
    assert "'people' is not an extract kind" in problems[1]
    assert mappings.saved(db_path) == [the_mapping()]
    path = write_csv(tmp_path / "may.csv", FOUR_REFERRALS)
    assert only(load(con, path, mappings=mappings.saved(db_path))).mapping == NAME


def test_saved_mapping_file_that_is_not_utf8_is_reported_by_its_name(db_path):
    mappings.save(db_path, the_mapping())
    latin1 = 'name = "Caf\xe9 referrals"\nkind = "referrals"\n'.encode("latin-1")
    (mappings.folder(db_path) / "cafe.toml").write_bytes(latin1)

    problems = [problem for _, mapping, problem in mappings.listing(db_path) if mapping is None]

    assert mappings.saved(db_path) == [the_mapping()]
    assert len(problems) == 1 and "cafe.toml" in problems[0]


def test_saved_mapping_with_an_unreadable_date_format_is_listed_and_skipped(db_path):
    mappings.save(db_path, the_mapping())
    bad = MAPPING_TOML.replace(NAME, "Times").replace(
        "[columns]", '[dates]\nformat = "%d/%m/%Y %H:%m"\n\n[columns]'
    )
    (mappings.folder(db_path) / "times.toml").write_text(bad, encoding="utf-8")

    problems = [problem for _, mapping, problem in mappings.listing(db_path) if mapping is None]

    assert len(problems) == 1 and problems[0].startswith("times.toml is not a usable mapping")
    assert mappings.saved(db_path) == [the_mapping()]


def test_no_folder_means_no_saved_mappings(db_path):
    assert mappings.saved(db_path) == [] and mappings.listing(db_path) == []


# --- the guesses the Data page preselects -----------------------------------------------------


@pytest.fixture
def found(tmp_path) -> guess.Profile:
    path = write_csv(
        tmp_path / "case-system.csv",
        FOUR_REFERRALS
        + foreign(
            {"Client Ref": "C005", "Status": "Closed - declined", "Referred By": "Practice Nurse"},
            {"Client Ref": "C006", "Status": "Open - awaiting contact", "Age": "33"},
        ),
    )
    with duckdb.connect() as memory:
        staged = stage(memory, path, path.name, "_profile", 10_000_000)
        return guess.profile(memory, staged)


def test_profile_lists_each_columns_commonest_values(found):
    at = FOREIGN_HEADERS.index("Referred By")

    assert found.headers == FOREIGN_HEADERS and found.rows == 6
    assert found.codes[at] == [
        ("Doctor", 3),
        ("Practice Nurse", 2),
        ("Link worker self-referral", 1),
    ]
    assert found.distinct[at] == 3


def test_guess_kind_of_the_foreign_export_is_referrals(found):
    assert guess.guess_kind(found) == "referrals"


def test_guess_columns_of_the_foreign_export(found):
    guessed = guess.guess_columns("referrals", found)

    assert {
        key: guessed.get(key)
        for key in ("referral_id", "person_id", "referral_date", "referral_source", "age")
    } == {
        "referral_id": "Client Ref",
        "person_id": "Client Ref",
        "referral_date": "Date Referred",
        "referral_source": "Referred By",
        "age": "Age",
    }
    assert "age_band" not in guessed
    assert guessed.get("first_contact_date") == "First Contact"
    assert guessed.get("sex") == "Gender" and guessed.get("reason") == "Main Need"


def test_guessed_columns_make_a_mapping_that_loads(found, con, tmp_path):
    mapping = with_changes(columns=guess.guess_columns("referrals", found))
    path = write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)

    report = only(load(con, path, mapping=mapping))

    assert (report.accepted, report.rejected) == (4, 0), report.errors
    assert stored(con) == FOUR_STORED


def _column(name: str):
    return next(c for c in columns("referrals") if c.name == name)


@pytest.mark.parametrize(
    ("column", "value", "meant"),
    [
        ("referral_source", "Doctor", "gp"),
        ("referral_source", "Link worker self-referral", "self"),
        ("referral_source", "Practice Nurse", "nurse"),
        ("status", "Closed - goals met", "completed"),
        ("status", "Closed - declined", "declined"),
        ("status", "Open - awaiting contact", "referred"),
        ("ethnicity", "Asian or Asian British", "asian"),
        ("ethnicity", "White and Black Caribbean", "mixed"),
        ("ethnicity", "White British", "white"),
        ("sex", "F", "female"),
        ("sex", "M", "male"),
        ("reason", "Money worries", "money"),
        ("reason", "Low mood", "mental_wellbeing"),
        ("reason", "Gardening club membership", None),
    ],
)
def test_guess_value_maps_source_codes_to_contract_values(column, value, meant):
    assert guess.guess_value(_column(column), value) == meant


def test_guess_date_format():
    assert guess.guess_date_format(["14-Apr-2025", "3-May-2025", "30-Jun-2025"]) == "%d-%b-%Y"
    assert guess.guess_date_format(["14/04/2025", "03/05/2025", "2025-06-30"]) is None
    assert guess.guess_date_format(["", "14/04/2025"]) is None
    assert guess.guess_date_format(["soon", "later", "never"]) is None
    assert guess.guess_date_format(["14.04.25", "03.05.25"]) == "%d.%m.%y"


def test_guessed_date_format_loads_the_files_dates(con, tmp_path):
    dates = ["14-Apr-2025", "3-May-2025", "30-Jun-2025"]
    records = foreign(
        *[
            {"Client Ref": f"C{i}", "Date Referred": d, "First Contact": ""}
            for i, d in enumerate(dates)
        ]
    )
    path = write_csv(tmp_path / "case-system.csv", records)
    mapping = with_changes(dates={"format": guess.guess_date_format(dates)})

    report = only(load(con, path, mapping=mapping))

    assert report.accepted == 3, report.errors
    assert [r[4] for r in stored(con)] == [date(2025, 4, 14), date(2025, 5, 3), date(2025, 6, 30)]


def test_an_export_named_as_the_prsb_standard_is_guessed_and_its_items_are_in_the_dictionary(
    tmp_path,
):
    from dashboard.data.dictionary import dictionary

    headers = {
        "Case ID": "K1",
        "Person ref": "P1",
        "PCN": "U12345",
        "GP practice identifier": "A81001",
        "Referral date": "14/04/2025",
        "Referrer": "GP",
        "Reason for referral": "Loneliness",
        "Age band": "45-54",
        "Person stated gender": "Female",
        "Ethnic category": "A",
        "Date of first contact": "22/04/2025",
        "Referral status": "Engaged",
    }
    path = write_csv(tmp_path / "prsb.csv", [headers])
    with duckdb.connect() as con:
        found = guess.profile(con, stage(con, path, "prsb.csv", "_prsb", 10**8))

    guessed = guess.guess_columns("referrals", found)

    assert {key: guessed.get(key) for key in ("practice_code", "reason", "sex", "ethnicity")} == {
        "practice_code": "GP practice identifier",
        "reason": "Reason for referral",
        "sex": "Person stated gender",
        "ethnicity": "Ethnic category",
    }
    ethnicity = next(c for c in columns("referrals") if c.name == "ethnicity")
    assert guess.guess_value(ethnicity, "A") == "white"  # the NHS data dictionary's code
    items = dictionary("referrals").set_index("column")["PRSB item"]
    assert items["ethnicity"] == "Ethnic category"
    assert items["person_id"] == ""
