"""Every view, tile and shown table the pages and the board pack build, on the synthetic ICB,
reads in plain English and one number format: no `None` or `nan`, no raw codes, money and
negative numbers with a true minus, dates as `1 Apr 2025`, abbreviations spelled out, and tile
labels and changes short enough to show whole in a quarter of a 1280 px page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dashboard.data import store
from dashboard.measures import (
    capacity_funding,
    capacity_views,
    outcomes_views,
    queries,
    reach,
    referrals,
    utilisation,
    utilisation_costs,
)
from dashboard.measures.capacity import display_table
from dashboard.measures.filters import Filters
from dashboard.measures.scope import EVERY_PCN, masked
from dashboard.settings import load_settings
from tests.views import every_view

YEAR = Filters(date_from=date(2025, 4, 1), date_to=date(2026, 3, 31))
LABEL_MAX, DELTA_MAX = 28, 22  # characters a st.metric shows whole at a quarter of 1280 px

MISSING = re.compile(r"\b(None|nan|NaN)\b")
CODE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # family_friends, gp_appointment
HYPHEN_MINUS = re.compile(r"(?<![\w)%])-(?=[\d£])|£-")  # -17%, -£111, £-111 (not 18-24, 0.8%-1.2%)
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
OTHER_DATES = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b0\d ({MONTHS})\b|\b\d{{1,2}} (January|February|March|April|"
    r"June|July|August|September|October|November|December)\b"
)
SPELLED = {
    re.compile(r"\bSWEMWBS\b"): "Short Warwick-Edinburgh Mental Wellbeing Scale",
    re.compile(r"\bWEMWBS\b"): "WEMWBS: Warwick-Edinburgh Mental Wellbeing Scale",
    re.compile(r"\bONS4\b"): "ONS personal wellbeing",
}


def surfaces(run, filters: Filters):
    """The views (with each choice a page offers), tiles, shown tables and sentences of every
    page, as the pages build them."""
    band = load_settings().referral_band
    views = every_view(run, filters, every_choice=True)
    tiles = [
        *referrals.kpi_tiles(run, filters, band),
        *outcomes_views.completion_tiles(run, filters),
        *outcomes_views.overview_tiles(run, filters),
        *utilisation.overview_tiles(run, filters),
        *capacity_views.tiles(run, filters),
        *capacity_views.overview_tiles(run, filters),
    ]
    sentences = [
        reach.route_finding(run, filters, band),
        *referrals.key_messages(
            run,
            filters,
            band,
            referrals.headline(run, filters, band),
            referrals.rate_funnel_view(run, filters, band),
        ),
        outcomes_views.followup_warning(run, filters),
        outcomes_views.meaningful_note(),
    ]
    tables = {
        "outcome scores": outcomes_views.scores_table(outcomes_views.scores_view(run, filters))
    }
    for window in utilisation.window_options(run, filters):
        before_after = utilisation.before_after_view(run, filters, window)
        cost = utilisation_costs.cost_view(
            run, filters, utilisation_costs.unit_cost_table(), window
        )
        tiles += utilisation_costs.cost_tiles(cost)
        tables[f"utilisation, {window} months"] = utilisation.table(before_after)
        sentences += [
            utilisation.not_elapsed_caveat(run, filters, window),
            utilisation.comparison_caveat(run, filters, window),
        ]
    tables["largest shortfalls"] = capacity_views.worst_gaps(run, filters)
    for (heading, table), columns in (
        (capacity_funding.funding_ending(run, filters), capacity_funding.ENDING_COLUMNS),
        (capacity_funding.closed_services(run, filters), capacity_funding.CLOSED_COLUMNS),
    ):
        sentences.append(heading)
        tables[heading] = display_table(table, columns)
    return views, tiles, tables, [s for s in sentences if s]


@pytest.fixture(scope="module")
def built(synthetic_db, icb):
    """Every surface for the whole ICB and for one PCN (whose titles name it)."""
    con = store.connect(synthetic_db, read_only=True)
    try:
        run = masked(queries.runner(con), EVERY_PCN)
        one = YEAR.model_copy(update={"pcns": (next(iter(icb)),)})
        yield [surfaces(run, YEAR), surfaces(run, one)]
    finally:
        con.close()


def view_texts(built):
    for views, _, _, _ in built:
        for view in views:
            title = view.figure.layout.title
            subtitle = title.subtitle.text if title.subtitle else None
            texts = [title.text, subtitle, view.caption, *view.messages]
            yield view.key, [re.sub(r"<[^>]+>", " ", t) for t in texts if t]


def every_text(built):
    """(where, text) for everything a person reads, but a tile's change (see below)."""
    for key, texts in view_texts(built):
        yield from ((key, text) for text in texts)
    for _, tiles, tables, sentences in built:
        for tile in tiles:
            yield from ((tile.label, text) for text in (tile.label, tile.value, tile.help) if text)
        for name, table in tables.items():
            yield from ((name, str(cell)) for cell in table.to_numpy().ravel())
        yield from (("sentence", sentence) for sentence in sentences)


def test_every_surface_was_built(built):
    views, tiles, tables, _ = built[0]
    assert len(views) > 50 and len(tiles) > 15
    assert all(len(table) for table in tables.values())


def test_nothing_reads_none_or_nan(built):
    assert [(where, text) for where, text in every_text(built) if MISSING.search(text)] == []


def test_no_raw_code_reaches_a_title_caption_tile_or_table(built):
    found = [(where, CODE.findall(text)) for where, text in every_text(built)]
    assert [(where, codes) for where, codes in found if codes] == []


def test_negative_numbers_and_money_carry_a_true_minus(built):
    texts = list(every_text(built))
    assert [(where, text) for where, text in texts if HYPHEN_MINUS.search(text)] == []
    assert any("\u2212£" in text for _, text in texts)  # the cost fell: −£110


def test_dates_are_written_one_way(built):
    texts = list(every_text(built))
    assert [(where, text) for where, text in texts if OTHER_DATES.search(text)] == []
    assert any(re.search(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b", text) for _, text in texts)


def test_tile_labels_and_changes_fit_a_quarter_of_the_page(built):
    tiles = [tile for _, page_tiles, _, _ in built for tile in page_tiles]
    assert [t.label for t in tiles if len(t.label) > LABEL_MAX] == []
    assert [t.delta for t in tiles if t.delta and len(t.delta) > DELTA_MAX] == []
    deltas = [t.delta for t in tiles if t.delta]
    assert deltas and not [d for d in deltas if MISSING.search(d) or CODE.search(d)]


def test_each_view_spells_out_the_measures_it_names(built):
    unexplained = [
        (key, name.pattern)
        for key, texts in view_texts(built)
        for name, spelled in SPELLED.items()
        if any(name.search(t) for t in texts) and not any(spelled in t for t in texts)
    ]
    assert unexplained == []


def test_a_tiles_change_says_what_it_is_against(synthetic_db):
    band = load_settings().referral_band
    half = Filters(date_from=date(2025, 10, 1), date_to=date(2026, 3, 31))
    con = store.connect(synthetic_db, read_only=True)
    try:
        run = masked(queries.runner(con), EVERY_PCN)
        year_tiles = referrals.kpi_tiles(run, YEAR, band)
        half_tiles = referrals.kpi_tiles(run, half, band)
    finally:
        con.close()
    assert all(t.delta.endswith("vs last year") for t in year_tiles)
    assert all("1 Apr 2024 to 31 Mar 2025" in t.help for t in year_tiles)
    assert all(t.delta.endswith("vs previous") for t in half_tiles)
    assert all("2 Apr 2025 to 30 Sep 2025" in t.help for t in half_tiles)  # as many days
    # st.metric draws a change's arrow and colour from a leading hyphen-minus.
    assert all(t.delta[0] in "+-N" for t in year_tiles + half_tiles)
