"""The Data page's mapping step: a source system's export mapped, previewed, saved and reused."""

from __future__ import annotations

import tomllib

from streamlit.testing.v1 import AppTest

from dashboard.data import audit, mappings, store

HEADERS = (
    "Client Ref,Date Referred,Practice,PCN,Referred By,Main Need,Age,Gender,Ethnic Group,"
    "IMD Decile,First Contact,Status"
)
# A case-management system's export: its own headers and codes, UK dates, ages in years.
APRIL = "\n".join(
    [
        HEADERS,
        "C001,14/04/2025,A81001,U12345,Doctor,Loneliness,47,F,White British,3,22/04/2025,"
        "Closed - goals met",
        "C002,15/04/2025,A81001,U12345,Link worker self-referral,Money worries,71,M,"
        "Asian or Asian British,5,,Open - awaiting contact",
        "C003,16/04/2025,A81002,U12345,Practice Nurse,Low mood,33,F,White and Black Caribbean,"
        ",25/04/2025,Closed - declined",
        "C004,17/04/2025,A81002,U12345,Doctor,Loneliness,29,M,Not stated,2,18/04/2025,Engaged",
        "C005,18/04/2025,A81002,U12345,Pharmacy drop-in,Loneliness,62,F,White British,4,,"
        "Closed - goals met",
    ]
)
# Next month's export from the same system: the same headers, in another order.
MAY_HEADERS = (
    "Date Referred,Client Ref,Practice,PCN,Referred By,Main Need,Age,Gender,Ethnic Group,"
    "IMD Decile,First Contact,Status"
)
MAY = "\n".join(
    [
        MAY_HEADERS,
        "02/05/2025,C101,A81001,U12345,Doctor,Loneliness,51,M,White British,6,09/05/2025,Engaged",
        "03/05/2025,C102,A81002,U12345,Practice Nurse,Low mood,24,F,Not stated,,,"
        "Open - awaiting contact",
    ]
)


def _upload(at: AppTest, name: str, text: str, round_: int = 0) -> AppTest:
    at.file_uploader(key=f"upload_files_{round_}").set_value((name, text.encode(), "text/csv"))
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _choice(at: AppTest, prefix: str, label: str):
    return next(s for s in at.selectbox if s.key.startswith(prefix) and s.label.startswith(label))


def _column(at: AppTest, key: str):
    return next(s for s in at.selectbox if s.key.startswith("mapcol_") and s.key.endswith(key))


def test_a_foreign_export_is_mapped_previewed_and_loaded_only_on_click(data_page, db_path):
    at = _upload(data_page, "april.csv", APRIL)

    assert not at.exception
    # Refused for its headers, so the mapping step opens with every choice guessed.
    assert at.toggle[0].value is True
    assert _column(at, "_referral_date").value == "Date Referred"
    assert _column(at, "_referral_source").value == "Referred By"
    assert _column(at, "_referral_id").value == "Client Ref"
    assert _column(at, "_person_id").value == "Client Ref"
    assert _column(at, "_age").value == "Age"
    assert _choice(at, "mapval_", "'Doctor' (2 rows)").value == "gp"
    assert _choice(at, "mapval_", "'Link worker self-referral'").value == "self"
    assert _choice(at, "mapval_", "'Closed - goals met' (2 rows)").value == "completed"
    # A code nothing suggests stays unmapped, listed with its rows, and rejects them.
    pharmacy = _choice(at, "mapval_", "'Pharmacy drop-in' (1 row)")
    assert pharmacy.value.startswith("(not mapped")
    assert any("referral_source 'Pharmacy drop-in' (1 row)" in w.value for w in at.warning)
    assert _metrics(at) == {"Rows read": "5", "Rows to accept": "4", "Rows to reject": "1"}
    with store.connect(db_path) as con:  # a preview writes nothing
        assert con.execute("select count(*) from referrals").fetchone()[0] == 0

    pharmacy.set_value("other_clinician")
    at.run()
    assert _metrics(at) == {"Rows read": "5", "Rows to accept": "5", "Rows to reject": "0"}

    at.button(key="load_button").click()
    at.run()

    assert not at.exception
    assert "Loaded 5 rows from 1 file; 0 rejected." in at.success[0].value
    with store.connect(db_path) as con:
        loaded = con.execute(
            "select referral_id, person_id, referral_source, age_band, sex, ethnicity, status, "
            "referral_date from referrals order by referral_id"
        ).fetchall()
    assert [row[:7] for row in loaded] == [
        ("C001", "C001", "gp", "45-54", "female", "white", "completed"),
        ("C002", "C002", "self", "65-74", "male", "asian", "referred"),
        ("C003", "C003", "nurse", "25-34", "female", "mixed", "declined"),
        ("C004", "C004", "gp", "25-34", "male", "not_stated", "engaged"),
        ("C005", "C005", "other_clinician", "55-64", "female", "white", "completed"),
    ]
    assert str(loaded[0][7]) == "2025-04-14"
    assert "(mapping 'april (referrals)')" in audit.trail(db_path)["what"].iloc[0]


def test_a_saved_mapping_is_recognised_for_next_months_file(data_page, db_path):
    at = _upload(data_page, "april.csv", APRIL)
    _choice(at, "mapval_", "'Pharmacy drop-in'").set_value("other_clinician")
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("mapname_"))).input(
        "Case system monthly export"
    )
    at.run()
    at.button(key=next(b.key for b in at.button if b.key.startswith("mapsave_"))).click()
    at.run()

    assert not at.exception
    assert "Saved 'Case system monthly export'" in at.success[0].value
    saved = mappings.saved(db_path)
    assert [m.name for m in saved] == ["Case system monthly export"]
    assert saved[0].values["referral_source"]["Pharmacy drop-in"] == "other_clinician"
    trail = audit.trail(db_path)
    assert trail["action"].iloc[0] == "mapping"
    assert "saved mapping 'Case system monthly export' for referrals" in trail["what"].iloc[0]
    at.button(key="load_button").click()
    at.run()
    assert "Loaded 5 rows" in at.success[0].value

    # May's file: the same headers, recognised without opening the mapping step.
    at = _upload(at, "may.csv", MAY, round_=1)

    assert not at.exception
    assert at.toggle[0].label == "Edit the saved mapping 'Case system monthly export'"
    assert at.toggle[0].value is False
    notices = [caption.value for caption in at.caption]
    assert any(
        "its headers match the saved mapping 'Case system monthly export', which was applied"
        in notice
        for notice in notices
    )
    assert _metrics(at) == {"Rows read": "2", "Rows to accept": "2", "Rows to reject": "0"}
    at.button(key="load_button").click()
    at.run()
    with store.connect(db_path) as con:
        assert con.execute(
            "select referral_source, status from referrals where referral_id = 'C102'"
        ).fetchone() == ("nurse", "referred")


def test_saved_mappings_are_listed_downloadable_and_deletable(data_page, db_path):
    at = _upload(data_page, "april.csv", APRIL)
    at.button(key=next(b.key for b in at.button if b.key.startswith("mapsave_"))).click()
    at.run()

    listed = at.expander[0]
    assert listed.label == "Saved mappings (1)"
    assert "**april (referrals)**: referrals, 13 columns" in listed.markdown[0].value
    # What is saved (and downloaded: the same text) is the README's format.
    written = tomllib.loads(next(mappings.folder(db_path).glob("*.toml")).read_text())
    assert written["columns"]["referral_date"] == "Date Referred"
    assert written["values"]["status"]["Closed - goals met"] == "completed"

    at.button(key="saved_mapping_delete_0").click()
    at.run()

    assert not at.exception
    assert mappings.saved(db_path) == []
    assert at.expander[0].label == "Saved mappings (0)"
    assert "deleted mapping 'april (referrals)'" in audit.trail(db_path)["what"].iloc[0]


def test_another_systems_dates_and_codes_are_guessed_and_load(data_page, db_path):
    export = "\n".join(
        [
            "Case Number,Service User,Date Received,Surgery,Network,Referrer,Presenting Issue,"
            "Age at Referral,Sex,Ethnic Origin,IMD,Date First Seen,Outcome,Date Discharged",
            "K1,SU1,14-Apr-2025,A81001,U12345,GP,Social isolation,47,Female,White - British,3,"
            "22-Apr-2025,Goals achieved,30-Jun-2025",
            "K2,SU2,15-Apr-2025,A81001,U12345,Self,Debt,71,Male,"
            "Black or Black British - African,5,,Withdrawn,",
        ]
    )

    at = _upload(data_page, "cases.csv", export)

    assert (
        at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("mapdates_"))).value
        == "%d-%b-%Y"
    )
    assert _column(at, "_end_date").value == "Date Discharged"
    assert _metrics(at) == {"Rows read": "2", "Rows to accept": "2", "Rows to reject": "0"}
    at.button(key="load_button").click()
    at.run()
    with store.connect(db_path) as con:
        assert con.execute(
            "select referral_id, person_id, strftime(end_date, '%d/%m/%Y'), reason, status "
            "from referrals order by 1"
        ).fetchall() == [
            ("K1", "SU1", "30/06/2025", "loneliness", "completed"),
            ("K2", "SU2", None, "money", "declined"),
        ]


def test_identifiers_are_refused_with_no_mapping_offered(data_page):
    with_names = APRIL.replace("Client Ref,", "Surname,", 1)

    at = _upload(data_page, "named.csv", with_names)

    assert "must be pseudonymised" in at.error[0].value
    assert not [toggle for toggle in at.toggle if toggle.key.startswith("map_")]
    assert at.button(key="load_button").disabled


def test_editing_a_saved_mapping_with_next_months_file_keeps_codes_it_lacks(data_page, db_path):
    at = _upload(data_page, "april.csv", APRIL)
    _choice(at, "mapval_", "'Pharmacy drop-in'").set_value("other_clinician")
    at.run()
    at.button(key=next(b.key for b in at.button if b.key.startswith("mapsave_"))).click()
    at.run()
    at.button(key="load_button").click()
    at.run()

    at = _upload(at, "may.csv", MAY, round_=1)
    at.toggle[0].set_value(True)
    at.run()
    # May has no 'Pharmacy drop-in': the step lists May's codes, starting from the mapping's.
    assert not [s for s in at.selectbox if s.label.startswith("'Pharmacy drop-in'")]
    assert _choice(at, "mapval_", "'Practice Nurse'").value == "nurse"
    at.button(key=next(b.key for b in at.button if b.key.startswith("mapsave_"))).click()
    at.run()

    assert not at.exception
    (saved,) = mappings.saved(db_path)
    assert saved.values["referral_source"]["Pharmacy drop-in"] == "other_clinician"
    assert "replaced mapping 'april (referrals)'" in audit.trail(db_path)["what"].iloc[0]
