"""One strategy's line on the board: the judge's verdict with what the run measured, as plain
strings and numbers (what Locust's table, a CSV and JSON can all carry).

The columns are fixed per scenario: the common ones, with the scenario's own anomaly names (in its
order) after the counts. The same numbers become the report's typed results
(:func:`spread` and :func:`costs` fill :class:`~racelab.engine.results.Spread` and
:class:`~racelab.engine.results.Costs`).
"""

from __future__ import annotations

from typing import Any

from racelab.bench.ledger import Tally
from racelab.core.scenario import Scenario
from racelab.core.strategy import Strategy
from racelab.engine.evidence import describe_evidence
from racelab.engine.judge import Judgement, served_counts
from racelab.engine.results import Costs, Spread
from racelab.engine.spreads import SpreadSummary, send_spreads_ms

HEAD: list[tuple[str, str]] = [
    ("name", "Strategy"),
    ("verdict", "Verdict"),
    ("expected", "Expected here"),
    ("attempted", "Attempted"),
    ("acknowledged", "Acknowledged"),
    ("refused", "Refused"),
    ("indeterminate", "Indeterminate"),
]
TAIL: list[tuple[str, str]] = [
    ("example", "What went wrong (example)"),
    ("served_by", "Served by (replicas / pids / threads)"),
    ("concurrency", "Max in flight"),
    ("bursts", "Bursts"),
    ("spread_median_ms", "Send spread, median (ms)"),
    ("spread_max_ms", "Send spread, max (ms)"),
    ("arrival_median_ms", "Arrival spread at the app, median (ms)"),
    ("arrival_max_ms", "Arrival spread at the app, max (ms)"),
    ("start_median_ms", "Start spread in the app, median (ms)"),
    ("start_max_ms", "Start spread in the app, max (ms)"),
    ("state", "State"),
    ("reason", "Reason"),
]
# In the CSV and the JSON only: the table is wide enough.
EXTRA = [
    "key",
    "scope",
    "declared_scope",
    "observed_scope",
    "spread_last_ms",
    "retries_per_call",
    "wait_ms_per_call",
    "deadlocks_per_call",
]
FIXED = {key for key, _ in HEAD + TAIL} | set(EXTRA)


def anomaly_key(name: str) -> str:
    """An anomaly's column: its own name, unless a fixed column has it already."""
    return f"anomaly_{name}" if name in FIXED else name


def columns(scenario: Scenario) -> list[tuple[str, str]]:
    """The tab's columns for one scenario: (row key, title)."""
    anomalies = [(anomaly_key(name), name.replace("_", " ").capitalize()) for name in scenario.anomalies]
    return [*HEAD, *anomalies, *TAIL]


def _ms(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def spread(tally: Tally, burst_size: int = 0, mode: str = "gate") -> Spread:
    """Send spreads from the calls' own send times (in a batch mode the ledger only knows when a
    call was handed in); arrival and start spreads from the app's stamps on the answered calls."""
    summary = SpreadSummary.of(tally.ops)
    return Spread(
        bursts=len(tally.rounds),
        burst_size=burst_size,
        median_ms=_ms(summary.send_median_ms),
        max_ms=_ms(summary.send_max_ms),
        arrival_median_ms=_ms(summary.arrival_median_ms, 2),
        arrival_max_ms=_ms(summary.arrival_max_ms, 2),
        start_median_ms=_ms(summary.start_median_ms, 2),
        start_max_ms=_ms(summary.start_max_ms, 2),
        mode=mode,
    )


def costs(tally: Tally) -> Costs:
    """What the server said each acknowledged call cost (the X-Racelab-* headers); Locust's own
    numbers (rps, latencies, requests) are filled in where Locust's statistics are at hand."""
    acked = [op for op in tally.ops if op.status == "ok"]
    n = max(1, len(acked))
    return Costs(
        retries_per_call=round(sum(op.retries for op in acked) / n, 3),
        wait_ms_per_call=round(sum(op.wait_ms for op in acked) / n, 3),
        deadlocks_per_call=round(sum(op.deadlocks for op in acked) / n, 3),
    )


def row(strategy: Strategy, j: Judgement, tally: Tally, state: str) -> dict[str, Any]:
    """One line of a scenario's Race verdicts tab (and of its CSV). ``None`` means "not measured"."""
    c = j.check
    served = served_counts([op for op in tally.ops if op.status == "ok"])
    s, spreads, k = spread(tally), list(send_spreads_ms(tally.ops).values()), costs(tally)
    return {
        "name": strategy.name,
        "verdict": j.verdict,
        "expected": j.expected,
        "attempted": c.attempted,
        "acknowledged": c.acknowledged,
        "refused": c.failed,
        "indeterminate": c.indeterminate,
        **{anomaly_key(name): n for name, n in c.anomalies.items()},
        "example": describe_evidence(c.evidence[0]) if c.evidence else "",
        "served_by": f"{served['replicas']} / {served['processes']} / {served['threads']}",
        "concurrency": j.concurrency,
        "bursts": s.bursts,
        "spread_median_ms": s.median_ms,
        "spread_max_ms": s.max_ms,
        "arrival_median_ms": s.arrival_median_ms,
        "arrival_max_ms": s.arrival_max_ms,
        "start_median_ms": s.start_median_ms,
        "start_max_ms": s.start_max_ms,
        "state": state,
        "reason": j.reason,
        "key": strategy.key,
        "scope": j.scope,
        "declared_scope": j.declared_scope,
        "observed_scope": j.observed_scope,
        "spread_last_ms": round(spreads[-1], 1) if spreads else None,
        "retries_per_call": k.retries_per_call,
        "wait_ms_per_call": k.wait_ms_per_call,
        "deadlocks_per_call": k.deadlocks_per_call,
    }
