"""Presentation mode: the board pack on screen, one slide at a time, for a meeting."""

import html

import streamlit as st

from dashboard.output.boardpack import WITHHELD_NOTE
from dashboard.ui.data import board_pack
from dashboard.ui.filters import current_filters
from dashboard.ui.frame import chart_config

filters = current_filters()
pack = board_pack(filters)
slides = pack.slides

try:
    number = int(st.query_params.get("slide", "1"))
except ValueError:
    number = 1
number = min(max(number, 1), len(slides))
st.query_params["slide"] = str(number)
slide = slides[number - 1]

# A projector shows the slide, not the controls: the sidebar is hidden here only.
st.html(
    """
    <style>
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
    </style>
    """
)


# Inline, because Streamlit's own paragraph style outranks a class from a style sheet.
KEY_MESSAGE_STYLE = "font-size: 1.8rem; line-height: 1.35; margin: 0.2rem 0 0.7rem 0;"


def go_to(target: int) -> None:
    st.query_params["slide"] = str(target)


previous, position, following = st.columns([2, 5, 2])
# Presenters' clickers send PageUp and PageDown; the arrow keys work from a keyboard.
previous.button(
    "Previous", key="slide_previous", icon=":material/arrow_back:", disabled=number == 1,
    on_click=go_to, args=(number - 1,), width="stretch", shortcut="PageUp",
)  # fmt: skip
following.button(
    "Next", key="slide_next", icon=":material/arrow_forward:", disabled=number == len(slides),
    on_click=go_to, args=(number + 1,), width="stretch", shortcut="PageDown",
)  # fmt: skip
position.caption(
    f"{pack.subtitle_lines[0]} · {pack.subtitle_lines[1]} · slide {number} of {len(slides)}"
)

st.title(slide.title)
for message in slide.messages:
    # Messages can quote names from uploaded extracts: escape them before they become HTML.
    st.markdown(
        f'<p style="{KEY_MESSAGE_STYLE}">{html.escape(message)}</p>', unsafe_allow_html=True
    )
if slide.figure is not None:
    figure = slide.figure
    figure.update_layout(height=620)
    st.plotly_chart(figure, key="slide_chart", width="stretch", config=chart_config("slide"))
elif slide.table is not None:
    st.dataframe(slide.table, hide_index=True, width="stretch")
if slide.withheld:
    st.caption(WITHHELD_NOTE)
st.page_link(
    "views/overview.py", label="Leave presentation mode", icon=":material/close:",
    query_params={k: v for k, v in st.query_params.to_dict().items() if k != "slide"},
)  # fmt: skip
