"""Runs the named queries in `queries/*.sql` with bound parameters.

Every query file opens with a header comment in one form, which `header_parameters` reads:

    -- <name>: what the query answers (any number of lines)
    -- grain: what one row is
    -- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB)
    --   continuation lines start with "--" and two or more spaces

`-- parameters: none.` for a query without any. The formulas several queries share are macros
(`queries/shared/macros.sql`), created with the database's schema (dashboard.data.derived).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_PARAMETERS_LINE = "-- parameters:"


@cache
def sql(name: str) -> str:
    """The text of the named query; names are file stems in `queries/`, never user text."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERY_DIR}")
    return path.read_text(encoding="utf-8")


def names() -> list[str]:
    """Every named query, sorted."""
    return sorted(path.stem for path in QUERY_DIR.glob("*.sql"))


def body_parameters(text: str) -> frozenset[str]:
    """The `$named` parameters SQL text uses; comments do not count."""
    return frozenset(_PARAMETER.findall(_COMMENT.sub("", text)))


@cache
def parameters(name: str) -> frozenset[str]:
    """The `$named` parameters the query uses (its header comment does not count)."""
    return body_parameters(sql(name))


def header(text: str) -> list[str]:
    """The header comment: the lines starting with `--` before the first that does not."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return lines


def header_parameters(text: str) -> frozenset[str]:
    """The parameters a header comment names: its last section, `-- parameters: $a, $b ...`
    (continued on lines indented by two or more spaces) or `-- parameters: none.`.

    Raises ValueError for a header not in that form."""
    lines = header(text)
    starts = [i for i, line in enumerate(lines) if line.startswith(_PARAMETERS_LINE)]
    if len(starts) != 1:
        raise ValueError(f"the header needs one {_PARAMETERS_LINE!r} line, not {len(starts)}")
    section = lines[starts[0] :]
    if not all(line.startswith("--  ") for line in section[1:]):
        raise ValueError(
            f"the {_PARAMETERS_LINE!r} section must end the header (continuation lines start "
            "with '--' and two spaces)"
        )
    named = " ".join(line.removeprefix("--").strip() for line in section)
    named = named.removeprefix(_PARAMETERS_LINE.removeprefix("--").strip()).strip()
    if named == "none.":
        return frozenset()
    found = frozenset(_PARAMETER.findall(named))
    if not found:
        raise ValueError(f"{_PARAMETERS_LINE!r} names no $parameter; write 'none.' for none")
    return found


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


def runner(con: duckdb.DuckDBPyConnection) -> Callable[[str, Mapping[str, Any]], pd.DataFrame]:
    """A `run(name, params)` on `con` that runs each query once per distinct parameters, as a
    page does through its cache: the board pack and `summary --json` draw many views from the
    same few queries. Each caller gets its own copy of the result."""
    results: dict[tuple[str, str], pd.DataFrame] = {}

    def memoised(name: str, params: Mapping[str, Any]) -> pd.DataFrame:
        bound = {k: params[k] for k in sorted(parameters(name)) if k in params}
        key = (name, json.dumps(bound, default=str))
        if key not in results:
            results[key] = run(con, name, params)
        return results[key].copy()

    return memoised
