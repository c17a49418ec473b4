"""The benchmark's report: the targets, and the readable table of every figure against them."""

from __future__ import annotations

from typing import Any

# Targets at 1,000,000 referrals on this 2-core machine (queries also at 10,000,000).
LOAD_TARGET_RATIO = 3.0  # the load, within 3x DuckDB's own read of the same file
QUERY_TARGET_S = 0.05
QUERY_TARGET_10M_S = 0.5
PAGE_TARGET_S = 0.3
SPEEDUP_TARGET = 5.0
MEMORY_TARGET_MB = 1024.0
BROWSER_COLD_TARGET_S = 3.0
BROWSER_NAVIGATE_TARGET_S = 1.5
# An interaction on a drawn page: choosing a PCN, or Next in presentation mode.
BROWSER_INTERACTION_TARGET_S = 1.0


def _verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def table(result: dict[str, Any], context: dict[str, Any]) -> str:
    """The benchmark as a plain-text table, each figure against its target."""
    first, last = context["period"]
    before, after = context["load_average"]
    lines = [
        f"Benchmark: {result['referrals']:,} referrals, median of {context['runs']} runs, "
        f"period {first:%d/%m/%Y} to {last:%d/%m/%Y}",
        f"Load average {before:.1f} at the start, {after:.1f} at the end ({context['cpus']} CPUs).",
        "",
        f"{'measure':<44}{'seconds':>10}  {'target':<12}",
    ]

    def row(label: str, value: float, target: str = "", passed: bool = True, unit: str = ""):
        shown = f"{value:.1f}{unit}" if unit else f"{value:.3f}"
        verdict = _verdict(passed) if target else ""
        lines.append(f"{label:<44}{shown:>10}  {target:<12}{verdict}".rstrip())

    raw, load = result["raw_read_s"], result["load_s"]
    row("DuckDB's own read of referrals CSV", raw)
    row("load referrals CSV (validate, commit, publish)", load)
    row(
        "load / DuckDB's own read",
        load / raw,
        f"<= {LOAD_TARGET_RATIO:g}x",
        load / raw <= LOAD_TARGET_RATIO,
        unit="x",
    )
    query_target = QUERY_TARGET_10M_S if result["referrals"] > 5_000_000 else QUERY_TARGET_S
    for name, seconds in result["queries"].items():
        row(f"query {name}", seconds, f"< {query_target:g} s", seconds < query_target)
    for name, seconds in result["pages"].items():
        row(f"page {name}", seconds, f"< {PAGE_TARGET_S:g} s", seconds < PAGE_TARGET_S)
    # Not a page but an interaction on one: its target is the browser's (below).
    row("presentation: Next at once, server side", result["present_next_s"])
    if "browser_cold_s" in result:
        cold = result["browser_cold_s"]
        target = f"<= {BROWSER_COLD_TARGET_S:g} s"
        row("browser: first page, new browser", cold, target, cold <= BROWSER_COLD_TARGET_S)
    for label, key, limit in (
        ("browser: from its link,", "browser_navigate", BROWSER_NAVIGATE_TARGET_S),
        ("browser: after choosing a PCN,", "browser_pcn", BROWSER_INTERACTION_TARGET_S),
    ):
        for name, seconds in result.get(key, {}).items():
            row(f"{label} {name}", seconds, f"<= {limit:g} s", seconds <= limit)
    if "browser_present_next_s" in result:
        seconds = result["browser_present_next_s"]
        target = f"<= {BROWSER_INTERACTION_TARGET_S:g} s"
        row("browser: Next at once, presentation cold", seconds, target,
            seconds <= BROWSER_INTERACTION_TARGET_S)  # fmt: skip
    row("headline figures, dashboard", result["duckdb_s"])
    if result["pandas_s"] is None:
        lines.append(f"{'headline figures, pandas':<44}{'skipped':>10}  (too big to read whole)")
    else:
        speedup = result["pandas_s"] / result["duckdb_s"]
        row("headline figures, pandas", result["pandas_s"])
        row(
            "pandas / dashboard",
            speedup,
            f">= {SPEEDUP_TARGET:g}x",
            speedup >= SPEEDUP_TARGET,
            unit="x",
        )
        disagreements = context["disagreements"]
        lines.append(
            f"{'pandas and dashboard figures agree':<44}{'yes' if not disagreements else 'NO':>10}"
        )
        lines += [f"  differs: {text}" for text in disagreements[:20]]
    peak = result["peak_rss_mb"]
    row("peak memory (MB)", peak, f"< {MEMORY_TARGET_MB:g} MB", peak < MEMORY_TARGET_MB, unit=" ")
    return "\n".join(lines)
