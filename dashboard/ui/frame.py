"""A chart with its data: every chart downloads the numbers behind it."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from dashboard.charts.alt_text import summary
from dashboard.export import csv_bytes
from dashboard.measures.disclosure import WITHHELD_NOTE
from dashboard.measures.filters import Filters
from dashboard.measures.view import Tile, View
from dashboard.output import boardpack, images
from dashboard.output.boardpack import Pack
from dashboard.output.images import SLIDE_HEIGHT, SLIDE_WIDTH
from dashboard.ui import access
from dashboard.ui.data import board_pack_later
from dashboard.ui.filters import current_filters


def chart_config(key: str, audited: bool = False) -> dict:
    """Plotly's own menu saves the chart as a PNG at slide resolution (16:9). With sign-in,
    where every export is audited, that menu item (made in the browser, out of the server's
    sight) gives way to a PNG download the server makes and records."""
    if audited:
        return {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": key,
            "width": SLIDE_WIDTH,
            "height": SLIDE_HEIGHT,
        },
    }


def draw_view(view: View) -> None:
    """A view from a measures module: its chart, caption, CSV download and suppression note.
    The chart and the CSV are the view's shown data: nothing here sees an exact count."""
    audited = access.sign_in_configured()
    st.plotly_chart(
        view.figure,
        key=f"chart_{view.key}",
        width="stretch",
        config=chart_config(view.key, audited),
        # The house template as drawn in the PNG and the pack: Streamlit's own chart theme
        # would grey the axis text to 3.7:1 and change the fonts the layout was fitted to.
        theme=None,
    )
    if view.caption:
        st.caption(view.caption)
    chart_as_text(view)
    filters = current_filters().described()
    st.download_button(
        "Download the data (CSV)",
        # Made when clicked, not on every rerun: a page has a dozen charts.
        data=access.exported(f"CSV {view.key}", filters, lambda: csv_bytes(view.shown.display())),
        file_name=f"{view.key}.csv",
        mime="text/csv",
        key=f"download_{view.key}",
        icon=":material/download:",
        on_click="ignore",
    )
    if audited and images.browser_path():
        st.download_button(
            "Download the chart (PNG)",
            data=access.exported(f"PNG {view.key}", filters, lambda: images.png(view.figure)),
            file_name=f"{view.key}.png",
            mime="image/png",
            key=f"download_png_{view.key}",
            icon=":material/image:",
            on_click="ignore",
        )
    suppression_note(view.withheld)


# Beyond this many rows the table on screen stops and points to the CSV, which has them all.
TABLE_ROWS = 100


def escaped(text: str) -> str:
    """Text for st.markdown as it is: a `*` (withheld) or `$` in a name from an extract would
    otherwise turn into italics or mathematics."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~$])", r"\\\1", text)


def chart_as_text(view: View) -> None:
    """The chart's text alternative: a sentence saying what it shows, and its data as a table
    (a real HTML table, which screen readers navigate) behind a switch."""
    st.markdown(f"**In words:** {escaped(summary(view.figure))}")
    data_table(view)


@st.fragment
def data_table(view: View) -> None:
    # A fragment: the switch redraws only this table, made when asked for, not the page.
    if not st.toggle("Show the chart's data as a table", key=f"table_{view.key}"):
        return
    table = view.shown.text()
    if len(table) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS} of {len(table):,} rows; the CSV has them all.")
    st.table(
        table.head(TABLE_ROWS), hide_index=True, alt=f"The data behind the chart: {view.title}"
    )


def draw_views(*views: View, columns: int = 2) -> None:
    """Views side by side, `columns` to a row."""
    for start in range(0, len(views), columns):
        row = views[start : start + columns]
        for column, view in zip(st.columns(columns), row, strict=False):
            with column:
                draw_view(view)


def draw_sections(key: str, sections: dict[str, Callable[[], None]]) -> None:
    """A page's sections as tabs, only the open one drawn (`draw` called), in a fragment.

    A person waits for what they look at: a page of a dozen charts drawn at once took seconds
    to appear. A closed tab costs nothing, and opening one reruns this fragment, not the page.
    The open tab is kept in `st.session_state[key]` (its label) for the session.
    """
    _sections(key, sections)


@st.fragment
def _sections(key: str, sections: dict[str, Callable[[], None]]) -> None:
    tabs = st.tabs(list(sections), key=key, on_change="rerun")
    for tab, draw in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                draw()


def delta_arrow(delta: str | None) -> str:
    """An arrow only for a change with a sign: "No change vs last year" and "29% of
    referrals" are not rises, though Streamlit draws an up arrow for any text without a '-'."""
    return "auto" if delta and delta[:1] in "+-" else "off"


def draw_tiles(tiles: list[Tile]) -> None:
    for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
        column.metric(
            tile.label,
            tile.value,
            tile.delta,
            delta_color=tile.delta_color,
            delta_arrow=delta_arrow(tile.delta),
            help=tile.help,
        )


def suppression_note(any_withheld: bool) -> None:
    if any_withheld:
        st.caption(WITHHELD_NOTE)


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
    # The pack presentation mode shows, made once for both (and its charts drawn once).
    pack = board_pack_later(filters)

    def made(writer: Callable[[Pack, Callable], bytes], suffix: str) -> Callable[[], bytes]:
        return access.exported(
            f"board pack ({suffix})", filters.described(), lambda: writer(pack(), images.png)
        )

    name = f"social-prescribing-board-pack-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    formats = (
        ("PowerPoint", boardpack.to_pptx, "pptx", ":material/slideshow:",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("PDF", boardpack.to_pdf, "pdf", ":material/picture_as_pdf:", "application/pdf"),
    )  # fmt: skip
    # In a row that wraps, each button as wide as its label: in columns the labels were cut
    # ("Board pack (PowerP...") on a projector's width.
    row = st.container(horizontal=True, wrap=True)
    for label, writer, suffix, icon, mime in formats:
        row.download_button(
            f"Board pack ({label})",
            data=made(writer, suffix),
            file_name=f"{name}.{suffix}",
            mime=mime,
            key=f"board_pack_{suffix}",
            icon=icon,
            on_click="ignore",
            width="content",
        )
