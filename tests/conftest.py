from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dashboard.data import store
from dashboard.devtools import demo

# Browser tests skip where chromium is missing, unless CI demands them.
REQUIRE_BROWSER = os.environ.get("SP_REQUIRE_BROWSER") == "1"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_path: Path):
    """An empty database with the schema, for hand-computed query tests."""
    connection = store.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default synthetic ICB, built once per test run. Treat it as read-only."""
    path = tmp_path_factory.mktemp("synthetic") / "dashboard.duckdb"
    demo.build(path)
    return path


@pytest.fixture(scope="session")
def app_db(synthetic_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the synthetic database for the dashboard (which publishes snapshots beside it)."""
    path = tmp_path_factory.mktemp("app") / "dashboard.duckdb"
    shutil.copy(synthetic_db, path)
    return path
