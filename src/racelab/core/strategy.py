"""What every strategy shares: where its data lives, how far its protection reaches, and how one
request reaches it.

A strategy is one module exposing ``STRATEGY``. Its module docstring is the explanation the API,
the Locust UI and the report show, written once next to the code it explains. Its expected
verdict under a topology is derived, never typed: from its *store* (how widely the data itself is
shared) and its *protection*:

- ``none``: the scenario's plain read-then-write: safe only without concurrency (and among
  gevent's greenlets too when nothing between its read and its write yields: ``yields = False``);
- ``guard``: the same code inside a :mod:`~racelab.core.guards` guard: safe as far as both the
  guard and the store reach (a process-wide lock around a database row protects threads only);
- ``native``: a form the store makes atomic itself (one statement, a constraint, a script):
  safe as far as the store is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

# Re-exported: a strategy module needs only this one import for its building blocks.
from racelab.core.context import EPOCH_KEY, Ctx, Outcome, Refused, Resources, RetriesExhausted
from racelab.core.verdict import Verdict
from racelab.topology import Scope

if TYPE_CHECKING:
    from racelab.core.guards import Guard

__all__ = [
    "EPOCH_KEY",
    "FILE",
    "MEMCACHED",
    "MEMORY",
    "POSTGRES",
    "QUEUE",
    "REDIS",
    "Ctx",
    "Outcome",
    "Protection",
    "Refused",
    "Resources",
    "RetriesExhausted",
    "Store",
    "Strategy",
]
Protection = Literal["none", "guard", "native"]


@dataclass(frozen=True)
class Store:
    """Where a strategy keeps its data, and so how far that data is shared."""

    name: str
    scope: Scope  # the widest concurrency that still sees one copy of the data
    rank: int  # display order: in-process first, shared stores after
    description: str


MEMORY = Store("memory", Scope.THREADS, 0, "a variable in the worker process: each process has its own")
POSTGRES = Store("postgres", Scope.REPLICAS, 1, "a Postgres table shared by every replica")
REDIS = Store("redis", Scope.REPLICAS, 2, "a Redis key shared by every replica")
FILE = Store("file", Scope.PROCESSES, 3, "a file in the replica's own folder: each replica has its own")
MEMCACHED = Store("memcached", Scope.REPLICAS, 4, "a memcached key shared by every replica")
QUEUE = Store(
    "queue", Scope.REPLICAS, 5, "a RabbitMQ queue drained by one consumer process, which keeps the value in Redis"
)


class Strategy:
    """One way of performing a scenario's operations.

    Subclasses implement one method per operation of their scenario (``next``, ``buy``...),
    plus :meth:`read` and :meth:`reset`. ``scenario`` and ``explanation`` are filled in by the
    registry from the package and the module docstring. Mind the names the base class uses
    (``key``, ``name``, ``guard``, ``store``...): a subclass attribute of the same name replaces
    them (``key`` is ``<scenario>/<strategy>``, which guards and clients rely on).
    """

    store: ClassVar[Store]
    native: ClassVar[bool] = False  # the store makes the operation atomic by itself
    # Wrong even one call at a time: its harm needs no race (a retried charge charged twice),
    # so no amount of locking makes it safe anywhere.
    unsafe_alone: ClassVar[bool] = False
    # Something between its read and its write gives control away (I/O, a sleep): greenlets,
    # which switch only there, can interleave. False: only a preemptive switch (threads) can.
    yields: ClassVar[bool] = True

    def __init__(self, name: str, summary: str, guard: Guard | None = None, baseline: str | None = None) -> None:
        self.name = name
        self.summary = summary
        self.guard = guard
        self.baseline_name = baseline  # the unprotected strategy it is priced against (derived if None)
        self.scenario = ""
        self.explanation = ""
        self.lock_keys: Callable[[str, Mapping[str, Any]], list[str]] = lambda op, args: ["all"]

    @property
    def key(self) -> str:
        return f"{self.scenario}/{self.name}"

    @property
    def protection(self) -> Protection:
        if self.native:
            return "native"
        return "guard" if self.guard is not None else "none"

    @property
    def safe_up_to(self) -> Scope | None:
        """The widest concurrency it stays correct under, derived from its store and protection
        (``None``: not even without concurrency)."""
        if self.unsafe_alone:
            return None
        if self.protection == "native":
            return self.store.scope
        if self.guard is not None:
            return min(self.guard.scope, self.store.scope)
        return Scope.NONE if self.yields else min(Scope.GREENLETS, self.store.scope)

    @property
    def safe_label(self) -> str:
        return "never" if self.safe_up_to is None else self.safe_up_to.label

    def expected(self, scope: Scope) -> Verdict:
        safe = self.safe_up_to
        return "holds" if safe is not None and safe >= scope else "fails"

    def perform(self, ctx: Ctx, op: str, args: Mapping[str, Any]) -> Outcome:
        """Run one operation, inside the guard when there is one."""
        method: Callable[..., Outcome] = getattr(self, op.replace("-", "_"))
        if self.guard is None:
            return method(ctx, **args)
        keys = [f"{self.key}:{k}" for k in self.lock_keys(op, args)]
        with self.guard.hold(ctx, keys) as held:
            outcome = method(ctx, **args)
        outcome.wait_ms += held.wait_ms
        return outcome

    def read(self, ctx: Ctx) -> dict[str, Any]:
        """The scenario's state as this strategy's store holds it (what the checker compares)."""
        raise NotImplementedError

    def reset(self, ctx: Ctx, params: Mapping[str, Any]) -> None:
        """Back to the scenario's starting state. In-process state resets itself on a new epoch."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        from racelab.topology import TOPOLOGIES

        return {
            "name": self.name,
            "scenario": self.scenario,
            "store": self.store.name,
            "protection": self.protection,
            "guard": self.guard.name if self.guard else None,
            "summary": self.summary,
            "safe_up_to": self.safe_label,
            "explanation": self.explanation,
            "expected": {t.name: self.expected(t.scope) for t in TOPOLOGIES.values()},
        }
