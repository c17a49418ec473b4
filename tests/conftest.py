from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import store
from dashboard.devtools import demo
from dashboard.devtools.browser import CHROMIUM, CHROMIUM_ARGS, serve

# Browser tests skip where chromium is missing, unless CI demands them.
REQUIRE_BROWSER = os.environ.get("SP_REQUIRE_BROWSER") == "1"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def data_page(db_path, monkeypatch):
    """The Data page of the app over an empty database, as an analyst sees it."""
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    store.connect(db_path).close()
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.run()
    at.switch_page("views/data.py")
    return at.run()


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


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (make install)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _browser_missing()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"SP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(synthetic_db, tmp_path_factory):
    """`streamlit run` on a free port, on its own copy of the synthetic database: its URL."""
    db = tmp_path_factory.mktemp("browser") / "dashboard.duckdb"
    shutil.copy(synthetic_db, db)
    try:
        process, url = serve(db, tmp_path_factory.mktemp("browser-log") / "streamlit.log")
    except RuntimeError as error:
        pytest.fail(str(error))
    yield url
    process.terminate()
    process.wait(timeout=20)


# The synthetic ICB's PCNs, and the one the access tests give a pcn user.
@pytest.fixture(scope="session")
def icb(synthetic_db) -> dict[str, str]:
    with store.open_db(synthetic_db, read_only=True) as con:
        return dict(con.execute("select pcn_code, pcn_name from pcns order by pcn_code").fetchall())


@pytest.fixture(scope="session")
def own(icb) -> str:
    return next(iter(icb))
