"""Redis ``EXISTS`` on the name's key, then ``INCR`` an id, ``SET`` the name and ``HSET`` the account.

**Mechanism.** The same check-then-insert in Redis: the name is taken when its key
``name:<username>`` exists; otherwise the handler pauses, draws the next account id from a
counter, points the name's key at it and stores the account in a hash (id -> username).

**Why it fails.** Redis runs each command atomically, one at a time, but a sequence of commands
from one client is not a transaction. Between this request's ``EXISTS`` and its ``SET``, every
other request for the same name also finds the key missing; each draws its own id, each
overwrites the name's key, and each adds its account to the hash. Same shape as
``db-check-then-insert``, on a store that is single-threaded and still races.

**Anomalies:** duplicate accounts and duplicate acknowledgements under any concurrency.
"""

from racelab.scenarios.signup.stores import RedisSignup

STRATEGY = RedisSignup("redis-check-then-set", "EXISTS the name's key, then INCR an id, SET the name, HSET the account")
