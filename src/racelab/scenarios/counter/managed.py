"""The counter kept by the replica's ``multiprocessing.Manager`` (:mod:`racelab.manager`).

Kept apart from :mod:`racelab.scenarios.counter.stores`, which holds the stores every
deployment has: this one exists only because :mod:`racelab.serve` starts a manager per replica.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racelab.core.strategy import Ctx, Outcome, Store, Strategy
from racelab.topology import Scope

MANAGER = Store(
    "manager",
    Scope.PROCESSES,
    3,
    "a dict in the replica's multiprocessing.Manager process, reached through proxies: each replica has its own",
)


class ManagerCounter(Strategy):
    """A value in the manager's shared dict: read it through the proxy, pause, write it back.

    Stored as ``(epoch, value)``: a reset reaches one replica's manager at most, so every
    manager's value counts as zero once the lab's epoch has moved on (as the file counter does).
    """

    store = MANAGER

    def load(self, ctx: Ctx, epoch: int) -> int:
        stored = ctx.resources.manager().get(self.name, None)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == epoch:
            return int(stored[1])
        return 0  # never written, or written before the last reset

    def next(self, ctx: Ctx) -> Outcome:
        epoch = ctx.epoch()
        current = self.load(ctx, epoch)
        ctx.pause()
        ctx.resources.manager().set(self.name, (epoch, current + 1))
        return Outcome(current + 1)

    def read(self, ctx: Ctx) -> dict[str, Any]:
        return {"value": self.load(ctx, ctx.epoch())}

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Nothing to do here: other replicas' managers are out of reach; the epoch resets them all."""
