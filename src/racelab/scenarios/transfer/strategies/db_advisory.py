"""``pg_advisory_xact_lock`` on both accounts around the plain read-then-write.

**Mechanism.** The guard opens a transaction on a connection of its own and takes one advisory
lock per account, on numbers derived from the strategy and the account id, in sorted order; the
plain transfer runs on another connection while they are held, and the guard's commit releases
them. Advisory locks live in Postgres, so every process of every replica asks the same lock
table.

**Why it holds.** Any two transfers that share an account need the same lock, so they take turns
and the second reads what the first committed. Sorting the keys means two transfers in opposite
directions ask for the same account first: one waits, neither deadlocks. Transfers on
disjoint accounts still run in parallel. Advisory means unenforced: code that writes balances
without taking the locks is not protected.

**Anomalies:** none. Contention shows as lock waits (``X-Racelab-Wait-Ms``).
"""

from racelab.core.guards import AdvisoryLockGuard
from racelab.scenarios.transfer.stores import PostgresTransfer

STRATEGY = PostgresTransfer(
    "db-advisory", "pg_advisory_xact_lock on both accounts around read-then-write", guard=AdvisoryLockGuard()
)
