"""**G1c, circular information flow**: two transactions each read what the other wrote, so each
depends on the other and neither can come first.

T1 sets row 1 to 11; T2 sets row 2 to 22; T1 reads row 2; T2 reads row 1; both commit. Had T1 seen
``2 => 22`` and T2 ``1 => 11`` (each other's uncommitted writes), information would have flowed
both ways. The check: no two committed transactions read from each other.

PostgreSQL prevents it at every level by showing only committed data: each reads the other's row
as it was (``2 => 20``, ``1 => 10``). Those reads make the two transactions a *write skew* (each
read a row the other then changed): Read Committed and Repeatable Read commit both; Serializable
sees the cycle of read-write dependencies and aborts T2 at commit (40001). That skew is G2-item's
test; here only the information flow is judged.
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import circular_flow
from racelab.isolation.model import Anomaly, commit, read_ids, update

ANOMALY = Anomaly(
    name="G1c",
    title="circular information flow",
    rows=INITIAL,
    steps=(
        update("T1", 1, 11),
        update("T2", 2, 22),
        read_ids("T1", 2),
        read_ids("T2", 1),
        commit("T1"),
        commit("T2"),
    ),
    check=circular_flow,
    prevented_from="read committed",
    rank=30,
)
