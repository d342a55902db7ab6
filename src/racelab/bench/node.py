"""One Locust process's share of the bench: its ledger, its burst gate, and what to hammer.

Each :class:`locust.env.Environment` gets one :class:`BenchNode`, reached with
``BenchNode.of(environment)``; ``make report`` creates a fresh environment per cell, so nothing
here is a module-level global.
"""

from __future__ import annotations

import math
from typing import Any

import gevent

from racelab import strategies
from racelab.bench.bursts import BurstGate
from racelab.bench.ledger import Ledger

ALL = "all"


class BenchNode:
    def __init__(self, environment: Any) -> None:
        self.environment = environment
        self.ledger = Ledger()
        self.gate = BurstGate(self.parties)
        self.strategies: list[str] = [strategies.names()[0]]
        self.race_window_ms = 0
        self.burst_size = 0  # users per burst across the whole test; 0: no bursts
        self.node_burst = 0  # this process's share of a burst
        self.run_id: str | None = None
        self.in_flight = 0  # requests sent and not yet answered (or cut off)

    @classmethod
    def of(cls, environment: Any) -> BenchNode:
        node = getattr(environment, "racelab_bench", None)
        if node is None:
            node = cls(environment)
            environment.racelab_bench = node
        return node

    def configure(self, options: Any, workers: int = 1) -> None:
        """Read the run's parameters (command line or start form) before users start."""
        self.strategies = strategy_list(getattr(options, "strategy", ALL))
        self.race_window_ms = int(getattr(options, "race_window_ms", 0) or 0)
        self.burst_size = max(0, int(getattr(options, "burst_size", 0) or 0))
        # A burst is split evenly over the worker processes, which the master then fires together.
        share = getattr(options, "racelab_node_burst", None)
        self.node_burst = int(share) if share else math.ceil(self.burst_size / max(1, workers))
        self.run_id = getattr(options, "racelab_run", None)
        self.ledger.clear()
        self.gate.open()

    def quiesce(self, timeout: float) -> bool:
        """Send nothing new and wait (cooperatively) until every call sent has been answered."""
        self.gate.close()
        deadline = timeout
        while self.in_flight > 0 and deadline > 0:
            gevent.sleep(0.02)
            deadline -= 0.02
        return self.in_flight == 0

    def parties(self) -> int:
        runner = self.environment.runner
        users = runner.user_count if runner is not None else 1
        return max(1, min(self.node_burst, users))

    def strategy_for(self, n: int) -> str:
        return self.strategies[n % len(self.strategies)]

    def path(self, strategy: str) -> str:
        return f"/api/counter/{strategy}/next?race_window_ms={self.race_window_ms}"


def strategy_list(choice: str) -> list[str]:
    """``all`` means every strategy in the registry's order, one per burst in turn."""
    if not choice or choice == ALL:
        return strategies.names()
    return [strategies.get(choice).name]
