"""Bound parameters: every value a statement uses reaches DuckDB as a `$name`, never as text."""

from __future__ import annotations

import re
from typing import Any

import duckdb

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


def bound(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names: DuckDB refuses any others."""
    return {name: params[name] for name in set(_PARAMETER.findall(sql))}


def with_variables(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], prefix: str
) -> str:
    """The statement with its $parameters read from session variables, for a view.

    A view cannot hold prepared parameters; each value is bound into a variable instead
    (and `getvariable` is folded to a constant, so patterns still compile once).
    """
    for name in set(_PARAMETER.findall(sql)):
        con.execute(f"set variable {prefix}_{name} = $value", {"value": params[name]})
    return _PARAMETER.sub(lambda match: f"getvariable('{prefix}_{match.group(1)}')", sql)
