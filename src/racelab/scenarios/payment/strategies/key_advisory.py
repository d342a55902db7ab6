"""``pg_advisory_xact_lock`` on the ``Idempotency-Key`` around the plain lookup-then-charge.

**Mechanism.** The guard opens a transaction on a connection of its own and takes an advisory
lock on a 64-bit number derived from the strategy and the key; ``key-check-then-insert``'s
unchanged transaction runs on another connection while it is held and commits, and only then
does the guard's commit release the lock. Advisory locks live in Postgres, so every process of
every replica asks the same lock table.

**Why it holds.** The copies of one payment need the same lock, so they take turns: the first
charges and commits, the next one's lookup finds that charge and replays it. Different keys
never wait for each other. The price: every copy holds a pooled connection while it waits, and
the rule lives only in code that remembers to take the lock (the table would accept a second
charge for the key from anything else).

**Anomalies:** none. Waiting copies show as lock waits (``X-Racelab-Wait-Ms``).
"""

from racelab.core.guards import AdvisoryLockGuard
from racelab.scenarios.payment.stores import PostgresPayments

STRATEGY = PostgresPayments(
    "key-advisory", "pg_advisory_xact_lock on the key around SELECT then INSERT", guard=AdvisoryLockGuard()
)
