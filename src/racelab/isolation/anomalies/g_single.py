"""**G-single, read skew**: a transaction reads one row before another transaction's commit and a
related row after it, and sees a state that never existed.

The two rows hold 10 and 20, and every transaction keeps their sum at 30. T1 reads row 1 (10); T2
moves 2 from row 2 to row 1 (``1 => 12, 2 => 18``) and commits; T1 reads row 2 and commits. If T1
sees 18 it believes the sum is 28: half of T2 is visible to it, half is not (one anti-dependency in
a cycle of dependencies, hence *single*). The check: all of T1's reads fit one committed state.

PostgreSQL documents non-repeatable reads as possible under Read Committed, where each statement
takes a new snapshot, and not under Repeatable Read or Serializable, where T1 reads ``2 => 20``
from the snapshot of its first read.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import mixed_snapshot
from racelab.isolation.model import Anomaly, Observation, commit, read_ids, update


def check(obs: Observation) -> str | None:
    return mixed_snapshot(obs, "T1")


ANOMALY = Anomaly(
    name="G-single",
    title="read skew",
    rows=INITIAL,
    steps=(
        read_ids("T1", 1),
        read_ids("T2", 1, 2),
        update("T2", 1, 12),
        update("T2", 2, 18),
        commit("T2"),
        read_ids("T1", 2),
        commit("T1"),
    ),
    check=check,
    prevented_from="repeatable read",
    rank=70,
)
