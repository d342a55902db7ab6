"""The Manager's counter under the Manager's own ``Lock`` proxy.

**Mechanism.** The read-add-write of ``manager-unsafe`` runs while holding a ``threading.Lock``
that lives in the replica's manager process: ``acquire`` and ``release`` are calls to it, so
every worker of the replica waits on the same lock. (Each worker first takes a lock of its own
per key, so that only one of its threads or greenlets waits at the manager: a greenlet blocked in
a proxy call blocks its whole gevent worker.)

**Threads and processes.** Holds: one lock in one process serialises every worker that connects
to it, which is what a Manager is for.

**Replicas.** Fails. Each replica started its own manager, with its own lock and its own
counter: the lock is real, but it is shared by one replica's processes only. Sharing a manager
between hosts means a network port, an authkey and one process every replica depends on.

**Cost.** Four round trips to the manager per increment (acquire, read, write, release), and
every worker waits in line. If a worker dies holding the lock, nothing releases it: later calls
give up after 10 s with ``409 lock_not_acquired``. If the manager dies, its lock and values go
with it: every call answers ``503 manager_unavailable`` until the replica restarts.

**Anomalies:** duplicate values and lost updates as soon as there are two replicas.
"""

from racelab.core.guards import ManagerLockGuard
from racelab.scenarios.counter.managed import ManagerCounter

STRATEGY = ManagerCounter(
    "manager-lock", "multiprocessing.Manager dict under the Manager's Lock", guard=ManagerLockGuard()
)
