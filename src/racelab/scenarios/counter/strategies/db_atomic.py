"""One statement: ``UPDATE counters SET value = value + 1 ... RETURNING value``.

**Mechanism.** The database does the read and the write in one step. When two transactions
update the same row, the second waits for the first to commit, then re-reads the row and applies
its ``+ 1`` to the new value (Read Committed's rule for concurrent updates).

**Why it holds.** There is no gap between read and write for anyone to slip into, so it is
correct under threads, processes and replicas alike, with no retries. Contention shows up as
row-lock waits, bounded by commit latency.

**Anomalies:** none. The cheapest correct answer when the change fits in one statement.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import PostgresCounter


class DbAtomic(PostgresCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        with ctx.resources.db().connection() as conn:
            row = conn.execute(
                "UPDATE counters SET value = value + 1 WHERE name = %s RETURNING value", (self.name,)
            ).fetchone()
        assert row is not None, "reset creates the row"
        return Outcome(int(row[0]))


STRATEGY = DbAtomic("db-atomic", "UPDATE ... SET value = value + 1 RETURNING value")
