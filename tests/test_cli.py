import json

import pytest

from dashboard.__main__ import main
from dashboard.data import store


def test_demo_builds_every_extract_kind(db_path, capsys):
    assert main(["demo", "--db", str(db_path), "--referrals", "2000", "--seed", "3"]) == 0
    with store.open_db(db_path, read_only=True) as con:
        counts = store.table_counts(con)
    assert counts["referrals"] == 2000
    assert all(counts.values()), counts
    assert "referrals" in capsys.readouterr().err


def test_demo_refuses_to_overwrite_data_unless_told(db_path, capsys):
    main(["demo", "--db", str(db_path), "--referrals", "1000"])
    assert main(["demo", "--db", str(db_path), "--referrals", "1500"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["demo", "--db", str(db_path), "--if-empty"]) == 0
    with store.open_db(db_path, read_only=True) as con:
        assert store.table_counts(con)["referrals"] == 1000
    assert main(["demo", "--db", str(db_path), "--referrals", "1500", "--replace"]) == 0
    with store.open_db(db_path, read_only=True) as con:
        assert store.table_counts(con)["referrals"] == 1500


def test_demo_honours_the_database_environment_variable(monkeypatch, db_path):
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    assert main(["demo", "--referrals", "500"]) == 0
    assert db_path.exists()


def test_summary_prints_only_json_with_the_filters_it_used(synthetic_db, capsys):
    assert main(["summary", "--db", str(synthetic_db), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["filters"] == {"pcns": [], "from": "2025-04-01", "to": "2026-03-31"}
    assert summary["suppression"] == {"small_numbers": True, "rounded_to": 5}


def test_summary_never_adds_synthetic_data_to_a_new_database(db_path, capsys):
    assert main(["summary", "--db", str(db_path), "--json"]) == 2
    assert not db_path.exists()


def test_summary_names_an_unknown_pcn(synthetic_db, capsys):
    assert main(["summary", "--db", str(synthetic_db), "--pcn", "U99999", "--json"]) == 2
    assert "U99999" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["demo", "serve", "summary"])
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "--db" in capsys.readouterr().out
