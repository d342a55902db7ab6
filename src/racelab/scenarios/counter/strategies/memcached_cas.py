"""memcached ``gets`` / ``cas``: optimistic compare-and-set on a cache key, with bounded retry.

**Mechanism.** ``gets`` returns the value with a *cas token* (the item's version). The request
adds one in Python and writes with ``cas key value token``, which memcached applies only if the
item was not modified since that ``gets``; otherwise it answers ``EXISTS`` and the request starts
again from ``gets`` (bounded, with jittered backoff). The first value after a reset is created with
``add``, which only one request can win.

**Why it holds.** The check and the write are one command in the server, so a stale read is never
written back: the same idea as ``db-optimistic``'s version column, in a cache.

**Cost.** No locks, but under contention most attempts lose and retry (counted per request); a
burst of N callers costs up to N rounds for the last one.

**Anomalies:** none.
"""

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import MemcachedCounter


class MemcachedCas(MemcachedCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        client = ctx.resources.memcached()
        for attempt in RetryLoop(self.name):
            raw, token = client.gets(self.cache_key)
            if raw is None:
                if client.add(self.cache_key, "1"):
                    return Outcome(1, retries=attempt)
                continue
            value = int(raw) + 1
            ctx.pause()
            if client.cas(self.cache_key, str(value), token):
                return Outcome(value, retries=attempt)
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = MemcachedCas("memcached-cas", "gets/cas compare-and-set, bounded retry")
