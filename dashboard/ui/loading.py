"""The upload panel of the Data page: files in, validation preview, one click to load."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import streamlit as st

from dashboard.data import audit, ingest, mappings, snapshots, store
from dashboard.data.contract import KINDS
from dashboard.data.ingest.mapping import Mapping, to_toml
from dashboard.export import csv_bytes
from dashboard.settings import load_settings
from dashboard.ui import access
from dashboard.ui.mapping import mapping_step, saved_mappings_panel

_FOLDER = "upload_folder"
_ROUND = "upload_round"
_PREVIEW = "load_preview"
_RESULT = "load_result"
AUTO = "auto"
FILE_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "parquet"]


def _folder() -> Path:
    if _FOLDER not in st.session_state or not Path(st.session_state[_FOLDER]).is_dir():
        st.session_state[_FOLDER] = tempfile.mkdtemp(prefix="sp_dashboard_upload_")
    return Path(st.session_state[_FOLDER])


def _saved(upload) -> tuple[str, Path]:
    """Each upload as a file on disk (the readers work on paths), named by its content."""
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()[:16]
    path = _folder() / f"{digest}{Path(upload.name).suffix.lower()}"
    if not path.exists():
        path.write_bytes(content)
    return digest, path


def _db() -> Path:
    return store.resolve_db_path()


def _preview(
    extracts: list[ingest.Extract], key: tuple, saved: list[Mapping]
) -> list[ingest.Report]:
    # Validation of a big file takes seconds: do it once per set of files, kinds and mappings.
    key = (key, tuple(to_toml(m) for m in saved))
    cached = st.session_state.setdefault(_PREVIEW, {})
    if key in cached:
        return cached[key]
    # Validated against the working database (as the load will be), in the writer's turn.
    with st.spinner("Reading and validating ..."), store.writing(_db(), wait=True) as con:
        reports = ingest.preview(con, extracts, mappings=saved)
    # The files as recognised, and as chosen: two previews each rerun, each read once.
    for old in list(cached)[: max(0, len(cached) - 3)]:
        del cached[old]
    cached[key] = reports
    return reports


def _show_report(report: ingest.Report, index: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{report.file}**" + (f": {report.kind}" if report.kind else ""))
        if report.refused:
            st.error(report.refused, icon=":material/block:")
            return
        read, accept, reject = st.columns(3)
        read.metric("Rows read", f"{report.rows_read:,}")
        accept.metric("Rows to accept", f"{report.accepted:,}")
        reject.metric("Rows to reject", f"{report.rejected:,}")
        for notice in report.notices:
            st.caption(notice)
        if report.warnings:
            shown = report.warnings[:20]
            lines = [
                (f"row {w['row']}, " if w["row"] is not None else "")
                + f"{w['column']}: {w['reason']}"
                for w in shown
            ]
            more = len(report.warnings) - len(shown)
            st.warning(
                "These rows load, but look odd:\n\n- "
                + "\n- ".join(lines)
                + (f"\n\n... and {more:,} more." if more > 0 else ""),
                icon=":material/warning:",
            )
        if report.rejected:
            st.markdown(f"**Rejections** ({len(report.errors):,} problems)")
            st.dataframe(
                report.errors.fillna({"column": "(whole row)", "value": ""}),
                hide_index=True,
                key=f"rejections_{index}",
            )
            st.download_button(
                "Download the rejected rows (CSV)",
                # Audited when clicked: rejected rows are person-level rows.
                data=access.exported(
                    f"rejected rows of {report.file}",
                    "",
                    lambda r=report: csv_bytes(r.rejected_rows),
                ),
                on_click="ignore",
                file_name=f"rejected_{Path(report.file.split(' + ')[0]).stem}.csv",
                mime="text/csv",
                key=f"download_rejected_{index}",
                icon=":material/download:",
            )


def _load(extracts: list[ingest.Extract]) -> None:
    incoming = sum(extract.path.stat().st_size for extract in extracts)
    with st.status("Loading ...", expanded=True) as status:
        try:
            with store.writing(_db(), wait=True, incoming_bytes=incoming) as con:
                reports = ingest.load(
                    con, extracts, progress=status.write, mappings=mappings.saved(_db())
                )
                loaded = all(report.loaded for report in reports)
                if loaded:
                    status.write("Publishing for every reader ...")
                    snapshots.publish(con, _db(), "load: " + ", ".join(r.file for r in reports))
        except snapshots.DiskFull as error:
            status.update(label="Nothing was loaded", state="error")
            st.session_state[_RESULT] = (False, str(error))
            st.rerun()
        status.update(
            label="Loaded" if loaded else "Nothing was loaded",
            state="complete" if loaded else "error",
        )
    accepted = sum(report.accepted for report in reports)
    rejected = sum(report.rejected for report in reports)
    files = f"{len(reports)} file" + ("" if len(reports) == 1 else "s")
    st.session_state[_RESULT] = (
        loaded,
        f"Loaded {accepted:,} rows from {files}; {rejected:,} rejected."
        if loaded
        else "Nothing was loaded: " + " ".join(r.refused or "" for r in reports),
    )
    access.record("load", audit.load_note(reports, loaded))
    if loaded:
        # Every page's cached results belong to the old data; the next rerun pins the new.
        st.cache_data.clear()
        shutil.rmtree(_folder(), ignore_errors=True)
        st.session_state.pop(_PREVIEW, None)
        st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    st.rerun()


def upload_panel() -> None:
    """Upload extract files, see what would load, and load them with one click."""
    result = st.session_state.pop(_RESULT, None)
    if result:
        (st.success if result[0] else st.error)(result[1])
    # Read once per rerun: the panel, both previews and each file's mapping step use them.
    listed = mappings.listing(_db())
    saved_mappings = [mapping for _, mapping, _ in listed if mapping is not None]
    saved_mappings_panel(_db(), listed)
    uploads = st.file_uploader(
        "Extract files: CSV, XLSX or Parquet, several at once",
        type=FILE_TYPES,
        accept_multiple_files=True,
        max_upload_size=max(1, int(load_settings().load.max_file_mb)),
        key=f"upload_files_{st.session_state.get(_ROUND, 0)}",
        help="Headers may be the canonical names or their aliases (see the data dictionary); "
        "a source system's own headers and codes are mapped once, in the mapping step. "
        "NHS Digital's GP registration files load as pcns: upload the practice mapping and "
        "gp-reg-pat-prac-all.csv together.",
    )
    if not uploads:
        return
    saved = [(upload, *_saved(upload)) for upload in uploads]
    detected = {
        report.file.split(" + ")[0]: report
        for report in _preview(
            [ingest.Extract(u.name, path) for u, _, path in saved],
            tuple((digest, AUTO, "") for _, digest, _ in saved),
            saved_mappings,
        )
    }
    extracts, key = [], []
    for upload, digest, path in saved:
        recognised = detected.get(upload.name)
        guess = recognised.kind if recognised else None
        choice = st.selectbox(
            f"Kind of {upload.name}",
            [AUTO, *KINDS],
            format_func=lambda k, g=guess: (
                f"recognised: {g or 'not recognised'}" if k == AUTO else k
            ),
            key=f"kind_{digest}",
        )
        kind = None if choice == AUTO else choice
        mapping = (
            mapping_step(upload.name, digest, path, recognised, kind, _db(), saved_mappings)
            if recognised
            else None
        )
        kind = mapping.kind if mapping else kind
        extracts.append(ingest.Extract(upload.name, path, kind, mapping))
        key.append((digest, choice, to_toml(mapping) if mapping else ""))
    reports = _preview(extracts, tuple(key), saved_mappings)
    for index, report in enumerate(reports):
        _show_report(report, index)
    refused = any(report.refused for report in reports)
    if refused:
        st.info("Remove or fix the refused files to load the others.", icon=":material/info:")
    if st.button(
        f"Load {len(extracts)} file{'s' if len(extracts) > 1 else ''}",
        key="load_button",
        type="primary",
        disabled=refused,
        icon=":material/upload:",
    ):
        _load(extracts)
