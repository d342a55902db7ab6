"""The counter's plain read-modify-write in each store: read, pause, write back read + 1.

These are the unprotected strategies; given a guard (``guard=ThreadLockGuard()``...) the same
code runs inside it. The store-native strategies (``UPDATE ... SET value = value + 1``, ``INCR``)
subclass them and replace :meth:`next`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pymemcache.exceptions import MemcacheUnexpectedCloseError

from racelab.core.strategy import FILE, MEMCACHED, MEMORY, POSTGRES, REDIS, Ctx, Outcome, Strategy

T = TypeVar("T")


class EpochCell:
    """An integer living in one process that returns to zero when the lab's epoch changes.

    A reset request reaches one worker of one replica; every other process notices the new epoch
    on its next request and starts again from zero.
    """

    def __init__(self) -> None:
        self.value = 0
        self.epoch: int | None = None

    def sync(self, epoch: int) -> None:
        if epoch != self.epoch:
            self.value, self.epoch = 0, epoch


class MemoryCounter(Strategy):
    """A module-level integer in the worker process."""

    store = MEMORY

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cell = EpochCell()

    def next(self, ctx: Ctx) -> Outcome:
        cell = self.cell
        cell.sync(ctx.epoch())
        current = cell.value
        ctx.pause()
        cell.value = current + 1
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        self.cell.sync(ctx.epoch())
        return {"value": self.cell.value}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Nothing to do here: other processes are out of reach; the epoch resets them all."""


class PostgresCounter(Strategy):
    """A row of ``counters``: ``SELECT`` the value, then ``UPDATE`` it, as two statements."""

    store = POSTGRES

    def next(self, ctx: Ctx) -> Outcome:
        with ctx.resources.db().connection() as conn:  # autocommit: each statement commits alone
            row = conn.execute("SELECT value FROM counters WHERE name = %s", (self.name,)).fetchone()
            current = int(row[0]) if row else 0
            ctx.pause()
            conn.execute("UPDATE counters SET value = %s WHERE name = %s", (current + 1, self.name))
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        with ctx.resources.db().connection() as conn:
            row = conn.execute("SELECT value FROM counters WHERE name = %s", (self.name,)).fetchone()
        return {"value": int(row[0]) if row else 0}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        with ctx.resources.db().connection() as conn:
            conn.execute(
                "INSERT INTO counters (name, value, version) VALUES (%s, 0, 0)"
                " ON CONFLICT (name) DO UPDATE SET value = 0, version = 0",
                (self.name,),
            )


class RedisCounter(Strategy):
    """A Redis key: ``GET``, add one in Python, ``SET``."""

    store = REDIS

    @property
    def redis_key(self) -> str:
        return f"racelab:counter:{self.name}"

    def next(self, ctx: Ctx) -> Outcome:
        client = ctx.resources.redis()
        raw = client.get(self.redis_key)
        current = int(raw) if raw is not None else 0
        ctx.pause()
        client.set(self.redis_key, current + 1)
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        raw = ctx.resources.redis().get(self.redis_key)
        return {"value": int(raw) if raw is not None else 0}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        ctx.resources.redis().delete(self.redis_key)


class FileCounter(Strategy):
    """A file in the replica's own folder holding ``"<epoch> <value>"``, replaced atomically."""

    store = FILE

    def path(self, ctx: Ctx) -> Path:
        return ctx.resources.replica_dir / f"{self.name}.counter"

    def load(self, ctx: Ctx, epoch: int) -> int:
        try:
            parts = self.path(ctx).read_text().split()
        except FileNotFoundError:
            return 0
        if len(parts) == 2 and int(parts[0]) == epoch:
            return int(parts[1])
        return 0  # written before the last reset

    def next(self, ctx: Ctx) -> Outcome:
        epoch = ctx.epoch()
        current = self.load(ctx, epoch)
        ctx.pause()
        path = self.path(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader sees the old file or the new one, never half of one.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(f"{epoch} {current + 1}")
        os.replace(tmp, path)
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        return {"value": self.load(ctx, ctx.epoch())}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Nothing to do here: other replicas' files are out of reach; the epoch resets them all."""


def idempotent(command: Callable[[], T]) -> T:
    """A read or a delete, sent once more after a broken connection: a pooled connection from before
    a memcached restart fails once, and a reset or a read must not fail for it. (Never an ``incr``
    or a ``set``: sent twice, it could count twice.)"""
    try:
        return command()
    except (MemcacheUnexpectedCloseError, ConnectionError):
        return command()


class MemcachedCounter(Strategy):
    """A memcached key: ``get``, add one in Python, ``set``."""

    store = MEMCACHED

    @property
    def cache_key(self) -> str:
        return f"racelab:counter:{self.name}"

    def value(self, ctx: Ctx) -> int:
        raw = idempotent(lambda: ctx.resources.memcached().get(self.cache_key))
        return int(raw) if raw is not None else 0

    def next(self, ctx: Ctx) -> Outcome:
        current = self.value(ctx)
        ctx.pause()
        ctx.resources.memcached().set(self.cache_key, str(current + 1))
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        return {"value": self.value(ctx)}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        # Deleted, not set to 0: the first increment after a reset goes through ``add``.
        idempotent(lambda: ctx.resources.memcached().delete(self.cache_key))


class EpochStampedCounter(Strategy):
    """A read-modify-write of ``(epoch, value)`` in a store a reset cannot reach everywhere (one
    replica's cache folder, one replica's Manager): a value written before the lab's epoch moved
    on counts as zero, as the file counter's does. Subclasses say how to get and put the pair."""

    def get_stamped(self, ctx: Ctx) -> Any:
        raise NotImplementedError

    def put_stamped(self, ctx: Ctx, stamped: tuple[int, int]) -> None:
        raise NotImplementedError

    def load(self, ctx: Ctx, epoch: int) -> int:
        stored = self.get_stamped(ctx)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == epoch:
            return int(stored[1])
        return 0  # never written, or written before the last reset

    def next(self, ctx: Ctx) -> Outcome:
        epoch = ctx.epoch()
        current = self.load(ctx, epoch)
        ctx.pause()
        self.put_stamped(ctx, (epoch, current + 1))
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        return {"value": self.load(ctx, ctx.epoch())}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Nothing to do here: other replicas' copies are out of reach; the epoch resets them all."""
