"""`python -m dashboard load ... --mapping`, and saved mappings applied by `load auto`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.__main__ import main
from dashboard.data import audit, mappings, store
from tests.extracts import rows, snapshot, write_csv
from tests.test_mapping import (
    FOREIGN_HEADERS,
    FOUR_REFERRALS,
    FOUR_STORED,
    MAPPING_TOML,
    NAME,
    REFERRAL_SOURCES,
    STORED,
    foreign,
    the_mapping,
)

ROOT = Path(__file__).resolve().parents[1]


def _load_mapped(kind: str, *paths: Path, mapping: Path, db: Path, options: str = "") -> int:
    """`load KIND PATH... --mapping MAPPING --db DB [--json|--strict]`, in process."""
    extra = [options] if options else []
    return main(
        ["load", kind, *map(str, paths), "--mapping", str(mapping), "--db", str(db), *extra]
    )


def database_state(path: Path):
    with store.open_db(path, read_only=True) as con:
        return snapshot(con)


def stored(path: Path) -> list[tuple]:
    with store.open_db(path, read_only=True) as con:
        return con.execute(f"select {STORED} from referrals order by referral_id").fetchall()


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def loaded_db(db_path: Path, tmp_path: Path) -> Path:
    """A database that already holds one referral, so 'unchanged' means something."""
    seed = write_csv(tmp_path / "seed.csv", rows("referrals", {"referral_id": "R0"}))
    assert main(["load", "referrals", str(seed), "--db", str(db_path)]) == 0
    return db_path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "case-system.csv", FOUR_REFERRALS)


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "case-system.toml"
    path.write_text(MAPPING_TOML, encoding="utf-8")
    return path


R0 = ("R0", "P1", "U12345", None, FOUR_STORED[0][4], "gp", "loneliness", "45-54", "female",
      "white", 3, FOUR_STORED[0][11], "engaged")  # fmt: skip


# --- load KIND FILE --mapping MAPPING.toml ----------------------------------------------------


@pytest.mark.parametrize("kind", ["referrals", "auto"])
def test_load_with_a_mapping_loads_every_row_in_contract_terms(
    loaded_db, export, mapping_file, capsys, kind
):
    capsys.readouterr()

    status = _load_mapped(kind, export, mapping=mapping_file, db=loaded_db, options="--json")

    out = capsys.readouterr()
    assert status == 0, out.err
    [result] = json_lines(out.out)
    assert (result["file"], result["kind"], result["rows_read"], result["accepted"]) == (
        "case-system.csv",
        "referrals",
        4,
        4,
    )
    assert (result["rejected"], result["errors"], result["loaded"]) == (0, [], True)
    assert result["mapping"] == NAME
    assert f"case-system.csv: read with the mapping '{NAME}'." in out.err
    assert stored(loaded_db) == [*FOUR_STORED, R0]


def test_mapping_applies_to_every_file_of_the_load(loaded_db, tmp_path, mapping_file, capsys):
    april = write_csv(tmp_path / "april.csv", FOUR_REFERRALS[:2])
    may = write_csv(tmp_path / "may.csv", FOUR_REFERRALS[2:])
    capsys.readouterr()

    status = _load_mapped(
        "referrals", april, may, mapping=mapping_file, db=loaded_db, options="--json"
    )

    lines = json_lines(capsys.readouterr().out)
    assert status == 0
    assert [(o["file"], o["accepted"], o["mapping"]) for o in lines] == [
        ("april.csv", 2, NAME),
        ("may.csv", 2, NAME),
    ]
    assert stored(loaded_db) == [*FOUR_STORED, R0]


def test_load_with_a_mapping_prints_a_readable_report(loaded_db, export, mapping_file, capsys):
    status = main(
        ["load", "referrals", str(export), "--mapping", str(mapping_file), "--db", str(loaded_db)]
    )

    out = capsys.readouterr()
    assert status == 0
    assert "case-system.csv: referrals, 4 rows read, 4 accepted, 0 rejected (loaded)." in out.out
    assert f"read with the mapping '{NAME}'" in out.err


def test_unmapped_code_rejects_only_its_rows(loaded_db, tmp_path, mapping_file, capsys):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign({}, {"Client Ref": "C002", "Referred By": "Receptionist"}, {"Client Ref": "C003"}),
    )
    capsys.readouterr()

    status = _load_mapped("referrals", path, mapping=mapping_file, db=loaded_db, options="--json")

    [result] = json_lines(capsys.readouterr().out)
    assert status == 0
    assert (result["accepted"], result["rejected"]) == (2, 1)
    assert result["errors"] == [
        {
            "row": 3,
            "column": "referral_source",
            "value": "Receptionist",
            "reason": f"is not one of the allowed values: {REFERRAL_SOURCES}, and the mapping "
            f"'{NAME}' does not map it",
        }
    ]
    assert [r[0] for r in stored(loaded_db)] == ["C001", "C003", "R0"]


def test_unmapped_code_with_strict_exits_2_and_loads_nothing(
    loaded_db, tmp_path, mapping_file, capsys
):
    path = write_csv(
        tmp_path / "case-system.csv",
        foreign({}, {"Client Ref": "C002", "Referred By": "Receptionist"}),
    )
    before = database_state(loaded_db)

    status = _load_mapped("referrals", path, mapping=mapping_file, db=loaded_db, options="--strict")

    assert status == 2
    assert "Nothing was loaded" in capsys.readouterr().err
    assert database_state(loaded_db) == before


# --- mappings that cannot be used -------------------------------------------------------------


def test_mapping_for_another_kind_exits_2_and_loads_nothing(
    loaded_db, export, mapping_file, capsys
):
    before = database_state(loaded_db)
    capsys.readouterr()

    status = _load_mapped("services", export, mapping=mapping_file, db=loaded_db, options="--json")

    out = capsys.readouterr()
    assert status == 2
    assert out.out == ""
    assert f"the mapping '{NAME}' is for referrals, not services" in out.err
    assert str(mapping_file) in out.err and "Nothing was loaded" in out.err
    assert database_state(loaded_db) == before


def test_missing_mapping_file_exits_2(loaded_db, export, tmp_path, capsys):
    before = database_state(loaded_db)
    absent = tmp_path / "absent.toml"

    status = main(
        ["load", "referrals", str(export), "--mapping", str(absent), "--db", str(loaded_db)]
    )

    err = capsys.readouterr().err
    assert status == 2
    assert f"No such mapping file: {absent}" in err and "Nothing was loaded" in err
    assert database_state(loaded_db) == before


def test_mapping_file_not_in_utf8_exits_2_naming_it(loaded_db, export, tmp_path, capsys):
    before = database_state(loaded_db)
    latin1 = tmp_path / "cafe.toml"
    latin1.write_bytes('name = "Caf\xe9 referrals"\nkind = "referrals"\n'.encode("latin-1"))

    status = _load_mapped("referrals", export, mapping=latin1, db=loaded_db)

    err = capsys.readouterr().err
    assert status == 2
    assert f"{latin1} cannot be read as UTF-8 text" in err and "Nothing was loaded" in err
    assert database_state(loaded_db) == before


def _bad(old: str, new: str) -> str:
    assert old in MAPPING_TOML
    return MAPPING_TOML.replace(old, new, 1)


# A bad mapping file, and what its message must say beside the file's path.
BAD_FILES = {
    "invalid toml": (_bad('kind = "referrals"', "kind = referrals"), ["not a valid mapping file"]),
    "unknown kind": (
        _bad('kind = "referrals"', 'kind = "referral"'),
        ["kind", "'referral' is not an extract kind"],
    ),
    "column not in the contract": (
        _bad('reason = "Main Need"', 'need = "Main Need"'),
        ["[columns] need is not a column of referrals"],
    ),
    "value not allowed": (
        _bad('"Doctor" = "gp"', '"Doctor" = "GP surgery"'),
        ["[values.referral_source]", "'GP surgery' is not a referral_source value"],
    ),
    "date format without a year": (
        _bad("[columns]", '[dates]\nformat = "%d-%b"\n\n[columns]'),
        ["[dates] format", "has no year"],
    ),
    "unknown top-level key": (
        _bad('kind = "referrals"', 'kind = "referrals"\nversion = 2'),
        ["version", "is not a mapping setting"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_mapping_file_exits_2_names_the_file_and_the_key_and_loads_nothing(
    loaded_db, export, tmp_path, capsys, case
):
    text, words = BAD_FILES[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    before = database_state(loaded_db)
    capsys.readouterr()

    status = main(
        ["load", "referrals", str(export), "--mapping", str(path), "--db", str(loaded_db), "--json"]
    )

    out = capsys.readouterr()
    assert status == 2
    assert out.out == ""
    assert out.err.startswith(f"{path} is not a ")
    for word in words:
        assert word in out.err
    assert "Nothing was loaded" in out.err
    assert database_state(loaded_db) == before


def test_mapping_with_a_date_format_repeating_a_part_exits_2_with_a_message(
    loaded_db, export, tmp_path, capsys
):
    path = tmp_path / "times.toml"
    path.write_text(_bad("[columns]", '[dates]\nformat = "%d/%m/%Y %H:%m"\n\n[columns]'))

    status = main(
        ["load", "referrals", str(export), "--mapping", str(path), "--db", str(loaded_db)]
    )

    assert status == 2
    assert "[dates] format" in capsys.readouterr().err


def test_mapping_naming_a_header_the_file_lacks_exits_2_naming_it_and_loads_nothing(
    loaded_db, export, tmp_path, capsys
):
    path = tmp_path / "wrong.toml"
    path.write_text(
        _bad('referral_date = "Date Referred"', 'referral_date = "Referral Received"'),
        encoding="utf-8",
    )
    before = database_state(loaded_db)
    capsys.readouterr()

    status = main(
        ["load", "referrals", str(export), "--mapping", str(path), "--db", str(loaded_db), "--json"]
    )

    out = capsys.readouterr()
    [result] = json_lines(out.out)
    shown = ", ".join(f"'{h}'" for h in FOREIGN_HEADERS)
    assert status == 2
    assert result["refused"] and not result["loaded"]
    reason = result["errors"][0]["reason"]
    assert f"the mapping '{NAME}' reads referral_date from the column 'Referral Received'" in reason
    assert f"Its columns are: {shown}." in reason
    assert "Nothing was loaded" in out.err
    assert database_state(loaded_db) == before


# --- saved mappings: load auto ----------------------------------------------------------------


def _next_month(tmp_path: Path) -> Path:
    """The same export a month later: its columns in another order, its headers respelt."""
    order = FOREIGN_HEADERS[1:] + FOREIGN_HEADERS[:1]
    records = [{f" {h.lower()} ": r[h] for h in order} for r in FOUR_REFERRALS]
    return write_csv(tmp_path / "may.csv", records)


def test_load_auto_applies_the_saved_mapping_for_the_files_headers(loaded_db, tmp_path, capsys):
    # Saved as the Data page saves it, or as a downloaded file copied into the folder.
    folder = loaded_db.with_name(f"{loaded_db.stem}.mappings")
    folder.mkdir()
    (folder / "case-system.toml").write_text(MAPPING_TOML, encoding="utf-8")
    path = _next_month(tmp_path)
    capsys.readouterr()

    status = main(["load", "auto", str(path), "--db", str(loaded_db), "--json"])

    out = capsys.readouterr()
    [result] = json_lines(out.out)
    assert status == 0, out.err
    assert (result["kind"], result["accepted"], result["mapping"]) == ("referrals", 4, NAME)
    assert f"may.csv: its headers match the saved mapping '{NAME}', which was applied." in out.err
    assert stored(loaded_db) == [*FOUR_STORED, R0]


def test_load_with_the_kind_applies_the_saved_mapping_too(loaded_db, tmp_path, capsys):
    mappings.save(loaded_db, the_mapping())

    status = main(["load", "referrals", str(_next_month(tmp_path)), "--db", str(loaded_db)])

    assert status == 0
    assert f"saved mapping '{NAME}'" in capsys.readouterr().err
    assert len(stored(loaded_db)) == 5


def test_load_auto_without_a_matching_saved_mapping_refuses_the_export(loaded_db, tmp_path, capsys):
    mappings.save(loaded_db, the_mapping())
    other = write_csv(tmp_path / "june.csv", [r | {"Team": "North"} for r in FOUR_REFERRALS])
    before = database_state(loaded_db)
    capsys.readouterr()

    status = main(["load", "auto", str(other), "--db", str(loaded_db), "--json"])

    [result] = json_lines(capsys.readouterr().out)
    assert status == 2
    assert result["refused"] and result["mapping"] is None
    assert "--mapping" in result["errors"][0]["reason"]
    assert database_state(loaded_db) == before


def test_deleted_saved_mapping_is_no_longer_applied(loaded_db, tmp_path, capsys):
    mappings.save(loaded_db, the_mapping())
    mappings.delete(loaded_db, NAME)

    status = main(["load", "auto", str(_next_month(tmp_path)), "--db", str(loaded_db)])

    assert status == 2
    assert "saved mapping" not in capsys.readouterr().err
    assert stored(loaded_db) == [R0]


def test_saved_mappings_of_another_database_are_not_applied(loaded_db, tmp_path, capsys):
    mappings.save(tmp_path / "elsewhere.duckdb", the_mapping())

    status = main(["load", "auto", str(_next_month(tmp_path)), "--db", str(loaded_db)])

    assert status == 2
    assert stored(loaded_db) == [R0]


def test_corrupt_saved_mapping_does_not_stop_a_load(loaded_db, tmp_path, capsys):
    mappings.save(loaded_db, the_mapping())
    (mappings.folder(loaded_db) / "broken.toml").write_text("name = \n", encoding="utf-8")

    status = main(["load", "auto", str(_next_month(tmp_path)), "--db", str(loaded_db)])

    assert status == 0, capsys.readouterr().err
    assert len(stored(loaded_db)) == 5


def test_saved_mapping_with_an_unreadable_date_format_does_not_stop_a_load(
    loaded_db, tmp_path, capsys
):
    folder = mappings.folder(loaded_db)
    folder.mkdir()
    (folder / "times.toml").write_text(
        _bad("[columns]", '[dates]\nformat = "%d/%m/%Y %H:%m"\n\n[columns]'), encoding="utf-8"
    )
    plain = write_csv(tmp_path / "plain.csv", rows("referrals", {"referral_id": "R1"}))

    assert main(["load", "referrals", str(plain), "--db", str(loaded_db)]) == 0


# --- the audit trail --------------------------------------------------------------------------


def test_audit_entry_of_a_load_with_a_mapping_names_the_mapping(
    loaded_db, export, mapping_file, capsys
):
    assert (
        main(
            [
                "load",
                "referrals",
                str(export),
                "--mapping",
                str(mapping_file),
                "--db",
                str(loaded_db),
            ]
        )
        == 0
    )

    entry = audit.trail(loaded_db, limit=1).iloc[0]
    assert (entry["action"], entry["via"]) == ("load", "command line")
    assert entry["what"] == f"loaded case-system.csv as referrals (mapping '{NAME}')"


def test_audit_entry_names_a_saved_mapping_applied_and_a_refused_load(loaded_db, tmp_path, capsys):
    mappings.save(loaded_db, the_mapping())
    assert main(["load", "auto", str(_next_month(tmp_path)), "--db", str(loaded_db)]) == 0
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        _bad('referral_date = "Date Referred"', 'referral_date = "Referral Received"'),
        encoding="utf-8",
    )
    export = write_csv(tmp_path / "june.csv", FOUR_REFERRALS)
    assert (
        main(["load", "referrals", str(export), "--mapping", str(wrong), "--db", str(loaded_db)])
        == 2
    )

    refused, loaded = audit.trail(loaded_db, limit=2)["what"].tolist()
    assert loaded == f"loaded may.csv as referrals (mapping '{NAME}')"
    assert refused == f"refused june.csv as referrals (mapping '{NAME}')"


def test_audit_entry_of_a_load_without_a_mapping_names_none(loaded_db, tmp_path, capsys):
    plain = write_csv(tmp_path / "plain.csv", rows("referrals", {"referral_id": "R1"}))

    assert main(["load", "referrals", str(plain), "--db", str(loaded_db)]) == 0

    assert audit.trail(loaded_db, limit=1).iloc[0]["what"] == "loaded plain.csv as referrals"


# --- as a process -----------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def test_python_m_dashboard_load_with_a_mapping(db_path, export, mapping_file, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(_bad('kind = "referrals"', 'kind = "referral"'), encoding="utf-8")

    good = _run(
        "load", "auto", str(export), "--mapping", str(mapping_file), "--db", str(db_path), "--json"
    )
    refused = _run("load", "auto", str(export), "--mapping", str(bad), "--db", str(db_path))

    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["accepted"] == 4
    assert stored(db_path) == FOUR_STORED
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert f"{bad} is not a usable mapping" in refused.stderr
    assert "'referral' is not an extract kind" in refused.stderr
