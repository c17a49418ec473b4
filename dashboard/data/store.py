"""The DuckDB store: one embedded database file, its schema built from the contract.

Table and column names come from the contract (a fixed mapping), never from user text;
every value goes in as a bound parameter or through a registered DataFrame.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.data import derived, snapshots
from dashboard.data.contract import KINDS, columns

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "data" / "dashboard.duckdb"
DB_ENV = "SP_DASHBOARD_DB"

# Nothing may reach for the network: the Excel extension is not used (pandas reads XLSX).
_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


class DatabaseInUse(RuntimeError):
    """The database file is held open for writing by another process."""


def resolve_db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """The database path: the CLI flag, then $SP_DASHBOARD_DB, then data/dashboard.duckdb."""
    chosen = cli_value or os.environ.get(DB_ENV) or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database, creating the file and its schema when it is new.

    The schema includes the shared SQL macros and the derived tables (dashboard.data.derived),
    both stored in the file, so every connection and cursor on it has them. A database of ours
    whose derived tables or macros are missing or from other definitions (an older version)
    gets them first, even when asked for read-only: the queries use them.
    """
    con = _open(path, read_only)
    if read_only and derived.outdated(con):
        con.close()
        _open(path, read_only=False).close()
        con = _open(path, read_only)
    return con


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatabaseInUse(
                f"The database {path} is in use by another process (a load running?). "
                "Stop it, or use another file with --db, and try again."
            ) from error
        raise
    con.execute("set enable_progress_bar = false")
    if not read_only:
        create_schema(con)
    return con


@contextmanager
def open_db(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


# Readers and writers (dashboard.data.snapshots) -------------------------------------------------


@contextmanager
def writing(
    path: Path, wait: bool = False, incoming_bytes: int = 0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The working database, read-write, in this process's writer turn (a second writer waits
    or is told one is running). Publish with `snapshots.publish` after a committed load.

    A load says how many bytes of files it brings (`incoming_bytes`): without room for them
    it is refused before anything is written, and should the disk fill all the same, the
    working database goes back to the current snapshot (`snapshots.DiskFull` says so)."""
    with snapshots.writer_turn(path, wait):
        snapshots.recover(path)
        if incoming_bytes:  # a preview writes nothing
            snapshots.check_space(path, snapshots.space_needed(path, incoming_bytes))
        with snapshots.undone_if_disk_fills(path), open_db(path) as con:
            yield con


def published(path: Path) -> Path:
    """The current snapshot's file, publishing the working database first when it changed
    since (or was never published) and no load holds the writer turn; a running load
    publishes when it commits, so until then readers keep the current snapshot."""
    if snapshots.stale(path):
        try:
            with snapshots.writer_turn(path, wait=snapshots.current(path) is None):
                if snapshots.stale(path):
                    with open_db(path) as con:
                        snapshots.publish(con, path, "published for readers")
        except snapshots.WriterBusy:
            pass
    snapshot = snapshots.current(path)
    assert snapshot is not None  # published above, or by the writer we waited for
    return snapshot.path(path)


def open_snapshot(snapshot: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published snapshot (never migrated: it is a copy)."""
    return _open(snapshot, read_only=True)


@contextmanager
def reading(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The current snapshot of the database at `path`, read-only, for `summary` and `report`:
    any number of readers, while loads run."""
    con = open_snapshot(published(path))
    try:
        yield con
    finally:
        con.close()


def table_ddl(kind: str, primary_key: bool = True) -> str:
    """The canonical table of `kind`; without its primary key only while `_fill` fills it."""
    spec = KINDS[kind]
    lines = [
        f'"{c.name}" {c.sql_type}{" not null" if c.name in spec.key else ""}' for c in columns(kind)
    ]
    if primary_key:
        lines.append(f"primary key ({_key(kind)})")
    return f"create table if not exists {kind} ({', '.join(lines)})"


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for kind in KINDS:
        con.execute(table_ddl(kind))
    con.execute("create sequence if not exists load_id_seq")
    con.execute(
        """
        create table if not exists load_history (
            load_id integer primary key default nextval('load_id_seq'),
            file_name varchar not null,
            kind varchar not null,
            loaded_at timestamp not null,
            rows_read integer not null,
            accepted integer not null,
            rejected integer not null,
            date_from date,
            date_to date
        )
        """
    )
    con.execute(
        """
        create table if not exists pcn_list_sizes (
            pcn_code varchar not null,
            list_size_date date not null,
            list_size integer not null,
            primary key (pcn_code, list_size_date)
        )
        """
    )
    derived.create(con)


def upsert(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame) -> None:
    """Insert rows by key, replacing any row with the same key. Runs in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown extract kind {kind!r}")
    names = [c.name for c in columns(kind)]
    required = [c.name for c in columns(kind) if c.required]
    missing = sorted(set(required) - set(frame.columns))
    if missing:
        raise KeyError(f"{kind} rows lack required columns: {missing}")
    # Optional columns a caller does not give (one added to the contract later) are null.
    con.register("_upsert_rows", frame.reindex(columns=names))
    try:
        upsert_from(con, kind, "_upsert_rows")
    finally:
        con.unregister("_upsert_rows")


def upsert_from(con: duckdb.DuckDBPyConnection, kind: str, relation: str) -> None:
    """Upsert every row of a table or view (named by code, never by user text) by key.

    Loads validate in DuckDB; this keeps a million accepted rows out of pandas. The derived
    fact tables (dashboard.data.derived) follow in the same transaction: the rows that change a
    fact are noted before the upsert (against the stored rows) and their facts refreshed after.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown extract kind {kind!r}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", relation):
        raise ValueError(f"{relation!r} is not a plain table name")
    changed = derived.stage(con, kind, relation)
    if _has_rows(con, f"main.{kind}"):
        _replace(con, kind, relation)
    elif _has_rows(con, relation):
        _fill(con, kind, relation)
    if kind == "pcns":
        # The pcns table keeps each PCN's latest list; rates for a period use the lists of its
        # own months (macro period_list_sizes), so every extract's list sizes are kept by date.
        con.execute(
            "insert or replace into pcn_list_sizes "  # noqa: S608
            "select pcn_code, coalesce(list_size_date, current_date), list_size from pcns "
            f"where pcn_code in (select pcn_code from {relation})"
        )
    if changed:
        derived.refresh(con, kind)


def _has_rows(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Whether a table or view (named by code) holds any row, in the caller's transaction."""
    return bool(con.execute(f"select exists (select 1 from {relation})").fetchone()[0])  # noqa: S608


def _key(kind: str) -> str:
    return ", ".join(f'"{name}"' for name in KINDS[kind].key)


def _names(kind: str, alias: str = "") -> str:
    return ", ".join(f'{alias}"{c.name}"' for c in columns(kind))


def _fill(con: duckdb.DuckDBPyConnection, kind: str, relation: str) -> None:
    """Fill the empty table of `kind`: its rows first, then its primary key, built once.

    Inserting into a table with a primary key adds each row to the key's index in turn; the
    index built from all the rows at once costs far less (a million referrals: about half a
    second of the load). DuckDB cannot drop a table's primary key, so the empty table is
    replaced by the same one without it, in the caller's transaction: a rollback restores it.
    Keys given twice fail the key, as they would an insert; in a transaction, when it commits
    (a load's rows never do: validation rejects every copy of a repeated key).
    """
    con.execute(f"drop table {kind}")
    con.execute(table_ddl(kind, primary_key=False))
    con.execute(f"insert into {kind} by name select {_names(kind)} from {relation}")  # noqa: S608
    con.execute(f"alter table {kind} add primary key ({_key(kind)})")


def _replace(con: duckdb.DuckDBPyConnection, kind: str, relation: str) -> None:
    """Insert rows by key into the table of `kind`, replacing stored rows with the same key.

    In DuckDB 2.0 this slows down far faster than the rows grow when the rows come straight
    from a table scan in another order than the stored rows (300,000 referrals in another
    order: 30 s, against 0.7 s through a join). A load's rows come through the join that
    leaves out its rejected rows, which avoids it: a million referrals reload in about 4 s,
    in their stored order or shuffled.
    """
    con.execute(
        f"insert or replace into {kind} by name select {_names(kind)} from {relation}"  # noqa: S608
    )


def record_load(
    con: duckdb.DuckDBPyConnection,
    *,
    file_name: str,
    kind: str,
    rows_read: int,
    accepted: int,
    rejected: int,
    date_from: date | None = None,
    date_to: date | None = None,
) -> None:
    con.execute(
        """
        insert into load_history
            (file_name, kind, loaded_at, rows_read, accepted, rejected, date_from, date_to)
        values (
            $file_name, $kind, $loaded_at, $rows_read, $accepted, $rejected, $date_from, $date_to
        )
        """,
        {
            "file_name": file_name,
            "kind": kind,
            "loaded_at": datetime.now().replace(microsecond=0),
            "rows_read": rows_read,
            "accepted": accepted,
            "rejected": rejected,
            "date_from": date_from,
            "date_to": date_to,
        },
    )


def loads_after(snapshot: Path, load_id: int) -> list[str]:
    """The files loaded into a published snapshot after load `load_id`: what a rollback to the
    snapshot holding that load undoes."""
    con = open_snapshot(snapshot)
    try:
        rows = con.execute(
            "select file_name from load_history where load_id > $load_id and kind <> 'rollback' "
            "order by load_id",
            {"load_id": load_id},
        ).fetchall()
    finally:
        con.close()
    return [name for (name,) in rows]


def record_rollback(
    con: duckdb.DuckDBPyConnection, snapshot_id: int, undone: list[str], last_load_id: int
) -> None:
    """Note a rollback in the load history of the database rolled back to.

    Its load id follows the last one ever given (`last_load_id`, from the snapshot rolled back
    from), so load ids, and the data version they make, never repeat."""
    (held,) = con.execute("select coalesce(max(load_id), 0) from load_history").fetchone()
    behind = last_load_id - held
    if behind > 0:
        con.execute("select nextval('load_id_seq') from range($behind)", {"behind": behind})
    files = ", ".join(undone) or "no loads"
    record_load(
        con,
        file_name=f"rollback to snapshot {snapshot_id} (undoes {files})",
        kind="rollback",
        rows_read=0,
        accepted=0,
        rejected=0,
    )


@cache
def _query(name: str) -> str:
    """A named query of `queries/` that the store itself runs."""
    return (derived.QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Changes whenever a load commits: the key that invalidates cached query results."""
    cursor = con.cursor()
    try:
        return cursor.execute(_query("data_version")).fetchone()[0]
    finally:
        cursor.close()


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    cursor = con.cursor()
    try:
        return {
            kind: cursor.execute(f"select count(*) from {kind}").fetchone()[0]  # noqa: S608
            for kind in KINDS
        }
    finally:
        cursor.close()


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return not any(table_counts(con).values())
