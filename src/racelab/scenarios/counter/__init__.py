"""**If 100 clients call my endpoint at once, does each get a unique number?**

The simplest race there is: a read-modify-write of one integer (``value += 1``). Each call
asks for the next number; the app reads the current value, adds one and writes it back. When two
calls read the same value before either writes, both hand out the same number (a *duplicate*)
and one increment vanishes (a *lost update*). The counter shows where the shared state lives
(a process's memory, a replica's file, Postgres, Redis) and how far each kind of lock reaches.
"""

from racelab.core.scenario import Operation, Scenario
from racelab.scenarios.counter.checker import ANOMALIES, check
from racelab.scenarios.counter.workload import CounterWorkload

SCENARIO = Scenario(
    name="counter",
    title="a counter: does each caller get a unique number?",
    question="If 100 clients call my endpoint at once, does each get a unique number?",
    operations={"next": Operation("next", "hand out the next number (value += 1) and return it")},
    anomalies=ANOMALIES,
    check=check,
    workload=CounterWorkload(),
    lock_keys=lambda op, args: ["value"],
    rank=0,
)
