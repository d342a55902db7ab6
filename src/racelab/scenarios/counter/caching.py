"""The counter kept in a Flask-Caching cache (``flask_caching.Cache``), as a Flask user sets one up.

Kept apart from :mod:`racelab.scenarios.counter.stores`: these strategies go through Flask's
extension rather than the store's own client, which is the point of showing them. Each worker
process builds its ``Cache`` on first use (never at import, never in gunicorn's master, which
forks): the Redis backend shares the process's own Redis client, which exists only after the
fork, and a cache object bound to another app (the tests build several) is never reused.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_caching import Cache

from racelab.core.strategy import FILE, REDIS, Ctx, Strategy
from racelab.scenarios.counter.stores import EpochStampedCounter

KEY_PREFIX = "racelab:cache:"  # the Redis backend's keys: racelab:cache:counter:<strategy>


class CacheCounter(Strategy):
    """A value under ``counter:<name>`` in a Flask-Caching cache; subclasses pick the backend."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        return f"counter:{self.name}"

    def config(self, ctx: Ctx) -> dict[str, Any]:
        """The ``CACHE_*`` settings a Flask user would put in ``app.config``."""
        raise NotImplementedError

    def cache(self, ctx: Ctx) -> Cache:
        """This process's ``Cache`` for the current app, built under a lock on first use (the
        gthread worker's threads all arrive at once), and kept in the app's extensions."""
        built: dict[str, tuple[int, Cache]] = current_app.extensions.setdefault("racelab.caching", {})
        entry = built.get(self.name)
        if entry is None or entry[0] != os.getpid():
            with self._lock:
                entry = built.get(self.name)
                if entry is None or entry[0] != os.getpid():
                    entry = built[self.name] = (os.getpid(), Cache(current_app, False, self.config(ctx)))
        return entry[1]


class FileCacheCounter(EpochStampedCounter, CacheCounter):
    """``FileSystemCache`` in the replica's own folder: ``get``, pause, ``set``.

    Stored as ``(epoch, value)``: a reset reaches one replica's folder at most, so every folder's
    value counts as zero once the lab's epoch has moved on (as the file counter does).
    """

    store = FILE

    def config(self, ctx: Ctx) -> dict[str, Any]:
        return {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(ctx.resources.replica_dir / "flask-caching" / self.name),
            # 0: never expire (the default, 300 s, would reset the counter behind the lab's back),
            # and no threshold (past it, FileSystemCache deletes entries to make room).
            "CACHE_DEFAULT_TIMEOUT": 0,
            "CACHE_THRESHOLD": 0,
        }

    def get_stamped(self, ctx: Ctx) -> Any:
        return self.cache(ctx).get(self.cache_key)

    def put_stamped(self, ctx: Ctx, stamped: tuple[int, int]) -> None:
        self.cache(ctx).set(self.cache_key, stamped)


class RedisCacheCounter(CacheCounter):
    """``RedisCache`` on the process's Redis client, keys under ``racelab:cache:``."""

    store = REDIS

    def config(self, ctx: Ctx) -> dict[str, Any]:
        return {
            "CACHE_TYPE": "RedisCache",
            # A client object instead of a URL: the cache uses this process's client and pool
            # rather than opening its own.
            "CACHE_REDIS_HOST": ctx.resources.redis(),
            # Every key the cache writes starts with this: the reset deletes exactly ours, and
            # cache.clear() would delete only these (with no prefix it runs FLUSHDB).
            "CACHE_KEY_PREFIX": KEY_PREFIX,
            "CACHE_DEFAULT_TIMEOUT": 0,
        }

    def read(self, ctx: Ctx) -> dict[str, Any]:
        # inc() stores a plain integer, which the cache's serializer reads back as an int.
        return {"value": int(self.cache(ctx).get(self.cache_key) or 0)}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        self.cache(ctx).delete(self.cache_key)
