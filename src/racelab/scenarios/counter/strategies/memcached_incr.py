"""memcached ``incr``, with ``add`` for the first value: the cache does the arithmetic itself.

**Mechanism.** ``incr key 1`` adds one inside memcached and returns the new value, one command
under the server's per-item lock. ``incr`` of a missing key fails instead of creating it, so the
first caller after a reset creates it with ``add key 1``, which stores only when the key does not
exist; a caller that loses that ``add`` race (another request created the key first) goes back to
``incr``.

**Why it holds.** Every step is one atomic command: ``incr`` never exposes the value between read
and write, and ``add`` lets exactly one creator win. Every replica talks to the same memcached.

**Caveat.** memcached is a cache: an eviction (memory full) or a restart forgets the value, and
the counter starts again from 1. Here it holds because the lab's memory limit is far from full.

**Anomalies:** none. One round trip in the common case.
"""

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import MemcachedCounter


class MemcachedIncr(MemcachedCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        client = ctx.resources.memcached()
        for attempt in RetryLoop(self.name):
            value = client.incr(self.cache_key, 1)
            if value is not None:
                return Outcome(int(value), retries=attempt)
            if client.add(self.cache_key, "1"):
                return Outcome(1, retries=attempt)
            # Another request created it between our incr and our add: incr it now.
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = MemcachedIncr("memcached-incr", "incr (add for the first value)")
