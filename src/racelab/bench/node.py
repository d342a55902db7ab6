"""One Locust process's share of the bench: its ledger, its burst gate, and what to hammer.

Each :class:`locust.env.Environment` gets one :class:`BenchNode`, reached with
``BenchNode.of(environment)``; ``make report`` creates a fresh environment per cell, so nothing
here is a module-level global.

What a user sends is the engine's: :meth:`BenchNode.plan` asks the target's scenario workload for
the :class:`~racelab.core.history.Call` of (burst, position, seq), exactly as the thread engine
does, and the path is the engine's :func:`~racelab.engine.client.operation_path`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import gevent

from racelab import scenarios
from racelab.bench import options
from racelab.bench.batch import Batches
from racelab.bench.bursts import BurstGate
from racelab.bench.ledger import Ledger
from racelab.core.history import Call, Op, cookie_header
from racelab.core.scenario import Workload
from racelab.core.strategy import Strategy
from racelab.engine.client import operation_path


@dataclass(frozen=True)
class Planned:
    """One call a user is about to send: to which strategy, what, and in which of its bursts."""

    strategy: Strategy
    call: Call
    round: int | None  # the burst among this strategy's own bursts (None: no bursts)
    path: str

    @property
    def name(self) -> str:
        """Locust's request name: one line per strategy and operation in its statistics."""
        return f"/api/{self.strategy.scenario}/{self.strategy.name}/{self.call.op}"


class BenchNode:
    def __init__(self, environment: Any) -> None:
        self.environment = environment
        self.ledger = Ledger()
        self.gate = BurstGate(self.parties)
        self.targets: list[Strategy] = options.resolve_targets(options.DEFAULT_TARGET)
        self.workloads: dict[str, Workload] = {}
        self.race_window_ms: int | None = None
        self.burst_size = 0  # callers per burst across the whole test; 0: no bursts
        self.node_burst = 0  # this process's share of a burst
        self.run_id: str | None = None
        self.in_flight = 0  # requests sent and not yet answered (or cut off)
        self.users_started = 0  # hands out each user's position when there are no bursts
        # Scenarios whose calls share one session: strategy key -> the cookies the client holds,
        # sent with every call and updated by every answer (the one received last wins).
        self.sessions: dict[str, dict[str, str]] = {}
        self.burst_mode = options.DEFAULT_BURST_MODE
        self.batches: Batches | None = None  # a batch mode's sender (None: the gate mode)

    @classmethod
    def of(cls, environment: Any) -> BenchNode:
        node = getattr(environment, "racelab_bench", None)
        if node is None:
            node = cls(environment)
            environment.racelab_bench = node
        return node

    def configure(self, opts: Any, workers: int = 1) -> None:
        """Read the run's parameters (command line or start form) before users start."""
        try:
            self.targets = options.resolve_targets(getattr(opts, "strategy", None))
        except argparse.ArgumentTypeError:  # reported by the board (options.check); send nothing
            self.targets = []
        self.workloads = {s.key: scenarios.scenario(s.scenario).workload for s in self.targets}
        window = getattr(opts, "race_window_ms", None)
        self.race_window_ms = None if window is None else int(window)
        self.burst_size = max(0, int(getattr(opts, "burst_size", 0) or 0))
        # A burst is split evenly over the worker processes, which the master then fires together.
        share = getattr(opts, "racelab_node_burst", None)
        self.node_burst = int(share) if share else math.ceil(self.burst_size / max(1, workers))
        self.run_id = getattr(opts, "racelab_run", None)
        # On a worker, the sessions the master started come with the spawn message.
        self.join_sessions(getattr(opts, "racelab_sessions", None) or {})
        self.ledger.clear()
        self.users_started = 0
        self.burst_mode = str(getattr(opts, "burst_mode", None) or options.DEFAULT_BURST_MODE)
        if self.batches is not None:
            self.batches.close()
        gate_mode = self.burst_mode == options.DEFAULT_BURST_MODE or self.node_burst == 0
        self.batches = None if gate_mode else Batches(self.burst_mode, self.environment.host or "")
        self.gate.open()

    def quiesce(self, timeout: float) -> bool:
        """Send nothing new and wait (cooperatively) until every call sent has been answered."""
        self.gate.close()
        deadline = timeout
        while self.in_flight > 0 and deadline > 0:
            gevent.sleep(0.01)
            deadline -= 0.01
        return self.in_flight == 0

    def join_sessions(self, started: Mapping[str, Mapping[str, str]]) -> None:
        """The sessions the board started (one per target whose scenario shares one)."""
        self.sessions = {key: dict(cookies) for key, cookies in started.items()}

    def session_headers(self, key: str) -> dict[str, str]:
        """The ``Cookie`` header of the strategy's session (none for a scenario without one)."""
        return cookie_header(self.sessions.get(key))

    def keep_cookies(self, key: str, op: Op) -> None:
        """What the answer set, kept as a browser keeps it. Answers are handled one at a time in
        this process (greenlets), in the order they arrive."""
        jar = self.sessions.get(key)
        if jar is not None and op.cookies:
            jar.update(op.cookies)
            for name in [name for name, value in jar.items() if not value]:
                del jar[name]

    def parties(self) -> int:
        runner = self.environment.runner
        users = runner.user_count if runner is not None else 1
        return max(1, min(self.node_burst, users))

    def next_position(self) -> int:
        """A user's own position in this process, used when there are no bursts."""
        position = self.users_started
        self.users_started += 1
        return position

    def plan(self, burst: int | None, position: int, seq: int) -> Planned:
        """The call of ``position`` in burst ``burst`` (or its ``seq``-th call without bursts).

        Targets take turns, one per burst (or per call without bursts); each target's workload
        sees its own bursts numbered 0, 1, 2... (its ``round``), as in the thread engine: a
        workload that alternates kinds of bursts gets both even when several targets take turns.
        """
        n = len(self.targets)
        if burst is not None:
            strategy, round_, step = self.targets[burst % n], burst // n, burst // n
        else:
            strategy, round_, step = self.targets[seq % n], None, seq // n
        call = self.workloads[strategy.key].call(round_, position, step)
        return Planned(strategy, call, round_, operation_path(strategy, call, self.race_window_ms))
