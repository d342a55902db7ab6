"""A ``SERIALIZABLE`` transaction running the plain read-then-write, retried on 40001 and 40P01.

**Mechanism.** The very code of ``db-unsafe`` (read both balances, check, write both, record),
but Postgres runs it under Serializable Snapshot Isolation: every transaction reads a snapshot,
and one that could produce a result no serial order would is aborted with ``could not serialize
access`` (SQLSTATE 40001), at a write or at commit. The application must retry the *whole*
transaction; this one does, a bounded number of times with jittered backoff, and counts the
retries (``X-Racelab-Retries``). It would retry a deadlock (40P01) the same way, though writing in
account-id order leaves none to retry.

**Why it holds.** Two transfers that read account 3's balance 1000 cannot both commit a new
balance computed from it: the second to write finds the row changed since its snapshot and is
rolled back, then re-reads the committed balance on its next attempt. It is the database that
refuses the stale write, so it holds across threads, processes and replicas.

**Cost.** Under contention many attempts are thrown away; a request that exhausts its retries is
refused (409 ``retries_exhausted``) and wrote nothing. Reads of the state are not part of it
(a ``REPEATABLE READ`` snapshot), so watching the bank does not cause aborts.

**Anomalies:** none; retries are the price.
"""

from psycopg import errors

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.transfer.stores import PostgresTransfer


class DbSerializable(PostgresTransfer):
    native = True

    def transfer(self, ctx: Ctx, from_: int, to: int, amount: int) -> Outcome:
        pool = ctx.resources.db()
        deadlocks = 0
        for attempt in RetryLoop(self.name):
            try:
                with pool.connection() as conn, conn.transaction():
                    conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                    transfer_id = self.read_then_write(ctx, conn, from_, to, amount)
            except errors.SerializationFailure:
                continue  # rolled back by the transaction block: nothing was written
            except errors.DeadlockDetected:
                deadlocks += 1
                continue
            return Outcome(transfer_id, retries=attempt, deadlocks=deadlocks)
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = DbSerializable("db-serializable", "SERIALIZABLE read-then-write, bounded retry on 40001/40P01")
