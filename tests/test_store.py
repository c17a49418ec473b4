import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from dashboard.data import store
from dashboard.data.contract import KINDS
from tests.factories import add_rows


def test_new_database_has_a_table_per_extract_kind_keyed_by_its_key(con):
    for kind, spec in KINDS.items():
        constraints = con.execute(
            "select constraint_column_names from duckdb_constraints() "
            "where table_name = $table and constraint_type = 'PRIMARY KEY'",
            {"table": kind},
        ).fetchone()
        assert tuple(constraints[0]) == spec.key


def test_new_database_is_empty_but_for_the_schema(con):
    assert store.is_empty(con)
    assert store.data_version(con) == 0


def test_upsert_replaces_a_row_with_the_same_key(con):
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "Old name"})
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "St Mary's PCN"})
    assert con.execute("select pcn_name from pcns").fetchall() == [("St Mary's PCN",)]


def test_recording_a_load_changes_the_data_version(con):
    store.record_load(con, file_name="x.csv", kind="pcns", rows_read=1, accepted=1, rejected=0)
    assert store.data_version(con) == 1
    history = con.execute("select file_name, rows_read from load_history").fetchall()
    assert history == [("x.csv", 1)]


def test_db_path_comes_from_the_flag_then_the_environment_then_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv(store.DB_ENV, raising=False)
    assert store.resolve_db_path() == store.DEFAULT_DB
    monkeypatch.setenv(store.DB_ENV, str(tmp_path / "env.duckdb"))
    assert store.resolve_db_path() == tmp_path / "env.duckdb"
    assert store.resolve_db_path(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"


def test_opening_a_database_held_by_another_process_says_so(db_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(store.DatabaseInUse, match="in use by another process"):
            store.connect(db_path)
    finally:
        holder.communicate("")


def test_upsert_refuses_an_unknown_kind(con):
    with pytest.raises(ValueError, match="unknown extract kind"):
        store.upsert(con, "patients", pd.DataFrame({"x": [1]}))


def test_dates_round_trip_as_dates(con):
    add_rows(con, "referrals", {"referral_id": "R1", "referral_date": date(2025, 3, 31)})
    assert con.execute("select referral_date from referrals").fetchone()[0] == date(2025, 3, 31)
