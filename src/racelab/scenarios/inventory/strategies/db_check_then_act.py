"""In one transaction: read the stock, refuse if none is left, then ``UPDATE ... SET stock =
stock - 1`` and insert the order.

**Mechanism.** The plain check-then-act. The transaction makes the writes all-or-nothing (an
order never lands without its decrement) and the relative decrement never loses a sale, which is
why code like this passes review. But under Read Committed the ``SELECT`` sees only what was
committed when it ran: it takes no lock, and nothing ties the check to the later write.

**Why it fails (threads, processes, replicas alike).** Fifty buyers read "20 left" (or "1 left")
before the first of them commits. The ``UPDATE`` makes them queue on the row lock, and each in
turn re-reads the row and takes one more off it, checking nothing: the stock ends at -30 and
fifty orders are acknowledged for twenty items. The database serialised the *writes*; the
*decision* was taken on a stale read.

**Anomalies:** oversold (orders beyond the stock, stock below zero) under any concurrency.
"""

from racelab.scenarios.inventory.stores import PostgresInventory

STRATEGY = PostgresInventory("db-check-then-act", "read stock, check, then stock = stock - 1 and insert the order")
