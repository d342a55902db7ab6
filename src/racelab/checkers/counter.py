"""The counter checker: did every caller get a unique number, and did every increment count?

The history is what clients saw: each operation is acknowledged (200 with a value), failed
(definitely not applied, e.g. a 409 after exhausted retries) or indeterminate (a timeout or a
5xx: it may or may not have been applied). Following Jepsen's counter checker, a correct counter
satisfies ``acknowledged <= final - initial <= acknowledged + indeterminate``, and no value is
handed out twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "fail", "info"]
Verdict = Literal["holds", "fails", "unknown"]


@dataclass(frozen=True)
class Op:
    """One client call. ``value`` and ``served_by`` are set when it was acknowledged."""

    status: Status
    value: int | None = None
    served_by: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class CounterResult:
    verdict: Verdict
    reason: str
    attempted: int
    acknowledged: int
    failed: int
    indeterminate: int
    initial: int | None
    final: int | None
    duplicates: int  # acknowledged values beyond the first holder of each value
    lost: int  # acknowledged increments missing from the final value
    excess: int  # increments in the final value that no call could have made
    collisions: list[dict[str, Any]] = field(default_factory=list)  # evidence: who got the same value

    @property
    def anomalies(self) -> int:
        return self.duplicates + self.lost + self.excess

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "anomalies": self.anomalies}


def check_counter(
    history: list[Op], initial: int | None, final: int | None, max_examples: int = 5
) -> CounterResult:
    acked = [op for op in history if op.status == "ok"]
    failed = sum(op.status == "fail" for op in history)
    indeterminate = sum(op.status == "info" for op in history)

    holders: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for op in acked:
        assert op.value is not None, "an acknowledged op carries its value"
        holders[op.value].append(op.served_by or {})
    counts = Counter(op.value for op in acked)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    collisions = [
        {"value": value, "served_by": holders[value]}
        for value in sorted(v for v, n in counts.items() if n > 1)[:max_examples]
    ]

    lost = excess = 0
    if initial is not None and final is not None:
        delta = final - initial
        lost = max(0, len(acked) - delta)
        excess = max(0, delta - (len(acked) + indeterminate))

    def result(verdict: Verdict, reason: str) -> CounterResult:
        return CounterResult(
            verdict, reason, len(history), len(acked), failed, indeterminate, initial, final,
            duplicates, lost, excess, collisions,
        )

    problems = []
    if duplicates:
        problems.append(f"{duplicates} duplicate value(s) handed out")
    if lost:
        problems.append(f"{lost} acknowledged increment(s) missing from the final value")
    if excess:
        problems.append(f"final value exceeds what {len(acked) + indeterminate} possible increments could make")
    if problems:
        return result("fails", "; ".join(problems))
    if initial is None or final is None:
        return result("unknown", "the counter's initial or final value could not be read")
    if not acked:
        return result("unknown", f"no operation was acknowledged ({failed} failed, {indeterminate} indeterminate)")
    note = f", {indeterminate} indeterminate within bounds" if indeterminate else ""
    return result("holds", f"{len(acked)} unique values, final value accounts for every increment{note}")
