"""**G0, dirty write**: a transaction overwrites a row another transaction wrote and has not
committed yet.

T1 sets row 1 to 11; T2 sets row 1 to 12; T1 sets row 2 to 21 and commits; T2 sets row 2 to 22
and commits. Were the second write allowed before the first transaction ended, the rows could end
up as ``1 => 12, 2 => 21``: half of each transaction, a state no serial order produces (and a
rollback of T1 would have nothing sound to restore). The check: the final state must be what the
committed transactions' writes give in some serial order.

PostgreSQL documents that an ``UPDATE`` of a row another transaction has updated *waits* for that
transaction to commit or roll back, at every level: T2 is observed blocked. Under Read Committed it
then updates the newly committed row; under Repeatable Read and Serializable it fails with
``could not serialize access due to concurrent update`` (40001).
"""

from racelab.isolation.anomalies import INITIAL
from racelab.isolation.judge import final_mixes_writes
from racelab.isolation.model import Anomaly, commit, update

ANOMALY = Anomaly(
    name="G0",
    title="dirty write",
    rows=INITIAL,
    steps=(
        update("T1", 1, 11),
        update("T2", 1, 12),
        update("T1", 2, 21),
        commit("T1"),
        update("T2", 2, 22),
        commit("T2"),
    ),
    check=final_mixes_writes,
    prevented_from="read committed",
    rank=0,
)
