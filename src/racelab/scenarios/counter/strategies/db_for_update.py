"""A transaction that reads with ``SELECT ... FOR UPDATE``, then writes value + 1.

**Mechanism.** ``FOR UPDATE`` takes the row lock at read time. Any other transaction that wants
the same row lock waits until this one commits, then reads the committed value.

**Why it holds.** The read-modify-write happens entirely while holding a lock that lives in the
database, shared by every process and replica. The cost: the lock is held for the whole
transaction, including any application think-time (the race window), so keep it short.

**Anomalies:** none. Contention appears as lock waits (measured per request).
"""

import time

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import PostgresCounter


class DbForUpdate(PostgresCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            row = conn.execute("SELECT value FROM counters WHERE name = %s FOR UPDATE", (self.name,)).fetchone()
            waited = (time.perf_counter() - started) * 1000
            value = int(row[0]) + 1 if row else 1
            ctx.pause()
            conn.execute("UPDATE counters SET value = %s WHERE name = %s", (value, self.name))
        return Outcome(value, wait_ms=waited)


STRATEGY = DbForUpdate("db-for-update", "transaction with SELECT ... FOR UPDATE")
