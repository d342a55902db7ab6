"""Part 1a, how tightly each burst mode's requests land: send, arrival and start spreads.

For each burst mode and size, one experiment of ``bursts`` bursts of :data:`STRATEGY` at window
0 (after a burst to warm up), and the median and worst of each spread over its bursts
(:mod:`racelab.engine.spreads`):

- *send*: first to last send at the client;
- *arrival*: first to last landing on the app's sockets (the kernel's receive stamps): what the
  sender and nginx achieved, the figure race tools quote;
- *start*: first to last start of the handlers in the app: the arrival spread plus the app's
  own queueing for its threads and cores, which is what a race window has to cover.

:data:`GOALS_MS` are the arrival spreads the lab aims at for 20 requests (the ones PortSwigger
measured for the single-packet attack and the last-byte gate); larger bursts report what is reached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from racelab import scenarios
from racelab.engine.burst import run
from racelab.engine.client import LabClient
from racelab.engine.spreads import SpreadSummary
from racelab.topology import Scope

STRATEGY = "counter/db-unsafe"  # a plain request: one read, one write; nothing to wait for
GOALS_MS: dict[tuple[str, int], float] = {("single-packet", 20): 1.0, ("last-byte", 20): 2.0}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def row(mode: str, size: int, summary: SpreadSummary) -> dict[str, Any]:
    """One line of the table: the spreads' medians and worsts, and the goal when there is one."""
    goal = GOALS_MS.get((mode, size))
    reached = summary.arrival_median_ms
    return {
        "mode": mode,
        "size": size,
        "bursts": summary.bursts,
        "send_median_ms": _ms(summary.send_median_ms),
        "send_max_ms": _ms(summary.send_max_ms),
        "arrival_median_ms": _ms(reached),
        "arrival_max_ms": _ms(summary.arrival_max_ms),
        "start_median_ms": _ms(summary.start_median_ms),
        "start_max_ms": _ms(summary.start_max_ms),
        "goal_ms": goal,
        "met": None if goal is None or reached is None else reached <= goal,
    }


def measure(
    client: LabClient,
    modes: tuple[str, ...],
    sizes: tuple[int, ...],
    bursts: int,
    declared: Scope | None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    strategy = scenarios.get(STRATEGY)
    rows = []
    for mode in modes:
        # One burst of the largest size first, not measured: the first bursts after `make up`
        # land wider (nginx opens its connections to the replicas, each worker its pools, on the
        # cores the burst needs), and a mode's first burst opens its own connections.
        run(client, strategy, max(sizes), 1, 0, declared=declared, mode=mode)
        for size in sizes:
            experiment = run(client, strategy, size, bursts, 0, declared=declared, mode=mode)
            found = row(mode, size, experiment.spreads)
            rows.append(found)
            goal = ""
            if found["goal_ms"] is not None:
                goal = f" (goal <= {found['goal_ms']:g} ms: {'met' if found['met'] else 'not met'})"
            log(f"[spreads {mode} n={size}] {experiment.spreads.text()}{goal}")
    return {"strategy": STRATEGY, "bursts": bursts, "rows": rows}
