"""How tightly a burst fired: the send spread at the client, the arrival and start spreads at the app.

The *send spread* of a burst is first to last send (``Op.sent``, the client's clock); the
*arrival spread* is first to last arrival at the app (``Op.arrived``: the kernel's receive stamp
on the app's socket, :mod:`racelab.app.landing`); the *start spread* is first to last start of
the requests' handlers (``Op.started``, stamped by the app in each answer:
:mod:`racelab.app.arrival`). The arrival spread is what the sender and nginx achieved, the figure
race tools quote; the start spread adds the app's own queueing (parsing, threads and processes
sharing the GIL and the cores), and it is the one a race window has to cover: two requests that
start 20 ms apart do not overlap in a 1 ms read-modify-write, however close together they landed.

Why the wall clock for arrivals: a burst lands on several processes (and replicas), and only the
wall clock is one clock for all of them. On one host every process reads the same kernel clock
(CLOCK_REALTIME, through the vDSO), so two stamps compare to within the cost of reading it, a
microsecond or less; what can move it mid-burst is an NTP adjustment, which slews at most 0.5 ms
per second (0.5 µs over a 1 ms burst) and steps only when the clock is far off. Across hosts
(Kubernetes nodes) the spread is only as good as their clock sync, typically tens of µs to a ms.
The monotonic stamp (``X-Racelab-Started-Ns``) is comparable within a process, not across hosts.

Pure functions over histories: unit-tested on hand-written ones.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from racelab.core.history import Op


def _spreads(history: Iterable[Op], stamp: Callable[[Op], float | None]) -> dict[int, float]:
    """burst -> last minus first stamp, in ms, for each burst with at least two stamps."""
    bounds: dict[int, list[float]] = {}
    counts: dict[int, int] = {}
    for op in history:
        at = stamp(op)
        if op.burst is None or at is None:
            continue
        low_high = bounds.setdefault(op.burst, [at, at])
        low_high[0], low_high[1] = min(low_high[0], at), max(low_high[1], at)
        counts[op.burst] = counts.get(op.burst, 0) + 1
    return {b: (high - low) * 1000 for b, (low, high) in sorted(bounds.items()) if counts[b] >= 2}


def send_spreads_ms(history: Iterable[Op]) -> dict[int, float]:
    """First to last send of each burst (client clock)."""
    return _spreads(history, lambda op: op.sent)


def arrival_spreads_ms(history: Iterable[Op]) -> dict[int, float]:
    """First to last arrival at the app's sockets of each burst (wall clock, across processes);
    calls the app never answered carry no arrival and are left out."""
    return _spreads(history, lambda op: op.arrived)


def start_spreads_ms(history: Iterable[Op]) -> dict[int, float]:
    """First to last start in the app of each burst (wall clock, across processes)."""
    return _spreads(history, lambda op: op.started)


def median(values: Iterable[float]) -> float | None:
    found = list(values)
    return statistics.median(found) if found else None


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``fraction`` 0..1): one of the values, never interpolated."""
    found = sorted(values)
    if not found:
        return None
    # ceil(p * n), with a hair off so that 0.99 * 100 (99.00000000000001) stays rank 99
    rank = max(1, min(len(found), math.ceil(fraction * len(found) - 1e-9)))
    return found[rank - 1]


@dataclass(frozen=True)
class SpreadSummary:
    """Median and worst of the bursts' send, arrival and start spreads, in ms (None: not measured)."""

    bursts: int
    send_median_ms: float | None
    send_max_ms: float | None
    arrival_median_ms: float | None
    arrival_max_ms: float | None
    start_median_ms: float | None = None
    start_max_ms: float | None = None

    @classmethod
    def of(cls, history: list[Op]) -> SpreadSummary:
        sends = list(send_spreads_ms(history).values())
        arrivals = list(arrival_spreads_ms(history).values())
        starts = list(start_spreads_ms(history).values())
        return cls(
            len({op.burst for op in history if op.burst is not None}),
            median(sends),
            max(sends, default=None),
            median(arrivals),
            max(arrivals, default=None),
            median(starts),
            max(starts, default=None),
        )

    def text(self) -> str:
        """``send=0.4ms arrival=0.9ms start=5.1ms`` (medians over the bursts; worst in brackets
        when several)."""

        def one(med: float | None, worst: float | None) -> str:
            if med is None or worst is None:
                return "-"
            return f"{med:.1f}ms" if self.bursts < 2 else f"{med:.1f}ms (max {worst:.1f})"

        return (
            f"send={one(self.send_median_ms, self.send_max_ms)} "
            f"arrival={one(self.arrival_median_ms, self.arrival_max_ms)} "
            f"start={one(self.start_median_ms, self.start_max_ms)}"
        )
