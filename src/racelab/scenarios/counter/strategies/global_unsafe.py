"""A module-level counter incremented with ``value += 1``: the question's ``SomeObj``.

**Mechanism.** The counter lives in the worker process's memory. Each request reads it, adds one
and writes it back; nothing stops two requests from reading the same value.

**Threads.** Python's GIL makes each bytecode atomic, not the read-add-write sequence: a thread
can be switched out between the read and the write (the race window makes this likely), and two
threads then hand out the same number.

**Processes and replicas.** Every gunicorn worker has its own copy of the module, so each process
counts 1, 2, 3... on its own. Two clients served by different processes get the same numbers, and
the counter any one process reports misses every increment made elsewhere.

**Anomalies:** duplicate values and lost updates.
"""

from racelab.scenarios.counter.stores import MemoryCounter

STRATEGY = MemoryCounter("global-unsafe", "module-level counter, read then += 1")
