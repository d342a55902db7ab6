"""``redis-lock`` plus a fencing token: the store refuses a write from a holder whose lock expired.

**Mechanism.** The same redis-py ``Lock`` around a ``SELECT`` then ``UPDATE`` of a Postgres row,
and with the lock, a *fencing token*: ``INCR`` of a Redis key, so every holder gets a larger
number than every holder before it. The write carries it and the row keeps the newest one that
wrote: ``UPDATE counters SET value = :v, fence = :token WHERE name = :n AND fence < :token``. A
write with an older token than the row has seen matches no row, and is refused (``409
fenced_out``, nothing written).

**Why it holds, even under pauses.** A lock with a TTL is a lease: a holder paused past the TTL
(a GC pause, swapping, SIGSTOP) wakes up believing it still holds the lock, while another client
has taken it and written. Without fencing (``redis-lock``) its stale write lands and wipes out
every increment made meanwhile: lost updates, then duplicates as the counter is handed out again
from the old value. Here the newer holder's write raised the row's fence above the stale token,
so the stale write is refused and its caller told that nothing was written. ``racelab chaos``
shows both under the same pause, side by side.

**Caveat.** The store must check the token: fencing works only where the write happens (a
conditional ``UPDATE``), not in the lock. The tokens come from Redis: a Redis that forgets its
counter (no persistence) would hand out small tokens again and every write would be refused until
the next reset (the lab's Redis keeps an append-only file).

**Anomalies:** none, under concurrency and under pauses past the lock's TTL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.guards import RedisLockGuard
from racelab.core.strategy import Ctx, Outcome, Refused
from racelab.scenarios.counter.stores import PostgresCounter

FENCE_KEY = "racelab:fence:counter/redis-lock-fenced"


class FencedCounter(PostgresCounter):
    """The counter row written only by a holder whose fencing token is the newest yet."""

    fenced = True  # racelab chaos: holds under a pause past the lock's TTL

    def perform(self, ctx: Ctx, op: str, args: Mapping[str, Any]) -> Outcome:
        # The token is taken inside the lock, so tokens increase in the order holders get it.
        assert self.guard is not None
        keys = [f"{self.key}:{k}" for k in self.lock_keys(op, args)]
        with self.guard.hold(ctx, keys) as held:
            token = int(ctx.resources.redis().incr(FENCE_KEY))
            outcome = self.fenced_next(ctx, token)
        outcome.wait_ms += held.wait_ms
        return outcome

    def fenced_next(self, ctx: Ctx, token: int) -> Outcome:
        with ctx.resources.db().connection() as conn:
            row = conn.execute("SELECT value FROM counters WHERE name = %s", (self.name,)).fetchone()
            current = int(row[0]) if row else 0
            ctx.pause()
            written = conn.execute(
                "UPDATE counters SET value = %s, fence = %s WHERE name = %s AND fence < %s",
                (current + 1, token, self.name, token),
            ).rowcount
        if not written:
            raise Refused(
                "fenced_out",
                f"fencing token {token} is older than the last write's: the Redis lock expired while "
                "this request held it and another holder wrote since; nothing was written",
            )
        return Outcome(current + 1)

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        with ctx.resources.db().connection() as conn:
            conn.execute(
                "INSERT INTO counters (name, value, version, fence) VALUES (%s, 0, 0, 0)"
                " ON CONFLICT (name) DO UPDATE SET value = 0, version = 0, fence = 0",
                (self.name,),
            )


STRATEGY = FencedCounter(
    "redis-lock-fenced",
    "redis-py Lock + fencing token (INCR): UPDATE ... WHERE fence < token",
    guard=RedisLockGuard(),
)
