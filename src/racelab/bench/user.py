"""The lab's Locust user: a thin adapter that sends the engine's calls and records the engine's history.

What to send comes from the target scenario's workload (:meth:`BenchNode.plan`); the answer
becomes an :class:`~racelab.core.history.Op` through :func:`~racelab.core.history.classify`, the
same function the thread engine uses. Locust only carries the request and counts it.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from locust import FastHttpUser, constant, task

from racelab.bench.node import BenchNode, Planned
from racelab.core.history import classify

# A scenario's refusals (409 sold_out, username_taken...; 422 a reused key; 404 an unknown product):
# definite answers, by design (most of an inventory burst must be refused), so Locust counts them
# as successes and the board as "refused". A failure in Locust's statistics is what went wrong:
# no answer, a 5xx, a bad request.
REFUSALS = (404, 409, 422)


class LabUser(FastHttpUser):
    """With a burst size, waits at the gate and fires with the others; else fires back to back."""

    wait_time = constant(0)

    def on_start(self) -> None:
        node = BenchNode.of(self.environment)
        self.seq = 0  # this user's calls, for workloads without bursts
        self.position = node.next_position()
        # Open the keep-alive connection now, so the first burst is not spread by TCP handshakes.
        # nginx answers this one itself: it never reaches the app.
        self.client.get("/nginx-health", name="connect (nginx)")

    @task
    def fire(self) -> None:
        node = BenchNode.of(self.environment)
        if node.gate.closed or not node.targets:
            gevent.sleep(0.05)  # the run is draining, or has nothing to hammer: send nothing
            return
        if node.node_burst > 0:
            ticket = node.gate.wait()
            # Released by a burst that fired as the run was closing: a call sent now would miss
            # the last records, so send none. No yield from here to the count of calls in flight.
            if ticket is None or node.gate.closed:
                return
            planned = node.plan(ticket.burst, ticket.position, 0)
        else:
            planned = node.plan(None, self.position, self.seq)
            self.seq += 1
        sent = time.time()
        token = node.ledger.sent(planned.strategy.key, planned.call, planned.round, sent)
        node.in_flight += 1
        try:
            self.send(node, planned, token, sent)
        finally:
            node.in_flight -= 1  # also when the user is stopped mid-call: the ledger keeps it unanswered

    def send(self, node: BenchNode, planned: Planned, token: int, sent: float) -> None:
        call = planned.call
        with self.client.post(
            planned.path, json=call.args, headers=call.headers or None, name=planned.name, catch_response=True
        ) as response:
            status = response.status_code or 0  # 0: no answer at all, which may have been applied
            try:
                body: Any = response.json()
            except Exception:  # noqa: BLE001 - a non-JSON answer is recorded as such
                body = {}
            op = classify(call, status, body, response.headers or {}, sent, time.time(), planned.round)
            node.ledger.completed(planned.strategy.key, token, op)
            if op.status == "info" or (op.status == "fail" and status not in REFUSALS):
                response.failure(op.error or str(status))
