"""**P4, lost update**: two transactions read the same row, each writes back a value computed
from what it read, and both commit: the first one's update is gone.

T1 and T2 both read ``1 => 10`` and each sets it to 10 + 1 = 11; T2's write waits for T1's row
lock; T1 commits. Were T2 then to commit too, the row would end at 11 after two increments. The
check: no two committed transactions both read a row and wrote it without either seeing the
other's write.

PostgreSQL documents the Read Committed behaviour that loses it: the waiting ``UPDATE`` proceeds
on the newly committed row once T1 commits, and writes the value T2 computed from its stale read.
Repeatable Read and Serializable refuse it: T2 fails with 40001 (``could not serialize access due
to concurrent update``) and must retry, this time reading 11. The fixes in the lab's scenarios
(``UPDATE ... SET v = v + 1``, ``SELECT ... FOR UPDATE``) work under Read Committed too.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import lost_update
from racelab.isolation.model import Anomaly, commit, read_ids, update

ANOMALY = Anomaly(
    name="P4",
    title="lost update",
    rows=INITIAL,
    steps=(
        read_ids("T1", 1),
        read_ids("T2", 1),
        update("T1", 1, 11),
        update("T2", 1, 11),
        commit("T1"),
        commit("T2"),
    ),
    check=lost_update,
    prevented_from="repeatable read",
    rank=60,
)
