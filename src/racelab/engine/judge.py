"""From a history to a verdict, and from the lab's concurrency to the expected one.

There is one definition of "expected" in racelab: a strategy's ``expected(scope)`` under the
scope of concurrency the lab *declares* (``GET /api/lab``: replicas x workers x threads, as the
runtime started it), confirmed by the scope *observed* in who answered the calls. And one rule
for a verdict the run cannot support: a "holds" from calls that never overlapped proves
nothing, so it is reported as unknown, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from racelab import scenarios
from racelab.core.history import Op, max_in_flight
from racelab.core.strategy import Strategy
from racelab.core.verdict import Check, Verdict
from racelab.topology import Scope, is_greenlet


def served_counts(history: list[Op]) -> dict[str, int]:
    """How many replicas, processes and threads answered the acknowledged calls."""
    served = [op.served_by or {} for op in history if op.status == "ok"]
    return {
        "replicas": len({s.get("replica") for s in served}),
        "processes": len({(s.get("replica"), s.get("pid")) for s in served}),
        "threads": len({(s.get("replica"), s.get("pid"), s.get("thread")) for s in served}),
    }


def observed_scope(history: list[Op]) -> Scope:
    """How far the acknowledged calls actually spread: replicas, processes, threads, greenlets, or none."""
    counts = served_counts(history)
    for scope, key in ((Scope.REPLICAS, "replicas"), (Scope.PROCESSES, "processes")):
        if counts[key] > 1:
            return scope
    if counts["threads"] > 1:
        # Greenlets say so in served_by: several greenlets of one thread are not several threads.
        threads = {str((op.served_by or {}).get("thread", "")) for op in history if op.status == "ok"}
        return Scope.GREENLETS if all(is_greenlet(t) for t in threads) else Scope.THREADS
    return Scope.NONE


@dataclass
class Judgement:
    """A checker's verdict set against the expected one, with what the run could support."""

    strategy: str  # scenario/strategy
    verdict: Verdict
    expected: Verdict
    scope: str  # the scope the expectation was computed for
    declared_scope: str | None  # what the lab said it runs
    observed_scope: str  # what the answers showed
    concurrency: int  # the most calls in flight at once
    check: Check
    notes: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.verdict == self.expected

    @property
    def reason(self) -> str:
        return "; ".join([self.check.reason, *self.notes]) if self.notes else self.check.reason

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "verdict": self.verdict,
            "expected": self.expected,
            "scope": self.scope,
            "declared_scope": self.declared_scope,
            "observed_scope": self.observed_scope,
            "concurrency": self.concurrency,
            "check": self.check.to_json(),
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Judgement:
        return cls(
            raw["strategy"],
            raw["verdict"],
            raw["expected"],
            raw["scope"],
            raw.get("declared_scope"),
            raw["observed_scope"],
            raw["concurrency"],
            Check.from_json(raw["check"]),
            list(raw.get("notes", [])),
        )


def expected_scope(declared: Scope | None, observed: Scope, notes: list[str]) -> Scope:
    if declared is None:
        notes.append(f"the lab did not say how it runs: expected verdicts follow the observed {observed.label}")
        return observed
    if observed > declared:
        notes.append(f"calls reached {observed.label}, wider than the declared {declared.label}")
        return observed
    return declared


def judge(
    strategy: Strategy,
    history: list[Op],
    initial: dict[str, Any] | None,
    final: dict[str, Any] | None,
    declared: Scope | None,
    burst_size: int | None = None,
) -> Judgement:
    check = scenarios.scenario(strategy.scenario).check(history, initial, final)
    notes: list[str] = []
    observed = observed_scope(history)
    scope = expected_scope(declared, observed, notes)
    expected = strategy.expected(scope)
    concurrency = max_in_flight(history)
    verdict = check.verdict
    if verdict == "holds" and concurrency < 2 and scope > Scope.NONE:
        verdict = "unknown"
        why = "one call at a time: nothing could race"
        if burst_size and burst_size > 1:
            why += f" (bursts of {burst_size} need at least {burst_size} users)"
        notes.append(why)
    elif burst_size and 1 < concurrency < burst_size and verdict == "holds" and expected == "fails":
        notes.append(f"at most {concurrency} calls overlapped, fewer than the burst size {burst_size}")
    if verdict == "holds" and expected == "fails" and observed < scope:
        notes.append(f"the answers came from {observed.label} only, not {scope.label}")
    return Judgement(
        strategy.key,
        verdict,
        expected,
        scope.label,
        declared.label if declared is not None else None,
        observed.label,
        concurrency,
        check,
        notes,
    )


def exit_status(judgements: list[Judgement]) -> int:
    """0: every verdict as expected; 1: one differs (a safe strategy leaked, or an unsafe one hid
    its race); 2: none differs but one could not be reached (unknown)."""
    if any(j.verdict != "unknown" and not j.matches for j in judgements):
        return 1
    return 2 if any(j.verdict == "unknown" for j in judgements) else 0
