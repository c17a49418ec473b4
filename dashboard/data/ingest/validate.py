"""Validate one staged file set-wise: type it, apply every rule, and fill in its report.

One pass types every row and flags those that break any row rule; naming each broken rule
then reads only the flagged rows again. The rows no rule rejects are `<table>_accepted`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from dashboard.data.contract import KINDS, columns
from dashboard.data.ingest.gp_registration import count_practices
from dashboard.data.ingest.parameters import bound
from dashboard.data.ingest.rules import file_rules, row_rules, stored_rules
from dashboard.data.ingest.typed import DATE_PARAMETERS, typed_view
from dashboard.data.ingest.work import Work


def validate(con: duckdb.DuckDBPyConnection, work: Work, today: date) -> None:
    """Reject the rows that break a rule, each with its reasons, and count what is accepted.

    Stored rules read the database, so a file is validated after the files before it in the
    load are written (in the same transaction).
    """
    params: dict[str, Any] = {"today": today, **DATE_PARAMETERS}
    t = work.table
    typed_view(con, work, params)
    rules = row_rules(work, params)
    names = ", ".join(c.name for c in columns(work.kind))
    checked = f"""
        create temp table {t}_checked as
        select _row, {names},
            coalesce({" or ".join(f"({rule.flag or rule.condition})" for rule in rules)}, false)
                as _suspect
        from {t}_typed
    """  # noqa: S608
    con.execute(checked, bound(checked, params))
    typed_view(con, work, params, "suspect_typed", f"select _row from {t}_checked where _suspect")  # noqa: S608
    con.execute(f"create temp table {t}_suspect as select * from {t}_suspect_typed")  # noqa: S608
    selects = [
        f"""select _row, '{rule.column}' as "column", {rule.value} as value,
            {rule.reason} as reason
        from {t}_suspect where {rule.condition}"""  # noqa: S608
        for rule in rules
    ]
    selects += file_rules(work, params)
    sql = " union all ".join(selects)
    con.execute(f"create temp table {t}_errors as {sql}", bound(sql, params))
    malformed = work.staged.malformed
    if malformed:
        con.executemany(
            f"insert into {t}_errors values ($row, null, $value, $reason)",  # noqa: S608
            [{"row": row, "value": line, "reason": why} for row, line, why in malformed],
        )
    for index, sql in enumerate(stored_rules(work, params)):
        # Into a table first: the rule reads the errors it adds to.
        conflicts = f"{t}_stored_{index}"
        con.execute(f"create temp table {conflicts} as {sql}", bound(sql, params))
        con.execute(f"insert into {t}_errors select * from {conflicts}")  # noqa: S608
    # Through a join, also when nothing is rejected: insert-or-replace from a plain scan in
    # another order than the stored rows is very slow (see store._replace).
    con.execute(
        f"""
        create temp view {t}_accepted as
        select * exclude (_suspect)
        from {t}_checked anti join (select distinct _row from {t}_errors) using (_row)
        """  # noqa: S608
    )
    _summarise(con, work)


def _summarise(con: duckdb.DuckDBPyConnection, work: Work) -> None:
    t = work.table
    report = work.report
    report.rows_read = work.staged.rows + len(work.staged.malformed)
    report.rejected = con.execute(
        f"select count(distinct _row) from {t}_errors"  # noqa: S608
    ).fetchall()[0][0]
    report.accepted = report.rows_read - report.rejected
    if work.practices:
        count_practices(con, work)
    order = {c.name: i for i, c in enumerate(columns(work.kind))} | {"age": 0}
    errors = con.execute(f'select _row as row, "column", value, reason from {t}_errors').df()  # noqa: S608
    errors["_order"] = errors["column"].map(order).fillna(-1)
    report.errors = (
        errors.sort_values(["row", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    if report.rejected:
        report.rejected_rows = _rejected_rows(con, work)
    date_column = KINDS[work.kind].date_column
    if date_column and report.accepted:
        report.date_from, report.date_to = con.execute(
            f"select min({date_column}), max({date_column}) from {t}_accepted"  # noqa: S608
        ).fetchall()[0]


def _rejected_rows(con: duckdb.DuckDBPyConnection, work: Work) -> pd.DataFrame:
    """The rejected rows as the user wrote them, each with its row number and reasons."""
    staged = work.source or work.staged
    raw = ", ".join(f"s.c{i}" for i in range(len(staged.headers)))
    frame = con.execute(
        f"""
        with reasons as (
            select _row, string_agg(coalesce("column" || ': ', '') || reason, '; '
                order by "column") as reasons
            from {work.table}_errors group by _row
        )
        select reasons._row, reasons.reasons, {raw}
        from reasons left join {staged.table} as s using (_row)
        order by reasons._row
        """  # noqa: S608
    ).df()
    frame.columns = ["row", "reasons", *staged.headers]
    return frame
