"""A transaction that reads the stock with ``SELECT ... FOR UPDATE``, checks it, then decrements
and records the order.

**Mechanism.** ``FOR UPDATE`` takes the row lock at read time. Every other buyer of the same
product asking for that lock waits until this transaction commits, then reads the committed stock
(Read Committed re-reads the locked row), so its check is made on the truth.

**Why it holds.** The whole check-then-act runs while holding a lock that lives in the database,
shared by every process and replica; buyers of other products lock other rows and never wait.
The cost: the lock is held for the whole transaction, including any think time between the check
and the write (the race window), so buyers of a hot product queue one transaction at a time.

**Anomalies:** none. Contention appears as lock waits (measured per request).
"""

import time

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.inventory.operations import SoldOut
from racelab.scenarios.inventory.stores import PostgresInventory


class DbForUpdate(PostgresInventory):
    native = True

    def buy(self, ctx: Ctx, product: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            stock = self.stock(conn, product, for_update=True)
            waited = (time.perf_counter() - started) * 1000
            if stock <= 0:
                raise SoldOut(product, stock)
            ctx.pause()
            self.decrement(conn, product)
            order = self.record(conn, product)
        return Outcome(order, wait_ms=waited)


STRATEGY = DbForUpdate("db-for-update", "SELECT ... FOR UPDATE, check, then decrement and insert the order")
