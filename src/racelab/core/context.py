"""One request's view of the lab, and how an operation ends: what a strategy and a guard share.

Kept apart from :mod:`racelab.core.strategy` so that guards (which wrap a strategy's operation)
and strategies (which hold a guard) both build on it without importing each other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool
    from pymemcache.client.base import PooledClient
    from redis import Redis

    from racelab.manager import ManagerClient
    from racelab.messaging.rpc import QueueClient

EPOCH_KEY = "racelab:epoch"


class Resources(Protocol):
    """What a strategy may touch; the app builds one per worker process."""

    replica_id: str
    replica_dir: Path

    def db(self) -> ConnectionPool: ...

    def redis(self) -> Redis: ...

    def memcached(self) -> PooledClient: ...

    def queue(self) -> QueueClient: ...

    def manager(self) -> ManagerClient: ...


@dataclass
class Ctx:
    """One request's view of the world: the process's resources and the race window."""

    resources: Resources
    race_window_s: float = 0.0
    lock_poll_s: float | None = None  # ?lock_poll_ms=: a Redis lock's polling interval (None: the guard's)

    def pause(self) -> None:
        """The gap between read and write.

        ``time.sleep(0)`` still releases the GIL, as any real handler does between a read and a
        write (a log line, a query): that is what lets other threads in at a window of zero.
        """
        time.sleep(self.race_window_s)

    def epoch(self) -> int:
        """The lab's reset generation, shared by every process of every replica."""
        raw = self.resources.redis().get(EPOCH_KEY)
        return int(raw) if raw is not None else 0


@dataclass
class Outcome:
    """What one operation handed out, and what it cost."""

    value: Any
    retries: int = 0
    wait_ms: float = 0.0
    deadlocks: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers (e.g. a replay)


class Refused(Exception):
    """The operation was refused and nothing was written (an HTTP 4xx, a ``fail`` in the history)."""

    status = 409

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class RetriesExhausted(Refused):
    """A bounded retry loop gave up; every attempt was rolled back, so it definitely failed."""

    def __init__(self, strategy: str, attempts: int) -> None:
        super().__init__(
            "retries_exhausted",
            f"{strategy}: gave up after {attempts} conflicting attempts; nothing was written",
            attempts=attempts,
        )
