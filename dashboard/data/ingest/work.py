"""What a load is given, what it works on, and what it reports back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.data.ingest.mapping import Mapping
from dashboard.data.readers import Staged


@dataclass(frozen=True)
class Extract:
    """A file to load: the name the user knows it by, where it is, its kind if known, and the
    mapping of its headers and codes when they are a source system's own."""

    name: str
    path: Path
    kind: str | None = None
    mapping: Mapping | None = None


def _no_issues() -> pd.DataFrame:
    return pd.DataFrame({"row": [], "column": [], "value": [], "reason": []})


@dataclass
class Report:
    """What a load did, or would do, with one file."""

    file: str
    kind: str | None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: pd.DataFrame = field(default_factory=_no_issues)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    refused: str | None = None
    # Refused for its headers alone, so that mapping its columns would make it loadable.
    mappable: bool = False
    # The name of the mapping its headers and codes were read with.
    mapping: str | None = None
    loaded: bool = False
    unmatched: int = 0
    date_from: date | None = None
    date_to: date | None = None
    # The rejected rows as they were in the file, with their row numbers and reasons.
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)

    def as_json(self) -> dict[str, Any]:
        errors = [
            {
                "row": None if pd.isna(row) else int(row),
                "column": None if pd.isna(column) else column,
                "value": None if pd.isna(value) else value,
                "reason": reason,
            }
            for row, column, value, reason in self.errors[
                ["row", "column", "value", "reason"]
            ].itertuples(index=False)
        ]
        if self.refused:
            errors = [{"row": None, "column": None, "value": None, "reason": self.refused}]
        return {
            "kind": self.kind,
            "file": self.file,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": errors,
            "warnings": self.warnings,
            "loaded": self.loaded,
            "refused": self.refused is not None,
            "mapping": self.mapping,
        }


@dataclass
class Work:
    """One load unit in progress: a file (or the GP registration pair) and its staging.

    `table` prefixes the unit's temporary tables: `<table>_typed`, `_checked`, `_errors`,
    `_accepted`.
    """

    report: Report
    staged: Staged | None = None
    kind: str | None = None
    positions: dict[str, int] = field(default_factory=dict)
    age_position: int | None = None
    mapping: Mapping | None = None
    table: str = ""
    # GP registration loads: the mapping file as staged, and its practices with list sizes.
    source: Staged | None = None
    practices: str | None = None
