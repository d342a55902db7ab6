"""Redis ``HGET`` the stock, refuse if none is left, then ``INCR`` an order id and
``HINCRBY -1`` + ``RPUSH`` the order.

**Mechanism.** Redis runs each command atomically, one at a time, but a request's commands are
not a transaction. The decrement and the order are written together (``MULTI``/``EXEC``), and
``HINCRBY`` is relative, so no sale is ever lost; the decision to sell, though, is taken in
Python on a value read one or more round trips earlier.

**Why it fails.** Same shape as ``db-check-then-act``: the store is shared and single-threaded,
the check happens in the application, and every buyer who read "1 left" before the last item was
taken goes ahead. Threads, processes and replicas alike: the race is between clients of Redis,
whoever they are. The stock goes negative and more orders are recorded than there were items.

**Anomalies:** oversold (orders beyond the stock, stock below zero) under any concurrency.
"""

from racelab.scenarios.inventory.stores import RedisInventory

STRATEGY = RedisInventory("redis-check-then-act", "HGET stock, check, then INCR an id, HINCRBY -1 and RPUSH the order")
