"""The classic anomalies, one module each (found here, like the scenarios' strategies).

Each module defines ``ANOMALY``: the schedule, the check that recognises the anomaly in what the
sessions observed, and PostgreSQL's documented claim about the weakest level that prevents it. Its
docstring is the explanation ``racelab isolation`` and the report show. The schedules are
Martin Kleppmann's Hermitage tests (github.com/ept/hermitage), on a table that starts as
``1 => 10, 2 => 20``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from functools import cache

from racelab.isolation.model import Anomaly

INITIAL = {1: 10, 2: 20}


@cache
def anomalies() -> list[Anomaly]:
    found: list[Anomaly] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        anomaly = getattr(module, "ANOMALY", None)
        if isinstance(anomaly, Anomaly):
            found.append(dataclasses.replace(anomaly, explanation=inspect.getdoc(module) or ""))
    return sorted(found, key=lambda a: a.rank)


def anomaly(name: str) -> Anomaly:
    for found in anomalies():
        if found.name.lower() == name.lower():
            return found
    raise KeyError(f"unknown anomaly {name!r}; valid: {', '.join(a.name for a in anomalies())}")
