"""Runs the named queries in `queries/*.sql` with bound parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def sql(name: str) -> str:
    """The text of the named query; names are file stems in `queries/`, never user text."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERY_DIR}")
    return path.read_text(encoding="utf-8")


@cache
def parameters(name: str) -> frozenset[str]:
    """The `$named` parameters the query uses (its header comment does not count)."""
    return frozenset(_PARAMETER.findall(_COMMENT.sub("", sql(name))))


def run(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Run a named query on its own cursor, binding just the parameters it names."""
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"query {name!r} needs parameters {sorted(missing)}")
    cursor = con.cursor()
    try:
        return cursor.execute(sql(name), {k: params[k] for k in wanted}).df()
    finally:
        cursor.close()
