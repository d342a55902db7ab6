"""**Which isolation level prevents which anomaly?** The classic anomaly tests, live, against the
lab's own Postgres.

Each anomaly (:mod:`racelab.isolation.anomalies`, one module each) is a fixed interleaving of two
or three transactions, after Martin Kleppmann's Hermitage: session T1 runs a statement, then T2,
then T1 again... Each runs at READ COMMITTED, REPEATABLE READ and SERIALIZABLE on real
connections (:mod:`~racelab.isolation.sessions`), and the verdict is computed from what the
sessions observed (:mod:`~racelab.isolation.judge`): the values each read returned, the rows each
write changed, which statements waited for a lock and which failed. A cell says *anomaly* when the
anomaly's check recognises it in those observations; otherwise *prevented*, and how: a statement
was *blocked* by another session's lock, a transaction was *aborted* with a serialization failure,
or every read was simply a *consistent read* of committed data. PostgreSQL's documented claims
are kept apart (``Anomaly.prevented_from``) and only compared with, never used for, the verdicts.

``racelab isolation`` prints the matrix (``--json`` for the data), and ``make report`` includes it.
"""
