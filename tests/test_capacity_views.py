"""The VCSE capacity views: places as published, demand rounded, nothing small derivable."""

import json
from datetime import date

from dashboard.charts.theme import plain
from dashboard.measures import capacity_funding, capacity_views, queries
from dashboard.measures.disclosure import MARK
from dashboard.measures.filters import Filters
from tests.factories import add_rows

PERIOD = Filters(
    date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)
)  # one month: places = monthly places
BIG, SMALL = "U00001", "U00002"


def runner(con):
    return lambda name, params: queries.run(con, name, params)


def onward(con, pcn: str, count: int, prefix: str, **values) -> None:
    ids = [f"{prefix}{i}" for i in range(count)]
    add_rows(con, "referrals", *({"referral_id": r, "pcn_code": pcn} for r in ids))
    add_rows(
        con,
        "onward_referrals",
        *(
            {"onward_id": f"O{r}", "referral_id": r, "activity": "walking",
             "onward_date": date(2025, 6, 2), **values}
            for r in ids
        ),
    )  # fmt: skip


def small_icb(con):
    """Walking: the big PCN sends 23 onward referrals in June against 10 places; the small
    one 3, against a service of 1 place."""
    add_rows(
        con,
        "pcns",
        {"pcn_code": BIG, "pcn_name": "Big PCN"},
        {"pcn_code": SMALL, "pcn_name": "Small PCN"},
    )
    add_rows(
        con,
        "services",
        {"service_id": "W1", "pcn_code": BIG, "activity": "walking", "monthly_capacity": 10},
        {"service_id": "W2", "pcn_code": SMALL, "activity": "walking", "monthly_capacity": 1},
    )
    onward(con, BIG, 23, "B", service_id="W1", result="waitlisted")
    onward(con, SMALL, 3, "S", service_id="W2", result="waitlisted")


def test_the_gap_is_worked_from_the_shown_demand_so_places_give_back_only_the_rounded_count(con):
    small_icb(con)
    pairs = capacity_views.shown_pairs(runner(con), PERIOD).display().set_index("pcn_code")
    big = pairs.loc[BIG]
    assert (big["demand"], big["capacity"], big["gap"]) == (25, 10, 15)  # not 23 - 10 = 13
    small = pairs.loc[SMALL]
    # The small pair's places stay (a published offer), everything built on its 3 does not.
    assert small["capacity"] == 1
    for column in ("demand", "gap", "shortfall", "unmet", "months_short", "demand_pct_of_capacity"):
        assert small[column] == MARK, column


def test_the_heatmap_marks_a_withheld_pair_and_sends_no_small_number(con):
    small_icb(con)
    view = capacity_views.heatmap_view(runner(con), PERIOD, "gap")
    [heatmap] = view.figure.data
    cells = dict(zip(heatmap.y, (row[0] for row in heatmap.text), strict=True))
    assert cells == {"Big PCN (U00001)": "+15", "Small PCN (U00002)": "*"}
    sent = json.dumps(view.figure.to_plotly_json()["data"], default=str)
    assert "23" not in sent and "13" not in sent
    assert "1 with 1 to 7 onward referrals withheld" in plain(view.figure.layout.title.text)


def test_tiles_and_titles_count_months_only_where_the_demand_is_shown(con):
    small_icb(con)
    only_small = PERIOD.model_copy(update={"pcns": (SMALL,)})
    tiles = {t.label: t for t in capacity_views.tiles(runner(con), only_small)}
    assert tiles["Onward referrals"].value == MARK
    assert tiles["Unmet"].value == MARK and tiles["Unmet"].delta is None
    # "1 of 1 months with demand" would say the pair had at least one onward referral a month.
    assert tiles["Months short of places"].value == MARK
    assert tiles["Months short of places"].delta is None
    monthly = capacity_views.monthly_view(runner(con), only_small, SMALL, "Small PCN", "walking")
    assert "n = *" in monthly.title
    assert monthly.shown.display()["demand"].isin([0, MARK]).all()


def test_funding_shares_are_worked_from_the_rounded_counts(con):
    small_icb(con)
    add_rows(con, "services", {"service_id": "T1", "activity": "walking",
                               "funding": "time_limited", "monthly_capacity": 5})  # fmt: skip
    onward(con, BIG, 12, "T", service_id="T1")
    shown = capacity_funding.funding_view(runner(con), PERIOD).shown.display()
    by = shown.set_index("funding")
    # funded 23 + 3 = 26 -> 25, time-limited 12 -> 10, of all 38 -> 40.
    assert (by.loc["funded", "demand"], by.loc["time_limited", "demand"]) == (25, 10)
    assert by.loc["time_limited", "pct_of_demand"] == 25.0  # 10 / 40, not 12 / 38 = 31.6


def test_totals_of_months_leave_out_withheld_pairs_so_no_difference_gives_them_back(con):
    # The small PCN sends one onward referral a month for 7 months: "7 months with demand"
    # beside its withheld count would pin it at exactly 7.
    small_icb(con)
    add_rows(con, "referrals", *({"referral_id": f"M{m}", "pcn_code": SMALL} for m in range(7)))
    add_rows(
        con,
        "onward_referrals",
        *(
            {"onward_id": f"OM{m}", "referral_id": f"M{m}", "activity": "gardening",
             "onward_date": date(2025, 4 + m, 3)}
            for m in range(7)
        ),
    )  # fmt: skip
    year = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    run = runner(con)
    tile = {t.label: t for t in capacity_views.tiles(run, year)}["Months short of places"]
    assert tile.delta == "of 1 with demand"  # the big PCN's June only
    group = capacity_views.group_view(run, year).shown.display().set_index("nihr_group")
    assert group.loc["natural world", "months_with_demand"] == 1
    pairs = capacity_views.shown_pairs(run, year).display().set_index(["pcn_code", "activity"])
    assert pairs.loc[(SMALL, "gardening"), "months_with_demand"] == MARK
