"""Data: load extracts, what is loaded, the load history, and the data dictionary."""

import streamlit as st

from dashboard.data import store
from dashboard.data.contract import KINDS
from dashboard.data.dictionary import dictionary, template_csv
from dashboard.measures import loads
from dashboard.measures.formats import day
from dashboard.ui.access import audit_panel, person
from dashboard.ui.data import built, connection
from dashboard.ui.frame import draw_view
from dashboard.ui.loading import upload_panel
from dashboard.ui.snapshots import rollback_panel

st.title("Data")
st.caption(f"Database: `{store.resolve_db_path()}`")

who = person()
st.header("Load extracts")
if who.can_load:
    upload_panel()
else:
    st.caption("Loading extracts, mappings and rollback are for the ICB's analysts.")

st.header("Loaded")
st.caption(
    "Row counts are rounded to the nearest 5, and 1 to 7 shows as `*`, like every count the "
    "dashboard shows."
)
st.dataframe(
    loads.loaded_table(store.table_counts(connection())).text(
        {"extract": "Extract", "rows": "Rows"}
    ),
    hide_index=True,
)
data_date = built(loads.data_date)
if data_date:
    st.caption(
        f"Data up to **{day(data_date)}**: the latest date in the loaded extracts. Funding "
        "that ends soon is measured from it."
    )
draw_view(built(loads.coverage_view))
unknown = built(loads.unknown_pcns)
if len(unknown.frame):
    st.warning(
        "Referrals from PCN codes missing from the reference list (pcns extract) are left out "
        "of every figure, since they have no list size. Load the missing PCNs to count them.",
        icon=":material/warning:",
    )
    st.dataframe(unknown.text(), hide_index=True, key="unknown_pcns")

st.header("Published snapshots and undo")
rollback_panel(can_roll_back=who.can_load)

st.header("Load history")
st.caption("Newest first. Dates are the range of the extract's main date column.")
st.dataframe(
    built(loads.load_history).text(),
    hide_index=True,
    column_config={
        "loaded_at": st.column_config.DatetimeColumn("loaded at", format="DD/MM/YYYY HH:mm"),
        "rows_read": st.column_config.TextColumn("rows read"),
        "accepted": st.column_config.TextColumn("accepted"),
        "rejected": st.column_config.TextColumn("rejected"),
        "date_from": st.column_config.DateColumn("data from", format="DD/MM/YYYY"),
        "date_to": st.column_config.DateColumn("data to", format="DD/MM/YYYY"),
    },
)

if who.can_audit:
    audit_panel()

st.header("Data dictionary")
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
