"""What page tests share: reading chart titles and picking a PCN from the synthetic ICB."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

from dashboard.charts.theme import plain
from dashboard.data import store

APP = "../dashboard/app.py"


def chart_titles(at: AppTest) -> list[str]:
    # As one line: titles are wrapped for narrow columns.
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    return [plain(spec["layout"]["title"]["text"]) for spec in specs]


def pcn_with_apostrophe(synthetic_db) -> tuple[str, str]:
    # From the original: the app in this process holds its copy open for writing.
    with store.open_db(synthetic_db, read_only=True) as con:
        return con.execute(
            "select pcn_code, pcn_name from pcns where pcn_name like '%''%' order by pcn_name"
        ).fetchone()


def open_page(at: AppTest, page: str, pcn: bool = False) -> AppTest:
    """Run the app, pick the first PCN in the sidebar when asked, then open `page`."""
    at.run()
    if pcn:
        first = at.multiselect(key="pcn").options[0]
        code = re.search(r"\((U\d{5})\)", first).group(1)
        at.multiselect(key="pcn").set_value([code]).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# Each page's sections (dashboard.ui.frame.draw_sections): the key that holds the open one.
SECTIONS = {
    "referrals": "referrals_section",
    "outcomes": "outcomes_section",
    "utilisation": "utilisation_section",
    "capacity": "capacity_section",
}


def open_section(at: AppTest, page: str, label: str) -> AppTest:
    """Open the section (tab) `label` of `page`, drawn already in `at`."""
    at.session_state[SECTIONS[page]] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def each_section(at: AppTest, page: str) -> Iterator[str]:
    """Open each section of `page` (drawn already in `at`) in turn, yielding its label; a page
    without sections yields once, as it is. Only the open section is drawn, so a check of
    everything a page shows runs in every section."""
    if page not in SECTIONS:
        assert not at.tabs, f"{page} has tabs, not listed in SECTIONS"
        yield ""
        return
    for label in [tab.label for tab in at.tabs]:
        open_section(at, page, label)
        yield label
