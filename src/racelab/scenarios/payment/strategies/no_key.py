"""Ignore the ``Idempotency-Key``: every request charges the card.

**Mechanism.** The handler inserts a charge for each request it receives and returns its id.
The key, if one was sent, is only recorded on the charge (so the checker can tell which charges
belong to one logical payment); nothing ever looks it up.

**Why it fails, even one request at a time.** A client whose request timed out cannot know
whether the charge happened, so it retries, and every retry is a new charge: the customer pays
three times for one order, and three callers are told three different payment ids for it. No
race is needed: this is not a concurrency bug but a missing feature, and it fails on a
single-threaded server too, which is why it is expected to fail under every topology, ``single``
included (``unsafe_alone``). No lock fixes it; remembering the key's first answer does.

**Anomalies:** a duplicate charge for every retry, and conflicting answers for every payment
retried.
"""

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.payment.operations import optional_key
from racelab.scenarios.payment.stores import PostgresPayments


class NoKey(PostgresPayments):
    unsafe_alone = True  # a serial retry is charged again: wrong without any concurrency

    def charge(self, ctx: Ctx, amount: int, idempotency_key: str | None) -> Outcome:
        key = optional_key(idempotency_key)  # not used, but a malformed one is still refused
        with ctx.resources.db().connection() as conn:
            payment = self.insert(conn, key, amount)
        return Outcome(payment)


STRATEGY = NoKey("no-key", "ignore the key: INSERT a charge for every request")
