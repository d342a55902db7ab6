"""**G2-item, write skew**: two transactions read the same rows, each changes a *different* one
based on what it read, and both commit; together they break a rule each of them checked.

T1 and T2 both read rows 1 and 2; T1 sets row 1 to 11, T2 sets row 2 to 21; both commit. No row
was written twice, so no lock conflicts and no update is lost, yet in any serial order the second
transaction would have read the first one's write (think of two on-call doctors who each see the
other still on call and both go off call: the lab's ``oncall`` scenario). The check: some serial
order of the committed transactions explains every read.

PostgreSQL documents serialization anomalies as possible under Repeatable Read (snapshot
isolation) and Read Committed. Serializable (Serializable Snapshot Isolation) tracks the
read-write dependencies, finds the cycle, and aborts T2 at commit with 40001.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import not_serializable
from racelab.isolation.model import Anomaly, commit, read_ids, update

ANOMALY = Anomaly(
    name="G2-item",
    title="write skew",
    rows=INITIAL,
    steps=(
        read_ids("T1", 1, 2),
        read_ids("T2", 1, 2),
        update("T1", 1, 11),
        update("T2", 2, 21),
        commit("T1"),
        commit("T2"),
    ),
    check=not_serializable,
    prevented_from="serializable",
    rank=80,
)
