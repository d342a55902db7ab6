"""``pg_advisory_xact_lock(key)`` around the plain read-modify-write, inside one transaction.

**Mechanism.** An advisory lock is a lock on an application-chosen number, kept by Postgres and
therefore shared by every process and replica. The transaction-level variant is released
automatically at commit or rollback, which is what makes it safe with pooled connections (a
session-level lock would leak into the next request that reuses the connection).

**Why it holds.** Every request for this counter takes the same key, so only one at a time runs
the read-modify-write. Advisory means the database does not enforce it: code that skips the
lock is not protected.

**Anomalies:** none. Contention appears as lock waits.
"""

import zlib

from racelab.strategies.base import Ctx, Outcome, PostgresStrategy
from racelab.topology import Scope


class DbAdvisory(PostgresStrategy):
    name = "db-advisory"
    safe_up_to = Scope.REPLICAS
    summary = "pg_advisory_xact_lock around read-modify-write"

    # A stable 32-bit key per counter: Python's hash() differs between processes.
    lock_key = zlib.crc32(b"racelab:db-advisory")

    def next(self, ctx: Ctx) -> Outcome:
        return self.locked_read_modify_write(ctx, "SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))


STRATEGY = DbAdvisory()
