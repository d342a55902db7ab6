"""``db-check-then-act``'s transaction wrapped in a ``threading.Lock`` per product.

**Mechanism.** The lock makes the threads of one worker process take turns at the whole purchase:
read the stock, check it, decrement it, record the order and commit, before the next thread of
that process may read. In a single-process dev server (``flask run --with-threads``) it sells
exactly the stock and looks fixed.

**Why it fails in production.** gunicorn runs several worker processes, and several replicas run
behind nginx: each process has its own lock. Each process lets one buyer at a time through, so at
any moment up to one buyer per process (six on the default lab) has read the stock and not yet
committed. When the stock runs low they all read "2 left" and all sell: an oversell of up to one
item per process at the end of every burst, exactly where the stock matters. The stock is in the
database; the lock is not.

**Anomalies:** oversold once more than one process serves requests. Holds under one process with
many threads.
"""

from racelab.core.guards import ThreadLockGuard
from racelab.scenarios.inventory.stores import PostgresInventory

STRATEGY = PostgresInventory(
    "db-thread-lock", "check-then-act transaction inside a threading.Lock per product", guard=ThreadLockGuard()
)
