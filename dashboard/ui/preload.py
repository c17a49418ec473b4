"""Fetch Streamlit's Plotly chart code while the first page is still being worked out.

Streamlit loads its Plotly chart code (a 4.7 MB module) only when the first chart arrives, at
the end of the first script run of a new browser: a first page then waited over a second,
after its figures were ready, for the browser to fetch and compile it. Importing the same
module as soon as the app's first element is drawn does that work while the server runs the
page. It is the very module Streamlit imports (the URL is made from the app's own script), so
the browser compiles it once; without it (another Streamlit build) nothing is done.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

_STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"

PRELOAD_JS = """
export default function ({ data }) {
  if (window.spChartsPreloaded || !data || !data.module) return;
  window.spChartsPreloaded = true;
  const app = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!app) return;
  import(new URL(data.module, app.src).href).catch(() => {});
}
"""

_preload = st.components.v2.component("sp_preload_charts", js=PRELOAD_JS)


@cache
def chart_module() -> str | None:
    """The file name of this Streamlit build's Plotly chart module, if there is exactly one."""
    found = sorted(path.name for path in _STATIC_JS.glob("PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


def apply() -> None:
    """Start fetching the chart code in the browser (once per browser tab)."""
    with st.sidebar:
        _preload(key="sp_preload_charts", data={"module": chart_module()})
