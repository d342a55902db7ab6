"""redis-py's ``Lock`` (``SET NX PX`` with a token) around ``GET`` / ``SET``.

**Mechanism.** Acquiring is ``SET lock-key token NX PX ttl``: only one client can create the key.
The others poll until it is deleted (released with a compare-and-delete script) or expires, up
to a blocking timeout. The lock lives in Redis, so it is shared by every process and replica.

**Why it holds (here).** Only the holder runs the read-modify-write, and it finishes well within
the lock's TTL.

**Caveat.** The TTL is what frees the lock if the holder crashes, and also what breaks it: a
holder paused past the TTL (GC, swap, a stalled request) keeps writing after another client
acquired the lock. redis-py's tokens are random, not increasing, so the store cannot reject the
stale writer; a fencing token can (``redis-lock-fenced``; ``racelab chaos`` pauses a holder past
the TTL and shows this one lose updates and hand out duplicates). When the release
finds the lock gone, the answer is an indeterminate ``500 lock_lost``, never a clean refusal: the
write may have landed.

**Anomalies:** none while critical sections stay shorter than the TTL; lost updates and
duplicates when a holder is paused past it.
"""

from racelab.core.guards import RedisLockGuard
from racelab.scenarios.counter.stores import RedisCounter

STRATEGY = RedisCounter("redis-lock", "redis-py Lock (TTL + blocking timeout) around GET/SET", guard=RedisLockGuard())
