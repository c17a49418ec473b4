"""The dashboard's connection to its database, and cached query results."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard.data import store
from dashboard.measures import queries
from dashboard.measures.filters import Filters
from dashboard.output import report
from dashboard.output.boardpack import Pack


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # One connection per process; every query takes its own cursor, so threads never share one.
    return store.connect(Path(path))


def connection() -> duckdb.DuckDBPyConnection:
    return _connection(str(store.resolve_db_path()))


def data_version() -> int:
    return store.data_version(connection())


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(path: str, version: int, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    return queries.run(_connection(path), name, params)


def query(name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """A named query's result, cached by its parameters and the data version."""
    path = str(store.resolve_db_path())
    return _cached(path, store.data_version(_connection(path)), name, dict(params or {}))


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_pack(path: str, version: int, filters: Filters) -> Pack:
    cursor = _connection(path).cursor()
    try:
        return report.build_pack(cursor, filters)
    finally:
        cursor.close()


def board_pack(filters: Filters) -> Pack:
    """The board pack's content for the filter, cached by filter and data version."""
    path = str(store.resolve_db_path())
    return _cached_pack(path, store.data_version(_connection(path)), filters)
