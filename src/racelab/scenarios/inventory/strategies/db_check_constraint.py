"""``db-check-then-act``'s unsafe code, unchanged, against a table whose stock column has
``CHECK (stock >= 0)``.

**Mechanism.** The purchase still reads the stock without a lock, checks it in Python and then
runs ``UPDATE ... SET stock = stock - 1`` and the order's ``INSERT`` in one transaction. Fifty
buyers still all read "1 left" and all go ahead. But the table (``inventory_stock_checked``)
carries a constraint, and the database checks it on every row it writes: the decrement that
would take the stock from 0 to -1 fails with ``CheckViolation`` (SQLSTATE 23514), the
transaction rolls back (the order's ``INSERT`` with it) and the buyer gets the same clean
``409 sold_out`` as if the Python check had caught it.

**Prevent vs protect.** This does not *prevent* the race: the stale check happens exactly as in
``db-check-then-act``, and a purchase that does more after the decrement (charge a card, send an
e-mail) would still have to be undone. It *protects* the invariant: whatever races happen in the
application, the data can never hold a negative stock, and no order commits without its item.
A constraint guards every code path that writes the table, including ones written later by
someone who never heard of this race, which no lock in the application can promise. It holds
under threads, processes and replicas, since the check runs in the one shared database; the price
is an error path to handle (here: only this constraint's violation becomes ``sold_out``) and work
that is thrown away.

**Anomalies:** none. Losers are refused by the database rather than by the application.
"""

from psycopg import errors

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.inventory.operations import SoldOut
from racelab.scenarios.inventory.stores import PostgresInventory

CONSTRAINT = "inventory_stock_checked_nonnegative"  # named in schema.sql


class DbCheckConstraint(PostgresInventory):
    native = True
    stock_table = "inventory_stock_checked"

    def buy(self, ctx: Ctx, product: int) -> Outcome:
        try:
            return super().buy(ctx, product)
        except errors.CheckViolation as exc:
            if exc.diag.constraint_name != CONSTRAINT:
                raise
            # The transaction block rolled back the decrement and the order: nothing was written.
            raise SoldOut(product, 0) from None


STRATEGY = DbCheckConstraint(
    "db-check-constraint", "the unsafe check-then-act against CHECK (stock >= 0): the database refuses the oversell"
)
