"""The benchmark in a browser: from a PCN picked in the sidebar until the page has redrawn."""

from __future__ import annotations

import statistics
from pathlib import Path

from dashboard.devtools.browser import CHROMIUM, CHROMIUM_ARGS, serve

# Page name -> URL path of the pages timed; the others redraw the same way.
BROWSER_PAGES = {"overview": "", "referrals": "referrals", "capacity": "capacity"}

# Records, in the page, when Enter picks the PCN and when the rerun it starts has finished
# (the app's script state goes to running, then back to notRunning, then a frame is painted).
_WATCH_REDRAW = """
() => {
  window.__picked = null; window.__redrawn = null;
  const app = document.querySelector('[data-testid="stApp"]');
  let running = false;
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && window.__picked === null) window.__picked = performance.now();
  }, {capture: true});
  new MutationObserver((changes, observer) => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running') running = true;
    if (running && state === 'notRunning') {
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        window.__redrawn = performance.now();
      }));
    }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""


def time_browser(db: Path, pcns: list[str], runs: int, folder: Path) -> dict[str, float]:
    """Median seconds from picking a PCN in the sidebar to the page redrawn, per page.

    Each run picks a different PCN, so no run is served from an earlier run's cache.
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"--browser needs chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    process, url = serve(db, folder / "streamlit.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            timings = {}
            picks = iter(pcns * (len(BROWSER_PAGES) * runs))
            for name, path in BROWSER_PAGES.items():
                samples = []
                for _ in range(runs):
                    code = next(picks)
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.goto(f"{url}/{path}")
                    app = page.get_by_test_id("stApp")
                    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(
                        timeout=300_000
                    )
                    expect(app).to_have_attribute(
                        "data-test-script-state", "notRunning", timeout=300_000
                    )
                    page.evaluate(_WATCH_REDRAW)
                    picker = page.get_by_test_id("stSidebar").get_by_role("combobox").first
                    picker.click()
                    picker.fill(code)
                    picker.press("Enter")
                    page.wait_for_function("window.__redrawn !== null", timeout=300_000)
                    picked, redrawn = page.evaluate("[window.__picked, window.__redrawn]")
                    samples.append((redrawn - picked) / 1000)
                    page.close()
                timings[name] = statistics.median(samples)
            browser.close()
        return timings
    finally:
        process.terminate()
        process.wait(timeout=30)
