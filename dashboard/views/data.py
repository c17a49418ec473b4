"""Data: what is loaded, the load history, and the data dictionary."""

import pandas as pd
import streamlit as st

from dashboard.core import charts, store
from dashboard.core.contract import KINDS, columns
from dashboard.core.suppression import protect
from dashboard.ui.data import connection, query
from dashboard.ui.frame import chart

st.title("Data")
st.caption(f"Database: `{store.resolve_db_path()}`")

counts = store.table_counts(connection())
st.subheader("Loaded")
st.dataframe(
    pd.DataFrame({"extract": list(counts), "rows": list(counts.values())}),
    hide_index=True,
)

coverage = query("referral_coverage")
chart(
    charts.monthly_trend(
        protect(coverage, counts=("referrals",)).frame,
        f"Referrals loaded for {len(coverage)} months",
    ),
    coverage,
    "referral_coverage",
    counts=("referrals",),
    caption="Every month of referrals in the database, whatever the filter: a dip or a gap "
    "usually means a missing or partial extract.",
)

st.subheader("Load history")
st.dataframe(query("load_history"), hide_index=True)

st.subheader("Data dictionary")
kind = st.selectbox("Extract", list(KINDS), key="dictionary_kind")
st.dataframe(
    pd.DataFrame(
        {
            "column": c.name,
            "type": c.type_label,
            "required": "yes" if c.required else "no",
            "rule": c.description + (f"; one of: {', '.join(c.allowed)}" if c.allowed else ""),
            "aliases": ", ".join(c.aliases),
            "example": str(c.example) if c.example is not None else "",
        }
        for c in columns(kind)
    ),
    hide_index=True,
)
