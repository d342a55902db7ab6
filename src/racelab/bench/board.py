"""The verdict board: per strategy, what was attempted, what came back, and what the checker says.

It lives on the Locust node that sees every call: the only process of a local run, or the master
of a distributed one. At the start of a run it resets the lab and reads each counter; while the
run goes on it reads the counters again and asks the pure checker for a verdict; at the end it
does the same one last time. A verdict is never set by hand.

Reading a counter while requests are in flight needs care. Every call that completed before the
read started is in the history as it was answered. Every other call sent before the read
*finished* may or may not be in the value read, so it is indeterminate. Locally both are known
exactly. On a master the sends are only known from the workers' reports, so a reading is held
back until every worker has reported after it: their counts then bound what was sent before it.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from racelab import strategies
from racelab.bench.ledger import Ledger, Tally
from racelab.checkers.counter import CounterResult, check_counter
from racelab.topology import Scope

Reader = Callable[[str], int]  # strategy -> the counter's current value


def served_counts(tally: Tally) -> dict[str, int]:
    """How many replicas, processes and threads handed out the acknowledged values."""
    served = [op.served_by or {} for op in tally.ops if op.status == "ok"]
    return {
        "replicas": len({s.get("replica") for s in served}),
        "processes": len({(s.get("replica"), s.get("pid")) for s in served}),
        "threads": len({(s.get("replica"), s.get("pid"), s.get("thread")) for s in served}),
    }


def observed_scope(tally: Tally) -> Scope:
    """How far the acknowledged calls actually spread: replicas, processes, threads, or none."""
    counts = served_counts(tally)
    for scope, key in ((Scope.REPLICAS, "replicas"), (Scope.PROCESSES, "processes"), (Scope.THREADS, "threads")):
        if counts[key] > 1:
            return scope
    return Scope.NONE


def per_call_costs(tally: Tally, acknowledged: int) -> dict[str, float]:
    """Retries and lock wait per acknowledged call, from the X-Racelab-* headers."""
    acked = max(1, acknowledged)
    return {
        "retries_per_call": round(tally.retries / acked, 3),
        "wait_ms_per_call": round(tally.wait_ms / acked, 3),
    }


def who(served_by: dict[str, Any]) -> str:
    thread = str(served_by.get("thread", "?")).replace("ThreadPoolExecutor-", "thread ")
    return f"{served_by.get('replica', '?')} pid {served_by.get('pid', '?')} {thread}"


def describe_collision(result: CounterResult) -> str:
    """The first value handed out twice, and who handed it out: 'value 7: app-1 pid 12 thread 0_1 & ...'."""
    if not result.collisions:
        return ""
    first = result.collisions[0]
    holders = first["served_by"]
    more = f" (+{len(holders) - 2} more)" if len(holders) > 2 else ""
    return f"value {first['value']}: " + " & ".join(who(s) for s in holders[:2]) + more


def spread_summary(tally: Tally) -> dict[str, float | int | None]:
    spreads = tally.spreads_ms()
    return {
        "bursts": len(tally.rounds),
        "spread_last_ms": round(spreads[-1], 1) if spreads else None,
        "spread_median_ms": round(statistics.median(spreads), 1) if spreads else None,
        "spread_max_ms": round(max(spreads), 1) if spreads else None,
    }


def row(strategy: str, result: CounterResult, tally: Tally, state: str) -> dict[str, Any]:
    """One line of the Race verdicts tab (and of its CSV)."""
    counts = served_counts(tally)
    return {
        "name": strategy,
        "expected": strategies.get(strategy).expected(observed_scope(tally)),
        "verdict": result.verdict,
        "attempted": result.attempted,
        "acknowledged": result.acknowledged,
        "failed": result.failed,
        "indeterminate": result.indeterminate,
        "duplicates": result.duplicates,
        "lost": result.lost,
        "served_by": f"{counts['replicas']} replicas / {counts['processes']} pids / {counts['threads']} threads",
        "collision": describe_collision(result),
        **spread_summary(tally),
        **per_call_costs(tally, result.acknowledged),
        "state": state,
        "reason": result.reason,
    }


@dataclass
class Reading:
    """Counter values read while the run went on, waiting for the workers' reports to settle."""

    values: dict[str, int | None]
    completed: dict[str, int]
    waiting_for: set[str] = field(default_factory=set)


class Board:
    def __init__(self, ledger: Ledger | None = None) -> None:
        self.ledger = ledger or Ledger()
        self.run_id: str | None = None
        self.strategies: list[str] = []
        self.initial: dict[str, int | None] = {}
        self.rows: dict[str, dict[str, Any]] = {}  # kept across runs; a new run replaces its own rows
        self.results: dict[str, CounterResult] = {}
        self.pending: Reading | None = None
        self.finished = True
        self.final_from: set[str] = set()  # workers whose last record of this run has arrived
        self.notes: list[str] = []

    # --- a run's life -----------------------------------------------------------------------

    def begin(self, strategy_names: list[str], reset: Callable[[], None] | None, read: Reader) -> None:
        """Reset the lab (if we may) and read where every counter starts."""
        self.run_id = uuid.uuid4().hex[:12]
        self.strategies = list(strategy_names)
        self.ledger.clear()
        self.results = {}
        self.pending = None
        self.finished = False
        self.final_from = set()
        self.notes = []
        if reset is not None:
            try:
                reset()
            except Exception as exc:  # noqa: BLE001 - the run goes on; the initial reads still count
                self.notes.append(f"could not reset the lab: {exc}")
        self.initial = {name: self._read(read, name) for name in self.strategies}
        for name in self.strategies:
            self.rows[name] = row(name, check_counter([], self.initial[name], self.initial[name]), Tally(), "starting")

    def _read(self, read: Reader, name: str) -> int | None:
        try:
            return read(name)
        except Exception as exc:  # noqa: BLE001 - an unreadable counter makes the verdict "unknown"
            self.notes.append(f"could not read {name}: {exc}")
            return None

    def take_reading(self, read: Reader, workers: set[str] | None = None) -> Reading:
        """Note what completed, then read every counter. Locally, resolve it at once."""
        completed = {name: len(self.ledger.tally(name).ops) for name in self.strategies}
        values = {name: self._read(read, name) for name in self.strategies}
        reading = Reading(values, completed, set(workers or ()))
        if reading.waiting_for:
            self.pending = reading
        else:
            self.evaluate(reading, "live")
        return reading

    def worker_reported(self, node_id: str) -> None:
        if self.pending is not None:
            self.pending.waiting_for.discard(node_id)
            if not self.pending.waiting_for:
                reading, self.pending = self.pending, None
                if not self.finished:
                    self.evaluate(reading, "live")

    def finish(self, read: Reader) -> dict[str, CounterResult]:
        """The final verdicts: every recorded call, the ones never answered as indeterminate."""
        values = {name: self._read(read, name) for name in self.strategies}
        completed = {name: len(self.ledger.tally(name).ops) for name in self.strategies}
        self.evaluate(Reading(values, completed), "final")
        self.finished = True
        self.pending = None
        return self.results

    def evaluate(self, reading: Reading, state: str) -> None:
        for name in self.strategies:
            tally = self.ledger.tally(name)
            history = tally.history(completed=reading.completed.get(name, 0))
            result = check_counter(history, self.initial.get(name), reading.values.get(name))
            self.results[name] = result
            self.rows[name] = row(name, result, tally, state)

    # --- views ------------------------------------------------------------------------------

    def table(self) -> list[dict[str, Any]]:
        order = {name: i for i, name in enumerate(strategies.names())}
        return [self.rows[name] for name in sorted(self.rows, key=lambda n: order.get(n, len(order)))]
