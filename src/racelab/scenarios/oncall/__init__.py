"""**If every doctor of a shift asks to go off call at once, is anyone left on call?**

A hospital keeps a roster: each shift has several doctors on call, and the rule is that *at least
one doctor stays on call*. A doctor who wants to go off call asks the app, which checks that
another doctor of the shift is still on call, then takes this doctor off call and records the
change (whose id is the answer); the last doctor on call is refused with ``409 last_on_call``.

Two doctors asking at the same instant each see the other still on call, and each changes only
their *own* row. No row is written twice, so no row lock ever makes one of them wait, no update is
lost, and both commit: the shift is left uncovered. This is *write skew* (G2-item in Adya's
terms): two transactions read an overlapping set of rows, each writes a different one based on
what it read, and together they break a rule that each of them checked. It is the anomaly that
snapshot isolation (Postgres's REPEATABLE READ) lets through; ``racelab isolation`` shows the same
cell in its matrix.

The workload sends every doctor of one shift off call in each burst. The strategies are
isolation levels: READ COMMITTED and REPEATABLE READ fail; SERIALIZABLE holds by aborting one of
the conflicting transactions (retried, then refused); ``SELECT ... FOR UPDATE`` on the shift's
doctors holds by making the second request wait and look again. The checker counts shifts left
with nobody on call (*uncovered*), acknowledged requests the final state does not reflect
(*lost*) and changes nobody asked for (*phantom*).
"""

from racelab.core.scenario import Operation, Param, Scenario
from racelab.scenarios.oncall.checker import ANOMALIES, check
from racelab.scenarios.oncall.operations import (
    DEFAULT_DOCTORS,
    DEFAULT_SHIFTS,
    MAX_DOCTORS,
    MAX_SHIFTS,
    lock_keys,
    parse_off_call,
)
from racelab.scenarios.oncall.workload import OnCallWorkload

SCENARIO = Scenario(
    name="oncall",
    title="on-call doctors: can a burst of requests leave a shift uncovered?",
    question="If every doctor of a shift asks to go off call at once, is anyone left on call?",
    operations={
        "off-call": Operation(
            "off-call",
            'go off call: {"shift": id, "doctor": id}; returns the change id '
            "(404 unknown_doctor; 409 last_on_call, not_on_call: nothing written)",
            parse=parse_off_call,
        ),
    },
    anomalies=ANOMALIES,
    check=check,
    workload=OnCallWorkload(),
    lock_keys=lock_keys,
    params={
        "shifts": Param(DEFAULT_SHIFTS, 1, MAX_SHIFTS, "number of shifts, numbered from 0"),
        "doctors": Param(
            DEFAULT_DOCTORS, 2, MAX_DOCTORS, "doctors per shift, numbered from 0, all on call at the start"
        ),
    },
    rank=60,
)
