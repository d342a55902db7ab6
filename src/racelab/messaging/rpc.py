"""The app's side of the queue: publish an operation, wait for the one consumer's reply.

pika's ``BlockingConnection`` is not thread-safe, so a call borrows a connection that no other
call uses meanwhile, from a small per-process pool (opened on first use, after gunicorn forks),
and gives it back after the reply. A pool rather than one connection per thread: under gevent a
"thread-local" is greenlet-local, and every request would open (and drop) a connection of its own.
Replies come back on RabbitMQ's *direct reply-to* pseudo-queue: no reply queue to declare or
delete per call.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
    # No heartbeats: a BlockingConnection sends them only while its owner calls into pika, so an idle
    # pooled connection would be closed by the broker after two missed beats and fail its next call
    # (after the publish, when nobody can tell whether it went out).
    params.heartbeat = 0
    return params


@dataclass
class _Link:
    """One thread's connection, channel and the replies it has received so far."""

    pid: int
    connection: Any
    channel: Any
    replies: dict[str, bytes] = field(default_factory=dict)


def alive(link: _Link) -> bool:
    try:
        link.connection.process_data_events(time_limit=0)
    except pika.exceptions.AMQPError:
        with suppress(Exception):
            link.connection.close()
        return False
    return True


class QueueClient:
    def __init__(self, url: str, timeout_s: float = REPLY_TIMEOUT_S) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._idle: list[_Link] = []

    @contextmanager
    def _borrowed(self) -> Iterator[_Link]:
        """A connection of this process that no other call uses until this one gives it back;
        one that failed is dropped, not returned."""
        link = None
        with self._lock:
            while self._idle and link is None:
                candidate = self._idle.pop()
                if candidate.pid == os.getpid() and candidate.connection.is_open and candidate.channel.is_open:
                    link = candidate
        if link is not None and not alive(link):
            link = None  # e.g. RabbitMQ restarted since: found out before anything is published
        if link is None:
            link = self._open()
        try:
            yield link
        except BaseException:
            # Broken, or a reply may still arrive on it: closed, never given to another call.
            with suppress(Exception):
                link.connection.close()
            raise
        with self._lock:
            self._idle.append(link)

    def _open(self) -> _Link:
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
        return link

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Publish ``message`` and return the consumer's reply (a JSON object)."""
        with self._borrowed() as link:
            return self._call(link, message)

    def _call(self, link: _Link, message: dict[str, Any]) -> dict[str, Any]:
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
            raise QueueTimeout(f"RabbitMQ went away after the message was published ({type(exc).__name__})") from exc
        finally:
            # Replies that came too late for their caller are dropped, not kept forever.
            reply = link.replies.pop(correlation, None)
            link.replies.clear()
        assert reply is not None
        answer: dict[str, Any] = json.loads(reply)
        return answer

    def ping(self) -> None:
        """Raises :class:`QueueUnavailable` unless RabbitMQ answers on a pooled connection."""
        try:
            with self._borrowed() as link:
                link.connection.process_data_events(time_limit=0)
        except pika.exceptions.AMQPError as exc:
            raise QueueUnavailable(f"RabbitMQ did not answer ({type(exc).__name__})") from exc

    def consumers(self) -> int:
        """How many consumers take from the work queue (the worker is up when >= 1)."""
        with self._borrowed() as link:
            declared = link.channel.queue_declare(queue=QUEUE, passive=True)
            return int(declared.method.consumer_count)
