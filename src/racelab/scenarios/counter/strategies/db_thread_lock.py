"""``db-unsafe``'s SELECT-then-UPDATE wrapped in a ``threading.Lock``: the lab's key demonstration.

**Mechanism.** The lock makes the threads of one worker process take turns at the
read-modify-write. It is the fix people reach for first, and in a single-process dev server
(``flask run``) it even looks like it works.

**Why it fails in production.** gunicorn runs several worker processes, and several replicas run
behind nginx. Each process has its own lock. Two requests in different processes hold two
different locks at the same moment, both read 41 from Postgres and both write 42. The shared
state is in the database; the lock is not.

**Anomalies:** duplicate values and lost updates once more than one process serves requests.
Holds under one process with many threads.
"""

from racelab.core.guards import ThreadLockGuard
from racelab.scenarios.counter.stores import PostgresCounter

STRATEGY = PostgresCounter("db-thread-lock", "SELECT then UPDATE inside a threading.Lock", guard=ThreadLockGuard())
