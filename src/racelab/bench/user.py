"""The lab's Locust user: a thin adapter that sends the engine's calls and records the engine's history.

What to send comes from the target scenario's workload (:meth:`BenchNode.plan`); the answer
becomes an :class:`~racelab.core.history.Op` through :func:`~racelab.core.history.classify`, the
same function the thread engine uses. Locust only carries the request and counts it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import gevent
from locust import FastHttpUser, constant, task

from racelab.bench.batch import Batches
from racelab.bench.bursts import Ticket
from racelab.bench.node import BenchNode, Planned
from racelab.core.history import classify, unanswered
from racelab.engine.modes import Request

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
            if node.batches is not None:
                self.send_batched(node, node.batches, planned, ticket)
                return
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
        key = planned.strategy.key
        headers = {**call.headers, **node.session_headers(key)}
        with self.client.post(
            planned.path, json=call.args, headers=headers or None, name=planned.name, catch_response=True
        ) as response:
            status = response.status_code or 0  # 0: no answer at all, which may have been applied
            try:
                body: Any = response.json()
            except Exception:  # noqa: BLE001 - a non-JSON answer is recorded as such
                body = {}
            op = classify(call, status, body, response.headers or {}, sent, time.time(), planned.round)
            node.ledger.completed(key, token, op)
            node.keep_cookies(key, op)
            if op.status == "info" or (op.status == "fail" and status not in REFUSALS):
                response.failure(op.error or str(status))

    def send_batched(self, node: BenchNode, batches: Batches, planned: Planned, ticket: Ticket) -> None:
        """Hand the call to this process's batch of the burst (a batch mode: bench/batch.py)."""
        call, key = planned.call, planned.strategy.key
        request = Request(
            "POST", planned.path, json.dumps(call.args).encode(), {**call.headers, **node.session_headers(key)}
        )
        handed = time.time()
        token = node.ledger.sent(key, call, planned.round, handed)
        node.in_flight += 1
        try:
            answer = batches.submit(ticket, request)
        finally:
            node.in_flight -= 1
        sent = answer.sent or handed
        if answer.error is not None or answer.answered is None:
            op = unanswered(call, sent, planned.round, answer.error or "no answer")
        else:
            op = classify(call, answer.status, answer.body, answer.headers, sent, answer.answered, planned.round)
        node.ledger.completed(key, token, op)
        node.keep_cookies(key, op)
        failed = op.status == "info" or (op.status == "fail" and answer.status not in REFUSALS)
        self.environment.events.request.fire(
            request_type="POST",
            name=planned.name,
            response_time=((answer.answered or time.time()) - sent) * 1000,
            response_length=0,
            response=None,
            context={},
            exception=RuntimeError(op.error or str(answer.status)) if failed else None,
        )
