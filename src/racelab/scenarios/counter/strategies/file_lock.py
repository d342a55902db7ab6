"""A counter in a file, guarded by an exclusive ``fcntl.flock`` on a lock file next to it.

**Mechanism.** The kernel grants the lock to one open file at a time, whichever process or
thread opened it, so every worker of one replica takes turns at the read-modify-write.

**Processes.** Holds: all workers of a replica share its directory, hence the same lock file and
the same kernel lock.

**Replicas.** Fails. Each replica has its own filesystem (its own container, or its own
directory in the native runtime), so each replica locks and counts its own file and hands out
1, 2, 3... A lock is only as shared as the thing it locks.

**Anomalies:** duplicate values and lost updates as soon as there are two replicas.
"""

from racelab.core.guards import FileLockGuard
from racelab.scenarios.counter.stores import FileCounter

STRATEGY = FileCounter("file-lock", "fcntl lock on a file in the replica's own directory", guard=FileLockGuard())
