"""Every view the pages, presentation mode and the board pack draw, built outside Streamlit
for tests that check what all of them show (layout, wording)."""

from __future__ import annotations

from dashboard.charts.capacity import HEATMAP_MEASURES
from dashboard.measures import (
    capacity_funding,
    capacity_views,
    funnel,
    loads,
    outcomes_by_pcn,
    outcomes_views,
    reach,
    referrals,
    referrals_monthly,
    utilisation,
    utilisation_costs,
    waits,
)
from dashboard.measures.filters import Filters
from dashboard.measures.utilisation_figures import SETTINGS_ORDER
from dashboard.measures.view import Runner, View
from dashboard.settings import load_settings


def every_view(run: Runner, filters: Filters, *, every_choice: bool = False) -> list[View]:
    """Every view for `filters`. A page's choices (outcome domain, utilisation window) take
    their first option, or with `every_choice` each option: the same chart with other
    numbers, which wording checks want and layout checks need not draw."""
    band = load_settings().referral_band
    views = [
        referrals.rate_view(run, filters, band, "referral_rate_by_pcn"),
        referrals.rate_funnel_view(run, filters, band),
        referrals_monthly.monthly_view(run, filters, band),
        funnel.funnel_view(run, filters, band),
        funnel.decline_view(run, filters, band),
        waits.waits_view(run, filters, band),
        waits.wait_distribution_view(run, filters, band),
        *(reach.mix_view(run, filters, band, d) for d in ("referral_source", "reason")),
        *reach.equity_views(run, filters, band),
        loads.coverage_view(run),
        outcomes_views.star_view(run, filters),
        outcomes_views.improved_view(run, filters),
        outcomes_views.change_view(run, filters),
        outcomes_views.scores_view(run, filters),
        *(
            outcomes_views.distribution_view(run, filters, item)
            for item in outcomes_views.score_items(run, filters)
        ),
        utilisation.board_view(run, filters),
        *(capacity_views.heatmap_view(run, filters, m) for m in HEATMAP_MEASURES),
        *capacity_views.unmet_views(run, filters),
        capacity_funding.funding_view(run, filters),
        capacity_views.group_view(run, filters),
    ]
    for measure in outcomes_by_pcn.pcn_measures(run, filters):
        domains = outcomes_by_pcn.pcn_domains(run, filters, measure)
        views.append(outcomes_by_pcn.followup_pcn_view(run, filters, measure))
        views += [
            outcomes_by_pcn.improved_pcn_view(run, filters, measure, domain)
            for domain in (domains if every_choice else domains[:1])
        ]
    windows = utilisation.window_options(run, filters)
    for window in (windows if every_choice else windows[:1]) or [None]:
        views += [
            utilisation.before_after_view(run, filters, window),
            utilisation_costs.cost_view(run, filters, utilisation_costs.unit_cost_table(), window),
            utilisation.did_view(run, filters, window),
            *(utilisation.pcn_view(run, filters, setting, window) for setting in SETTINGS_ORDER),
        ]
    pair = capacity_views.drilldown_default(run, filters)
    if pair is not None:
        pcn, activity = pair
        names = dict(run("pcn_options", {})[["pcn_code", "pcn_name"]].itertuples(index=False))
        views.append(capacity_views.monthly_view(run, filters, pcn, names[pcn], activity))
    return views
