"""``SELECT ... WHERE id IN (from, to) ORDER BY id FOR UPDATE``: both row locks, in account-id order.

**Mechanism.** One transaction locks both account rows with a single statement that sorts them
first (Postgres applies ``ORDER BY`` before it locks the rows it returns), reads the balances under
the locks, checks the funds, writes, records the transfer and commits, releasing the locks. The
row locks live in Postgres, shared by every process and replica.

**Why it holds.** A transfer that holds both rows is the only one that can read-then-write them,
so no update is lost. And because every transfer locks the lower account id first, no two can
each hold a row the other is waiting for: a transfer 3 -> 7 and one 7 -> 3 both ask for 3 first,
one waits, neither deadlocks. A global lock order is the classic cure for deadlocks; it costs
nothing but waiting, which grows with contention and with the time the locks are held
(the race window sits inside the transaction).

**Anomalies:** none, and no deadlocks (compare ``db-for-update-request-order``).
"""

import time

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.transfer.stores import PostgresTransfer, require_accounts, require_funds


class DbForUpdateIdOrder(PostgresTransfer):
    native = True

    def transfer(self, ctx: Ctx, from_: int, to: int, amount: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            rows = conn.execute(
                "SELECT id, balance FROM transfer_accounts WHERE strategy = %s AND id IN (%s, %s)"
                " ORDER BY id FOR UPDATE",
                (self.name, from_, to),
            ).fetchall()
            waited = (time.perf_counter() - started) * 1000
            balances = {int(account): int(balance) for account, balance in rows}
            require_accounts(balances, from_, to)
            require_funds(balances, from_, amount)
            ctx.pause()
            transfer_id = self.write(conn, from_, to, amount, balances)
        return Outcome(transfer_id, wait_ms=waited)


STRATEGY = DbForUpdateIdOrder("db-for-update-id-order", "SELECT ... ORDER BY id FOR UPDATE: both rows, in id order")
