"""``SELECT ... FOR UPDATE`` on the payer, then on the payee (request order), retried on deadlock.

**Mechanism.** One transaction locks the ``from`` row, then the ``to`` row, reads both balances
under those locks, checks the funds, writes and records the transfer, and commits, which releases
the locks. The row locks live in Postgres, shared by every process and replica.

**Why it holds, and what it costs.** Whoever holds an account's row lock is the only one that
can read-then-write it, so no update is lost. But a transfer 3 -> 7 locks 3 then waits for 7,
while a transfer 7 -> 3 at the same moment locks 7 then waits for 3: a deadlock. Neither can
proceed until Postgres, after a waiter has waited ``deadlock_timeout``, looks for a cycle, finds
it and aborts one of them with SQLSTATE 40P01. Its transaction is rolled back, nothing of it was
written, so this strategy retries it (bounded, with jittered backoff; exhausted -> 409
``retries_exhausted``) and counts every deadlock (``X-Racelab-Deadlocks``). Under a burst it is a
storm: the retried transfer locks its first row again, the transfers queued behind each lock
form new cycles, and the lab's bursts (48 callers, six of them against the flow) count dozens of
deadlocks for 144 transfers.

**Detection time.** Every deadlock stalls both transfers, and everyone queued behind their rows,
for ``deadlock_timeout``: 1 s by default, which would stretch one burst to tens of seconds. The
lab's Postgres runs with 10 ms (a server setting, in both runtimes), so it shows the deadlocks and
retries without waiting seconds for each; on a default server each one costs a second. The fix is
not faster detection or a smarter retry but a global lock order: see ``db-for-update-id-order``.

**Anomalies:** none. Deadlocks (a cost, not an anomaly) on every burst with opposite transfers,
and the latency they bring.
"""

import time

from psycopg import errors

from racelab.core.retry import RetryLoop
from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.transfer.stores import PostgresTransfer, require_accounts, require_funds


class DbForUpdateRequestOrder(PostgresTransfer):
    native = True

    def transfer(self, ctx: Ctx, from_: int, to: int, amount: int) -> Outcome:
        pool = ctx.resources.db()
        deadlocks, waited = 0, 0.0
        for attempt in RetryLoop(self.name):
            started = time.perf_counter()
            try:
                with pool.connection() as conn, conn.transaction():
                    balances: dict[int, int] = {}
                    for account in (from_, to):  # the order the request names them: the deadlock
                        row = conn.execute(
                            "SELECT balance FROM transfer_accounts WHERE strategy = %s AND id = %s FOR UPDATE",
                            (self.name, account),
                        ).fetchone()
                        if row is not None:
                            balances[account] = int(row[0])
                    waited += (time.perf_counter() - started) * 1000
                    require_accounts(balances, from_, to)
                    require_funds(balances, from_, amount)
                    ctx.pause()
                    transfer_id = self.write(conn, from_, to, amount, balances)
            except errors.DeadlockDetected:
                # Postgres aborted this transaction to break a cycle: rolled back, nothing written.
                deadlocks += 1
                waited += (time.perf_counter() - started) * 1000
                continue
            return Outcome(transfer_id, retries=attempt, wait_ms=waited, deadlocks=deadlocks)
        raise AssertionError("unreachable: RetryLoop raises when exhausted")


STRATEGY = DbForUpdateRequestOrder(
    "db-for-update-request-order", "SELECT ... FOR UPDATE on from, then to; retry on deadlock (40P01)"
)
