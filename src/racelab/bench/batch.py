"""Locust bursts sent the engine's way: the gate's users hand their calls to one sender.

In the ``gate`` mode each user sends its own request through Locust's client when the gate opens:
as many sends as users, one greenlet after the other. In a batch mode (``last-byte``,
``single-packet``: :mod:`racelab.engine.modes`) the users released together hand their requests
to this process's :class:`Batches`; the last one to hand in fires them all with the engine's
sender, which holds every request by its end and releases the ends together, and each user gets
its own answer back. Locust's statistics get one request event per call, as with its client.

Under gevent the engine's sockets and threads are cooperative: the sender's readers wait in the
hub while one greenlet writes every last byte (or the one packet), which is what the modes need.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import gevent
from gevent.event import AsyncResult

from racelab.bench.bursts import Ticket
from racelab.engine import modes
from racelab.engine.client import Endpoint

HAND_IN_S = 1.0  # a user released with others waits this long for them to hand in, then fires anyway


def h2_endpoint(host: str) -> Endpoint:
    """nginx's HTTP/2 listener: RACELAB_H2_URL, else the lab's port + 1 (the default in both
    runtimes: 8080 -> 8081 natively, nginx:80 -> nginx:81 in compose)."""
    explicit = os.environ.get("RACELAB_H2_URL", "").strip()
    if explicit:
        return Endpoint.parse(explicit)
    http1 = Endpoint.parse(host)
    return Endpoint(http1.host, http1.port + 1)


class Batches:
    """This process's bursts in a batch mode: burst -> the requests handed in so far."""

    def __init__(self, mode: str, host: str, timeout: float = 30.0) -> None:
        self.mode = mode
        self.timeout = timeout
        targets = modes.Targets(Endpoint.parse(host), h2_endpoint(host))
        self._make: Callable[[], modes.Sender] = lambda: modes.sender(mode, targets, timeout)
        self.sender: modes.Sender | None = None
        self.pending: dict[int, list[tuple[modes.Request, AsyncResult]]] = {}

    def submit(self, ticket: Ticket, request: modes.Request) -> modes.Answer:
        """Hand in one request of ``ticket``'s burst; returns its answer once the batch was sent."""
        batch = self.pending.setdefault(ticket.burst, [])
        result: AsyncResult = AsyncResult()
        batch.append((request, result))
        if len(batch) >= ticket.released:
            self._fire(ticket.burst)
        while True:
            try:
                answer: modes.Answer = result.get(timeout=HAND_IN_S if ticket.burst in self.pending else self.timeout)
                return answer
            except gevent.Timeout:
                if ticket.burst in self.pending:
                    self._fire(ticket.burst)  # someone released with us never handed in: go without them

    def _fire(self, burst: int) -> None:
        batch = self.pending.pop(burst, [])
        if not batch:
            return
        try:
            if self.sender is None:
                self.sender = self._make()
            answers = self.sender.fire([request for request, _ in batch])
        except (modes.ModeError, OSError) as exc:
            answers = [modes.Answer(sent=0.0, error=f"{type(exc).__name__}: {exc}") for _ in batch]
        for (_, result), answer in zip(batch, answers, strict=True):
            result.set(answer)

    def close(self) -> None:
        if self.sender is not None:
            self.sender.close()
            self.sender = None
