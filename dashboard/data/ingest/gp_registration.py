"""NHS Digital's "Patients Registered at a GP Practice" files, loaded as pcns.

The practice mapping file (practice -> PCN, ICB) and a list sizes file (patients by practice)
are one load unit: joined here into a staged table of PCN rows, which are then validated as
any pcns extract. The user knows the rows as practices, so the report counts practices.
"""

from __future__ import annotations

import duckdb

from dashboard.data.contract import columns, normalise_header
from dashboard.data.ingest.work import Work
from dashboard.data.readers import Staged


def pair_gp_files(con: duckdb.DuckDBPyConnection, parts: list[tuple[Work, str]]) -> list[Work]:
    """One load unit from a mapping and a sizes file; any other GP file is refused.

    `parts` are the staged GP files, each with its part ('mapping' or 'sizes').
    """
    mappings = [work for work, part in parts if part == "mapping"]
    sizes = [work for work, part in parts if part == "sizes"]
    for work in mappings[1:] + sizes[1:]:
        work.report.refused = (
            f"{work.report.file}: give one GP practice mapping file and one list sizes file "
            "per load."
        )
    if mappings and not sizes:
        mappings[0].report.refused = (
            f"{mappings[0].report.file} is NHS Digital's practice-to-PCN mapping, which has no "
            "list sizes: load it together with the list sizes file (gp-reg-pat-prac-all.csv)."
        )
        return mappings
    if sizes and not mappings:
        sizes[0].report.refused = (
            f"{sizes[0].report.file} is NHS Digital's list sizes by practice, which has no PCNs: "
            "load it together with the practice mapping file (gp-reg-pat-prac-map.csv)."
        )
        return sizes
    if not mappings:
        return []
    mapping, size = mappings[0], sizes[0]
    _join_into_pcns(con, mapping, size)
    return [mapping, *mappings[1:], *sizes[1:]]


def _join_into_pcns(con: duckdb.DuckDBPyConnection, mapping: Work, sizes: Work) -> None:
    """Join the practice mapping with list sizes into a staged table of PCN rows.

    Practices sum to their PCN. A practice that cannot be counted (no PCN, a malformed PCN
    code, no list size) is rejected with its row number in the mapping file; the PCN rows
    are then validated as any pcns extract, each numbered by its first practice's row.
    """
    mh = {normalise_header(h): i for i, h in reversed(list(enumerate(mapping.staged.headers)))}
    sh = {normalise_header(h): i for i, h in reversed(list(enumerate(sizes.staged.headers)))}
    icb = mh.get("icbcode", mh.get("stpcode"))  # STPs became ICBs in July 2022
    code = sh.get("code", sh.get("orgcode"))
    # The sizes files break each practice down by sex and age. The ALL rows are the totals;
    # a file without them (single years of age by sex) sums its breakdown instead.
    parts = [f"upper(trim(c{sh[part]}))" for part in ("sex", "age") if part in sh]
    total_rows = " and ".join(f"{p} = 'ALL'" for p in parts) or "true"
    breakdown_rows = " and ".join(f"{p} <> 'ALL'" for p in parts) or "false"
    totals = (
        f"case when exists (select 1 from {sizes.staged.table} where {total_rows}) "  # noqa: S608
        f"then {total_rows} else {breakdown_rows} end"
    )
    t = mapping.table
    usable = (
        "pcn_code is not null and regexp_full_match(pcn_code, $pattern) and patients is not null"
    )
    params = {
        "pattern": next(c.pattern for c in columns("pcns") if c.name == "pcn_code"),
        "sizes_file": sizes.report.file,
    }
    con.execute(
        f"""
        create temp table {t}_practices as
        with sizes as (
            select upper(trim(c{code})) as practice_code,
                sum(try_cast(c{sh["numberofpatients"]} as bigint)) as patients
            from {sizes.staged.table} where {totals} group by all
        ),
        practices as (
            select _row, upper(trim(c{mh["practicecode"]})) as practice_code,
                upper(nullif(trim(c{mh["pcncode"]}), '')) as pcn_code,
                trim(c{mh["pcnname"]}) as pcn_name,
                {f"trim(c{icb})" if icb is not None else "null"} as icb_code
            from {mapping.staged.table}
        )
        select practices.*, sizes.patients
        from practices left join sizes using (practice_code)
        """  # noqa: S608
    )
    unusable = con.execute(
        f"""
        select _row, practice_code, case
            when pcn_code is null then 'the practice has no PCN code'
            when not regexp_full_match(pcn_code, $pattern)
                then 'the practice''s PCN code ' || pcn_code || ' is not U and five digits'
            else 'the practice has no list size in ' || $sizes_file end
        from {t}_practices where not ({usable}) order by _row
        """,  # noqa: S608
        params,
    ).fetchall()
    con.execute(
        f"""
        create temp table {t}_gp as
        select min(_row) as _row, pcn_code as c0, min(pcn_name) as c1, min(icb_code) as c2,
            sum(patients)::varchar as c3
        from {t}_practices where {usable} group by pcn_code
        """,  # noqa: S608
        {"pattern": params["pattern"]},
    )
    pcn_count = con.execute(f"select count(*) from {t}_gp").fetchall()[0][0]  # noqa: S608
    mapping.report.notices.append(
        f"NHS Digital GP registration files: {mapping.staged.rows:,} practices, summed into "
        f"{pcn_count:,} PCNs with list sizes from {sizes.report.file}."
    )
    mapping.source = mapping.staged
    mapping.practices = f"{t}_practices"
    mapping.staged = Staged(
        table=f"{t}_gp",
        headers=["pcn_code", "pcn_name", "icb_code", "list_size"],
        rows=pcn_count,
        malformed=[(row, value, why) for row, value, why in unusable],
    )
    mapping.positions = {"pcn_code": 0, "pcn_name": 1, "icb_code": 2, "list_size": 3}
    mapping.report.file = f"{mapping.report.file} + {sizes.report.file}"


def count_practices(con: duckdb.DuckDBPyConnection, work: Work) -> None:
    """GP registration loads count rows in practices, as the user's mapping file has them."""
    report = work.report
    report.rows_read = work.source.rows
    report.accepted = con.execute(
        f"""
        select count(*) from {work.practices}
        where pcn_code in (select pcn_code from {work.table}_accepted) and patients is not null
        """  # noqa: S608
    ).fetchall()[0][0]
    report.rejected = report.rows_read - report.accepted
