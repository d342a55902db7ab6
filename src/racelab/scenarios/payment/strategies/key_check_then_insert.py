"""Look the ``Idempotency-Key`` up, replay the charge found, otherwise charge and record the key.

**Mechanism.** One Read Committed transaction: ``SELECT`` the first charge recorded with this
key; if there is one, answer its payment id again (with ``Idempotent-Replayed: true``; a 422 if
the amount differs); otherwise pause and insert the charge with its key. This is what most
hand-written idempotency handling looks like, and retries that arrive after the original has
finished are indeed answered without a second charge.

**Why it fails.** The idempotency handling is itself a check-then-insert. A client that retries
while the original request is still in flight (a timeout shorter than the server's work, a
double-click, a load balancer's or a queue's redelivery) sends copies that all run their lookup
before any of them has committed its charge: all miss, all charge. Threads, processes or
replicas alike: the transaction does not make the lookup see what concurrent transactions have
not yet committed. Keys only help if claiming one is race-free.

**Anomalies:** duplicate charges and conflicting answers for the copies that overlap, under any
concurrency. Holds one request at a time.
"""

from racelab.scenarios.payment.stores import PostgresPayments

STRATEGY = PostgresPayments("key-check-then-insert", "SELECT the key, then INSERT the charge with it (no unique key)")
