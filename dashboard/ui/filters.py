"""The sidebar filter shared by every page, kept in the URL so a view can be bookmarked."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.measures.filters import Filters, default_period, financial_year, parse_query_params
from dashboard.measures.formats import day
from dashboard.ui.data import query, scope

_READY = "filters_from_url_read"
_NOTICES = "filter_notices"
_CURRENT = "current_filters"


def _period_bounds() -> tuple[date, date, tuple[date, date]]:
    span = query("referral_date_range")
    first, last = span.iloc[0]["first_referral"], span.iloc[0]["last_referral"]
    if first is None or last is None or str(first) == "NaT":
        default = financial_year(date.today())
        return default[0], default[1], default
    first, last = first.date() if hasattr(first, "date") else first, last
    last = last.date() if hasattr(last, "date") else last
    return first, last, default_period(first, last)


def _clear_notices() -> None:
    st.session_state[_NOTICES] = []


def sidebar_filters(keep_params: tuple[str, ...] = ()) -> Filters:
    """Draw the PCN and period filter; returns the Filters every page uses.

    The URL is rewritten to hold the filter, plus `keep_params` that the current page owns.
    """
    names = pcn_names()
    own = scope()
    if own.limited:  # a pcn user's filter holds their PCNs only; empty would be the whole ICB
        names = {code: name for code, name in names.items() if code in own.named}
    first, last, default = _period_bounds()
    lowest, highest = date(first.year - 5, 1, 1), date(last.year + 5, 12, 31)

    if not st.session_state.get(_READY):
        raw = {name: st.query_params.get_all(name) for name in st.query_params}
        filters, notices = parse_query_params(
            raw, names, default, unknown="not one of your PCNs" if own.limited else None
        )
        if not (lowest <= filters.date_from and filters.date_to <= highest):
            notices.append("Ignored the period in the URL: it is outside the data's years.")
            filters = filters.model_copy(update={"date_from": default[0], "date_to": default[1]})
        st.session_state.pcn = list(filters.pcns)
        st.session_state.period_from = filters.date_from
        st.session_state.period_to = filters.date_to
        st.session_state[_NOTICES] = notices
        st.session_state[_READY] = True

    with st.sidebar:
        st.header("Filter")
        st.multiselect(
            "PCN",
            options=list(names),
            format_func=lambda code: f"{names[code]} ({code})",
            key="pcn",
            placeholder="All your PCNs" if own.limited else "All PCNs in the ICB",
            on_change=_clear_notices,
            help="Leave empty for all your PCNs."
            if own.limited
            else "Leave empty for the whole ICB. Type a name or a code to search.",
        )
        st.date_input(
            "From",
            key="period_from",
            min_value=lowest,
            max_value=highest,
            format="DD/MM/YYYY",
            on_change=_clear_notices,
        )
        st.date_input(
            "To",
            key="period_to",
            min_value=lowest,
            max_value=highest,
            format="DD/MM/YYYY",
            on_change=_clear_notices,
        )
        st.caption(f"Both dates are included. Referrals loaded: {day(first)} to {day(last)}.")

    date_from, date_to = st.session_state.period_from, st.session_state.period_to
    if date_from > date_to:
        st.error(
            f"The period starts ({date_from:%d/%m/%Y}) after it ends ({date_to:%d/%m/%Y}): "
            "showing the default period instead."
        )
        date_from, date_to = default
    chosen = tuple(code for code in st.session_state.pcn if code in names)
    if own.limited and not chosen:
        chosen = tuple(sorted(names))
    filters = Filters(pcns=chosen, date_from=date_from, date_to=date_to)
    for notice in st.session_state.get(_NOTICES, []):
        st.warning(notice, icon=":material/link_off:")
    own = {name: st.query_params.get_all(name) for name in keep_params if name in st.query_params}
    st.query_params.from_dict({**filters.query_params(default), **own})
    st.session_state[_CURRENT] = filters
    return filters


def current_filters() -> Filters:
    """The filter the router drew for this run."""
    return st.session_state[_CURRENT]


def pcn_names() -> dict[str, str]:
    pcns = query("pcn_options")
    return dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))


def scope_label(filters: Filters) -> str:
    """`All PCNs in the ICB`, or the selected PCNs by name, to start a page's caption."""
    if not filters.pcns:
        return "All PCNs in the ICB"
    names = pcn_names()
    if len(filters.pcns) == 1:
        return names.get(filters.pcns[0], filters.pcns[0])
    return f"{len(filters.pcns)} selected PCNs"


def period_caption(filters: Filters) -> str:
    """The scope and period under a page's title, and what its tiles compare with."""
    return (
        f"{scope_label(filters)}, {day(filters.date_from)} to {day(filters.date_to)} "
        f"({filters.days} days). Tiles compare with {previous_label(filters)}."
    )


def previous_label(filters: Filters) -> str:
    before = filters.previous()
    if filters.financial_years:
        return f"the financial year{'s' * (filters.financial_years > 1)} before"
    return f"the {filters.days} days before ({day(before.date_from)} to {day(before.date_to)})"
