"""`python -m dashboard load`: exit codes, JSON lines, and files refused whole."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dashboard.__main__ import main
from dashboard.data import store
from tests.extracts import rows, snapshot, write_csv
from tests.spreadsheets import write_xlsx


def database_state(path: Path):
    with store.open_db(path, read_only=True) as con:
        return snapshot(con)


@pytest.fixture
def loaded_db(db_path: Path, tmp_path: Path) -> Path:
    """A database that already holds one referral, so 'unchanged' means something."""
    seed = write_csv(tmp_path / "seed.csv", rows("referrals", {"referral_id": "R0"}))
    assert main(["load", "referrals", str(seed), "--db", str(db_path)]) == 0
    return db_path


def test_load_json_prints_one_object_per_file_and_nothing_else(loaded_db, tmp_path, capsys):
    good = write_csv(tmp_path / "good.csv", rows("referrals", {"referral_id": "R1"}))
    mixed = write_csv(
        tmp_path / "mixed.csv", rows("services", {}, {"service_id": "S2", "funding": "maybe"})
    )
    capsys.readouterr()

    status = main(["load", "auto", str(good), str(mixed), "--db", str(loaded_db), "--json"])

    out = capsys.readouterr()
    lines = [json.loads(line) for line in out.out.splitlines()]
    assert status == 0
    assert [
        (o["file"], o["kind"], o["rows_read"], o["accepted"], o["rejected"]) for o in lines
    ] == [
        ("good.csv", "referrals", 1, 1, 0),
        ("mixed.csv", "services", 2, 1, 1),
    ]
    assert lines[1]["errors"] == [
        {
            "row": 3,
            "column": "funding",
            "value": "maybe",
            "reason": "is not one of the allowed values: funded, unfunded, time_limited",
        }
    ]
    assert set(lines[0]) >= {"kind", "file", "rows_read", "accepted", "rejected", "errors"}
    assert "Committed" in out.err


def test_load_into_a_new_path_creates_the_schema_and_only_the_file(tmp_path, capsys):
    db = tmp_path / "new" / "fresh.duckdb"
    path = write_csv(tmp_path / "r.csv", rows("referrals", {}))

    assert main(["load", "referrals", str(path), "--db", str(db)]) == 0

    state = database_state(db)
    assert len(state["referrals"]) == 1
    assert all(not state[k] for k in ("pcns", "outcomes", "utilisation", "services"))


def test_strict_exits_2_and_writes_nothing_when_a_row_is_rejected(loaded_db, tmp_path, capsys):
    before = database_state(loaded_db)
    path = write_csv(tmp_path / "r.csv", rows("referrals", {"referral_id": "R5", "sex": "?"}))

    status = main(["load", "referrals", str(path), "--db", str(loaded_db), "--strict"])

    assert status == 2
    assert database_state(loaded_db) == before
    assert "Nothing was loaded" in capsys.readouterr().err


def _referral_csv(tmp_path: Path, **extra_columns: str) -> bytes:
    records = [r | extra_columns for r in rows("referrals", {})]
    return write_csv(tmp_path / "source.csv", records).read_bytes()


# Each bad file: how to make it, and the words its refusal must say.
REFUSALS = {
    "empty": (lambda tmp: b"", "is empty"),
    "header only": (lambda tmp: b"referral_id,person_id,pcn_code\n", "has a header but no rows"),
    "missing required column": (
        lambda tmp: (
            b"Referral ID,Person ID,PCN Code,Referral date,Reason,Age band,Sex,Ethnicity,"
            b"Status\nR1,P1,U12345,14/04/2025,money,45-54,male,white,referred\n"
        ),
        "has no referral_source column, required for referrals",
    ),
    "not a table": (lambda tmp: b"Dear team,\nplease find the figures attached.\n", "not a table"),
    "binary": (lambda tmp: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a table"),
    "nhs number header": (
        lambda tmp: _referral_csv(tmp, **{"NHS Number": "not given"}),
        "'NHS Number' names an NHS number",
    ),
    "patient name header": (
        lambda tmp: _referral_csv(tmp, Surname="Smith"),
        "'Surname' names a person's name",
    ),
    "date of birth header": (
        lambda tmp: _referral_csv(tmp, DOB="01/01/1950"),
        "'DOB' names a date of birth",
    ),
    "address header": (
        lambda tmp: _referral_csv(tmp, **{"Address line 1": "1 High St"}),
        "names an address",
    ),
    "postcode header": (
        lambda tmp: _referral_csv(tmp, **{"Patient postcode": "AB1 2CD"}),
        "names a postcode",
    ),
    "nhs numbers as values": (
        lambda tmp: _referral_csv(tmp, person_ref="943 476 5919"),
        "are valid NHS numbers",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_file_exits_2_names_the_problem_and_changes_nothing(
    loaded_db, tmp_path, capsys, case
):
    make, words = REFUSALS[case]
    path = tmp_path / "extract.csv"
    path.write_bytes(make(tmp_path))
    before = database_state(loaded_db)
    capsys.readouterr()

    status = main(["load", "referrals", str(path), "--db", str(loaded_db), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert status == 2
    assert result["refused"] and not result["loaded"]
    assert words in result["errors"][0]["reason"]
    if "identifier" in result["errors"][0]["reason"]:
        assert "must be pseudonymised" in result["errors"][0]["reason"]
    assert database_state(loaded_db) == before


def test_refusal_of_one_file_loads_none_of_the_others(loaded_db, tmp_path, capsys):
    good = write_csv(tmp_path / "good.csv", rows("referrals", {"referral_id": "R1"}))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    before = database_state(loaded_db)

    assert main(["load", "referrals", str(good), str(empty), "--db", str(loaded_db)]) == 2
    assert database_state(loaded_db) == before


def test_corrupt_spreadsheet_is_refused(loaded_db, tmp_path, capsys):
    path = tmp_path / "extract.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")

    assert main(["load", "referrals", str(path), "--db", str(loaded_db), "--json"]) == 2
    assert "could not be opened as a spreadsheet" in capsys.readouterr().out


def test_spreadsheet_loads_from_the_cli(loaded_db, tmp_path, capsys):
    record = rows("referrals", {"referral_id": "R7"})[0]
    path = write_xlsx(tmp_path / "referrals.xlsx", [list(record), list(record.values())])

    assert main(["load", "auto", str(path), "--db", str(loaded_db)]) == 0
    assert len(database_state(loaded_db)["referrals"]) == 2


def test_file_over_the_size_limit_is_refused(loaded_db, tmp_path, capsys, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[load]\nmax_file_mb = 0.0001\n")
    monkeypatch.setenv("SP_DASHBOARD_SETTINGS", str(settings))
    path = write_csv(
        tmp_path / "r.csv", rows("referrals", *[{"referral_id": f"R{i}"} for i in range(9)])
    )

    assert main(["load", "referrals", str(path), "--db", str(loaded_db), "--json"]) == 2
    assert "over the 0 MB limit" in capsys.readouterr().out


def test_missing_file_exits_2(loaded_db, tmp_path, capsys):
    assert main(["load", "referrals", str(tmp_path / "nope.csv"), "--db", str(loaded_db)]) == 2
    assert "No such file" in capsys.readouterr().err


def test_database_in_use_by_another_process_exits_2_with_a_message(loaded_db, tmp_path, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(loaded_db)!r})
                print("open", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        path = write_csv(tmp_path / "r.csv", rows("referrals", {}))

        status = main(["load", "referrals", str(path), "--db", str(loaded_db)])

        assert status == 2
        assert "in use by another process" in capsys.readouterr().err
    finally:
        holder.communicate("")
