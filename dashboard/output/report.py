"""The board pack's content for a filter: a board paper computed from the data.

Front sheet, executive summary (the four questions in a sentence each, and what the board is
asked for), one slide per question with its chart and icons, the trend against the planning
band, finance, equity, data quality and an appendix of definitions. Every figure comes from a
View or a shown frame of the disclosure gate; the sentences here only word them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import duckdb
import pandas as pd

from dashboard.measures import (
    capacity_funding,
    capacity_views,
    control_limits,
    outcomes_views,
    queries,
    reach,
    referrals,
    referrals_monthly,
    spc,
    utilisation,
    utilisation_costs,
)
from dashboard.measures.disclosure import Rules, disclose, people_text, ratio
from dashboard.measures.filters import Filters
from dashboard.measures.formats import day, in_sentence, label, signed
from dashboard.measures.loads import data_date
from dashboard.measures.scope import EVERY_PCN, Scope, masked
from dashboard.measures.utilisation_figures import SETTING_LABEL, window_phrase
from dashboard.measures.view import Runner, View
from dashboard.output import slide_charts
from dashboard.output.boardpack import Badge, Pack, Slide
from dashboard.output.wording import money, money_about, plain
from dashboard.settings import BoardPaper, ReferralBand, load_settings

TITLE = "Social prescribing: board report"
SUPPRESSION_NOTE = (
    "Disclosure control: counts of 1 to 7 are shown as * and every other count is rounded to "
    "the nearest 5; rates and percentages are worked from the rounded counts; means, medians "
    "and percentages built on 1 to 7 people are withheld (after NHS England's disclosure "
    "control for sub-national figures)."
)
# Extracts with a row per person or per referral: a pack made from them is marked sensitive.
PERSON_LEVEL = ("referrals", "outcomes", "utilisation", "onward_referrals")
APPENDIX_CHARACTERS = 3400  # definitions on one appendix slide, two columns at 11 pt
SECTIONS = {
    "summary": "For decision and assurance",
    "referrals": "1. Are enough people referred? Referrals per primary care network (PCN)",
    "trend": "1. Are enough people referred? The trend against the planning band",
    "outcomes": "2. Do people feel better? Wellbeing before and after",
    "utilisation": "3. Do people use health services less? GP, A&E and admissions",
    "finance": "3. Finance: the cost of that use before and after referral",
    "capacity": "4. Can voluntary, community and social enterprise (VCSE) services meet demand?",
    "equity": "Equity: who social prescribing reaches",
    "quality": "How far the figures can be trusted",
    "appendix": "Appendix: definitions",
}


@dataclass(frozen=True)
class Part:
    """A question's slides and its sentence in the executive summary."""

    slides: tuple[Slide, ...]
    summary: str = ""


# Front sheet ----------------------------------------------------------------------------------


def organisation(con: duckdb.DuckDBPyConnection, paper: BoardPaper) -> str:
    """The ICB's name from the settings, else its code from the pcns extract."""
    if paper.icb_name:
        return paper.icb_name
    code = con.execute("select min(icb_code) from pcns").fetchone()[0]
    return f"Integrated care board (ODS code {code})" if code else "Integrated care board"


def scope_name(run: Runner, filters: Filters) -> str:
    pcns = run("pcn_options", {})
    if not filters.pcns:
        return f"the whole ICB ({len(pcns)} PCNs)"
    names = dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))
    return ", ".join(f"{names.get(code, code)} ({code})" for code in filters.pcns)


def classification(run: Runner) -> str:
    """OFFICIAL-SENSITIVE once person-level extracts are loaded, else OFFICIAL."""
    loaded = set(run("data_quality", {})["kind"])
    referred = run("referral_date_range", {}).iloc[0]["last_referral"]
    person_level = loaded & set(PERSON_LEVEL) or pd.notna(referred) or data_date(run)
    return "OFFICIAL-SENSITIVE" if person_level else "OFFICIAL"


def title_lines(
    run: Runner,
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    paper: BoardPaper | None = None,
    today: date | None = None,
) -> tuple[str, ...]:
    """The front sheet: the organisation, then the paper's fields, one a line."""
    paper = paper or load_settings().board_paper
    latest = run("referral_date_range", {}).iloc[0]["last_referral"]
    through = data_date(run)
    if through is None:
        data = "no extracts loaded"
    else:
        data = f"extracts up to {day(through)}"
        if pd.notna(latest):
            data += f"; referrals up to {day(latest)}"
    marking = classification(run)
    why = " (person-level extracts went into it)" if marking == "OFFICIAL-SENSITIVE" else ""
    return (
        organisation(con, paper),
        f"Scope: {scope_name(run, filters)}",
        f"Period: {day(filters.date_from)} to {day(filters.date_to)} (both days included)",
        "Purpose: for assurance and decision (the executive summary says what is asked)",
        f"Owner: {paper.owner or 'to be named before the paper goes to the board'}",
        f"Date of the data: {data}",
        f"Date of the paper: {day(today or date.today())}",
        f"Version: {paper.version}",
        f"Classification: {marking}{why}",
    )


# The four questions -----------------------------------------------------------------------------


def referrals_part(run: Runner, filters: Filters, band: ReferralBand, monthly: View) -> Part:
    """The rates against the band, and the trend (`monthly`: the trend's `monthly_view`)."""
    rates = referrals.rate_view(run, filters, band, "report_rate_by_pcn")
    funnel = referrals.rate_funnel_view(run, filters, band)
    now = referrals.headline(run, filters, band)
    shown = funnel.shown.frame
    drawn = shown.dropna(subset=["rate_per_1000"])
    outside = int(drawn["outside"].isin(("above", "below")).sum()) if "outside" in drawn else 0
    icb = drawn["icb_rate_per_1000"].iloc[0] if len(drawn) else None
    icb_text = "withheld" if icb is None or pd.isna(icb) else f"{icb:.1f}"
    band_text = f"{band.low_per_1000:g} to {band.high_per_1000:g}"
    badges = (
        Badge(f"ICB {icb_text} per 1,000 a year", slide_charts.MDC_COMMON),
        Badge(f"Planning band {band_text}", slide_charts.MDC_COMMON),
        Badge(
            f"{outside} PCN{'s' * (outside != 1)} outside the 99.8% limits"
            if outside
            else "Every PCN within the 99.8% limits",
            slide_charts.MDC_NEITHER if outside else slide_charts.MDC_COMMON,
        ),
    )
    alt = (
        f"Funnel plot of the referral rate per 1,000 registered patients a year of {len(drawn)} "
        f"PCNs against their patient-years, with 95% and 99.8% control limits around the ICB "
        f"rate of {icb_text}; "
        + (
            f"{outside} lie outside the 99.8% limits."
            if outside
            else "none lies outside the 99.8% limits."
        )
    )
    slide = Slide(
        title=rates.title,
        messages=referrals.key_messages(run, filters, band, now, funnel),
        draw=funnel.draw,
        withheld=funnel.withheld or rates.withheld,
        notes=f"{referrals.slide_notes(band)} {control_limits.FUNNEL_NOTE}",
        section=SECTIONS["referrals"],
        badges=badges,
        alt_text=alt,
    )
    rate = now["rate_per_1000"]
    positions = rates.shown.frame["band_position"].value_counts()
    if now["referrals"] == 0:
        return Part((slide, trend_slide(monthly, band)), "Referrals: none in the period.")
    summary = (
        f"Referrals: {now['referrals_text']} referrals, "
        + (f"{rate:.1f}" if rate is not None else "a withheld number of")
        + " referrals per 1,000 registered patients a year; "
        + f"{positions.get('below', 0)} of {len(rates.shown.frame)} primary care networks (PCNs) "
        + f"refer below the planning band of {band_text} per 1,000 a year, "
        + f"{positions.get('within', 0)} within it and {positions.get('above', 0)} above it."
    )
    return Part((slide, trend_slide(monthly, band)), summary)


def trend_filters(run: Runner, filters: Filters) -> Filters:
    """The trend's period: up to three years of whole months to the end of the filter's
    period, from the first month of loaded referrals, so the XmR chart has points enough."""
    first = run("referral_date_range", {}).iloc[0]["first_referral"]
    back = filters.date_to.year * 12 + filters.date_to.month - 1 - 35
    start = date(back // 12, back % 12 + 1, 1)
    if pd.notna(first):
        first = pd.Timestamp(first).date()
        start = max(start, date(first.year, first.month, 1))
    return filters.model_copy(update={"date_from": min(start, filters.date_from)})


ASSURANCE_WORDS = {  # the headline's words, then the key message's
    "Consistently within the band": (
        "consistently within the band",
        "The process limits sit inside the planning band ({band}): every month should fall "
        "within it",
    ),
    "Consistently outside the band": (
        "consistently outside the band",
        "The process limits sit outside the planning band ({band}): no month will reach it "
        "without a change",
    ),
    "Too few points to assure": (
        "too few months to assure",
        "Too few months to assure against the planning band ({band})",
    ),
}
HIT_AND_MISS = (
    "hit and miss against the band",
    "The planning band ({band}) and the process limits overlap: months will fall in and out "
    "of the band by chance",
)


def trend_slide(monthly: View, band: ReferralBand) -> Slide:
    """The XmR chart of `monthly`, the trend's monthly view (`trend_filters`)."""
    months = monthly.shown.frame
    chart = slide_charts.xmr_points(months) if len(months) else pd.DataFrame()
    if len(chart) < 2:
        return Slide(
            "Too few months to show a trend", section=SECTIONS["trend"], draw=monthly.draw,
            alt_text="Monthly referrals chart with too few months for an XmR chart.",
        )  # fmt: skip
    variation = slide_charts.variation_badge(chart)
    assurance = slide_charts.assurance_badge(chart, band.low_per_1000, band.high_per_1000)
    mean, lower, upper = chart[["mean", "lower", "upper"]].iloc[0]
    special = special_runs(chart)
    against = ASSURANCE_WORDS.get(assurance[0], HIT_AND_MISS)
    messages = [
        f"Mean {mean:.1f} referrals per 1,000 registered patients a year over "
        f"{len(chart)} months; process limits {lower:.1f} to {upper:.1f}",
        against[1].format(band=f"{band.low_per_1000:g} to {band.high_per_1000:g}"),
        "Special cause: " + "; ".join(special) if special else "No month shows special cause",
        monthly.title,
    ]
    first, last = pd.Timestamp(chart["month"].iloc[0]), pd.Timestamp(chart["month"].iloc[-1])
    alt = (
        f"Monthly chart from {first:%b %Y} to {last:%b %Y}: referrals a month as bars and the "
        f"ICB's referral rate per 1,000 a year as a line against the shaded planning band of "
        f"{band.low_per_1000:g} to {band.high_per_1000:g}, with the XmR mean of {mean:.1f} and "
        f"process limits of {lower:.1f} to {upper:.1f}; "
        f"{int(chart['special_cause'].notna().sum())} months show special cause."
    )
    return Slide(
        title=f"Monthly referral rate: {variation[0].lower()}, {against[0]}",
        messages=tuple(messages),
        draw=cache(lambda: slide_charts.with_xmr(monthly.figure, chart)),
        withheld=monthly.withheld,
        notes=(
            "XmR chart (NHS England, Making Data Count): the mean and process limits at the "
            "mean plus or minus 2.66 times the mean moving range. Special cause: a point beyond "
            "a limit, 7 on one side of the mean, 7 rising or falling, or two of three beyond "
            "two sigma. Icons: grey, common cause; purple, special cause in a measure with no "
            "better direction; assurance blue when the limits sit inside the planning band, "
            "orange when outside it, grey when the band lies between them (hit and miss). "
            "Up to three years of months to the end of the period; a month cut by the period is "
            "annualised over its days inside it."
        ),
        section=SECTIONS["trend"],
        badges=(
            Badge(f"Variation: {variation[0].replace(' variation', '', 1).lower()}", variation[1]),
            Badge(f"Assurance: {assurance[0].split(':')[0].lower()}", assurance[1]),
        ),
        alt_text=alt,
    )


def special_runs(chart: pd.DataFrame) -> list[str]:
    """Special-cause months as runs: `10 months unusually low, Apr 2023 to Jan 2024`."""
    runs: list[tuple[str, list]] = []
    for month, cause in zip(chart["month"], chart["special_cause"], strict=True):
        if cause and runs and runs[-1][0] == cause and runs[-1][2]:
            runs[-1][1].append(month)
        elif cause:
            runs.append((cause, [month], True))
        if not cause and runs:
            runs[-1] = (runs[-1][0], runs[-1][1], False)
    texts = []
    for cause, months, _ in runs:
        first, last = pd.Timestamp(months[0]), pd.Timestamp(months[-1])
        span = f"{first:%b %Y}" if len(months) == 1 else f"{first:%b %Y} to {last:%b %Y}"
        texts.append(f"{len(months)} month{'s' * (len(months) != 1)} unusually {cause}, {span}")
    return texts


def nothing_part(section: str, question: str, message: str) -> Part:
    """A question with no data for the selection: a slide saying so, and its summary line."""
    return Part(
        (Slide(message, section=SECTIONS[section]),),
        f"{question}: {message[0].lower()}{message[1:]}.",
    )


def outcomes_part(run: Runner, filters: Filters) -> Part:
    if not outcomes_views.has_outcomes(run, filters):
        return nothing_part(
            "outcomes", "Outcomes", "No paired baseline and follow-up scores for this selection"
        )
    star = outcomes_views.star_view(run, filters, "report_outcomes_star")
    shown = star.shown.frame.dropna(subset=["mean_baseline", "mean_followup"])
    higher = int((shown["mean_followup"] > shown["mean_baseline"]).sum())
    alt = (
        f"Dumbbell chart of the mean Wellbeing Star score (1 to 5) at baseline and at follow-up "
        f"for {len(shown)} domains; the follow-up mean is higher in {higher} of them."
    )
    slide = Slide(
        title=star.title,
        messages=star.messages,
        draw=star.draw,
        withheld=star.withheld,
        notes="Wellbeing Star: the person and their link worker score 8 domains from 1 to 5. "
        "Paired baseline and follow-up scores only. Improved: a higher score at follow-up. "
        f"{outcomes_views.LOW_BASELINE_NOTE} Missing follow-ups bias results: people who "
        "complete a follow-up may have done better.",
        section=SECTIONS["outcomes"],
        alt_text=alt,
    )
    headline = star.title.removeprefix("Wellbeing Star: ")
    summary = f"Outcomes: among people with paired Wellbeing Star scores, {headline}."
    return Part((slide,), summary)


def utilisation_part(run: Runner, filters: Filters) -> Part:
    if not utilisation.has_data(run, filters):
        return nothing_part(
            "utilisation",
            "Use of services",
            "No utilisation data for people referred in this selection",
        )
    window = utilisation.chosen_window(run, filters, None)
    before_after = utilisation.before_after_view(run, filters, window)
    shown = before_after.shown.frame
    changes = [
        f"{in_sentence(row.setting)} {signed(row.pct_change)}%"
        for row in shown.itertuples()
        if pd.notna(row.pct_change)
    ]
    settings = [in_sentence(code) for code in shown["setting"]]
    alt = (
        "Bar chart of mean events per person in the window before and the window after "
        f"referral, with 95% confidence intervals, for {', '.join(settings)}; change per "
        f"person: {', '.join(changes)}."
    )
    slide = Slide(
        title=before_after.title,
        messages=before_after.messages,
        draw=before_after.draw,
        withheld=before_after.withheld,
        notes=utilisation.SLIDE_NOTES,
        section=SECTIONS["utilisation"],
        alt_text=alt,
    )
    finance, cost_sentence = finance_slide(run, filters, window)
    summary = (
        "Use of services: after referral, per person, "
        + (", ".join(changes) if changes else "no change can be shown")
        + f"; {cost_sentence}."
    )
    return Part((slide, finance), summary)


def finance_slide(run: Runner, filters: Filters, window: int | None) -> tuple[Slide, str]:
    """The cost change per person and in total, with its caveats; and the summary's words."""
    unit_costs = utilisation_costs.unit_cost_table()
    cost = utilisation_costs.cost_view(run, filters, unit_costs, window)
    shown = cost.shown.frame
    totals = utilisation_costs.cost_totals(shown)
    people = shown["n_people"].max() if len(shown) else 0
    change, total = totals["change_cost"], totals["change_cost_total"]
    years = ", ".join(sorted(set(unit_costs["price_year"])))
    prices = "; ".join(
        f"{in_sentence(row.setting)[:-1]} {money(row.value)}" for row in unit_costs.itertuples()
    )
    messages = [
        f"Per person: {money(totals['before_cost'])} before and {money(totals['after_cost'])} "
        f"after referral, a change of {money(change)}, over {window_phrase(window)}",
        f"Across the {people_text(people)} people: {_fell_or_rose(total)} of about "
        f"{money_about(total)}, before allowing for regression to the mean or the cost of the "
        "service",
        comparison_caveat(run, filters, window),
        f"Unit costs at {years} prices: {prices}",
    ]
    if change is None:
        title = "The cost change per person is withheld (too few people)"
    else:
        title = (
            f"Cost per person {'fell' if change < 0 else 'rose'} by {money(abs(change))} after "
            f"referral (about {money_about(total)} across {people_text(people)} people)"
        )
    alt = (
        "Stacked bar chart of the cost per person in the window before and the window after "
        f"referral, by care setting: {money(totals['before_cost'])} before and "
        f"{money(totals['after_cost'])} after."
    )
    sources = " ".join(
        f"{SETTING_LABEL[row.setting]}: {money(row.value)} each, {row.price_year} prices, "
        f"{row.source}."
        for row in unit_costs.itertuples()
    )
    slide = Slide(
        title=title,
        messages=tuple(messages),
        draw=cost.draw,
        withheld=cost.withheld,
        notes="Cost: the shown mean events per person times the unit cost, summed over the "
        "three settings; the total: the change per person times the people shown in each "
        "setting. It is the cost of activity, not cash released, and leaves out the cost of "
        f"the service. Unit costs (settings.toml): {sources}",
        section=SECTIONS["finance"],
        alt_text=alt,
    )
    if change is None:
        return slide, "the cost change is withheld"
    return slide, (
        f"the cost of that use {'fell' if change < 0 else 'rose'} by {money(abs(change))} a "
        f"person (about {money_about(total)} across {people_text(people)} people), before "
        "allowing for regression to the mean"
    )


def _fell_or_rose(total: float | None) -> str:
    return "a change" if total is None or pd.isna(total) else ("a fall" if total < 0 else "a rise")


def comparison_caveat(run: Runner, filters: Filters, window: int | None) -> str:
    """What the matched comparison cohort says about the fall, from shown figures."""
    if not utilisation.has_comparison(run, filters, window):
        return (
            "No matched comparison cohort is loaded: part of any fall would have happened "
            "anyway (regression to the mean)"
        )
    did = utilisation.did_view(run, filters, window).shown.frame
    gp = did[did["setting"] == "gp_appointment"]
    if gp.empty or pd.isna(gp.iloc[0]["did"]):
        return "The comparison cohort is too small on these windows to compare with"
    row = gp.iloc[0]
    compared = (
        f"against the matched comparison cohort GP appointments changed by "
        f"{signed(row['did'], 2)} per person, not {signed(row['naive_change'], 2)}"
    )
    if row["naive_change"] < 0 and row["did"] > row["naive_change"]:
        return f"The saving overstates what social prescribing caused: {compared}"
    return f"The comparison cohort does not shrink the change: {compared}"


def capacity_part(run: Runner, filters: Filters) -> Part:
    if not capacity_views.has_demand(run, filters):
        return nothing_part("capacity", "VCSE capacity", "No onward referrals to VCSE activities")
    group = capacity_views.group_view(run, filters, "report_capacity_by_group")
    funding = capacity_funding.funding_view(run, filters)
    ending, _ = capacity_funding.funding_ending(run, filters)
    shown = group.shown.frame
    alt = (
        f"Bar chart of onward referrals, places and unmet onward referrals for {len(shown)} "
        f"NIHR activity groups over the period; {group.title[0].lower()}{group.title[1:]}."
    )
    slide = Slide(
        title=group.title,
        messages=(*group.messages[1:], funding.title, ending),
        draw=group.draw,
        withheld=group.withheld or funding.withheld,
        notes="Demand: onward referrals (PCN of the referral, activity of the onward referral). "
        "Capacity: the places open services serving the PCN offered in every month of the "
        "period; shortfall: the places missing in the months that ran short. Unmet: "
        "waitlisted, declined for lack of capacity or sent to a closed service. Funding risk: "
        "onward referrals to unfunded or time-limited services, and services whose funding "
        "ends within 6 months of the data's date.",
        section=SECTIONS["capacity"],
        alt_text=alt,
    )
    unmet = capacity_views.overview_tiles(run, filters)[0].value
    summary = "Voluntary, community and social enterprise (VCSE) capacity: " + (
        f"{unmet} of onward referrals to VCSE services went unmet"
        if unmet.endswith("%")
        else "the share of onward referrals unmet is withheld"
    )
    summary += f"; {funding.title[0].lower()}{funding.title[1:]}."
    return Part((slide,), summary)


def equity_slide(run: Runner, filters: Filters, band: ReferralBand) -> Slide:
    views: list[View] = reach.equity_views(run, filters, band)
    imd = views[0]
    route = reach.route_finding(run, filters, band)
    shown = imd.shown.frame.dropna(subset=["rate_per_1000"])
    alt = (
        "Bar chart of referrals per 1,000 registered patients a year by index of multiple "
        f"deprivation (IMD) quintile, split into clinical and community routes, for "
        f"{len(shown)} quintiles; {imd.title[0].lower()}{imd.title[1:]}."
    )
    return Slide(
        # The routes' examples are in the notes: the headline stays two lines.
        title=re.sub(r" \([^)]*\)", "", route or imd.title).rstrip("."),
        messages=tuple(view.title for view in views[:3]),
        draw=imd.draw,
        withheld=any(view.withheld for view in views[:3]),
        notes="Rates by index of multiple deprivation (IMD) quintile, age band and sex use the "
        "registered population in each group from the pcns extract. Clinical route: GP, "
        "nurse, other clinician, practice staff, secondary care; community route: "
        "self-referral, VCSE organisations, social care, other.",
        section=SECTIONS["equity"],
        alt_text=alt,
    )


DATA_QUALITY_COLUMNS = {
    "kind": "Extract",
    "rows_read": "Rows read",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "date_from": "First date",
    "date_to": "Last date",
}


def data_quality_slide(run: Runner) -> Slide:
    kinds = run("data_quality", {})
    shown = disclose(kinds, Rules(counts=("rows_read", "accepted", "rejected")))
    loads = int(kinds["loads"].sum()) if len(kinds) else 0
    rejected = ratio(kinds["rejected"].sum(), kinds["rows_read"].sum(), 100)
    if not len(kinds) or not kinds["rows_read"].sum():
        rejected_message = "No rows read"
    elif rejected is None:
        rejected_message = "Fewer than 8 rows were rejected at load"
    else:
        rejected_message = f"{rejected:.1f}% of rows read were rejected at load"
    messages = [
        f"{len(kinds)} of 6 extract kinds loaded, in {loads} load{'s' * (loads != 1)}"
        if len(kinds)
        else "No extracts loaded",
        rejected_message,
    ]
    table = shown.display()[list(DATA_QUALITY_COLUMNS)]
    table["kind"] = table["kind"].map(label)
    return Slide(
        title="Data quality",
        messages=tuple(messages),
        table=table.rename(columns=DATA_QUALITY_COLUMNS),
        withheld=shown.any_withheld,
        notes="Every load is validated against the data contract; rejected rows are reported "
        "with their reasons on the Data page and never loaded.",
        section=SECTIONS["quality"],
    )


# Executive summary and appendix -----------------------------------------------------------------


def ask_of_the_board(monthly: View, band: ReferralBand, paper: BoardPaper) -> str:
    """The decision or assurance asked: the settings' words, else worded from the SPC of
    `monthly`, the trend's monthly view."""
    if paper.ask:
        return paper.ask
    months = monthly.shown.frame
    chart = slide_charts.xmr_points(months) if len(months) else pd.DataFrame()
    level = "limited"
    if len(chart) >= 2:
        words = spc.assurance(
            chart["lower"].iloc[0], chart["upper"].iloc[0], band.low_per_1000, band.high_per_1000
        )
        level = {"Consistently within the band": "significant",
                 "Consistently outside the band": "no"}.get(words, "limited")  # fmt: skip
    return (
        f"The board is asked to take {level} assurance that referrals meet the planning band, "
        "to note the outcomes and the fall in use of services with their caveats, and to "
        "decide whether to act on the VCSE capacity gaps and funding risk."
    )


def executive_summary(parts: list[Part], ask: str) -> Slide:
    return Slide(
        title="Executive summary",
        messages=tuple(part.summary for part in parts if part.summary),
        notes="One sentence per question; each has its slide with the chart and the caveats.",
        section=SECTIONS["summary"],
        ask=ask,
    )


def appendix(slides: list[Slide]) -> list[Slide]:
    """Each slide's definitions once, with the disclosure rule and the sources, on as many
    slides as they need."""
    entries = [
        ("Disclosure control", _sentence(SUPPRESSION_NOTE.removeprefix("Disclosure control: "))),
        *((_term(slide), slide.notes) for slide in slides if slide.notes),
    ]
    pages: list[list[tuple[str, str]]] = [[]]
    for term, text in entries:
        used = sum(len(t) + len(d) for t, d in pages[-1])
        if pages[-1] and used + len(term) + len(text) > APPENDIX_CHARACTERS:
            pages.append([])
        pages[-1].append((term, text))
    return [
        Slide(
            title="Definitions, sources and caveats"
            + (f" ({index} of {len(pages)})" if len(pages) > 1 else ""),
            section=SECTIONS["appendix"],
            definitions=tuple(page),
        )
        for index, page in enumerate(pages, start=1)
    ]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _term(slide: Slide) -> str:
    """A slide's name in the appendix: its section without the number and the question."""
    name = re.sub(r"^\d+\. ", "", slide.section or slide.title)
    return name.split("? ", 1)[-1]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w%.]+", " ", text.lower()).split())


def _not_the_headline(title: str, messages: tuple[str, ...]) -> tuple[str, ...]:
    """The messages without one that only says the headline again."""
    said = _words(title)
    return tuple(m for m in messages if " ".join(_words(m).split()[:7]) not in said)


def _worded(slide: Slide) -> Slide:
    """The paper's style on every sentence of a slide (dates, minus signs, no codes), and the
    headline said once."""
    return replace(
        slide,
        title=plain(slide.title),
        messages=_not_the_headline(slide.title, tuple(plain(m) for m in slide.messages)),
        notes=plain(slide.notes),
        alt_text=plain(slide.alt_text),
        ask=plain(slide.ask),
        definitions=tuple((plain(t), plain(d)) for t, d in slide.definitions),
    )


def _front(
    run: Runner, con: duckdb.DuckDBPyConnection, filters: Filters, paper: BoardPaper
) -> Pack:
    return Pack(
        title=TITLE,
        subtitle_lines=title_lines(run, con, filters, paper),
        notes=SUPPRESSION_NOTE,
        classification=classification(run),
        footer=f"{TITLE}, version {paper.version}, {day(date.today())}",
    )


def front_sheet(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    scope: Scope = EVERY_PCN,
    run: Runner | None = None,
) -> Pack:
    """The board paper's front sheet alone, without its slides: a few small queries, where
    the slides need every view (presentation mode opens on it while the slides are made)."""
    run = masked(run or queries.runner(con), scope)
    return _front(run, con, filters, load_settings().board_paper)


def build_pack(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    scope: Scope = EVERY_PCN,
    run: Runner | None = None,
) -> Pack:
    """The board paper for a filter. A `pcn` user's pack names only their PCNs
    (dashboard.measures.scope), like their pages. Its queries go through `run` when given
    (the dashboard's cache, shared with the pages), else each runs once on `con`."""
    run = masked(run or queries.runner(con), scope)
    settings = load_settings()
    band, paper = settings.referral_band, settings.board_paper
    # The trend's months serve its slide and the ask of the board: made once.
    monthly = referrals_monthly.monthly_view(run, trend_filters(run, filters), band)
    parts = [
        referrals_part(run, filters, band, monthly),
        outcomes_part(run, filters),
        utilisation_part(run, filters),
        capacity_part(run, filters),
    ]
    body = [
        executive_summary(parts, ask_of_the_board(monthly, band, paper)),
        *(slide for part in parts for slide in part.slides),
        equity_slide(run, filters, band),
        data_quality_slide(run),
    ]
    slides = tuple(_worded(slide) for slide in (*body, *appendix(body[1:])))
    return replace(_front(run, con, filters, paper), slides=slides)
