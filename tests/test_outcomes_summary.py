import json
from datetime import date

from dashboard.__main__ import main
from dashboard.data import store
from dashboard.measures.disclosure import OFF, PROTECTED
from dashboard.measures.filters import Filters
from dashboard.output import summary
from tests.factories import add_rows

PERIOD = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
STAR_KEYS = {
    "domain",
    "n",
    "pct_improved",
    "low_baseline_n",
    "low_baseline_pct_improved",
    "mean_change",
}
UTILISATION_KEYS = {"setting", "n_people", "before_per_person", "after_per_person", "pct_change"}


def fill(con):
    people = [f"P{i:02d}" for i in range(12)]
    add_rows(
        con,
        "referrals",
        *({"referral_id": f"R{i:02d}", "person_id": p} for i, p in enumerate(people)),
    )
    # 12 paired Star scores: 3 start low (2) and rise by 2; 9 start at 3, 4 of them rise by 1.
    add_rows(
        con,
        "outcomes",
        *(
            {
                "referral_id": f"R{i:02d}",
                "baseline_score": 2 if i < 3 else 3,
                "followup_score": 4 if i < 3 else (4 if i < 7 else 3),
            }
            for i in range(12)
        ),
        *(
            {
                "referral_id": f"R{i:02d}",
                "measure": "swemwbs",
                "domain": "total",
                "baseline_score": 14,
                "followup_score": 20,
            }
            for i in range(10)
        ),
    )
    add_rows(
        con,
        "utilisation",
        *(
            {"person_id": p, "period": period, "count": count}
            for p in people
            for period, count in (("before", 3), ("after", 2))
        ),
    )


def test_summary_sections_have_the_issue_shape_with_suppression_and_rounding(con):
    fill(con)
    result = json.loads(json.dumps(summary.build(con, PERIOD, PROTECTED), default=str))
    star = result["outcomes"]["wellbeing_star"]
    assert [row["domain"] for row in star] == ["feeling_positive"]
    assert set(star[0]) == STAR_KEYS
    assert star[0]["n"] == 10  # 12 rounded to the nearest 5
    # 7 of 12 improved: a numerator of 1 to 7, so the percentage is withheld (58.3% of a
    # shown 10 would pin the exact 7 of 12), as `*` like every withheld figure.
    assert star[0]["pct_improved"] == "*"
    assert star[0]["mean_change"] == 0.833  # 10 / 12, three decimals
    assert star[0]["low_baseline_n"] == "*"
    assert star[0]["low_baseline_pct_improved"] == "*"
    totals = result["outcomes"]["totals"]
    assert totals[0]["measure"] == "swemwbs"
    assert totals[0]["mean_change"] == 3.27  # metric points, not raw
    assert totals[0]["pct_meaningful"] == 100.0
    # The utilisation section, now per window and from rounded counts: test_utilisation_summary.


def test_summary_without_suppression_shows_small_numbers_exactly(con):
    fill(con)
    result = summary.build(con, PERIOD, OFF)
    star = result["outcomes"]["wellbeing_star"][0]
    assert star["n"] == 12
    assert star["low_baseline_n"] == 3
    assert star["low_baseline_pct_improved"] == 100.0


def test_summary_command_prints_outcomes_and_utilisation(db_path, capsys):
    with store.open_db(db_path) as con:
        fill(con)
    assert (
        main(
            [
                "summary",
                "--json",
                "--db",
                str(db_path),
                "--from",
                "2025-04-01",
                "--to",
                "2026-03-31",
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["outcomes"]) >= {"wellbeing_star", "totals"}
    assert printed["utilisation"][0]["setting"] == "gp_appointment"
