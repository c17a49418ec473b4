"""The benchmark in a browser, as a person feels it: how long until every chart is drawn.

Four measures, in Debian's chromium against `streamlit run` on the benchmark's database
(warm: the server has already served the page once):

- `cold`: a new browser opens the dashboard's address; seconds until the first page is drawn;
- `navigate`: from clicking a page's link in the sidebar until that page is drawn;
- `pcn`: on a drawn page, from choosing a PCN in the sidebar filter until it is drawn again;
- `present_next`: presentation mode opened from its link on a period nobody has looked at (so
  its board pack and the queries behind it are made cold), and Next pressed the moment its
  front sheet is drawn; seconds until the executive summary is drawn.

Pages and PCNs are visited in one tab, as a person moves around the dashboard: each page from
another page's link, and after its PCN is timed, that PCN removed again (untimed), so the next
page opens on the whole ICB.

"Drawn" (`DRAWN`, which the browser tests wait for too) means the app's script run has
finished (after one began, for a click or a choice), nothing on the page is stale or a
skeleton, and every Plotly chart on it has its SVG; then one more frame is painted. A chart
behind a closed tab is not on the page and is not waited for: that is the point of drawing it
on demand.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

from dashboard.devtools.browser import CHROMIUM, CHROMIUM_ARGS, serve
from dashboard.measures.filters import Filters

# Page URL path -> the link's text in the sidebar, for every page of the router.
BROWSER_PAGES = {
    "": "Overview",
    "referrals": "Referrals",
    "outcomes": "Outcomes",
    "utilisation": "Utilisation",
    "capacity": "VCSE capacity",
    "data": "Data",
    "present": "Present",
}
# Presentation mode hides the sidebar (a projector shows the slide): no PCN is chosen there.
NO_FILTER = ("present",)
VIEWPORT = {"width": 1440, "height": 900}
_TIMEOUT_MS = 300_000

# True when the page is drawn (see the module docstring).
DRAWN = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.every((chart) => chart.querySelector('.main-svg'));
}
"""

# Records in the page when the trigger happens (a click, or Enter in the filter) and when the
# page is next drawn after a script run began: window.__started and window.__drawn. Only a run
# that begins after the trigger counts: the sidebar's watch fragment runs every few seconds, and
# one already running at the click would otherwise finish before the page's own run begins.
# After a click that opens a page (`moves`), the page's main heading must also have changed.
_WATCH = """
([trigger, moves]) => {
  window.__started = null; window.__drawn = null;
  const drawn = IS_DRAWN;
  const app = document.querySelector('[data-testid="stApp"]');
  const heading = () => (document.querySelector('[data-testid="stMain"] h1') || {}).textContent;
  const before = heading();
  let ran = false, state = null;
  const start = (event) => {
    if (window.__started !== null) return;
    if (trigger === 'Enter' ? event.key === 'Enter' : event.type === 'click') {
      window.__started = performance.now();
      state = app.getAttribute('data-test-script-state');
    }
  };
  document.addEventListener(trigger === 'Enter' ? 'keydown' : 'click', start, {capture: true});
  const poll = () => {
    if (window.__started !== null) {
      const now = app.getAttribute('data-test-script-state');
      if (now === 'running' && state !== 'running') ran = true;
      state = now;
      const moved = !moves || heading() !== before;
      if (ran && moved && drawn()) {
        requestAnimationFrame(() => { window.__drawn = performance.now(); });
        return;
      }
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}
""".replace("IS_DRAWN", DRAWN.strip())


def _wait_drawn(page) -> None:
    page.wait_for_function(DRAWN, timeout=_TIMEOUT_MS, polling="raf")


def _open(browser, url: str):
    """A new page in `browser` at `url`, drawn; (page, seconds from asking until drawn)."""
    page = browser.new_page(viewport=VIEWPORT)
    started = time.perf_counter()
    page.goto(url)
    page.get_by_test_id("stApp").wait_for(timeout=_TIMEOUT_MS)
    # The first run has not always begun when the app element appears.
    page.wait_for_function(
        "document.querySelector('[data-testid=\"stMain\"] h1') !== null", timeout=_TIMEOUT_MS
    )
    _wait_drawn(page)
    return page, time.perf_counter() - started


def _watched(page, trigger: str, act, moves: bool = False) -> float:
    """Seconds from the trigger `act` performs until the page is drawn again (a page whose
    heading changed, when the trigger `moves` to another page)."""
    page.evaluate(_WATCH, [trigger, moves])
    act()
    page.wait_for_function("window.__drawn !== null", timeout=_TIMEOUT_MS)
    started, drawn = page.evaluate("[window.__started, window.__drawn]")
    return (drawn - started) / 1000


def _navigate(page, path: str, title: str) -> float:
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    seconds = _watched(page, "click", link.click, moves=True)
    if urlparse(page.url).path.strip("/") != path:
        raise RuntimeError(f"clicking {title!r} went to {page.url}")
    return seconds


def _pick(page, code: str) -> float:
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox").first

    def choose() -> None:
        picker.click()
        picker.fill(code)
        picker.press("Enter")

    return _watched(page, "Enter", choose)


def _clear(page) -> None:
    """Back to the whole ICB, untimed: each chosen PCN removed, and the page drawn again."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox").first.press("Escape")  # the options stay open after a pick
    remove = sidebar.locator('[aria-label^="Remove "]')
    while remove.count():
        _watched(page, "click", remove.first.click)


def _new_periods(filters: Filters, runs: int) -> list[str]:
    """`runs` periods as URL parameters, none the pages' default: the default period started
    1, 2, ... months earlier (whole months, as a person would choose)."""
    default = (filters.date_from, filters.date_to)
    periods = []
    for back in range(1, runs + 1):
        year, month = divmod(filters.date_from.month - 1 - back, 12)
        start = filters.date_from.replace(year=filters.date_from.year + year, month=month + 1)
        earlier = filters.model_copy(update={"date_from": start})
        periods.append(urlencode(earlier.query_params(default), doseq=True))
    return periods


def _present_next(page, url: str, period: str) -> float:
    """On the Data page (whose figures do not depend on the period) with `period` chosen, the
    Present link; Next pressed the moment the front sheet is drawn: seconds until the next
    slide is drawn."""
    page.goto(f"{url}/data?{period}")
    _wait_drawn(page)
    _navigate(page, "present", BROWSER_PAGES["present"])
    following = page.get_by_test_id("stMain").get_by_role("button", name="Next")
    seconds = _watched(page, "click", following.click, moves=True)
    page.get_by_text("slide 2 of").wait_for(timeout=_TIMEOUT_MS)
    return seconds


def time_browser(
    db: Path, pcns: list[str], filters: Filters, runs: int, folder: Path
) -> dict[str, object]:
    """Median seconds: {"cold": s, "navigate": {page: s}, "pcn": {page: s}, "present_next": s}.

    Each PCN run picks a PCN not picked before where there are enough, so no run is served
    from an earlier run's cache of that PCN's figures; each `present_next` run a period not
    opened before (`filters`: the pages' default, which the other measures use).
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"--browser needs chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    process, url = serve(db, folder / "streamlit.log")
    try:
        with sync_playwright() as playwright:
            launch = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
            # The server's first run of each page, not timed: one tab clicking through them.
            warm = playwright.chromium.launch(**launch)
            page, _ = _open(warm, f"{url}/data")
            for path, title in BROWSER_PAGES.items():
                if path != "data":
                    _navigate(page, path, title)
            # Presentation mode (the last page visited) makes its slides in the background:
            # wait for them, so that the timed runs do not share the server with that work.
            page.get_by_test_id("stMain").get_by_role("button", name="Next").click()
            page.get_by_text("slide 2 of").wait_for(timeout=_TIMEOUT_MS)
            warm.close()

            cold = []
            for _ in range(runs):
                browser = playwright.chromium.launch(**launch)
                cold.append(_open(browser, url)[1])
                browser.close()

            # One tab, as a person moves around: each page from another one's link, then a PCN
            # chosen and removed again, so the next page opens on the whole ICB.
            browser = playwright.chromium.launch(**launch)
            page, _ = _open(browser, f"{url}/data")
            picks = iter(pcns * (len(BROWSER_PAGES) * runs))
            navigate: dict[str, list[float]] = {path: [] for path in BROWSER_PAGES}
            pcn: dict[str, list[float]] = {p: [] for p in BROWSER_PAGES if p not in NO_FILTER}
            for _ in range(runs):
                for path, title in BROWSER_PAGES.items():
                    # From another page, so that the click starts a run of this one.
                    here = urlparse(page.url).path.strip("/")
                    if here in NO_FILTER:  # presentation mode has no sidebar to leave by
                        page.goto(f"{url}/data")
                        _wait_drawn(page)
                        here = "data"
                    if here == path:
                        _navigate(page, *(("data", "Data") if path else ("", "Overview")))
                    navigate[path].append(_navigate(page, path, title))
                    if path in pcn:
                        pcn[path].append(_pick(page, next(picks)))
                        _clear(page)
            present_next = [
                _present_next(page, url, period) for period in _new_periods(filters, runs)
            ]
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)

    def name(path: str) -> str:
        return path or "overview"

    return {
        "cold": statistics.median(cold),
        "navigate": {name(p): statistics.median(s) for p, s in navigate.items()},
        "pcn": {name(p): statistics.median(s) for p, s in pcn.items()},
        "present_next": statistics.median(present_next),
    }
