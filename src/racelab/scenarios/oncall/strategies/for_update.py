"""``SELECT ... FOR UPDATE`` on the shift's doctors, in doctor order, then the check and the write,
at Read Committed.

**Mechanism.** The check reads every doctor row of the shift and locks them. A second request for
the same shift asks for the same locks and waits until the first commits; Read Committed then
re-reads the locked rows at their newly committed version, so its count sees the doctor who just
went off call. The locks are taken in doctor order by every request, so two requests never each
hold a row the other waits for: no deadlocks.

**Why it holds.** Write skew needs two decisions taken on the same unlocked rows; locking the rows
the decision *reads* (not only the row it writes) turns the skew into a queue, in the one shared
database: threads, processes and replicas alike. This is the usual fix when the rule's rows exist
to be locked; when they do not (a rule over rows that might be inserted, like "no overlapping
booking"), only Serializable, a lock on a parent row, or a constraint helps.

**Anomalies:** none. Requests for one shift queue (lock waits measured per request).
"""

import time

from racelab.core.strategy import Ctx, Outcome
from racelab.scenarios.oncall.stores import PostgresOnCall


class ForUpdate(PostgresOnCall):
    native = True

    def off_call(self, ctx: Ctx, shift: int, doctor: int) -> Outcome:
        with ctx.resources.db().connection() as conn, conn.transaction():
            started = time.perf_counter()
            on_call = self.on_call(conn, shift, doctor, lock=True)
            waited = (time.perf_counter() - started) * 1000
            change = self.unless_last(ctx, conn, shift, doctor, on_call)
        return Outcome(change, wait_ms=waited)


STRATEGY = ForUpdate("for-update", "SELECT ... FOR UPDATE on the shift's doctors, then check and update")
