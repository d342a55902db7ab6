"""Flask-Caching with ``FileSystemCache``: ``cache.get``, add one, ``cache.set``.

**Mechanism.** The answer people are often given for "how do I share a variable between
gunicorn workers": ``Cache(app, config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": ...})``,
then ``cache.get("counter")`` and ``cache.set("counter", value + 1)``. The cache folder here is
inside the replica's own directory, as a container's filesystem would be. Each ``set`` writes a
temporary file and renames it over the old one, so a reader never sees half a value.

**Threads and processes.** Fails. Whole-file writes make each ``get`` and each ``set`` atomic,
not the pair: two requests that read the same value both write value + 1. A cache is a place to
put data, not a lock; Flask-Caching offers no compare-and-set for this backend.

**Replicas.** Fails even more: a folder inside the replica is a per-replica store. Each replica
counts 1, 2, 3... in its own files, as the ``file-lock`` counter does, so even a lock around the
``get``/``set`` would not help across replicas.

**Cost.** A file read and a file write (plus a rename) per call: cheap, and wrong.

**Anomalies:** duplicate values and lost updates from two threads on.
"""

from racelab.scenarios.counter.caching import FileCacheCounter

STRATEGY = FileCacheCounter("cache-unsafe", "Flask-Caching FileSystemCache: cache.get, then cache.set value + 1")
