"""The benchmark's report: the targets, and the readable table of every figure against them."""

from __future__ import annotations

from typing import Any

# Targets of issue 8, at 1,000,000 referrals on this 2-core machine.
LOAD_TARGET_S = 10.0
QUERY_TARGET_S = 0.1
PAGE_TARGET_S = 1.0
SPEEDUP_TARGET = 5.0
MEMORY_TARGET_MB = 2048.0
BROWSER_TARGET_S = 1.5


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
        f"{'measure':<40}{'seconds':>10}  {'target':<10}",
    ]

    def row(label: str, value: float, target: str = "", passed: bool = True, unit: str = ""):
        shown = f"{value:.1f}{unit}" if unit else f"{value:.3f}"
        verdict = _verdict(passed) if target else ""
        lines.append(f"{label:<40}{shown:>10}  {target:<10}{verdict}".rstrip())

    row(
        "load referrals CSV",
        result["load_s"],
        f"< {LOAD_TARGET_S:g} s",
        result["load_s"] < LOAD_TARGET_S,
    )
    for name, seconds in result["queries"].items():
        row(f"query {name}", seconds, f"< {QUERY_TARGET_S:g} s", seconds < QUERY_TARGET_S)
    for name, seconds in result["pages"].items():
        row(f"page {name}", seconds, f"< {PAGE_TARGET_S:g} s", seconds < PAGE_TARGET_S)
    for name, seconds in result.get("browser", {}).items():
        row(
            f"browser: pick a PCN, {name}",
            seconds,
            f"< {BROWSER_TARGET_S:g} s",
            seconds < BROWSER_TARGET_S,
        )
    speedup = result["pandas_s"] / result["duckdb_s"]
    row("headline figures, pandas", result["pandas_s"])
    row("headline figures, dashboard", result["duckdb_s"])
    row(
        "pandas / dashboard",
        speedup,
        f">= {SPEEDUP_TARGET:g}x",
        speedup >= SPEEDUP_TARGET,
        unit="x",
    )
    peak = result["peak_rss_mb"]
    row("peak memory (MB)", peak, f"< {MEMORY_TARGET_MB:g} MB", peak < MEMORY_TARGET_MB, unit=" ")
    disagreements = context["disagreements"]
    lines.append(
        f"{'pandas and dashboard figures agree':<40}{'yes' if not disagreements else 'NO':>10}"
    )
    lines += [f"  differs: {text}" for text in disagreements[:20]]
    return "\n".join(lines)
