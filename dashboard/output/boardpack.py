"""The board pack as slides: PowerPoint (python-pptx) and PDF (fpdf2), with the same content.

A pack is plain data (a front sheet, then slides with a headline, key messages, icons, a
figure or a table, speaker notes) built by `dashboard.output.report`; this module only lays
it out. Both formats share one 13.33 x 7.5 inch layout, so a slide and its PDF page match.
Tables and figures arrive already suppressed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF, FontFace
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from dashboard.output.slide_charts import chart_note, for_slide
from dashboard.output.wording import plain

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
TEXT = "#212B32"
DARK_GREY = "#425563"
PALE_BLUE = "#E8EDEE"
MAX_TABLE_ROWS = 12
WITHHELD_NOTE = "* or a gap: withheld because it counts, or is built on, 1 to 7 people."


@dataclass(frozen=True)
class Badge:
    """An icon as a coloured label, e.g. Making Data Count's `Common cause variation`."""

    text: str
    colour: str


@dataclass(frozen=True)
class Slide:
    title: str  # the headline: the finding, said once
    messages: tuple[str, ...] = ()
    draw: Callable[[], go.Figure] | None = None  # the chart, drawn when shown or exported
    table: pd.DataFrame | None = None
    notes: str = ""
    withheld: bool = False  # the chart or table hides a small number
    section: str = ""  # what the slide answers, above the headline
    badges: tuple[Badge, ...] = ()
    alt_text: str = ""  # what the chart shows, for a screen reader
    ask: str = ""  # the decision or assurance asked of the board
    definitions: tuple[tuple[str, str], ...] = ()  # the appendix: term, definition

    @property
    def figure(self) -> go.Figure | None:
        return None if self.draw is None else self.draw()


@dataclass(frozen=True)
class Pack:
    title: str
    subtitle_lines: tuple[str, ...]  # the front sheet: the organisation first, then its fields
    slides: tuple[Slide, ...] = field(default_factory=tuple)
    notes: str = ""  # the front sheet's speaker notes
    classification: str = "OFFICIAL"
    footer: str = ""  # e.g. "Social prescribing: board report, version 1.0, 4 Dec 2026"


ImageMaker = Callable[[go.Figure], bytes]


def _date(value: pd.Timestamp) -> str:
    return f"{value.day} {value:%b %Y}"


def _cell(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return _date(value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("_", " ")


def table_rows(table: pd.DataFrame) -> list[list[str]]:
    """A slide table as text: the header, then each row in the paper's style."""
    shown = table.head(MAX_TABLE_ROWS)
    header = [str(c).replace("_", " ") for c in shown.columns]
    return [header, *[[_cell(v) for v in row] for row in shown.itertuples(index=False)]]


def page_count(content: bytes, suffix: str) -> int:
    """The slides of a written .pptx or the pages of a written .pdf."""
    if suffix.lower() == ".pptx":
        return len(Presentation(io.BytesIO(content)).slides)
    # fpdf2 writes each page's dictionary uncompressed: `/Type /Page` (not `/Pages`).
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", content))


# One layout for both formats, in inches of a 16:9 slide.
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
CONTENT_W = SLIDE_W - 2 * MARGIN
SECTION_TOP, TITLE_TOP, TITLE_H = 0.45, 0.75, 1.0
BADGE_TOP, BADGE_H = 1.8, 0.38
BODY_TOP = 2.35
CHART_LEFT, CHART_W = 4.75, 8.08
TEXT_W = CHART_LEFT - MARGIN - 0.25
NOTE_TOP, WITHHELD_TOP, FOOTER_TOP = 6.5, 6.8, 7.1
SIZES = {"section": 13, "title": 24, "badge": 14, "body": 16, "summary": 17, "small": 10}


def _chart_height(width: float, figure: go.Figure) -> float:
    return width * figure.layout.height / figure.layout.width


def _title_size(title: str) -> int:
    """Two lines of the headline fit at 24 pt; a longer one is set smaller to stay in two."""
    return SIZES["title"] if len(title) <= 90 else SIZES["title"] - 4


def _badge_width(text: str) -> float:
    return 0.35 + len(text) * SIZES["badge"] * 0.52 / 72


def _marking(pack: Pack, number: int, total: int) -> tuple[str, str]:
    """The protective marking at the top; the paper and page at the foot."""
    return pack.classification, f"{pack.footer}   {pack.classification}   page {number} of {total}"


# PowerPoint ------------------------------------------------------------------------------------


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#"))


def _text_box(slide, left, top, width, height, lines, size, bold=False, colour=TEXT,
              align=None):  # fmt: skip
    frame = slide.shapes.add_textbox(
        Inches(left), Inches(top), Inches(width), Inches(height)
    ).text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.font.color.rgb = _rgb(colour)
        paragraph.space_after = Pt(size * 0.5)
        if align is not None:
            paragraph.alignment = align
    return frame


def _pptx_frame(slide, pack: Pack, number: int, total: int) -> None:
    top, foot = _marking(pack, number, total)
    _text_box(slide, MARGIN, 0.08, CONTENT_W, 0.3, [top], SIZES["small"], bold=True,
              colour=DARK_GREY, align=PP_ALIGN.CENTER)  # fmt: skip
    _text_box(slide, MARGIN, FOOTER_TOP, CONTENT_W, 0.3, [foot], SIZES["small"],
              colour=DARK_GREY, align=PP_ALIGN.RIGHT)  # fmt: skip


def _pptx_title(slide, content: Slide) -> None:
    if content.section:
        _text_box(slide, MARGIN, SECTION_TOP, CONTENT_W, 0.3, [content.section],
                  SIZES["section"], bold=True, colour=NHS_BLUE)  # fmt: skip
    title = slide.shapes.title
    title.left, title.top = Inches(MARGIN), Inches(TITLE_TOP)
    title.width, title.height = Inches(CONTENT_W), Inches(TITLE_H)
    title.text = content.title
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size = Pt(_title_size(content.title))
        paragraph.font.bold = True
        paragraph.font.color.rgb = _rgb(NHS_DARK_BLUE)


def _pptx_badges(slide, badges: tuple[Badge, ...]) -> None:
    left = MARGIN
    for badge in badges:
        width = _badge_width(badge.text)
        shape = slide.shapes.add_shape(
            MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(BADGE_TOP), Inches(width),
            Inches(BADGE_H),
        )  # fmt: skip
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(badge.colour)
        shape.line.fill.background()
        paragraph = shape.text_frame.paragraphs[0]
        paragraph.text = badge.text
        paragraph.font.size = Pt(SIZES["badge"])
        paragraph.font.bold = True
        paragraph.font.color.rgb = _rgb("#FFFFFF")
        left += width + 0.15


def _pptx_body(slide, content: Slide, image: ImageMaker) -> None:
    if content.definitions:
        half = (CONTENT_W - 0.4) / 2
        for column, entries in enumerate(split_columns(content.definitions)):
            frame = _text_box(slide, MARGIN + column * (half + 0.4), BODY_TOP - 0.5, half, 4.8,
                              [], SIZES["small"])  # fmt: skip
            for index, (term, text) in enumerate(entries):
                paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
                lead = paragraph.add_run()
                lead.text = _term(term)
                lead.font.bold = True
                body = paragraph.add_run()
                body.text = text
                for run in (lead, body):
                    run.font.size = Pt(SIZES["small"] + 1)
                    run.font.color.rgb = _rgb(TEXT)
                paragraph.space_after = Pt(6)
        return
    has_visual = content.figure is not None or content.table is not None
    top = BODY_TOP if content.badges else BADGE_TOP
    width = TEXT_W if has_visual else CONTENT_W
    size = SIZES["body"] if has_visual else SIZES["summary"]
    _text_box(slide, MARGIN, top, width, WITHHELD_TOP - top, [f"• {m}" for m in content.messages],
              size)  # fmt: skip
    if content.ask:
        box = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(MARGIN), Inches(5.25), Inches(CONTENT_W), Inches(1.35)
        )
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb(PALE_BLUE)
        box.line.color.rgb = _rgb(NHS_BLUE)
        frame = box.text_frame
        frame.word_wrap = True
        paragraph = frame.paragraphs[0]
        paragraph.text = content.ask
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size = Pt(SIZES["summary"])
        paragraph.font.bold = True
        paragraph.font.color.rgb = _rgb(NHS_DARK_BLUE)
    if content.figure is not None:
        figure = for_slide(content.figure)
        height = _chart_height(CHART_W, figure)
        picture = slide.shapes.add_picture(
            io.BytesIO(image(figure)), Inches(CHART_LEFT), Inches(NOTE_TOP - height - 0.02),
            width=Inches(CHART_W),
        )  # fmt: skip
        _text_box(slide, CHART_LEFT, NOTE_TOP, CHART_W, 0.28, [plain(chart_note(content.figure))],
                  SIZES["small"], colour=DARK_GREY)  # fmt: skip
        picture._element.nvPicPr.cNvPr.set("descr", content.alt_text)
        picture.name = f"Chart: {content.title}"[:250]
    elif content.table is not None:
        rows = table_rows(content.table)
        shape = slide.shapes.add_table(
            len(rows), len(rows[0]), Inches(CHART_LEFT), Inches(top), Inches(CHART_W),
            Inches(0.4 * len(rows)),
        )  # fmt: skip
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = shape.table.cell(r, c)
                cell.text = value
                cell.text_frame.paragraphs[0].font.size = Pt(12)
    if content.withheld:
        _text_box(slide, MARGIN, WITHHELD_TOP, CONTENT_W, 0.3, [WITHHELD_NOTE], SIZES["small"],
                  colour=DARK_GREY)  # fmt: skip


def _term(term: str) -> str:
    """A definition's term as its lead-in: `Disclosure control. `, `Can services cope? `."""
    return f"{term} " if term.endswith(("?", ".", ":")) else f"{term}. "


def split_columns(entries: tuple[tuple[str, str], ...]) -> tuple[list, list]:
    """Definitions split into two columns of about equal length."""
    total = sum(len(term) + len(text) for term, text in entries)
    left, running = [], 0
    for entry in entries:
        if running > total / 2 and left:
            break
        left.append(entry)
        running += len(entry[0]) + len(entry[1])
    return left, list(entries[len(left) :])


def to_pptx(pack: Pack, image: ImageMaker) -> bytes:
    """A 16:9 deck: the front sheet, then one slide per part of the paper (chart as a picture
    with its alt text, counts as a real table), speaker notes with each slide's definitions."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    total = len(pack.slides) + 1
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = pack.title
    title = cover.shapes.title
    title.left, title.top, title.width = Inches(MARGIN), Inches(1.9), Inches(CONTENT_W)
    title.height = Inches(1.1)
    for paragraph in title.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size, paragraph.font.bold = Pt(36), True
        paragraph.font.color.rgb = _rgb(NHS_DARK_BLUE)
    subtitle = cover.placeholders[1]
    subtitle.left, subtitle.top = Inches(MARGIN), Inches(3.1)
    subtitle.width, subtitle.height = Inches(CONTENT_W), Inches(3.6)
    frame = subtitle.text_frame
    for index, line in enumerate(pack.subtitle_lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size = Pt(22 if index == 0 else 16)
        paragraph.font.bold = index == 0
        paragraph.font.color.rgb = _rgb(NHS_BLUE if index == 0 else TEXT)
    _pptx_frame(cover, pack, 1, total)
    if pack.notes:
        cover.notes_slide.notes_text_frame.text = pack.notes
    title_only = deck.slide_layouts[5]
    for number, content in enumerate(pack.slides, start=2):
        slide = deck.slides.add_slide(title_only)
        _pptx_title(slide, content)
        _pptx_badges(slide, content.badges)
        _pptx_body(slide, content, image)
        _pptx_frame(slide, pack, number, total)
        if content.notes:
            slide.notes_slide.notes_text_frame.text = content.notes
    output = io.BytesIO()
    deck.save(output)
    return output.getvalue()


# PDF ------------------------------------------------------------------------------------------

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
MM = 25.4  # millimetres an inch
# fpdf2's built-in fonts are Latin-1: without a Unicode font, typographic characters get plain
# equivalents.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                        "≤": "<=", "≥": ">=", "•": "-", "→": "->", "−": "-"})  # fmt: skip


class _PackPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format=(SLIDE_H * MM, SLIDE_W * MM))
        self.set_auto_page_break(auto=False)
        self.set_margins(MARGIN * MM, MARGIN * MM, MARGIN * MM)
        regular = FONT_DIR / "LiberationSans-Regular.ttf"
        bold = FONT_DIR / "LiberationSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("Sans", "", str(regular))
            self.add_font("Sans", "B", str(bold))
        self.family = "Sans" if self.unicode else "Helvetica"

    def text_of(self, text: str) -> str:
        if self.unicode:
            return text
        return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, bold: bool = False, colour: str = TEXT) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*_rgb(colour))

    def box(self, left, top, width, lines, size, bold=False, colour=TEXT, align="L") -> None:
        """Lines in a box `width` inches wide from (left, top), each after the last."""
        self.style(size, bold, colour)
        self.set_xy(left * MM, top * MM)
        line_height = size * 1.2 / 72 * MM
        for line in lines:
            self.set_x(left * MM)
            self.multi_cell(width * MM, line_height, self.text_of(line), align=align,
                            new_x="LMARGIN", new_y="NEXT")  # fmt: skip
            self.set_y(self.get_y() + size * 0.5 / 72 * MM)


def _pdf_frame(pdf: _PackPdf, pack: Pack, number: int, total: int) -> None:
    top, foot = _marking(pack, number, total)
    pdf.box(MARGIN, 0.12, CONTENT_W, [top], SIZES["small"], bold=True, colour=DARK_GREY,
            align="C")  # fmt: skip
    pdf.box(MARGIN, FOOTER_TOP + 0.05, CONTENT_W, [foot], SIZES["small"], colour=DARK_GREY,
            align="R")  # fmt: skip


def _pdf_badges(pdf: _PackPdf, badges: tuple[Badge, ...]) -> None:
    left = MARGIN
    for badge in badges:
        width = _badge_width(badge.text)
        pdf.set_fill_color(*_rgb(badge.colour))
        pdf.rect(left * MM, BADGE_TOP * MM, width * MM, BADGE_H * MM, style="F",
                 round_corners=True, corner_radius=1.5)  # fmt: skip
        pdf.style(SIZES["badge"], bold=True, colour="#FFFFFF")
        pdf.set_xy(left * MM, BADGE_TOP * MM)
        pdf.cell(width * MM, BADGE_H * MM, pdf.text_of(badge.text), align="C")
        left += width + 0.15


def _pdf_body(pdf: _PackPdf, content: Slide, image: ImageMaker) -> None:
    if content.definitions:
        half = (CONTENT_W - 0.4) / 2
        for column, entries in enumerate(split_columns(content.definitions)):
            pdf.set_xy((MARGIN + column * (half + 0.4)) * MM, (BODY_TOP - 0.5) * MM)
            for term, text in entries:
                pdf.set_x((MARGIN + column * (half + 0.4)) * MM)
                pdf.style(SIZES["small"] + 1)
                pdf.multi_cell(half * MM, (SIZES["small"] + 1) * 1.2 / 72 * MM,
                               pdf.text_of(f"**{_term(term).strip()}** {text}"), markdown=True,
                               align="L", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
                pdf.set_y(pdf.get_y() + 6 / 72 * MM)
        return
    has_visual = content.figure is not None or content.table is not None
    top = BODY_TOP if content.badges else BADGE_TOP
    width = TEXT_W if has_visual else CONTENT_W
    size = SIZES["body"] if has_visual else SIZES["summary"]
    pdf.box(MARGIN, top, width, [f"• {m}" for m in content.messages], size)
    if content.ask:
        pdf.set_fill_color(*_rgb(PALE_BLUE))
        pdf.set_draw_color(*_rgb(NHS_BLUE))
        pdf.rect(MARGIN * MM, 5.25 * MM, CONTENT_W * MM, 1.35 * MM, style="DF")
        pdf.box(MARGIN + 0.1, 5.35, CONTENT_W - 0.2, [content.ask], SIZES["summary"], bold=True,
                colour=NHS_DARK_BLUE)  # fmt: skip
    if content.figure is not None:
        figure = for_slide(content.figure)
        height = _chart_height(CHART_W, figure)
        pdf.image(io.BytesIO(image(figure)), x=CHART_LEFT * MM,
                  y=(NOTE_TOP - height - 0.02) * MM, w=CHART_W * MM,
                  alt_text=content.alt_text)  # fmt: skip
        pdf.box(CHART_LEFT, NOTE_TOP, CHART_W, [plain(chart_note(content.figure))],
                SIZES["small"], colour=DARK_GREY)  # fmt: skip
    elif content.table is not None:
        pdf.set_xy(CHART_LEFT * MM, top * MM)
        pdf.style(11)
        # A fill colour left from a badge would shade the cells dark behind dark text; and
        # justified cells open gaps between words.
        pdf.set_fill_color(255, 255, 255)
        with pdf.table(
            width=CHART_W * MM, align="RIGHT", first_row_as_headings=True, text_align="LEFT",
            cell_fill_mode="NONE",
            headings_style=FontFace(emphasis="BOLD", fill_color=tuple(_rgb(PALE_BLUE))),
        ) as table:  # fmt: skip
            for row in table_rows(content.table):
                cells = table.row()
                for value in row:
                    cells.cell(pdf.text_of(value))
    if content.withheld:
        pdf.box(MARGIN, WITHHELD_TOP, CONTENT_W, [WITHHELD_NOTE], SIZES["small"],
                colour=DARK_GREY)  # fmt: skip


def to_pdf(pack: Pack, image: ImageMaker) -> bytes:
    """The same pack as a PDF, one page per slide: the appendix carries the definitions the
    speaker notes give in PowerPoint."""
    pdf = _PackPdf()
    pdf.set_title(pack.title)
    pdf.set_lang("en-GB")
    total = len(pack.slides) + 1
    pdf.add_page()
    pdf.box(MARGIN, 1.9, CONTENT_W, [pack.title], 36, bold=True, colour=NHS_DARK_BLUE)
    for index, line in enumerate(pack.subtitle_lines):
        top = 3.1 if index == 0 else 3.35 + index * 0.36
        pdf.box(MARGIN, top, CONTENT_W, [line], 22 if index == 0 else 16, bold=index == 0,
                colour=NHS_BLUE if index == 0 else TEXT)  # fmt: skip
    _pdf_frame(pdf, pack, 1, total)
    for number, content in enumerate(pack.slides, start=2):
        pdf.add_page()
        if content.section:
            pdf.box(MARGIN, SECTION_TOP, CONTENT_W, [content.section], SIZES["section"],
                    bold=True, colour=NHS_BLUE)  # fmt: skip
        pdf.box(MARGIN, TITLE_TOP + 0.05, CONTENT_W, [content.title], _title_size(content.title),
                bold=True, colour=NHS_DARK_BLUE)  # fmt: skip
        _pdf_badges(pdf, content.badges)
        _pdf_body(pdf, content, image)
        _pdf_frame(pdf, pack, number, total)
    return bytes(pdf.output())
