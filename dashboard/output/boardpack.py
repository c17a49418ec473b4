"""The board pack as slides: PowerPoint (python-pptx) and PDF (fpdf2), with the same content.

A pack is plain data (titles, key messages, a figure or a table, speaker notes) built by
`dashboard.output.report`; this module only lays it out. Tables arrive already suppressed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
DARK_GREY = RGBColor(0x42, 0x55, 0x63)
MAX_TABLE_ROWS = 12


@dataclass(frozen=True)
class Slide:
    title: str
    messages: tuple[str, ...] = ()
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    notes: str = ""
    withheld: bool = False  # the chart or table hides a small number


WITHHELD_NOTE = "* or a gap: withheld because it counts, or is built on, 1 to 7 people."


@dataclass(frozen=True)
class Pack:
    title: str
    subtitle_lines: tuple[str, ...]
    slides: tuple[Slide, ...] = field(default_factory=tuple)
    notes: str = ""


ImageMaker = Callable[[go.Figure], bytes]


def _cell(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("_", " ")


def _table_rows(table: pd.DataFrame) -> list[list[str]]:
    shown = table.head(MAX_TABLE_ROWS)
    header = [str(c).replace("_", " ") for c in shown.columns]
    return [header, *[[_cell(v) for v in row] for row in shown.itertuples(index=False)]]


def _text_box(slide, left, top, width, height, lines, size, bold=False, colour=None) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.space_after = Pt(size * 0.6)
        if colour is not None:
            paragraph.font.color.rgb = colour


def to_pptx(pack: Pack, image: ImageMaker) -> bytes:
    """A 16:9 deck: title slide, one slide per view (chart as a picture, counts as a real
    table), speaker notes with definitions, sources and caveats."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = pack.title
    cover.placeholders[1].text = "\n".join(pack.subtitle_lines)
    if pack.notes:
        cover.notes_slide.notes_text_frame.text = pack.notes
    blank = deck.slide_layouts[6]
    for content in pack.slides:
        slide = deck.slides.add_slide(blank)
        _text_box(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9), [content.title],
                  28, bold=True, colour=NHS_BLUE)  # fmt: skip
        has_visual = content.figure is not None or content.table is not None
        message_width = Inches(4.2) if has_visual else Inches(12.3)
        _text_box(slide, Inches(0.5), Inches(1.4), message_width, Inches(5.5),
                  [f"• {m}" for m in content.messages], 18)  # fmt: skip
        left, top, width = Inches(4.9), Inches(1.4), Inches(8.0)
        if content.figure is not None:
            picture = io.BytesIO(image(content.figure))
            slide.shapes.add_picture(picture, left, top, width=width)
        elif content.table is not None:
            rows = _table_rows(content.table)
            height = Emu(Inches(0.4) * len(rows))
            shape = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width, height)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = value
                    cell.text_frame.paragraphs[0].font.size = Pt(12)
        if content.withheld:
            _text_box(slide, Inches(0.5), Inches(6.9), Inches(12.3), Inches(0.4),
                      [WITHHELD_NOTE], 11, colour=DARK_GREY)  # fmt: skip
        if content.notes:
            slide.notes_slide.notes_text_frame.text = content.notes
    output = io.BytesIO()
    deck.save(output)
    return output.getvalue()


# fpdf2's built-in fonts are Latin-1: typographic characters get plain equivalents.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                        "…": "...", "≤": "<=", "≥": ">=", "•": "-", "→": "->"})  # fmt: skip


def _plain(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


_NEXT_LINE = {"new_x": "LMARGIN", "new_y": "NEXT"}


class _PackPdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format=(190.5, 338.7))
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=12)
        self.set_margins(12, 10, 12)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", size=8)
        self.set_text_color(0x42, 0x55, 0x63)
        self.cell(0, 5, _plain(f"{self.footer_text}   page {self.page_no()}"), align="R")


def to_pdf(pack: Pack, image: ImageMaker) -> bytes:
    """The same pack as a PDF: one page per slide, then the speaker notes."""
    pdf = _PackPdf(pack.title)
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("Helvetica", "B", 30)
    pdf.set_text_color(0x00, 0x5E, 0xB8)
    pdf.multi_cell(0, 14, _plain(pack.title), **_NEXT_LINE)
    pdf.set_font("Helvetica", size=16)
    pdf.set_text_color(0x21, 0x2B, 0x32)
    for line in pack.subtitle_lines:
        pdf.multi_cell(0, 9, _plain(line), **_NEXT_LINE)
    for content in pack.slides:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 20)
        pdf.set_text_color(0x00, 0x5E, 0xB8)
        pdf.multi_cell(0, 10, _plain(content.title), **_NEXT_LINE)
        top = pdf.get_y() + 3
        has_visual = content.figure is not None or content.table is not None
        text_width = 100 if has_visual else 0
        pdf.set_font("Helvetica", size=13)
        pdf.set_text_color(0x21, 0x2B, 0x32)
        pdf.set_y(top)
        for message in content.messages:
            pdf.multi_cell(text_width, 7, _plain(f"- {message}"), **_NEXT_LINE)
            pdf.ln(2)
        if content.figure is not None:
            pdf.image(io.BytesIO(image(content.figure)), x=118, y=top, w=208)
        elif content.table is not None:
            pdf.set_xy(118, top)
            pdf.set_font("Helvetica", size=10)
            with pdf.table(width=208, align="RIGHT", first_row_as_headings=True) as table:
                for row in _table_rows(content.table):
                    cells = table.row()
                    for value in row:
                        cells.cell(_plain(value))
        if content.withheld:
            pdf.set_xy(12, 172)
            pdf.set_font("Helvetica", size=9)
            pdf.set_text_color(0x42, 0x55, 0x63)
            pdf.multi_cell(0, 5, _plain(WITHHELD_NOTE), **_NEXT_LINE)
    noted = [(s.title, s.notes) for s in pack.slides if s.notes]
    if pack.notes or noted:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 20)
        pdf.set_text_color(0x00, 0x5E, 0xB8)
        pdf.multi_cell(0, 10, "Notes: definitions, sources and caveats", **_NEXT_LINE)
        pdf.set_text_color(0x21, 0x2B, 0x32)
        for title, notes in ([(pack.title, pack.notes)] if pack.notes else []) + noted:
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, _plain(title), **_NEXT_LINE)
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5, _plain(notes), **_NEXT_LINE)
            pdf.ln(3)
    return bytes(pdf.output())
