"""The benchmark's child processes, started by `children`:

- `python -m dashboard.devtools.bench extracts DB FOLDER KIND ...` writes those tables as CSV;
- `python -m dashboard.devtools.bench pandas FOLDER FROM TO RUNS [PCN ...]` prints, as JSON,
  the median seconds and the headline figures computed the pandas way.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from dashboard.devtools.bench.figures import pandas_figures, write_extracts
from dashboard.devtools.bench.timing import median_run
from dashboard.measures.filters import Filters


def main(argv: list[str]) -> int:
    role, *args = argv
    if role == "extracts":
        write_extracts(Path(args[0]), Path(args[1]), tuple(args[2:]))
    elif role == "pandas":
        folder, date_from, date_to, runs, *pcns = args
        filters = Filters(
            pcns=tuple(pcns),
            date_from=date.fromisoformat(date_from),
            date_to=date.fromisoformat(date_to),
        )
        seconds, figures = median_run(lambda: pandas_figures(Path(folder), filters), int(runs))
        print(json.dumps({"seconds": seconds, "figures": figures}))
    else:
        raise SystemExit(f"unknown role {role!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
