"""The data dictionary and template CSV for each extract kind, generated from the contract."""

from __future__ import annotations

import pandas as pd

from dashboard.data.contract import PRSB_ITEMS, columns
from dashboard.export import csv_bytes


def dictionary(kind: str) -> pd.DataFrame:
    """One row per column: name, type, whether required, its rule, aliases, the PRSB Social
    Prescribing Information Standard's item it maps to, and an example."""
    rows = []
    for column in columns(kind):
        rule = column.description
        if column.allowed:
            rule += f"; one of: {', '.join(column.allowed)}"
        if column.python_type.__name__ == "date":
            rule += "; dd/mm/yyyy or yyyy-mm-dd"
        if kind == "referrals" and column.name == "age_band":
            rule += "; an age column is banded instead"
        rows.append(
            {
                "column": column.name,
                "type": column.type_label,
                "required": "yes" if column.required else "no",
                "rule": rule,
                "aliases": ", ".join(column.aliases),
                "PRSB item": ", ".join(PRSB_ITEMS.get(kind, {}).get(column.name, ())),
                "example": "" if column.example is None else str(column.example),
            }
        )
    return pd.DataFrame(rows)


def template_csv(kind: str) -> bytes:
    """A CSV with the canonical headers and one example row, ready to fill in."""
    frame = pd.DataFrame([{c.name: "" if c.example is None else c.example for c in columns(kind)}])
    return csv_bytes(frame)
