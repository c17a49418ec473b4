"""Derived tables and shared macros: what the database holds beyond the data contract.

Every page query that needs a referral's date or PCN (or a person's first referral) would
otherwise join millions of outcome, utilisation or onward rows to `referrals` on each run.
The derived tables carry that join's result, and its sums per month. They are not part of the
data contract: they are rebuilt from the canonical tables by `rebuild` and kept in step by
`store.upsert_from`, the one write path, inside the caller's transaction (`stage` before the
upsert, `refresh` after it). Each table's rows are defined once, in SQL, by
`queries/derived/<table>.sql` (its DDL in `queries/derived/schema.sql`):

- `outcome_facts`: one row per outcome whose referral is loaded, with the referral's date,
  PCN and month.
- `utilisation_facts`: one row per person, setting and cohort with both a before and an after
  count (paired), with the PCN and index dates resolved (the definition says how).
- `onward_facts`: one row per onward referral whose referral is loaded, with the referral's
  PCN and the onward month.
- `outcome_monthly`, `outcome_people_monthly`, `utilisation_monthly`, `onward_monthly`: the
  facts summed per month and PCN (see `_MONTHLY`); the slow queries read a period's whole
  months from them and sum their part months from the facts with the same macros
  (`outcome_sums`, `outcome_people_sums`, `utilisation_sums`, `onward_sums`), so the two
  cannot drift apart.
- `outcome_total_facts`: the outcome facts with a baseline that `outcome_monthly` does not
  pre-sum (SWEMWBS and WEMWBS totals, whose metric scores and meaningful-change thresholds are
  query parameters), narrow and without the far more numerous Wellbeing Star and ONS4 rows, so
  that `outcome_change` sums them per row quickly. Kept per month and PCN like the monthly
  tables (it is built after them from `outcome_facts`, for the same cells).

The macros (`queries/shared/macros.sql`: the rate per 1,000 a year, a period's months, the
ONS4-anxiety-aware improvement, the sums) are created in the database on every writable open,
so every connection, cursor and read-only open has them. The tables' version is a digest of
the SQL they are built from (macros included): a database built from other definitions is
rebuilt when it is next opened.

Only rows whose fact-relevant columns change are refreshed, so reloading an identical extract
does almost no work here.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import duckdb

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
# The formulas the queries and these tables share, created with the schema.
MACROS = QUERY_DIR / "shared" / "macros.sql"
# The tables' DDL (schema.sql) and one definition per table, named after it.
DEFINITIONS = QUERY_DIR / "derived"
_COMMENT = re.compile(r"--[^\n]*")
_MACRO = re.compile(r"^create or replace macro ([a-z_][a-z0-9_]*)\(", re.MULTILINE)

# In build order: each monthly table sums the facts before it.
TABLES = (
    "outcome_facts",
    "outcome_monthly",
    "outcome_people_monthly",
    "outcome_total_facts",
    "utilisation_facts",
    "utilisation_monthly",
    "onward_facts",
    "onward_monthly",
)

# The columns each fact depends on, per extract kind: a staged row whose key is new or whose
# value in any of these differs from the stored row is a change.
_WATCHED = {
    "referrals": ("person_id", "referral_date", "pcn_code"),
    "outcomes": ("baseline_score", "followup_score"),
    "utilisation": ("count", "cohort", "pcn_code", "index_date", "window_months", "extract_date"),
    "onward_referrals": ("referral_id", "service_id", "activity", "onward_date", "result"),
}
_KEYS = {
    "referrals": ("referral_id",),
    "outcomes": ("referral_id", "measure", "domain"),
    "utilisation": ("person_id", "setting", "period"),
    "onward_referrals": ("onward_id",),
}
# A referral is in a fact only through the rows that point at it: while none are stored, no
# referral can change a fact (and the facts, like those tables, are empty).
_POINTED_AT_BY = {"referrals": ("outcomes", "onward_referrals", "utilisation")}
# What a staged change points at, to refresh: the referral ids, persons or onward ids.
_CHANGED = "_derived_changed"
_SCOPE = {
    "referrals": ("referral_id", "person_id", "_old_person_id"),
    "outcomes": ("referral_id",),
    "utilisation": ("person_id",),
    "onward_referrals": ("onward_id",),
}

# fact table -> its monthly tables and month column. A monthly definition sums (or, for
# outcome_total_facts, copies) the facts of the (month, PCN) cells in `_CELLS`; the
# utilisation facts are built for the people in `_PEOPLE` (pairing groups a person's rows, so
# the scope has to reach inside the definition).
_MONTHLY = {
    "outcome_facts": (
        ("outcome_monthly", "outcome_people_monthly", "outcome_total_facts"),
        "referral_month",
    ),
    "utilisation_facts": (("utilisation_monthly",), "index_month"),
    "onward_facts": (("onward_monthly",), "onward_month"),
}
_CELLS = "_derived_cells"
_PEOPLE = "_derived_people"
# Sorted by date, so that period filters skip blocks.
_ORDER = {
    "outcome_facts": "referral_date",
    "utilisation_facts": "index_from",
    "onward_facts": "onward_date",
}


@cache
def definition(table: str) -> str:
    """The SQL (a select) whose rows a derived table holds: `queries/derived/<table>.sql`."""
    if table not in TABLES:
        raise KeyError(f"no derived table named {table!r}")
    return (DEFINITIONS / f"{table}.sql").read_text(encoding="utf-8")


# Raise for a change in how the tables are kept (what is watched, how a refresh is scoped); a
# change to the SQL they are built from changes the version by itself.
VERSION = 3


@cache
def version() -> str:
    """This code's version of the derived tables: VERSION and a digest of the SQL they are
    built from (the macros, the DDL and the definitions), comments and layout left out, so
    that only a change to the code itself rebuilds them."""
    digest = hashlib.sha256(str(VERSION).encode())
    for path in (MACROS, DEFINITIONS / "schema.sql", *(DEFINITIONS / f"{t}.sql" for t in TABLES)):
        code = " ".join(_COMMENT.sub("", path.read_text(encoding="utf-8")).split())
        digest.update(f"{path.name}\n{code}\n".encode())
    return f"{VERSION}-{digest.hexdigest()[:16]}"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The database's own tables (not temporary ones)."""
    return {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'main'"
        ).fetchall()
    }


def _stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    if "derived_version" not in _tables(con):
        return None
    stored = con.execute("select max(version) from derived_version").fetchall()[0][0]
    return None if stored is None else str(stored)


def outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a database of ours (it has the canonical tables) whose derived tables or macros
    are missing or from another version; False for a current one, and for a file not ours."""
    if "referrals" not in _tables(con):
        return False
    if _stored_version(con) != version():
        return True
    stored = {
        row[0]
        for row in con.execute(
            "select function_name from duckdb_functions() "
            "where database_name = current_database() and schema_name = 'main' "
            "and function_type in ('macro', 'table_macro')"
        ).fetchall()
    }
    return not set(macro_names()) <= stored


@cache
def macro_names() -> tuple[str, ...]:
    """The macros `queries/shared/macros.sql` defines, in its order."""
    return tuple(_MACRO.findall(MACROS.read_text(encoding="utf-8")))


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) the shared macros of `queries/shared/macros.sql` in the database."""
    con.execute(MACROS.read_text(encoding="utf-8"))


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the macros, and the derived tables, rebuilding them when they are missing or
    from another version."""
    create_macros(con)
    if _stored_version(con) == version():
        return
    con.execute("begin transaction")
    try:
        for table in (*TABLES, "derived_version"):
            con.execute(f"drop table if exists {table}")
        con.execute((DEFINITIONS / "schema.sql").read_text(encoding="utf-8"))
        rebuild(con)
        con.execute("insert into derived_version values ($version)", {"version": version()})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Every derived row from the canonical tables."""
    for table in TABLES:
        con.execute(f"delete from {table}")  # noqa: S608
    con.execute(
        f"create or replace temp view {_PEOPLE} as "  # noqa: S608
        "select distinct person_id from main.utilisation"
    )
    try:
        for facts, (monthlies, month) in _MONTHLY.items():
            _insert(con, facts, f"select * from ({definition(facts)}) order by {_ORDER[facts]}")  # noqa: S608
            cells = f"select distinct {month}, pcn_code from {facts}"  # noqa: S608
            con.execute(f"create or replace temp table {_CELLS} as {cells}")
            try:
                for monthly in monthlies:
                    _insert(con, monthly, definition(monthly))
            finally:
                con.execute(f"drop table {_CELLS}")
    finally:
        con.execute(f"drop view {_PEOPLE}")


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(f"select exists (select 1 from main.{table})").fetchone()[0])  # noqa: S608


def _changes(con: duckdb.DuckDBPyConnection, kind: str, relation: str) -> str:
    """The select of what the staged rows that change a fact point at (`_SCOPE`)."""
    picked = ", ".join(f's."{c}"' for c in _SCOPE[kind] if not c.startswith("_"))
    if not _has_rows(con, kind):
        # Every staged row is new: nothing to compare, and no referral moves from a person.
        old_person = ', null::varchar as "_old_person_id"' if kind == "referrals" else ""
        return f"select distinct {picked}{old_person} from {relation} s"  # noqa: S608
    keys, watched = _KEYS[kind], _WATCHED[kind]
    join = " and ".join(f's."{k}" = t."{k}"' for k in keys)
    differs = " or ".join(f's."{c}" is distinct from t."{c}"' for c in watched)
    old_person = ', t.person_id as "_old_person_id"' if kind == "referrals" else ""
    return f"""
        select distinct {picked}{old_person}
        from {relation} s
        left join main.{kind} t on {join}
        where t."{keys[0]}" is null or {differs}
    """  # noqa: S608


def stage(con: duckdb.DuckDBPyConnection, kind: str, relation: str) -> bool:
    """Before an upsert: note which staged rows change a fact. False when none do."""
    if kind not in _WATCHED:
        return False
    if kind in _POINTED_AT_BY and not any(_has_rows(con, t) for t in _POINTED_AT_BY[kind]):
        return False
    con.execute(f"create or replace temp table {_CHANGED} as {_changes(con, kind, relation)}")
    if con.execute(f"select count(*) from {_CHANGED}").fetchall()[0][0]:  # noqa: S608
        return True
    con.execute(f"drop table {_CHANGED}")
    return False


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: str) -> None:
    """Insert `rows` into `table` (by column name) only when there are any.

    In duckdb 2.0 an insert of no rows from a query inside a transaction can leave the table's
    uncommitted rows unreadable to later scans in that transaction (counts right, scans empty),
    so the rows are staged first and an empty result is never inserted.
    """
    con.execute(f"create or replace temp table _derived_rows as {rows}")
    try:
        if con.execute("select count(*) from _derived_rows").fetchall()[0][0]:
            con.execute(f"insert into {table} by name select * from _derived_rows")  # noqa: S608
    finally:
        con.execute("drop table _derived_rows")


def _replace(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """Replace the facts of `table` whose `column` is in the staged changes by their
    definition's rows, and the monthly sums of every month and PCN those facts were or now
    are in."""
    monthlies, month = _MONTHLY[table]
    scope = f"{column} in (select {column} from {_CHANGED})"  # noqa: S608
    cells = f"select distinct {month}, pcn_code from {table} where {scope}"  # noqa: S608
    con.execute(f"create or replace temp table {_CELLS} as {cells}")
    try:
        if con.execute(f"select count(*) from {_CELLS}").fetchall()[0][0]:  # noqa: S608
            con.execute(f"delete from {table} where {scope}")  # noqa: S608
        _insert(con, table, f"select * from ({definition(table)}) where {scope}")  # noqa: S608
        con.execute(f"insert into {_CELLS} {cells}")
        for monthly in monthlies:
            con.execute(
                f"delete from {monthly} using {_CELLS} c "  # noqa: S608
                f"where {monthly}.{month} = c.{month} and {monthly}.pcn_code = c.pcn_code"
            )
            _insert(con, monthly, definition(monthly))
    finally:
        con.execute(f"drop table {_CELLS}")


def refresh(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """After an upsert: replace the facts that the staged changes point at."""
    try:
        if kind in ("referrals", "outcomes"):
            _replace(con, "outcome_facts", "referral_id")
        if kind == "referrals":
            _replace(con, "onward_facts", "referral_id")
        if kind == "onward_referrals":
            _replace(con, "onward_facts", "onward_id")
        if kind == "referrals":
            # A referral moved to another person changes the old person's first referral too.
            con.execute(
                f"insert into {_CHANGED} (person_id) "  # noqa: S608
                f"select distinct _old_person_id from {_CHANGED} where _old_person_id is not null"
            )
        if kind in ("referrals", "utilisation"):
            con.execute(
                f"create or replace temp view {_PEOPLE} as "  # noqa: S608
                f"select person_id from {_CHANGED} where person_id is not null"
            )
            try:
                _replace(con, "utilisation_facts", "person_id")
            finally:
                con.execute(f"drop view {_PEOPLE}")
    finally:
        con.execute(f"drop table {_CHANGED}")
