"""The one filter every view takes: which PCNs, and which period (both ends inclusive)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, model_validator

from dashboard.data.contract import PCN_CODE_PATTERN

if TYPE_CHECKING:
    import pandas as pd

FILTER_PARAMS = ("pcn", "from", "to")
# Parameters a page keeps in the URL for itself, beside the filter.
PAGE_PARAMS = ("slide",)


class Filters(BaseModel):
    """PCNs (empty means the whole ICB) and a period, `date_from` to `date_to` inclusive."""

    model_config = ConfigDict(frozen=True)

    pcns: tuple[str, ...] = ()
    date_from: date
    date_to: date

    @model_validator(mode="after")
    def _period_in_order(self) -> Filters:
        if self.date_from > self.date_to:
            raise ValueError("the period starts after it ends")
        return self

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def financial_years(self) -> int | None:
        """How many whole financial years the period is (1 April to 31 March), or None."""
        if (self.date_from.month, self.date_from.day) != (4, 1):
            return None
        if (self.date_to.month, self.date_to.day) != (3, 31):
            return None
        return self.date_to.year - self.date_from.year

    @property
    def year_days(self) -> int:
        """The days that annualise a rate: 365 for each whole financial year, leap year or
        not, so a whole year counts as one; otherwise the days in the period."""
        years = self.financial_years
        return 365 * years if years else self.days

    def params(self) -> dict[str, Any]:
        """Bound parameters for queries: `$pcns`, `$date_from`, `$date_to`, and `$days`, the
        period's length for annualising rates (`year_days`)."""
        return {
            "pcns": list(self.pcns),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "days": self.year_days,
        }

    def marked(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame`, a row per PCN (or per PCN and more), with `selected` true on this filter's
        PCNs. The queries that set every PCN against its peers leave the marking to this, so
        that one result serves every selection: choosing a PCN runs none of them again."""
        return frame.assign(selected=frame["pcn_code"].isin(self.pcns))

    def previous(self) -> Filters:
        """The period to compare with: the previous financial years for whole ones, else the
        same number of days immediately before, for the same PCNs."""
        years = self.financial_years
        if years:
            start = date(self.date_from.year - years, 4, 1)
            return self.model_copy(
                update={"date_from": start, "date_to": self.date_from - timedelta(days=1)}
            )
        return self.model_copy(
            update={
                "date_from": self.date_from - timedelta(days=self.days),
                "date_to": self.date_from - timedelta(days=1),
            }
        )

    def described(self) -> str:
        """The filter in words, for the audit trail."""
        where = f"PCN {', '.join(self.pcns)}" if self.pcns else "whole ICB"
        return f"{where}; {self.date_from.isoformat()} to {self.date_to.isoformat()}"

    def query_params(self, default: tuple[date, date]) -> dict[str, list[str] | str]:
        """The URL form: only what differs from the default period, so shared links stay short."""
        out: dict[str, list[str] | str] = {}
        if self.pcns:
            out["pcn"] = list(self.pcns)
        if (self.date_from, self.date_to) != default:
            out["from"] = self.date_from.isoformat()
            out["to"] = self.date_to.isoformat()
        return out


def financial_year(day: date) -> tuple[date, date]:
    """The NHS financial year (1 April to 31 March) that contains `day`."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def default_period(first: date, last: date) -> tuple[date, date]:
    """The latest financial year ending by the last referral; all the data if none does."""
    start, end = financial_year(last)
    if end > last:
        start, end = date(start.year - 1, 4, 1), date(start.year, 3, 31)
    if end < first:
        return first, last
    return start, end


def parse_query_params(
    params: Mapping[str, Iterable[str] | str],
    known_pcns: Iterable[str],
    default: tuple[date, date],
    unknown: str | None = None,
) -> tuple[Filters, list[str]]:
    """Filters from URL parameters; whatever is unknown or malformed is ignored with a notice.

    `unknown` is the notice's reason for a PCN outside `known_pcns`: a pcn user is told it is
    not one of theirs, never whether it exists."""
    notices: list[str] = []
    known = set(known_pcns)

    def values(name: str) -> list[str]:
        raw = params.get(name, [])
        items = [raw] if isinstance(raw, str) else list(raw)
        return [part.strip() for item in items for part in str(item).split(",") if part.strip()]

    for name in params:
        if name not in FILTER_PARAMS + PAGE_PARAMS:
            notices.append(f"Ignored the unknown URL parameter `{name}`.")

    pcns: list[str] = []
    for given in values("pcn"):
        code = given.upper()
        if not re.match(PCN_CODE_PATTERN, code):
            notices.append(f"Ignored `pcn={given}`: a PCN code is U and five digits.")
        elif code not in known:
            reason = unknown or "no PCN with that code is loaded"
            notices.append(f"Ignored `pcn={given}`: {reason}.")
        elif code not in pcns:
            pcns.append(code)

    period = list(default)
    for index, name in enumerate(("from", "to")):
        given = values(name)
        if not given:
            continue
        try:
            period[index] = date.fromisoformat(given[0])
        except ValueError:
            notices.append(f"Ignored `{name}={given[0]}`: dates in the URL are written 2025-04-01.")
    if period[0] > period[1]:
        notices.append("Ignored the period in the URL: it starts after it ends.")
        period = list(default)
    return Filters(pcns=tuple(pcns), date_from=period[0], date_to=period[1]), notices
