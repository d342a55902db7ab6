"""Optimistic concurrency: read value and version, write only if the version is unchanged.

**Mechanism.** ``UPDATE counters SET value = :v + 1, version = version + 1 WHERE name = :n AND
version = :seen``. If another request wrote in between, the version no longer matches, the
update touches zero rows, and the request retries from the read (bounded, with backoff).

**Why it holds.** The compare-and-set is one atomic statement in the database, so a stale read
can never be written back. The version column doubles as a fencing token: a writer holding an
old version is rejected by the data itself, whatever locks it thinks it holds.

**Cost.** No locks are held between read and write, but under contention many attempts lose and
retry (counted per request).

**Anomalies:** none.
"""

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import PostgresCounter


class DbOptimistic(PostgresCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        pool = ctx.resources.db()
        for attempt in RetryLoop(self.name):
            with pool.connection() as conn:
                row = conn.execute("SELECT value, version FROM counters WHERE name = %s", (self.name,)).fetchone()
                assert row is not None, "reset creates the row"
                value, version = int(row[0]), int(row[1])
                ctx.pause()
                written = conn.execute(
                    "UPDATE counters SET value = %s, version = version + 1 WHERE name = %s AND version = %s",
                    (value + 1, self.name, version),
                ).rowcount
            if written == 1:
                return Outcome(value + 1, retries=attempt)
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = DbOptimistic("db-optimistic", "version column compare-and-set, bounded retry")
