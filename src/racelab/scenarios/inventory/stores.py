"""The inventory's plain check-then-act in each store: read the stock, refuse when it is gone,
pause, take one off, record the order.

In Postgres all of it runs in one transaction, and the decrement is relative
(``SET stock = stock - 1``), so no sale is ever lost and the order row always lands with its
decrement: the race is not in the writes but in the *check*. Under Read Committed nothing stops
fifty buyers from all reading "3 left" before any of them commits; each one then takes one off
and records its order, the stock goes below zero and the shop sells more than it had. (The
relative decrement is also what lets ``db-check-constraint``'s ``CHECK (stock >= 0)`` bite: an
absolute ``SET stock = <read> - 1`` would never go below zero, it would lose sales instead.)

In Redis the same steps are separate commands: ``HGET`` the stock, ``INCR`` an order-id sequence,
then ``HINCRBY -1`` and ``RPUSH`` the order together in one ``MULTI``. Every command is atomic,
the sequence of them is not.

Guarded strategies run this same code inside their guard; the store-native ones subclass these
classes and replace ``buy`` (or, for the constraint, the table).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from psycopg import Connection, sql

from racelab.core.strategy import POSTGRES, REDIS, Ctx, Outcome, Strategy
from racelab.scenarios.inventory.operations import SoldOut, UnknownProduct


def state(stock_per_product: int | None, stocks: Mapping[int, int], orders: list[tuple[int, int]]) -> dict[str, Any]:
    """The state as every strategy reports it: the stock each product started with, and the
    products a sale touched (stock no longer at the start, or any order), with their orders in
    id order. Untouched products are left out, so a read stays small whatever the catalogue."""
    by_product: dict[int, list[int]] = {}
    for order, product in sorted(orders):
        by_product.setdefault(product, []).append(order)
    touched = sorted({p for p, s in stocks.items() if s != stock_per_product} | set(by_product))
    return {
        "stock_per_product": stock_per_product,
        "products": {str(p): {"stock": stocks.get(p), "orders": by_product.get(p, [])} for p in touched},
    }


class PostgresInventory(Strategy):
    """Rows of ``inventory_stock`` and ``inventory_orders`` where ``strategy`` is this one's name."""

    store = POSTGRES
    stock_table: ClassVar[str] = "inventory_stock"

    def buy(self, ctx: Ctx, product: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            order = self.check_then_act(ctx, conn, product)
        return Outcome(order)  # only once the commit has succeeded

    def check_then_act(self, ctx: Ctx, conn: Connection[Any], product: int) -> int:
        """The plain purchase inside the caller's transaction; returns the new order's id."""
        stock = self.stock(conn, product)
        if stock <= 0:
            raise SoldOut(product, stock)
        ctx.pause()
        self.decrement(conn, product)
        return self.record(conn, product)

    def stock(self, conn: Connection[Any], product: int, for_update: bool = False) -> int:
        query = sql.SQL("SELECT stock FROM {} WHERE strategy = %s AND product = %s").format(
            sql.Identifier(self.stock_table)
        )
        if for_update:
            query = sql.SQL("{} FOR UPDATE").format(query)
        row = conn.execute(query, (self.name, product)).fetchone()
        if row is None:
            raise UnknownProduct(product)
        return int(row[0])

    def decrement(self, conn: Connection[Any], product: int) -> None:
        conn.execute(
            sql.SQL("UPDATE {} SET stock = stock - 1 WHERE strategy = %s AND product = %s").format(
                sql.Identifier(self.stock_table)
            ),
            (self.name, product),
        )

    def record(self, conn: Connection[Any], product: int) -> int:
        row = conn.execute(
            "INSERT INTO inventory_orders (strategy, product) VALUES (%s, %s) RETURNING id", (self.name, product)
        ).fetchone()
        assert row is not None, "INSERT ... RETURNING returns the row"
        return int(row[0])

    def read(self, ctx: Ctx) -> dict[str, Any]:
        """Stock and orders from ONE snapshot: read while purchases run, a safe strategy must never
        look broken because its stock and its orders were read at different moments."""
        table = sql.Identifier(self.stock_table)
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            row = conn.execute(
                "SELECT stock_per_product FROM inventory_catalogue WHERE strategy = %s", (self.name,)
            ).fetchone()
            start = int(row[0]) if row else None
            orders = conn.execute(
                "SELECT id, product FROM inventory_orders WHERE strategy = %s ORDER BY id", (self.name,)
            ).fetchall()
            ordered = sorted({int(p) for _, p in orders})
            # Only the touched rows: stock moved, or orders recorded (IS DISTINCT FROM: NULL-safe).
            stocks = conn.execute(
                sql.SQL(
                    "SELECT product, stock FROM {} WHERE strategy = %s"
                    " AND (stock IS DISTINCT FROM %s OR product = ANY(%s))"
                ).format(table),
                (self.name, start, ordered),
            ).fetchall()
        return state(start, {int(p): int(s) for p, s in stocks}, [(int(i), int(p)) for i, p in orders])

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """``products`` products numbered from 0, each with ``stock`` in stock; no orders."""
        stock, products = int(params["stock"]), int(params["products"])
        table = sql.Identifier(self.stock_table)
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("DELETE FROM inventory_orders WHERE strategy = %s", (self.name,))
            conn.execute(sql.SQL("DELETE FROM {} WHERE strategy = %s").format(table), (self.name,))
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (strategy, product, stock) SELECT %s, n, %s FROM generate_series(0, %s) AS n"
                ).format(table),
                (self.name, stock, products - 1),
            )
            conn.execute(
                "INSERT INTO inventory_catalogue (strategy, products, stock_per_product) VALUES (%s, %s, %s)"
                " ON CONFLICT (strategy) DO UPDATE SET products = EXCLUDED.products,"
                " stock_per_product = EXCLUDED.stock_per_product",
                (self.name, products, stock),
            )


class RedisInventory(Strategy):
    """Keys ``racelab:inventory:<name>:*``: a hash of stock per product, a list of orders
    (``"<product>:<order id>"``), the order-id sequence, and the catalogue the last reset asked for."""

    store = REDIS

    def redis_key(self, part: str) -> str:
        return f"racelab:inventory:{self.name}:{part}"

    def buy(self, ctx: Ctx, product: int) -> Outcome:
        client = ctx.resources.redis()
        raw = client.hget(self.redis_key("stock"), str(product))
        if raw is None:
            raise UnknownProduct(product)
        stock = int(raw)
        if stock <= 0:
            raise SoldOut(product, stock)
        ctx.pause()
        order = int(client.incr(self.redis_key("order-seq")))
        # The decrement and the order land together (MULTI/EXEC): the race is in the check alone.
        pipe = client.pipeline(transaction=True)
        pipe.hincrby(self.redis_key("stock"), str(product), -1)
        pipe.rpush(self.redis_key("orders"), f"{product}:{order}")
        pipe.execute()
        return Outcome(order)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        """Catalogue, stock and orders in one ``MULTI``: one consistent moment, as in Postgres."""
        pipe = ctx.resources.redis().pipeline(transaction=True)
        pipe.hget(self.redis_key("catalogue"), "stock_per_product")
        pipe.hgetall(self.redis_key("stock"))
        pipe.lrange(self.redis_key("orders"), 0, -1)
        start, stocks, orders = pipe.execute()
        pairs = [tuple(int(x) for x in raw.split(b":")) for raw in orders]
        return state(
            int(start) if start is not None else None,
            {int(p): int(s) for p, s in stocks.items()},
            [(order, product) for product, order in pairs],
        )

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Every product back to ``stock``, no orders. The order-id sequence is kept: ids stay
        unique across runs, like a Postgres identity column."""
        stock, products = int(params["stock"]), int(params["products"])
        pipe = ctx.resources.redis().pipeline(transaction=True)
        pipe.delete(self.redis_key("stock"), self.redis_key("orders"), self.redis_key("catalogue"))
        pipe.hset(self.redis_key("stock"), mapping={str(p): stock for p in range(products)})
        pipe.hset(self.redis_key("catalogue"), mapping={"stock_per_product": stock, "products": products})
        pipe.execute()
