"""In one ``READ COMMITTED`` transaction: count the other doctors on call, refuse if none, then
take this doctor off call and record the change.

**Mechanism.** Postgres's default level. Each statement sees what was committed when it began;
the check's ``SELECT`` takes no lock, and the ``UPDATE`` writes only this doctor's row.

**Why it fails (threads, processes, replicas alike).** The last doctors of a shift go off call at
the same instant: each one's check counts the others still on call, because none of them has
committed yet, and each writes a different row, so nothing makes any of them wait or look again.
All commit, and the shift is left with nobody on call. The writes were never in conflict; the
*decisions* were taken on a state each of the others was about to change. That is write skew,
which row locks on the written rows cannot see.

**Anomalies:** uncovered shifts (nobody on call) under any concurrency.
"""

from racelab.scenarios.oncall.stores import PostgresOnCall

STRATEGY = PostgresOnCall("read-committed", "READ COMMITTED: count the others on call, then update own row")
