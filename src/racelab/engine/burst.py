"""Synchronised bursts from Python threads: the lab's own small load generator.

All callers open their keep-alive connection first, wait at a ``threading.Barrier``, then send
at once, round after round; what each call asks comes from the scenario's workload, and every
answer is recorded in the common history format. :func:`run` is a whole experiment: reset,
read the state, burst, read it again, judge.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from racelab import scenarios
from racelab.core.history import Op, classify, unanswered
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient, operation_path, send
from racelab.engine.judge import Judgement, judge
from racelab.topology import Scope


@dataclass
class Experiment:
    """Everything one experiment saw: enough to judge it again later."""

    judgement: Judgement
    history: list[Op]
    initial: dict[str, Any] | None
    final: dict[str, Any] | None
    params: dict[str, Any]
    spreads_ms: list[float] = field(default_factory=list)  # first to last send, per burst

    @property
    def spread_ms(self) -> float:
        return max(self.spreads_ms, default=0.0)


def burst(
    client: LabClient,
    strategy: Strategy,
    callers: int = 50,
    rounds: int = 1,
    race_window_ms: int | None = None,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Op], list[float]]:
    """``callers`` threads send ``rounds`` synchronised calls each. Returns the history and the
    send spread (first to last send, ms) of each round."""
    workload = scenarios.scenario(strategy.scenario).workload
    barrier = threading.Barrier(callers)
    ops: list[list[Op]] = [[] for _ in range(callers)]
    sends: list[list[float]] = [[0.0] * callers for _ in range(rounds)]

    def caller(i: int) -> None:
        conn = client.endpoint.connect(timeout)
        try:
            send(conn, "GET", "/healthz")  # open the keep-alive connection before the first burst
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = client.endpoint.connect(timeout)
        for r in range(rounds):
            call = workload.call(r, i, r)
            path = operation_path(strategy, call, race_window_ms)
            barrier.wait(timeout=timeout)
            sent = time.time()
            sends[r][i] = time.perf_counter()
            try:
                status, body, headers = send(conn, "POST", path, call.args, call.headers)
                ops[i].append(classify(call, status, body, headers, sent, time.time(), r))
            except (OSError, http.client.HTTPException) as exc:
                ops[i].append(unanswered(call, sent, r, f"{type(exc).__name__}: {exc}"))
                conn.close()
                conn = client.endpoint.connect(timeout)
            if progress and i == 0:
                progress(r + 1, rounds)
        conn.close()

    threads = [threading.Thread(target=caller, args=(i,), name=f"caller-{i}") for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spreads = [(max(s) - min(s)) * 1000 for s in sends]
    return [op for per_caller in ops for op in per_caller], spreads


def run(
    client: LabClient,
    strategy: Strategy,
    callers: int = 50,
    rounds: int = 3,
    race_window_ms: int | None = None,
    params: dict[str, Any] | None = None,
    declared: Scope | None = None,
) -> Experiment:
    """Reset the strategy's scenario, read its state, burst, read it again, and judge."""
    scenario = scenarios.scenario(strategy.scenario)
    chosen = scenario.parse_params(params if params is not None else scenario.workload.params(callers))
    client.reset(scenario.name, chosen)
    initial = client.state(strategy)
    history, spreads = burst(client, strategy, callers, rounds, race_window_ms)
    final = client.state(strategy)
    if declared is None:
        declared = client.declared_scope()
    judgement = judge(strategy, history, initial, final, declared, callers)
    return Experiment(judgement, history, initial, final, chosen, spreads)
