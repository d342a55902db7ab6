"""A message queue with one consumer: requests publish "increment" to RabbitMQ and wait for the reply.

**Mechanism.** The request publishes ``next`` to one RabbitMQ queue, with a reply address and a
correlation id (RPC over RabbitMQ's direct reply-to), and waits. The ``queue-worker`` service, the
queue's only consumer, takes one message at a time (prefetch 1), runs the plain, unprotected
read-modify-write of a Redis key (``GET``, the race window, ``SET``), replies with the number, and
only then takes the next message.

**Why it holds.** Every request of every thread, process and replica goes through the same queue
to the same single consumer, which never runs two operations at once: the writes are serialised
outside the app, so even code with a race window in it is safe. This is the "use a message
queue" answer, and why it works: one consumer, one message at a time.

**Cost.** Two extra hops (publish, reply) and a single consumer that caps throughput at whatever
one process does serially. The report's cost table prices it against ``redis-unsafe`` (the same
code without the queue) and shows ``db-atomic``, the simplest safe alternative, beside it.

**When the worker is down.** Messages wait in the queue; the request gives up after its timeout
and answers 504 ``queue_timeout``: indeterminate, since a worker that comes back in time may still
apply it. Messages expire in the broker at the same timeout, so a worker that returns later does
not replay a stale backlog. RabbitMQ itself down: 503 ``queue_unavailable``, nothing published.

**Anomalies:** none.
"""

from collections.abc import Mapping
from typing import Any

from racelab.core.strategy import QUEUE, Ctx, Outcome
from racelab.messaging.serial import send
from racelab.scenarios.counter.stores import RedisCounter


class QueueCounter(RedisCounter):
    store = QUEUE
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        return send(ctx, self, "next", {})

    def serial(self, ctx: Ctx, op: str, args: Mapping[str, Any]) -> Outcome:
        """Run in the queue worker only: the unprotected read-modify-write, one call at a time."""
        return RedisCounter.next(self, ctx)


# Priced against redis-unsafe: the very code the worker runs, without the queue around it.
STRATEGY = QueueCounter("queue", "RabbitMQ queue, one consumer applies increments in turn", baseline="redis-unsafe")
