"""Pure checks over one fault's history: what it cost, and whose fault a loss was.

Everything here takes recorded :class:`~racelab.core.history.Op` values and numbers, and returns
numbers and verdicts: no I/O, unit-tested on hand-written histories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from racelab.core.history import Op
from racelab.core.strategy import Strategy
from racelab.core.verdict import Check

# What each fault destroys, by store name (core/strategy.py Store): a strategy keeping its data
# there may lose acknowledged work, and the loss is the store's, not the strategy's. Redis's
# entries depend on its persistence (see :func:`destroys`); the queue keeps its value in Redis.
DESTROYS: dict[str, frozenset[str]] = {
    "kill-worker": frozenset({"memory"}),
    "kill-replica": frozenset({"memory"}),
    "restart-postgres": frozenset(),
    "restart-redis": frozenset(),
    "crash-redis": frozenset(),
    "pause-lock-holder": frozenset(),
    "delay-postgres": frozenset(),
}
REDIS_BACKED = frozenset({"redis", "queue"})


def destroys(fault: str, appendonly: bool, appendfsync: str, compose: bool = False) -> frozenset[str]:
    """The stores whose data this fault may destroy, given how Redis persists.

    Without an append-only file a Redis restart forgets everything. With one, Redis writes each
    command to the file before it answers, so neither a clean restart nor a kill -9 of Redis
    loses an acknowledged write, whatever ``appendfsync`` says: the fsync policy matters only
    when the machine itself goes down (``everysec``: the last second's writes, still in the
    kernel's cache; ``always``: none). In compose a killed replica's container loses its tmpfs,
    where ``file`` strategies keep theirs.
    """
    lost = set(DESTROYS.get(fault, frozenset()))
    if fault in ("restart-redis", "crash-redis") and not appendonly:
        lost |= REDIS_BACKED
    if fault == "kill-replica" and compose:
        lost.add("file")
    return frozenset(lost)


def expected_under(strategy: Strategy, fault: str) -> str:
    """What the strategy model predicts under the fault, for a strategy that holds without it.

    A lease (a lock with a TTL) paused past its TTL lets a second holder in: it fails unless the
    store checks a fencing token. Every other fault leaves a safe strategy safe.
    """
    guard = strategy.guard
    if fault == "pause-lock-holder" and guard is not None and guard.lease and not getattr(strategy, "fenced", False):
        return "fails"
    return "holds"


@dataclass(frozen=True)
class Outcome:
    """How one strategy came through one fault."""

    verdict: str  # the checker's: holds / fails / unknown
    expected: str  # holds / fails, from expected_under
    store_lost: bool  # the fault destroys what the strategy's store keeps
    lost: int  # acknowledged operations missing from the final state

    @property
    def label(self) -> str:
        if self.verdict == "fails" and self.store_lost:
            return "the store lost data"
        if self.verdict == self.expected:
            return f"{self.verdict} (as expected)"
        return f"{self.verdict} (expected {self.expected})"

    @property
    def ok(self) -> bool:
        """Counts against the exit status only when the strategy, not the store, is to blame."""
        return self.verdict == self.expected or (self.verdict == "fails" and self.store_lost)


def lost_count(check: Check) -> int:
    """Acknowledged operations missing from the final state: every scenario's ``lost`` anomaly
    (the counter's is Jepsen's rule: acknowledged <= final - initial)."""
    return int(check.anomalies.get("lost", 0))


def outcome(strategy: Strategy, fault: str, check: Check, destroyed: frozenset[str]) -> Outcome:
    return Outcome(check.verdict, expected_under(strategy, fault), strategy.store.name in destroyed, lost_count(check))


def counter_bounds(acknowledged: int, indeterminate: int, initial: int, final: int) -> tuple[int, int]:
    """Jepsen's counter rule, ``acknowledged <= final - initial <= acknowledged + indeterminate``:
    (acknowledged increments missing, increments no call could have made)."""
    delta = final - initial
    return max(0, acknowledged - delta), max(0, delta - acknowledged - indeterminate)


def errors_by_status(history: Iterable[Op]) -> dict[str, int]:
    """Every answer that was not a success, by ``"<status> <error code>"`` (or ``no answer``)."""
    found = Counter((op.error or "error") for op in history if op.status != "ok")
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def not_json(errors: Mapping[str, int]) -> int:
    """Answers whose body was not JSON (the client records them as ``<status> not_json``)."""
    return sum(n for error, n in errors.items() if error.endswith(" not_json"))


def longest_wait(history: Iterable[Op], now: float) -> float:
    """The longest any call waited for its answer (a call never answered waited until ``now``)."""
    waits = [(op.answered if op.answered is not None else now) - op.sent for op in history if op.sent is not None]
    return max(waits, default=0.0)


def affected(histories: Mapping[str, list[Op]], fault_start: float, fault_end: float, grace: float = 2.0) -> list[str]:
    """The strategies the fault hurt: a call answered other than with success while it lasted
    (or within ``grace`` seconds after). When none was hurt, all of them."""
    hurt = [
        key
        for key, ops in histories.items()
        if any(op.status != "ok" and fault_start <= (op.answered or 0) <= fault_end + grace for op in ops)
    ]
    return hurt or list(histories)


def replica_of(op: Op) -> str:
    return str((op.served_by or {}).get("replica"))


def worker_of(op: Op) -> str:
    served = op.served_by or {}
    return f"{served.get('replica')}/{served.get('pid')}"


def recovery(
    history: Iterable[Op], fault_start: float, fault_end: float, by: Callable[[Op], str] = replica_of
) -> tuple[float | None, dict[str, float | None]]:
    """From the fault's end to the first success of every replica (``by``: or worker) that served
    before it began, among calls sent after the end (pass the hurt strategies' calls: see
    :func:`affected`).

    Returns the slowest one's time (``None`` while one has not served again) and each one's.
    """
    ops = list(history)
    before = {by(op) for op in ops if op.status == "ok" and (op.answered or 0) < fault_start}
    first: dict[str, float | None] = dict.fromkeys(sorted(before))
    for op in sorted(
        (op for op in ops if op.status == "ok" and op.answered is not None), key=lambda o: o.answered or 0
    ):
        who = by(op)
        if who in first and first[who] is None and (op.sent or 0) >= fault_end:
            first[who] = (op.answered or 0) - fault_end
    times = list(first.values())
    if not times or any(t is None for t in times):
        return None, first
    return max(t for t in times if t is not None), first
