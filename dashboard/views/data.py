"""Data: load extracts, what is loaded, the load history, and the data dictionary."""

import pandas as pd
import streamlit as st

from dashboard.charts import theme as charts
from dashboard.data import store
from dashboard.data.contract import KINDS
from dashboard.data.dictionary import dictionary, template_csv
from dashboard.measures.disclosure import protect
from dashboard.ui.data import connection, query
from dashboard.ui.frame import chart
from dashboard.ui.loading import upload_panel

st.title("Data")
st.caption(f"Database: `{store.resolve_db_path()}`")

st.subheader("Load extracts")
upload_panel()

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
st.caption("Newest first. Dates are the range of the extract's main date column.")
st.dataframe(
    query("load_history"),
    hide_index=True,
    column_config={
        "loaded_at": st.column_config.DatetimeColumn("loaded at", format="DD/MM/YYYY HH:mm"),
        "rows_read": st.column_config.NumberColumn("rows read"),
        "date_from": st.column_config.DateColumn("data from", format="DD/MM/YYYY"),
        "date_to": st.column_config.DateColumn("data to", format="DD/MM/YYYY"),
    },
)

st.subheader("Data dictionary")
kind = st.selectbox("Extract", list(KINDS), key="dictionary_kind")
st.dataframe(dictionary(kind), hide_index=True)
st.download_button(
    f"Download a template for {kind} (CSV)",
    data=template_csv(kind),
    file_name=f"{kind}_template.csv",
    mime="text/csv",
    key="download_template",
    icon=":material/download:",
)
