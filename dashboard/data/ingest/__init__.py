"""Load extracts: read, validate set-wise in DuckDB, upsert in one transaction.

The rules come from the contract (`contract.columns(kind)`): names, aliases, types, allowed
values, ranges and patterns. Every rule is one SQL statement over a staging table, with the
contract's values bound as parameters; nothing is checked one Python object per row.

A row that breaks a rule is rejected with its row number (as the user sees it in their file:
the header is row 1), column, value and a plain-English reason; the others load. A file that
cannot be trusted at all (empty, unreadable, missing a required column, carrying patient
identifiers, too big) is refused whole. Either way the database changes only when the
whole load commits: `load` runs in one transaction on its own cursor.

The modules, each depending only on those above it:
- `work`: Extract (a file to load), Report (what the load did), Work (a unit in progress);
- `parameters`: bound parameters, and session variables for views;
- `detect`: the kind and column positions from the headers; refusing patient identifiers;
- `typed`: the staged text as contract types (dates, enums, numbers, age bands);
- `gp_registration`: NHS Digital's GP registration files joined into pcns;
- `rules`: row, file and stored rules; `validate`: applying them and filling in the report;
- `references`: warnings after the upserts (rows that match nothing, oddities);
- `load`: `load` and `preview`, the transaction.
"""

from dashboard.data.ingest.detect import column_positions, detect_kind, gp_registration_part
from dashboard.data.ingest.load import KIND_ORDER, Progress, load, preview
from dashboard.data.ingest.work import Extract, Report

__all__ = [
    "KIND_ORDER",
    "Extract",
    "Progress",
    "Report",
    "column_positions",
    "detect_kind",
    "gp_registration_part",
    "load",
    "preview",
]
