"""A counter in a ``multiprocessing.Manager``: read the proxied value, pause, write it back.

**Mechanism.** One manager process per replica owns a dict (:mod:`racelab.manager`); every
gunicorn worker of the replica holds a proxy to it, and each proxy call (``get``, ``d[k] = v``)
is a round trip over a Unix socket to that process, which runs it on the real dict. Each call is
atomic; the read-add-write made of two calls is not.

**Threads and processes.** Fails. Two requests (threads of one worker, or two workers) both read
the same value before either writes it back; the manager applies both writes, the second
overwriting the first. The manager shares the *data* between processes, not a critical section.

**Replicas.** Fails: each replica has its own manager, so each counts 1, 2, 3... on its own.

**Cost.** Two socket round trips to another process per increment (plus a connection per new
thread). If the manager process dies, its values go with it; every call then answers
``503 manager_unavailable`` (quickly: a refused connection, never a hang), and it comes back only
when the replica restarts, from zero.

**Anomalies:** duplicate values and lost updates.
"""

from racelab.scenarios.counter.managed import ManagerCounter

STRATEGY = ManagerCounter("manager-unsafe", "multiprocessing.Manager dict: proxied read, then write")
