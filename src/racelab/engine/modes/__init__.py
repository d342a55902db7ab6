"""Burst modes: ways of sending one burst of requests so that they land at the same instant.

Every mode holds each request back by its end, then releases the ends together; they differ in
how close together the ends go out, and so in how tightly the requests arrive at the app:

- ``threads``: one thread and one HTTP/1.1 connection per caller; each sends its request but the
  last byte, they meet at a ``threading.Barrier`` and each sends its own last byte. Last-byte
  synchronisation already, but the release is N threads waking from the barrier, and Python
  wakes them one at a time (each needs the GIL): the ends leave over about 50-100 µs per thread.
- ``last-byte``: the same connections, but one thread writes every last byte in a tight loop, and
  reads the answers afterwards (no other thread to take the GIL mid-loop)
  (Turbo Intruder's last-byte gate): a few µs per connection, no wake-ups.
- ``single-packet``: HTTP/2 over cleartext (h2c, prior knowledge) to nginx's ``http2`` listener,
  every request a stream of one connection: all the frames but each stream's final DATA frame
  go first, then every final frame in *one* write, which fits one TCP packet (PortSwigger's
  single-packet attack). The server reads them in one ``recv``.

A mode is a :class:`Sender`: ``fire`` sends one burst and returns one :class:`Answer` per request,
in order; connections may be kept from one burst to the next; ``close`` ends them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from racelab.engine.client import Endpoint


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # besides Host, Content-Length, Content-Type


@dataclass
class Answer:
    """What one request got: ``status`` 0 and an ``error`` when no answer came."""

    sent: float  # wall-clock seconds when its last part left
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    answered: float | None = None
    error: str | None = None


class Sender(Protocol):
    def fire(self, requests: list[Request]) -> list[Answer]: ...

    def close(self) -> None: ...


class ModeError(RuntimeError):
    """A burst mode cannot run as asked (no HTTP/2 listener, too many streams...): the message says why."""


def parse_body(raw: bytes) -> Any:
    """An answer's JSON body, or a not_json error a checker can read."""
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {"error": "not_json", "message": raw[:200].decode(errors="replace")}


@dataclass(frozen=True)
class Targets:
    """Where a mode sends: nginx's HTTP/1.1 port, and its HTTP/2 cleartext port (None: unknown)."""

    http1: Endpoint
    h2: Endpoint | None = None


def _threads(targets: Targets, timeout: float) -> Sender:
    from racelab.engine.modes.raw import ThreadsSender

    return ThreadsSender(targets.http1, timeout)


def _last_byte(targets: Targets, timeout: float) -> Sender:
    from racelab.engine.modes.raw import LastByteSender

    return LastByteSender(targets.http1, timeout)


def _single_packet(targets: Targets, timeout: float) -> Sender:
    from racelab.engine.modes.h2 import SinglePacketSender

    if targets.h2 is None:
        raise ModeError("single-packet needs nginx's HTTP/2 listener (NGINX_H2_PORT): none is known here")
    return SinglePacketSender(targets.h2, timeout)


MODES: dict[str, Callable[[Targets, float], Sender]] = {
    "threads": _threads,
    "last-byte": _last_byte,
    "single-packet": _single_packet,
}
DEFAULT_MODE = "threads"


def sender(mode: str, targets: Targets, timeout: float = 30.0) -> Sender:
    factory = MODES.get(mode)
    if factory is None:
        raise ModeError(f"no burst mode {mode!r}; choose one of: {', '.join(MODES)}")
    return factory(targets, timeout)
