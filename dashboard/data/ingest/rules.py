"""Rules: what a row must be to load, each a SQL condition and a reason in words.

Three sorts, checked in this order by `validate`:
- row rules (`row_rules`): a condition on one row of the typed view `<table>_typed`;
- file rules (`file_rules`): rows of the file compared with each other (`<table>_checked`):
  keys given twice, a person's before and after windows of different lengths;
- stored rules (`stored_rules`): rows compared with what the database holds once the file's
  other accepted rows are written, so they read the file's rejections (`<table>_errors`).
Every query yields `_row, "column", value, reason`. Reasons are bound parameters or text built
from the row's own values; the contract's values are bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboard.data.contract import KINDS, MEASURE_DOMAINS, MEASURE_RANGE, Column, columns
from dashboard.data.ingest.mapping import date_example
from dashboard.data.ingest.typed import MAX_AGE
from dashboard.data.ingest.work import Work

# Dates that may lie ahead; every other date in the future rejects its row.
FUTURE_ALLOWED = frozenset({"funding_end_date"})


@dataclass(frozen=True)
class Rule:
    """A row rule: a condition over the typed view, the column it is about and its reason."""

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


def _column_rules(work: Work, params: dict[str, Any]) -> list[Rule]:
    def reason(text: str) -> str:
        key = f"reason_{len(params)}"
        params[key] = text
        return f"${key}"

    rules = []
    mapping = work.mapping
    date_format = mapping.date_format if mapping else None
    for column in columns(work.kind):
        name, raw = column.name, f"raw_{column.name}"
        banded = name == "age_band" and "age_band" not in work.positions
        label = "age" if banded and work.age_position is not None else name

        def rule(
            condition: str, text: str, flag: str | None = None, _label: str = label, _raw: str = raw
        ) -> Rule:
            return Rule(_label, condition, reason(text), _raw, flag)

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
            # A code the mapping does not know: next month's new code, to add to the mapping.
            unmapped = f", and the mapping '{mapping.name}' does not map it" if mapping else ""
            rules.append(
                rule(
                    f"{raw} is not null and {name} is null",
                    f"is not one of the allowed values: {allowed}{unmapped}",
                )
            )
        elif column.python_type is date and date_format:
            rules.append(
                rule(
                    f"{raw} is not null and {name} is null",
                    f"is not a date as the mapping '{mapping.name}' writes them "
                    f"({date_format}, for example {date_example(date_format)}) or yyyy-mm-dd",
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
        if column.python_type is date and name not in FUTURE_ALLOWED:
            rules.append(
                rule(
                    f"{name} > $today",
                    f"is in the future (after today, {params['today']:%d/%m/%Y})",
                )
            )
        if column.python_type is int:
            rules.append(rule(f"{raw} is not null and {name} is null", "is not a whole number"))
        if column.python_type is float:
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


def _kind_rules(kind: str, params: dict[str, Any]) -> list[Rule]:
    if kind == "referrals":
        return [
            Rule(
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
            Rule(
                "domain",
                f"measure is not null and domain is not null "
                f"and not list_contains($measure_domains[{at}], domain)",
                f"'is not a domain of ' || measure || ' (one of: ' "
                f"|| array_to_string($measure_domains[{at}], ', ') || ')'",
                "raw_domain",
            )
        ]
        rules += [
            Rule(
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
            Rule(
                name, f"cohort = 'comparison' and raw_{name} is null", "$comparison_reason", "null"
            )
            for name in ("pcn_code", "index_date")
        ]
    return []


def row_rules(work: Work, params: dict[str, Any]) -> list[Rule]:
    """The rules each row of the kind must meet on its own; their values go into `params`."""
    return _column_rules(work, params) + _kind_rules(work.kind, params)


# ---------------------------------------------------------------------------------------------
# File rules: rows compared with each other


def _duplicate_rule_sql(work: Work) -> str:
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
            -- the rows of the repeated keys only: a list of rows for every key costs more
            -- than the counting itself
            select {keys}, count(*) as n, list(_row order by _row) as rows
            from {work.table}_checked
            semi join (
                select {keys} from {work.table}_checked
                where {not_null}
                group by all
                having count(*) > 1
            ) as repeated using ({keys})
            group by all
        ) as copies using ({keys})
    """  # noqa: S608


# Utilisation pairs a person's before and after counts per setting and cohort (see
# dashboard.data.derived), and a change is only a change when both windows are equally long.
_WINDOWS_DIFFER = (
    "before window %s months and after window %s months differ for this person and setting"
)
# The other period is stored: from an earlier load, or from a file before this one in the load.
_STORED_AFTER_DIFFERS = (
    "before window %s months and after window %s months (already in the database or earlier "
    "in this load) differ for this person and setting; to change the window, load both "
    "periods again with the same window"
)
_STORED_BEFORE_DIFFERS = (
    "before window %s months (already in the database or earlier in this load) and after "
    "window %s months differ for this person and setting; to change the window, load both "
    "periods again with the same window"
)


def _window_rule_sql(work: Work, params: dict[str, Any]) -> str:
    """Every row of a person and setting whose before and after windows in this file differ."""
    params["windows_differ"] = _WINDOWS_DIFFER
    windows = {
        period: f"array_to_string(list_sort(list_distinct(list(window_months) "
        f"filter (where period = '{period}'))), ' or ')"
        for period in ("before", "after")
    }
    return f"""
        select t._row, 'window_months' as "column", t.window_months::varchar as value,
            printf($windows_differ, windows.before, windows.after) as reason
        from {work.table}_checked as t
        join (
            select person_id, cohort, setting,
                {windows["before"]} as before, {windows["after"]} as after
            from {work.table}_checked
            where window_months is not null and period is not null
            group by person_id, cohort, setting
            having count(distinct window_months) > 1 and count(distinct period) = 2
        ) as windows using (person_id, cohort, setting)
    """  # noqa: S608


def file_rules(work: Work, params: dict[str, Any]) -> list[str]:
    """Queries over `<table>_checked` naming the rows that conflict with other rows."""
    rules = [_duplicate_rule_sql(work)]
    if work.kind == "utilisation":
        rules.append(_window_rule_sql(work, params))
    return rules


# ---------------------------------------------------------------------------------------------
# Stored rules: rows compared with the database


def _stored_window_rule_sql(work: Work, params: dict[str, Any]) -> str:
    """Rows whose window differs from the other period's, stored for the person and setting.

    A stored row that an accepted row of this file replaces (same person, setting and period)
    is no conflict: the file's row is written instead, and the file rules compare the two.
    """
    params["stored_after_differs"] = _STORED_AFTER_DIFFERS
    params["stored_before_differs"] = _STORED_BEFORE_DIFFERS
    t = work.table
    return f"""
        with replaced as (
            select person_id, setting, period
            from {t}_checked anti join (select distinct _row from {t}_errors) using (_row)
        )
        select f._row, 'window_months' as "column", f.window_months::varchar as value,
            case when f.period = 'before'
                then printf(
                    $stored_after_differs, f.window_months::varchar, s.window_months::varchar
                )
                else printf(
                    $stored_before_differs, s.window_months::varchar, f.window_months::varchar
                )
            end as reason
        from {t}_checked as f
        join main.utilisation as s
            on s.person_id = f.person_id and s.setting = f.setting and s.cohort = f.cohort
            and s.period <> f.period and s.window_months <> f.window_months
        anti join replaced as r
            on r.person_id = s.person_id and r.setting = s.setting and r.period = s.period
    """  # noqa: S608


def stored_rules(work: Work, params: dict[str, Any]) -> list[str]:
    """Queries naming the rows that conflict with the database; they read `<table>_errors`."""
    if work.kind == "utilisation":
        return [_stored_window_rule_sql(work, params)]
    return []
