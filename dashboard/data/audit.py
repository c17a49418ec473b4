"""The audit trail: every sign-in, load, rollback, mapping change and export, with who, when,
what and the filter.

It is a DuckDB file of its own beside the working database (`dashboard.audit.duckdb` for
`dashboard.duckdb`), not a table in it: a rollback puts the working database back to an
earlier snapshot, and must not take the record of what happened since with it; and the
dashboard's processes read published snapshots, which they cannot write. Each record opens
the file for a moment in a turn taken through a lock file, so any number of dashboard
processes and command-line runs can record at once.
"""

from __future__ import annotations

import fcntl
import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

ACTIONS = ("sign-in", "sign-out", "refused", "load", "rollback", "mapping", "export")

_SCHEMA = """
create table if not exists audit_log (
    recorded_at timestamp not null,
    who varchar not null,
    role varchar not null,
    action varchar not null,
    what varchar not null,
    filters varchar not null,
    via varchar not null
)
"""


def audit_path(db: Path) -> Path:
    return db.with_name(f"{db.stem}.audit.duckdb")


@contextmanager
def _turn(db: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = audit_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f"{path.name}.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if read_only else fcntl.LOCK_EX)
        try:
            if read_only and not path.exists():
                con = duckdb.connect(":memory:")  # nothing recorded yet: an empty trail
                con.execute(_SCHEMA)
            else:
                con = duckdb.connect(str(path), read_only=read_only)
                if not read_only:
                    con.execute(_SCHEMA)
            try:
                yield con
            finally:
                con.close()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(
    db: Path,
    *,
    who: str,
    role: str,
    action: str,
    what: str = "",
    filters: str = "",
    via: str = "dashboard",
) -> None:
    """Add one entry to the trail of the database at `db`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with _turn(db) as con:
        con.execute(
            "insert into audit_log values ($at, $who, $role, $action, $what, $filters, $via)",
            {
                "at": datetime.now(),
                "who": who,
                "role": role,
                "action": action,
                "what": what,
                "filters": filters,
                "via": via,
            },
        )


def load_note(reports: Iterable[Any], loaded: bool) -> str:
    """What a load did, for the trail: its files and kinds. Row counts stay out: the trail is
    shown to admins as it is, and the load history has the counts, rounded like every count."""
    files = "; ".join(
        f"{report.file} as {report.kind}"
        + (f" (mapping '{report.mapping}')" if getattr(report, "mapping", None) else "")
        for report in reports
    )
    return ("loaded " if loaded else "refused ") + files


def command_line_user() -> str:
    """Who ran a command: the operating-system account (the CLI has no sign-in)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record_command(db: Path, action: str, what: str, filters: str = "") -> None:
    """An entry for a command-line run, by the operating-system user."""
    record(
        db,
        who=command_line_user(),
        role="command line",
        action=action,
        what=what,
        filters=filters,
        via="command line",
    )


def trail(db: Path, limit: int | None = None) -> pd.DataFrame:
    """The trail, newest first."""
    with _turn(db, read_only=True) as con:
        return con.execute(
            "select * from audit_log order by recorded_at desc limit $limit",
            {"limit": limit if limit is not None else 2**62},
        ).df()
