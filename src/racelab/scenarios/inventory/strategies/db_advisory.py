"""``pg_advisory_xact_lock(product)`` around ``db-check-then-act``'s transaction.

**Mechanism.** An advisory lock is a lock on an application-chosen number, kept by Postgres and
therefore shared by every process and replica. The guard takes the product's key in a transaction
of its own connection and holds it until the purchase (on another connection) has committed; the
guard's commit releases it. Buyers of other products take other keys and never wait.

**Why it holds.** Only one buyer of a product at a time reads its stock, and it has committed its
decrement before the next one reads: every check sees the truth. Advisory means the database does
not enforce it: code that buys without taking the lock (a batch job, an admin tool) is not
protected, unlike ``db-conditional`` or ``db-check-constraint`` whose protection lives in the data.

**Anomalies:** none. Contention appears as lock waits; each purchase costs two connections.
"""

from racelab.core.guards import AdvisoryLockGuard
from racelab.scenarios.inventory.stores import PostgresInventory

STRATEGY = PostgresInventory(
    "db-advisory", "pg_advisory_xact_lock per product around the check-then-act", guard=AdvisoryLockGuard()
)
