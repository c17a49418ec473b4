"""The load: every file staged and recognised, then validated and written in one transaction.

The transaction commits only when no file is refused (and, when strict, no row rejected);
a preview is the same work rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import duckdb

from dashboard.data import store
from dashboard.data.contract import KINDS
from dashboard.data.ingest.detect import (
    HeadersRefused,
    create_nhs_number_macros,
    detect_kind,
    gp_registration_part,
    map_columns,
    refuse_identifiers,
    unrecognised,
)
from dashboard.data.ingest.gp_registration import pair_gp_files
from dashboard.data.ingest.mapping import Mapping
from dashboard.data.ingest.references import warn
from dashboard.data.ingest.validate import validate
from dashboard.data.ingest.work import Extract, Report, Work
from dashboard.data.readers import Refused, stage
from dashboard.settings import load_settings

# Reference data first, so that rows pointing at it in the same load find it.
KIND_ORDER = ("pcns", "services", "referrals", "onward_referrals", "outcomes", "utilisation")

Progress = Callable[[str], None]


def _recognised(
    extract: Extract, kind: str | None, headers: list[str], saved: Sequence[Mapping]
) -> Mapping | None:
    """The extract's own mapping, else a saved one made for files with these headers."""
    if extract.mapping:
        if kind and extract.mapping.kind != kind:
            raise Refused(
                f"{extract.name}: the mapping '{extract.mapping.name}' is for "
                f"{extract.mapping.kind}, but the file is to load as {kind}."
            )
        return extract.mapping
    return next(
        (m for m in saved if m.recognises(headers) and kind in (None, m.kind)),
        None,
    )


def _prepare(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    index: int,
    max_bytes: int,
    saved: Sequence[Mapping],
) -> tuple[Work, str | None]:
    """Stage one file, find its kind and columns; refusals are recorded on its report.

    Returns the unit and, for an NHS Digital GP registration file, which part it is.
    """
    kind = extract.kind if extract.kind not in (None, "auto") else None
    work = Work(report=Report(file=extract.name, kind=kind), table=f"_load_{index}")
    try:
        work.staged = stage(con, extract.path, extract.name, f"_stage_{index}", max_bytes)
        work.report.notices += work.staged.notices
        gp_part = gp_registration_part(work.staged.headers)
        if gp_part and kind not in (None, "pcns"):
            gp_part = None
        refuse_identifiers(con, work.staged, work.report.file, gp_file=gp_part is not None)
        if gp_part and not extract.mapping:
            work.kind = work.report.kind = "pcns"
            return work, gp_part
        work.mapping = _recognised(extract, kind, work.staged.headers, saved)
        if work.mapping:
            kind = work.mapping.kind
            work.report.mapping = work.mapping.name
            work.report.notices.append(
                f"{extract.name}: read with the mapping '{work.mapping.name}'."
                if extract.mapping
                else f"{extract.name}: its headers match the saved mapping "
                f"'{work.mapping.name}', which was applied."
            )
        work.kind = kind or detect_kind(work.staged.headers)
        if work.kind is None:
            raise HeadersRefused(unrecognised(extract.name, work.staged.headers))
        if work.kind not in KINDS:
            raise Refused(f"{work.kind!r} is not an extract kind: use one of {', '.join(KINDS)}.")
        work.report.kind = work.kind
        map_columns(work, con)
    except Refused as refusal:
        work.report.refused = str(refusal)
        work.report.mappable = isinstance(refusal, HeadersRefused)
    return work, None


def _rollback_quietly(cursor: duckdb.DuckDBPyConnection) -> None:
    try:
        cursor.rollback()
    except duckdb.Error:
        pass  # nothing was begun


def load(
    con: duckdb.DuckDBPyConnection,
    extracts: Sequence[Extract],
    *,
    commit: bool = True,
    strict: bool = False,
    today: date | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    mappings: Sequence[Mapping] = (),
) -> list[Report]:
    """Validate extracts and, when `commit`, load them all in one transaction.

    An extract without a mapping of its own is read with the first of `mappings` (the saved
    ones) made for files with its headers, if any. Nothing is written when any file is
    refused, or when `strict` and any row is rejected: the transaction is rolled back and the
    reports say so (`loaded` false). With `commit=False` the same work is done and rolled
    back: a preview that is exactly the load.
    """
    today = today or date.today()
    max_bytes = max_bytes or load_settings().load.max_bytes
    say = progress or (lambda message: None)
    cursor = con.cursor()
    try:
        # Staging uses temporary tables only; the database is untouched until the
        # transaction below, which holds every write.
        create_nhs_number_macros(cursor)
        prepared = []
        for index, extract in enumerate(extracts):
            say(f"Reading {extract.name} ...")
            prepared.append(_prepare(cursor, extract, index, max_bytes, mappings))
        gp_parts = [(work, part) for work, part in prepared if part and not work.report.refused]
        units = [work for work, part in prepared if not part or work.report.refused]
        units += pair_gp_files(cursor, gp_parts)
        runnable = sorted(
            (w for w in units if not w.report.refused), key=lambda w: KIND_ORDER.index(w.kind)
        )
        cursor.execute("begin transaction")
        # Each file is validated against the database as the files before it leave it: a
        # utilisation file's windows are compared with those written a moment earlier.
        for work in runnable:
            say(f"Validating {work.report.file} as {work.kind} ...")
            validate(cursor, work, today)
            say(f"Writing {work.report.accepted:,} rows of {work.report.file} ...")
            store.upsert_from(cursor, work.kind, f"{work.table}_accepted")
        for work in runnable:
            warn(cursor, work)
        reports = [work.report for work in units]
        order = {extract.name: i for i, extract in enumerate(extracts)}
        reports.sort(key=lambda r: order.get(r.file.split(" + ")[0], len(order)))
        blocked = any(r.refused for r in reports) or (strict and any(r.rejected for r in reports))
        if commit and not blocked:
            for work in runnable:
                store.record_load(
                    cursor,
                    file_name=work.report.file,
                    kind=work.kind,
                    rows_read=work.report.rows_read,
                    accepted=work.report.accepted,
                    rejected=work.report.rejected,
                    date_from=work.report.date_from,
                    date_to=work.report.date_to,
                )
            cursor.execute("commit")
            for report in reports:
                report.loaded = report.refused is None
            say("Committed.")
        else:
            cursor.execute("rollback")
        return reports
    except BaseException:
        _rollback_quietly(cursor)
        raise
    finally:
        cursor.close()


def preview(
    con: duckdb.DuckDBPyConnection, extracts: Sequence[Extract], **options: Any
) -> list[Report]:
    """What `load` would do, without changing the database."""
    return load(con, extracts, commit=False, **options)
