"""A chart with its data: every chart downloads the numbers behind it."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.export import csv_bytes
from dashboard.measures.disclosure import EXPORT, protect
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import View
from dashboard.output import boardpack, images, report
from dashboard.output.boardpack import Pack
from dashboard.output.images import SLIDE_HEIGHT, SLIDE_WIDTH
from dashboard.ui.data import connection


def chart_config(key: str) -> dict:
    """Plotly's own menu saves the chart as a PNG at slide resolution (16:9)."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": key,
            "width": SLIDE_WIDTH,
            "height": SLIDE_HEIGHT,
        },
    }


def chart(
    figure: go.Figure,
    data: pd.DataFrame,
    key: str,
    *,
    counts: tuple[str, ...] = (),
    based_on: dict[str, str] | None = None,
    caption: str | None = None,
) -> None:
    """Draw a chart, its caption, and a button for its data as CSV (suppressed and rounded)."""
    st.plotly_chart(figure, key=f"chart_{key}", width="stretch", config=chart_config(key))
    if caption:
        st.caption(caption)

    def exported() -> bytes:
        # Made when clicked, not on every rerun: a page has a dozen charts.
        return csv_bytes(protect(data, counts, based_on, EXPORT).display())

    st.download_button(
        "Download the data (CSV)",
        data=exported,
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"download_{key}",
        icon=":material/download:",
        on_click="ignore",
    )


def draw_view(view: View) -> None:
    """A view from a core module: its chart, CSV download and suppression note."""
    chart(
        view.figure,
        view.data,
        view.key,
        counts=view.counts,
        based_on=view.based_on,
        caption=view.caption,
    )
    suppression_note(view.withheld)


def suppression_note(any_withheld: bool) -> None:
    if any_withheld:
        st.caption(
            "`*` marks a figure withheld because it counts, or is built on, 1 to 7 people "
            "(small-number suppression)."
        )


def no_data_message() -> None:
    st.info(
        "No referrals are loaded for this selection. Load extracts on the **Data** page, "
        "or run `make run` on an empty database to explore the synthetic data.",
        icon=":material/info:",
    )


def board_pack_downloads(filters: Filters) -> None:
    """Buttons for the board pack of the current filter, made when clicked (a few seconds)."""
    if images.browser_path() is None:
        st.info(images.MISSING_BROWSER, icon=":material/info:")
        return
    con = connection()

    def made(writer: Callable[[Pack, Callable], bytes]) -> Callable[[], bytes]:
        def make() -> bytes:
            cursor = con.cursor()
            try:
                return writer(report.build_pack(cursor, filters), images.png)
            finally:
                cursor.close()

        return make

    name = f"social-prescribing-board-pack-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    formats = (
        ("PowerPoint", boardpack.to_pptx, "pptx", ":material/slideshow:",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("PDF", boardpack.to_pdf, "pdf", ":material/picture_as_pdf:", "application/pdf"),
    )  # fmt: skip
    for column, (label, writer, suffix, icon, mime) in zip(
        st.columns([1, 1, 3]), formats, strict=False
    ):
        column.download_button(
            f"Board pack ({label})",
            data=made(writer),
            file_name=f"{name}.{suffix}",
            mime=mime,
            key=f"board_pack_{suffix}",
            icon=icon,
            on_click="ignore",
        )
