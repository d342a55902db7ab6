"""**OTV, observed transaction vanishes**: a reader sees a transaction's writes, and a later read
no longer shows them whole (part of a later transaction's writes without the rest).

T1 sets rows 1 and 2 to 11 and 19; T2 wants them as 12 and 18 and waits for T1's row lock; T1
commits; T3 reads; T2 sets row 2 to 18; T3 reads; T2 commits; T3 reads and commits. If T3 ever saw
``1 => 12, 2 => 19`` (T2's first write with T1's second) T1 would have half vanished under its
eyes. The check: every read of T3 is one committed state (before T1, after T1, after T2), and the
states it sees never go back in time.

PostgreSQL prevents it at every level: each statement (Read Committed) or each transaction
(Repeatable Read, Serializable) reads one snapshot. Under Repeatable Read and Serializable T2's
blocked write to the row T1 changed fails with 40001 once T1 commits.
"""

from racelab.isolation.judge import vanishing
from racelab.isolation.model import Anomaly, Observation, commit, read_all, update


def check(obs: Observation) -> str | None:
    return vanishing(obs, "T3")


ANOMALY = Anomaly(
    name="OTV",
    title="observed transaction vanishes",
    rows={1: 10, 2: 20},
    steps=(
        update("T1", 1, 11),
        update("T1", 2, 19),
        update("T2", 1, 12),
        commit("T1"),
        read_all("T3"),
        update("T2", 2, 18),
        read_all("T3"),
        commit("T2"),
        read_all("T3"),
        commit("T3"),
    ),
    check=check,
    prevented_from="read committed",
    rank=40,
)
