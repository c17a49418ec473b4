"""The charts' colours, as people with each common colour-vision deficiency see them.

Every set of colours a chart puts side by side must stay apart under normal vision and under
protanopia, deuteranopia and tritanopia, simulated with the matrices of Machado, Oliveira and
Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency",
IEEE TVCG 15(6):1291-1298, at severity 1.0 (their table at
https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html), applied
to linear RGB. Differences are CIEDE2000 (Sharma, Wu and Dalal 2005) in CIELAB under D65.

The bar is a CIEDE2000 difference of 15. About 1 is just noticeable between two large
patches side by side; telling small marks apart at a glance, a legend swatch against a bar,
takes several times that, more the smaller the marks (Szafir 2017, "Modeling Color
Difference for Visualization Design", IEEE TVCG 24(1)). The pair readers reported as "the
same olive" under deuteranopia, orange #E69F00 beside vermilion #D55E00, differs by 12.5:
a bar that passed it would not be a test.

Text colours must meet WCAG 2.2 AA on white: a contrast ratio of 4.5:1 or more.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from dashboard.charts import capacity, funnel_plot, outcomes, referrals, theme
from dashboard.data import store
from dashboard.measures import queries
from dashboard.output.summary import resolve_filters

DISTINCT = 15.0

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "normal vision": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}

# Every set of colours a chart tells apart, by where it is drawn.
COLOUR_SETS = {
    "series (cost by setting, selected PCNs)": theme.PALETTE,
    "band position (referral rate)": tuple(c for _, c, _ in theme.BAND_POSITION_STYLE.values()),
    "selected PCNs month by month, and the ICB": (*referrals.SERIES, referrals.ICB_LINE),
    "unmet: waitlisted, no capacity, service closed": capacity.UNMET_COLOURS,
    "funding of the service": (*capacity.FUNDING_COLOURS.values(), capacity.NO_SERVICE),
    "onward referrals, places, unmet (NIHR groups)": capacity.GROUP_COLOURS,
    "met, unmet and places month by month": (theme.NHS_BLUE, capacity.SHORT, capacity.PLACES_LINE),
    "gap heatmap: places to spare, short": (capacity.SPARE, capacity.SHORT),
    "funnel: progressed, dropped out": (theme.NHS_BLUE, theme.VERMILION),
    "baseline, follow-up (and before, after)": (theme.BASELINE, theme.NHS_BLUE),
    "referral route: clinical, community": tuple(c for _, c, _ in referrals.ROUTE_STYLE.values()),
    "waits: median, 90th percentile": (theme.NHS_BLUE, theme.VERMILION),
    "change: worse, no change, better": (outcomes.WORSE, outcomes.NO_CHANGE, outcomes.BETTER),
    "PCN comparison: a selected PCN, its peers": (outcomes.SELECTED, theme.NHS_BLUE),
    "funnel plot: within, beyond the limits": (theme.NHS_BLUE, funnel_plot.OUTSIDE),
}


def _linear(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear sRGB colour."""
    to_xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    ratio = (to_xyz @ linear) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(ratio > (6 / 29) ** 3, np.cbrt(ratio), ratio / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour: str, vision: str) -> np.ndarray:
    """The colour in CIELAB as someone with `vision` sees it."""
    return _lab(np.clip(SIMULATIONS[vision] @ _linear(colour), 0, 1))


def ciede2000(first: np.ndarray, second: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005, equations 2 to 22)."""
    (l1, a1, b1), (l2, a2, b2) = first, second
    mean_c = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c = l2 - l1, c2 - c1
    d_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    mean_l, mean_c = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(mean_h - 30))
        + 0.24 * np.cos(np.radians(2 * mean_h))
        + 0.32 * np.cos(np.radians(3 * mean_h + 6))
        - 0.20 * np.cos(np.radians(4 * mean_h - 63))
    )
    rotation = -2 * np.sqrt(mean_c**7 / (mean_c**7 + 25**7))
    rotation *= np.sin(np.radians(60 * np.exp(-(((mean_h - 275) / 25) ** 2))))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / np.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_c, 1 + 0.015 * mean_c * t
    return float(
        np.sqrt(
            (d_l / s_l) ** 2
            + (d_c / s_c) ** 2
            + (d_h / s_h) ** 2
            + rotation * (d_c / s_c) * (d_h / s_h)
        )
    )


def contrast_on_white(colour: str) -> float:
    """WCAG 2.2 contrast ratio of `colour` against white."""
    luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(colour))
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [  # Sharma, Wu and Dalal (2005), table 1, pairs 1, 7 and 17
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_ciede2000_matches_the_published_worked_examples(first, second, expected):
    assert ciede2000(np.array(first), np.array(second)) == pytest.approx(expected, abs=1e-4)


def test_the_simulations_keep_white_and_black_and_take_away_the_axis_each_deficiency_loses():
    for vision in SIMULATIONS:
        assert seen("#FFFFFF", vision) == pytest.approx([100, 0, 0], abs=0.5)
        assert seen("#000000", vision) == pytest.approx([0, 0, 0], abs=0.5)
    red, green, yellow = "#D62728", "#2CA02C", "#FFFF00"
    for vision in ("protanopia", "deuteranopia"):  # red-green (a*) gone
        assert abs(seen(red, "normal vision")[1]) > 50 and abs(seen(red, vision)[1]) < 10
        assert abs(seen(green, "normal vision")[1]) > 50 and abs(seen(green, vision)[1]) < 10
    # Tritanopia loses blue-yellow (b*): yellow and green lose their yellowness.
    assert seen(yellow, "normal vision")[2] > 90 and seen(yellow, "tritanopia")[2] < 15
    assert seen(green, "normal vision")[2] > 40 and abs(seen(green, "tritanopia")[2]) < 5


def test_the_reported_olive_pair_fails_the_bar():
    olive = ciede2000(seen("#E69F00", "deuteranopia"), seen("#D55E00", "deuteranopia"))
    assert olive < DISTINCT


def test_nhs_blue_leads_the_palette():
    assert theme.PALETTE[0] == theme.NHS_BLUE == "#005EB8"


@pytest.mark.parametrize("vision", list(SIMULATIONS))
@pytest.mark.parametrize("name", list(COLOUR_SETS))
def test_every_colour_set_stays_distinct(name, vision):
    colours = COLOUR_SETS[name]
    close = [
        f"{a} and {b}: {difference:.1f}"
        for a, b in itertools.combinations(colours, 2)
        if (difference := ciede2000(seen(a, vision), seen(b, vision))) < DISTINCT
    ]
    assert not close, f"{name} under {vision}: " + "; ".join(close)


def _text_colours(node, inside_font: bool = False) -> set[str]:
    """Every colour a figure's JSON gives a font."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "color" and inside_font and isinstance(value, str):
                found.add(value)
            found |= _text_colours(value, inside_font or "font" in key)
    elif isinstance(node, list):
        for item in node:
            found |= _text_colours(item, inside_font)
    return found


def test_the_house_text_colours_read_on_white():
    template = theme.pio.templates["nhs"].layout
    for colour in (template.font.color, theme.TEXT_COLOUR, theme.NHS_DARK_GREY):
        assert contrast_on_white(colour) >= 4.5, colour


def test_every_text_colour_in_every_chart_reads_on_white(synthetic_db):
    from tests.test_chart_layout import every_view

    with store.open_db(synthetic_db, read_only=True) as con:
        views = every_view(queries.runner(con), resolve_filters(con))
    colours = set()
    for view in views:
        figure = json.loads(view.figure.to_json())
        figure["layout"].pop("template", None)  # the template's own colours are tested above
        colours |= _text_colours(figure)
    assert colours, "no chart sets a text colour: the walk found nothing to test"
    assert {c: round(contrast_on_white(c), 2) for c in colours if contrast_on_white(c) < 4.5} == {}
