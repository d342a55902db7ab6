"""Claim the ``Idempotency-Key`` with ``INSERT ... ON CONFLICT DO NOTHING`` on a primary key,
charge and store the answer in the same transaction; the copies replay it.

**Mechanism.** One transaction: ``INSERT INTO payment_keys (strategy, key, amount) ... ON
CONFLICT DO NOTHING RETURNING``. The request that gets a row back owns the key: it charges
(pause, insert the charge) and stores the payment id on the key's row, then commits. A copy whose
insert finds the key (waiting on the primary key's index, if the owner has not committed yet,
until it has) gets no row back; it then reads the stored answer and replays it: the same payment
id, ``Idempotent-Replayed: true``, nothing charged. A key sent with another amount is a 422.

**Why it holds.** Claiming the key is one statement that the unique index makes race-free across
every process and replica: of all the copies in flight, exactly one inserts the key. The others
wait for its outcome instead of guessing: if it commits, they replay its answer; if it rolls
back (its charge failed), the key is free again and the next copy claims it. The charge and the
stored answer commit together, so an answer is never replayed for a charge that did not happen.
(Outside one database, e.g. a card network called between claim and answer, the key would also
need an "in progress" state and a recovery for a crash mid-call: Stripe's design.)

**Anomalies:** none: one charge per key, and every copy is told the same payment id.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.payment.operations import KeyInUse, required_key
from racelab.scenarios.payment.stores import PostgresPayments, replay


class KeyUnique(PostgresPayments):
    native = True

    def charge(self, ctx: Ctx, amount: int, idempotency_key: str | None) -> Outcome:
        key = required_key(idempotency_key)
        with ctx.resources.db().connection() as conn, conn.transaction():
            claimed = conn.execute(
                "INSERT INTO payment_keys (strategy, idempotency_key, amount) VALUES (%s, %s, %s)"
                " ON CONFLICT (strategy, idempotency_key) DO NOTHING RETURNING amount",
                (self.name, key, amount),
            ).fetchone()
            if claimed is None:
                stored = conn.execute(
                    "SELECT payment_id, amount FROM payment_keys WHERE strategy = %s AND idempotency_key = %s",
                    (self.name, key),
                ).fetchone()
            else:
                ctx.pause()
                payment = self.insert(conn, key, amount)
                conn.execute(
                    "UPDATE payment_keys SET payment_id = %s WHERE strategy = %s AND idempotency_key = %s",
                    (payment, self.name, key),
                )
        if claimed is not None:
            return Outcome(payment)  # only once the charge and its answer have committed
        if stored is None or stored[0] is None:
            raise KeyInUse(key)
        return replay(key, amount, int(stored[0]), int(stored[1]))


STRATEGY = KeyUnique("key-unique", "claim the key: INSERT ... ON CONFLICT DO NOTHING, charge, store the answer")
