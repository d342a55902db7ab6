"""The ledger: every call a Locust node made, per strategy, ready for the pure checker.

A node writes down when it *sends* a request and what came back when it *completes*. A request
sent but never completed (its user was stopped mid-flight, its connection died) may or may not
have been applied: the checker counts it as indeterminate. Nothing here decides a verdict.

In a distributed run each worker drains its ledger into every ``report_to_master`` payload and
the master merges the payloads: plain lists and dicts, so they travel as msgpack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from racelab.checkers.counter import Op


@dataclass
class Tally:
    """One strategy's record on one node (or, merged, on the master)."""

    ops: list[Op] = field(default_factory=list)  # completed calls, in completion order
    sent: int = 0
    retries: int = 0  # summed X-Racelab-Retries of acknowledged calls
    wait_ms: float = 0.0  # summed X-Racelab-Wait-Ms of acknowledged calls
    rounds: dict[int, list[float]] = field(default_factory=dict)  # burst id -> [first send, last send, sends]

    @property
    def in_flight(self) -> int:
        return max(0, self.sent - len(self.ops))

    def history(self, completed: int | None = None, sent: int | None = None) -> list[Op]:
        """The checker's history: the first ``completed`` ops, and every other send as indeterminate."""
        done = self.ops if completed is None else self.ops[:completed]
        pending = max(0, (self.sent if sent is None else sent) - len(done))
        return [*done, *(Op("info", error="no answer recorded (still in flight or cut off)") for _ in range(pending))]

    def spreads_ms(self) -> list[float]:
        """First-to-last send of each burst that had at least two callers, in burst order."""
        return [(last - first) * 1000 for _, (first, last, n) in sorted(self.rounds.items()) if n >= 2]


def encode_op(op: Op) -> list[Any]:
    return [op.status, op.value, op.served_by, op.error]


def decode_op(raw: list[Any]) -> Op:
    status, value, served_by, error = raw
    return Op(status, value, served_by, error)


class Ledger:
    """Per-strategy tallies. On workers it is drained by every report; elsewhere it accumulates."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}

    def tally(self, strategy: str) -> Tally:
        tally = self.tallies.get(strategy)
        if tally is None:
            tally = self.tallies[strategy] = Tally()
        return tally

    def clear(self) -> None:
        self.tallies = {}

    def sent(self, strategy: str, burst: int | None, at: float) -> None:
        tally = self.tally(strategy)
        tally.sent += 1
        if burst is not None:
            span = tally.rounds.get(burst)
            if span is None:
                tally.rounds[burst] = [at, at, 1]
            else:
                span[0], span[1], span[2] = min(span[0], at), max(span[1], at), span[2] + 1

    def completed(self, strategy: str, op: Op, retries: int = 0, wait_ms: float = 0.0) -> None:
        tally = self.tally(strategy)
        tally.ops.append(op)
        if op.status == "ok":
            tally.retries += retries
            tally.wait_ms += wait_ms

    # --- distributed: worker -> master ------------------------------------------------------

    def drain(self) -> dict[str, Any]:
        """Everything recorded since the last drain, as plain data; the ledger starts empty again."""
        payload = {
            name: {
                "ops": [encode_op(op) for op in t.ops],
                "sent": t.sent,
                "retries": t.retries,
                "wait_ms": t.wait_ms,
                # msgpack keeps int keys, but strings are the safe choice across versions
                "rounds": {str(k): v for k, v in t.rounds.items()},
            }
            for name, t in self.tallies.items()
        }
        self.clear()
        return payload

    def merge(self, payload: dict[str, Any]) -> None:
        for name, part in payload.items():
            tally = self.tally(name)
            tally.ops.extend(decode_op(raw) for raw in part["ops"])
            tally.sent += part["sent"]
            tally.retries += part["retries"]
            tally.wait_ms += part["wait_ms"]
            for key, (first, last, n) in part["rounds"].items():
                span = tally.rounds.get(int(key))
                if span is None:
                    tally.rounds[int(key)] = [first, last, n]
                else:
                    span[0], span[1], span[2] = min(span[0], first), max(span[1], last), span[2] + n
