"""Typing: the staged text as contract types, in one pass, beside the text each came from.

A value that cannot be read as its type becomes null; the rules (`rules.py`) then reject its
row by comparing the typed value with its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb

from dashboard.data.contract import MEASURE_DOMAINS, AgeBand, Column, columns, normalise_header
from dashboard.data.ingest.parameters import with_variables
from dashboard.data.ingest.work import Work

# ISO and UK orders only: a month-first date fails the day-first parse rather than swapping.
DATE_SHAPE = (
    r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}( \d{1,2}:\d{2}(:\d{2})?)?"
)
DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y",
]
# The parameters every date expression names.
DATE_PARAMETERS: dict[str, Any] = {
    "date_shape": DATE_SHAPE,
    "date_formats": DATE_FORMATS,
    # yyyy-mm-dd exactly (a glob: a regular expression costs more), read by a cast to date:
    # on every text of this shape the same date, or null, as strptime('%Y-%m-%d'), and faster.
    "iso_date_glob": "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
    # ISO dates with a time or one-digit months and days: read by DATE_FORMATS.
    "iso_like_shape": r"\d{4}-\d{1,2}-\d{1,2}([ T].*)?",
    "uk_date_shape": r"\d{1,2}/\d{1,2}/\d{4}",
    "uk_date_format": "%d/%m/%Y",
}
MAX_AGE = 120

_ENUM_KEY = "regexp_replace(lower({raw}), '[^a-z0-9+]', '', 'g')"
_WHOLE_NUMBER = (
    r"case when regexp_full_match({raw}, '[+-]?\d+(\.0*)?') "
    r"then try_cast(try_cast({raw} as double) as integer) "
    r"when regexp_full_match({raw}, '\d{{1,3}}(,\d{{3}})+') "
    r"then try_cast(replace({raw}, ',', '') as integer) end"
)


def _enum_keys(values: Sequence[str]) -> list[str]:
    return [normalise_header(v) for v in values]


def _typed_expression(
    work: Work, column: Column, raw: str, params: dict[str, Any], banded: bool
) -> str:
    kind, name = work.kind, column.name
    if banded:
        lower = [int(b.value.rstrip("+").split("-")[0]) for b in AgeBand]
        params["age_lower"] = lower
        params["age_labels"] = [b.value for b in AgeBand]
        params["max_age"] = MAX_AGE
        age = _WHOLE_NUMBER.format(raw=raw)
        return (
            f"case when ({age}) between 0 and $max_age "
            f"then $age_labels[len(list_filter($age_lower, lambda x: x <= ({age})))] end"
        )
    if column.allowed or (kind == "outcomes" and name == "domain"):
        values = list(
            column.allowed or dict.fromkeys(d for ds in MEASURE_DOMAINS.values() for d in ds)
        )
        params[f"values_{name}"] = values
        params[f"keys_{name}"] = _enum_keys(values)
        # Most values are written as the contract writes them: check that before normalising.
        found = (
            f"case when list_contains($values_{name}, {raw}) then {raw} "
            f"else $values_{name}[list_position($keys_{name}, {_ENUM_KEY.format(raw=raw)})] end"
        )
        if kind == "outcomes" and name == "domain":
            return f"coalesce({found}, {raw})"
        if column.default is not None:
            params[f"default_{name}"] = column.default
            return f"case when {raw} is null then $default_{name} else {found} end"
        return found
    if column.python_type is date and work.mapping and work.mapping.date_format:
        # The mapping says how the source system writes dates; ISO is never ambiguous.
        params["mapping_date_format"] = work.mapping.date_format
        return (
            f"case when {raw} glob $iso_date_glob then try_cast({raw} as date) "
            f"when regexp_full_match({raw}, $iso_like_shape) "
            f"then try_strptime({raw}, $date_formats)::date "
            f"else try_strptime({raw}, $mapping_date_format)::date end"
        )
    if column.python_type is date:
        # The two usual forms first, each with one format: trying a list of formats on every
        # value is 30 times slower.
        return (
            f"case when {raw} glob $iso_date_glob then try_cast({raw} as date) "
            f"when regexp_full_match({raw}, $uk_date_shape) "
            f"then try_strptime({raw}, $uk_date_format)::date "
            f"when regexp_full_match({raw}, $date_shape) "
            f"then try_strptime({raw}, $date_formats)::date end"
        )
    if column.python_type is int:
        return _WHOLE_NUMBER.format(raw=raw)
    if column.python_type is float:
        return f"case when isfinite(try_cast({raw} as double)) then try_cast({raw} as double) end"
    if column.pattern:
        return f"upper({raw})"
    return raw


def _mapped(work: Work, name: str, source: str, params: dict[str, Any]) -> str:
    """The file's text with the mapping's codes put in the contract's terms ("" is blank).

    A value the mapping does not list is left as written, for the rules to judge.
    """
    written, meant = work.mapping.codes(name) if work.mapping else ([], [])
    if not written:
        return source
    params[f"map_from_{name}"], params[f"map_to_{name}"] = written, meant
    # As `value_key`: tabs and no-break spaces are spaces too.
    key = f"lower(trim(regexp_replace({source}, $space, ' ', 'g')))"
    params["space"] = r"[\s\x{00A0}\x{2007}\x{202F}]+"
    return f"nullif(coalesce($map_to_{name}[list_position($map_from_{name}, {key})], {source}), '')"


def _text(work: Work, column: Column, cell: str, params: dict[str, Any]) -> str:
    """A cell's text as the rules read it: trimmed, blank as null, in the contract's terms
    where the mapping gives codes."""
    text = f"nullif(trim({cell}), '')"
    mapped = _mapped(work, column.name, text, params)
    if mapped != text or not column.allowed:
        return mapped
    # Most cells hold an allowed value exactly, which trimming would not change: trimming
    # only the others saves a tenth of the typing.
    params[f"values_{column.name}"] = list(column.allowed)
    return f"case when list_contains($values_{column.name}, {cell}) then {cell} else {text} end"


def typed_view(
    con: duckdb.DuckDBPyConnection,
    work: Work,
    params: dict[str, Any],
    view: str = "typed",
    rows: str | None = None,
) -> None:
    """The view `<table>_<view>` of the staged rows as contract types, beside the text each
    came from: every row, or only those whose `_row` the query `rows` gives.

    All rows are read once, into the compact typed table `_checked`; the rows flagged there
    are typed again (only they: typing is most of the work) with their text, to name every
    rule they break.
    """
    staged = work.staged.table
    if rows:
        staged = f"(select * from {staged} where _row in ({rows}))"  # noqa: S608
    raw_parts, typed_parts = ["_row"], ["_row"]
    for column in columns(work.kind):
        position = work.positions.get(column.name)
        banded = column.name == "age_band" and position is None and work.age_position is not None
        if banded:
            position = work.age_position
        raw = f"raw_{column.name}"
        if position is None:
            source = "null::varchar"
        elif banded:
            source = f"nullif(trim(c{position}), '')"
        else:
            source = _text(work, column, f"c{position}", params)
        raw_parts.append(f"{source} as {raw}")
        typed = _typed_expression(work, column, raw, params, banded)
        typed_parts += [f"({typed})::{column.sql_type} as {column.name}", raw]
    sql = f"""
        create temp view {work.table}_{view} as
        select {", ".join(typed_parts)}
        from (select {", ".join(raw_parts)} from {staged})
    """  # noqa: S608
    con.execute(with_variables(con, sql, params, work.table))
