"""The Utilisation costs: cost per person before and after referral, and the change across
people, from the shown per-person figures and an editable table of unit costs.

Costs are worked from figures already through the disclosure gate (a shown mean events per
person x a unit cost; the change across people x the people shown), so no exact count can be
recovered from a cost.
"""

from __future__ import annotations

import pandas as pd

from dashboard.charts import utilisation as charts
from dashboard.measures import formats
from dashboard.measures import utilisation_figures as figures
from dashboard.measures.disclosure import Built, Ratio, Rules, figure_text
from dashboard.measures.filters import Filters
from dashboard.measures.utilisation import (
    COUNTS,
    DIGITS,
    chosen_window,
    exact_summary,
    people_subtitle,
    window_sentence,
)
from dashboard.measures.utilisation_figures import SETTINGS_ORDER
from dashboard.measures.view import Runner, Tile, View, build
from dashboard.settings import UnitCost, load_settings

COST_COLUMNS = ("before_cost", "after_cost", "change_cost", "change_cost_total")
COST_RULES = Rules(
    counts=COUNTS,
    ratios={
        f"{p}_per_person": Ratio(f"sum_{p}", "n_people", digits=DIGITS) for p in ("before", "after")
    },
    built={c: Built(COUNTS, 2) for c in COST_COLUMNS},
)


def unit_cost_table(costs: dict[str, UnitCost] | None = None) -> pd.DataFrame:
    """The unit costs as an editable table: setting, value, price year, source."""
    costs = costs or load_settings().unit_costs
    return pd.DataFrame(
        [
            {
                "setting": setting,
                "value": costs[setting].value,
                "price_year": costs[setting].price_year,
                "source": costs[setting].source,
            }
            for setting in SETTINGS_ORDER
            if setting in costs
        ]
    )


def _costed(prices: dict[str, float]):
    """Costs from the shown per-person figures and people: a shown figure x a unit cost."""

    def derive(shown: pd.DataFrame) -> pd.DataFrame:
        price = shown["setting"].map(prices).astype("float64")
        shown["unit_cost"] = price
        shown["before_cost"] = (shown["before_per_person"] * price).round(2)
        shown["after_cost"] = (shown["after_per_person"] * price).round(2)
        shown["change_cost"] = shown["after_cost"] - shown["before_cost"]
        shown["change_cost_total"] = (shown["change_cost"] * shown["n_people"]).round(0)
        return shown

    return derive


def cost_totals(shown: pd.DataFrame) -> dict[str, float | None]:
    """Per person before, after and change (summed over settings), and the change across
    people; None when any setting's figure is withheld."""

    def total(column: str) -> float | None:
        values = shown[column]
        return None if values.empty or values.isna().any() else float(values.sum())

    return {column: total(column) for column in COST_COLUMNS}


def cost_view(
    run: Runner, filters: Filters, unit_costs: pd.DataFrame, window: int | None = None
) -> View:
    """Cost per person before and after referral per setting, stacked into the total."""
    window = chosen_window(run, filters, window)
    exact = exact_summary(run, filters, window)
    data = exact[["setting", *COUNTS, "before_per_person", "after_per_person"]].assign(
        **{c: float("nan") for c in COST_COLUMNS}  # filled from the shown figures by `_costed`
    )

    def title(shown: pd.DataFrame) -> str:
        change = cost_totals(shown)["change_cost"]
        if change is None:
            return "Cost per person before and after referral"
        direction = "fell" if change < 0 else "rose"
        return f"Cost per person {direction} by {formats.money(abs(change))} after referral"

    return build(
        "utilisation_cost",
        data,
        COST_RULES,
        lambda shown: charts.cost_before_after(shown, title(shown), people_subtitle(data, window)),
        derive=_costed(figures.unit_prices(unit_costs)),
        caption="Cost = shown mean events per person x unit cost, summed over settings; the "
        "change across people = the change per person x the people shown. "
        + window_sentence(window),
    )


def cost_tiles(view: View) -> list[Tile]:
    totals = cost_totals(view.shown.frame)
    money = {column: figure_text(value, formats.money) for column, value in totals.items()}
    return [
        Tile(
            "Cost per person before",
            money["before_cost"],
            help="Mean events per person in the window before referral x the unit costs, "
            "summed over settings.",
        ),
        Tile(
            "Cost per person after",
            money["after_cost"],
            help="Mean events per person in the window after referral x the unit costs, "
            "summed over settings.",
        ),
        Tile(
            "Change per person",
            money["change_cost"],
            help="Cost per person after referral minus before, before allowing for regression "
            "to the mean or the cost of the service.",
        ),
        Tile(
            "Change across everyone",
            money["change_cost_total"],
            help="The change per person x the people in each setting, before allowing for "
            "regression to the mean or the cost of the service.",
        ),
    ]
