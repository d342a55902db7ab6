"""Part 3, the steady cost of safety: closed-loop saturation, not bursts.

N callers, each a thread with its own keep-alive connection to nginx, send the scenario's
steady-stream calls back to back for a few seconds. Each safe strategy is measured beside its
scenario's unprotected baseline (``Scenario.baseline``) in the same run, so the ratio compares
two figures taken under the same machine load. Retries and lock waits come from the answers'
``X-Racelab-Retries`` and ``X-Racelab-Wait-Ms`` headers.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from racelab import scenarios
from racelab.benchmark.figures import Sample, summarise
from racelab.core.history import cookie_header
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient, operation_path
from racelab.topology import Scope


def safe_strategies(scope: Scope) -> list[Strategy]:
    return [s for s in scenarios.all_strategies() if s.expected(scope) == "holds"]


def _header_number(headers: http.client.HTTPMessage, name: str) -> float:
    try:
        return float(headers.get(name) or 0)
    except ValueError:
        return 0.0


@dataclass
class Clock:
    """When the callers stop: set by the conductor once every caller is ready, then ``go``."""

    stop_at: float = 0.0
    go: threading.Event = field(default_factory=threading.Event)


def _caller(
    client: LabClient,
    strategy: Strategy,
    position: int,
    clock: Clock,
    query: str,
    out: list[Sample],
    start: threading.Barrier,
) -> None:
    scenario = scenarios.scenario(strategy.scenario)
    cookies = client.start_session(strategy, scenario.session_start) if scenario.session_start else None
    conn = client.endpoint.connect(client.timeout)
    mine: list[Sample] = []
    seq = position * 1_000_000  # each caller's own range of sequence numbers: no two send the same call
    start.wait()
    clock.go.wait()
    try:
        while time.perf_counter() < clock.stop_at:
            call = scenario.workload.call(None, position, seq)
            seq += 1
            path = operation_path(strategy, call) + query
            headers = {"Content-Type": "application/json", **call.headers, **cookie_header(cookies)}
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=json.dumps(call.args).encode(), headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                mine.append(Sample(time.perf_counter() - began, 0))
                conn.close()
                conn = client.endpoint.connect(client.timeout)
                continue
            mine.append(
                Sample(
                    time.perf_counter() - began,
                    response.status,
                    int(_header_number(response.msg, "X-Racelab-Retries")),
                    _header_number(response.msg, "X-Racelab-Wait-Ms"),
                )
            )
    finally:
        conn.close()
        out.extend(mine)  # list.extend is atomic under the GIL: no lock needed


def measure(client: LabClient, strategy: Strategy, callers: int, seconds: float, query: str = "") -> dict[str, Any]:
    """``callers`` closed-loop callers for ``seconds`` against ``strategy`` (reset first)."""
    scenario = scenarios.scenario(strategy.scenario)
    client.reset(scenario.name, scenario.parse_params(scenario.workload.params(callers)))
    samples: list[Sample] = []
    # Every caller opens its connection (and session) first; the clock starts when all are ready.
    start = threading.Barrier(callers + 1, timeout=client.timeout + 30)
    clock = Clock()
    threads = [
        threading.Thread(target=_caller, args=(client, strategy, i, clock, query, samples, start), daemon=True)
        for i in range(callers)
    ]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    clock.stop_at = began + seconds
    clock.go.set()
    for t in threads:
        t.join(seconds + client.timeout + 5)
    elapsed = time.perf_counter() - began
    return {"strategy": strategy.key, "callers": callers, "seconds": round(elapsed, 3), **summarise(samples, elapsed)}
