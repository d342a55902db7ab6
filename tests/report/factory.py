"""Hand-made typed cells, and results built from them by the report's own code."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from racelab import scenarios
from racelab.core.verdict import Check, Verdict
from racelab.engine.judge import Judgement
from racelab.engine.results import Cell, Costs, Spread
from racelab.report.plan import Plan
from racelab.report.results import Results
from racelab.report.runner import results_of
from racelab.topology import TOPOLOGIES

SERVED = [
    {"replica": "app-1", "pid": 101, "thread": "ThreadPoolExecutor-0_1"},
    {"replica": "app-3", "pid": 307, "thread": "ThreadPoolExecutor-0_2"},
]


def cell(
    key: str,
    topology: str,
    verdict: Verdict | None = None,
    *,
    anomalies: dict[str, int] | None = None,
    evidence: list[dict[str, Any]] | None = None,
    rps: float | None = 400.0,
    p50_ms: float | None = 20.0,
    p99_ms: float | None = 60.0,
    acknowledged: int = 240,
    files: dict[str, str] | None = None,
) -> Cell:
    """A cell of ``scenario/strategy`` under ``topology``: as expected unless ``verdict`` says
    otherwise; a failing cell gets a few of its scenario's first anomaly unless told which."""
    strategy = scenarios.get(key)
    scenario = scenarios.scenario(strategy.scenario)
    scope = TOPOLOGIES[topology].scope
    expected = strategy.expected(scope)
    verdict = verdict or expected
    counts = dict.fromkeys(scenario.anomalies, 0) | (anomalies or {})
    if verdict == "fails" and not any(counts.values()):
        counts[next(iter(scenario.anomalies))] = 3
    if verdict == "fails" and evidence is None:
        evidence = [{"anomaly": next(n for n, v in counts.items() if v), "value": 7, "served_by": SERVED}]
    reason = {"holds": "no anomaly", "fails": "anomalies found", "unknown": "no call was acknowledged"}[verdict]
    check = Check(verdict, reason, 250, acknowledged, 10, 0, counts, evidence or [])
    judgement = Judgement(key, verdict, expected, scope.label, scope.label, scope.label, 24, check, [])
    return Cell(
        scenario.name,
        strategy.name,
        topology,
        judgement,
        costs=Costs(
            rps=rps,
            p50_ms=p50_ms,
            p99_ms=p99_ms,
            mean_ms=25.0,
            retries_per_call=0.5,
            wait_ms_per_call=1.25,
            requests=250,
        ),
        spread=Spread(bursts=10, burst_size=24, median_ms=0.4, max_ms=1.1),
        served_by={"replicas": 3, "processes": 6, "threads": 12},
        params={},
        duration_s=1.0,
        files=files if files is not None else {"record": f"cells/{topology}/cells.jsonl.gz"},
    )


def plan(keys: list[str], topologies: list[str], tmp: Path, **overrides: Any) -> Plan:
    return Plan(topologies=topologies, strategies=keys, out_root=tmp, **overrides)


def results(keys: list[str], topologies: list[str], tmp: Path, cells: list[Cell] | None = None) -> Results:
    """Results as the runner builds them, from every (key, topology) cell as expected, or ``cells``."""
    made = cells if cells is not None else [cell(k, t) for k in keys for t in topologies]
    return results_of(plan(keys, topologies, tmp), made, time.monotonic() - 12.5, "native")


def every_key() -> list[str]:
    return [s.key for s in scenarios.all_strategies()]
