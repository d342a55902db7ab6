"""Part 1, reproduction curves: how often a burst shows the race, per window, mode and size.

Each burst is one experiment of its own (reset, burst, judge), so "a burst with at least one
anomaly" is exactly the checker's anomaly count of that experiment being above zero.
"""

from __future__ import annotations

from collections.abc import Callable

from racelab import scenarios
from racelab.benchmark.figures import CurvePoint
from racelab.benchmark.plan import Point
from racelab.engine.burst import run
from racelab.engine.client import LabClient
from racelab.topology import Scope


def unsafe_strategies(scope: Scope) -> dict[str, list[str]]:
    """scenario -> keys of the strategies expected to fail at ``scope`` because of a race (not
    those whose harm needs no race: ``unsafe_alone``), Postgres ones first: the plan draws its
    full curves for the first, and a race between a database read and write (a network round trip
    apart) is the one whose odds move with the window and the way requests are sent, where an
    in-process counter races at every point."""
    found: dict[str, list[str]] = {}
    for scenario in scenarios.scenarios().values():
        unsafe = [s for s in scenario.strategies.values() if s.expected(scope) == "fails" and not s.unsafe_alone]
        found[scenario.name] = [s.key for s in sorted(unsafe, key=lambda s: s.store.name != "postgres")]
    return found


def measure(
    client: LabClient,
    points: list[Point],
    bursts: int,
    declared: Scope | None,
    progress: Callable[[int, int, CurvePoint], None] | None = None,
) -> list[CurvePoint]:
    results: list[CurvePoint] = []
    for n, point in enumerate(points, 1):
        strategy = scenarios.get(point.strategy)
        hits = 0
        for _ in range(bursts):
            experiment = run(client, strategy, point.size, 1, point.window_ms, declared=declared, mode=point.mode)
            hits += experiment.judgement.check.total > 0
        result = CurvePoint(point.strategy, point.mode, point.size, point.window_ms, bursts, hits)
        results.append(result)
        if progress:
            progress(n, len(points), result)
    return results
