"""Flask-Caching with ``RedisCache`` and the cache's own ``inc``: one Redis ``INCR``.

**Mechanism.** ``Cache(app, config={"CACHE_TYPE": "RedisCache", ...})``, then
``cache.cache.inc("counter")`` (``Cache`` proxies ``get`` and ``set``; ``inc`` is the backend's,
reached through ``cache.cache``). With the Redis backend, ``inc`` is not a ``get`` followed by a
``set``: it sends one ``INCR`` on the prefixed key (``racelab:cache:counter:cache-inc``), which
Redis runs to completion before any other command.

**Why it holds.** The read, the addition and the write happen inside Redis in one step, and
every thread, process and replica talks to the same Redis: each caller gets a distinct number.
What makes it safe is the backend's atomic increment, not Flask-Caching: with a backend whose
``inc`` is a ``get`` then a ``set`` (cachelib's ``SimpleCache`` or ``FileSystemCache``) the same
call is a plain read-modify-write again. The cache's key prefix matters too: it is how the reset
(``cache.delete``) and ``cache.clear()`` find these keys, and without one ``clear()`` flushes
the whole Redis database.

**Cost.** One round trip, as ``redis-incr``: the extension adds a little Python, no locking.

**Anomalies:** none.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.caching import RedisCacheCounter


class CacheInc(RedisCacheCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        value = self.cache(ctx).cache.inc(self.cache_key)
        # None only from a backend whose inc could not store the value; INCR answers or raises.
        assert value is not None, "RedisCache.inc returns the new value"
        return Outcome(int(value))


STRATEGY = CacheInc("cache-inc", "Flask-Caching RedisCache: cache.inc (one INCR)")
