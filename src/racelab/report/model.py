"""What the report says, derived from ``results.json`` alone: pure functions, no I/O.

``results.json`` is a contract (other tools read it)::

    {"revision": str, "generated_at": str, "config": {..., "topologies": [{"name", ...}]},
     "strategies": {name: {"summary", "store", "safe_up_to", "explanation", "expected"}},
     "cells": [{"scenario", "strategy", "topology", "expected", "observed", "attempted",
                "acknowledged", "failed", "duplicates", "lost", "rps", "p50_ms", "p99_ms", ...}],
     "mismatches": [...], "costs": {topology: [...]}}

Verdicts are spelled ``holds`` / ``fails`` / ``unknown``.
"""

from __future__ import annotations

from typing import Any

Cell = dict[str, Any]
Results = dict[str, Any]

UNSAFE_BASELINE = {"memory": "global-unsafe", "postgres": "db-unsafe", "redis": "redis-unsafe"}
FALLBACK_BASELINE = "global-unsafe"


def topologies(results: Results) -> list[str]:
    """Topology names in the configured order, then any others the cells mention."""
    names = [t["name"] for t in results.get("config", {}).get("topologies", [])]
    for cell in results.get("cells", []):
        if cell["topology"] not in names:
            names.append(cell["topology"])
    return names


def strategy_names(results: Results) -> list[str]:
    names = list(results.get("strategies", {}))
    for cell in results.get("cells", []):
        if cell["strategy"] not in names:
            names.append(cell["strategy"])
    return names


def cell_map(results: Results) -> dict[tuple[str, str], Cell]:
    return {(c["strategy"], c["topology"]): c for c in results.get("cells", [])}


def anomalies(cell: Cell) -> int:
    return int(cell.get("duplicates", 0)) + int(cell.get("lost", 0)) + int(cell.get("excess", 0))


def matches(cell: Cell) -> bool:
    return cell.get("observed") == cell.get("expected")


def mismatches(results: Results) -> list[Cell]:
    return [c for c in results.get("cells", []) if not matches(c)]


def describe_mismatch(cell: Cell) -> str:
    why = {
        ("holds", "fails"): "a safe strategy leaked",
        ("fails", "holds"): "an unsafe strategy did not show its race",
    }.get((cell.get("expected"), cell.get("observed")), "no verdict could be reached")
    return (
        f"{cell['strategy']} x {cell['topology']}: expected {cell.get('expected')}, observed "
        f"{cell.get('observed')} ({why}; {cell.get('acknowledged', 0)} acknowledged, "
        f"{cell.get('duplicates', 0)} duplicates, {cell.get('lost', 0)} lost)"
    )


def safe_strategies(results: Results) -> list[str]:
    """Strategies expected to hold under every topology: the ones worth pricing."""
    meta = results.get("strategies", {})
    return [n for n in strategy_names(results) if meta.get(n, {}).get("safe_up_to") == "replicas"]


def baseline_for(results: Results, strategy: str) -> str:
    store = results.get("strategies", {}).get(strategy, {}).get("store", "")
    return UNSAFE_BASELINE.get(store, FALLBACK_BASELINE)


def _ratio(value: float | None, base: float | None) -> float | None:
    if value is None or not base:
        return None
    return round(float(value) / float(base), 2)


def cost_rows(results: Results, topology: str) -> list[dict[str, Any]]:
    """Per safe strategy under one topology: its price, and as a ratio to its unprotected twin."""
    cells = cell_map(results)
    rows = []
    for name in safe_strategies(results):
        cell = cells.get((name, topology))
        if cell is None:
            continue
        base_name = baseline_for(results, name)
        base = cells.get((base_name, topology), {})
        rows.append({
            "strategy": name,
            "topology": topology,
            "baseline": base_name if base else None,
            "rps": cell.get("rps"),
            "p50_ms": cell.get("p50_ms"),
            "p99_ms": cell.get("p99_ms"),
            "retries_per_call": cell.get("retries_per_call", 0.0),
            "wait_ms_per_call": cell.get("wait_ms_per_call", 0.0),
            "failed": cell.get("failed", 0),
            "rps_ratio": _ratio(cell.get("rps"), base.get("rps")),
            "p50_ratio": _ratio(cell.get("p50_ms"), base.get("p50_ms")),
            "p99_ratio": _ratio(cell.get("p99_ms"), base.get("p99_ms")),
            "baseline_rps": base.get("rps"),
            "baseline_p50_ms": base.get("p50_ms"),
            "baseline_p99_ms": base.get("p99_ms"),
        })
    return rows


def costs(results: Results) -> dict[str, list[dict[str, Any]]]:
    return {t: cost_rows(results, t) for t in topologies(results)}


def main_topology(results: Results) -> str:
    """The topology the cost table leads with: the default one if it was run."""
    names = topologies(results)
    default = results.get("config", {}).get("default_topology", "replicas")
    return default if default in names else (names[-1] if names else default)


def _distance(a: dict[str, Any], b: dict[str, Any]) -> int:
    """How far apart two servers are: other replica 3, other process 2, other thread 1."""
    if a.get("replica") != b.get("replica"):
        return 3
    if a.get("pid") != b.get("pid"):
        return 2
    return 1 if a.get("thread") != b.get("thread") else 0


def evidence(results: Results, strategy: str) -> dict[str, Any] | None:
    """An example pair of calls that got the same value, from the widest topology that showed one;
    of its collisions, the pair served furthest apart (it shows best what the lock did not reach)."""
    cells = cell_map(results)
    for topology in reversed(topologies(results)):
        cell = cells.get((strategy, topology)) or {}
        best: tuple[int, dict[str, Any]] | None = None
        for collision in cell.get("collisions") or []:
            holders = collision.get("served_by", [])
            for i, a in enumerate(holders):
                for b in holders[i + 1:]:
                    found = {"topology": topology, "value": collision["value"], "pair": [a, b],
                             "holders": len(holders)}
                    if best is None or _distance(a, b) > best[0]:
                        best = (_distance(a, b), found)
        if best is not None:
            return best[1]
    return None


def summary(results: Results) -> dict[str, Any]:
    cells = results.get("cells", [])
    bad = mismatches(results)
    return {
        "cells": len(cells),
        "matching": len(cells) - len(bad),
        "mismatches": [describe_mismatch(c) for c in bad],
        "ok": bool(cells) and not bad,
        "attempted": sum(int(c.get("attempted", 0)) for c in cells),
        "anomalies": sum(anomalies(c) for c in cells),
    }


def served_text(served_by: dict[str, Any]) -> str:
    return f"{served_by.get('replica', '?')} / pid {served_by.get('pid', '?')} / {served_by.get('thread', '?')}"


def enrich(results: Results) -> Results:
    """``results`` with the derived sections filled in: what ``results.json`` stores."""
    return {**results, "mismatches": summary(results)["mismatches"], "costs": costs(results)}
