"""Guards: a lock wrapped around a scenario's plain read-then-write, each with the scope it protects.

A guard makes callers that take the same keys take turns. How far that reaches is the guard's
*scope*: a ``threading.Lock`` lives in one process, a file lock in one host's kernel, a Manager's
lock in one replica's manager process, an advisory lock in Postgres, a Redis lock in Redis. A
strategy is ``Strategy(..., guard=SomeGuard())``; its safe scope is the narrower of the guard's
and its store's (see :mod:`racelab.core.strategy`).

Several keys (a transfer locks both accounts) are always taken in sorted order, so two requests
that need the same pair can never each hold one and wait for the other.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from redis.exceptions import LockError, LockNotOwnedError

from racelab.core.context import Ctx, Refused
from racelab.topology import Scope

if TYPE_CHECKING:
    from racelab.manager import ManagedLock


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
    # A lease: the lock frees itself after a TTL, so a holder paused past it (GC, swap, SIGSTOP)
    # runs on without it. Only a fencing token in the store makes such a guard hold under pauses.
    lease: ClassVar[bool] = False

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        raise NotImplementedError
        yield Held()


def _ordered(keys: list[str]) -> list[str]:
    return sorted(set(keys))


# A fixed set of locks, each key hashed onto one: a lock per username would grow for ever.
# Two keys may share a stripe (they then take turns needlessly), never the other way round.
STRIPES = 256


def stripes(keys: list[str]) -> list[int]:
    """The keys' stripes, in the one order every caller takes them."""
    return sorted({advisory_key(key) % STRIPES for key in keys})


class ProcessLocks:
    """``threading.Lock`` objects in this process's memory, one per stripe.

    Made when a strategy module is imported, which happens in the worker after gunicorn's gevent
    worker has monkey-patched ``threading``: under gevent these are gevent's cooperative locks.
    """

    def __init__(self) -> None:
        self._locks = [threading.Lock() for _ in range(STRIPES)]

    @contextmanager
    def hold(self, keys: list[str]) -> Iterator[None]:
        with ExitStack() as stack:
            for stripe in stripes(keys):
                stack.enter_context(self._locks[stripe])
            yield


class ThreadLockGuard(Guard):
    """``threading.Lock`` objects in this process's memory, one per key's stripe."""

    name = "threading.Lock"
    scope = Scope.THREADS
    description = "a threading.Lock per key: serialises the threads of one process, and nothing else"

    def __init__(self) -> None:
        self._locks = ProcessLocks()

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        started = time.perf_counter()
        with self._locks.hold(keys):
            yield Held((time.perf_counter() - started) * 1000)


class FileLockGuard(Guard):
    """An exclusive ``fcntl.flock`` per key on a file in the replica's own folder."""

    name = "fcntl.flock"
    scope = Scope.PROCESSES
    description = "an flock on a file in the replica's folder: shared by its processes, not by other replicas"

    def __init__(self) -> None:
        self._process = ProcessLocks()

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        folder = ctx.resources.replica_dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with ExitStack() as stack:
            # The process's own lock first. flock blocks the calling OS thread, and under gevent
            # every greenlet of a worker shares one: a greenlet waiting in flock for a lock
            # another greenlet of its process holds would stop the holder from ever running
            # again to release it (the whole worker hangs). Taking turns inside the process
            # first (cooperatively, under gevent) leaves flock waiting only for other
            # processes, which keep running. Under threads it merely saves contended syscalls.
            stack.enter_context(self._process.hold(keys))
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
# A waiter gives up on a Redis lock after this (409, nothing written): shorter than the TTL, so
# that a holder that stalls past the TTL costs waiters a refusal, not a request held for seconds.
REDIS_LOCK_WAIT_S = 3.0
# redis-py polls every 0.1 s by default, which would dominate the cost under contention.
POLL_S = 0.001


def holder_token(ctx: Ctx) -> str:
    """A lock token that says who holds the lock: ``<replica>/<pid>/<random>``."""
    return f"{ctx.resources.replica_id}/{os.getpid()}/{uuid.uuid4().hex}"


class RedisLockGuard(Guard):
    """redis-py's ``Lock`` per key: ``SET key token NX PX ttl``, released by compare-and-delete."""

    name = "redis-py Lock"
    scope = Scope.REPLICAS
    description = "a Redis lock per key (with a TTL): shared by every replica while holders stay within the TTL"
    lease = True

    def __init__(self, ttl_s: float = LOCK_TTL_S) -> None:
        self.ttl_s = ttl_s

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        client = ctx.resources.redis()
        poll_s = POLL_S if ctx.lock_poll_s is None else ctx.lock_poll_s  # racelab bench sweeps it
        locks = [
            client.lock(f"racelab:lock:{key}", timeout=self.ttl_s, blocking_timeout=REDIS_LOCK_WAIT_S, sleep=poll_s)
            for key in _ordered(keys)
        ]
        started = time.perf_counter()
        taken = []
        refused = False
        try:
            for lock in locks:
                # The token names the holder (replica/pid/random): racelab chaos reads it to pause
                # the very process that holds the lock. Only its uniqueness matters to the lock.
                if not lock.acquire(token=holder_token(ctx)):
                    raise Refused(
                        "lock_not_acquired",
                        f"could not take the Redis lock within {REDIS_LOCK_WAIT_S:g} s; nothing was written",
                    )
                taken.append(lock)
            yield Held((time.perf_counter() - started) * 1000)
        except Refused:
            refused = True  # nothing was written, lock or no lock: the refusal stands
            raise
        finally:
            lost = []
            for lock in reversed(taken):
                try:
                    lock.release()
                except LockNotOwnedError:
                    lost.append(lock.name)
                except LockError:
                    lost.append(lock.name)
            if lost and not refused:
                raise LockLost(
                    f"the Redis lock {lost[0]} expired (TTL {self.ttl_s:g} s) before the operation ended; "
                    "its write may have landed after another holder's: the outcome is unknown"
                )


class ManagerLockGuard(Guard):
    """A ``Lock`` proxy per key's stripe, kept by the replica's ``multiprocessing.Manager``."""

    name = "Manager Lock"
    scope = Scope.PROCESSES
    description = (
        "a Lock kept by the replica's multiprocessing.Manager process: shared by the replica's processes, "
        "not by other replicas (each has its own manager)"
    )

    def __init__(self) -> None:
        self._process = ProcessLocks()

    @contextmanager
    def hold(self, ctx: Ctx, keys: list[str]) -> Iterator[Held]:
        manager = ctx.resources.manager()
        started = time.perf_counter()
        # The process's own lock first, for the reason FileLockGuard gives: a proxy call waits in
        # a plain blocking read, which gevent does not make cooperative, so a greenlet waiting
        # for the manager's lock would block the greenlet of its own process that holds it.
        with self._process.hold(keys):
            taken: list[ManagedLock] = []
            try:
                for stripe in stripes(keys):
                    lock = manager.lock(stripe)
                    if not manager.acquire(lock, BLOCKING_TIMEOUT_S):
                        raise Refused(
                            "lock_not_acquired",
                            f"could not take the Manager's lock within {BLOCKING_TIMEOUT_S:g} s; nothing was written",
                        )
                    taken.append(lock)
                yield Held((time.perf_counter() - started) * 1000)
            finally:
                for lock in reversed(taken):
                    manager.release(lock)
