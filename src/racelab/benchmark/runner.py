"""The whole ``racelab bench`` run: the three parts in turn, progress on stdout, one folder.

``bench/<YYYYmmdd-HHMMSS>/`` gets results.json (every number, and the machine), summary.md and
index.html (drawn from results.json alone), and ``bench/latest`` points at it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from racelab import scenarios
from racelab.benchmark import curves, harness, machine, pages, saturation, sharpness
from racelab.benchmark.figures import CurvePoint, first_reproducing, ratio
from racelab.benchmark.plan import Plan, make_plan
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient
from racelab.report.folders import link_latest, new_folder
from racelab.topology import Scope

POLL_STRATEGY = "counter/redis-lock"  # the redis-py Lock guard with nothing else around it
POLL_CALLERS = (8, 32)  # QUICK: the last one only


def plan_for(scope: Scope, quick: bool, h2: bool) -> Plan:
    modes = ("threads", "last-byte", "single-packet") if h2 else ("threads", "last-byte")
    return make_plan(curves.unsafe_strategies(scope), quick, modes)


def _cost(client: LabClient, plan: Plan, scope: Scope, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Every safe strategy at every concurrency, each beside its baseline measured in the same pass."""
    safe = [s for s in saturation.safe_strategies(scope) if not plan.only_safe or s.key in plan.only_safe]
    pairs: list[tuple[Strategy, Strategy | None]] = [(s, scenarios.scenario(s.scenario).baseline(s)) for s in safe]
    baselines = sorted({b.key: b for _, b in pairs if b is not None}.values(), key=lambda b: b.key)
    rows: list[dict[str, Any]] = []
    order = list({s.key: s for s in [*baselines, *safe]}.values())  # a baseline may be safe too
    total = len(plan.concurrency) * len(order)
    done = 0
    for callers in plan.concurrency:
        measured: dict[str, dict[str, Any]] = {}
        for strategy in order:
            row = saturation.measure(client, strategy, callers, plan.seconds)
            measured[strategy.key] = row
            done += 1
            log(
                f"[cost {done}/{total}] {strategy.key} x{callers}: {row['rps'] or 0:.0f} req/s "
                f"p50={row['p50_ms'] or 0:.1f}ms p99={row['p99_ms'] or 0:.1f}ms"
            )
        for strategy, baseline in pairs:
            row = dict(measured[strategy.key])
            base = measured[baseline.key] if baseline is not None else None
            row["baseline"] = baseline.key if baseline is not None else None
            row["ratio"] = ratio(row["rps"], base["rps"]) if base else None
            row["p99_ratio"] = ratio(row["p99_ms"], base["p99_ms"]) if base else None
            row["is_baseline"] = False
            rows.append(row)
            shown = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
            log(f"[cost x{callers}] {strategy.key}: {shown} {row['baseline'] or '(no baseline)'}")
        for baseline in baselines:
            rows.append(
                {**measured[baseline.key], "baseline": None, "ratio": 1.0, "p99_ratio": 1.0, "is_baseline": True}
            )
    return rows


def _poll(client: LabClient, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    """The Redis lock's polling interval swept at one concurrency, beside the default (no override)."""
    try:
        strategy = scenarios.get(POLL_STRATEGY)
    except KeyError:
        return {"skipped": f"no {POLL_STRATEGY} strategy"}
    rows = []
    callers = POLL_CALLERS[-1:] if plan.quick else POLL_CALLERS
    for n in callers:
        for poll_ms in plan.poll_ms:
            row = saturation.measure(client, strategy, n, plan.seconds, f"?lock_poll_ms={poll_ms:g}")
            rows.append({"poll_ms": poll_ms, **row})
            log(
                f"[poll {poll_ms:g} ms x{n}] {row['rps'] or 0:.0f} req/s p50={row['p50_ms'] or 0:.1f}ms "
                f"p99={row['p99_ms'] or 0:.1f}ms wait/call={row['wait_ms_per_call'] or 0:.2f}ms"
            )
    best = {
        str(n): max((r for r in rows if r["callers"] == n), key=lambda r: r["rps"] or 0)["poll_ms"] for n in callers
    }
    return {"strategy": POLL_STRATEGY, "callers": list(callers), "rows": rows, "best_poll_ms": best}


def run(
    client: LabClient,
    out_root: Path,
    quick: bool,
    log: Callable[[str], None] = print,
    plan: Plan | None = None,
) -> Path:
    """Measure the three parts and write the folder; returns it."""
    started = time.perf_counter()
    box = machine.describe()
    # How the lab runs its app processes decides how they share the cores with nginx and the harness.
    box["app_scheduling"] = client.shape().get("scheduling")
    log(f"machine: {machine.one_line(box)}")
    declared = client.declared_scope()
    scope = declared or Scope.REPLICAS
    if plan is None:
        plan = plan_for(scope, quick, client.h2_endpoint is not None)
    log(f"plan: {len(plan.points)} curve points x {plan.bursts} bursts; " + "; ".join(plan.notes))

    def point_done(n: int, total: int, p: CurvePoint) -> None:
        log(
            f"[curves {n}/{total}] {p.strategy} {p.mode} n={p.size} window={p.window_ms}ms: "
            f"{p.with_anomaly}/{p.bursts} bursts with an anomaly ({time.perf_counter() - started:.0f}s)"
        )

    modes = tuple(dict.fromkeys(p.mode for p in plan.points)) or ("threads",)
    spreads = sharpness.measure(client, modes, plan.sharp_sizes, plan.sharp_bursts, declared, log)
    points = curves.measure(client, plan.points, plan.bursts, declared, point_done)
    first = first_reproducing(points)
    log(f"harness: wrk against Locust on {harness.ENDPOINT}, {harness.CONNECTIONS} connections")
    versus = harness.compare(client.base_url, plan.harness_seconds, plan.locust_processes, log)
    for n, r in versus.get("ratios", {}).items():
        log(f"harness: Locust x{n} / wrk = {r:.2f}" if r is not None else f"harness: Locust x{n}: no figure")
    cost = _cost(client, plan, scope, log)
    poll = _poll(client, plan, log)
    elapsed = time.perf_counter() - started
    results = {
        "created": datetime.now().isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "quick": plan.quick,
        "scope": scope.label,
        "machine": box,
        "plan": plan.to_json(),
        "spreads": spreads,
        "curves": {
            "points": [{**asdict(p), "fraction": p.fraction} for p in points],
            "first_95": [{**asdict(p), "fraction": p.fraction} for p in first.values()],
        },
        "harness": versus,
        "cost": cost,
        "poll": poll,
    }
    folder = new_folder(out_root)
    (folder / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    pages.write(results, folder)
    link_latest(folder)
    log(f"bench: {elapsed:.0f}s; {folder}/index.html, summary.md, results.json (bench/latest)")
    return folder
