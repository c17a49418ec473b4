"""The benchmark's page runs: each page's full server-side run in Streamlit's AppTest.

devtools is the one place outside the UI allowed to use Streamlit; it is imported only when the
pages are timed, so the other CLI commands never load it.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from pathlib import Path

from dashboard.data import store

PAGES = ("overview", "referrals", "outcomes", "utilisation", "capacity", "data", "present")

_BARE_MODE_LOGGERS = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


def time_pages(db: Path, runs: int, timeout: float) -> tuple[dict[str, float], float]:
    """Each page's full server-side run in AppTest, with the query and view caches cleared
    first: the work after a new filter or a load; and the run after pressing Next on the
    presentation's front sheet as soon as it is drawn, until the executive summary is drawn.

    Presentation mode opens on the front sheet and makes the slides behind it, so that Next is
    the wait for the rest of the board pack: an interaction on a drawn page, timed as a person
    feels it by `redraw` (`browser_present_next_s`)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.ui import data

    # Outside a server, every AppTest run warns that there is no runtime: expected here.
    for name in _BARE_MODE_LOGGERS:
        logging.getLogger(name).addFilter(lambda record: False)

    app = str(store.ROOT / "dashboard" / "app.py")
    previous = os.environ.get(store.DB_ENV)
    os.environ[store.DB_ENV] = str(db)
    try:
        samples: dict[str, list[float]] = {page: [] for page in PAGES}
        next_slide: list[float] = []

        def timed(at: AppTest, page: str, into: list[float]) -> None:
            started = time.perf_counter()
            at.run()
            into.append(time.perf_counter() - started)
            if at.exception:
                raise RuntimeError(f"page {page} failed: {at.exception[0].message}")

        for page in PAGES:
            for _ in range(runs):
                at = AppTest.from_file(app, default_timeout=timeout)
                at.run()
                at.switch_page(f"views/{page}.py")
                st.cache_data.clear()
                data.clear_views()
                timed(at, page, samples[page])
                if page == "present":
                    at.button(key="slide_next").click()
                    timed(at, "present, its next slide", next_slide)
        medians = {page: statistics.median(seconds) for page, seconds in samples.items()}
        return medians, statistics.median(next_slide)
    finally:
        st.cache_resource.clear()  # closes the page's connection to the benchmark database
        if previous is None:
            os.environ.pop(store.DB_ENV, None)
        else:
            os.environ[store.DB_ENV] = previous
