"""``UPDATE ... SET stock = stock - 1 WHERE ... AND stock > 0 RETURNING stock``, then the order,
in one transaction.

**Mechanism.** The check moves into the write: the ``WHERE stock > 0`` is evaluated by the
statement that decrements, on the row it is about to change. When several buyers update the same
row, each waits for the row lock, and Read Committed then re-evaluates the ``WHERE`` on the newest
committed version before writing. Zero rows updated means sold out (or, as a second look tells,
no such product): the transaction writes nothing and the buyer gets a clean 409.

**Why it holds.** There is no gap between check and act for anyone to slip into, so it is correct
under threads, processes and replicas alike, without retries. The row lock taken by the
``UPDATE`` is held until the order is inserted and committed, so the next buyer's check sees the
committed decrement.

**Anomalies:** none. The cheapest correct answer: one statement does what the unsafe code needs two for.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.inventory.operations import SoldOut
from racelab.scenarios.inventory.stores import PostgresInventory


class DbConditional(PostgresInventory):
    native = True

    def buy(self, ctx: Ctx, product: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            row = conn.execute(
                "UPDATE inventory_stock SET stock = stock - 1 WHERE strategy = %s AND product = %s AND stock > 0"
                " RETURNING stock",
                (self.name, product),
            ).fetchone()
            if row is None:
                # Nothing was decremented: tell sold out from unknown (raises UnknownProduct).
                raise SoldOut(product, self.stock(conn, product))
            order = self.record(conn, product)
        return Outcome(order)


STRATEGY = DbConditional("db-conditional", "UPDATE ... SET stock = stock - 1 WHERE stock > 0, then the order")
