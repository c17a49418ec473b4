"""Sign-in end to end: a real OIDC identity provider on loopback (tests/identity_provider.py),
`streamlit run` with `[auth]` pointing at it, and Debian's chromium signing in as each role of
an access file. What each person can and cannot see is read off the page text, the charts'
data in the browser, and a downloaded CSV."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dashboard import access
from dashboard.data import audit
from dashboard.devtools.bench.redraw import DRAWN
from dashboard.devtools.browser import free_port, serve
from tests import identity_provider
from tests.test_access import access_file

pytestmark = pytest.mark.browser
PCN_CODE = re.compile(r"U\d{5}")
PEOPLE = {
    "commissioner@icb.example.nhs.uk": "Commissioner",
    "cd@larch.example.nhs.uk": "Dr Larch",
    "analyst@icb.example.nhs.uk": "Analyst",
    "admin@icb.example.nhs.uk": "Admin",
    "stranger@elsewhere.example.com": "Stranger",
}


@pytest.fixture(scope="module")
def signed_in_server(synthetic_db, tmp_path_factory, own):
    """The dashboard with sign-in through a loopback identity provider: (url, db, provider)."""
    home = tmp_path_factory.mktemp("sign-in")
    db = home / "dashboard.duckdb"
    shutil.copy(synthetic_db, db)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with identity_provider.running(people=PEOPLE) as provider:
        secrets = home / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "{url}/oauth2callback"\n'
            'cookie_secret = "a-cookie-secret-for-the-sign-in-test-only"\n'
            f'client_id = "{provider.client_id}"\n'
            f'client_secret = "{provider.client_secret}"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n',
            encoding="utf-8",
        )
        env = {access.ACCESS_ENV: str(access_file(home / "access.toml", own))}
        try:
            process, served = serve(
                db, home / "streamlit.log", port=port, env=env,
                options=("--secrets.files", str(secrets)),
            )  # fmt: skip
        except RuntimeError as error:
            pytest.fail(str(error))
        assert served == url
        try:
            yield url, db, provider
        finally:
            process.terminate()
            process.wait(timeout=20)


def sign_in(browser, url: str, email: str, path: str = ""):
    """A fresh browser (no cookies) signing in as `email`; returns the page, settled."""
    from playwright.sync_api import expect

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/{path}")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stApp")).to_be_visible(timeout=30_000)
    settled(page)
    if path:
        page.goto(f"{url}/{path}")  # the sign-in comes back to the home page
        settled(page)
    return page


def settled(page) -> None:
    """The page's run has ended and every chart on it is drawn (a chart's data is read from
    the browser once Plotly has drawn it)."""
    page.wait_for_function(DRAWN, timeout=60_000, polling="raf")


def chart_data(page) -> str:
    """The data of every chart as the browser holds it."""
    return page.evaluate(
        "() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(chart => [chart.data, chart.layout]))"
    )


def first_csv(page, tmp_path: Path) -> str:
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the data (CSV)").first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved.read_text(encoding="utf-8-sig")


def named_others(text: str, icb: dict[str, str], own: str) -> list[str]:
    others = [name for code, name in icb.items() if code != own and name not in icb[own]]
    codes = set(PCN_CODE.findall(text)) & set(icb) - {own}
    return [name for name in others if name in text] + sorted(codes)


def test_a_pcn_user_sees_their_pcn_by_name_and_no_other_anywhere(
    browser, signed_in_server, icb, own, tmp_path
):
    url, _, provider = signed_in_server
    page = sign_in(browser, url, "cd@larch.example.nhs.uk", "referrals")
    text = page.inner_text("body")
    charts = chart_data(page)
    assert icb[own] in text and "Peer PCN" in charts
    assert not named_others(text, icb, own), "page text names another PCN"
    assert not named_others(charts, icb, own), "chart data names another PCN"
    csv = first_csv(page, tmp_path)
    assert not named_others(csv, icb, own), "a CSV names another PCN"
    other = next(code for code in icb if code != own)
    page.goto(f"{url}/referrals?pcn={other}")
    settled(page)
    text = page.inner_text("body")
    assert f"Ignored pcn={other}: not one of your PCNs" in text  # `code` drops its backticks
    # The notice repeats the code the link gave, and nothing more of that PCN.
    text = text.replace(f"pcn={other}", "")
    assert not named_others(text + chart_data(page), icb, own)
    assert "cd@larch.example.nhs.uk" in provider.signed_in
    page.context.close()


def test_an_unknown_person_sees_no_data_only_whom_to_ask(browser, signed_in_server):
    url, _, _ = signed_in_server
    page = sign_in(browser, url, "stranger@elsewhere.example.com")
    text = page.inner_text("body")
    assert "No access" in text and "the ICB BI team" in text
    assert page.locator(".js-plotly-plot").count() == 0
    page.context.close()


def test_each_role_sees_its_own_controls_and_the_trail_records_them(
    browser, signed_in_server, icb, tmp_path
):
    from playwright.sync_api import expect

    url, db, _ = signed_in_server
    commissioner = sign_in(browser, url, "commissioner@icb.example.nhs.uk", "data")
    assert commissioner.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    assert "Audit trail" not in commissioner.inner_text("body")
    commissioner.goto(f"{url}/referrals")
    settled(commissioner)
    assert sum(name in chart_data(commissioner) for name in icb.values()) > 1
    commissioner.context.close()

    analyst = sign_in(browser, url, "analyst@icb.example.nhs.uk", "data")
    # Waited for, not counted at once: on a busy machine the uploader is drawn a moment after
    # the page's script reports it has finished.
    expect(analyst.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1, timeout=30_000)
    assert "Audit trail" not in analyst.inner_text("body")
    assert first_csv(analyst, tmp_path)
    analyst.context.close()

    admin = sign_in(browser, url, "admin@icb.example.nhs.uk", "data")
    assert "Audit trail" in admin.inner_text("body")
    admin.context.close()

    trail = audit.trail(db)
    signed = set(trail.loc[trail["action"] == "sign-in", "who"])
    assert {"commissioner@icb.example.nhs.uk", "analyst@icb.example.nhs.uk",
            "admin@icb.example.nhs.uk"} <= signed  # fmt: skip
    exports = trail.loc[trail["action"] == "export"]
    assert (exports["who"] == "analyst@icb.example.nhs.uk").any(), "the CSV is recorded"
