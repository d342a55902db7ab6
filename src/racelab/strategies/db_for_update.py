"""A transaction that reads with ``SELECT ... FOR UPDATE``, then writes value + 1.

**Mechanism.** ``FOR UPDATE`` takes the row lock at read time. Any other transaction that wants
the same row lock waits until this one commits, then reads the committed value.

**Why it holds.** The read-modify-write happens entirely while holding a lock that lives in the
database, shared by every process and replica. The cost: the lock is held for the whole
transaction, including any application think-time (the race window), so keep it short.

**Anomalies:** none. Contention appears as lock waits (measured per request).
"""

import time

from racelab.strategies.base import Ctx, Outcome, PostgresStrategy
from racelab.topology import Scope


class DbForUpdate(PostgresStrategy):
    name = "db-for-update"
    safe_up_to = Scope.REPLICAS
    summary = "transaction with SELECT ... FOR UPDATE"

    def next(self, ctx: Ctx) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            conn.execute("SELECT 1 FROM counters WHERE name = %s FOR UPDATE", (self.name,))
            waited = (time.perf_counter() - started) * 1000
            value = self.select_then_update(conn, ctx)
        return Outcome(value, wait_ms=waited)


STRATEGY = DbForUpdate()
