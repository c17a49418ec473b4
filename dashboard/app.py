"""Entry point: page config, the sign-in gate, the shared sidebar filter, and the router."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.charts import theme  # noqa: F401  (registers the house Plotly template)
from dashboard.ui import access, accessibility, data, preload
from dashboard.ui.filters import sidebar_filters

# Not "pages/": beside the entry point that name switches on Streamlit's old multipage mode.
PAGES = Path(__file__).parent / "views"

st.set_page_config(
    page_title="Social prescribing dashboard",
    page_icon=":material/diversity_3:",
    layout="wide",
)

# Contrast, target sizes and chart keyboard behaviour (WCAG 2.2 AA), on every page.
accessibility.apply()
# The browser fetches the chart code while the server works out the first page.
preload.apply()

navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page(PAGES / "referrals.py", title="Referrals", icon=":material/group_add:"),
        st.Page(PAGES / "outcomes.py", title="Outcomes", icon=":material/sentiment_satisfied:"),
        st.Page(PAGES / "utilisation.py", title="Utilisation", icon=":material/local_hospital:"),
        st.Page(PAGES / "capacity.py", title="VCSE capacity", icon=":material/volunteer_activism:"),
        st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
        st.Page(PAGES / "present.py", title="Present", icon=":material/slideshow:"),
    ]
)
# Nobody sees data before the gate: sign-in (when configured) and the access file.
who = access.gate()
# One published snapshot for the whole rerun; a newer one is picked up by the next.
data.pin()
access.banner(who)
sidebar_filters(keep_params=("slide",) if navigation.url_path == "present" else ())
with st.sidebar:
    data.watch()
navigation.run()
