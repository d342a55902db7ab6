"""``db-check-then-insert`` inside a ``threading.Lock`` per username.

**Mechanism.** The guard keeps one ``threading.Lock`` per username in the worker process's memory;
the plain check-then-insert runs while it is held, so the threads of one process that sign up the
same name take turns, and the second one finds the first one's committed row.

**Why it fails in production.** The accounts live in Postgres, shared by every process and
replica; the lock lives in one process. gunicorn runs several worker processes, and nginx spreads
a burst over several replicas: each process takes its *own* lock for ``alice``, finds the name
free, and inserts. One account per process instead of one in all: the lock works, it just
protects the wrong thing.

**Anomalies:** duplicate rows and duplicate acknowledgements as soon as two processes serve
requests. Holds under one process with many threads.
"""

from racelab.core.guards import ThreadLockGuard
from racelab.scenarios.signup.stores import PostgresSignup

STRATEGY = PostgresSignup(
    "db-thread-lock", "SELECT then INSERT inside a threading.Lock per username", guard=ThreadLockGuard()
)
