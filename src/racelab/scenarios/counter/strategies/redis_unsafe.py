"""Redis ``GET``, add one in Python, then ``SET``.

**Mechanism.** Redis executes each command atomically, one at a time, but two commands from one
client are not a transaction. Between this request's ``GET`` and ``SET`` any other client's
``GET`` sees the same value.

**Why it fails.** Same shape as ``db-unsafe``: the store is shared and single-threaded, the
arithmetic happens in the application, and two requests both write 42.

**Anomalies:** duplicate values and lost updates under any concurrency.
"""

from racelab.scenarios.counter.stores import RedisCounter

STRATEGY = RedisCounter("redis-unsafe", "GET, then SET value + 1")
