"""A row per item in Postgres (``INSERT ... ON CONFLICT DO NOTHING``); the session holds the cart's id.

**Mechanism.** The session (Flask's signed cookie) holds ``cart_id``; ``cart_items`` has one row
per (cart, item), with that as its primary key. Adding an item inserts its row; adding it again
does nothing (``ON CONFLICT DO NOTHING``). The cart is ``SELECT item ... WHERE cart = ...``.

**Why it holds.** Two requests adding different items insert different rows: neither reads the
cart to write it back, so neither can overwrite the other, under threads, processes or replicas.
Two requests adding the same item meet on the primary key, and the second one's insert does
nothing. The table's shape does the work: no lock, no retry. (Storing the cart as one row with a
list in it would bring the read-modify-write back, and with it a need for ``SELECT ... FOR
UPDATE``.)

**Cost.** One insert and one count per add.

**Anomalies:** none.
"""

from racelab.core.strategy import Ctx
from racelab.scenarios.cart.stores import PostgresCart


class DbItems(PostgresCart):
    native = True

    def add_item(self, ctx: Ctx, cart: str, item: str) -> int:
        with ctx.resources.db().connection() as conn:
            conn.execute(
                "INSERT INTO cart_items (strategy, cart, item) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (self.name, cart, item),
            )
            row = conn.execute(
                "SELECT count(*) FROM cart_items WHERE strategy = %s AND cart = %s", (self.name, cart)
            ).fetchone()
        assert row is not None, "count(*) returns a row"
        return int(row[0])


STRATEGY = DbItems("db-items", "a row per item: INSERT ... ON CONFLICT DO NOTHING")
