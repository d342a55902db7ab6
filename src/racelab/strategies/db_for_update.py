"""A transaction that reads with ``SELECT ... FOR UPDATE``, then writes value + 1.

**Mechanism.** ``FOR UPDATE`` takes the row lock at read time. Any other transaction that wants
the same row lock waits until this one commits, then reads the committed value.

**Why it holds.** The read-modify-write happens entirely while holding a lock that lives in the
database, shared by every process and replica. The cost: the lock is held for the whole
transaction, including any application think-time (the race window), so keep it short.

**Anomalies:** none. Contention appears as lock waits (measured per request).
"""

from racelab.strategies.base import Ctx, Outcome, PostgresStrategy
from racelab.topology import Scope


class DbForUpdate(PostgresStrategy):
    name = "db-for-update"
    safe_up_to = Scope.REPLICAS
    summary = "transaction with SELECT ... FOR UPDATE"

    def next(self, ctx: Ctx) -> Outcome:
        return self.locked_read_modify_write(
            ctx, "SELECT 1 FROM counters WHERE name = %s FOR UPDATE", (self.name,)
        )


STRATEGY = DbForUpdate()
