"""The counter kept by the replica's ``multiprocessing.Manager`` (:mod:`racelab.manager`).

Kept apart from :mod:`racelab.scenarios.counter.stores`, which holds the stores every
deployment has: this one exists only because :mod:`racelab.serve` starts a manager per replica.
"""

from __future__ import annotations

from typing import Any

from racelab.core.strategy import Ctx, Store
from racelab.scenarios.counter.stores import EpochStampedCounter
from racelab.topology import Scope

MANAGER = Store(
    "manager",
    Scope.PROCESSES,
    3,
    "a dict in the replica's multiprocessing.Manager process, reached through proxies: each replica has its own",
)


class ManagerCounter(EpochStampedCounter):
    """A value in the manager's shared dict: read it through the proxy, pause, write it back.

    Stored as ``(epoch, value)``: a reset reaches one replica's manager at most, so every
    manager's value counts as zero once the lab's epoch has moved on (as the file counter does).
    """

    store = MANAGER

    def get_stamped(self, ctx: Ctx) -> Any:
        return ctx.resources.manager().get(self.name, None)

    def put_stamped(self, ctx: Ctx, stamped: tuple[int, int]) -> None:
        ctx.resources.manager().set(self.name, stamped)
