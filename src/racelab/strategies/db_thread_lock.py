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

import threading

from racelab.strategies.base import Ctx, Outcome, PostgresStrategy
from racelab.topology import Scope


class DbThreadLock(PostgresStrategy):
    name = "db-thread-lock"
    safe_up_to = Scope.THREADS
    summary = "SELECT then UPDATE inside a threading.Lock"

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def next(self, ctx: Ctx) -> Outcome:
        pool = ctx.resources.db()
        with self.lock, pool.connection() as conn:
            return Outcome(self.select_then_update(conn, ctx))


STRATEGY = DbThreadLock()
