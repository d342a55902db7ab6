"""The numbers ``racelab bench`` derives from what it measured: pure functions, tested by hand.

Only ratios are meant to be compared across runs and machines; absolute requests/s depend on
the cores, their load and everything else sharing them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from racelab.engine.spreads import percentile

TARGET = 0.95  # "to see the race 95% of the time"


def fraction(hits: int, total: int) -> float | None:
    """hits / total, None when nothing was tried."""
    return hits / total if total > 0 else None


def ratio(value: float | None, base: float | None) -> float | None:
    """value / base, None when either is missing or the base is zero."""
    if value is None or base is None or base <= 0:
        return None
    return value / base


def latency_ms(samples_s: Iterable[float]) -> dict[str, float | None]:
    """p50 and p99 (nearest rank) of latencies given in seconds, in ms."""
    found = [s * 1000 for s in samples_s]
    p50, p99 = percentile(found, 0.5), percentile(found, 0.99)
    return {"p50_ms": p50, "p99_ms": p99}


@dataclass(frozen=True)
class CurvePoint:
    strategy: str
    mode: str
    size: int
    window_ms: int
    bursts: int
    with_anomaly: int

    @property
    def fraction(self) -> float | None:
        return fraction(self.with_anomaly, self.bursts)


def first_reproducing(points: Iterable[CurvePoint], target: float = TARGET) -> dict[tuple[str, str], CurvePoint]:
    """Per (strategy, mode), the cheapest point that showed the race in at least ``target`` of its
    bursts: fewest requests first, then the narrowest window. A pair with no such point is absent."""
    best: dict[tuple[str, str], CurvePoint] = {}
    for p in points:
        f = p.fraction
        if f is None or f < target:
            continue
        key = (p.strategy, p.mode)
        held = best.get(key)
        if held is None or (p.size, p.window_ms) < (held.size, held.window_ms):
            best[key] = p
    return best


WRK_RATE = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def parse_wrk(output: str) -> tuple[float, int]:
    """wrk's requests/s and its count of non-2xx answers, from its text output."""
    found = WRK_RATE.search(output)
    if found is None:
        raise ValueError(f"no 'Requests/sec:' line in wrk's output: {output[-300:]!r}")
    errors = WRK_ERRORS.search(output)
    return float(found.group(1)), int(errors.group(1)) if errors else 0


def locust_rate(stats_csv: str) -> tuple[float, int]:
    """Requests/s and failures from the ``Aggregated`` row of Locust's ``*_stats.csv``."""
    lines = [line.split(",") for line in stats_csv.strip().splitlines()]
    if not lines:
        raise ValueError("Locust's stats CSV is empty")
    header = [h.strip('"') for h in lines[0]]
    for row in lines[1:]:
        cells = dict(zip(header, (c.strip('"') for c in row), strict=False))
        if cells.get("Name") == "Aggregated":
            return float(cells["Requests/s"]), int(cells["Failure Count"])
    raise ValueError("no Aggregated row in Locust's stats CSV")


def mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return sum(found) / len(found) if found else None


@dataclass(frozen=True)
class Sample:
    """One closed-loop call: how long it took, its HTTP status (0: no answer), what it cost."""

    latency_s: float
    status: int
    retries: int = 0
    wait_ms: float = 0.0


def summarise(samples: list[Sample], seconds: float) -> dict[str, float | int | None]:
    """Requests/s (answered calls over the measured time), p50/p99 latency of the answered
    calls, and retries and lock waits per answered call."""
    answered = [s for s in samples if s.status]
    n = len(answered)
    return {
        "calls": len(samples),
        "ok": sum(1 for s in answered if s.status < 300),
        "refused": sum(1 for s in answered if 400 <= s.status < 500),
        "errors": len(samples) - n + sum(1 for s in answered if s.status >= 500),
        "rps": n / seconds if seconds > 0 else None,
        **latency_ms(s.latency_s for s in answered),
        "retries_per_call": fraction(sum(s.retries for s in answered), n),
        "wait_ms_per_call": (sum(s.wait_ms for s in answered) / n) if n else None,
    }
