"""Funnel-plot limits (Spiegelhalter 2005) on worked examples, and the PCN comparison views."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.measures import control_limits, funnel, queries
from dashboard.measures.disclosure import MARK
from dashboard.measures.filters import Filters
from dashboard.measures.statistics import Z95, Z998
from dashboard.settings import load_settings
from tests.factories import add_rows


def test_proportion_limits_are_the_normal_approximation_around_the_target():
    # 20% of 100 people: standard error sqrt(0.2 x 0.8 / 100) = 4 points.
    low, high = control_limits.limits(20.0, [100], "proportion", 100, Z95)
    assert (low[0], high[0]) == pytest.approx((20 - 1.96 * 4, 20 + 1.96 * 4), abs=1e-3)
    low, high = control_limits.limits(20.0, [100], "proportion", 100, Z998)
    assert (low[0], high[0]) == pytest.approx((7.639, 32.361), abs=1e-3)
    # Limits narrow as the size grows, and stay within 0 to 100.
    low, high = control_limits.limits(50.0, [4, 400], "proportion", 100, Z998)
    assert low[0] == 0.0 and high[0] == 100.0
    assert high[1] - low[1] < 20


def test_rate_limits_use_the_poisson_variance_of_the_count():
    # 10 per 1,000 a year over 10,000 patient-years: 100 expected, so sqrt(100) / 10 = 1.
    low, high = control_limits.limits(10.0, [10_000], "rate", 1000, Z95)
    assert (low[0], high[0]) == pytest.approx((10 - Z95, 10 + Z95))


def test_overdispersion_is_the_mean_squared_winsorised_z_score_when_significant():
    # Ten PCNs of 100 at a target of 50%: standard error 5 points, so a value is 50 + 5z.
    z = np.array([-4, -2, -2, -1, 0, 0, 1, 2, 2, 4])
    values, sizes = 50 + 5 * z, [100] * 10
    # Winsorising the most extreme 10% at each end makes the +-4 into +-2: phi = 26 / 10.
    assert control_limits.overdispersion(values, sizes, 50, "proportion", 100) == pytest.approx(2.6)
    # Within chance (k x phi = 4 against chi-squared(9) 95th centile 16.9): no widening.
    calm = 50 + 5 * np.array([-1, 0, 0, 1, 0, 0, -1, 1, 0, 0])
    assert control_limits.overdispersion(calm, sizes, 50, "proportion", 100) == 1.0


def test_a_pcn_beyond_the_998_limits_is_named():
    frame = pd.DataFrame(
        {
            "pcn_name": ["A", "B", "C", "D"],
            "value": [50.0, 52.0, 80.0, None],
            "size": [100, 100, 100, 100],
        }
    )
    flagged = control_limits.with_limits(frame, "value", "size", 50.0, "proportion", 100)
    assert flagged["outside"].tolist() == [None, None, "above", None]
    assert control_limits.outside_message(flagged) == "C is above the 99.8% control limits"


def test_the_decline_funnel_plot_draws_only_shown_pcns_and_names_the_outlier(con):
    # Twelve PCNs of 200 referrals declining 18% to 22%, one of 200 declining 50%, and one of 3
    # referrals: withheld, so not drawn.
    declines = [36, 38, 40, 42, 44, 40, 38, 42, 40, 40, 36, 44]
    sizes = {f"U{i:05d}": (200, d) for i, d in enumerate(declines, start=1)}
    sizes["U00013"] = (200, 100)
    sizes["U00014"] = (3, 3)
    add_rows(con, "pcns", *({"pcn_code": code, "pcn_name": f"PCN {code}"} for code in sizes))
    add_rows(
        con,
        "referrals",
        *(
            {"referral_id": f"{code}-{i}", "pcn_code": code,
             "status": "declined" if i < declined else "engaged"}
            for code, (n, declined) in sizes.items()
            for i in range(n)
        ),
    )  # fmt: skip
    filters = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
    run = lambda name, params: queries.run(con, name, params)  # noqa: E731
    view = funnel.decline_view(run, filters, load_settings().referral_band)
    shown = view.shown.display().set_index("pcn_code")
    assert shown.loc["U00014", "decline_rate_pct"] == MARK
    assert shown.loc["U00013", "outside"] == "above"
    assert shown.loc["U00013", "overdispersion"] == 1  # the others vary by chance alone
    assert view.messages == ("Decline rate: PCN U00013 is above the 99.8% control limits",)
    points = next(trace for trace in view.figure.data if trace.name == "PCN")
    assert len(points.x) == 13
