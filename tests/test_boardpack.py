import io
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from dashboard.__main__ import main
from dashboard.charts import theme as charts
from dashboard.data import store
from dashboard.measures import queries
from dashboard.measures.filters import Filters
from dashboard.output import boardpack, images, report, slide_charts, summary
from dashboard.output.slide_charts import for_slide
from dashboard.settings import SETTINGS_ENV
from tests.conftest import REQUIRE_BROWSER
from tests.factories import add_rows


def tiny_png(_figure) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (16, 9), "#005EB8").save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def pack():
    return boardpack.Pack(
        title="Social prescribing: board report",
        subtitle_lines=("NHS Larchshire Integrated Care Board", "Owner: Director of Primary Care"),
        slides=(
            boardpack.Slide(
                "4 of 30 PCNs refer below the planning band",
                ("Referral rate rose 14% on last year", "Median wait 12 days"),
                draw=lambda: charts.empty("rates"),
                notes="Rate: referrals / list size x 1,000, annualised.",
                section="1. Are enough people referred?",
                badges=(boardpack.Badge("Variation: common cause", "#7B7D7D"),),
                alt_text="Funnel plot of the referral rate of 30 PCNs.",
            ),
            boardpack.Slide(
                "Data quality",
                ("6 of 6 extract kinds loaded",),
                table=pd.DataFrame({"kind": ["referrals"], "rows_read": [1000], "rejected": ["*"]}),
                notes="Rejected rows are listed on the Data page.",
            ),
        ),
        notes="Suppression applies.",
        classification="OFFICIAL-SENSITIVE",
    )


def slide_text(slide) -> str:
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    for shape in slide.shapes:
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def alt_text(picture) -> str:
    return picture._element.nvPicPr.cNvPr.get("descr") or ""


def pdf_alt_texts(reader: PdfReader) -> list[str]:
    """The /Alt of every figure in the PDF's structure tree (tagged PDF)."""
    found = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_pptx_has_the_front_sheet_then_one_slide_per_part(pack):
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    assert len(deck.slides) == 3
    assert deck.slides[0].shapes.title.text == "Social prescribing: board report"
    front = slide_text(deck.slides[0])
    assert "NHS Larchshire Integrated Care Board" in front
    assert "OFFICIAL-SENSITIVE" in front
    assert [s.shapes.title.text for s in list(deck.slides)[1:]] == [s.title for s in pack.slides]


def test_pptx_view_slide_has_its_chart_with_alt_text_badges_and_messages(pack):
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    view = deck.slides[1]
    [picture] = pictures(view)
    assert alt_text(picture) == "Funnel plot of the referral rate of 30 PCNs."
    text = slide_text(view)
    for expected in ("Referral rate rose 14% on last year", "Variation: common cause",
                     "1. Are enough people referred?", "page 2 of 3"):  # fmt: skip
        assert expected in text
    assert "annualised" in view.notes_slide.notes_text_frame.text


def test_pptx_counts_go_in_a_real_slide_table(pack):
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    tables = [s for s in deck.slides[2].shapes if s.has_table]
    assert len(tables) == 1
    cells = [c.text for row in tables[0].table.rows for c in row.cells]
    assert cells == ["kind", "rows read", "rejected", "referrals", "1,000", "*"]


def test_pdf_has_a_page_per_slide_with_the_same_titles_and_alt_text(pack):
    content = boardpack.to_pdf(pack, tiny_png)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 3 == boardpack.page_count(content, ".pdf")
    first = reader.pages[1].extract_text()
    assert first.index("1. Are enough people referred?") < first.index("4 of 30 PCNs refer")
    assert "Referral rate rose 14% on last year" in first
    assert reader.pages[1].images, "the view page has no chart image"
    assert pdf_alt_texts(reader) == ["Funnel plot of the referral rate of 30 PCNs."]


def test_data_quality_slide_withholds_small_counts(con):
    store.record_load(con, file_name="a.csv", kind="referrals", rows_read=1003, accepted=998,
                      rejected=5)  # fmt: skip
    slide = report.data_quality_slide(queries.runner(con))
    assert slide.table.iloc[0]["Rejected"] == "*"
    assert slide.table.iloc[0]["Rows read"] == 1005
    assert slide.table.iloc[0]["Extract"] == "Referrals"
    assert "Fewer than 8 rows were rejected" in slide.messages[1]


def test_report_refuses_a_file_type_it_cannot_write(synthetic_db, tmp_path, capsys):
    assert main(["report", "--db", str(synthetic_db), "--out", str(tmp_path / "pack.docx")]) == 2
    assert ".pptx or .pdf" in capsys.readouterr().err


def test_report_without_a_browser_explains_what_to_install(synthetic_db, tmp_path, monkeypatch,
                                                         capsys):  # fmt: skip
    monkeypatch.setattr(images, "_server_started", False)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    assert main(["report", "--db", str(synthetic_db), "--out", str(tmp_path / "p.pptx")]) == 2
    assert "apt-get install -y chromium" in capsys.readouterr().err
    assert not (tmp_path / "p.pptx").exists()


def written(capsys) -> int:
    return int(re.search(r"\((\d+) (?:slides|pages)\)", capsys.readouterr().err).group(1))


def test_report_writes_a_pack_with_real_chart_images(synthetic_db, tmp_path, capsys):
    if images.browser_path() is None:
        if REQUIRE_BROWSER:
            pytest.fail("SP_REQUIRE_BROWSER=1 but chromium is missing")
        pytest.skip("chromium is not installed")
    out = tmp_path / "pack.pptx"
    assert main(["report", "--db", str(synthetic_db), "--out", str(out)]) == 0
    deck = Presentation(str(out))
    assert written(capsys) == len(deck.slides)
    assert deck.slides[0].shapes.title.text == "Social prescribing: board report"
    chart = pictures(deck.slides[2])[0].image
    # Drawn at the chart's slide size, twice as sharp: 2200 x 1160 pixels.
    assert Image.open(io.BytesIO(chart.blob)).size == (2200, 1160)


def test_report_as_pdf_says_how_many_pages_it_wrote(synthetic_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(images, "require_browser", lambda: "chromium")
    monkeypatch.setattr(images, "png", tiny_png)
    out = tmp_path / "pack.pdf"
    assert main(["report", "--db", str(synthetic_db), "--out", str(out)]) == 0
    assert written(capsys) == len(PdfReader(str(out)).pages)


def test_title_lines_name_the_selected_pcn_and_the_papers_fields(con):
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "St Mary's PCN"})
    add_rows(con, "referrals", {"referral_id": "R1"})
    filters = Filters(pcns=("U00001",), date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    lines = report.title_lines(queries.runner(con), con, filters, today=date(2026, 4, 9))
    assert lines[1] == "Scope: St Mary's PCN (U00001)"
    assert lines[2] == "Period: 1 Apr 2025 to 31 Mar 2026 (both days included)"
    assert "Date of the paper: 9 Apr 2026" in lines
    assert lines[-1].startswith("Classification: OFFICIAL-SENSITIVE")


def test_a_pack_of_reference_data_only_is_official(con):
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "St Mary's PCN"})
    assert report.classification(queries.runner(con)) == "OFFICIAL"


def test_front_sheet_takes_the_icb_name_owner_and_version_from_the_settings(
    con, tmp_path, monkeypatch
):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[board_paper]\nicb_name = "NHS Larchshire Integrated Care Board"\n'
        'owner = "Director of Primary Care"\nversion = "2.1"\n'
        'ask = "The board is asked to approve the VCSE grants round."\n'
    )
    monkeypatch.setenv(SETTINGS_ENV, str(settings))
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "St Mary's PCN"})
    add_rows(con, "referrals", *[{"referral_id": f"R{i}"} for i in range(20)])
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    lines = report.title_lines(queries.runner(con), con, filters)
    assert lines[0] == "NHS Larchshire Integrated Care Board"
    assert "Owner: Director of Primary Care" in lines
    assert "Version: 2.1" in lines
    pack = report.build_pack(con, filters)
    assert pack.slides[0].ask == "The board is asked to approve the VCSE grants round."


def test_a_pack_before_any_load_says_what_is_missing(con):
    pack = report.build_pack(con, Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31)))
    assert pack.classification == "OFFICIAL"
    assert "Date of the data: no extracts loaded" in pack.subtitle_lines
    assert pack.slides[0].messages[0] == "Referrals: none in the period."
    content = boardpack.to_pdf(pack, tiny_png)
    assert boardpack.page_count(content, ".pdf") == len(pack.slides) + 1


@pytest.fixture(scope="module")
def full_pack(synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        return report.build_pack(con, summary.resolve_filters(con))


@pytest.fixture(scope="module")
def full_deck(full_pack):
    return Presentation(io.BytesIO(boardpack.to_pptx(full_pack, tiny_png)))


def test_full_pack_is_a_board_paper_in_order(full_pack):
    sections = [slide.section for slide in full_pack.slides]
    expected = [report.SECTIONS[key] for key in ("summary", "referrals", "trend", "outcomes",
                "utilisation", "finance", "capacity", "equity", "quality")]  # fmt: skip
    assert sections[: len(expected)] == expected
    assert set(sections[len(expected) :]) == {report.SECTIONS["appendix"]}
    assert full_pack.slides[0].title == "Executive summary"
    assert len(full_pack.slides[0].messages) == 4, "one sentence per question"
    assert full_pack.slides[0].ask.startswith("The board is asked to")
    front = full_pack.subtitle_lines
    assert front[0] == "Integrated care board (ODS code QZZ)"
    for field in ("Owner:", "Date of the data: extracts up to", "Date of the paper:", "Version:"):
        assert any(line.startswith(field) for line in front), field
    assert front[-1].startswith("Classification: OFFICIAL-SENSITIVE")
    assert full_pack.classification == "OFFICIAL-SENSITIVE"


def test_full_pack_charts_carry_their_icons(full_pack):
    referrals, trend = full_pack.slides[1], full_pack.slides[2]
    assert "Planning band 8 to 12" in [badge.text for badge in referrals.badges]
    badges = [badge.text for badge in trend.badges]
    assert badges[0].startswith("Variation: ") and badges[1].startswith("Assurance: ")
    assert any("process limits" in message for message in trend.messages)
    names = [trace.name for trace in trend.figure.data]
    assert "Mean" in names and "Process limits" in names


def test_full_pack_charts_have_no_title_of_their_own_and_their_n_under_them(full_pack, full_deck):
    trend = full_deck.slides[3]
    assert re.search(r"^n = [\d,]+ referrals", slide_text(trend), re.MULTILINE)
    for content in full_pack.slides:
        if content.figure is not None:
            assert not for_slide(content.figure).layout.title.text, content.title


def test_finance_slide_gives_the_cost_change_with_its_caveats(full_pack):
    finance = full_pack.slides[5]
    text = " ".join((finance.title, *finance.messages))
    assert re.search(r"a change of −£\d", text), text
    # The total without false precision or a double negative ("fell by ... −£1,154,908").
    assert re.search(r"Across the [\d,]+ people: a fall of about £[\d.,]+( million)?,", text)
    assert "−£1," not in finance.title
    assert "6-month windows" in text
    assert "comparison cohort" in text
    assert "2022/23 prices" in text
    assert "PSSRU" in finance.notes


def test_full_pack_every_picture_has_its_own_alt_text(full_pack, full_deck):
    descriptions = [alt_text(p) for slide in full_deck.slides for p in pictures(slide)]
    assert len(descriptions) == sum(slide.figure is not None for slide in full_pack.slides) >= 7
    for description in descriptions:
        assert description and description != "image.png"
        assert description.endswith(".") and len(description) > 40
    assert len(set(descriptions)) == len(descriptions)


def test_full_pack_says_the_disclosure_rule_once_in_the_notes(full_deck):
    notes = [s.notes_slide.notes_text_frame.text for s in full_deck.slides if s.has_notes_slide]
    assert sum(note.count(report.SUPPRESSION_NOTE) for note in notes) == 1
    assert len(set(notes)) == len(notes), "no two slides share their notes"


def test_full_pack_pptx_and_pdf_have_the_same_slide_titles(full_pack, full_deck):
    content = boardpack.to_pdf(full_pack, tiny_png)
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == len(full_deck.slides) == boardpack.page_count(content, ".pdf")
    for page, slide in list(zip(pages, full_deck.slides, strict=True))[1:]:
        title = slide.shapes.title.text
        assert " ".join(title.split()) in " ".join(page.extract_text().split()), title


def test_full_pack_reads_as_plain_english(full_pack):
    texts = [*full_pack.subtitle_lines]
    for slide in full_pack.slides:
        texts += [slide.title, *slide.messages, slide.ask, slide.alt_text, slide.notes]
        texts += [text for pair in slide.definitions for text in pair]
    text = "\n".join(texts)
    assert not re.search(r"\b0\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", text)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a raw code"
    assert not re.search(r"\bNone\b|\bnan\b", text)
    assert not re.search(r"(?<![\w%])-[\d£]", text), "a hyphen for a minus sign"
    assert "ICB QZZ" not in text


def test_full_pack_says_each_headline_once_on_its_slide(full_pack):
    for slide in full_pack.slides:
        repeated = [m for m in slide.messages if m.split()[:7] == slide.title.split()[:7]]
        assert not repeated, slide.title


@pytest.fixture
def tiny_icb(con):
    """One PCN with five referrals: every count in the pack is small."""
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "St Mary's PCN"})
    add_rows(
        con,
        "referrals",
        *[
            {"referral_id": f"R{i}", "status": "completed", "first_contact_date": date(2025, 6, 5),
             "end_date": date(2025, 8, 1)}
            for i in range(5)
        ],
    )  # fmt: skip
    add_rows(
        con,
        "outcomes",
        *[{"referral_id": f"R{i}", "baseline_score": 2, "followup_score": 4} for i in range(3)],
    )
    add_rows(
        con,
        "utilisation",
        *[
            {"person_id": f"P-R{i}", "period": period, "count": 3}
            for i in range(3)
            for period in ("before", "after")
        ],
    )
    add_rows(con, "services", {"service_id": "S1"})
    add_rows(
        con,
        "onward_referrals",
        *[{"onward_id": f"O{i}", "referral_id": f"R{i}", "service_id": "S1"} for i in range(4)],
    )
    store.record_load(con, file_name="tiny.csv", kind="referrals", rows_read=5, accepted=5,
                      rejected=0)  # fmt: skip
    return con


def numbers_in_figure(figure) -> list[float]:
    values = []
    for trace in figure.data:
        for attribute in ("x", "y", "z", "text", "customdata"):
            data = getattr(trace, attribute, None)
            if data is None:
                continue
            for value in pd.Series(list(pd.core.common.flatten(data))):
                if isinstance(value, int | float) and not pd.isna(value):
                    values.append(float(value))
    return values


SMALL_IN_TEXT = re.compile(
    r"(?<![\d.,£])(?<!to )([1-7])\s+(referrals?|people|persons?|onward|scores?|services?)\b"
    r"|n\s*=\s*([1-7])(?![\d.,])"
)


def test_no_count_from_one_to_seven_leaves_in_the_pack(tiny_icb):
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    pack = report.build_pack(tiny_icb, filters)
    for slide in pack.slides:
        text = " ".join((slide.title, *slide.messages, slide.ask, slide.alt_text))
        found = SMALL_IN_TEXT.search(text)
        assert not found, f"{slide.title}: {found.group(0)!r}"
        if slide.table is not None:
            for value in slide.table.to_numpy().ravel():
                if isinstance(value, int | float) and not pd.isna(value):
                    assert not 1 <= value <= 7, f"{slide.title} table shows {value}"
        if slide.figure is not None:
            small = [v for v in numbers_in_figure(slide.figure) if 1 <= v <= 7]
            assert not small, f"{slide.title} chart carries {small}"
    assert "fewer than 8" in " ".join(pack.slides[1].messages)
    shown = [s for s in pack.slides if s.table is not None or s.figure is not None]
    assert all(slide.withheld for slide in shown), "every chart or table hides a small number"
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    for slide, content in zip(list(deck.slides)[1:], pack.slides, strict=True):
        assert (boardpack.WITHHELD_NOTE in slide_text(slide)) == content.withheld


def test_making_data_count_badges_carry_white_text_at_aa_contrast():
    from tests.test_palette import contrast_on_white

    colours = {n: v for n, v in vars(slide_charts).items() if n.startswith("MDC_")}
    assert len(colours) == 4
    assert {n: contrast_on_white(c) >= 4.5 for n, c in colours.items()} == dict.fromkeys(
        colours, True
    )


def test_the_paper_writes_ranges_with_a_dash_and_negatives_with_a_minus():
    from dashboard.output.wording import plain

    assert plain("band 8-12 (0.8%-1.2% of the list); change -17%, £-111") == (
        "band 8–12 (0.8%–1.2% of the list); change −17%, −£111"
    )


def test_a_pack_is_made_without_drawing_a_chart_and_each_chart_is_drawn_once(
    synthetic_db, monkeypatch
):
    # Presentation mode shows the executive summary the moment its sentences are known; a
    # slide's chart is drawn when the slide is shown or exported, not before.
    import plotly.graph_objects as go

    drawn = []
    made = go.Figure.__init__

    def counted(figure, *args, **kwargs):
        drawn.append(figure)
        made(figure, *args, **kwargs)

    with store.open_db(synthetic_db, read_only=True) as con:
        monkeypatch.setattr(go.Figure, "__init__", counted)
        pack = report.build_pack(con, summary.resolve_filters(con))
        assert drawn == [], "building the pack drew charts"
        funnel = pack.slides[1]
        assert funnel.figure is funnel.figure, "a slide's chart is drawn once, then kept"
        assert drawn, "showing a chart slide draws its chart"
        assert len(funnel.figure.data) > 1
        monkeypatch.undo()


def _views_made(con, filters) -> list:
    """Every View the packs for `filters` build."""
    from dashboard.measures import view

    made = []

    @dataclass(frozen=True)
    class Recorded(view.View):
        def __post_init__(self):
            made.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(view, "View", Recorded)
        for chosen in filters:
            report.build_pack(con, chosen)
    return made


def test_a_views_title_known_before_its_chart_is_the_title_it_is_drawn_with(synthetic_db, tiny_icb):
    from dashboard.measures.view import plain_title

    with store.open_db(synthetic_db, read_only=True) as con:
        whole = summary.resolve_filters(con)
        pcn = con.execute("select min(pcn_code) from pcns").fetchone()[0]
        made = _views_made(con, [
            whole,
            whole.model_copy(update={"pcns": (pcn,)}),
            whole.model_copy(update={"date_from": date(2031, 1, 1), "date_to": date(2031, 1, 31)}),
        ])  # fmt: skip
    made += _views_made(tiny_icb, [Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))])
    headed = [made_view for made_view in made if made_view.heading is not None]
    assert len({made_view.key for made_view in headed}) >= 7
    for made_view in headed:
        drawn = plain_title(made_view.figure.layout.title.text or "")
        assert made_view.title == drawn, made_view.key
