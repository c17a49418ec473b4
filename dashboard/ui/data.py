"""The dashboard's connection to its data, and cached query results.

The dashboard reads the current published snapshot (dashboard.data.snapshots), read-only, so
loads from the command line or another process never stop it. Each rerun pins one snapshot
(`pin`, called by the router before the page runs), so a page never mixes two; `watch` notices
a newer one within seconds and reruns the app onto it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from dashboard.data import snapshots, store
from dashboard.measures import queries
from dashboard.measures.filters import Filters
from dashboard.measures.scope import EVERY_PCN, Scope, masked
from dashboard.output import report
from dashboard.output.boardpack import Pack

Result = TypeVar("Result")

_PINNED = "_snapshot"
_SCOPE = "_scope"
WATCH_SECONDS = 3


@st.cache_resource(show_spinner=False)
def _connection(snapshot: str) -> duckdb.DuckDBPyConnection:
    # One connection per snapshot per process; every query takes its own cursor.
    return store.open_snapshot(Path(snapshot))


def _latest() -> str:
    return str(store.published(store.resolve_db_path()))


def pin() -> None:
    """Pin this rerun to the current snapshot; drop the cached results of an older one."""
    latest = _latest()
    if st.session_state.get(_PINNED) not in (None, latest):
        st.cache_data.clear()
    st.session_state[_PINNED] = latest


def pinned() -> str:
    return st.session_state.get(_PINNED) or _latest()


@st.fragment(run_every=WATCH_SECONDS)
def watch() -> None:
    """Rerun the app when a load has published a newer snapshot."""
    current = snapshots.current(store.resolve_db_path())
    if current and str(current.path(store.resolve_db_path())) != st.session_state.get(_PINNED):
        st.rerun()


def connection() -> duckdb.DuckDBPyConnection:
    """The pinned snapshot, read-only."""
    return _connection(pinned())


def data_version() -> int:
    return store.data_version(connection())


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(snapshot: str, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    return queries.run(_connection(snapshot), name, params)


def set_scope(chosen: Scope) -> None:
    """The PCNs this session sees by name (dashboard.ui.access sets it before any page)."""
    st.session_state[_SCOPE] = chosen


def scope() -> Scope:
    return st.session_state.get(_SCOPE, EVERY_PCN)


def _runner(snapshot: str) -> Callable[[str, Mapping[str, Any]], pd.DataFrame]:
    def run(name: str, params: Mapping[str, Any]) -> pd.DataFrame:
        # Cached by the parameters the query names only: a query that takes no `$pcns` (its
        # rows are per PCN, and the view picks the chosen ones) is not run again for a PCN.
        named = queries.parameters(name)
        return _cached(
            snapshot, name, {key: value for key, value in params.items() if key in named}
        )

    return run


def query(name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """A named query's result on the pinned snapshot, cached by snapshot and parameters, and
    masked to the session's scope: a `pcn` user's results name no other PCN."""
    return masked(_runner(pinned()), scope())(name, params or {})


@st.cache_resource(show_spinner=False, max_entries=512)
def _built(
    snapshot: str,
    named: frozenset[str] | None,
    maker_name: str,
    args: tuple,
    _maker: Callable[..., Result],
) -> Result:
    run = masked(_runner(snapshot), Scope(named))
    return _maker(run, *args)


def _name(maker: Callable[..., Any]) -> str:
    return f"{maker.__module__}.{maker.__qualname__}"


def built(maker: Callable[..., Result], *args: Any) -> Result:
    """`maker(query, *args)`: a measures function's result (a view with its figure, tiles, a
    table) on the pinned snapshot and the session's scope, made once and shared by every
    session that asks for the same. A person coming back to a PCN, a tab or a page, or
    opening the dashboard where a colleague has, waits for nothing to be worked out again.

    Shared, not copied: what comes back is read, never changed. A new snapshot or another
    scope is another entry, so a pcn user never sees a result made for anyone else."""
    return _built(pinned(), scope().named, _name(maker), args, maker)


# A page's views are made side by side, two at a time: most of a view's time is DuckDB's, which
# runs outside Python's lock, so one view's queries overlap another's Python (Overview at 1M:
# 0.28 -> 0.25 s; three at a time gained nothing more on 2 cores).
_VIEW_MAKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="views")


def built_together(*calls: tuple[Callable[..., Any], ...]) -> list[Any]:
    """`built(maker, *args)` for each `(maker, *args)` in `calls`, made side by side; the
    results in the order asked. For a page that draws them all."""
    key = (pinned(), scope().named)
    made = [
        _VIEW_MAKERS.submit(_built, *key, _name(maker), tuple(args), maker)
        for maker, *args in calls
    ]
    return [future.result() for future in made]


def clear_views() -> None:
    """Forget every view and board pack made (the benchmark times pages as after a load)."""
    _built.clear()
    _front_sheet.clear()
    _pack.clear()


# Board packs are made one at a time, off the script thread: presentation mode shows the front
# sheet at once and the slides are made behind it, while the presenter introduces the paper.
_PACK_MAKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="board-pack")


def _made(
    make: Callable[..., Pack], snapshot: str, filters: Filters, named: frozenset[str] | None
) -> Pack:
    # Its queries through the pages' cache: after the pages, a pack runs few of its own.
    cursor = _connection(snapshot).cursor()
    try:
        return make(cursor, filters, Scope(named), run=_runner(snapshot))
    finally:
        cursor.close()


@st.cache_resource(show_spinner=False, max_entries=32)
def _pack(snapshot: str, filters: Filters, named: frozenset[str] | None) -> Future[Pack]:
    return _PACK_MAKER.submit(_made, report.build_pack, snapshot, filters, named)


@st.cache_resource(show_spinner=False, max_entries=32)
def _front_sheet(snapshot: str, filters: Filters, named: frozenset[str] | None) -> Pack:
    return _made(report.front_sheet, snapshot, filters, named)


def front_sheet(filters: Filters) -> Pack:
    """The board pack's front sheet for the filter and scope (a pack without slides), and the
    whole pack started in the background, so that its slides are ready or nearly when asked
    for (`board_pack`)."""
    key = (pinned(), filters, scope().named)
    _pack(*key)
    return _front_sheet(*key)


def board_pack(filters: Filters) -> Pack:
    """The board pack's content for the filter and scope, cached by snapshot and filter, and
    shared like `built`'s views (presentation mode copies a slide's figure to draw it). Waits
    for a pack being made; a pack that failed is forgotten, so the next run tries again."""
    return board_pack_later(filters)()


def board_pack_later(filters: Filters) -> Callable[[], Pack]:
    """`board_pack(filters)` to call later, outside this script run (a download's click): the
    same shared pack presentation mode shows, bound now to this run's snapshot and scope."""
    key = (pinned(), filters, scope().named)

    def waited() -> Pack:
        try:
            return _pack(*key).result()
        except Exception:
            _pack.clear(*key)
            raise

    return waited
