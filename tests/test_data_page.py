"""The Data page: upload through the real file_uploader, see the preview, load with one click."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.extracts import csv_text, rows


def _frame_with(at: AppTest, column: str):
    """The first table on the page with this column (AppTest does not expose dataframe keys)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_upload_shows_the_preview_and_loads_only_on_click(data_page):
    at = data_page
    extract = csv_text(
        rows("referrals", {}, {"referral_id": "R2"}, {"referral_id": "R3", "sex": "?"})
    )

    at.file_uploader(key="upload_files_0").set_value(("april.csv", extract.encode(), "text/csv"))
    at.run()

    assert not at.exception
    assert _metrics(at) == {"Rows read": "3", "Rows to accept": "2", "Rows to reject": "1"}
    assert at.selectbox(
        key=next(s.key for s in at.selectbox if s.key.startswith("kind_"))
    ).value == ("auto")
    rejections = _frame_with(at, "reason")
    assert rejections[["row", "column", "value"]].values.tolist() == [[4, "sex", "?"]]
    loaded_before = _frame_with(at, "Extract").set_index("Extract")["Rows"]["Referrals"]
    # What is loaded is shown through the disclosure gate like any count: 0 stays 0.
    assert loaded_before == "0"

    at.button(key="load_button").click()
    at.run()

    assert not at.exception
    assert "Loaded 2 rows from 1 file; 1 rejected." in at.success[0].value
    # The uploader's own feedback is exact; the tables of what is held are not: 2 rows is `*`.
    assert _frame_with(at, "Extract").set_index("Extract")["Rows"]["Referrals"] == "*"
    assert not at.metric  # the uploader is cleared once its files are loaded
    history = _frame_with(at, "rows_read")
    assert history[["file", "kind", "rows_read", "accepted", "rejected"]].values.tolist() == [
        ["april.csv", "Referrals", "*", "*", "*"]
    ]


def test_refused_upload_explains_why_and_cannot_be_loaded(data_page):
    at = data_page
    extract = csv_text([r | {"NHS number": "x"} for r in rows("referrals", {})])

    at.file_uploader(key="upload_files_0").set_value(("bad.csv", extract.encode(), "text/csv"))
    at.run()

    assert "must be pseudonymised" in at.error[0].value
    assert at.button(key="load_button").disabled


def test_kind_chosen_by_hand_overrides_recognition(data_page):
    at = data_page
    extract = csv_text(rows("services", {}))
    at.file_uploader(key="upload_files_0").set_value(("s.csv", extract.encode(), "text/csv"))
    at.run()
    kind = next(s for s in at.selectbox if s.key.startswith("kind_"))

    kind.set_value("referrals")
    at.run()

    assert "has no referral_id" in at.error[0].value
