"""The module-level counter guarded by a ``threading.Lock``.

**Mechanism.** The read-add-write runs while holding a lock, so only one thread of the process
can be inside it at a time.

**Threads.** Holds: the lock serialises every thread of the process.

**Processes and replicas.** Fails. The lock and the counter both live in the process's memory;
gunicorn forks several workers, and each gets its own lock guarding its own counter. The lock
is real, but it protects a copy: every process still hands out 1, 2, 3...

**Anomalies:** duplicate values and lost updates as soon as a second process serves requests.
"""

from racelab.core.guards import ThreadLockGuard
from racelab.scenarios.counter.stores import MemoryCounter

STRATEGY = MemoryCounter("global-thread-lock", "module-level counter under threading.Lock", guard=ThreadLockGuard())
