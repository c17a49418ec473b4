"""Sign-in, access by role and PCN, and the audit trail, as each person would meet them: the
real app through AppTest with `st.user` set as Streamlit sets it after an OIDC sign-in, on the
synthetic ICB. The browser and a real identity provider are in test_access_browser.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access
from dashboard.__main__ import main
from dashboard.data import audit, store
from dashboard.measures import queries
from dashboard.measures.filters import Filters
from dashboard.measures.scope import Scope, mask, masked, peer_label, within
from dashboard.output import report
from tests.extracts import rows, write_csv
from tests.pages import each_section

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = ["overview", "referrals", "outcomes", "utilisation", "capacity", "data", "present"]
CONTACT = "the ICB BI team (bi@icb.example.nhs.uk)"
# As Streamlit documents [auth]; the provider is never reached here (st.user is given).
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "dashboard",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
PCN_CODE = re.compile(r"U\d{5}")


def access_file(path: Path, own: str) -> Path:
    path.write_text(
        f"""
contact = "{CONTACT}"

[[users]]
email = "commissioner@icb.example.nhs.uk"
role = "commissioner"

[[users]]
email = "CD@Larch.example.nhs.uk"
role = "pcn"
pcns = ["{own}"]
name = "Dr Larch"

[[users]]
email = "analyst@icb.example.nhs.uk"
role = "analyst"

[[users]]
email = "admin@icb.example.nhs.uk"
role = "admin"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def served(synthetic_db, tmp_path, monkeypatch, own) -> Path:
    """A copy of the synthetic ICB served with sign-in configured and an access file."""
    db = tmp_path / "dashboard.duckdb"
    shutil.copy(synthetic_db, db)
    monkeypatch.setenv(store.DB_ENV, str(db))
    monkeypatch.setenv(access.ACCESS_ENV, str(access_file(tmp_path / "access.toml", own)))
    return db


def as_user(email: str | None, page: str = "overview", **params: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": email is not None, **({"email": email} if email else {})}
    app.query_params.update(params)
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def everything_shown(app: AppTest) -> str:
    """All a person could read off the page: text, tables, and every chart's full data."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):  # fmt: skip
        parts += [str(element.value) for element in app.get(kind)]
    for metric in app.metric:
        parts += [str(metric.label), str(metric.value), str(metric.proto.delta)]
    for frame in app.dataframe:
        parts.append(frame.value.to_csv())
    for box in app.multiselect:
        parts += [str(option) for option in box.options]
    parts += [chart.proto.spec for chart in app.get("plotly_chart")]
    return "\n".join(parts)


def test_without_sign_in_nothing_is_shown_but_the_sign_in_button(served):
    app = as_user(None)
    assert app.button(key="sign_in")
    assert not app.get("plotly_chart") and not app.metric and not app.multiselect


def test_a_signed_in_person_not_in_the_access_file_sees_whom_to_ask(served):
    app = as_user("stranger@elsewhere.example.com", "referrals")
    assert app.title[0].value == "No access"
    assert CONTACT in app.error[0].value
    assert not app.get("plotly_chart") and not app.metric and not app.dataframe
    refused = audit.trail(served)
    assert refused.iloc[0]["action"] == "refused"
    assert refused.iloc[0]["who"] == "stranger@elsewhere.example.com"


def test_an_unreadable_access_file_lets_nobody_in(served, tmp_path, monkeypatch):
    broken = tmp_path / "broken.toml"
    broken.write_text('[[users]]\nemail = "admin@icb.example.nhs.uk"\nrole = "superuser"\n')
    monkeypatch.setenv(access.ACCESS_ENV, str(broken))
    app = as_user("admin@icb.example.nhs.uk")
    assert app.title[0].value == "No access"
    assert "user 1, role" in " ".join(c.value for c in app.caption)


@pytest.mark.parametrize("page", PAGES)
def test_a_pcn_user_sees_no_other_pcn_by_name_or_code(served, icb, own, page):
    app = as_user("cd@larch.example.nhs.uk", page)
    shown = "\n".join(everything_shown(app) for _ in each_section(app, page))
    others = [name for code, name in icb.items() if code != own and name not in icb[own]]
    leaked = [name for name in others if name in shown]
    assert not leaked, f"{page} names other PCNs: {leaked[:3]}"
    # (The data dictionary's example code is no PCN of the ICB.)
    assert set(PCN_CODE.findall(shown)) & set(icb) <= {own}, f"{page} shows other PCN codes"
    assert app.multiselect(key="pcn").options == [f"{icb[own]} ({own})"]


def test_a_pcn_user_still_sees_peers_unnamed_in_the_comparisons(served, own):
    shown = everything_shown(as_user("cd@larch.example.nhs.uk", "referrals"))
    assert "Peer PCN " in shown  # the funnel plot and the rate table keep the other PCNs


def test_a_link_to_another_pcn_is_refused_with_a_notice(served, icb, own):
    other = list(icb)[1]
    app = as_user("cd@larch.example.nhs.uk", "referrals", pcn=other)
    notices = " ".join(w.value for w in app.warning)
    assert f"Ignored `pcn={other}`: not one of your PCNs" in notices
    assert app.multiselect(key="pcn").value == []
    assert icb[other] not in everything_shown(app)


def test_a_commissioner_sees_every_pcn_but_no_loading_controls(served, icb):
    app = as_user("commissioner@icb.example.nhs.uk", "data")
    assert len(app.multiselect(key="pcn").options) == len(icb)
    assert not app.get("file_uploader")
    assert not any(b.key == "rollback" for b in app.button)
    assert "Audit trail" not in [s.value for s in app.subheader]


def test_an_analyst_loads_and_an_admin_also_sees_the_audit_trail(served):
    analyst = as_user("analyst@icb.example.nhs.uk", "data")
    assert analyst.get("file_uploader")
    assert "Audit trail" not in [s.value for s in analyst.subheader]
    admin = as_user("admin@icb.example.nhs.uk", "data")
    assert admin.get("file_uploader")
    assert "Audit trail" in [s.value for s in admin.subheader]
    trail = next(frame.value for frame in admin.dataframe if "who" in frame.value.columns)
    assert {"analyst@icb.example.nhs.uk", "admin@icb.example.nhs.uk"} <= set(trail["who"])


def test_without_auth_the_dashboard_runs_open_and_says_so(served):
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert any("Open for local use" in i.value for i in app.info)
    assert app.get("plotly_chart")


def test_the_audit_trail_records_a_sequence_of_actions(served, tmp_path, capsys):
    as_user("cd@larch.example.nhs.uk")
    as_user("cd@larch.example.nhs.uk", "referrals")  # a new session signs in again
    pcns = write_csv(tmp_path / "pcns.csv", rows("pcns", {}))
    assert main(["load", "pcns", str(pcns), "--db", str(served)]) == 0
    assert main(["rollback", "--db", str(served)]) == 0
    assert main(["summary", "--db", str(served), "--json"]) == 0
    capsys.readouterr()
    trail = audit.trail(served).iloc[::-1]  # oldest first
    actions = list(zip(trail["action"], trail["via"], strict=True))
    assert actions == [
        ("sign-in", "dashboard"),
        ("sign-in", "dashboard"),
        ("load", "command line"),
        ("rollback", "command line"),
        ("export", "command line"),
    ]
    assert trail.iloc[0]["who"] == "cd@larch.example.nhs.uk"
    assert trail.iloc[2]["who"] == audit.command_line_user()
    assert trail.iloc[2]["what"] == "loaded pcns.csv as pcns"  # no row counts: they are not gated
    assert "whole ICB" in trail.iloc[4]["filters"]


def test_a_pcn_users_board_pack_names_only_their_pcn(synthetic_db, icb, own):
    with store.open_db(synthetic_db, read_only=True) as con:
        filters = Filters(pcns=(own,), date_from="2024-04-01", date_to="2025-03-31")
        pack = report.build_pack(con, filters, Scope(frozenset({own})))
    text = json.dumps(
        [pack.subtitle_lines]
        + [[s.title, s.messages, s.notes, None if s.table is None else s.table.to_csv(),
            None if s.figure is None else s.figure.to_json()] for s in pack.slides],
        default=str,
    )  # fmt: skip
    assert icb[own] in text
    assert set(PCN_CODE.findall(text)) <= {own}
    assert not [name for code, name in icb.items() if code != own and name in text]


def test_every_query_masked_to_a_pcn_names_no_other(synthetic_db, icb, own):
    scope = Scope(frozenset({own}))
    filters = Filters(pcns=(own,), date_from="2024-04-01", date_to="2025-03-31")
    params = {**filters.params(), "band_low": 6.0, "band_high": 10.0}
    with store.open_db(synthetic_db, read_only=True) as con:
        run = masked(lambda name, p: queries.run(con, name, p), scope)
        for name in queries.names():
            bound = {k: params.get(k) for k in queries.parameters(name)}
            if None in bound.values():
                continue  # a query with parameters of its own, run by its page
            text = run(name, bound).to_csv()
            assert set(PCN_CODE.findall(text)) <= {own}, name
            assert not [n for c, n in icb.items() if c != own and n in text], name


def test_mask_labels_other_pcns_alike_everywhere_and_keeps_the_own():
    scope = Scope(frozenset({"U00001"}))
    import pandas as pd

    frame = pd.DataFrame({"pcn_code": ["U00001", "U00002", None], "pcn_name": ["A", "B", None]})
    shown = mask(frame, scope)
    assert shown["pcn_name"].tolist()[:2] == ["A", peer_label("U00002")]
    assert shown["pcn_code"].tolist()[1] == shown["pcn_name"].tolist()[1]
    assert mask(frame, Scope()) is frame
    assert within({"pcns": []}, scope)["pcns"] == ["U00001"]
    assert within({"pcns": ["U00002"]}, scope)["pcns"] == ["U00001"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[users]]\nemail = "a@b.nhs.uk"\nrole = "pcn"\n', "user 1: a pcn user needs `pcns`"),
        ('[[users]]\nemail = "a@b.nhs.uk"\nrole = "analyst"\npcns = ["U00001"]\n',
         "limits only the pcn role"),
        ('[[users]]\nemail = "a@b.nhs.uk"\nrole = "pcn"\npcns = ["X1"]\n',
         "user 1, pcns: a PCN code is U and five digits"),
        ('[[users]]\nemail = "a@b.nhs.uk"\nrole = "admin"\n[[users]]\nemail = "A@b.nhs.uk"\n'
         'role = "pcn"\npcns = ["U00001"]\n', "appear twice"),
        ('[[users]]\nemail = "not an address"\nrole = "admin"\n', "user 1, email"),
        ("[[users]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_wrong_access_file_is_refused_saying_where(tmp_path, text, problem):
    path = tmp_path / "access.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(access.AccessError, match=re.escape(problem)):
        access.read_access(path)


def test_the_access_file_matches_emails_whatever_their_case(tmp_path, own):
    listed = access.read_access(access_file(tmp_path / "access.toml", own))
    person = listed.find("cd@LARCH.example.nhs.uk")
    assert person.role == "pcn" and person.named_pcns == {own}
    assert listed.find("nobody@icb.example.nhs.uk") is None
    assert not person.can_load and listed.find("analyst@icb.example.nhs.uk").can_load
    with pytest.raises(access.AccessError, match="no access file"):
        access.read_access(tmp_path / "missing.toml")
