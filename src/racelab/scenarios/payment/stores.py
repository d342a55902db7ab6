"""The payment's plain idempotency handling in Postgres: look the key up, replay the payment found,
otherwise pause and charge, recording the key on the charge.

All of it runs in one Read Committed transaction, and that is not enough. The copies of one
logical payment (the request and the retries a client fired while it was still in flight) all
run their lookup before any of them has committed its charge; all miss, and all charge. The
idempotency handling is itself a check-then-insert, with the same race as a sign-up: a key
protects against retries only if claiming it is race-free.

Guarded strategies run this same code inside their guard; ``no-key`` and ``key-unique`` subclass
:class:`PostgresPayments` and replace :meth:`~PostgresPayments.charge`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import Connection

from racelab.core.strategy import POSTGRES, Ctx, Outcome, Strategy
from racelab.scenarios.payment.operations import KeyReused, required_key

REPLAYED = {"Idempotent-Replayed": "true"}  # Stripe's header for an answer given again


def replay(key: str, asked: int, payment: int, amount: int) -> Outcome:
    """The first request's answer, again: the same payment id, and nothing charged."""
    if amount != asked:
        raise KeyReused(key, amount, asked)
    return Outcome(payment, headers=dict(REPLAYED))


class PostgresPayments(Strategy):
    """Rows of ``payment_charges`` (and ``payment_keys``) where ``strategy`` is this one's name."""

    store = POSTGRES

    def charge(self, ctx: Ctx, amount: int, idempotency_key: str | None) -> Outcome:
        key = required_key(idempotency_key)
        with ctx.resources.db().connection() as conn, conn.transaction():
            earlier = self.lookup(conn, key)
            if earlier is None:
                ctx.pause()
                payment = self.insert(conn, key, amount)
        if earlier is not None:
            return replay(key, amount, *earlier)
        return Outcome(payment)  # only once the commit has succeeded

    def lookup(self, conn: Connection[Any], key: str) -> tuple[int, int] | None:
        """The key's first charge (id, amount), if there is one."""
        row = conn.execute(
            "SELECT id, amount FROM payment_charges WHERE strategy = %s AND idempotency_key = %s ORDER BY id LIMIT 1",
            (self.name, key),
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def insert(self, conn: Connection[Any], key: str | None, amount: int) -> int:
        """Charge the card: one more row, one more charge."""
        row = conn.execute(
            "INSERT INTO payment_charges (strategy, idempotency_key, amount) VALUES (%s, %s, %s) RETURNING id",
            (self.name, key, amount),
        ).fetchone()
        assert row is not None, "INSERT ... RETURNING returns the row"
        return int(row[0])

    def read(self, ctx: Ctx) -> dict[str, Any]:
        """Every charge as ``[id, key, amount]`` in id order (key null when none was sent)."""
        with ctx.resources.db().connection() as conn:
            rows = conn.execute(
                "SELECT id, idempotency_key, amount FROM payment_charges WHERE strategy = %s ORDER BY id",
                (self.name,),
            ).fetchall()
        return {"payments": [[int(payment), key, int(amount)] for payment, key, amount in rows]}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """No charges, no keys."""
        with ctx.resources.db().connection() as conn, conn.transaction():
            conn.execute("DELETE FROM payment_keys WHERE strategy = %s", (self.name,))
            conn.execute("DELETE FROM payment_charges WHERE strategy = %s", (self.name,))
