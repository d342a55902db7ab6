"""``pg_advisory_xact_lock(key)`` around the plain read-modify-write.

**Mechanism.** An advisory lock is a lock on an application-chosen number, kept by Postgres and
therefore shared by every process and replica. The guard takes it in a transaction of its own and
holds it while the plain ``SELECT``-then-``UPDATE`` runs; the commit releases it. The
transaction-level variant is what makes it safe with pooled connections (a session-level lock
would leak into the next request that reuses the connection, and re-enter for free).

**Why it holds.** Every request for this counter takes the same key, so only one at a time runs
the read-modify-write. Advisory means the database does not enforce it: code that skips the
lock is not protected.

**Anomalies:** none. Contention appears as lock waits.
"""

from racelab.core.guards import AdvisoryLockGuard
from racelab.scenarios.counter.stores import PostgresCounter

STRATEGY = PostgresCounter("db-advisory", "pg_advisory_xact_lock around read-modify-write", guard=AdvisoryLockGuard())
