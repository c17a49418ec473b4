"""A new analyst maps a source system's export in a real browser, and loads it."""

from __future__ import annotations

import pytest

from dashboard.data import mappings, store
from dashboard.devtools.browser import serve
from tests.test_mapping_page import APRIL

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    """`streamlit run` on an empty database of its own."""
    db = tmp_path / "dashboard.duckdb"
    store.connect(db).close()
    try:
        process, url = serve(db, tmp_path / "streamlit.log")
    except RuntimeError as error:
        pytest.fail(str(error))
    yield url, db
    process.terminate()
    process.wait(timeout=20)


def _settled(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60_000
    )


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a select box as a person does: open it, type, choose."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    _settled(page)


def _expect_rows(page, accept: str, reject: str) -> None:
    from playwright.sync_api import expect

    for label, value in (("Rows to accept", accept), ("Rows to reject", reject)):
        metric = page.get_by_test_id("stMetric").filter(has_text=label)
        expect(metric.get_by_test_id("stMetricValue")).to_have_text(value)


def test_an_export_is_mapped_saved_and_loaded_in_the_browser(browser, server, tmp_path):
    from playwright.sync_api import expect

    url, db = server
    export = tmp_path / "april.csv"
    export.write_text(APRIL, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/data")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible(timeout=60_000)
    _settled(page)

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(export))
    _settled(page)

    # Refused for its headers, the file opens the mapping step with its guesses.
    expect(page.get_by_text("Mapping for april.csv")).to_be_visible()
    expect(page.get_by_text("Not mapped: these rows will be rejected")).to_be_visible()
    _expect_rows(page, accept="4", reject="1")
    load = page.get_by_role("button", name="Load 1 file")
    expect(load).to_be_enabled()

    _choose(page, "'Pharmacy drop-in' (1 row)", "other_clinician")
    _expect_rows(page, accept="5", reject="0")
    name = page.get_by_label("Mapping name", exact=True)
    name.fill("Case system monthly export")
    name.press("Enter")
    _settled(page)
    page.get_by_role("button", name="Save mapping 'Case system monthly export'").click()
    _settled(page)
    expect(page.get_by_text("Saved 'Case system monthly export'")).to_be_visible()
    assert [m.name for m in mappings.saved(db)] == ["Case system monthly export"]

    page.get_by_role("button", name="Load 1 file").click()
    _settled(page)

    expect(page.get_by_text("Loaded 5 rows from 1 file; 0 rejected.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.close()
    with store.open_db(db, read_only=True) as con:
        assert con.execute(
            "select count(*), count(*) filter (where status = 'completed') from referrals"
        ).fetchone() == (5, 2)
