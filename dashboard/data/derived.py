"""Derived fact tables: the big extracts joined once, at load time, to what the pages ask of them.

Every page query that needs a referral's date or PCN (or a person's first referral) would
otherwise join millions of outcome, utilisation or onward rows to `referrals` on each run.
These tables carry that join's result. They are not part of the data contract: they are
rebuilt from the canonical tables by `rebuild` and kept in step by `store.upsert_from`, the one
write path, inside the caller's transaction (`stage` before the upsert, `refresh` after it).

- `outcome_facts`: one row per outcome whose referral is loaded, with the referral's date and
  PCN. Outcomes without a loaded referral are left out, as the queries' inner join did.
- `utilisation_facts`: one row per person, setting and cohort with both a before and an after
  count (paired). The PCN and index dates are resolved: the person's first referral for the
  referred cohort (no row when the person has no referral), the rows' own for the comparison
  cohort (`index_from`/`index_to` are the earliest and latest of its rows' index dates, so a
  period filter `index_from >= from and index_to <= to` keeps a person only when every row is
  in the period, as filtering row by row did). Two edge cases are now defined where the old
  join left them to chance: a first referral shared by two referrals on the same day takes
  the lower referral_id's PCN, and a person whose before and after rows for a setting sit in
  different cohorts is not paired.
- `onward_facts`: one row per onward referral whose referral is loaded, with the referral's
  PCN and the onward month as an integer (year * 12 + month - 1).
- `outcome_monthly`, `utilisation_monthly`, `onward_monthly`: the facts summed per month and
  PCN (see `_MONTHLY`); the slow queries read a period's whole months from them.

Only rows whose fact-relevant columns change are refreshed, so reloading an identical extract
does almost no work here.
"""

from __future__ import annotations

import duckdb

TABLES = {
    "outcome_facts": """
        create table if not exists outcome_facts (
            referral_id varchar not null,
            measure varchar not null,
            domain varchar not null,
            referral_date date not null,
            pcn_code varchar not null,
            baseline_score double,
            followup_score double,
            referral_month integer not null
        )""",
    "outcome_monthly": """
        create table if not exists outcome_monthly (
            referral_month integer not null,
            pcn_code varchar not null,
            measure varchar not null,
            domain varchar not null,
            people_with_baseline bigint not null,
            n bigint not null,
            sum_baseline double,
            sum_followup double,
            sum_improvement double,
            sumsq_improvement double,
            n_improved bigint not null,
            n_worse bigint not null,
            low_baseline_n bigint not null,
            low_baseline_improved bigint not null,
            low_baseline_sum_improvement double,
            low_baseline_sumsq_improvement double
        )""",
    "utilisation_facts": """
        create table if not exists utilisation_facts (
            person_id varchar not null,
            setting varchar not null,
            cohort varchar not null,
            pcn_code varchar,
            index_from date,
            index_to date,
            before_count integer not null,
            after_count integer not null,
            index_month integer
        )""",
    "utilisation_monthly": """
        create table if not exists utilisation_monthly (
            index_month integer not null,
            pcn_code varchar not null,
            cohort varchar not null,
            setting varchar not null,
            n_people bigint not null,
            sum_before bigint not null,
            sum_after bigint not null,
            sumsq_before bigint not null,
            sumsq_after bigint not null,
            sumsq_change bigint not null
        )""",
    "onward_facts": """
        create table if not exists onward_facts (
            onward_id varchar not null,
            referral_id varchar not null,
            pcn_code varchar not null,
            onward_date date not null,
            onward_month integer not null,
            activity varchar,
            result varchar,
            service_id varchar
        )""",
    "onward_monthly": """
        create table if not exists onward_monthly (
            onward_month integer not null,
            pcn_code varchar not null,
            activity varchar,
            demand bigint not null,
            unmet bigint not null
        )""",
}

# The columns each fact depends on, per extract kind: a staged row whose key is new or whose
# value in any of these differs from the stored row is a change.
_WATCHED = {
    "referrals": ("person_id", "referral_date", "pcn_code"),
    "outcomes": ("baseline_score", "followup_score"),
    "utilisation": ("count", "cohort", "pcn_code", "index_date"),
    "onward_referrals": ("referral_id", "service_id", "activity", "onward_date", "result"),
}
_KEYS = {
    "referrals": ("referral_id",),
    "outcomes": ("referral_id", "measure", "domain"),
    "utilisation": ("person_id", "setting", "period"),
    "onward_referrals": ("onward_id",),
}
# What a staged change points at, to refresh: the referral ids, persons or onward ids.
_CHANGED = "_derived_changed"
_SCOPE = {
    "referrals": ("referral_id", "person_id", "_old_person_id"),
    "outcomes": ("referral_id",),
    "utilisation": ("person_id",),
    "onward_referrals": ("onward_id",),
}

_OUTCOME_ROWS = """
    select o.referral_id, o.measure, o.domain, r.referral_date, r.pcn_code,
        o.baseline_score, o.followup_score,
        cast(year(r.referral_date) * 12 + month(r.referral_date) - 1 as integer) as referral_month
    from main.outcomes o
    inner join main.referrals r using (referral_id)
"""

_ONWARD_ROWS = """
    select o.onward_id, o.referral_id, r.pcn_code, o.onward_date,
        cast(year(o.onward_date) * 12 + month(o.onward_date) - 1 as integer) as onward_month,
        o.activity, o.result, o.service_id
    from main.onward_referrals o
    inner join main.referrals r using (referral_id)
"""


# The monthly tables: sums of the facts per month and PCN (and more), so that a period's whole
# months add up from a few thousand rows; the queries read only the period's edges, and rows
# left out here, from the facts. `{cells}` narrows a refresh to some months and PCNs.
# Outcomes: Wellbeing Star and ONS4 only, whose figures need no query parameter (no Rasch
# conversion, no meaningful-change threshold).
_OUTCOME_MONTHLY = """
    select referral_month, pcn_code, measure, domain,
        count(*) as people_with_baseline,
        count(followup) as n,
        sum(baseline) filter (where followup is not null) as sum_baseline,
        sum(followup) as sum_followup,
        sum(improvement) as sum_improvement,
        sum(improvement * improvement) as sumsq_improvement,
        count(*) filter (where improvement > 0) as n_improved,
        count(*) filter (where improvement < 0) as n_worse,
        count(followup) filter (where low_baseline) as low_baseline_n,
        count(*) filter (where low_baseline and improvement > 0) as low_baseline_improved,
        sum(improvement) filter (where low_baseline) as low_baseline_sum_improvement,
        sum(improvement * improvement) filter (where low_baseline)
            as low_baseline_sumsq_improvement
    from (
        select referral_month, pcn_code, measure, domain, baseline_score as baseline,
            followup_score as followup,
            (followup_score - baseline_score)
            * (case when measure = 'ons4' and domain = 'anxiety' then -1 else 1 end)
                as improvement,
            measure = 'wellbeing_star' and baseline_score <= 2 as low_baseline
        from main.outcome_facts f
        where measure in ('wellbeing_star', 'ons4') and baseline_score is not null and {cells}
    )
    group by all
"""
# Utilisation: people whose rows share one index date and carry a PCN (every referred person;
# comparison rows as the contract asks).
_UTILISATION_MONTHLY = """
    select index_month, pcn_code, cohort, setting,
        count(*) as n_people,
        sum(before_count) as sum_before,
        sum(after_count) as sum_after,
        sum(before_count * before_count) as sumsq_before,
        sum(after_count * after_count) as sumsq_after,
        sum((after_count - before_count) * (after_count - before_count)) as sumsq_change
    from main.utilisation_facts f
    where index_from = index_to and pcn_code is not null and {cells}
    group by all
"""
_ONWARD_MONTHLY = """
    select onward_month, pcn_code, activity,
        count(*) as demand,
        count(*) filter (where result in ('waitlisted', 'declined_no_capacity', 'service_closed'))
            as unmet
    from main.onward_facts f
    where {cells}
    group by all
"""
# fact table -> its monthly table, month column and sums
_MONTHLY = {
    "outcome_facts": ("outcome_monthly", "referral_month", _OUTCOME_MONTHLY),
    "utilisation_facts": ("utilisation_monthly", "index_month", _UTILISATION_MONTHLY),
    "onward_facts": ("onward_monthly", "onward_month", _ONWARD_MONTHLY),
}
_CELLS = "_derived_cells"


def _utilisation_rows(persons: str | None) -> str:
    """Paired rows per person, setting and cohort; `persons` is a person_id subquery or None."""
    scope = f"where person_id in {persons}" if persons else ""
    return f"""
        select *, cast(year(index_from) * 12 + month(index_from) - 1 as integer) as index_month
        from (
        with pairs as (
            select person_id, setting, cohort,
                any_value("count") filter (where period = 'before') as before_count,
                any_value("count") filter (where period = 'after') as after_count,
                min(pcn_code) as own_pcn,
                min(index_date) as own_from,
                max(index_date) as own_to
            from main.utilisation
            {scope}
            group by person_id, setting, cohort
        ),
        paired as (
            select * from pairs where before_count is not null and after_count is not null
        ),
        firsts as (
            select person_id,
                min(referral_date) as first_date,
                first(pcn_code order by referral_date, referral_id) as first_pcn
            from main.referrals
            where person_id in (select person_id from paired where cohort = 'referred')
            group by person_id
        )
        select paired.person_id, paired.setting, paired.cohort,
            case when paired.cohort = 'referred' then firsts.first_pcn else paired.own_pcn end
                as pcn_code,
            case when paired.cohort = 'referred' then firsts.first_date else paired.own_from end
                as index_from,
            case when paired.cohort = 'referred' then firsts.first_date else paired.own_to end
                as index_to,
            paired.before_count,
            paired.after_count
        from paired
        left join firsts using (person_id)
        where paired.cohort <> 'referred' or firsts.person_id is not null
        )
    """  # noqa: S608


# Raise when a fact table's definition changes: opening a database built with another version
# (or before these tables existed) rebuilds them from the canonical tables.
VERSION = 2


def outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a database of ours (it has the canonical tables) whose facts are missing or
    from another version; False for a current one, and for a file that is not ours."""
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    if "referrals" not in tables:
        return False
    if "derived_version" not in tables:
        return True
    return con.execute("select max(version) from derived_version").fetchall()[0][0] != VERSION


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the fact tables, rebuilding them when they are missing or from another version."""
    con.execute("create table if not exists derived_version (version integer not null)")
    if con.execute("select max(version) from derived_version").fetchall()[0][0] == VERSION:
        return
    con.execute("begin transaction")
    try:
        for table in TABLES:
            con.execute(f"drop table if exists {table}")
        for ddl in TABLES.values():
            con.execute(ddl)
        rebuild(con)
        con.execute("delete from derived_version")
        con.execute("insert into derived_version values ($version)", {"version": VERSION})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Every fact from the canonical tables, sorted by date so period filters skip blocks."""
    for table in TABLES:
        con.execute(f"delete from {table}")  # noqa: S608
    _insert(con, "outcome_facts", f"{_OUTCOME_ROWS} order by r.referral_date")
    _insert(
        con,
        "utilisation_facts",
        f"select * from ({_utilisation_rows(None)}) order by index_from",  # noqa: S608
    )
    _insert(con, "onward_facts", f"{_ONWARD_ROWS} order by o.onward_date")
    for monthly, _, sums in _MONTHLY.values():
        _insert(con, monthly, sums.format(cells="true"))


def stage(con: duckdb.DuckDBPyConnection, kind: str, relation: str) -> bool:
    """Before an upsert: note which staged rows change a fact. False when none do."""
    if kind not in _WATCHED:
        return False
    keys, watched = _KEYS[kind], _WATCHED[kind]
    join = " and ".join(f's."{k}" = t."{k}"' for k in keys)
    differs = " or ".join(f's."{c}" is distinct from t."{c}"' for c in watched)
    old_person = ', t.person_id as "_old_person_id"' if kind == "referrals" else ""
    picked = ", ".join(f's."{c}"' for c in _SCOPE[kind] if not c.startswith("_"))
    con.execute(
        f"""
        create or replace temp table {_CHANGED} as
        select distinct {picked}{old_person}
        from {relation} s
        left join main.{kind} t on {join}
        where t."{keys[0]}" is null or {differs}
        """  # noqa: S608
    )
    if con.execute(f"select count(*) from {_CHANGED}").fetchall()[0][0]:  # noqa: S608
        return True
    con.execute(f"drop table {_CHANGED}")
    return False


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: str) -> None:
    """Insert `rows` into `table` only when there are any.

    In duckdb 2.0 an insert of no rows from a query inside a transaction can leave the table's
    uncommitted rows unreadable to later scans in that transaction (counts right, scans empty),
    so the rows are staged first and an empty result is never inserted.
    """
    con.execute(f"create or replace temp table _derived_rows as {rows}")
    try:
        if con.execute("select count(*) from _derived_rows").fetchall()[0][0]:
            con.execute(f"insert into {table} select * from _derived_rows")  # noqa: S608
    finally:
        con.execute("drop table _derived_rows")


def _replace(con: duckdb.DuckDBPyConnection, table: str, column: str, rows: str) -> None:
    """Replace the facts of `table` whose `column` is in the staged changes by `rows`' rows,
    and the monthly sums of every month and PCN those facts were or now are in."""
    monthly, month, sums = _MONTHLY[table]
    scope = f"{column} in (select {column} from {_CHANGED})"  # noqa: S608
    cells = f"select distinct {month}, pcn_code from {table} where {scope}"  # noqa: S608
    con.execute(f"create or replace temp table {_CELLS} as {cells}")
    try:
        if con.execute(f"select count(*) from {_CELLS}").fetchall()[0][0]:  # noqa: S608
            con.execute(f"delete from {table} where {scope}")  # noqa: S608
        _insert(con, table, f"select * from ({rows}) where {scope}")  # noqa: S608
        con.execute(f"insert into {_CELLS} {cells}")
        con.execute(
            f"delete from {monthly} using {_CELLS} c "  # noqa: S608
            f"where {monthly}.{month} = c.{month} and {monthly}.pcn_code = c.pcn_code"
        )
        in_cells = f"({month}, pcn_code) in (select ({month}, pcn_code) from {_CELLS})"  # noqa: S608
        _insert(con, monthly, sums.format(cells=in_cells))
    finally:
        con.execute(f"drop table {_CELLS}")


def refresh(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """After an upsert: replace the facts that the staged changes point at."""
    try:
        if kind in ("referrals", "outcomes"):
            _replace(con, "outcome_facts", "referral_id", _OUTCOME_ROWS)
        if kind == "referrals":
            _replace(con, "onward_facts", "referral_id", _ONWARD_ROWS)
        if kind == "onward_referrals":
            _replace(con, "onward_facts", "onward_id", _ONWARD_ROWS)
        if kind == "referrals":
            # A referral moved to another person changes the old person's first referral too.
            con.execute(
                f"insert into {_CHANGED} (person_id) "  # noqa: S608
                f"select distinct _old_person_id from {_CHANGED} where _old_person_id is not null"
            )
        if kind in ("referrals", "utilisation"):
            persons = f"(select person_id from {_CHANGED})"  # noqa: S608
            _replace(con, "utilisation_facts", "person_id", _utilisation_rows(persons))
    finally:
        con.execute(f"drop table {_CHANGED}")
