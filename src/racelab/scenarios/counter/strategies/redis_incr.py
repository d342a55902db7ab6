"""Redis ``INCR``: one command that reads, adds and writes inside the server.

**Mechanism.** Redis runs commands one at a time on a single thread, and ``INCR`` does the whole
read-modify-write as one command, returning the new value.

**Why it holds.** No request can observe the value between the read and the write, so every
caller gets a distinct number whatever the number of threads, processes or replicas.

**Anomalies:** none. The fastest correct strategy here: one round trip, no locks, no retries.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import RedisCounter


class RedisIncr(RedisCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        return Outcome(int(ctx.resources.redis().incr(self.redis_key)))


STRATEGY = RedisIncr("redis-incr", "INCR")
