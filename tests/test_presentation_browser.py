"""Presentation mode in a real browser: every slide fits a projector's screen without
scrolling, and says its headline once."""

from __future__ import annotations

import pytest

from dashboard.data import store
from dashboard.devtools.bench.redraw import DRAWN
from dashboard.output import report, summary

pytestmark = pytest.mark.browser

SCREENS = [(1280, 720), (1440, 900)]
TOLERANCE = 4  # pixels of rounding between the page's height and the window's
# Streamlit scrolls its main area, not the document: a slide that overflows makes stMain
# taller than the window while the document stays the window's height.
SCROLL_HEIGHT = """Math.max(document.documentElement.scrollHeight,
    document.querySelector('[data-testid="stMain"]').scrollHeight)"""
# A slide may be taller for a moment while its chart and text settle (seen on a loaded
# machine); what a meeting sees is the settled slide, so it has this long to fit.
SETTLE_MS = 5_000


@pytest.fixture(scope="module")
def headlines(synthetic_db) -> list[tuple[str, bool]]:
    """Each slide's headline, and whether it has a chart, as the default page shows them."""
    with store.open_db(synthetic_db, read_only=True) as con:
        pack = report.build_pack(con, summary.resolve_filters(con))
    return [(pack.title, False)] + [(s.title, s.figure is not None) for s in pack.slides]


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_slide_fits_the_screen_and_says_its_headline_once(
    browser, server, headlines, width, height
):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server}/present?slide=1")
    for number, (headline, has_chart) in enumerate(headlines, start=1):
        if number > 1:  # on to the next slide as a presenter does, not by loading its address
            page.get_by_test_id("stMain").get_by_role("button", name="Next").click()
            page.get_by_text(f"slide {number} of {len(headlines)}").wait_for(timeout=60_000)
        heading = page.get_by_role("heading", name=headline, exact=True)
        expect(heading).to_be_visible(timeout=60_000)
        if has_chart:
            expect(page.locator(".main-svg").first).to_be_visible(timeout=60_000)
        page.wait_for_function(DRAWN, timeout=60_000)
        try:
            page.wait_for_function(
                f"({SCROLL_HEIGHT}) <= {height + TOLERANCE}", timeout=SETTLE_MS, polling="raf"
            )
        except PlaywrightTimeout:
            pass  # measured below, where the assertion says how tall it stayed
        tall = page.evaluate(SCROLL_HEIGHT)
        assert tall <= height + TOLERANCE, f"slide {number} ({headline!r}) is {tall} px tall"
        said = page.evaluate("document.body.innerText").count(headline)
        assert said == 1, f"slide {number} says {headline!r} {said} times"
    page.close()
