import io
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
from dashboard.output import boardpack, images, report, summary
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
        subtitle_lines=("ICB QZZ", "01 April 2025 to 31 March 2026"),
        slides=(
            boardpack.Slide(
                "4 of 30 PCNs refer below the planning band",
                ("Referral rate rose 14% on last year", "Median wait 12 days"),
                figure=charts.empty("rates"),
                notes="Rate: referrals / list size x 1,000, annualised.",
            ),
            boardpack.Slide(
                "Data quality",
                ("6 of 6 extract kinds loaded",),
                table=pd.DataFrame({"kind": ["referrals"], "rows_read": [1000], "rejected": ["*"]}),
                notes="Rejected rows are listed on the Data page.",
            ),
        ),
        notes="Suppression applies.",
    )


def slide_text(slide) -> str:
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    for shape in slide.shapes:
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def test_pptx_has_a_title_slide_then_one_slide_per_view(pack):
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    assert len(deck.slides) == 3
    assert deck.slides[0].shapes.title.text == "Social prescribing: board report"
    assert "ICB QZZ" in slide_text(deck.slides[0])


def test_pptx_view_slide_has_its_chart_as_a_picture_and_its_key_messages(pack):
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    view = deck.slides[1]
    assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in view.shapes)
    text = slide_text(view)
    assert "4 of 30 PCNs refer below the planning band" in text
    assert "Referral rate rose 14% on last year" in text
    assert "annualised" in view.notes_slide.notes_text_frame.text


def test_pptx_counts_go_in_a_real_slide_table(pack):
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    tables = [s for s in deck.slides[2].shapes if s.has_table]
    assert len(tables) == 1
    cells = [c.text for row in tables[0].table.rows for c in row.cells]
    assert cells == ["kind", "rows read", "rejected", "referrals", "1,000", "*"]


def test_pdf_carries_the_same_titles_messages_and_notes(pack):
    reader = PdfReader(io.BytesIO(boardpack.to_pdf(pack, tiny_png)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 4  # title, two slides, notes
    for expected in (
        "Social prescribing: board report",
        "4 of 30 PCNs refer below the planning band",
        "Referral rate rose 14% on last year",
        "Rejected rows are listed on the Data page.",
    ):
        assert expected in text
    assert reader.pages[1].images, "the view page has no chart image"


def test_data_quality_slide_withholds_small_counts(con):
    store.record_load(con, file_name="a.csv", kind="referrals", rows_read=1003, accepted=998,
                      rejected=5)  # fmt: skip
    slide = report.data_quality_slide(con)
    assert slide.table.iloc[0]["rejected"] == "*"
    assert slide.table.iloc[0]["rows_read"] == 1005
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


def test_report_writes_a_pack_with_real_chart_images(synthetic_db, tmp_path):
    if images.browser_path() is None:
        if REQUIRE_BROWSER:
            pytest.fail("SP_REQUIRE_BROWSER=1 but chromium is missing")
        pytest.skip("chromium is not installed")
    out = tmp_path / "pack.pptx"
    assert main(["report", "--db", str(synthetic_db), "--out", str(out)]) == 0
    deck = Presentation(str(out))
    assert deck.slides[0].shapes.title.text == "Social prescribing: board report"


def test_report_title_names_the_selected_pcn(con):
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "St Mary's PCN"})
    add_rows(con, "referrals", {"referral_id": "R1"})
    filters = Filters(pcns=("U00001",), date_from=pd.Timestamp("2025-04-01").date(),
                      date_to=pd.Timestamp("2026-03-31").date())  # fmt: skip
    lines = report.title_lines(queries.runner(con), con, filters)
    assert lines[0] == "St Mary's PCN (U00001)"
    assert "both days included" in lines[1]


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


def test_full_pack_has_a_picture_on_every_view_slide(synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        pack = report.build_pack(con, summary.resolve_filters(con))
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    titles = [slide_text(s).splitlines()[0] for s in list(deck.slides)[1:]]
    assert len(deck.slides) == 1 + len(report.VIEW_SLIDES) + 1
    assert "PCNs refer below the planning band" in titles[0]
    assert titles[-1] == "Data quality"
    for slide in list(deck.slides)[1 : 1 + len(report.VIEW_SLIDES)]:
        assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
        assert 2 <= len(slide_text(slide).splitlines()) - 1 <= 3, "two or three key messages"
        assert slide.notes_slide.notes_text_frame.text


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


def test_no_count_from_one_to_seven_leaves_in_the_pack(tiny_icb):
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    pack = report.build_pack(tiny_icb, filters)
    for slide in pack.slides:
        text = " ".join((slide.title, *slide.messages))
        for small in ("5 referrals", "3 people", "4 onward"):
            assert small not in text, f"{slide.title}: {text}"
        if slide.table is not None:
            for value in slide.table.to_numpy().ravel():
                if isinstance(value, int | float) and not pd.isna(value):
                    assert not 1 <= value <= 7, f"{slide.title} table shows {value}"
        if slide.figure is not None:
            small = [v for v in numbers_in_figure(slide.figure) if 1 <= v <= 7]
            assert not small, f"{slide.title} chart carries {small}"
    assert "fewer than 8" in " ".join(pack.slides[0].messages)
    assert all(slide.withheld for slide in pack.slides), "every slide hides a small number"
    deck = Presentation(io.BytesIO(boardpack.to_pptx(pack, tiny_png)))
    assert all(boardpack.WITHHELD_NOTE in slide_text(s) for s in list(deck.slides)[1:])
