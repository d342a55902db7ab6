"""The lab's Locust entry point: the counter scenario, live race verdicts, synchronised bursts.

Start form ("Custom parameters") or command line: ``--scenario``, ``--strategy`` (a name, or
``all``), ``--race-window-ms`` and ``--burst-size``. The "Race verdicts" tab shows, per strategy,
what was attempted and acknowledged, the duplicates and lost updates the checker found, who
served the colliding values, and how tightly each burst fired. Works the same with
``--processes N`` or ``--master`` / ``--worker``: the master aggregates the workers' records.

The pieces live in :mod:`racelab.bench`; this file only wires them to Locust.
"""

from locust import events

from racelab.bench import wiring
from racelab.bench.user import CounterUser

wiring.attach(events)

__all__ = ["CounterUser"]
