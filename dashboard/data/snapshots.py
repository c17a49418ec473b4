"""Published snapshots: the read-only copies every reader opens, so loads never stop them.

Loads write to the working database (`data/dashboard.duckdb`), one transaction each, taking
turns through a lock file. After a load commits, `publish` checkpoints the working file, copies
it into the snapshot folder beside it (`dashboard.duckdb.snapshots/<id>.duckdb`), makes the copy
durable (fsync) and moves the `CURRENT` pointer to it by an atomic rename. Readers (every
dashboard process, `summary`, `report`) open the current snapshot read-only, which any number
of processes can do at once; a dashboard process notices a new pointer and switches to it
between reruns. A crash at any moment leaves the pointer on a complete snapshot: a partial copy
is never pointed at, and is swept by the next publish.

`rollback` republishes an earlier snapshot (and makes it the working database again). The last
`keep()` snapshots are kept (settings.toml `load.keep_snapshots`).

A full disk changes nothing: a writer first checks there is room for what it will write
(`check_space`), and should the disk fill all the same, the working database is put back to the
current snapshot (`restore_working`) before the writer is told, in words, what happened.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import duckdb

POINTER = "CURRENT"
# Room kept beyond a writer's estimate: the schema, metadata files and DuckDB's own headroom.
MARGIN_BYTES = 8 * 2**20


class WriterBusy(RuntimeError):
    """Another load holds the database's writer turn."""


class DiskFull(RuntimeError):
    """The disk holding the database has no room for a load, a publish or a rollback."""


@dataclass(frozen=True)
class Snapshot:
    id: int
    file: str
    published_at: str
    note: str
    data_version: int
    rows: dict[str, int]
    bytes: int
    source: tuple[float, int]  # the working file's mtime and size when it was published

    def path(self, db: Path) -> Path:
        return folder(db) / self.file


def folder(db: Path) -> Path:
    return db.with_name(f"{db.name}.snapshots")


def _fsync_dir(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_durably(path: Path, text: str) -> None:
    partial = path.with_name(f"{path.name}.partial")
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _fsync_dir(path.parent)


@contextmanager
def writer_turn(db: Path, wait: bool = False) -> Iterator[None]:
    """Hold the database's one writer turn: a second load waits for it (`wait`) or is told
    another is running. The lock is the kernel's, so a killed load releases it."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(db.with_name(f"{db.name}.lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            raise WriterBusy(
                f"Another load into {db} is running. Try again when it has finished, or use "
                "--wait to queue behind it."
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _signature(db: Path) -> tuple[float, int]:
    """What changes when the working database does: its file's and its WAL's mtime and size."""
    wal = db.with_name(f"{db.name}.wal")
    stats = [p.stat() for p in (db, wal) if p.exists()]
    return (max(s.st_mtime for s in stats), sum(s.st_size for s in stats)) if stats else (0, 0)


def history(db: Path) -> list[Snapshot]:
    """The published snapshots, newest first."""
    snapshots = []
    for meta in folder(db).glob("*.json"):
        try:
            record = json.loads(meta.read_text(encoding="utf-8"))
            record["source"] = tuple(record["source"])
            snapshots.append(Snapshot(**record))
        except (ValueError, TypeError, KeyError):
            continue  # a metadata file being written, or from elsewhere: not a snapshot
    return sorted(snapshots, key=lambda s: s.id, reverse=True)


def current(db: Path) -> Snapshot | None:
    """The snapshot the pointer names, or None before the first publish."""
    try:
        chosen = int((folder(db) / POINTER).read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None
    return next((s for s in history(db) if s.id == chosen), None)


def stale(db: Path) -> bool:
    """True when the working database changed since the current snapshot was published (or
    none is), so a reader should publish before it reads."""
    snapshot = current(db)
    return snapshot is None or not snapshot.path(db).exists() or (
        db.exists() and tuple(snapshot.source) != _signature(db)
    )


def publish(con: duckdb.DuckDBPyConnection, db: Path, note: str) -> Snapshot:
    """Publish the working database `con` (open on `db`, in the caller's writer turn) as the
    current snapshot. Nothing a reader sees changes until the final rename of the pointer."""
    from dashboard.data import store  # the store opens snapshots; this module publishes them

    con.execute("checkpoint")
    home = folder(db)
    home.mkdir(parents=True, exist_ok=True)
    for leftover in home.glob("*.partial"):
        leftover.unlink()  # a copy a killed publish left
    known = history(db)
    number = (known[0].id if known else 0) + 1
    target = home / f"{number:06d}.duckdb"
    _copy_durably(db, target)
    snapshot = Snapshot(
        id=number,
        file=target.name,
        published_at=datetime.now().isoformat(timespec="seconds"),
        note=note,
        data_version=store.data_version(con),
        rows=store.table_counts(con),
        bytes=target.stat().st_size,
        source=_signature(db),
    )
    _write_durably(home / f"{number:06d}.json", json.dumps(asdict(snapshot)))
    _write_durably(home / POINTER, str(number))
    _prune(db)
    return snapshot


def keep() -> int:
    from dashboard.settings import load_settings

    return load_settings().load.keep_snapshots


def _prune(db: Path) -> None:
    """Keep the newest `keep()` snapshots (and always the current one)."""
    chosen = current(db)
    for old in history(db)[keep() :]:
        if chosen and old.id == chosen.id:
            continue
        old.path(db).unlink(missing_ok=True)
        (folder(db) / f"{old.id:06d}.json").unlink(missing_ok=True)


def disk_bytes(db: Path) -> int:
    return sum(s.bytes for s in history(db))


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def _free_bytes(db: Path) -> int:
    return shutil.disk_usage(db.parent if db.parent.exists() else Path.cwd()).free


def _working_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(f"{db.name}.wal")) if p.exists())


def space_needed(db: Path, incoming_bytes: int) -> int:
    """What a load of `incoming_bytes` of files may write: its rows once into the database file
    (DuckDB stores a CSV's rows in about two thirds of its size, and writes big inserts straight
    into the file), then a copy of the whole database when it publishes; twice the files' size
    covers both with room for compressed Parquet and XLSX, and a margin on top."""
    return _working_bytes(db) + 2 * incoming_bytes + MARGIN_BYTES


def check_space(db: Path, needed: int) -> None:
    free = _free_bytes(db)
    if free < needed:
        raise DiskFull(
            f"Not enough disk space for {db}: this needs about {_megabytes(needed)} and "
            f"{_megabytes(free)} is free. Nothing was changed: the dashboard's data is as it was. "
            f"Free some space (the snapshots in {folder(db)} use {_megabytes(disk_bytes(db))}; "
            "settings.toml load.keep_snapshots keeps fewer) and try again."
        )


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    return isinstance(error, duckdb.Error) and "no space left on device" in str(error).lower()


def _copy_durably(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a partial file, so `target` is whole or as it was."""
    partial = target.with_name(f"{target.name}.partial")
    try:
        shutil.copyfile(source, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    _fsync_dir(target.parent)


def restore_working(db: Path) -> None:
    """Put the working database back to the current snapshot, after a write that failed part
    way (the disk filled). Before a first publish there is nothing to go back to but nothing:
    the write-ahead log, which holds the failed write, goes."""
    for leftover in folder(db).glob("*.partial"):
        leftover.unlink()  # the copy a failed publish began
    db.with_name(f"{db.name}.wal").unlink(missing_ok=True)
    snapshot = current(db)
    if snapshot is None or not snapshot.path(db).exists():
        return
    try:
        _copy_durably(snapshot.path(db), db)
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        # The failed write grew the working file: it goes first to make room (`recover` puts
        # it back should this process die before the copy is whole).
        db.unlink(missing_ok=True)
        _copy_durably(snapshot.path(db), db)
    _note_source(db, snapshot)


def _note_source(db: Path, snapshot: Snapshot) -> None:
    """Record that the working database is `snapshot` again, so readers do not republish it."""
    restored = replace(snapshot, source=_signature(db))
    _write_durably(folder(db) / f"{snapshot.id:06d}.json", json.dumps(asdict(restored)))


def recover(db: Path) -> None:
    """Called in the writer turn: a working database a killed restore removed is the current
    snapshot again."""
    db.with_name(f"{db.name}.partial").unlink(missing_ok=True)
    snapshot = current(db)
    if not db.exists() and snapshot is not None and snapshot.path(db).exists():
        _copy_durably(snapshot.path(db), db)
        _note_source(db, snapshot)


@contextmanager
def undone_if_disk_fills(db: Path) -> Iterator[None]:
    """Run a write (its connection closed inside this block); should the disk fill, the
    working database goes back to the current snapshot and the writer is told so, in words."""
    try:
        yield
    except BaseException as error:
        if not is_disk_full(error):
            raise
        restore_working(db)
        raise DiskFull(
            f"The disk holding {db} filled up ({_megabytes(_free_bytes(db))} free). Nothing was "
            "changed: the dashboard's data is as it was. Free some space and try again."
        ) from error


def rollback(db: Path, to: int | None = None, wait: bool = False) -> Snapshot:
    """Make an earlier snapshot (by default the one before the current) the working database
    and publish it as the current snapshot, noted as a rollback."""
    from dashboard.data import store

    with writer_turn(db, wait):
        snapshots = history(db)
        chosen = current(db)
        if to is None:
            older = [s for s in snapshots if chosen and s.id < chosen.id]
            if not older:
                raise ValueError("There is no earlier snapshot to roll back to.")
            target = older[0]
        else:
            target = next((s for s in snapshots if s.id == to), None)
            if target is None:
                kept = ", ".join(str(s.id) for s in snapshots) or "none"
                raise ValueError(f"No snapshot {to}; the snapshots kept are {kept}.")
        recover(db)
        check_space(db, 2 * target.bytes + MARGIN_BYTES)
        undone = store.loads_after(chosen.path(db), target.data_version) if chosen else []
        last_load = max((s.data_version for s in snapshots), default=0)
        with undone_if_disk_fills(db):
            db.with_name(f"{db.name}.wal").unlink(missing_ok=True)
            _copy_durably(target.path(db), db)
            with store.open_db(db) as con:
                store.record_rollback(con, target.id, undone, last_load)
                return publish(con, db, f"rollback to snapshot {target.id}")
