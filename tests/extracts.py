"""Small extract files for load tests: good rows with defaults, and snapshots of a database."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import duckdb

from dashboard.data.contract import KINDS

REFERRAL: dict[str, Any] = {
    "referral_id": "R1",
    "person_id": "P1",
    "pcn_code": "U12345",
    "referral_date": "14/04/2025",
    "referral_source": "gp",
    "reason": "loneliness",
    "age_band": "45-54",
    "sex": "female",
    "ethnicity": "white",
    "imd_decile": "3",
    "first_contact_date": "22/04/2025",
    "status": "engaged",
}
SERVICE: dict[str, Any] = {
    "service_id": "S1",
    "provider_name": "Riverside Allotment Trust",
    "activity": "gardening",
    "pcn_code": "U12345",
    "monthly_capacity": "20",
    "funding": "funded",
    "status": "open",
}
OUTCOME: dict[str, Any] = {
    "referral_id": "R1",
    "measure": "wellbeing_star",
    "domain": "feeling_positive",
    "baseline_score": "2",
    "followup_score": "4",
}
ONWARD: dict[str, Any] = {
    "onward_id": "O1",
    "referral_id": "R1",
    "service_id": "S1",
    "activity": "gardening",
    "onward_date": "02/05/2025",
    "result": "attended",
}
PCN: dict[str, Any] = {"pcn_code": "U12345", "pcn_name": "Riverside PCN", "list_size": "42000"}
UTILISATION: dict[str, Any] = {
    "person_id": "P1",
    "setting": "gp_appointment",
    "period": "before",
    "window_months": "6",
    "count": "3",
}
DEFAULTS = {
    "referrals": REFERRAL,
    "services": SERVICE,
    "outcomes": OUTCOME,
    "onward_referrals": ONWARD,
    "pcns": PCN,
    "utilisation": UTILISATION,
}


def rows(kind: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per change, each the kind's good row with the change applied."""
    return [{**DEFAULTS[kind], **change} for change in changes]


def csv_text(records: list[dict[str, Any]], delimiter: str = ",", line: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(records[0]), delimiter=delimiter, lineterminator=line
    )
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def write_csv(
    path: Path,
    records: list[dict[str, Any]],
    *,
    delimiter: str = ",",
    line: str = "\n",
    encoding: str = "utf-8",
) -> Path:
    path.write_bytes(csv_text(records, delimiter, line).encode(encoding))
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything a load could change: every table's rows and the load history."""
    cursor = con.cursor()
    try:
        state = {
            kind: cursor.execute(f"select * from {kind} order by all").fetchall() for kind in KINDS
        }
        state["load_history"] = cursor.execute("select count(*) from load_history").fetchall()
        return state
    finally:
        cursor.close()
