"""End to end in a real browser: Debian's chromium, driven by Playwright, on `streamlit run`."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.data import store

PAGES = {
    "": "Social prescribing overview",
    "referrals": "Referrals",
    "outcomes": "Outcomes",
    "utilisation": "Health-system utilisation",
    "capacity": "VCSE capacity",
    "data": "Data",
}

pytestmark = pytest.mark.browser


def _settled(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60_000
    )


@pytest.mark.parametrize("path", list(PAGES))
def test_page_shows_a_chart_and_no_error_in_the_browser(browser, server, path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{path}")
    expect(page.get_by_role("heading", name=PAGES[path], exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)
    _settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    page.close()


def test_shared_link_opens_with_the_pcn_selected(browser, server, synthetic_db):
    from playwright.sync_api import expect

    with store.open_db(synthetic_db, read_only=True) as con:
        code, name = con.execute(
            "select pcn_code, pcn_name from pcns order by 1 limit 1"
        ).fetchone()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/referrals?pcn={code}")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"{name} ({code})")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)
    _settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # The filter stays in the URL when moving to another page.
    page.get_by_test_id("stSidebarNav").get_by_text("Outcomes").click()
    expect(page).to_have_url(f"{server}/outcomes?pcn={code}", timeout=60_000)
    page.close()


def test_board_pack_downloads_from_the_overview(browser, server, tmp_path):
    from playwright.sync_api import expect
    from pptx import Presentation

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(server)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Board pack (PowerPoint)")
    expect(button).to_be_visible(timeout=60_000)
    _settled(page)
    with page.expect_download(timeout=120_000) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".pptx"
    deck = Presentation(str(saved))
    assert deck.slides[0].shapes.title.text == "Social prescribing: board report"
    assert len(deck.slides) >= 6
    page.close()


def test_chart_data_downloads_as_csv_rounded_for_export(browser, server, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{server}/referrals")
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download the data (CSV)")
    expect(button.first).to_be_visible(timeout=60_000)
    _settled(page)
    with page.expect_download(timeout=60_000) as download:
        button.first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert len(rows) > 25 and {"pcn_code", "pcn_name", "referrals"} <= set(rows[0])
    assert all(r["referrals"] == "*" or int(float(r["referrals"])) % 5 == 0 for r in rows)
    page.close()
