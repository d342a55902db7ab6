"""What ``racelab bench`` measures: the sampling plan, pure and small enough to test by hand.

The full reproduction grid (6 race windows x 3 burst modes x 4 burst sizes = 72 points per
strategy, for about 20 unsafe strategies) would take an hour on two cores. So the plan samples:

- the *representative* strategy of each scenario (its first unsafe one, a Postgres one when
  there is one: :func:`racelab.benchmark.curves.unsafe_strategies`) gets a cross through the
  grid: every window at burst size 5, and every burst size at window 0, for every mode;
  the counter's representative gets the full grid;
- every other unsafe strategy gets one point per mode: 5 requests, window 0;
- every point is the same fixed number of bursts.

``QUICK=1`` keeps the representatives only, with fewer windows and sizes and fewer bursts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

WINDOWS_MS = (0, 1, 2, 5, 10, 20)
SIZES = (2, 5, 20, 50)
MODES = ("threads", "last-byte", "single-packet")
CROSS_SIZE = 5  # the burst size the window axis is measured at
CROSS_WINDOW_MS = 0  # the window the size axis is measured at
CONCURRENCY = (8, 32, 128)
SHARP_SIZES = (20, 50, 100)  # burst sizes whose spreads part 1a measures
SHARP_BURSTS = 20  # bursts per mode and size: the acceptance's "median over 20 bursts"
POLL_MS = (0.1, 1.0, 5.0, 20.0, 100.0)  # redis-py Lock's sleep between tries; 100 ms is its default


@dataclass(frozen=True, order=True)
class Point:
    """One point of a reproduction curve: ``bursts`` bursts of ``size`` requests."""

    strategy: str  # scenario/strategy
    mode: str
    size: int
    window_ms: int


@dataclass
class Plan:
    points: list[Point]
    bursts: int  # per point
    concurrency: tuple[int, ...]  # closed-loop callers, part 3
    seconds: float  # per closed-loop measurement
    poll_ms: tuple[float, ...]  # Redis lock polling intervals swept
    harness_seconds: float  # per wrk or Locust run
    locust_processes: tuple[int, ...]
    quick: bool
    notes: list[str] = field(default_factory=list)
    only_safe: tuple[str, ...] = ()  # part 3 for these strategy keys only (empty: every safe one)
    sharp_sizes: tuple[int, ...] = SHARP_SIZES  # part 1a: burst sizes, each mode
    sharp_bursts: int = SHARP_BURSTS  # part 1a: bursts per mode and size

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "points": len(self.points)}


def cross(strategy: str, windows: tuple[int, ...], sizes: tuple[int, ...], modes: tuple[str, ...]) -> list[Point]:
    """Every window at CROSS_SIZE and every size at CROSS_WINDOW_MS, per mode, without repeats."""
    points = {Point(strategy, m, CROSS_SIZE, w) for m in modes for w in windows}
    points |= {Point(strategy, m, s, CROSS_WINDOW_MS) for m in modes for s in sizes}
    return sorted(points)


def grid(strategy: str, windows: tuple[int, ...], sizes: tuple[int, ...], modes: tuple[str, ...]) -> list[Point]:
    return sorted(Point(strategy, m, s, w) for m in modes for s in sizes for w in windows)


def make_plan(unsafe: dict[str, list[str]], quick: bool, modes: tuple[str, ...] = MODES) -> Plan:
    """The plan for ``unsafe`` (scenario -> its unsafe strategies' keys, registry order)."""
    points: list[Point] = []
    if quick:
        windows, sizes = (0, 2, 10), (2, 5, 20)
        for keys in unsafe.values():
            if keys:
                points += cross(keys[0], windows, sizes, modes)
        return Plan(
            points,
            bursts=3,
            concurrency=(32,),
            seconds=0.6,
            poll_ms=(0.1, 1.0, 100.0),
            harness_seconds=3.0,
            locust_processes=(1,),
            quick=True,
            sharp_sizes=(20,),
            sharp_bursts=5,
            notes=[
                f"QUICK: each scenario's representative only, windows {windows} ms at {CROSS_SIZE} "
                f"requests and sizes {sizes} at {CROSS_WINDOW_MS} ms, per mode; 3 bursts per point (95%: all 3)",
            ],
        )
    for scenario, keys in unsafe.items():
        for i, key in enumerate(keys):
            if i == 0:
                points += (grid if scenario == "counter" else cross)(key, WINDOWS_MS, SIZES, modes)
            else:
                points += [Point(key, m, CROSS_SIZE, CROSS_WINDOW_MS) for m in modes]
    return Plan(
        points,
        bursts=8,
        concurrency=CONCURRENCY,
        seconds=1.0,
        poll_ms=POLL_MS,
        harness_seconds=8.0,  # Locust's workers take a second or two to start: shorter runs undercount
        locust_processes=(1, 2),
        quick=False,
        notes=[
            "the counter's representative (its first unsafe Postgres strategy): the full grid (windows x "
            "sizes x modes); every other scenario's representative: windows "
            f"{WINDOWS_MS} ms at {CROSS_SIZE} requests and sizes "
            f"{SIZES} at {CROSS_WINDOW_MS} ms, per mode; the other unsafe strategies: {CROSS_SIZE} requests "
            f"at {CROSS_WINDOW_MS} ms per mode; 8 bursts per point (95%: all 8)",
        ],
    )
