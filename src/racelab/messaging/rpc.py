"""The app's side of the queue: publish an operation, wait for the one consumer's reply.

pika's ``BlockingConnection`` is not thread-safe, so each request thread of each worker process
keeps a connection of its own (opened on first use, after gunicorn forks). Replies come back on
RabbitMQ's *direct reply-to* pseudo-queue: no reply queue to declare or delete per call.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pika
import pika.exceptions

from racelab.messaging import QUEUE, REPLY_TIMEOUT_S

REPLY_TO = "amq.rabbitmq.reply-to"


class QueueUnavailable(Exception):
    """RabbitMQ could not be reached before anything was published: nothing was applied."""


class QueueTimeout(Exception):
    """Published, but no reply came in time: the operation may or may not have been applied."""


def declare(channel: Any) -> None:
    """The one work queue, declared alike by every publisher and the consumer (idempotent)."""
    channel.queue_declare(queue=QUEUE, durable=False, auto_delete=False)


def connection_parameters(url: str) -> Any:
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 3
    params.blocked_connection_timeout = 5
    params.heartbeat = 30
    return params


@dataclass
class _Link:
    """One thread's connection, channel and the replies it has received so far."""

    pid: int
    connection: Any
    channel: Any
    replies: dict[str, bytes] = field(default_factory=dict)


class QueueClient:
    def __init__(self, url: str, timeout_s: float = REPLY_TIMEOUT_S) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self._local = threading.local()

    def _link(self) -> _Link:
        link: _Link | None = getattr(self._local, "link", None)
        if link is not None and link.pid == os.getpid() and link.connection.is_open and link.channel.is_open:
            return link
        try:
            connection = pika.BlockingConnection(connection_parameters(self.url))
            channel = connection.channel()
            declare(channel)
        except pika.exceptions.AMQPError as exc:
            raise QueueUnavailable(f"RabbitMQ did not answer ({type(exc).__name__})") from exc
        link = _Link(os.getpid(), connection, channel)

        def on_reply(_ch: Any, _method: Any, properties: Any, body: bytes) -> None:
            link.replies[str(properties.correlation_id)] = body

        # Direct reply-to: consume from the pseudo-queue before publishing, on the same channel.
        channel.basic_consume(queue=REPLY_TO, on_message_callback=on_reply, auto_ack=True)
        self._local.link = link
        return link

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Publish ``message`` and return the consumer's reply (a JSON object)."""
        link = self._link()
        correlation = uuid.uuid4().hex
        properties = pika.BasicProperties(
            reply_to=REPLY_TO,
            correlation_id=correlation,
            content_type="application/json",
            # Not taken within the timeout: the broker drops it, so a consumer that comes back
            # later does not apply a stale backlog that nobody waits for.
            expiration=str(int(self.timeout_s * 1000)),
        )
        try:
            link.channel.basic_publish(exchange="", routing_key=QUEUE, body=json.dumps(message), properties=properties)
            deadline = time.monotonic() + self.timeout_s
            while correlation not in link.replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QueueTimeout(f"no reply from the queue worker within {self.timeout_s:.0f}s")
                link.connection.process_data_events(time_limit=min(left, 1.0))
        except pika.exceptions.AMQPError as exc:
            self._local.link = None
            raise QueueTimeout(f"RabbitMQ went away after the message was published ({type(exc).__name__})") from exc
        finally:
            # Replies that came too late for their caller are dropped, not kept forever.
            reply = link.replies.pop(correlation, None)
            link.replies.clear()
        assert reply is not None
        answer: dict[str, Any] = json.loads(reply)
        return answer

    def ping(self) -> None:
        """Raises :class:`QueueUnavailable` unless RabbitMQ answers on this thread's connection."""
        link = self._link()
        try:
            link.connection.process_data_events(time_limit=0)
        except pika.exceptions.AMQPError as exc:
            self._local.link = None
            raise QueueUnavailable(f"RabbitMQ did not answer ({type(exc).__name__})") from exc

    def consumers(self) -> int:
        """How many consumers take from the work queue (the worker is up when >= 1)."""
        link = self._link()
        declared = link.channel.queue_declare(queue=QUEUE, passive=True)
        return int(declared.method.consumer_count)
