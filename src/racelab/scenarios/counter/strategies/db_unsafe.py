"""``SELECT`` the value, then ``UPDATE`` it to value + 1, as two separate statements.

**Mechanism.** The counter lives in Postgres, shared by every process and replica, but the
application does the arithmetic. Under Read Committed each statement sees its own snapshot, and
nothing links the read to the later write.

**Why it fails.** Two requests (threads, processes or replicas alike) both read 41 before either
writes; both write 42 and both hand out 42. A shared database does not make a read-modify-write
in the application atomic.

**Anomalies:** duplicate values and lost updates under any concurrency.
"""

from racelab.scenarios.counter.stores import PostgresCounter

STRATEGY = PostgresCounter("db-unsafe", "SELECT, then UPDATE to value + 1")
