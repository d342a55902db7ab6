"""memcached ``get``, add one in Python, ``set``: the read-modify-write, in a cache every replica shares.

**Mechanism.** The value lives in memcached, so every thread, process and replica sees the same
number. Each request ``get``s it, adds one and ``set``s it back: two round trips with nothing
between them that another request must respect.

**Why it fails.** Sharing the data is not protecting it. Two requests that ``get`` the same value
both ``set`` value + 1: a duplicate handed out and an increment lost, at any concurrency, across
threads as across replicas. A cache's ``set`` overwrites; it never checks what was there.

**Anomalies:** duplicate values and lost updates.
"""

from racelab.scenarios.counter.stores import MemcachedCounter

STRATEGY = MemcachedCounter("memcached-unsafe", "memcached get, then set value + 1")
