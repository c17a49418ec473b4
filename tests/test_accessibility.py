"""WCAG 2.2 AA in a real browser: axe-core on every page and slide, and the keyboard path
through a page of charts. axe-core comes from the npm registry, pinned in tests/a11y (make
test installs it with npm ci)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import pytest

from dashboard.devtools.bench.redraw import DRAWN
from tests.conftest import REQUIRE_BROWSER
from tests.test_browser import PAGES, _settled
from tests.test_chart_layout import COLLECT, problems

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practice (heading order, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
DESKTOP, PROJECTOR, PHONE = (1440, 900), (1280, 720), (390, 844)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        reason = f"{AXE} is missing: make test installs it (npm ci --prefix tests/a11y)"
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def _quiet(page) -> None:
    """The script finished and nothing on the page is left from an earlier run: a first visit
    runs twice (the filter writes its defaults into the URL), and axe must see the second."""
    _settled(page)
    page.wait_for_timeout(300)
    _settled(page)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)


def _open(browser, url: str, size: tuple[int, int]):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url)
    expect(page.get_by_test_id("stMain")).to_be_visible(timeout=60_000)
    _quiet(page)
    page.wait_for_function(DRAWN, timeout=60_000)
    return page


def _blocking_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): " + " | ".join(v["nodes"])
        for v in violations
        if v["impact"] in BLOCKING
    ]


# Text Streamlit cuts with an ellipsis (or hides) when it is wider than its box: tile labels,
# changes, buttons, links. Charts lay out their own text (tests/test_chart_layout.py).
CUT_TEXT = """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter((e) => {
        const style = getComputedStyle(e);
        const clips = style.textOverflow === 'ellipsis' || style.overflowX === 'hidden';
        return clips && e.textContent.trim() && !e.closest('[data-testid="stPlotlyChart"]')
            && e.scrollWidth > e.clientWidth + 1;
    })
    .map((e) => e.textContent.trim().slice(0, 60))"""


# Each chart on the page as drawn there: what `problems` needs of its figure (the trace types
# and category names) and the boxes of its texts.
PAGE_CHARTS = f"""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map((chart) => ({{
    title: (chart.querySelector('.gtitle') || {{textContent: ''}}).textContent,
    data: chart.data.map((t) => {{
        // Names only on category axes: dates arrive as text but sit on a date axis.
        const named = (axis, id) => {{
            const layoutAxis = chart._fullLayout[axis + 'axis' + (id || axis).slice(1)];
            return Array.isArray(t[axis]) && layoutAxis && layoutAxis.type === 'category'
                ? t[axis] : undefined;
        }};
        return {{type: t.type || 'scatter', orientation: t.orientation,
                 x: named('x', t.xaxis), y: named('y', t.yaxis)}};
    }}),
    drawn: ({COLLECT})(chart),
}}))"""


# Chart text on the white page below 4.5:1 (axe does not read SVG text): titles, notes,
# legends, axis titles and tick labels. Text on bars and cells is tested with its colours.
FAINT_CHART_TEXT = """() => {
    const luminance = (rgb) => {
        const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map((v) => {
            const c = Number(v) / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const selector = ['.gtitle', '.gtitle-subtitle', '.annotation-text', '.legendtext',
        '.xtick text', '.ytick text', '.g-xtitle text', '.g-ytitle text'].join(', ');
    return [...document.querySelectorAll('.js-plotly-plot')].flatMap((chart) =>
        [...chart.querySelectorAll(selector)]
            .map((t) => [t.textContent.trim(), 1.05 / (luminance(getComputedStyle(t).fill) + 0.05)])
            .filter(([text, ratio]) => text && ratio < 4.5)
            .map(([text, ratio]) => `${text.slice(0, 40)}: ${ratio.toFixed(1)}:1`));
}"""


def _chart_problems(page) -> list[str]:
    found = list(page.evaluate(FAINT_CHART_TEXT))
    for chart in page.evaluate(PAGE_CHARTS):
        figure = go.Figure(data=[trace_of(t) for t in chart["data"]])
        found += [f"{chart['title']}: {problem}" for problem in problems(figure, chart["drawn"])]
    return found


def trace_of(trace: dict):
    kind = {"bar": go.Bar, "heatmap": go.Heatmap}.get(trace["type"], go.Scatter)
    fields = {k: v for k, v in trace.items() if k in ("x", "y") and v is not None}
    if kind is go.Bar and trace.get("orientation"):
        fields["orientation"] = trace["orientation"]
    return kind(**fields)


@pytest.mark.parametrize("size", [DESKTOP, PROJECTOR, PHONE], ids=["1440x900", "1280x720", "390px"])
@pytest.mark.parametrize("path", list(PAGES))
def test_a_page_has_no_serious_accessibility_violation_no_text_cut_and_no_chart_overlap(
    browser, server, axe_source, path, size
):
    page = _open(browser, f"{server}/{path}", size)
    assert page.get_by_test_id("stException").count() == 0
    assert page.evaluate(CUT_TEXT) == []
    assert _chart_problems(page) == []
    assert _blocking_violations(page, axe_source) == []
    page.close()


@pytest.mark.parametrize("size", [DESKTOP, PROJECTOR, PHONE], ids=["1440x900", "1280x720", "390px"])
def test_no_slide_has_a_serious_accessibility_violation_or_a_chart_overlap(
    browser, server, axe_source, size
):
    # Past the last slide, presentation mode shows the last and says which it is in the URL.
    page = _open(browser, f"{server}/present?slide=999", size)
    slides = int(page.url.split("slide=")[1].split("&")[0])
    assert slides >= 5
    found = {}
    page.goto(f"{server}/present?slide=1")
    for number in range(1, slides + 1):
        if number > 1:  # on to the next slide as a presenter does, not by loading its address
            page.get_by_test_id("stMain").get_by_role("button", name="Next").click()
            page.get_by_text(f"slide {number} of {slides}").wait_for(timeout=60_000)
        _quiet(page)
        page.wait_for_function(DRAWN, timeout=60_000)
        found[number] = _chart_problems(page) + _blocking_violations(page, axe_source)
        # A slide's chart carries its text alternative, for a screen reader.
        charts = page.locator(".js-plotly-plot").count()
        if page.get_by_text("In words:").count() != charts:
            found[number].append(f"{charts} charts but not as many text alternatives")
    assert found == {number: [] for number in found}
    page.close()


# The pages whose sections are tabs drawn when opened: the walk above sees the first only.
SECTIONED = ("referrals", "outcomes", "utilisation", "capacity")


@pytest.mark.parametrize("path", SECTIONED)
def test_every_section_has_no_serious_accessibility_violation_no_text_cut_and_no_chart_overlap(
    browser, server, axe_source, path
):
    page = _open(browser, f"{server}/{path}", PROJECTOR)
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    assert tabs.count() >= 3
    found = {}
    for index in range(1, tabs.count()):
        tab = tabs.nth(index)
        name = tab.inner_text()
        tab.click()
        # Opening a tab reruns its fragment: wait for the run, then for every chart drawn.
        page.wait_for_function(
            "(tab) => tab.getAttribute('aria-selected') === 'true'", arg=tab.element_handle()
        )
        page.wait_for_timeout(300)
        _quiet(page)
        page.wait_for_function(DRAWN, timeout=60_000)
        found[name] = (
            page.evaluate(CUT_TEXT) + _chart_problems(page) + _blocking_violations(page, axe_source)
        )
        charts = page.get_by_test_id("stPlotlyChart").count()
        if page.get_by_text("In words:").count() != charts:
            found[name].append(f"{charts} charts but not as many text alternatives")
    assert found == {name: [] for name in found}
    page.close()


TABBABLE_IN_CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .map((chart) => chart.closest('[data-testid="stElementContainer"]'))
    .map((holder) => [...holder.querySelectorAll('button, a[href], input, [tabindex]')]
        .filter((e) => e.tabIndex >= 0 && e !== holder).length)"""


ON_A_CHART = """() => {
    const holder = document.activeElement.closest('[data-chart-keyboard]');
    return holder ? [...document.querySelectorAll('[data-chart-keyboard]')].indexOf(holder) : -1;
}"""
IS_A_CHART = "() => document.activeElement.hasAttribute('data-chart-keyboard')"


def test_tab_passes_each_chart_in_one_stop_and_enter_opens_its_toolbar(browser, server):
    page = _open(browser, f"{server}/referrals", DESKTOP)
    # The section with most charts: who is reached.
    page.get_by_test_id("stMain").get_by_role("tab", name="Who is reached").click()
    page.wait_for_timeout(300)
    _quiet(page)
    page.wait_for_function(DRAWN, timeout=60_000)
    charts = page.get_by_test_id("stPlotlyChart").count()
    assert charts >= 4
    holders = page.locator("[data-chart-keyboard]")
    assert holders.count() == charts
    assert holders.first.get_attribute("aria-label").startswith("Chart: ")
    assert page.evaluate(TABBABLE_IN_CHARTS) == [0] * charts

    # Tab through the whole page, as a keyboard user would: each chart takes one stop.
    visits, stops = [], 0
    while stops < 400:
        page.keyboard.press("Tab")
        stops += 1
        where = page.evaluate(ON_A_CHART)
        if where >= 0:
            visits.append((where, page.evaluate(IS_A_CHART)))
        if where == charts - 1 and len(visits) >= charts:
            break
    assert visits == [(chart, True) for chart in range(charts)]

    # Enter on a chart moves into its toolbar, and only its own joins the tab order.
    holders.first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate(ON_A_CHART) == 0 and not page.evaluate(IS_A_CHART)
    inside = page.evaluate(TABBABLE_IN_CHARTS)
    assert inside[0] > 1 and inside[1:] == [0] * (charts - 1)
    page.keyboard.press("Tab")
    assert page.evaluate(ON_A_CHART) == 0 and not page.evaluate(IS_A_CHART)
    # Escape goes back to the chart, and its toolbar leaves the tab order again.
    page.keyboard.press("Escape")
    assert page.evaluate(ON_A_CHART) == 0 and page.evaluate(IS_A_CHART)
    page.wait_for_timeout(100)
    assert page.evaluate(TABBABLE_IN_CHARTS) == [0] * charts
    page.close()


def test_every_chart_has_a_sentence_and_a_data_table_a_screen_reader_can_read(browser, server):
    page = _open(browser, f"{server}/referrals", DESKTOP)
    charts = page.get_by_test_id("stPlotlyChart").count()
    sentences = page.get_by_text("In words:")
    assert sentences.count() == charts
    switch = page.get_by_role("switch", name="Show the chart's data as a table").first
    switch.focus()
    page.keyboard.press("Space")  # as a keyboard user would
    _settled(page)
    assert switch.is_checked()
    table = page.get_by_test_id("stTable").first.locator("table")
    table.wait_for(timeout=30_000)
    assert table.locator("th").count() >= 2
    assert table.locator("tbody tr").count() >= 5
    page.close()
