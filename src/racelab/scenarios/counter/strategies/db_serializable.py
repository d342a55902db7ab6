"""A ``SERIALIZABLE`` transaction doing the plain read-modify-write, retried on SQLSTATE 40001.

**Mechanism.** Postgres's Serializable Snapshot Isolation lets transactions run without locks
and aborts any that could produce a result no serial order would, with
``could not serialize access`` (SQLSTATE 40001). The application must retry the *whole*
transaction; this one retries a bounded number of times with jittered backoff and counts them.

**Why it holds.** Of two transactions that read 41 and both try to write 42, only the first to
commit succeeds; the other is rolled back and retried, reading 42 the second time.

**Cost.** On one hot row this turns into first-updater-wins: under contention most attempts are
retries. A request that exhausts its retries fails cleanly (HTTP 409) and writes nothing.

**Anomalies:** none; retries are the price.
"""

from psycopg import errors

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.counter.stores import PostgresCounter


class DbSerializable(PostgresCounter):
    native = True

    def next(self, ctx: Ctx) -> Outcome:
        pool = ctx.resources.db()
        for attempt in RetryLoop(self.name):
            try:
                with pool.connection() as conn, conn.transaction():
                    conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                    row = conn.execute("SELECT value FROM counters WHERE name = %s", (self.name,)).fetchone()
                    value = int(row[0]) + 1 if row else 1
                    ctx.pause()
                    conn.execute("UPDATE counters SET value = %s WHERE name = %s", (value, self.name))
                return Outcome(value, retries=attempt)
            except (errors.SerializationFailure, errors.DeadlockDetected):
                continue  # rolled back by the transaction block: nothing was written
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = DbSerializable("db-serializable", "SERIALIZABLE transaction, bounded retry on 40001")
