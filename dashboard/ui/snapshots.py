"""The Data page's published snapshots: what each load published, and undo."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import snapshots, store
from dashboard.measures.disclosure import count_text
from dashboard.ui import access


def snapshot_table() -> pd.DataFrame:
    """Every kept snapshot, newest first; row counts rounded like every count shown."""
    db = store.resolve_db_path()
    chosen = snapshots.current(db)
    return pd.DataFrame(
        [
            {
                "Snapshot": snap.id,
                "Current": "yes" if chosen and snap.id == chosen.id else "",
                "Published": snap.published_at.replace("T", " "),
                "What": snap.note,
                "Referrals": count_text(snap.rows.get("referrals", 0)),
                "Size (MB)": round(snap.bytes / 1e6, 1),
            }
            for snap in snapshots.history(db)
        ]
    )


def rollback_panel(can_roll_back: bool) -> None:
    """The snapshots, and (for analysts) a button that republishes an earlier one as current."""
    db = store.resolve_db_path()
    if "_rollback_result" in st.session_state:
        done, message = st.session_state.pop("_rollback_result")
        if done:
            st.success(message, icon=":material/check:")
        else:
            st.error(message, icon=":material/error:")
    table = snapshot_table()
    st.caption(
        "Each committed load publishes a read-only snapshot that every open dashboard switches "
        f"to within seconds; the last {snapshots.keep()} are kept "
        f"({snapshots.disk_bytes(db) / 1e6:,.1f} MB). Rolling back publishes an earlier one "
        "as a new snapshot, so it can be undone the same way."
    )
    st.dataframe(table, hide_index=True, key="snapshot_history")
    chosen = snapshots.current(db)
    earlier = [s.id for s in snapshots.history(db) if chosen and s.id < chosen.id]
    if not earlier or not can_roll_back:
        return
    left, right = st.columns([2, 1])
    target = left.selectbox(
        "Roll back to snapshot", options=earlier, key="rollback_to", label_visibility="collapsed"
    )
    if right.button("Roll back", key="rollback", icon=":material/undo:"):
        try:
            published = snapshots.rollback(db, target, wait=True)
        except snapshots.DiskFull as error:
            st.session_state["_rollback_result"] = (False, str(error))
        else:
            access.record("rollback", published.note)
            st.cache_data.clear()
            st.session_state["_rollback_result"] = (
                True,
                f"Published snapshot {published.id}: {published.note}.",
            )
        st.rerun()
