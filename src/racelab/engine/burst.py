"""Synchronised bursts from Python threads: the lab's own small load generator.

All callers open their keep-alive connection and send their request but its last byte, wait at
a ``threading.Barrier``, then send that byte at once, round after round; what each call asks
comes from the scenario's workload, and every answer is recorded in the common history format.
:func:`run` is a whole experiment: reset, read the state, burst, read it again, judge.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from racelab import scenarios
from racelab.core.history import Op, classify, unanswered
from racelab.core.strategy import Strategy
from racelab.engine.client import LabClient, operation_path
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


class RawConnection:
    """A keep-alive HTTP/1.1 connection that can hold a request back by its last byte.

    The last-byte technique (as in Turbo Intruder): every caller sends its whole request but the
    final byte, waits at the barrier, then sends that one byte. What is left to send at the
    barrier is one byte per caller rather than a whole request, so the requests complete at
    nginx (which waits for a full request before it passes it on) within a fraction of a
    millisecond of each other, instead of spreading over the time Python needs to format them.
    """

    def __init__(self, client: LabClient, timeout: float) -> None:
        self.host = client.endpoint.host
        self.port = client.endpoint.port
        self.timeout = timeout
        self.sock: socket.socket | None = None

    def open(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def request_bytes(self, method: str, path: str, body: Any, headers: dict[str, str]) -> bytes:
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload

    def send_all_but_last(self, request: bytes) -> None:
        self.open().sendall(request[:-1])

    def finish(self, request: bytes, method: str) -> tuple[int, Any, dict[str, str]]:
        """Send the last byte and read the answer (JSON body, or a not_json error)."""
        sock = self.open()
        sock.sendall(request[-1:])
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        raw = response.read()
        if response.will_close:
            self.close()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"error": "not_json", "message": raw[:200].decode(errors="replace")}
        return response.status, parsed, dict(response.getheaders())


def burst(
    client: LabClient,
    strategy: Strategy,
    callers: int = 50,
    rounds: int = 1,
    race_window_ms: int | None = None,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Op], list[float]]:
    """``callers`` threads send ``rounds`` synchronised calls each, released by their last byte.
    Returns the history and the send spread (first to last release, ms) of each round."""
    workload = scenarios.scenario(strategy.scenario).workload
    barrier = threading.Barrier(callers)
    ops: list[list[Op]] = [[] for _ in range(callers)]
    sends: list[list[float]] = [[0.0] * callers for _ in range(rounds)]

    def caller(i: int) -> None:
        conn = RawConnection(client, timeout)
        try:
            for r in range(rounds):
                call = workload.call(r, i, r)
                request = conn.request_bytes(
                    "POST", operation_path(strategy, call, race_window_ms), call.args, call.headers
                )
                held = False
                try:
                    conn.send_all_but_last(request)  # also opens the connection before the burst
                    held = True
                except OSError:
                    conn.close()
                barrier.wait(timeout=timeout)
                sent = time.time()
                sends[r][i] = time.perf_counter()
                try:
                    if not held:
                        conn.send_all_but_last(request)
                    status, body, headers = conn.finish(request, "POST")
                    ops[i].append(classify(call, status, body, headers, sent, time.time(), r))
                except (OSError, http.client.HTTPException) as exc:
                    ops[i].append(unanswered(call, sent, r, f"{type(exc).__name__}: {exc}"))
                    conn.close()
                if progress and i == 0:
                    progress(r + 1, rounds)
        finally:
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
