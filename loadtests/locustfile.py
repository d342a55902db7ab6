"""The lab's Locust entry point: every scenario, live race verdicts, synchronised bursts.

Start form ("Custom parameters") or command line: ``--strategy`` (``<scenario>/<strategy>``,
``<scenario>/all`` or ``all``), ``--race-window-ms`` and ``--burst-size``. Each scenario has a
"Race verdicts: <scenario>" tab showing, per strategy, what was attempted and acknowledged, the
scenario's own anomalies as the engine's judge found them, an example of what went wrong and who
served it, and how tightly each burst fired. Works the same with ``--processes N`` or
``--master`` / ``--worker``: the master aggregates the workers' records.

The pieces live in :mod:`racelab.bench`; this file only wires them to Locust.
"""

from locust import events

from racelab.bench import wiring
from racelab.bench.user import LabUser

wiring.attach(events)

__all__ = ["LabUser"]
