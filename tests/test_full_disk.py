"""A full disk changes nothing: a load (or a rollback) without room is refused before it writes,
and one that fills the disk part way leaves the working database and the published snapshot as
they were. A real, small tmpfs made by the test; skipped where this machine cannot mount."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dashboard.__main__ import main
from dashboard.data import snapshots, store
from tests.extracts import rows, write_csv

DISK_MB = 40
LEFT_FREE = 3 * 2**20


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.strip() or 'not root'}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Take the disk's free space down to `leave` bytes."""
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        handle.write(b"\0" * (shutil.disk_usage(disk).free - leave))
    return filler


def referrals(path: Path, count: int, prefix: str) -> Path:
    return write_csv(
        path, rows("referrals", *({"referral_id": f"{prefix}{i}"} for i in range(count)))
    )


def counts(db: Path) -> dict[str, int]:
    with store.open_db(db, read_only=True) as con:
        return store.table_counts(con)


@pytest.fixture
def loaded(small_disk: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A database on the small disk holding a first load, and a big file (on the normal disk)
    that cannot fit in what will be left free."""
    db = small_disk / "data" / "dashboard.duckdb"
    assert (
        main(["load", "referrals", str(referrals(tmp_path / "a.csv", 50, "A")), "--db", str(db)])
        == 0
    )
    return db, referrals(tmp_path / "big.csv", 150_000, "B")


def nothing_changed(db: Path, before: snapshots.Snapshot) -> None:
    now = snapshots.current(db)
    assert (now.id, now.rows, now.data_version) == (before.id, before.rows, before.data_version)
    assert counts(db)["referrals"] == 50  # the working database
    with store.reading(db) as con:  # and what every reader opens
        assert store.table_counts(con)["referrals"] == 50
        assert con.execute("select count(*) from load_history").fetchone()[0] == 1


def test_a_load_without_room_is_refused_before_it_writes(loaded, small_disk, tmp_path, capsys):
    db, big = loaded
    before = snapshots.current(db)
    filler = fill(small_disk, LEFT_FREE)
    capsys.readouterr()
    assert main(["load", "referrals", str(big), "--db", str(db)]) == 2
    said = capsys.readouterr().err
    assert "Not enough disk space" in said and "Nothing was changed" in said
    assert "Reading" not in said  # refused before the file was read
    nothing_changed(db, before)
    filler.unlink()
    assert main(["load", "referrals", str(big), "--db", str(db)]) == 0
    assert counts(db)["referrals"] == 150_050


# With 3 MB left DuckDB's own writes fail; with 10 MB they fit (the rows take about 6 MB) and
# the publish's copy of the whole database does not.
@pytest.mark.parametrize("left_free", [LEFT_FREE, 10 * 2**20], ids=["writing", "publishing"])
def test_a_disk_that_fills_part_way_leaves_the_data_as_it_was(
    loaded, small_disk, tmp_path, capsys, monkeypatch, left_free
):
    db, big = loaded
    before = snapshots.current(db)
    # An estimate that is wrong (another process filling the disk meanwhile, say): the load
    # starts, and the disk fills under DuckDB's writes or the publish's copy.
    monkeypatch.setattr(snapshots, "space_needed", lambda db, incoming: 0)
    filler = fill(small_disk, left_free)
    capsys.readouterr()
    assert main(["load", "referrals", str(big), "--db", str(db)]) == 2
    said = capsys.readouterr().err
    assert "filled up" in said and "Nothing was changed" in said
    assert not list(snapshots.folder(db).glob("*.partial"))
    nothing_changed(db, before)
    assert [s.id for s in snapshots.history(db)] == [before.id]  # nothing to republish
    filler.unlink()
    small = referrals(tmp_path / "c.csv", 20, "C")
    assert main(["load", "referrals", str(small), "--db", str(db)]) == 0
    assert counts(db)["referrals"] == 70


def test_a_rollback_without_room_is_refused_and_the_data_stays(
    loaded, small_disk, tmp_path, capsys
):
    db, _ = loaded
    assert (
        main(["load", "referrals", str(referrals(tmp_path / "b.csv", 10, "S")), "--db", str(db)])
        == 0
    )
    before = snapshots.current(db)
    filler = fill(small_disk, 64 * 2**10)
    capsys.readouterr()
    assert main(["rollback", "--db", str(db)]) == 2
    assert "Not enough disk space" in capsys.readouterr().err
    assert snapshots.current(db).id == before.id and counts(db)["referrals"] == 60
    filler.unlink()
    assert main(["rollback", "--db", str(db)]) == 0
    assert counts(db)["referrals"] == 50
