"""**G1a, aborted read**: a transaction reads a value written by a transaction that then rolls back.

T1 sets row 1 to 101; T2 reads every row; T1 rolls back; T2 reads again and commits. If T2 ever
saw ``1 => 101`` it acted on a value that never existed for anyone (a *dirty read*). The check: no
committed transaction read a value that only a rolled-back transaction wrote.

PostgreSQL documents that even Read Committed "never sees uncommitted data": T2 reads ``1 => 10``
both times, without waiting (a consistent read of committed data).
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import read_of_aborted
from racelab.isolation.model import Anomaly, commit, read_all, rollback, update

ANOMALY = Anomaly(
    name="G1a",
    title="aborted read",
    rows=INITIAL,
    steps=(
        update("T1", 1, 101),
        read_all("T2"),
        rollback("T1"),
        read_all("T2"),
        commit("T2"),
    ),
    check=read_of_aborted,
    prevented_from="read committed",
    rank=10,
)
