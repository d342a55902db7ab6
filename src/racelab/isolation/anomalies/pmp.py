"""**PMP, predicate many preceders**: a transaction's two reads by a condition see different sets
of rows, because a transaction that inserted a matching row committed in between (a *phantom*).

T1 reads the rows ``WHERE value = 30`` (none); T2 inserts ``3 => 30`` and commits; T1 reads
``WHERE value % 3 = 0`` and commits. If the second read returns row 3, T1's two reads came from
two different states of the table: T2 committed both after and before T1. The check: all of T1's
reads fit one committed state.

PostgreSQL documents phantom reads as possible under Read Committed (each statement takes a new
snapshot), and as not happening under Repeatable Read in PostgreSQL (one snapshot per transaction),
let alone Serializable.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import mixed_snapshot
from racelab.isolation.model import Anomaly, Observation, commit, insert, read_where


def check(obs: Observation) -> str | None:
    return mixed_snapshot(obs, "T1")


ANOMALY = Anomaly(
    name="PMP",
    title="predicate many preceders",
    rows=INITIAL,
    steps=(
        read_where("T1", "value = 30", lambda row, value: value == 30),
        insert("T2", 3, 30),
        commit("T2"),
        read_where("T1", "value % 3 = 0", lambda row, value: value % 3 == 0),
        commit("T1"),
    ),
    check=check,
    prevented_from="repeatable read",
    rank=50,
)
