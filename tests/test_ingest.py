"""Loading extracts: every rule a row can break, and what a load leaves in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.data import ingest, store
from dashboard.data.contract import KINDS
from dashboard.data.dictionary import dictionary, template_csv
from dashboard.export import csv_bytes
from tests.extracts import REFERRAL, csv_text, rows, snapshot, write_csv
from tests.spreadsheets import write_xlsx

TODAY = date(2026, 1, 15)


def load(con, *paths: Path, kind: str | None = None, **options) -> list[ingest.Report]:
    extracts = [ingest.Extract(path.name, path, kind) for path in paths]
    return ingest.load(con, extracts, today=TODAY, **options)


def only(reports: list[ingest.Report]) -> ingest.Report:
    assert len(reports) == 1
    return reports[0]


def referrals(con) -> pd.DataFrame:
    return con.execute("select * from referrals order by referral_id").df()


# --- files that load -------------------------------------------------------------------------


def test_load_referrals_with_aliases_uk_dates_and_crlf_loads_every_row(con, tmp_path):
    path = tmp_path / "april.csv"
    path.write_bytes(
        b"Referral ID,Person ID,PCN Code,Date of Referral,Referred by,Primary need,Age band,"
        b"Gender,Ethnic group,IMD decile,Date of first contact,Referral status\r\n"
        b"R1,P1,U12345,14/04/2025,GP,Loneliness,45-54,Female,White,3,22/04/2025,Not Contactable\r\n"
        b"R2,P2,u54321,2025-04-01,Self,money,85+,male,Not stated,,,did not attend\r\n"
    )

    report = only(load(con, path))

    assert (report.kind, report.rows_read, report.accepted, report.rejected) == (
        "referrals",
        2,
        2,
        0,
    )
    assert report.loaded
    loaded = referrals(con)
    assert loaded["referral_date"].dt.date.tolist() == [date(2025, 4, 14), date(2025, 4, 1)]
    assert loaded["status"].tolist() == ["not_contactable", "did_not_attend"]
    assert loaded["referral_source"].tolist() == ["gp", "self"]
    assert loaded["pcn_code"].tolist() == ["U12345", "U54321"]
    assert loaded["ethnicity"].tolist() == ["white", "not_stated"]
    assert (report.date_from, report.date_to) == (date(2025, 4, 1), date(2025, 4, 14))


def test_reload_of_the_same_file_changes_no_data(con, tmp_path):
    path = write_csv(tmp_path / "r.csv", rows("referrals", {}, {"referral_id": "R2"}))
    load(con, path)
    before = snapshot(con)

    report = only(load(con, path))

    after = snapshot(con)
    assert report.loaded and report.accepted == 2
    assert {k: v for k, v in after.items() if k != "load_history"} == {
        k: v for k, v in before.items() if k != "load_history"
    }


def test_corrected_row_replaces_the_old_one(con, tmp_path):
    load(con, write_csv(tmp_path / "a.csv", rows("referrals", {"status": "referred"})))

    load(con, write_csv(tmp_path / "b.csv", rows("referrals", {"status": "completed"})))

    assert referrals(con)["status"].tolist() == ["completed"]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("latin-1", "Café Société"), ("cp1252", "Ladies’ Walk – Café"), ("utf-8-sig", "Café")],
)
def test_load_decodes_latin1_windows1252_and_bom_text(con, tmp_path, encoding, name):
    path = write_csv(
        tmp_path / "services.csv", rows("services", {"provider_name": name}), encoding=encoding
    )

    report = only(load(con, path))

    assert report.accepted == 1
    assert con.execute("select provider_name from services").fetchall() == [(name,)]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_load_reads_comma_semicolon_and_tab_files(con, tmp_path, delimiter):
    path = write_csv(tmp_path / "r.csv", rows("referrals", {}), delimiter=delimiter)

    assert only(load(con, path)).accepted == 1


def test_age_column_is_banded_and_not_stored(con, tmp_path):
    records = [
        {k: v for k, v in r.items() if k != "age_band"} | {"Age": age}
        for r, age in zip(
            rows("referrals", {"referral_id": "R1"}, {"referral_id": "R2"}, {"referral_id": "R3"}),
            ["17", "18", "91"],
            strict=True,
        )
    ]

    report = only(load(con, write_csv(tmp_path / "r.csv", records)))

    assert report.accepted == 3
    assert referrals(con)["age_band"].tolist() == ["0-17", "18-24", "85+"]
    assert "age" not in referrals(con).columns


def test_xlsx_with_excel_date_cells_loads(con, tmp_path):
    header = list(REFERRAL)
    values = [
        date(2025, 4, 14) if column == "referral_date" else REFERRAL[column] for column in header
    ]
    values[header.index("imd_decile")] = 3  # a number cell
    path = write_xlsx(tmp_path / "referrals.xlsx", [header, values])

    report = only(load(con, path))

    assert report.accepted == 1
    assert referrals(con)["referral_date"].dt.date.tolist() == [date(2025, 4, 14)]
    assert referrals(con)["imd_decile"].tolist() == [3]


def test_parquet_loads(con, tmp_path):
    frame = pd.DataFrame(rows("referrals", {})).assign(referral_date=date(2025, 4, 14))
    path = tmp_path / "referrals.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)

    assert only(load(con, path)).accepted == 1
    assert referrals(con)["referral_date"].dt.date.tolist() == [date(2025, 4, 14)]


def test_gp_registration_files_load_as_pcns_with_practices_summed(con, tmp_path):
    mapping = tmp_path / "gp-reg-pat-prac-map.csv"
    mapping.write_text(
        "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,"
        "PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME\n"
        "GP_PRAC_PAT_LIST,01APR2025,A81001,THE DENSHAM SURGERY,TS18 1HU,U12345,RIVERSIDE PCN,"
        "16C,QHM,NORTH EAST ICB\n"
        "GP_PRAC_PAT_LIST,01APR2025,A81002,QUEENS PARK,TS18 2AW,U12345,RIVERSIDE PCN,16C,QHM,"
        "NORTH EAST ICB\n"
        "GP_PRAC_PAT_LIST,01APR2025,A81003,UNALIGNED,TS1 1AA,,,16C,QHM,NORTH EAST ICB\n"
    )
    sizes = tmp_path / "gp-reg-pat-prac-all.csv"
    sizes.write_text(
        "PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n"
        "GP_PRAC_PAT_LIST,01APR2025,GP,A81001,TS18 1HU,ALL,ALL,4000\n"
        "GP_PRAC_PAT_LIST,01APR2025,GP,A81001,TS18 1HU,MALE,ALL,1900\n"
        "GP_PRAC_PAT_LIST,01APR2025,GP,A81002,TS18 2AW,ALL,ALL,12500\n"
        "GP_PRAC_PAT_LIST,01APR2025,GP,A81003,TS1 1AA,ALL,ALL,3000\n"
    )

    report = only(load(con, mapping, sizes))

    assert report.kind == "pcns" and report.loaded
    assert (report.rows_read, report.accepted, report.rejected) == (3, 2, 1)
    assert report.errors["row"].tolist() == [4]
    assert con.execute("select pcn_code, pcn_name, icb_code, list_size from pcns").fetchall() == [
        ("U12345", "RIVERSIDE PCN", "QHM", 16500)
    ]


def test_files_load_in_dependency_order_so_references_match(con, tmp_path):
    outcomes = write_csv(tmp_path / "outcomes.csv", rows("outcomes", {}))
    referral_file = write_csv(tmp_path / "referrals.csv", rows("referrals", {}))

    reports = load(con, outcomes, referral_file)

    assert [r.kind for r in reports] == ["outcomes", "referrals"]
    assert all(r.unmatched == 0 for r in reports if r.kind == "outcomes")


# --- rows rejected, each with its reason -----------------------------------------------------

ROW_RULES = [
    ("referral_date", "31/02/2025", "is not a real date"),
    ("referral_date", "2025-02-29", "is not a real date"),
    ("referral_date", "2025-13-01", "is not a real date"),
    ("referral_date", "02025-01-01", "is not a date: write dates as dd/mm/yyyy or yyyy-mm-dd"),
    ("referral_date", "04/14/2025", "is not a real date (dates are read day first"),
    ("referral_date", "April 2025", "is not a date: write dates as dd/mm/yyyy or yyyy-mm-dd"),
    ("referral_date", "01/01/2099", "is in the future"),
    ("imd_decile", "14", "must be from 1 to 10"),
    ("imd_decile", "three", "is not a whole number"),
    ("referral_source", "doctor", "is not one of the allowed values: gp, nurse"),
    ("pcn_code", "12345", "is not a valid pcn_code (ODS PCN code: U and five digits"),
    ("referral_id", "", "referral_id is required but is empty"),
    ("first_contact_date", "01/04/2025", "is before the referral date (14/04/2025)"),
]


@pytest.mark.parametrize(("column", "value", "reason"), ROW_RULES)
def test_row_breaking_a_rule_is_rejected_with_its_reason(con, tmp_path, column, value, reason):
    records = rows("referrals", {"referral_id": "R0"}, {column: value})
    path = write_csv(tmp_path / "r.csv", records)

    report = only(load(con, path))

    assert (report.accepted, report.rejected) == (1, 1)
    error = report.errors.iloc[0]
    assert (error["row"], error["column"], error["value"] or "") == (3, column, value)
    assert reason in error["reason"]
    assert referrals(con)["referral_id"].tolist() == ["R0"]


def test_iso_dates_load_with_or_without_leading_zeros_and_times(con, tmp_path):
    written = ["2025-04-14", "2025-4-14", "2025-04-14 09:30", "2025-04-14T09:30:00", " 2025-04-14 "]
    changes = ({"referral_id": f"R{i}", "referral_date": d} for i, d in enumerate(written))
    records = rows("referrals", *changes)
    path = write_csv(tmp_path / "r.csv", records)

    report = only(load(con, path))

    assert (report.accepted, report.rejected) == (len(written), 0)
    assert set(referrals(con)["referral_date"].dt.date) == {date(2025, 4, 14)}


def test_allowed_values_load_padded_or_in_another_case(con, tmp_path):
    written = [" gp ", "\u00a0self", "GP", "Self ", "vcse"]
    changes = ({"referral_id": f"R{i}", "referral_source": v} for i, v in enumerate(written))
    path = write_csv(tmp_path / "r.csv", rows("referrals", *changes))

    report = only(load(con, path))

    assert report.rejected == 0, report.errors
    assert referrals(con)["referral_source"].tolist() == ["gp", "self", "gp", "self", "vcse"]


def test_blank_rows_are_skipped_and_later_rows_keep_their_numbers(con, tmp_path):
    good = csv_text(rows("referrals", {}, {"referral_id": "R2", "sex": "x"})).splitlines()
    columns = len(REFERRAL)
    blanks = [
        "," * (columns - 1),
        ",".join(["  "] * columns),
        "\u00a0\u2007" + "," * (columns - 1),
    ]
    path = tmp_path / "r.csv"
    path.write_text("\n".join([good[0], good[1], *blanks, "\t" + "," * (columns - 1), good[2]]))

    report = only(load(con, path))

    assert "3 blank rows skipped." in report.notices
    assert report.rows_read == 3
    # A tab is not a space: its row is a row, of empty values.
    assert report.rejected_rows["row"].tolist() == [6, 7]
    assert "person_id is required" in report.errors["reason"].iloc[0]
    assert report.errors["column"].iloc[-1] == "sex"


def test_only_the_rows_breaking_a_rule_are_named_among_many(con, tmp_path):
    records = rows("referrals", *({"referral_id": f"R{i}"} for i in range(50)))
    records.append({**records[0], "referral_id": "R50", "sex": "x"})
    records[7] = {**records[7], "referral_date": "2025-02-30"}
    records[20] = {**records[20], "status": "maybe"}
    path = write_csv(tmp_path / "r.csv", records)

    report = only(load(con, path))

    assert list(zip(report.errors["row"], report.errors["column"], strict=True)) == [
        (9, "referral_date"),
        (22, "status"),
        (52, "sex"),
    ]
    assert report.rejected_rows["row"].tolist() == [9, 22, 52]


def test_star_score_out_of_range_is_rejected(con, tmp_path):
    path = write_csv(tmp_path / "o.csv", rows("outcomes", {"followup_score": "7"}))

    report = only(load(con, path))

    assert report.errors["reason"].tolist() == ["is outside 1-5 for wellbeing_star"]


def test_every_copy_of_a_duplicated_key_is_rejected(con, tmp_path):
    path = write_csv(tmp_path / "r.csv", rows("referrals", {}, {"referral_id": "R2"}, {}))

    report = only(load(con, path))

    assert report.errors["row"].tolist() == [2, 4]
    assert all("appears 2 times in this file (rows 2, 4)" in r for r in report.errors["reason"])
    assert referrals(con)["referral_id"].tolist() == ["R2"]


def test_row_with_too_many_values_is_rejected_and_later_rows_keep_their_numbers(con, tmp_path):
    text = csv_text(rows("referrals", {"referral_id": "R1"}, {"referral_id": "R2"}))
    lines = text.splitlines()
    path = tmp_path / "r.csv"
    path.write_text("\n".join([lines[0], lines[1] + ",extra", lines[2].replace("U12345", "U1")]))

    report = only(load(con, path))

    assert report.errors["row"].tolist() == [2, 3]
    assert "the header has 12 columns" in report.errors["reason"].iloc[0]


def test_sql_in_free_text_is_stored_verbatim_and_rejected_in_a_code(con, tmp_path):
    attack = "x'; drop table referrals; --"
    path = write_csv(
        tmp_path / "s.csv",
        rows("services", {"provider_name": attack}, {"service_id": "S2", "pcn_code": attack}),
    )

    report = only(load(con, path))

    assert con.execute("select service_id, provider_name from services").fetchall() == [
        ("S1", attack)
    ]
    assert report.errors[["row", "column", "value"]].values.tolist() == [[3, "pcn_code", attack]]
    assert store.table_counts(con)["referrals"] == 0  # the table is still there


def test_rejected_rows_download_neutralises_formulas(con, tmp_path):
    path = write_csv(tmp_path / "r.csv", rows("referrals", {"person_id": "=cmd()", "sex": "x"}))

    report = only(load(con, path))

    text = csv_bytes(report.rejected_rows).decode("utf-8-sig")
    assert "'=cmd()" in text and "sex: is not one of the allowed values" in text


# --- rows that load with a warning ------------------------------------------------------------


def test_first_contact_on_a_declined_referral_loads_with_a_warning(con, tmp_path):
    path = write_csv(tmp_path / "r.csv", rows("referrals", {"status": "declined"}))

    report = only(load(con, path))

    assert report.accepted == 1
    assert "declined referral has a first-contact date" in report.warnings[0]["reason"]


def test_onward_referral_before_first_contact_loads_with_a_warning(con, tmp_path):
    load(con, write_csv(tmp_path / "r.csv", rows("referrals", {})))
    path = write_csv(tmp_path / "o.csv", rows("onward_referrals", {"onward_date": "15/04/2025"}))

    report = only(load(con, path))

    assert report.accepted == 1
    reasons = [w["reason"] for w in report.warnings]
    assert any("is before the first contact with the person (22/04/2025)" in r for r in reasons)


def test_outcomes_for_unknown_referrals_are_loaded_and_reported_unmatched(con, tmp_path):
    path = write_csv(tmp_path / "o.csv", rows("outcomes", {"referral_id": "R404"}))

    report = only(load(con, path))

    assert (report.accepted, report.unmatched) == (1, 1)
    assert (
        "1 row has a referral_id that matches no loaded referral (row 2)"
        in (report.warnings[0]["reason"])
    )


# --- nothing changes unless the whole load commits --------------------------------------------


def test_failure_mid_load_leaves_the_database_unchanged(con, tmp_path, monkeypatch):
    load(con, write_csv(tmp_path / "a.csv", rows("referrals", {})))
    before = snapshot(con)

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "record_load", crash)
    with pytest.raises(RuntimeError):
        load(con, write_csv(tmp_path / "b.csv", rows("referrals", {"referral_id": "R9"})))

    assert snapshot(con) == before


def test_preview_changes_nothing(con, tmp_path):
    before = snapshot(con)
    path = write_csv(tmp_path / "r.csv", rows("referrals", {}))

    report = only(ingest.preview(con, [ingest.Extract("r.csv", path)], today=TODAY))

    assert report.accepted == 1 and not report.loaded
    assert snapshot(con) == before


def test_strict_load_with_a_rejection_writes_nothing(con, tmp_path):
    path = write_csv(tmp_path / "r.csv", rows("referrals", {}, {"referral_id": "R2", "sex": "?"}))

    report = only(load(con, path, strict=True))

    assert not report.loaded and report.rejected == 1
    assert store.table_counts(con)["referrals"] == 0


def test_kind_is_recognised_from_headers():
    assert ingest.detect_kind(list(REFERRAL)) == "referrals"
    assert ingest.detect_kind(["Service ID", "Provider", "Activity", "Area served", "Places",
                               "Funding", "Status"]) == "services"  # fmt: skip
    assert ingest.detect_kind(["CODE", "NUMBER_OF_PATIENTS"]) == "pcns"
    assert ingest.detect_kind(["colour", "size"]) is None


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_for_each_kind_loads_as_that_kind(con, tmp_path, kind):
    path = tmp_path / f"{kind}_template.csv"
    path.write_bytes(template_csv(kind))

    report = only(load(con, path))

    outcome = (report.kind, report.accepted, report.rejected)
    assert outcome == (kind, 1, 0), report.errors.to_dict("records")


def test_dictionary_lists_every_column_with_its_rule_and_aliases():
    table = dictionary("referrals").set_index("column")

    assert "Date of referral" in table.loc["referral_date", "aliases"]
    assert "dd/mm/yyyy" in table.loc["referral_date", "rule"]
    assert "not_contactable" in table.loc["status", "rule"]


def test_readers_see_the_previous_data_until_the_load_commits(con, tmp_path, monkeypatch):
    load(con, write_csv(tmp_path / "a.csv", rows("referrals", {})))
    seen_mid_load = []
    record_load = store.record_load

    def record_and_look(cursor, **details):
        reader = con.cursor()
        seen_mid_load.append(reader.execute("select count(*) from referrals").fetchall()[0][0])
        reader.close()
        record_load(cursor, **details)

    monkeypatch.setattr(store, "record_load", record_and_look)
    load(con, write_csv(tmp_path / "b.csv", rows("referrals", {"referral_id": "R2"})))

    assert seen_mid_load == [1]
    assert store.table_counts(con)["referrals"] == 2


def test_gp_sizes_without_total_rows_sum_their_breakdown(con, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "PRACTICE_CODE,PRACTICE_NAME,PCN_CODE,PCN_NAME,CCG_CODE,STP_CODE\n"
        "A81001,THE DENSHAM SURGERY,U12345,RIVERSIDE PCN,00K,E54000053\n"
    )
    sizes = tmp_path / "gp-reg-pat-prac-sing-age-male.csv"
    sizes.write_text(
        "ORG_TYPE,ORG_CODE,SEX,AGE,NUMBER_OF_PATIENTS\n"
        "GP,A81001,MALE,0,10\nGP,A81001,MALE,1,12\nGP,A81001,FEMALE,0,9\n"
    )

    report = only(load(con, mapping, sizes, kind="pcns"))

    assert report.accepted == 1
    assert con.execute("select icb_code, list_size from pcns").fetchall() == [("E54000053", 31)]


# --- utilisation: a person's before and after windows must be equally long --------------------


def utilisation(con) -> list[tuple]:
    return con.execute(
        "select person_id, setting, period, window_months from utilisation order by all"
    ).fetchall()


def test_utilisation_windows_that_differ_for_a_person_reject_every_row_of_that_person(
    con, tmp_path
):
    path = write_csv(
        tmp_path / "u.csv",
        rows(
            "utilisation",
            {"period": "before", "window_months": "6"},
            {"period": "after", "window_months": "12"},
            {"person_id": "P2", "period": "before"},
            {"person_id": "P2", "period": "after"},
        ),
    )

    report = only(load(con, path))

    assert report.loaded and (report.accepted, report.rejected) == (2, 2)
    assert report.errors[["row", "column", "value"]].values.tolist() == [
        [2, "window_months", "6"],
        [3, "window_months", "12"],
    ]
    assert set(report.errors["reason"]) == {
        "before window 6 months and after window 12 months differ for this person and setting"
    }
    assert report.rejected_rows["row"].tolist() == [2, 3]
    assert utilisation(con) == [
        ("P2", "gp_appointment", "after", 6),
        ("P2", "gp_appointment", "before", 6),
    ]


def test_utilisation_windows_that_match_load_even_when_settings_differ(con, tmp_path):
    path = write_csv(
        tmp_path / "u.csv",
        rows(
            "utilisation",
            {"period": "before", "window_months": "12"},
            {"period": "after", "window_months": "12"},
            {"setting": "ae_attendance", "period": "before", "window_months": "6"},
            {"setting": "ae_attendance", "period": "after", "window_months": "6"},
            {"person_id": "P2", "period": "before", "window_months": "3"},
        ),
    )

    report = only(load(con, path))

    assert report.loaded and (report.accepted, report.rejected) == (5, 0)
    assert len(utilisation(con)) == 5


def test_utilisation_window_differing_from_the_stored_other_period_is_rejected(con, tmp_path):
    load(con, write_csv(tmp_path / "before.csv", rows("utilisation", {"window_months": "6"})))
    path = write_csv(
        tmp_path / "after.csv",
        rows(
            "utilisation",
            {"period": "after", "window_months": "12"},
            {"person_id": "P2", "period": "after", "window_months": "12"},
        ),
    )

    report = only(load(con, path))

    assert report.loaded and (report.accepted, report.rejected) == (1, 1)
    error = report.errors.iloc[0]
    assert (error["row"], error["column"], error["value"]) == (2, "window_months", "12")
    assert error["reason"].startswith(
        "before window 6 months (already in the database or earlier in this load) and after "
        "window 12 months differ for this person and setting"
    )
    assert utilisation(con) == [
        ("P1", "gp_appointment", "before", 6),
        ("P2", "gp_appointment", "after", 12),
    ]


def test_utilisation_reloaded_with_both_periods_in_a_new_window_replaces_the_old(con, tmp_path):
    load(
        con,
        write_csv(tmp_path / "six.csv", rows("utilisation", {}, {"period": "after"})),
    )
    twelve = rows(
        "utilisation", {"window_months": "12"}, {"period": "after", "window_months": "12"}
    )

    report = only(load(con, write_csv(tmp_path / "twelve.csv", twelve)))

    assert report.loaded and report.rejected == 0
    assert [window for *_, window in utilisation(con)] == [12, 12]


def test_utilisation_stored_window_counts_when_the_row_replacing_it_is_rejected(con, tmp_path):
    load(con, write_csv(tmp_path / "after.csv", rows("utilisation", {"period": "after"})))
    path = write_csv(
        tmp_path / "both.csv",
        rows(
            "utilisation",
            {"period": "before", "window_months": "12"},
            {"period": "after", "window_months": "12", "count": "-1"},
        ),
    )

    report = only(load(con, path))

    assert report.rejected == 2
    before = report.errors[report.errors["row"] == 2].iloc[0]
    assert before["column"] == "window_months"
    assert "after window 6 months (already in the database" in before["reason"]
    assert utilisation(con) == [("P1", "gp_appointment", "after", 6)]


def test_utilisation_files_in_one_load_have_their_windows_compared(con, tmp_path):
    before = write_csv(tmp_path / "before.csv", rows("utilisation", {"window_months": "6"}))
    after = write_csv(
        tmp_path / "after.csv", rows("utilisation", {"period": "after", "window_months": "12"})
    )

    reports = load(con, before, after)

    assert [(r.file, r.accepted, r.rejected, r.loaded) for r in reports] == [
        ("before.csv", 1, 0, True),
        ("after.csv", 0, 1, True),
    ]
    assert "earlier in this load" in reports[1].errors["reason"].iloc[0]
    assert utilisation(con) == [("P1", "gp_appointment", "before", 6)]


def test_utilisation_window_rejections_block_a_strict_load_entirely(con, tmp_path):
    path = write_csv(
        tmp_path / "u.csv",
        rows("utilisation", {}, {"period": "after", "window_months": "12"}, {"person_id": "P2"}),
    )
    before = snapshot(con)

    report = only(load(con, path, strict=True))

    assert not report.loaded and report.rejected == 2
    assert snapshot(con) == before
