"""redis-py's ``Lock`` (``SET NX PX`` with a token) around ``GET`` / ``SET``.

**Mechanism.** Acquiring is ``SET lock-key token NX PX ttl``: only one client can create the key.
The others poll until it is deleted (released with a compare-and-delete script) or expires, up
to a blocking timeout. The lock lives in Redis, so it is shared by every process and replica.

**Why it holds (here).** Only the holder runs the read-modify-write, and it finishes well within
the lock's TTL.

**Caveat.** The TTL is what frees the lock if the holder crashes, and also what breaks it: a
holder paused past the TTL (GC, swap, a stalled request) keeps writing after another client
acquired the lock. redis-py's tokens are random, not increasing, so the store cannot reject the
stale writer; a fencing token (see ``db-optimistic``'s version column) can.

**Anomalies:** none while critical sections stay shorter than the TTL.
"""

import time

from racelab.strategies.base import Ctx, Outcome, RedisStrategy
from racelab.topology import Scope

LOCK_TTL_S = 5.0
BLOCKING_TIMEOUT_S = 10.0
# redis-py polls every 0.1 s by default, which would dominate the cost under contention.
POLL_S = 0.001


class RedisLock(RedisStrategy):
    name = "redis-lock"
    safe_up_to = Scope.REPLICAS
    summary = "redis-py Lock (TTL + blocking timeout) around GET/SET"

    def next(self, ctx: Ctx) -> Outcome:
        lock = ctx.resources.redis().lock(
            f"racelab:lock:{self.name}", timeout=LOCK_TTL_S, blocking_timeout=BLOCKING_TIMEOUT_S, sleep=POLL_S
        )
        started = time.perf_counter()
        with lock:  # raises LockError if not acquired within the blocking timeout
            waited = (time.perf_counter() - started) * 1000
            value = self.get_then_set(ctx)
        return Outcome(value, wait_ms=waited)


STRATEGY = RedisLock()
