"""**G1b, intermediate read**: a transaction reads a value that its writer later overwrote before
committing.

T1 sets row 1 to 101; T2 reads every row; T1 sets row 1 to 11 and commits; T2 reads again and
commits. ``1 => 101`` was only ever a step inside T1: a reader that saw it saw a state that never
existed once T1 committed. The check: no committed transaction read a value its (committed) writer
did not leave in the end.

PostgreSQL prevents it at every level: reads see committed data only. Under Read Committed T2's
second read sees ``1 => 11`` (T1 has committed by then: a non-repeatable read, but not this
anomaly); under Repeatable Read and Serializable it sees ``1 => 10`` again, from its snapshot.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import read_of_intermediate
from racelab.isolation.model import Anomaly, commit, read_all, update

ANOMALY = Anomaly(
    name="G1b",
    title="intermediate read",
    rows=INITIAL,
    steps=(
        update("T1", 1, 101),
        read_all("T2"),
        update("T1", 1, 11),
        commit("T1"),
        read_all("T2"),
        commit("T2"),
    ),
    check=read_of_intermediate,
    prevented_from="read committed",
    rank=20,
)
