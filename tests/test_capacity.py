"""VCSE capacity gaps: queries on hand-computed tables, the summary section, the page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.__main__ import main
from dashboard.data import store
from dashboard.measures import capacity, capacity_funding, capacity_views, queries
from dashboard.measures.disclosure import OFF, PROTECTED, Rules, applying, disclose
from dashboard.measures.filters import Filters
from tests.factories import add_rows
from tests.pages import open_section

SUMMER = Filters(date_from=date(2025, 6, 1), date_to=date(2025, 8, 31))
ALPHA, BETA = "U00001", "U00002"


def _referrals(con, pcn: str, count: int, prefix: str) -> list[str]:
    ids = [f"{prefix}{i}" for i in range(count)]
    add_rows(con, "referrals", *({"referral_id": r, "pcn_code": pcn} for r in ids))
    return ids


def _onward(con, referral_ids, prefix: str, **values) -> None:
    add_rows(
        con,
        "onward_referrals",
        *(
            {"onward_id": f"{prefix}{i}", "referral_id": r, **values}
            for i, r in enumerate(referral_ids)
        ),
    )


def _gaps(con, filters: Filters = SUMMER) -> pd.DataFrame:
    return queries.run(con, "capacity_gaps", capacity.params(filters)).set_index(
        ["pcn_code", "activity"]
    )


@pytest.fixture
def icb(con):
    """Alpha: gardening with 3 places a month (two open services, one paused), 4 onward
    referrals in June and 1 in July; arts with no service. Beta: walking at a closed service."""
    add_rows(
        con,
        "pcns",
        {"pcn_code": ALPHA, "pcn_name": "Alpha PCN"},
        {"pcn_code": BETA, "pcn_name": "Beta PCN"},
    )
    add_rows(
        con,
        "services",
        {"service_id": "S1", "pcn_code": ALPHA, "activity": "gardening", "monthly_capacity": 2},
        {"service_id": "S2", "pcn_code": ALPHA, "activity": "gardening", "monthly_capacity": 1},
        {
            "service_id": "S3",
            "pcn_code": ALPHA,
            "activity": "gardening",
            "monthly_capacity": 50,
            "status": "paused",
        },
        {
            "service_id": "S4",
            "pcn_code": BETA,
            "activity": "walking",
            "monthly_capacity": 10,
            "status": "closed",
        },
    )
    june = _referrals(con, ALPHA, 4, "RJ")
    _onward(con, june[:3], "OJ", service_id="S1", onward_date=date(2025, 6, 5))
    _onward(
        con, june[3:], "OJW", service_id=None, onward_date=date(2025, 6, 20), result="waitlisted"
    )
    _onward(
        con, _referrals(con, ALPHA, 1, "RL"), "OL", service_id="S2", onward_date=date(2025, 7, 1)
    )
    _onward(
        con, _referrals(con, ALPHA, 1, "RA"), "OA", activity="arts", onward_date=date(2025, 6, 9)
    )
    _onward(
        con,
        _referrals(con, BETA, 2, "RB"),
        "OB",
        service_id="S4",
        activity="walking",
        result="service_closed",
    )
    return con


def test_places_count_every_month_of_the_period_and_the_shortfall_only_months_short(icb):
    gardening = _gaps(icb).loc[(ALPHA, "gardening")]
    # June: 4 onward referrals (one with no service) against 3 places; July 1 against 3;
    # August none against 3. The period offered 9 places; June was 1 short.
    assert gardening["demand"] == 5
    assert gardening["capacity"] == 9
    assert gardening["gap"] == -4
    assert gardening["shortfall"] == 1
    assert gardening["months_with_demand"] == 2
    assert gardening["months_short"] == 1
    assert gardening["unmet"] == 1
    assert gardening["demand_pct_of_capacity"] == pytest.approx(5 / 9 * 100)


def test_pair_without_open_service_has_capacity_zero(icb):
    arts = _gaps(icb).loc[(ALPHA, "arts")]
    assert (arts["demand"], arts["capacity"], arts["gap"], arts["months_short"]) == (1, 0, 1, 1)
    assert pd.isna(arts["demand_pct_of_capacity"])


def test_closed_service_gives_no_places_but_its_referrals_are_demand_and_unmet(icb):
    walking = _gaps(icb).loc[(BETA, "walking")]
    assert (walking["demand"], walking["capacity"], walking["unmet"]) == (2, 0, 2)
    closed = queries.run(icb, "capacity_closed_services", capacity.params(SUMMER))
    assert closed[["service_id", "onward_referrals", "turned_away"]].values.tolist() == [
        ["S4", 2, 2]
    ]


def test_demand_takes_the_referrals_pcn_not_the_services(icb):
    beta = _referrals(icb, BETA, 1, "RX")
    _onward(icb, beta, "OX", service_id="S1", onward_date=date(2025, 6, 5))
    gaps = _gaps(icb)
    assert gaps.loc[(BETA, "gardening"), "demand"] == 1
    assert gaps.loc[(BETA, "gardening"), "capacity"] == 0
    assert gaps.loc[(ALPHA, "gardening"), "demand"] == 5


def test_onward_referrals_follow_the_period_by_onward_date_and_pcn_filter(icb):
    add_rows(icb, "referrals", {"referral_id": "RMAY", "referral_date": date(2025, 1, 5)})
    _onward(icb, ["RMAY"], "OMAY", onward_date=date(2025, 5, 31))
    _onward(icb, ["RMAY"], "OJUN", onward_date=date(2025, 6, 1))
    assert _gaps(icb).loc[(ALPHA, "gardening"), "demand"] == 6
    beta_only = _gaps(icb, SUMMER.model_copy(update={"pcns": (BETA,)}))
    assert beta_only.index.tolist() == [(BETA, "walking")]


def test_the_demand_total_is_what_the_pairs_add_up_to_in_whole_and_part_months(icb):
    # The Overview's tile reads the totals alone: they must be the gaps' pairs added up,
    # for whole months (pre-summed), part months (from the facts) and a PCN filter.
    beta = _referrals(icb, BETA, 1, "RX")
    _onward(icb, beta, "OX", service_id="S1", onward_date=date(2025, 7, 15), result="waitlisted")
    for filters in (
        SUMMER,
        Filters(date_from=date(2025, 6, 10), date_to=date(2025, 7, 20)),
        Filters(date_from=date(2025, 6, 20), date_to=date(2025, 6, 20)),
        SUMMER.model_copy(update={"pcns": (BETA,)}),
        SUMMER.model_copy(update={"pcns": ("U99999",)}),
    ):
        pairs = _gaps(icb, filters)
        total = queries.run(icb, "capacity_demand_total", capacity.params(filters)).iloc[0]
        assert (total["demand"], total["unmet"]) == (
            pairs["demand"].sum(),
            pairs["unmet"].sum(),
        ), filters
    summer = queries.run(icb, "capacity_demand_total", capacity.params(SUMMER)).iloc[0]
    assert (summer["demand"], summer["unmet"]) == (9, 4)


def test_monthly_drilldown_shows_every_month_of_the_period(icb):
    months = queries.run(
        icb, "capacity_monthly", {**SUMMER.params(), "pcn": ALPHA, "activity": "gardening"}
    )
    assert months["month"].dt.month.tolist() == [6, 7, 8]
    assert months["demand"].tolist() == [4, 1, 0]
    assert months["capacity"].tolist() == [3, 3, 3]
    assert months["gap"].tolist() == [1, -2, -3]
    assert months["unmet"].tolist() == [1, 0, 0]


def test_funding_ending_lists_services_ending_within_six_months_of_the_period_end(icb):
    ends = {
        "E_IN_SOON": date(2025, 9, 15),
        "E_IN_LAST": date(2026, 2, 28),
        "E_TOO_LATE": date(2026, 3, 15),
        "E_ALREADY": date(2025, 8, 1),
    }
    add_rows(
        icb,
        "services",
        *(
            {"service_id": s, "funding": "time_limited", "funding_end_date": d}
            for s, d in ends.items()
        ),
        {
            "service_id": "E_CLOSED",
            "funding": "time_limited",
            "funding_end_date": date(2025, 10, 1),
            "status": "closed",
        },
    )
    _onward(icb, _referrals(icb, ALPHA, 2, "RE"), "OE", service_id="E_IN_SOON")
    ending = queries.run(
        icb, "capacity_funding_ending", {**capacity.params(SUMMER), "data_date": SUMMER.date_to}
    )
    assert ending["service_id"].tolist() == ["E_IN_SOON", "E_IN_LAST"]
    assert ending["demand"].tolist() == [2, 0]
    assert ending["funding_end_date"].iloc[0].date() == date(2025, 9, 15)


def test_funding_ends_are_measured_from_the_datas_date_not_the_periods_end(icb):
    # The summer period ends on 31 August, but the data runs to 1 December: funding that ended
    # in October is over, not upcoming; funding ending in February is within 6 months.
    add_rows(icb, "referrals", {"referral_id": "RDEC", "referral_date": date(2025, 12, 1)})
    add_rows(
        icb,
        "services",
        {"service_id": "E_OCT", "funding": "time_limited", "funding_end_date": date(2025, 10, 1)},
        {"service_id": "E_FEB", "funding": "time_limited", "funding_end_date": date(2026, 2, 1)},
    )
    run = lambda name, params: queries.run(icb, name, params)  # noqa: E731
    heading, ending = capacity_funding.funding_ending(run, SUMMER)
    assert ending.frame["service_id"].tolist() == ["E_FEB"]
    assert heading.startswith("Funding ends between 1 Dec 2025 (the data's date) and 1 Jun 2026")


def test_funding_share_counts_demand_by_service_funding(icb):
    with applying(OFF):  # the arithmetic on a handful of referrals, before disclosure
        add_rows(icb, "services", {"service_id": "T1", "funding": "time_limited"})
        _onward(icb, _referrals(icb, ALPHA, 1, "RT"), "OT", service_id="T1")
        funding = queries.run(icb, "capacity_funding_share", capacity.params(SUMMER))
        by = funding.set_index("funding")
        # Funded: S1 x3, S2, S4 x2; time-limited: T1; no service: the waitlisted one and arts.
        assert by["demand"].to_dict() == {"funded": 6, "time_limited": 1, "no_service_recorded": 2}
        share, n = capacity.risky_share(funding)
        assert (share, n) == (pytest.approx(100 / 9), 9)


def test_funding_share_follows_the_referrals_pcn_and_the_icb_counts_every_onward_referral(icb):
    with applying(OFF):
        # An onward referral whose referral is not loaded has no PCN: the ICB counts it, no
        # PCN does.
        _onward(icb, ["R-not-loaded"], "ONL", service_id="S1", onward_date=date(2025, 6, 6))

        def demand(pcns=()):
            filters = SUMMER.model_copy(update={"pcns": pcns})
            funding = queries.run(icb, "capacity_funding_share", capacity.params(filters))
            return funding.set_index("funding")["demand"].to_dict()

        assert demand() == {"funded": 7, "no_service_recorded": 2}
        assert demand((ALPHA,)) == {"funded": 4, "no_service_recorded": 2}
        assert demand((BETA,)) == {"funded": 2}
        assert demand(("U99999",)) == {}


def test_activities_roll_up_to_nihr_groups(icb):
    _onward(icb, _referrals(icb, BETA, 3, "RC"), "OC", activity="cooking")
    pairs = _gaps(icb)
    assert pairs["nihr_group"].to_dict() == {
        (ALPHA, "gardening"): "natural world",
        (ALPHA, "arts"): "arts and creativity",
        (BETA, "walking"): "natural world",
        (BETA, "cooking"): "other",
    }
    groups = capacity.by_group(pairs.reset_index()).set_index("nihr_group")
    assert groups.loc["natural world", "demand"] == 7  # Alpha gardening 5 + Beta walking 2
    assert groups.loc["natural world", "capacity"] == 9  # 3 places x 3 months
    assert groups.loc["natural world", "unmet"] == 3
    assert groups.loc["natural world", "months_short"] == 2  # Alpha June, Beta June
    assert groups.loc["arts and creativity", "demand"] == 1
    assert groups.loc["other", "demand"] == 3


def test_unmet_reasons_split_by_activity_and_pcn(icb):
    _onward(
        icb,
        _referrals(icb, BETA, 2, "RD"),
        "OD",
        activity="walking",
        result="declined_no_capacity",
        onward_date=date(2025, 7, 2),
    )
    reasons = queries.run(icb, "capacity_unmet_reasons", capacity.params(SUMMER))
    by_activity = capacity.unmet_by(reasons, "activity").set_index("activity")
    assert by_activity.loc["walking"].to_dict() == {
        "unmet": 4,
        "waitlisted": 0,
        "declined_no_capacity": 2,
        "service_closed": 2,
    }
    assert by_activity.loc["gardening", "waitlisted"] == 1
    by_pcn = capacity.unmet_by(reasons, "pcn_name")
    assert by_pcn[["pcn_name", "unmet"]].values.tolist() == [["Beta PCN", 4], ["Alpha PCN", 1]]


def _summary(con, policy) -> tuple[list[dict], object]:
    def run(name, params):
        return queries.run(con, name, params)

    with applying(policy):
        section = capacity_views.summary_section(run, SUMMER)
        return section, capacity_views.summary_months_short(run, SUMMER)


def test_summary_capacity_section_has_the_issues_shape(icb):
    rows, months_short = _summary(icb, OFF)
    shortfalls = [row.pop("shortfall") for row in rows]
    assert shortfalls[0::2] == [1, 2]
    assert rows == [
        {"pcn_code": ALPHA, "activity": "arts", "demand": 1, "capacity": 0, "gap": 1, "unmet": 0},
        {
            "pcn_code": ALPHA,
            "activity": "gardening",
            "demand": 5,
            "capacity": 9,
            "gap": -4,
            "unmet": 1,
        },
        {"pcn_code": BETA, "activity": "walking", "demand": 2, "capacity": 0, "gap": 2, "unmet": 2},
    ]
    assert months_short == 3


def test_summary_capacity_withholds_small_counts_and_rounds_others(icb):
    add_rows(icb, "services", {"service_id": "SP", "activity": "sport", "monthly_capacity": 33})
    _onward(
        icb,
        _referrals(icb, ALPHA, 20, "RS"),
        "OS",
        activity="sport",
        result="declined_no_capacity",
    )
    rows = {(r["pcn_code"], r["activity"]): r for r in _summary(icb, PROTECTED)[0]}
    assert rows[(ALPHA, "gardening")].pop("shortfall") == "*"  # built on 5 onward referrals
    assert rows[(ALPHA, "sport")].pop("shortfall") == 0  # 20 against 33 places
    # Places are a service's published offer, shown as they are; the gap is worked from the
    # shown demand, so places and gap together give back only the rounded demand.
    assert rows[(ALPHA, "gardening")] == {
        "pcn_code": ALPHA,
        "activity": "gardening",
        "demand": "*",
        "capacity": 9,
        "gap": "*",
        "unmet": "*",
    }
    assert rows[(ALPHA, "sport")] == {
        "pcn_code": ALPHA,
        "activity": "sport",
        "demand": 20,
        "capacity": 99,  # 33 places a month over the 3 summer months
        "gap": -79,
        "unmet": 20,
    }


def test_summary_cli_json_carries_capacity_keys(icb, db_path, capsys):
    icb.close()
    argv = ["summary", "--json", "--db", str(db_path), "--from", "2025-06-01", "--to", "2025-08-31"]
    assert main([*argv, "--no-suppression"]) == 0
    out = json.loads(capsys.readouterr().out)
    keys = {"pcn_code", "activity", "demand", "capacity", "gap", "shortfall", "unmet"}
    assert keys == set(out["capacity"][0])
    assert len(out["capacity"]) == 3
    assert out["capacity_months_short"] == 3
    assert main([*argv, "--pcn", BETA]) == 0
    beta = json.loads(capsys.readouterr().out)
    assert [(r["pcn_code"], r["demand"]) for r in beta["capacity"]] == [(BETA, "*")]


def _app(monkeypatch, path: Path, pcn: str | None = None) -> AppTest:
    """The capacity page, optionally filtered to one PCN through the shareable URL."""
    monkeypatch.setenv("SP_DASHBOARD_DB", str(path))
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    if pcn:
        at.query_params["pcn"] = pcn
    at.run()
    assert not at.exception, "the overview, which shows the capacity headline, failed"
    at.switch_page("views/capacity.py")
    return at.run()


MONTH_BY_MONTH = "Month by month, for one PCN and activity"


def test_capacity_page_renders_for_the_icb_and_drills_down_by_key(monkeypatch, app_db):
    at = _app(monkeypatch, app_db)
    assert not at.exception
    assert at.title[0].value == "VCSE capacity"
    at.radio(key="capacity_heatmap_measure").set_value("demand_pct_of_capacity").run()
    assert not at.exception
    open_section(at, "capacity", MONTH_BY_MONTH)
    assert len(at.selectbox(key="capacity_pcn").options) > 1
    at.selectbox(key="capacity_activity").set_value("walking").run()
    assert not at.exception
    assert any("Walking in" in str(chart.proto.spec) for chart in at.get("plotly_chart"))


def test_capacity_page_renders_with_a_pcn_filter(monkeypatch, synthetic_db, app_db):
    # From the original: the app in this process holds its copy open for writing.
    with store.open_db(synthetic_db, read_only=True) as con:
        pcn = con.execute("select min(pcn_code) from pcns").fetchone()[0]
    at = _app(monkeypatch, app_db, pcn)
    assert not at.exception
    drill = open_section(at, "capacity", MONTH_BY_MONTH).selectbox(key="capacity_pcn")
    assert drill.value == pcn
    assert len(drill.options) == 1
    assert "VCSE capacity" in at.title[0].value


def test_display_table_marks_withheld_counts_and_labels_codes():
    frame = pd.DataFrame(
        {
            "activity": ["advice_money", "walking"],
            "funding": ["time_limited", "funded"],
            "funding_end_date": pd.to_datetime(["2026-04-14", "2026-05-01"]),
            "demand": [3, 40],
        }
    )
    shown = capacity.display_table(
        disclose(frame, Rules(counts=("demand",))),
        {"activity": "Activity", "funding": "Funding", "funding_end_date": "Ends", "demand": "n"},
    )
    assert shown.to_dict("list") == {
        "Activity": ["Advice and money", "Walking"],
        "Funding": ["Time-limited", "Funded"],
        "Ends": ["14 Apr 2026", "1 May 2026"],
        "n": ["*", "40"],
    }


def test_a_quiet_month_never_cancels_a_busy_months_shortfall(con):
    # Walking in one PCN: May 12 onward referrals against 10 places, June 3 against 10.
    add_rows(con, "pcns", {"pcn_code": "U00001", "pcn_name": "Walk PCN"})
    add_rows(con, "services", {"service_id": "W1", "activity": "walking", "monthly_capacity": 10})
    days = [date(2025, 5, 2)] * 12 + [date(2025, 6, 2)] * 3
    add_rows(con, "referrals", *[{"referral_id": f"R{i}"} for i in range(len(days))])
    add_rows(
        con,
        "onward_referrals",
        *[
            {"onward_id": f"O{i}", "referral_id": f"R{i}", "service_id": "W1",
             "activity": "walking", "onward_date": day}
            for i, day in enumerate(days)
        ],
    )  # fmt: skip
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    [pair] = queries.run(con, "capacity_gaps", capacity.params(filters)).to_dict("records")
    # The year offered 120 places and the netted gap says 105 were spare; yet 2 people in May
    # found no place.
    assert (pair["demand"], pair["capacity"], pair["gap"]) == (15, 120, -105)
    assert pair["shortfall"] == 2
