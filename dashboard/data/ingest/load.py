"""Load extracts: read, validate set-wise in DuckDB, upsert in one transaction.

The rules come from the contract (`contract.columns(kind)`): names, aliases, types, allowed
values, ranges and patterns. Every rule is one SQL statement over a staging table, with the
contract's values bound as parameters; nothing is checked one Python object per row.

A row that breaks a rule is rejected with its row number (as the user sees it in their file:
the header is row 1), column, value and a plain-English reason; the others load. A file that
cannot be trusted at all (empty, unreadable, missing a required column, carrying patient
identifiers, too big) is refused whole. Either way the database changes only when the
whole load commits: `load` runs in one transaction on its own cursor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.data import store
from dashboard.data.contract import (
    KINDS,
    MEASURE_DOMAINS,
    MEASURE_RANGE,
    AgeBand,
    Column,
    columns,
    normalise_header,
)
from dashboard.data.readers import Refused, Staged, stage
from dashboard.settings import load_settings

# Reference data first, so that rows pointing at it in the same load find it.
KIND_ORDER = ("pcns", "services", "referrals", "onward_referrals", "outcomes", "utilisation")
# Dates that may lie ahead; every other date in the future rejects its row.
FUTURE_ALLOWED = frozenset({"funding_end_date"})
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
AGE_HEADERS = frozenset({"age", "ageatreferral", "ageyears", "ageinyears", "ageatreferraldate"})
MAX_AGE = 120

# Headers that name a patient identifier. Short, ambiguous words match only whole headers.
_IDENTIFIER_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # what: (whole headers, parts of headers)
    "an NHS number": (("nhs", "nhsnum", "nhsid"), ("nhsnumber", "nhsno")),
    "a person's name": (
        ("name", "patientname", "personname", "clientname", "middlename", "names"),
        ("surname", "forename", "firstname", "lastname", "fullname", "givenname", "familyname"),
    ),
    "a date of birth": (("dob", "patientdob", "birthday"), ("dateofbirth", "birthdate")),
    "an address": ((), ("address",)),
    "a postcode": ((), ("postcode", "postalcode", "zipcode")),
}
# Organisations have names, addresses and postcodes that identify nobody.
_ORGANISATION_PREFIXES = (
    "practice",
    "pcn",
    "provider",
    "service",
    "organisation",
    "organization",
    "org",
    "site",
    "venue",
    "icb",
    "subicb",
    "ccg",
    "stp",
    "gp",
    "surgery",
    "commregion",
)

# NHS Digital's "Patients Registered at a GP Practice" files (see DESIGN.md).
_GP_MAPPING_HEADERS = frozenset({"practicecode", "pcncode", "pcnname"})
_GP_SIZES_CODE = ("code", "orgcode")

Progress = Callable[[str], None]
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


def _bound(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names: DuckDB refuses any others."""
    return {name: params[name] for name in set(_PARAMETER.findall(sql))}


def _with_variables(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], prefix: str
) -> str:
    """The statement with its $parameters read from session variables, for a view.

    A view cannot hold prepared parameters; each value is bound into a variable instead
    (and `getvariable` is folded to a constant, so patterns still compile once).
    """
    for name in set(_PARAMETER.findall(sql)):
        con.execute(f"set variable {prefix}_{name} = $value", {"value": params[name]})
    return _PARAMETER.sub(lambda match: f"getvariable('{prefix}_{match.group(1)}')", sql)


@dataclass(frozen=True)
class Extract:
    """A file to load: the name the user knows it by, where it is, and its kind if known."""

    name: str
    path: Path
    kind: str | None = None


def _no_issues() -> pd.DataFrame:
    return pd.DataFrame({"row": [], "column": [], "value": [], "reason": []})


@dataclass
class Report:
    """What a load did, or would do, with one file."""

    file: str
    kind: str | None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: pd.DataFrame = field(default_factory=_no_issues)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    refused: str | None = None
    loaded: bool = False
    unmatched: int = 0
    date_from: date | None = None
    date_to: date | None = None
    # The rejected rows as they were in the file, with their row numbers and reasons.
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)

    def as_json(self) -> dict[str, Any]:
        errors = [
            {
                "row": None if pd.isna(row) else int(row),
                "column": None if pd.isna(column) else column,
                "value": None if pd.isna(value) else value,
                "reason": reason,
            }
            for row, column, value, reason in self.errors[
                ["row", "column", "value", "reason"]
            ].itertuples(index=False)
        ]
        if self.refused:
            errors = [{"row": None, "column": None, "value": None, "reason": self.refused}]
        return {
            "kind": self.kind,
            "file": self.file,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": errors,
            "warnings": self.warnings,
            "loaded": self.loaded,
            "refused": self.refused is not None,
        }


@dataclass
class _Work:
    """One load unit in progress: a file (or the GP registration pair) and its staging."""

    report: Report
    staged: Staged | None = None
    kind: str | None = None
    positions: dict[str, int] = field(default_factory=dict)
    age_position: int | None = None
    table: str = ""
    # GP registration loads: the mapping file as staged, and its practices with list sizes.
    source: Staged | None = None
    practices: str | None = None


# ---------------------------------------------------------------------------------------------
# Headers: kinds, aliases and identifiers


def _header_names(column: Column) -> set[str]:
    return {normalise_header(column.name), *(normalise_header(a) for a in column.aliases)}


def column_positions(kind: str, headers: Sequence[str]) -> dict[str, int]:
    """Which file column holds each contract column (first match wins)."""
    normalised = [normalise_header(h) for h in headers]
    positions: dict[str, int] = {}
    for column in columns(kind):
        names = _header_names(column)
        for index, header in enumerate(normalised):
            if header in names:
                positions[column.name] = index
                break
    return positions


def _age_position(kind: str, headers: Sequence[str], positions: dict[str, int]) -> int | None:
    if kind != "referrals" or "age_band" in positions:
        return None
    for index, header in enumerate(headers):
        if normalise_header(header) in AGE_HEADERS:
            return index
    return None


def gp_registration_part(headers: Sequence[str]) -> str | None:
    """'mapping' or 'sizes' for NHS Digital's GP registration files, else None."""
    normalised = {normalise_header(h) for h in headers}
    if _GP_MAPPING_HEADERS <= normalised:
        return "mapping"
    if "numberofpatients" in normalised and normalised & set(_GP_SIZES_CODE):
        return "sizes"
    return None


def detect_kind(headers: Sequence[str]) -> str | None:
    """The extract kind whose required columns the headers carry (most columns matched wins)."""
    if gp_registration_part(headers):
        return "pcns"
    best, best_score = None, 0
    for kind in KINDS:
        positions = column_positions(kind, headers)
        required = {c.name for c in columns(kind) if c.required}
        if kind == "referrals" and _age_position(kind, headers, positions) is not None:
            required.discard("age_band")
        if required - set(positions):
            continue
        if len(positions) > best_score:
            best, best_score = kind, len(positions)
    return best


def _identifier_headers(headers: Sequence[str], gp_file: bool) -> list[tuple[str, str]]:
    found = []
    for header in headers:
        normalised = normalise_header(header)
        if not normalised or normalised.startswith(_ORGANISATION_PREFIXES):
            continue
        if gp_file and normalised == "postcode":  # the practice's postcode
            continue
        for what, (whole, parts) in _IDENTIFIER_WORDS.items():
            if normalised in whole or any(part in normalised for part in parts):
                found.append((header, what))
                break
    return found


_PSEUDONYMISED = (
    "Extracts must be pseudonymised: remove NHS numbers, names, dates of birth, addresses "
    "and postcodes, and identify people only by a pseudonymised person_id. Nothing was loaded."
)


def _refuse_identifiers(con: duckdb.DuckDBPyConnection, work: _Work, gp_file: bool) -> None:
    staged = work.staged
    named = _identifier_headers(staged.headers, gp_file)
    if named:
        listed = "; ".join(f"'{header}' names {what}" for header, what in named)
        raise Refused(f"{work.report.file} holds patient identifiers ({listed}). {_PSEUDONYMISED}")
    checked = ", ".join(
        f"count(c{i}) filter (where _nhs_number(c{i})), count(c{i})"
        for i in range(len(staged.headers))
    )
    counts = con.execute(f"select {checked} from {staged.table}").fetchall()[0]  # noqa: S608
    for index, header in enumerate(staged.headers):
        numbers, filled = counts[2 * index], counts[2 * index + 1]
        # Random 10-digit numbers pass the checksum about one time in eleven.
        if numbers and numbers * 2 >= filled:
            raise Refused(
                f"{work.report.file} holds patient identifiers: {numbers:,} values in the "
                f"column '{header}' are valid NHS numbers. {_PSEUDONYMISED}"
            )


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    # The NHS number check digit (modulus 11): weights 10..2 on the first nine digits.
    con.execute(
        """
        create or replace temp macro _nhs_check_digit(d) as (
            (11 - list_sum([(ascii(d[i]) - 48) * (11 - i) for i in range(1, 10)]) % 11) % 11
        )
        """
    )
    con.execute(
        r"""
        create or replace temp macro _nhs_number(v) as (
            case
                when length(v) between 10 and 12
                    and regexp_full_match(v, '\d{3}[ -]?\d{3}[ -]?\d{4}')
                then _nhs_check_digit(replace(replace(v, ' ', ''), '-', ''))
                    = ascii(replace(replace(v, ' ', ''), '-', '')[10]) - 48
                else false
            end
        )
        """
    )


# ---------------------------------------------------------------------------------------------
# Typing: text in the staging table -> contract types, in one pass


def _enum_keys(values: Sequence[str]) -> list[str]:
    return [normalise_header(v) for v in values]


_ENUM_KEY = "regexp_replace(lower({raw}), '[^a-z0-9+]', '', 'g')"
_WHOLE_NUMBER = (
    r"case when regexp_full_match({raw}, '[+-]?\d+(\.0*)?') "
    r"then try_cast(try_cast({raw} as double) as integer) "
    r"when regexp_full_match({raw}, '\d{{1,3}}(,\d{{3}})+') "
    r"then try_cast(replace({raw}, ',', '') as integer) end"
)


def _typed_expression(
    kind: str, column: Column, raw: str, params: dict[str, Any], banded: bool
) -> str:
    name = column.name
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
    if column.python_type is date:
        # The two usual forms first, each with one format: trying a list of formats on every
        # value is 30 times slower.
        return (
            f"case when regexp_full_match({raw}, $iso_date_shape) "
            f"then try_strptime({raw}, $iso_date_format)::date "
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


def _typed_view(con: duckdb.DuckDBPyConnection, work: _Work, params: dict[str, Any]) -> None:
    """A view of the staged rows as contract types, beside the text each came from.

    Read in full once, into the compact typed table `_checked`; the rows flagged there are
    read from it again with their text, to name every rule they break.
    """
    raw_parts, typed_parts = ["_row"], ["_row"]
    for column in columns(work.kind):
        position = work.positions.get(column.name)
        banded = column.name == "age_band" and position is None and work.age_position is not None
        if banded:
            position = work.age_position
        raw = f"raw_{column.name}"
        source = f"nullif(trim(c{position}), '')" if position is not None else "null::varchar"
        raw_parts.append(f"{source} as {raw}")
        typed = _typed_expression(work.kind, column, raw, params, banded)
        typed_parts += [f"({typed})::{column.sql_type} as {column.name}", raw]
    sql = f"""
        create temp view {work.table}_typed as
        select {", ".join(typed_parts)}
        from (select {", ".join(raw_parts)} from {work.staged.table})
    """  # noqa: S608
    con.execute(_with_variables(con, sql, params, work.table))


# ---------------------------------------------------------------------------------------------
# Rules: a condition over the typed view, the column it is about and a reason in words


@dataclass(frozen=True)
class _Rule:
    column: str  # as the user knows it
    condition: str
    reason: str  # a SQL expression: a bound parameter, or text built from the row's values
    value: str  # the SQL of the value to show: the column's text as written
    # A cheaper condition, true at least wherever `condition` is, run on every row.
    flag: str | None = None


def _range_reason(column: Column) -> str:
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f"must be from {low:g} to {high:g}"
    if low is not None:
        return f"must be {low:g} or more"
    return f"must be {high:g} or less"


def _column_rules(work: _Work, params: dict[str, Any]) -> list[_Rule]:
    def reason(text: str) -> str:
        key = f"reason_{len(params)}"
        params[key] = text
        return f"${key}"

    rules = []
    for column in columns(work.kind):
        name, raw = column.name, f"raw_{column.name}"
        banded = name == "age_band" and "age_band" not in work.positions
        label = "age" if banded and work.age_position is not None else name

        def rule(
            condition: str, text: str, flag: str | None = None, _label: str = label, _raw: str = raw
        ) -> _Rule:
            return _Rule(_label, condition, reason(text), _raw, flag)

        if column.required:
            rules.append(rule(f"{raw} is null", f"{label} is required but is empty"))
        if label == "age":
            rules.append(
                rule(
                    f"{raw} is not null and {name} is null",
                    f"age must be a whole number of years from 0 to {MAX_AGE}",
                )
            )
            continue
        if column.allowed:
            allowed = ", ".join(column.allowed)
            rules.append(
                rule(
                    f"{raw} is not null and {name} is null",
                    f"is not one of the allowed values: {allowed}",
                )
            )
        elif column.python_type is date:
            rules.append(
                rule(
                    f"{raw} is not null and not regexp_full_match({raw}, $date_shape)",
                    "is not a date: write dates as dd/mm/yyyy or yyyy-mm-dd "
                    "(month-first dates are not accepted)",
                    f"{raw} is not null and {name} is null",
                )
            )
            rules.append(
                rule(
                    f"{raw} is not null and regexp_full_match({raw}, $date_shape) "
                    f"and {name} is null",
                    "is not a real date (dates are read day first: dd/mm/yyyy)",
                    f"{raw} is not null and {name} is null",
                )
            )
            if name not in FUTURE_ALLOWED:
                rules.append(
                    rule(
                        f"{name} > $today",
                        f"is in the future (after today, {params['today']:%d/%m/%Y})",
                    )
                )
        elif column.python_type is int:
            rules.append(rule(f"{raw} is not null and {name} is null", "is not a whole number"))
        elif column.python_type is float:
            rules.append(rule(f"{raw} is not null and {name} is null", "is not a number"))
        if column.pattern:
            params[f"pattern_{name}"] = column.pattern
            example = f", for example {column.example}" if column.example else ""
            rules.append(
                rule(
                    f"{name} is not null and not regexp_full_match({name}, $pattern_{name})",
                    f"is not a valid {name} ({column.description}{example})",
                )
            )
        bounds = []
        if column.minimum is not None:
            params[f"min_{name}"] = column.minimum
            bounds.append(f"{name} < $min_{name}")
        if column.maximum is not None:
            params[f"max_{name}"] = column.maximum
            bounds.append(f"{name} > $max_{name}")
        if bounds:
            rules.append(rule(" or ".join(bounds), _range_reason(column)))
    return rules


def _kind_rules(kind: str, params: dict[str, Any]) -> list[_Rule]:
    if kind == "referrals":
        return [
            _Rule(
                name,
                f"{name} < referral_date",
                "'is before the referral date (' || strftime(referral_date, '%d/%m/%Y') || ')'",
                f"raw_{name}",
            )
            for name in ("first_contact_date", "end_date")
        ]
    if kind == "outcomes":
        params["measures"] = list(MEASURE_RANGE)
        params["measure_low"] = [float(low) for low, _ in MEASURE_RANGE.values()]
        params["measure_high"] = [float(high) for _, high in MEASURE_RANGE.values()]
        params["measure_domains"] = [list(MEASURE_DOMAINS[m]) for m in MEASURE_RANGE]
        at = "list_position($measures, measure)"
        rules = [
            _Rule(
                "domain",
                f"measure is not null and domain is not null "
                f"and not list_contains($measure_domains[{at}], domain)",
                f"'is not a domain of ' || measure || ' (one of: ' "
                f"|| array_to_string($measure_domains[{at}], ', ') || ')'",
                "raw_domain",
            )
        ]
        rules += [
            _Rule(
                name,
                f"{name} < $measure_low[{at}] or {name} > $measure_high[{at}]",
                f"printf('is outside %g-%g for %s', "
                f"$measure_low[{at}], $measure_high[{at}], measure)",
                f"raw_{name}",
            )
            for name in ("baseline_score", "followup_score")
        ]
        return rules
    if kind == "utilisation":
        params["comparison_reason"] = (
            "is required for the comparison cohort, which has no referral to take it from"
        )
        return [
            _Rule(
                name, f"cohort = 'comparison' and raw_{name} is null", "$comparison_reason", "null"
            )
            for name in ("pcn_code", "index_date")
        ]
    return []


def _duplicate_rule_sql(work: _Work) -> str:
    key = KINDS[work.kind].key
    keys = ", ".join(key)
    not_null = " and ".join(f"{k} is not null" for k in key)
    label = ", ".join(key)
    value = " || ' / ' || ".join(f"{k}::varchar" for k in key)
    return f"""
        select t._row, '{label}' as "column", {value} as value,
            printf('appears %d times in this file (rows %s); every copy is rejected because '
                || 'it is not clear which is right', copies.n,
                array_to_string(copies.rows[1:20], ', ')
                || case when copies.n > 20 then ', ...' else '' end) as reason
        from {work.table}_checked as t
        join (
            select {keys}, count(*) as n, list(_row order by _row) as rows
            from {work.table}_checked
            where {not_null}
            group by all
            having count(*) > 1
        ) as copies using ({keys})
    """  # noqa: S608


def _validate(con: duckdb.DuckDBPyConnection, work: _Work, today: date) -> None:
    params: dict[str, Any] = {
        "today": today,
        "date_shape": DATE_SHAPE,
        "date_formats": DATE_FORMATS,
        "iso_date_shape": r"\d{4}-\d{2}-\d{2}",
        "iso_date_format": "%Y-%m-%d",
        "uk_date_shape": r"\d{1,2}/\d{1,2}/\d{4}",
        "uk_date_format": "%d/%m/%Y",
    }
    t = work.table
    _typed_view(con, work, params)
    rules = _column_rules(work, params) + _kind_rules(work.kind, params)
    # One pass types every row and flags those that break any rule; naming each broken rule
    # then reads only the flagged rows again. Accepted rows are read from the typed table.
    names = ", ".join(c.name for c in columns(work.kind))
    checked = f"""
        create temp table {t}_checked as
        select _row, {names},
            coalesce({" or ".join(f"({rule.flag or rule.condition})" for rule in rules)}, false)
                as _suspect
        from {t}_typed
    """  # noqa: S608
    con.execute(checked, _bound(checked, params))
    con.execute(
        f"""
        create temp table {t}_suspect as
        select * from {t}_typed where _row in (select _row from {t}_checked where _suspect)
        """  # noqa: S608
    )
    selects = [
        f"""select _row, '{rule.column}' as "column", {rule.value} as value,
            {rule.reason} as reason
        from {t}_suspect where {rule.condition}"""  # noqa: S608
        for rule in rules
    ]
    selects.append(_duplicate_rule_sql(work))
    sql = " union all ".join(selects)
    con.execute(f"create temp table {t}_errors as {sql}", _bound(sql, params))
    malformed = work.staged.malformed
    if malformed:
        con.executemany(
            f"insert into {t}_errors values ($row, null, $value, $reason)",  # noqa: S608
            [{"row": row, "value": line, "reason": why} for row, line, why in malformed],
        )
    con.execute(
        f"""
        create temp view {t}_accepted as
        select * exclude (_suspect)
        from {t}_checked anti join (select distinct _row from {t}_errors) using (_row)
        """  # noqa: S608
    )
    report = work.report
    report.rows_read = work.staged.rows + len(malformed)
    report.rejected = con.execute(
        f"select count(distinct _row) from {t}_errors"  # noqa: S608
    ).fetchall()[0][0]
    report.accepted = report.rows_read - report.rejected
    if work.practices:
        _count_practices(con, work)
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


def _rejected_rows(con: duckdb.DuckDBPyConnection, work: _Work) -> pd.DataFrame:
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


# ---------------------------------------------------------------------------------------------
# After the upserts: rows that point at nothing, and oddities that load with a warning


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


def _warnings(con: duckdb.DuckDBPyConnection, work: _Work) -> None:
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


# ---------------------------------------------------------------------------------------------
# NHS Digital GP registration files -> pcns


def _gp_pcns(con: duckdb.DuckDBPyConnection, mapping: _Work, sizes: _Work) -> None:
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


def _count_practices(con: duckdb.DuckDBPyConnection, work: _Work) -> None:
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


# ---------------------------------------------------------------------------------------------
# The load


def _prepare(
    con: duckdb.DuckDBPyConnection, extract: Extract, index: int, max_bytes: int
) -> tuple[_Work, str | None]:
    """Stage one file, find its kind and columns; refusals are recorded on its report."""
    kind = extract.kind if extract.kind not in (None, "auto") else None
    work = _Work(report=Report(file=extract.name, kind=kind), table=f"_load_{index}")
    try:
        work.staged = stage(con, extract.path, extract.name, f"_stage_{index}", max_bytes)
        work.report.notices += work.staged.notices
        gp_part = gp_registration_part(work.staged.headers)
        if gp_part and kind not in (None, "pcns"):
            gp_part = None
        _refuse_identifiers(con, work, gp_file=gp_part is not None)
        if gp_part:
            work.kind = work.report.kind = "pcns"
            return work, gp_part
        work.kind = kind or detect_kind(work.staged.headers)
        if work.kind is None:
            raise Refused(_unrecognised(extract.name, work.staged.headers))
        if work.kind not in KINDS:
            raise Refused(f"{work.kind!r} is not an extract kind: use one of {', '.join(KINDS)}.")
        work.report.kind = work.kind
        _map_columns(work)
    except Refused as refusal:
        work.report.refused = str(refusal)
    return work, None


def _unrecognised(name: str, headers: Sequence[str]) -> str:
    nearest = max(KINDS, key=lambda kind: len(column_positions(kind, headers)))
    missing = [
        c.name
        for c in columns(nearest)
        if c.required and c.name not in column_positions(nearest, headers)
    ]
    return (
        f"{name} is not recognised as any extract kind from its headers. The nearest is "
        f"{nearest}, which also needs: {', '.join(missing)}. Choose the kind by hand, or "
        "rename the headers (see the data dictionary)."
    )


def _map_columns(work: _Work) -> None:
    headers = work.staged.headers
    work.positions = column_positions(work.kind, headers)
    work.age_position = _age_position(work.kind, headers, work.positions)
    if not work.positions and work.age_position is None:
        shown = ", ".join(f"'{h}'" for h in headers[:5]) + (", ..." if len(headers) > 5 else "")
        raise Refused(
            f"{work.report.file} is not a table of {work.kind}: none of its headers ({shown}) "
            "names a column of the extract. The first row must be the header row."
        )
    missing = [
        c.name
        for c in columns(work.kind)
        if c.required
        and c.name not in work.positions
        and not (c.name == "age_band" and work.age_position is not None)
    ]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise Refused(
            f"{work.report.file} has no {', '.join(missing)} column{plural}, required for "
            f"{work.kind}. Headers may be the canonical names or their aliases (see the data "
            "dictionary)."
        )
    used = set(work.positions.values()) | {work.age_position}
    ignored = [h for i, h in enumerate(headers) if i not in used and h]
    if ignored:
        work.report.notices.append(
            f"{work.report.file}: columns not in the {work.kind} contract were ignored: "
            + ", ".join(ignored)
        )
    if work.age_position is not None:
        work.report.notices.append(
            f"{work.report.file}: '{headers[work.age_position]}' was banded into age_band; "
            "the age itself is not stored."
        )


def _pair_gp_files(con: duckdb.DuckDBPyConnection, parts: list[tuple[_Work, str]]) -> list[_Work]:
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
    _gp_pcns(con, mapping, size)
    return [mapping, *mappings[1:], *sizes[1:]]


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
) -> list[Report]:
    """Validate extracts and, when `commit`, load them all in one transaction.

    Nothing is written when any file is refused, or when `strict` and any row is rejected:
    the transaction is rolled back and the reports say so (`loaded` false). With
    `commit=False` the same work is done and rolled back: a preview that is exactly the load.
    """
    today = today or date.today()
    max_bytes = max_bytes or load_settings().load.max_bytes
    say = progress or (lambda message: None)
    cursor = con.cursor()
    try:
        # Staging and validation use temporary tables only; the database file is untouched
        # until the transaction below, which holds every write.
        _create_macros(cursor)
        prepared = []
        for index, extract in enumerate(extracts):
            say(f"Reading {extract.name} ...")
            prepared.append(_prepare(cursor, extract, index, max_bytes))
        gp_parts = [(work, part) for work, part in prepared if part and not work.report.refused]
        units = [work for work, part in prepared if not part or work.report.refused]
        units += _pair_gp_files(cursor, gp_parts)
        runnable = sorted(
            (w for w in units if not w.report.refused), key=lambda w: KIND_ORDER.index(w.kind)
        )
        for work in runnable:
            say(f"Validating {work.report.file} as {work.kind} ...")
            _validate(cursor, work, today)
        cursor.execute("begin transaction")
        for work in runnable:
            say(f"Writing {work.report.accepted:,} rows of {work.report.file} ...")
            store.upsert_from(cursor, work.kind, f"{work.table}_accepted")
        for work in runnable:
            _warnings(cursor, work)
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
