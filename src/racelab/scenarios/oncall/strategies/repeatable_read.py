"""The same transaction at ``REPEATABLE READ``: Postgres's snapshot isolation.

**Mechanism.** The whole transaction reads one snapshot, taken at its first statement, and a
write to a row that another transaction changed since then fails with ``could not serialize
access due to concurrent update`` (40001). That prevents lost updates (two writes to one row)
and every read anomaly of a single row or predicate.

**Why it still fails.** Write skew needs neither: each request reads the *other* doctors' rows and
writes its *own*. No two requests write the same row, so no 40001 is raised, and each one's
snapshot truthfully shows the others on call as of its start. Snapshot isolation guarantees every
transaction a consistent view, not that the views stay true by commit time. ``racelab isolation``
shows the same hole in the table: G2-item (write skew) is an anomaly at REPEATABLE READ.

**Anomalies:** uncovered shifts (nobody on call) under any concurrency, exactly as Read Committed.
"""

from racelab.scenarios.oncall.stores import PostgresOnCall


class RepeatableRead(PostgresOnCall):
    isolation = "REPEATABLE READ"


STRATEGY = RepeatableRead("repeatable-read", "REPEATABLE READ (snapshot isolation): the same check-then-act")
