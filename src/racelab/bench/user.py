"""The Locust user of the counter scenario: it asks for the next number, alone or in bursts."""

from __future__ import annotations

import time

import gevent
from locust import FastHttpUser, constant, task

from racelab.bench.node import BenchNode
from racelab.loadgen import classify


def _number(raw: str | None, kind: type = float) -> float:
    try:
        return kind(raw) if raw else 0
    except ValueError:
        return 0


class CounterUser(FastHttpUser):
    """With a burst size, waits at the gate and fires with the others; else fires back to back."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.calls = 0
        # Open the keep-alive connection now, so the first burst is not spread by TCP handshakes.
        # nginx answers this one itself: it never reaches the app or the stats that matter.
        self.client.get("/nginx-health", name="connect (nginx)")

    @task
    def next_value(self) -> None:
        node = BenchNode.of(self.environment)
        if node.gate.closed:
            gevent.sleep(0.05)  # the run is draining: send nothing new
            return
        burst = None
        if node.node_burst > 0:
            burst = node.gate.wait()
            # Released by a burst that fired as the run was closing: a call sent now would miss
            # the last records, so send none. No yield from here to the count of calls in flight.
            if burst is None or node.gate.closed:
                return
            strategy = node.strategy_for(burst)
        else:
            strategy = node.strategy_for(self.calls)
            self.calls += 1
        node.ledger.sent(strategy, burst, time.time())
        node.in_flight += 1
        try:
            self.call(node, strategy)
        finally:
            node.in_flight -= 1  # also when the user is stopped mid-call: the ledger keeps it unanswered

    def call(self, node: BenchNode, strategy: str) -> None:
        with self.client.post(
            node.path(strategy), name=f"/api/counter/{strategy}/next", catch_response=True
        ) as response:
            status = response.status_code or 599  # 0: no answer at all, which may have been applied
            try:
                body = response.json()
            except Exception:  # noqa: BLE001 - a non-JSON answer is recorded as such
                body = {}
            body = body if isinstance(body, dict) else {}
            op = classify(status, body)
            headers = response.headers or {}
            node.ledger.completed(
                strategy, op,
                retries=int(_number(headers.get("X-Racelab-Retries"), int)),
                wait_ms=_number(headers.get("X-Racelab-Wait-Ms")),
            )
            if op.status != "ok":
                response.failure(f"{status} {body.get('error', '')}".strip())
