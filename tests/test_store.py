import subprocess
import sys
from datetime import date

import duckdb
import pandas as pd
import pytest

from dashboard.data import derived, store
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
    assert not derived.outdated(con)


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


def test_read_only_connections_and_their_cursors_have_the_shared_macros(db_path):
    store.connect(db_path).close()
    with store.open_db(db_path, read_only=True) as con:
        cursor = con.cursor()
        try:
            assert cursor.execute("select rate_per_1000_a_year(5, 1000, 73)").fetchone() == (25.0,)
        finally:
            cursor.close()


def test_the_shared_macros_are_stored_in_the_database_file(db_path):
    store.connect(db_path).close()
    with duckdb.connect(str(db_path), read_only=True) as con:
        stored = {
            row[0]
            for row in con.execute(
                "select function_name from duckdb_functions() "
                "where database_name = current_database()"
            ).fetchall()
        }
    assert set(derived.macro_names()) <= stored


def test_database_from_before_the_macros_gets_them_when_opened_read_only(db_path):
    with store.open_db(db_path) as con:
        add_rows(con, "referrals", {"referral_id": "R1"})
        add_rows(con, "outcomes", {"referral_id": "R1", "followup_score": 4})
        # As an older version left it: no macros, and a derived_version of its own.
        con.execute("drop macro table period_months")
        for name in derived.macro_names():
            if name != "period_months":
                con.execute(f"drop macro {name}")
        con.execute("drop table derived_version")
        con.execute("create table derived_version (version integer not null)")
        con.execute("insert into derived_version values (2)")

    with store.open_db(db_path, read_only=True) as con:
        assert not derived.outdated(con)
        assert con.execute("select improvement('ons4', 'anxiety', 5, 3)").fetchone() == (2,)
        assert con.execute("select count(*) from outcome_monthly").fetchone() == (1,)


def test_a_missing_macro_makes_the_database_outdated(db_path):
    with store.open_db(db_path) as con:
        add_rows(con, "referrals", {"referral_id": "R1"})
        con.execute("drop macro improvement")
        assert derived.outdated(con)


def _primary_key(con, kind: str) -> tuple[str, ...] | None:
    found = con.execute(
        "select constraint_column_names from duckdb_constraints() "
        "where table_name = $table and constraint_type = 'PRIMARY KEY'",
        {"table": kind},
    ).fetchone()
    return tuple(found[0]) if found else None


def test_first_rows_into_an_empty_table_keep_its_primary_key(con):
    add_rows(con, "referrals", {"referral_id": "R1"}, {"referral_id": "R2"})

    assert _primary_key(con, "referrals") == ("referral_id",)
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into referrals (referral_id) values ('R1')")
    add_rows(con, "referrals", {"referral_id": "R1", "status": "completed"})
    assert con.execute("select referral_id, status from referrals order by 1").fetchall() == [
        ("R1", "completed"),
        ("R2", "referred"),
    ]


def test_first_rows_rolled_back_leave_the_empty_table_with_its_primary_key(con):
    con.execute("begin transaction")
    add_rows(con, "referrals", {"referral_id": "R1"})
    con.execute("rollback")

    assert store.is_empty(con)
    assert _primary_key(con, "referrals") == ("referral_id",)


def test_first_rows_with_a_key_twice_are_refused_and_change_nothing(con):
    rows = pd.DataFrame(
        {"pcn_code": ["U00001"] * 2, "pcn_name": ["A", "B"], "list_size": [10_000, 20_000]}
    )
    con.execute("begin transaction")
    with pytest.raises(duckdb.Error):  # in a transaction, when it commits
        store.upsert(con, "pcns", rows)
        con.execute("commit")

    assert store.is_empty(con)
    assert _primary_key(con, "pcns") == ("pcn_code",)


def test_reload_in_another_row_order_replaces_every_row_and_adds_new_ones(con):
    ids = [f"R{i:03d}" for i in range(200)]
    add_rows(con, "referrals", *({"referral_id": i, "status": "referred"} for i in ids))

    reloaded = [*reversed(ids[::2]), "R999"]
    add_rows(con, "referrals", *({"referral_id": i, "status": "completed"} for i in reloaded))

    status = dict(con.execute("select referral_id, status from referrals").fetchall())
    assert len(status) == 201
    assert all(status[i] == "completed" for i in reloaded)
    assert all(status[i] == "referred" for i in ids[1::2])
