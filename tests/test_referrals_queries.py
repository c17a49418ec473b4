"""Referral queries on tiny hand-computed tables."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.data import store
from dashboard.measures import funnel, queries, reach, waits
from dashboard.measures.filters import Filters
from dashboard.measures.referrals import kpi_tiles, params, rate_table, rate_view
from dashboard.settings import ReferralBand, load_settings
from tests.factories import add_rows

BAND = ReferralBand()
FY = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))


def run(con, name: str, filters: Filters = FY):
    return queries.run(con, name, params(filters, BAND))


def referrals(pcn: str, count: int, start: int = 0, **columns) -> list[dict]:
    return [{"referral_id": f"{pcn}-{start + i}", "pcn_code": pcn, **columns} for i in range(count)]


@pytest.fixture
def pcns(con):
    add_rows(
        con,
        "pcns",
        {"pcn_code": "U00001", "pcn_name": "St Mary's PCN", "list_size": 10_000},
        {"pcn_code": "U00002", "pcn_name": "Abbey PCN", "list_size": 20_000},
        {"pcn_code": "U00003", "pcn_name": "Quiet PCN", "list_size": 5_000},
    )
    return con


def test_rates_count_both_ends_of_the_period_and_nothing_outside(pcns):
    add_rows(
        pcns,
        "referrals",
        *[
            {"referral_id": f"R{i}", "referral_date": day}
            for i, day in enumerate(
                [date(2025, 3, 31), date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1)]
            )
        ],
    )
    rates = run(pcns, "pcn_referral_rates").set_index("pcn_code")
    assert rates.loc["U00001", "referrals"] == 2
    assert rates.loc["U00001", "rate_per_1000"] == pytest.approx(0.2)


def test_rates_annualise_a_31_day_period_against_a_365_day_one(pcns):
    add_rows(pcns, "referrals", *referrals("U00001", 10, referral_date=date(2026, 1, 15)))
    january = Filters(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    year = run(pcns, "pcn_referral_rates").set_index("pcn_code")
    month = run(pcns, "pcn_referral_rates", january).set_index("pcn_code")
    assert year.loc["U00001", "rate_per_1000"] == pytest.approx(1.0)
    assert month.loc["U00001", "rate_per_1000"] == pytest.approx(10 * 1000 / 10_000 * 365 / 31)


def test_rates_classify_the_band_with_both_ends_inside(pcns):
    add_rows(pcns, "pcns", {"pcn_code": "U00004", "pcn_name": "Fourth PCN", "list_size": 10_000})
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 80),  # 8.0 per 1,000: the band's lower end
        *referrals("U00002", 241),  # 12.05: above
        *referrals("U00003", 39),  # 7.8: below
        *referrals("U00004", 120),  # 12.0: the band's upper end
    )
    rates = run(pcns, "pcn_referral_rates").set_index("pcn_code")
    assert rates["band_position"].to_dict() == {
        "U00002": "above",
        "U00004": "within",
        "U00001": "within",
        "U00003": "below",
    }
    assert rates["in_band"].to_dict() == {
        "U00002": False,
        "U00004": True,
        "U00001": True,
        "U00003": False,
    }
    assert rates["rank_high_to_low"].to_dict()["U00002"] == 1
    assert rates["icb_rate_per_1000"].iloc[0] == pytest.approx(480 * 1000 / 45_000)


def test_rates_keep_an_apostrophe_and_the_table_marks_the_selected_pcn(pcns):
    add_rows(pcns, "referrals", *referrals("U00001", 3))
    selected = FY.model_copy(update={"pcns": ("U00001",)})
    rates = run(pcns, "pcn_referral_rates", selected).set_index("pcn_code")
    assert rates.loc["U00001", "pcn_name"] == "St Mary's PCN"
    assert rates.loc["U00003", "referrals"] == 0
    table = rate_table(queries.runner(pcns), selected, BAND).set_index("pcn_code")
    assert table["selected"].to_dict() == {"U00001": True, "U00002": False, "U00003": False}


def test_kpis_count_pcns_in_band_within_the_filter(pcns):
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 100, status="declined"),
        *referrals("U00002", 100),
    )
    icb = run(pcns, "referral_kpis").iloc[0]
    assert (icb["pcns"], icb["pcns_in_band"]) == (3, 1)
    assert icb["rate_per_1000"] == pytest.approx(200 * 1000 / 35_000)
    assert icb["decline_rate_pct"] == pytest.approx(50.0)
    one = run(pcns, "referral_kpis", FY.model_copy(update={"pcns": ("U00001",)})).iloc[0]
    assert (one["referrals"], one["pcns"], one["pcns_in_band"]) == (100, 1, 1)
    assert one["decline_rate_pct"] == pytest.approx(100.0)


def test_funnel_counts_each_stage_and_drop_out(pcns):
    contact = date(2025, 6, 5)
    statuses = {
        "referred": 4,
        "contacted": 3,
        "engaged": 2,
        "completed": 5,
        "declined": 6,
        "not_contactable": 1,
        "did_not_attend": 2,
    }
    rows, i = [], 0
    for status, count in statuses.items():
        for _ in range(count):
            contacted = status not in ("referred", "not_contactable", "declined")
            rows.append(
                {
                    "referral_id": f"R{i}",
                    "status": status,
                    "first_contact_date": contact if contacted else None,
                }
            )
            i += 1
    add_rows(pcns, "referrals", *rows)
    funnel = run(pcns, "referral_funnel")
    stages = list(funnel["stage"])
    assert stages == ["referred", "contacted", "engaged", "open", *list(statuses)[3:]]
    people = funnel.set_index("stage")["people"].to_dict()
    assert people == {
        "referred": 23,
        "contacted": 3 + 2 + 5 + 2,
        "engaged": 7,
        "open": 4 + 3 + 2,
        "completed": 5,
        "declined": 6,
        "not_contactable": 1,
        "did_not_attend": 2,
    }
    # Completion and the drop-outs are shares of the 14 closed referrals, not of all 23:
    # the 9 open ones would otherwise count as not completed.
    closed = 5 + 6 + 1 + 2
    shares = funnel.set_index("stage")
    assert shares.loc["completed", "share_pct"] == pytest.approx(500 / closed)
    assert shares.loc["declined", "base"] == closed
    assert shares.loc["open", "share_pct"] == pytest.approx(900 / 23)
    assert funnel["drop_out"].tolist() == [False] * 5 + [True] * 3

    per_pcn = run(pcns, "pcn_funnel").set_index("pcn_code")
    assert per_pcn.loc["U00001", "decline_rate_pct"] == pytest.approx(600 / 23)
    assert per_pcn.loc["U00001", "completed_pct"] == pytest.approx(500 / closed)
    assert per_pcn.loc["U00002", "referred"] == 0
    assert per_pcn["decline_rate_pct"].isna()["U00002"]


def test_waits_count_people_still_waiting_censored_at_the_data_date(pcns):
    referral_day = date(2025, 6, 1)
    add_rows(
        pcns,
        "referrals",
        *[
            {
                "referral_id": f"R{days}",
                "referral_date": referral_day,
                "first_contact_date": referral_day + timedelta(days=days),
            }
            for days in range(1, 11)
        ],
        {"referral_id": "R-waiting", "referral_date": referral_day},
    )
    summary = waits.wait_summary(lambda name, p: queries.run(pcns, name, p), FY).iloc[0]
    # The one still waiting is censored at the data's date (11 June, 10 days): S(t) =
    # (11 - t) / 11, so half were contacted by day 6 and 9 in 10 by day 10. Counting only
    # those contacted, as before, gave a median of 5.5 days.
    assert summary["referrals"] == 11
    assert summary["still_waiting"] == 1
    assert summary["median_wait_days"] == 6
    assert summary["p90_wait_days"] == 10
    # Within 14 days: nobody could be followed that long but the 10 contacted.
    assert (summary["within_14"], summary["seen_14"]) == (10, 10)


def test_the_selections_waits_are_the_per_pcn_waits_added_up_without_unknown_pcns(pcns):
    day = date(2025, 6, 1)
    contacted = [
        {"referral_id": f"{pcn}-{days}", "pcn_code": pcn, "referral_date": day,
         "first_contact_date": day + timedelta(days=days)}
        for pcn, spread in (("U00001", range(1, 9)), ("U00002", range(4, 20, 2)))
        for days in spread
    ]  # fmt: skip
    add_rows(
        pcns,
        "referrals",
        *contacted,
        {"referral_id": "closed", "pcn_code": "U00002", "referral_date": day,
         "end_date": day + timedelta(days=3), "status": "declined"},
        {"referral_id": "waiting", "pcn_code": "U00001", "referral_date": day},
        *referrals("U99999", 9, referral_date=day, first_contact_date=day),
    )  # fmt: skip
    per_pcn = run(pcns, "wait_times")
    assert set(per_pcn["pcn_code"]) == {"U00001", "U00002"}
    for chosen in ((), ("U00001",), ("U00001", "U00003")):
        filters = FY.model_copy(update={"pcns": chosen})
        rows = per_pcn[per_pcn["pcn_code"].isin(chosen)] if chosen else per_pcn
        added = rows.groupby(["days", "contacted"], as_index=False)[
            ["referrals", "still_waiting"]].sum()  # fmt: skip
        total = run(pcns, "wait_times_total", filters)
        assert total.to_dict("records") == added.to_dict("records")
    icb = run(pcns, "wait_times_total").set_index(["days", "contacted"])
    # Censored: the closed referral at its end date (3 days), the one waiting at the data's
    # date (19 June: 18 days); no referral of the unknown PCN is counted.
    assert icb.loc[(3, False), "referrals"] == 1
    assert icb.loc[(18, False), "still_waiting"] == 1
    assert icb["referrals"].sum() == 18
    assert (0, True) not in icb.index


@pytest.mark.parametrize("seed", range(6))
def test_the_headline_wait_is_the_per_pcn_estimate_of_one_group_to_the_last_bit(seed):
    # The headline works the Kaplan-Meier estimate out on its own; the per-PCN table by
    # group. Both must give the same figures, exactly, or a PCN's row and its tile disagree.
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 300))
    times = (
        pd.DataFrame(
            {
                "days": rng.integers(0, 120, rows),
                "contacted": rng.random(rows) < [0.0, 1.0, 0.5, 0.9, 0.2, 0.7][seed],
                "referrals": rng.integers(1, 40, rows),
            }
        )
        .groupby(["days", "contacted"], as_index=False)["referrals"]
        .sum()
    )
    times["still_waiting"] = times["referrals"].where(~times["contacted"], 0) // 2
    grouped = waits._summarise_by(times.assign(_all=0), ["_all"]).drop(columns="_all")
    alone = pd.DataFrame([waits._summarise(times)])
    pd.testing.assert_frame_equal(alone[grouped.columns], grouped, check_exact=True)
    assert list(alone.columns) == list(grouped.columns)


def test_the_waits_table_keeps_its_columns_in_one_order_in_every_process(pcns):
    # Its CSV once listed the figures in the order of a set of names, which differs between
    # processes: the same download had its columns shuffled from one day to the next.
    run = lambda name, p: queries.run(pcns, name, p)  # noqa: E731
    view = waits.waits_view(run, FY, load_settings().referral_band)
    assert list(view.shown.display().columns) == [
        "pcn_code",
        "pcn_name",
        *("referrals", "contacted", "still_waiting", "within_14", "seen_14", "within_28"),
        *("seen_28", "median_wait_days", "p90_wait_days", "within_14_pct", "within_14_low"),
        *("within_14_high", "within_28_pct", "within_28_low", "within_28_high", "selected"),
    ]


def test_referrals_of_unknown_pcns_stay_out_of_rates_and_are_counted(pcns):
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 80, referral_date=date(2025, 6, 1)),
        *referrals("U99999", 50, referral_date=date(2025, 6, 1), status="declined"),
    )
    kpis = run(pcns, "referral_kpis").iloc[0]
    assert kpis["referrals"] == 80
    assert kpis["unknown_pcn_referrals"] == 50
    assert kpis["rate_per_1000"] == pytest.approx(80 * 1000 / 35_000)
    assert kpis["decline_rate_pct"] == 0
    monthly = run(pcns, "monthly_referrals")
    assert monthly.loc[monthly["series"] == "ICB", "referrals"].sum() == 80
    assert run(pcns, "referral_funnel").set_index("stage").loc["referred", "people"] == 80
    unknown = queries.run(pcns, "unknown_pcns", {})
    assert unknown.to_dict("records")[0]["referrals"] == 50


def test_wait_distribution_bins_whole_weeks_and_caps_at_12(pcns):
    referral_day = date(2025, 6, 1)
    add_rows(
        pcns,
        "referrals",
        *[
            {
                "referral_id": f"R{days}",
                "referral_date": referral_day,
                "first_contact_date": referral_day + timedelta(days=days),
            }
            for days in (0, 6, 7, 100)
        ],
    )
    bars = run(pcns, "wait_distribution")
    assert len(bars) == 13
    people = dict(zip(bars["wait_band"], bars["people"], strict=True))
    assert people["0-6 days"] == 2
    assert people["7-13 days"] == 1
    assert people["12+ weeks"] == 1
    assert bars["people"].sum() == 4


def test_monthly_series_cover_every_month_annualised_over_days_in_the_period(pcns):
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 4, referral_date=date(2025, 4, 20)),
        *referrals("U00002", 2, referral_date=date(2025, 6, 10)),
        *referrals("U00002", 5, start=10, referral_date=date(2025, 6, 11)),
    )
    period = Filters(pcns=("U00001",), date_from=date(2025, 4, 15), date_to=date(2025, 6, 10))
    months = run(pcns, "monthly_referrals", period)
    assert list(months["series"]) == ["ICB"] * 3 + ["St Mary's PCN"] * 3
    icb = months[months["series"] == "ICB"]
    assert icb["days"].tolist() == [16, 31, 10]
    assert icb["referrals"].tolist() == [4, 0, 2]
    assert icb["rate_per_1000"].iloc[0] == pytest.approx(4 * 1000 / 35_000 * 365 / 16)
    mine = months[months["series"] == "St Mary's PCN"]
    assert mine["referrals"].tolist() == [4, 0, 0]
    assert mine["rate_per_1000"].iloc[0] == pytest.approx(4 * 1000 / 10_000 * 365 / 16)


def test_mix_gives_each_pcns_share_by_source_and_reason(pcns):
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 3, referral_source="self", reason="money"),
        *referrals("U00001", 1, start=5, referral_source="gp", reason="money"),
    )
    mix = run(pcns, "referral_mix_by_pcn")
    sources = mix[mix["dimension"] == "referral_source"].set_index("category")
    assert sources.loc["self", "referrals"] == 3
    assert sources.loc["self", "share_pct"] == pytest.approx(75.0)
    reasons = mix[mix["dimension"] == "reason"]
    assert reasons[["category", "referrals", "share_pct"]].values.tolist() == [["money", 4, 100.0]]


@pytest.fixture
def populated(con):
    populations = {
        "pop_imd_q1": 2_000,
        "pop_imd_q5": 1_000,
        "pop_female": 5_000,
        "pop_male": 5_000,
        "pop_age_45_54": 1_500,
    }
    add_rows(
        con,
        "pcns",
        {"pcn_code": "U00001", "pcn_name": "St Mary's PCN", **populations},
        {"pcn_code": "U00002", "pcn_name": "No Population PCN"},
    )
    add_rows(
        con,
        "referrals",
        *referrals("U00001", 3, imd_decile=1, referral_source="self"),
        *referrals("U00001", 1, start=3, imd_decile=2, referral_source="gp"),
        *referrals("U00001", 2, start=4, imd_decile=9, sex="male"),
        *referrals("U00001", 1, start=6, imd_decile=None, sex="unknown"),
        *referrals("U00002", 5),
    )
    return con


def test_equity_rates_use_the_groups_registered_population(populated):
    one = FY.model_copy(update={"pcns": ("U00001",)})
    equity = run(populated, "referral_equity", one).set_index(["dimension", "group_code"])
    q1 = equity.loc[("imd_quintile", "1")]
    assert (q1["referrals"], q1["population"]) == (4, 2_000)
    assert q1["rate_per_1000"] == pytest.approx(4 * 1000 / 2_000)
    assert q1["community_referrals"] == 3
    assert q1["community_route_pct"] == pytest.approx(75.0)
    assert q1["community_rate_per_1000"] == pytest.approx(1.5)
    assert equity.loc[("imd_quintile", "5"), "rate_per_1000"] == pytest.approx(2.0)
    assert equity.loc[("imd_quintile", "unknown"), "referrals"] == 1
    assert equity["population"].isna()[("imd_quintile", "unknown")]
    assert equity.loc[("sex", "female"), "rate_per_1000"] == pytest.approx(4 * 1000 / 5_000)
    assert equity.loc[("sex", "male"), "rate_per_1000"] == pytest.approx(2 * 1000 / 5_000)
    assert equity["population"].isna()[("sex", "unknown")]
    assert equity["population"].isna()[("ethnicity", "white")]
    assert equity.loc[("age_band", "45-54"), "population"] == 1_500
    assert equity.loc[("imd_quintile", "3"), "referrals"] == 0


def test_equity_has_no_rate_when_a_pcn_in_the_filter_lacks_the_population(populated):
    equity = run(populated, "referral_equity").set_index(["dimension", "group_code"])
    assert equity.loc[("sex", "female"), "referrals"] == 9
    assert equity["population"].isna().all()
    assert equity["rate_per_1000"].isna().all()


def test_referrals_tile_is_rounded_when_a_pcn_count_beside_it_is_withheld(con):
    add_rows(
        con,
        "pcns",
        {"pcn_code": "U00001", "pcn_name": "Big PCN"},
        {"pcn_code": "U00002", "pcn_name": "Small PCN"},
    )
    add_rows(
        con,
        "referrals",
        *[{"referral_id": f"B{i}", "pcn_code": "U00001"} for i in range(21)],
        *[{"referral_id": f"S{i}", "pcn_code": "U00002", "status": "declined"} for i in range(3)],
    )
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    tiles = {
        tile.label: tile.value
        for tile in kpi_tiles(lambda name, params: queries.run(con, name, params), filters, BAND)
    }
    # 24 would give away the small PCN's 3 once the big PCN's 21 is read off the chart:
    # every count is rounded to 5, so 24 shows as 25 and 21 as 20.
    assert tiles["Referrals"] == "25"
    assert tiles["Declined"] == "*"


def test_rates_use_the_mean_of_the_list_sizes_dated_in_the_period(con):
    # NHS Digital's monthly lists: 10,000 in April and 12,000 in October 2025, so FY 2025/26's
    # rate is on 11,000, not on the latest list (12,000) that the pcns table keeps.
    for day, size in ((date(2025, 4, 1), 10_000), (date(2025, 10, 1), 12_000)):
        add_rows(con, "pcns", {"pcn_code": "U00001", "list_size": size, "list_size_date": day})
    add_rows(con, "referrals", *referrals("U00001", 110, referral_date=date(2025, 6, 2)))
    [rate] = run(con, "pcn_referral_rates").to_dict("records")
    assert (rate["list_size"], rate["list_size_extracts"]) == (11_000, 2)
    assert rate["rate_per_1000"] == pytest.approx(10.0)  # 110 / 11,000 x 1,000
    assert run(con, "referral_kpis").iloc[0]["list_size"] == 11_000
    # A period with no extract of its own uses the nearest (April 2025 for FY 2024/25).
    before = Filters(date_from=date(2024, 4, 1), date_to=date(2025, 3, 31))
    [earlier] = run(con, "pcn_referral_rates", before).to_dict("records")
    assert (earlier["list_size"], earlier["list_size_extracts"]) == (10_000, 0)
    assert earlier["list_size_from"].date() == date(2025, 4, 1)


def test_the_rate_caption_says_which_list_sizes_it_used(con):
    for day, size in ((date(2025, 4, 1), 10_000), (date(2025, 10, 1), 12_000)):
        add_rows(con, "pcns", {"pcn_code": "U00001", "list_size": size, "list_size_date": day})
    add_rows(con, "pcns", {"pcn_code": "U00002", "list_size": 9_000,
                           "list_size_date": date(2024, 1, 1)})  # fmt: skip
    view = rate_view(lambda n, p: queries.run(con, n, p), FY, BAND, "rate")
    assert (
        "List sizes: the mean of each PCN's list size extracts dated in the period (2 extracts, "
        "1 Apr 2025 to 1 Oct 2025). 1 PCN with no extract in the period uses the nearest one, "
        "dated 1 Jan 2024." in view.caption
    )


def test_kpis_for_chosen_pcns_count_one_without_referrals_and_no_unknown_pcns(pcns):
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 100, referral_date=date(2025, 6, 1), status="declined"),
        *referrals("U99999", 40, referral_date=date(2025, 6, 1)),
    )
    chosen = FY.model_copy(update={"pcns": ("U00001", "U00003")})
    kpis = run(pcns, "referral_kpis", chosen).iloc[0]
    assert (kpis["referrals"], kpis["declined"], kpis["pcns"]) == (100, 100, 2)
    assert kpis["list_size"] == 15_000
    assert kpis["pcns_in_band"] == 1  # U00001 at 10 a year is in the band; U00003 at 0 is not
    assert kpis["unknown_pcn_referrals"] == 0  # counted for the whole ICB only
    assert run(pcns, "referral_kpis").iloc[0]["unknown_pcn_referrals"] == 40


def test_kpis_and_funnels_of_a_period_without_referrals_are_zero(pcns):
    add_rows(pcns, "referrals", *referrals("U00001", 5, referral_date=date(2025, 6, 1)))
    empty = Filters(date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    kpis = run(pcns, "referral_kpis", empty).iloc[0]
    assert (kpis["referrals"], kpis["declined"], kpis["pcns"]) == (0, 0, 3)
    assert kpis["unknown_pcn_referrals"] == 0
    funnel = run(pcns, "referral_funnel", empty)
    assert funnel["people"].tolist() == [0] * 8
    assert funnel["share_pct"].isna().all()
    per_pcn = run(pcns, "pcn_funnel", empty)
    assert per_pcn["pcn_code"].tolist() == ["U00001", "U00002", "U00003"]
    assert (per_pcn[["referred", "contacted", "declined", "closed"]] == 0).all().all()


def test_funnels_leave_out_unknown_pcns_and_follow_the_pcn_filter(pcns):
    contact = date(2025, 6, 3)
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 3, status="engaged", first_contact_date=contact),
        *referrals("U00002", 2, status="declined"),
        *referrals("U99999", 7, status="completed", first_contact_date=contact),
    )
    icb = run(pcns, "referral_funnel").set_index("stage")["people"]
    assert (icb["referred"], icb["contacted"], icb["engaged"], icb["completed"]) == (5, 3, 3, 0)
    one = run(pcns, "referral_funnel", FY.model_copy(update={"pcns": ("U00002",)}))
    one = one.set_index("stage")["people"]
    assert (one["referred"], one["contacted"], one["declined"], one["open"]) == (2, 0, 2, 0)
    per_pcn = run(pcns, "pcn_funnel").set_index("pcn_code")
    assert list(per_pcn.index) == ["U00002", "U00001", "U00003"]  # by decline rate
    assert per_pcn.loc["U00001", ["referred", "contacted", "engaged"]].tolist() == [3, 3, 3]


def test_monthly_series_of_a_chosen_pcn_count_only_its_referrals(pcns):
    add_rows(
        pcns,
        "referrals",
        *referrals("U00001", 4, referral_date=date(2025, 4, 20)),
        *referrals("U00002", 6, referral_date=date(2025, 4, 21)),
        *referrals("U99999", 9, referral_date=date(2025, 4, 22)),
    )
    chosen = FY.model_copy(update={"pcns": ("U00003", "U00001")})
    monthly = run(pcns, "monthly_referrals", chosen)
    assert len(monthly) == 3 * 12
    april = monthly.groupby("series", sort=False)["referrals"].first()
    assert april.to_dict() == {"ICB": 10, "Quiet PCN": 0, "St Mary's PCN": 4}
    assert monthly.groupby("series")["referrals"].sum().to_dict() == april.to_dict()


def test_choosing_a_pcn_marks_it_on_the_charts_of_every_pcn_from_the_same_results(
    synthetic_db, monkeypatch
):
    """The charts that set every PCN against its peers (rates, declines, sources and reasons)
    mark the chosen PCN themselves: choosing one runs none of their queries again."""
    executed: list[str] = []
    execute = queries.run

    def counted(con, name, given):
        executed.append(name)
        return execute(con, name, given)

    monkeypatch.setattr(queries, "run", counted)
    with store.open_db(synthetic_db, read_only=True) as con:
        run = queries.runner(con)  # runs each query once per the parameters it names
        code = con.execute("select min(pcn_code) from pcns").fetchone()[0]
        for filters in (FY, FY.model_copy(update={"pcns": (code,)})):
            views = [
                rate_view(run, filters, BAND, "rates"),
                funnel.decline_view(run, filters, BAND),
                reach.mix_view(run, filters, BAND, "reason"),
            ]
            for view in views:
                frame = view.shown.frame
                assert set(frame.loc[frame["selected"], "pcn_code"]) == set(filters.pcns), view.key
    for name in ("pcn_referral_rates", "pcn_funnel", "referral_mix_by_pcn"):
        assert executed.count(name) == 1, name
