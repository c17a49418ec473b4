"""Build a database of synthetic data, whole or not at all."""

from __future__ import annotations

import os
import time
from pathlib import Path

from dashboard.data import store
from dashboard.devtools import synthetic


def build(path: Path, referrals: int | None = None, seed: int = 2024) -> dict[str, int]:
    """Write a fresh synthetic database to `path`; returns rows per table.

    The data is written to a temporary file beside `path` and moved into place only when
    complete, so an interrupted build never leaves a half-written database.
    """
    icb = synthetic.generate(referrals=referrals, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        with store.open_db(partial) as con:
            con.execute("begin transaction")
            for kind, frame in icb.tables().items():
                store.upsert(con, kind, frame)
                dates = (
                    frame.get(store.KINDS[kind].date_column)
                    if store.KINDS[kind].date_column
                    else None
                )
                store.record_load(
                    con,
                    file_name=f"synthetic data (seed {seed})",
                    kind=kind,
                    rows_read=len(frame),
                    accepted=len(frame),
                    rejected=0,
                    date_from=None if dates is None else dates.min(),
                    date_to=None if dates is None else dates.max(),
                )
            con.execute("commit")
            con.execute("checkpoint")
            counts = store.table_counts(con)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)
    return counts


def timed_build(path: Path, referrals: int | None, seed: int) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    counts = build(path, referrals=referrals, seed=seed)
    return counts, time.perf_counter() - started
