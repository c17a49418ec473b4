"""Build a database of synthetic data, whole or not at all, at any scale in bounded memory."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.data import derived, store
from dashboard.devtools import synthetic

# The kinds the derived tables are built from: inserted as they are, part by part, and derived
# once at the end (`derived.rebuild`), which gives the rows `store.upsert` keeps in step, but
# without refreshing them for every part. The other kinds go through `store.upsert`, which also
# keeps what they carry beside their own table (the list sizes of the pcns, by date).
_DERIVED_FROM = ("referrals", "outcomes", "utilisation", "onward_referrals")
# DuckDB's buffer pool counts toward the build's memory, beside the part in pandas; past its
# limit DuckDB spills to its temporary folder beside the database (`<file>.tmp`).
_WRITE_MEMORY_MB = 1_000
# The rebuild at the end, with no part in memory, needs more as the data grows: about 150 bytes
# a referral (measured at one and ten million). It gets a little more than that.
_REBUILD_BYTES_PER_REFERRAL = 200


def build(
    path: Path,
    referrals: int | None = None,
    seed: int = 2024,
    part_pcns: int = synthetic.PART_PCNS,
) -> dict[str, int]:
    """Write a fresh synthetic database to `path`; returns rows per table.

    The ICB is generated and written `part_pcns` PCNs at a time (see `synthetic.parts`), so
    pandas holds one part at any scale and DuckDB works within a memory limit; only the
    rebuild of the derived tables at the end needs more as the data grows (the build peaks at
    about 2 GB at a million referrals, 3 GB at ten million). The data is written to a
    temporary file beside `path` and moved into place only when complete, so an interrupted
    build never leaves a half-written database.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        with store.open_db(partial) as con:
            con.execute(f"set memory_limit = '{_WRITE_MEMORY_MB}MB'")
            _write_parts(con, synthetic.parts(referrals, seed, part_pcns))
            con.execute(f"set memory_limit = '{_rebuild_memory_mb(con)}MB'")
            _derive_and_record(con, f"synthetic data (seed {seed})")
            counts = store.table_counts(con)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)
        shutil.rmtree(f"{partial}.tmp", ignore_errors=True)
    return counts


def _write_parts(con: duckdb.DuckDBPyConnection, parts: Iterator[synthetic.SyntheticIcb]) -> None:
    """Insert each part's rows and commit them, holding one part in memory at a time.

    A commit (and checkpoint) per part, not one transaction for the whole build: DuckDB holds
    the primary-key index of a transaction's inserted rows in memory until it commits (about
    125 bytes a key here, some 16 GB at ten million referrals). The partial file, which no one
    opens, is what keeps the build whole or nothing.
    """
    for part in parts:
        con.execute("begin transaction")
        for kind, frame in part.tables().items():
            _insert(con, kind, frame)
        con.execute("commit")
        con.execute("checkpoint")


def _insert(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame) -> None:
    if kind not in _DERIVED_FROM:
        store.upsert(con, kind, frame)
        return
    # In key order: DuckDB's primary-key index takes sorted keys several times faster.
    key = ", ".join(f'"{name}"' for name in store.KINDS[kind].key)
    con.register("_part_rows", frame)
    try:
        con.execute(
            f"insert into {kind} by name select * from _part_rows order by {key}"  # noqa: S608
        )
    finally:
        con.unregister("_part_rows")


def _rebuild_memory_mb(con: duckdb.DuckDBPyConnection) -> int:
    (referrals,) = con.execute("select count(*) from referrals").fetchone()
    return max(_WRITE_MEMORY_MB, referrals * _REBUILD_BYTES_PER_REFERRAL // 1_000_000)


def _derive_and_record(con: duckdb.DuckDBPyConnection, file_name: str) -> None:
    """In one transaction: the derived tables from every part's rows, and a load per kind."""
    con.execute("begin transaction")
    derived.rebuild(con)
    for kind, spec in store.KINDS.items():
        date = spec.date_column
        dates = f"min({date}), max({date})" if date else "null, null"
        rows, date_from, date_to = con.execute(
            f"select count(*), {dates} from {kind}"  # noqa: S608
        ).fetchone()
        store.record_load(
            con,
            file_name=file_name,
            kind=kind,
            rows_read=rows,
            accepted=rows,
            rejected=0,
            date_from=date_from,
            date_to=date_to,
        )
    con.execute("commit")
    con.execute("checkpoint")


def timed_build(path: Path, referrals: int | None, seed: int) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    counts = build(path, referrals=referrals, seed=seed)
    return counts, time.perf_counter() - started
