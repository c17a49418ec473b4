"""An attacker's reading of a tiny ICB: every page at ICB and small-PCN scope, the board pack
and `summary --json` are read back, and no count from 1 to 7 may be read or derived from them:
not printed, not in chart data, not by subtracting shown parts from shown totals, and not by
multiplying a shown rate by its public denominator.

The small PCN has 3 referrals, 2 people with outcomes, 2 with utilisation windows and 2
onward referrals; before the gate, all of these leaked (`n = 2 people with paired Wellbeing
Star scores`, the exact ICB total beside exact PCN counts, rates x list sizes)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.__main__ import main
from dashboard.data import store
from dashboard.measures.filters import Filters
from dashboard.output import report
from tests.factories import add_rows
from tests.pages import each_section

APP = "../dashboard/app.py"
PERIOD = {"from": "2025-04-01", "to": "2026-03-31"}
DAYS = 365
SMALL = "U00004"
BIG = {"U00001": 143, "U00002": 118, "U00003": 167}
LIST_SIZES = {"U00001": 12_000, "U00002": 11_000, "U00003": 15_000, SMALL: 9_000}
PAGES = ["overview", "referrals", "outcomes", "utilisation", "capacity", "data"]
SMALL_IN_TEXT = re.compile(
    r"(?<![\d.,£])(?<!to )([1-7])\s+(referrals?|people|persons?|onward|scores?|services?)\b"
    r"|n\s*=\s*([1-7])(?![\d.,])"
)


def _referrals(code: str, count: int) -> list[dict]:
    day = date(2025, 5, 1)
    return [
        {
            "referral_id": f"{code}-{i}",
            "person_id": f"P-{code}-{i}",
            "pcn_code": code,
            "referral_date": day + timedelta(days=i % 300),
            "first_contact_date": day + timedelta(days=i % 300 + i % 20),
            "status": ("completed", "declined", "engaged")[i % 3],
            "end_date": day + timedelta(days=i % 300 + 40) if i % 3 < 2 else None,
            "imd_decile": 1 + i % 10,
        }
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def tiny_icb(tmp_path_factory):
    path = tmp_path_factory.mktemp("attack") / "tiny.duckdb"
    con = store.connect(path)
    add_rows(con, "pcns", *[{"pcn_code": c, "pcn_name": f"PCN {c}", "list_size": n}
                            for c, n in LIST_SIZES.items()])  # fmt: skip
    referrals = [r for code, n in {**BIG, SMALL: 3}.items() for r in _referrals(code, n)]
    add_rows(con, "referrals", *referrals)
    people = [r for r in referrals if r["pcn_code"] != SMALL][::3] + [
        r for r in referrals if r["pcn_code"] == SMALL
    ][:2]
    domains = ("feeling_positive", "lifestyle", "looking_after_yourself", "managing_symptoms",
               "work_volunteering", "money", "where_you_live", "family_friends")  # fmt: skip
    add_rows(
        con,
        "outcomes",
        *[
            {"referral_id": r["referral_id"], "domain": d, "baseline_score": 1 + i % 3,
             "followup_score": 1 + (i + j) % 5}
            for i, r in enumerate(people)
            for j, d in enumerate(domains)
        ],
        *[
            {"referral_id": r["referral_id"], "measure": "swemwbs", "domain": "total",
             "baseline_score": 14 + i % 10, "followup_score": 17 + i % 12}
            for i, r in enumerate(people)
        ],
    )  # fmt: skip
    add_rows(
        con,
        "utilisation",
        *[
            {"person_id": r["person_id"], "setting": s, "period": p,
             "count": (i + len(s) + (p == "before")) % 4, "extract_date": date(2026, 1, 10)}
            for i, r in enumerate(people)
            for s in ("gp_appointment", "ae_attendance")
            for p in ("before", "after")
        ],
        *[
            {"person_id": f"C{i}", "setting": "gp_appointment", "period": p, "count": i % 5,
             "cohort": "comparison", "pcn_code": "U00001", "index_date": date(2025, 5, 1),
             "extract_date": date(2026, 1, 10)}
            for i in range(40)
            for p in ("before", "after")
        ],
    )  # fmt: skip
    add_rows(con, "services", {"service_id": "S1", "pcn_code": "U00001"},
             {"service_id": "S2", "pcn_code": SMALL, "monthly_capacity": 1})  # fmt: skip
    onward = [r for r in referrals if r["pcn_code"] != SMALL][::2] + [
        r for r in referrals if r["pcn_code"] == SMALL
    ][:2]
    add_rows(
        con,
        "onward_referrals",
        *[
            {"onward_id": f"O{i}", "referral_id": r["referral_id"],
             "service_id": "S2" if r["pcn_code"] == SMALL else "S1",
             "onward_date": r["referral_date"] + timedelta(days=10),
             "result": ("attended", "waitlisted", "declined_no_capacity")[i % 3]}
            for i, r in enumerate(onward)
        ],
    )  # fmt: skip
    store.record_load(con, file_name="tiny.csv", kind="referrals", rows_read=len(referrals),
                      accepted=len(referrals), rejected=3)  # fmt: skip
    con.close()
    return path


def _page_texts(app: AppTest) -> list[str]:
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        texts += [str(element.value) for element in app.get(kind)]
    for metric in app.metric:
        texts += [str(metric.label), str(metric.value), str(metric.proto.delta)]
    for frame in app.dataframe:
        texts += [" ".join(map(str, row)) for row in frame.value.astype(str).to_numpy()]
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        texts.append(json.dumps(spec.get("layout", {}).get("title", "")))
        for annotation in spec.get("layout", {}).get("annotations", []):
            texts.append(str(annotation.get("text", "")))
    return texts


@pytest.mark.parametrize("scope", ["icb", SMALL, "U00001"])
def test_no_page_prints_a_small_count(tiny_icb, monkeypatch, scope):
    monkeypatch.setenv(store.DB_ENV, str(tiny_icb))
    for page in PAGES:
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params.update(PERIOD)
        if scope != "icb":
            app.query_params["pcn"] = scope
        app.switch_page(f"views/{page}.py").run()
        assert not app.exception, f"{page} [{scope}]: {app.exception}"
        for section in each_section(app, page):
            for text in _page_texts(app):
                found = SMALL_IN_TEXT.search(text)
                assert not found, (
                    f"{page} {section} [{scope}] shows a small count: {found.group(0)!r} in "
                    f"{text!r}"
                )


@pytest.fixture
def copy(tiny_icb, tmp_path):
    """A copy of the tiny ICB: the pages' process holds the original open for writing."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(tiny_icb, path)
    return path


def _summary(capsys, db, *extra: str) -> dict:
    assert main(["summary", "--db", str(db), "--from", PERIOD["from"], "--to", PERIOD["to"],
                 *extra, "--json"]) == 0  # fmt: skip
    return json.loads(capsys.readouterr().out)


def test_summary_counts_are_withheld_or_multiples_of_5(copy, capsys):
    summary = _summary(capsys, copy)
    referrals = summary["referrals"]
    counts = [referrals["total"], *referrals["funnel"].values()]
    counts += [row["referrals"] for row in referrals["by_pcn"]]
    counts += [row["n"] for row in summary["outcomes"]["wellbeing_star"]]
    counts += [row.get("n_people") for row in summary["utilisation"]]
    counts += [row.get(k) for row in summary["capacity"] for k in ("demand", "unmet")]
    for value in counts:
        if isinstance(value, int | float) and value == int(value):
            assert value == 0 or value % 5 == 0, f"an exact count leaves in the JSON: {value}"


def test_subtraction_and_rates_do_not_give_back_the_small_pcns_referrals(copy, capsys):
    referrals = _summary(capsys, copy)["referrals"]
    rows = {row["pcn_code"]: row for row in referrals["by_pcn"]}
    assert rows[SMALL]["referrals"] == "*" and rows[SMALL]["rate_per_1000"] == "*"
    others = sum(rows[code]["referrals"] for code in BIG)
    assert referrals["total"] - others != 3, "ICB total minus the other PCNs gives the 3 back"
    for code, exact in BIG.items():
        back = rows[code]["rate_per_1000"] * LIST_SIZES[code] * DAYS / 365 / 1000
        assert round(back) != exact, f"{code}: rate x public list size gives back {exact}"
        assert round(back) % 5 == 0
    # The small PCN's own page: its count and rate stay withheld.
    own = _summary(capsys, copy, "--pcn", SMALL)["referrals"]
    assert own["total"] == "*"
    exact = _summary(capsys, copy, "--no-suppression")["referrals"]
    assert exact["total"] == sum(BIG.values()) + 3, "the analysts' flag still gives exact counts"


def test_the_board_pack_shows_no_small_count(copy):
    con = store.connect(copy)
    try:
        for pcns in ((), (SMALL,)):
            filters = Filters(pcns=pcns, date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
            pack = report.build_pack(con, filters)
            for slide in pack.slides:
                for text in (slide.title, *slide.messages, slide.notes):
                    found = SMALL_IN_TEXT.search(text)
                    assert not found, f"slide {slide.title!r} shows {found.group(0)!r}"
                if slide.table is not None:
                    for value in slide.table.to_numpy().ravel():
                        if isinstance(value, int | float) and value == value:
                            assert value == 0 or value % 5 == 0, f"{slide.title}: {value}"
    finally:
        con.close()
