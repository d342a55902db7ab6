"""``db-unsafe``'s read-then-write inside a ``threading.Lock`` per account, both taken in one order.

**Mechanism.** Before reading, the request takes the process-local lock of each of its two
accounts in one fixed order (the guard sorts the keys, so two threads moving money in opposite
directions cannot each hold one lock and wait for the other), runs the plain transaction and
releases them.

**Threads.** Holds: within one worker process, two transfers that share an account take turns,
so the second reads what the first committed.

**Processes and replicas.** Fails. gunicorn runs several worker processes and nginx spreads the
requests over several replicas; each process has its own locks, so two transfers on account 3
served by two processes hold two different locks at once, read the same balance and overwrite
each other in Postgres, which every process shares. The lock lives where the data does not.

**Anomalies:** imbalance and mismatched accounts (lost updates) as soon as a second process serves
transfers.
"""

from racelab.core.guards import ThreadLockGuard
from racelab.scenarios.transfer.stores import PostgresTransfer

STRATEGY = PostgresTransfer(
    "db-thread-lock", "read-then-write inside a threading.Lock per account", guard=ThreadLockGuard()
)
