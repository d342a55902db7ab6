"""The ledger: every call a Locust node made, per strategy, as the engine's history records.

A node writes down a call when it *sends* it (the :class:`~racelab.core.history.Call`, so its
arguments are known) and replaces that entry with the :class:`~racelab.core.history.Op` that
:func:`~racelab.core.history.classify` made of the answer when it *completes*. A call sent but
never completed (its user was stopped mid-flight, its connection died) may or may not have been
applied: it stays in the history as indeterminate, with its arguments, as the checkers need.
Nothing here decides a verdict.

In a distributed run each worker drains its ledger into its reports: the calls completed since
the last drain, plus a snapshot of the calls it has in flight, which replaces the previous
snapshot of that worker on the master. Both are plain lists and dicts (``Op.to_json``), so they
travel as msgpack.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from racelab.core.history import Call, Op, unanswered

IN_FLIGHT = "no answer recorded (still in flight, or cut off)"
LATE = "answered after the state was read"


@dataclass
class Tally:
    """One strategy's record on one node (or, merged, on the master)."""

    ops: list[Op] = field(default_factory=list)  # completed calls, in the order they were recorded
    pending: dict[int, Op] = field(default_factory=dict)  # this node's calls in flight, as "info" ops
    remote: dict[str, list[Op]] = field(default_factory=dict)  # master: each worker's last snapshot of them
    rounds: dict[int, list[float]] = field(default_factory=dict)  # burst -> [first send, last send, sends]

    def in_flight(self) -> list[Op]:
        return [*self.pending.values(), *(op for ops in self.remote.values() for op in ops)]

    @property
    def sent(self) -> int:
        return len(self.ops) + len(self.pending) + sum(len(ops) for ops in self.remote.values())

    def history(self, settled: int | None = None) -> list[Op]:
        """The judge's history. A state read while calls were in flight can only vouch for the
        first ``settled`` completed calls (those recorded before the read began): every other
        call sent before the read finished may or may not be in it, so it counts as indeterminate."""
        done = self.ops if settled is None else self.ops[:settled]
        late = [] if settled is None else [as_indeterminate(op, LATE) for op in self.ops[settled:]]
        return [*done, *late, *self.in_flight()]

    def spreads_ms(self) -> list[float]:
        """First-to-last send of each burst that had at least two callers, in burst order."""
        return [(last - first) * 1000 for _, (first, last, n) in sorted(self.rounds.items()) if n >= 2]


def as_indeterminate(op: Op, why: str) -> Op:
    if op.status == "info":
        return op
    return replace(op, status="info", value=None, served_by=None, error=why)


class Ledger:
    """Per-strategy tallies (keyed ``<scenario>/<strategy>``). Workers drain it into every report."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}
        self._tokens = itertools.count()

    def tally(self, key: str) -> Tally:
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally()
        return tally

    def clear(self) -> None:
        self.tallies = {}

    def sent(self, key: str, call: Call, burst: int | None, at: float) -> int:
        """A call is leaving; returns the token that :meth:`completed` takes."""
        tally = self.tally(key)
        token = next(self._tokens)
        tally.pending[token] = unanswered(call, at, burst, IN_FLIGHT)
        if burst is not None:
            span = tally.rounds.get(burst)
            if span is None:
                tally.rounds[burst] = [at, at, 1]
            else:
                span[0], span[1], span[2] = min(span[0], at), max(span[1], at), span[2] + 1
        return token

    def completed(self, key: str, token: int, op: Op) -> None:
        tally = self.tally(key)
        tally.pending.pop(token, None)
        tally.ops.append(op)

    # --- distributed: worker -> master ------------------------------------------------------

    def drain(self) -> dict[str, Any]:
        """What was recorded since the last drain, and every call in flight now, as plain data.

        Completed calls and burst spans leave the ledger; calls in flight stay (their answer is
        still to come) and are sent again in every drain, as a snapshot."""
        payload = {
            key: {
                "ops": [op.to_json() for op in t.ops],
                "in_flight": [op.to_json() for op in t.pending.values()],
                # msgpack keeps int keys, but strings are the safe choice across versions
                "rounds": {str(k): v for k, v in t.rounds.items()},
            }
            for key, t in self.tallies.items()
        }
        for t in self.tallies.values():
            t.ops, t.rounds = [], {}
        return payload

    def merge(self, payload: dict[str, Any], node: str = "") -> None:
        """A worker's drain: its completed calls add up; its calls in flight replace its last snapshot."""
        for key, part in payload.items():
            tally = self.tally(key)
            tally.ops.extend(Op.from_json(raw) for raw in part["ops"])
            tally.remote[node] = [Op.from_json(raw) for raw in part["in_flight"]]
            for burst, (first, last, n) in part["rounds"].items():
                span = tally.rounds.get(int(burst))
                if span is None:
                    tally.rounds[int(burst)] = [first, last, n]
                else:
                    span[0], span[1], span[2] = min(span[0], first), max(span[1], last), span[2] + n
