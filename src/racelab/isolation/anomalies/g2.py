"""**G2, anti-dependency cycle (with predicates)**: two transactions each search by a condition,
find nothing, and insert a row the other's search would have found.

T1 and T2 both read the rows ``WHERE value % 3 = 0`` (none); T1 inserts ``3 => 30``, T2 inserts
``4 => 42``; both commit. Each read missed the other's insert, so each must come before the other:
a cycle of anti-dependencies over a *predicate*, which row locks cannot stop (the rows did not
exist to be locked). Think of two bookings of one room, each checking that no booking overlaps.
The check: some serial order of the committed transactions explains every read.

PostgreSQL documents it as possible under Repeatable Read and Read Committed. Serializable records
what each search read (predicate locks, which never block), sees the cycle, and aborts T2 with
40001.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import not_serializable
from racelab.isolation.model import Anomaly, commit, insert, read_where


def multiple_of_three(row: int, value: int) -> bool:
    return value % 3 == 0


ANOMALY = Anomaly(
    name="G2",
    title="anti-dependency cycle",
    rows=INITIAL,
    steps=(
        read_where("T1", "value % 3 = 0", multiple_of_three),
        read_where("T2", "value % 3 = 0", multiple_of_three),
        insert("T1", 3, 30),
        insert("T2", 4, 42),
        commit("T1"),
        commit("T2"),
    ),
    check=not_serializable,
    prevented_from="serializable",
    rank=90,
)
