"""Guards: a lock wrapped around a scenario's plain read-then-write, each with the scope it protects.

A guard makes callers that take the same keys take turns. How far that reaches is the guard's
*scope*: a ``threading.Lock`` lives in one process, a file lock in one host's kernel, an advisory
lock in Postgres, a Redis lock in Redis. A strategy is ``Strategy(..., guard=SomeGuard())``; its
safe scope is the narrower of the guard's and its store's (see :mod:`racelab.core.strategy`).

Several keys (a transfer locks both accounts) are always taken in sorted order, so two requests
that need the same pair can never each hold one and wait for the other.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import ClassVar

from redis.exceptions import LockError, LockNotOwnedError

from racelab.core.context import Ctx, Refused
from racelab.topology import Scope


@dataclass
class Held:
    """What holding the guard cost this request."""

    wait_ms: float = 0.0


class LockLost(Exception):
    """The guard was lost while the operation ran (its TTL expired): the write may have landed
    after another holder's, so the outcome is indeterminate, never a clean refusal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Guard:
    name: ClassVar[str]
    scope: ClassVar[Scope]
    description: ClassVar[str]

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        raise NotImplementedError
        yield Held()


def _ordered(keys: list[str]) -> list[str]:
    return sorted(set(keys))


class ThreadLockGuard(Guard):
    """``threading.Lock`` objects in this process's memory, one per key's stripe."""

    name = "threading.Lock"
    scope = Scope.THREADS
    description = "a threading.Lock per key: serialises the threads of one process, and nothing else"
    # A fixed set of locks, each key hashed onto one: a lock per username would grow for ever.
    # Two keys may share a stripe (they then take turns needlessly), never the other way round.
    STRIPES = 256

    def __init__(self) -> None:
        self._locks = [threading.Lock() for _ in range(self.STRIPES)]

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        stripes = sorted({advisory_key(key) % self.STRIPES for key in keys})
        started = time.perf_counter()
        with ExitStack() as stack:
            for stripe in stripes:
                stack.enter_context(self._locks[stripe])
            yield Held((time.perf_counter() - started) * 1000)


class FileLockGuard(Guard):
    """An exclusive ``fcntl.flock`` per key on a file in the replica's own folder."""

    name = "fcntl.flock"
    scope = Scope.PROCESSES
    description = "an flock on a file in the replica's folder: shared by its processes, not by other replicas"

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        folder = ctx.resources.replica_dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with ExitStack() as stack:
            for key in _ordered(keys):
                handle = stack.enter_context(open(folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".lock"), "a"))
                fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            yield Held((time.perf_counter() - started) * 1000)


def advisory_key(key: str) -> int:
    """A stable signed 64-bit number for a key (Python's hash() differs between processes)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class AdvisoryLockGuard(Guard):
    """``pg_advisory_xact_lock`` per key, held by a transaction on a connection of its own."""

    name = "pg_advisory_xact_lock"
    scope = Scope.REPLICAS
    description = "a Postgres advisory lock per key: shared by every process and replica that asks for it"

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        # The transaction-level lock is released by the commit, so a pooled connection never
        # carries it into another request (a session-level lock would leak, and re-enter for free).
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            for key in _ordered(keys):
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(key),))
            yield Held((time.perf_counter() - started) * 1000)


LOCK_TTL_S = 5.0
BLOCKING_TIMEOUT_S = 10.0
# redis-py polls every 0.1 s by default, which would dominate the cost under contention.
POLL_S = 0.001


class RedisLockGuard(Guard):
    """redis-py's ``Lock`` per key: ``SET key token NX PX ttl``, released by compare-and-delete."""

    name = "redis-py Lock"
    scope = Scope.REPLICAS
    description = "a Redis lock per key (with a TTL): shared by every replica while holders stay within the TTL"

    def __init__(self, ttl_s: float = LOCK_TTL_S) -> None:
        self.ttl_s = ttl_s

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        client = ctx.resources.redis()
        locks = [
            client.lock(f"racelab:lock:{key}", timeout=self.ttl_s, blocking_timeout=BLOCKING_TIMEOUT_S, sleep=POLL_S)
            for key in _ordered(keys)
        ]
        started = time.perf_counter()
        taken = []
        try:
            for lock in locks:
                if not lock.acquire():
                    raise Refused(
                        "lock_not_acquired",
                        f"could not take the Redis lock within {BLOCKING_TIMEOUT_S:g} s; nothing was written",
                    )
                taken.append(lock)
            yield Held((time.perf_counter() - started) * 1000)
        finally:
            lost = []
            for lock in reversed(taken):
                try:
                    lock.release()
                except LockNotOwnedError:
                    lost.append(lock.name)
                except LockError:
                    lost.append(lock.name)
            if lost:
                raise LockLost(
                    f"the Redis lock {lost[0]} expired (TTL {self.ttl_s:g} s) before the operation ended; "
                    "its write may have landed after another holder's: the outcome is unknown"
                )
