"""``pg_advisory_xact_lock`` on the username around the plain check-then-insert.

**Mechanism.** The guard opens a transaction on a connection of its own and takes an advisory
lock on a 64-bit number derived from the strategy and the username; the unchanged
check-then-insert runs on another connection while it is held, its insert commits, and only
then does the guard's commit release the lock. Advisory locks live in Postgres, so every process
of every replica asks the same lock table.

**Why it holds.** Two sign-ups for one name need the same lock, so they take turns: the second
one's ``SELECT`` runs after the first one's ``INSERT`` has committed, finds the row and answers
409. Different names hash to different locks and never wait for each other. Advisory means
unenforced: code that inserts accounts without taking the lock (a batch import, an admin tool)
is not protected, and two names hashing to one number would only wait for each other, never
break. The table still has no unique constraint, so the rule lives only in the code.

**Anomalies:** none. Contention shows as lock waits (``X-Racelab-Wait-Ms``).
"""

from racelab.core.guards import AdvisoryLockGuard
from racelab.scenarios.signup.stores import PostgresSignup

STRATEGY = PostgresSignup(
    "db-advisory", "pg_advisory_xact_lock on the username around SELECT then INSERT", guard=AdvisoryLockGuard()
)
