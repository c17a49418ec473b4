"""Presentation mode: the board pack on screen, one slide at a time, for a meeting.

Each slide fits one screen (1280 x 720 and larger) without scrolling, and says its headline
once: the chart's own title gives way to the slide's (dashboard.output.slide_charts).
"""

import html

import pandas as pd
import streamlit as st

from dashboard.output.boardpack import WITHHELD_NOTE, Slide, split_columns, table_rows
from dashboard.output.slide_charts import chart_note, for_slide
from dashboard.output.wording import plain
from dashboard.ui.data import board_pack, front_sheet
from dashboard.ui.filters import current_filters
from dashboard.ui.frame import chart_config

CHART_HEIGHT = 370  # with the header and the key messages, a slide fits 720 px tall
SCREEN_FONT = 14  # the chart takes 60% of the screen: the page's own text size

filters = current_filters()
try:
    number = max(int(st.query_params.get("slide", "1")), 1)
except ValueError:
    number = 1
if number == 1:
    # The front sheet needs a few small queries; the slides, every view. They are made in the
    # background from here, while the presenter introduces the paper.
    pack, total = front_sheet(filters), None
else:
    with st.spinner("Preparing the slides…"):
        pack = board_pack(filters)
    total = len(pack.slides) + 1  # the front sheet first
    number = min(number, total)
st.query_params["slide"] = str(number)

# A projector shows the slide, not the controls: the sidebar is hidden here only, and the
# page's top padding shrinks so a slide fits the screen.
st.html(
    """
    <style>
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
      [data-testid="stMainBlockContainer"] {padding-top: 2.2rem; padding-bottom: 0.5rem;}
      [data-testid="stMainBlockContainer"] h1 {padding: 0.1rem 0 0.3rem 0; font-size: 2rem;}
      /* On a phone the app's header would cover the slide's buttons. */
      @media (max-width: 640px) {
        [data-testid="stMainBlockContainer"] {padding-top: 4rem;}
      }
    </style>
    """
)

# Inline, because Streamlit's own paragraph style outranks a class from a style sheet.
MESSAGE_STYLE = "font-size: 1.3rem; line-height: 1.35; margin: 0 0 0.6rem 0;"
SECTION_STYLE = "color: #005EB8; font-weight: 600; margin: 0;"
BADGE_STYLE = (
    "display: inline-block; color: white; font-weight: 600; border-radius: 0.3rem; "
    "padding: 0.15rem 0.6rem; margin: 0 0.4rem 0.4rem 0;"
)
SCREEN_READER_ONLY = (
    "position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); "
    "white-space: nowrap; margin: 0;"
)
ASK_STYLE = (
    "font-size: 1.3rem; font-weight: 600; color: #003087; background: #E8EDEE; "
    "border: 1px solid #005EB8; padding: 0.6rem 0.9rem; margin-top: 0.6rem;"
)


def go_to(target: int) -> None:
    st.query_params["slide"] = str(target)


def paragraph(text: str, style: str) -> None:
    # Slides can quote names from uploaded extracts: escape them before they become HTML.
    st.markdown(f'<p style="{style}">{html.escape(text)}</p>', unsafe_allow_html=True)


def show_front_sheet() -> None:
    st.title(pack.title)
    organisation, *fields = pack.subtitle_lines
    paragraph(organisation, "font-size: 1.6rem; font-weight: 600; color: #005EB8;")
    for line in fields:
        paragraph(line, "font-size: 1.15rem; margin: 0 0 0.25rem 0;")


def messages(slide: Slide, style: str = MESSAGE_STYLE) -> None:
    for message in slide.messages:
        paragraph(message, style)


def show(slide: Slide) -> None:
    if slide.section:
        paragraph(slide.section, SECTION_STYLE)
    st.title(slide.title)
    if slide.badges:
        st.markdown(
            "".join(
                f'<span style="{BADGE_STYLE} background: {badge.colour};">'
                f"{html.escape(badge.text)}</span>"
                for badge in slide.badges
            ),
            unsafe_allow_html=True,
        )
    if slide.definitions:
        for column, entries in zip(st.columns(2), split_columns(slide.definitions), strict=True):
            for term, text in entries:
                column.markdown(
                    f'<p style="font-size: 0.85rem; margin: 0 0 0.4rem 0;">'
                    f"<b>{html.escape(term)}.</b> {html.escape(text)}</p>",
                    unsafe_allow_html=True,
                )
    elif slide.figure is not None or slide.table is not None:
        left, right = st.columns([2, 3])
        with left:
            messages(slide)
        if slide.figure is not None:
            right.plotly_chart(
                for_slide(slide.figure, height=CHART_HEIGHT, width=None, font=SCREEN_FONT),
                key="slide_chart",
                width="stretch",
                config=chart_config("slide"),
                theme=None,  # the house template, as in the pack (dashboard.ui.frame)
            )
            right.caption(plain(chart_note(slide.figure)))
            if slide.alt_text:
                # The pack's text alternative, for a screen reader: a visible line would push
                # the slide past one screen.
                with right:
                    paragraph(f"In words: {slide.alt_text}", SCREEN_READER_ONLY)
        else:
            header, *rows = table_rows(slide.table)
            right.dataframe(pd.DataFrame(rows, columns=header), hide_index=True, width="stretch")
    else:
        messages(slide)
    if slide.ask:
        paragraph(slide.ask, ASK_STYLE)
    if slide.withheld:
        st.caption(WITHHELD_NOTE)


previous, position, following = st.columns([2, 5, 2])
# Presenters' clickers send PageUp and PageDown; the arrow keys work from a keyboard.
previous.button(
    "Previous", key="slide_previous", icon=":material/arrow_back:", disabled=number == 1,
    on_click=go_to, args=(number - 1,), width="stretch", shortcut="PageUp",
)  # fmt: skip
following.button(
    "Next", key="slide_next", icon=":material/arrow_forward:", disabled=number == total,
    on_click=go_to, args=(number + 1,), width="stretch", shortcut="PageDown",
)  # fmt: skip
if total is None:
    position.caption(f"{pack.classification} · front sheet")
else:
    position.caption(f"{pack.classification} · slide {number} of {total}")

if number == 1:
    show_front_sheet()
else:
    show(pack.slides[number - 2])
st.page_link(
    "views/overview.py", label="Leave presentation mode", icon=":material/close:",
    query_params={k: v for k, v in st.query_params.to_dict().items() if k != "slide"},
)  # fmt: skip
