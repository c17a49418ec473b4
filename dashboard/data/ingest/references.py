"""After the upserts: rows that point at nothing, and oddities that load with a warning.

These run inside the load's transaction, after every file's rows are written, so a row finds
what it points at whether it was loaded before or in the same load.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dashboard.data.ingest.work import Work


@dataclass(frozen=True)
class _Reference:
    column: str
    table: str
    target_column: str
    target: str  # in words
    condition: str = "true"


_REFERENCES: dict[str, tuple[_Reference, ...]] = {
    "referrals": (_Reference("pcn_code", "pcns", "pcn_code", "PCN"),),
    "services": (_Reference("pcn_code", "pcns", "pcn_code", "PCN"),),
    "outcomes": (_Reference("referral_id", "referrals", "referral_id", "referral"),),
    "onward_referrals": (
        _Reference("referral_id", "referrals", "referral_id", "referral"),
        _Reference("service_id", "services", "service_id", "service", "a.service_id is not null"),
    ),
    "utilisation": (
        _Reference(
            "person_id",
            "referrals",
            "person_id",
            "referred person",
            "a.cohort = 'referred'",
        ),
    ),
}

_ODDITIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # kind: (column, from-and-where SQL over the accepted rows `a`, reason expression)
    "referrals": (
        (
            "first_contact_date",
            "from {accepted} as a where a.status = 'declined' and a.first_contact_date is not null",
            "'a declined referral has a first-contact date; the row loads, but check its status'",
        ),
    ),
    "onward_referrals": (
        (
            "onward_date",
            "from {accepted} as a join main.referrals as r using (referral_id) "
            "where a.onward_date < r.first_contact_date",
            "'is before the first contact with the person ('"
            " || strftime(r.first_contact_date, '%d/%m/%Y')"
            " || '); the row loads, but check the dates'",
        ),
    ),
}


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def warn(con: duckdb.DuckDBPyConnection, work: Work) -> None:
    """Warn, after the upsert, of accepted rows that point at nothing or look odd."""
    accepted = f"{work.table}_accepted"
    report = work.report
    for column, sql, reason in _ODDITIES.get(work.kind, ()):
        rows = con.execute(
            f"select a._row, a.{column}::varchar, {reason} {sql.format(accepted=accepted)} "
            "order by 1"
        ).fetchall()
        report.warnings += [
            {"row": row, "column": column, "value": value, "reason": why}
            for row, value, why in rows
        ]
    for ref in _REFERENCES.get(work.kind, ()):
        count, rows = con.execute(
            f"""
            select count(*), list(a._row order by a._row)[1:10]
            from {accepted} as a
            anti join main.{ref.table} as t on t.{ref.target_column} = a.{ref.column}
            where {ref.condition}
            """  # noqa: S608
        ).fetchall()[0]
        if count:
            report.unmatched += count
            more = ", ..." if count > len(rows) else ""
            report.warnings.append(
                {
                    "row": None,
                    "column": ref.column,
                    "value": None,
                    "reason": (
                        f"{_rows(count)} {'has' if count == 1 else 'have'} a {ref.column} that "
                        f"matches no loaded {ref.target} ({'row' if count == 1 else 'rows'} "
                        f"{', '.join(map(str, rows))}{more}). "
                        f"{'It is' if count == 1 else 'They are'} loaded, and will join once "
                        f"the {ref.target} is loaded."
                    ),
                }
            )
