"""A scenario: one kind of shared state and the harm a race does to it.

Learned from Maelstrom's workloads: a scenario bundles what a client can ask (its
:class:`Operation` values, with their argument parsers), how a load generator draws those asks
(its :class:`Workload`), a pure checker over the recorded history and the state before and after,
its schema, and its strategies. It lives in one package, ``racelab.scenarios.<name>``, whose
``__init__`` defines ``SCENARIO``; :mod:`racelab.scenarios` finds it, so adding a scenario is
adding a folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from racelab.core.history import Call, Op
from racelab.core.strategy import Strategy
from racelab.core.verdict import Check

State = dict[str, Any]
Checker = Callable[[list[Op], "State | None", "State | None"], Check]


class BadInput(ValueError):
    """A request's arguments are unusable; the message names the field. Nothing is written."""


class UnknownName(KeyError):
    """An unknown scenario, strategy or operation; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        super().__init__(name)
        self.kind, self.name, self.valid = kind, name, valid

    def __str__(self) -> str:
        return f"unknown {self.kind} {self.name!r}; valid: {', '.join(self.valid)}"


@dataclass(frozen=True)
class Operation:
    """A write a client can ask for: ``POST /api/<scenario>/<strategy>/<name>`` with a JSON body."""

    name: str
    summary: str
    parse: Callable[[Mapping[str, Any]], dict[str, Any]] = lambda body: {}
    reads_headers: tuple[str, ...] = ()  # request headers passed to the strategy as arguments


class Workload(Protocol):
    """How a load generator draws calls. Pure and stateless: the same (burst, position, seq)
    gives the same call on every node, so distributed workers need not coordinate."""

    def params(self, burst_size: int) -> dict[str, Any]:
        """The reset parameters that suit bursts of this size (e.g. less stock than buyers)."""
        ...

    def call(self, burst: int | None, position: int, seq: int) -> Call:
        """The call of the ``position``-th caller of burst ``burst`` (``None``: no bursts, and
        ``seq`` counts this caller's calls instead)."""
        ...


@dataclass
class Param:
    default: int
    low: int
    high: int
    help: str


@dataclass
class Scenario:
    name: str
    title: str  # one line: "a counter: does each caller get a unique number?"
    question: str
    operations: dict[str, Operation]
    anomalies: dict[str, str]  # name -> what it means, in display order
    check: Checker
    workload: Workload
    lock_keys: Callable[[str, Mapping[str, Any]], list[str]] = lambda op, args: ["all"]
    params: dict[str, Param] = field(default_factory=dict)
    rank: int = 50  # display order among scenarios
    # One client, one session (a shopper's cart): the operation that starts the session before the
    # first burst (a page view that sets the cookie). With it, every call of a run and every state
    # read carry the cookies the client holds, and the client keeps the cookies each answer sets,
    # as a browser does (the answer received last wins). None: every call stands alone.
    session_start: str | None = None
    # Filled by the registry:
    schema: str = ""
    explanation: str = ""
    strategies: dict[str, Strategy] = field(default_factory=dict)

    def strategy(self, name: str) -> Strategy:
        try:
            return self.strategies[name]
        except KeyError:
            raise UnknownName("strategy", f"{self.name}/{name}", list(self.strategies)) from None

    def operation(self, name: str) -> Operation:
        try:
            return self.operations[name]
        except KeyError:
            raise UnknownName("operation", name, list(self.operations)) from None

    def parse_params(self, raw: Mapping[str, Any] | None) -> dict[str, int]:
        """Reset parameters: the defaults, overridden by whole numbers within each range."""
        raw = raw or {}
        unknown = set(raw) - set(self.params)
        if unknown:
            raise BadInput(f"unknown parameter {sorted(unknown)[0]!r} for {self.name}; valid: {', '.join(self.params)}")
        values = {}
        for name, spec in self.params.items():
            value = raw.get(name, spec.default)
            if isinstance(value, bool) or not isinstance(value, int) or not spec.low <= value <= spec.high:
                raise BadInput(f"{name} must be a whole number from {spec.low} to {spec.high}, got {value!r}")
            values[name] = value
        return values

    def baseline(self, strategy: Strategy) -> Strategy | None:
        """What a safe strategy is priced against: the one it names, else the unprotected
        strategy of the same store in this scenario, else the first unprotected one."""
        if strategy.baseline_name:
            return self.strategies.get(strategy.baseline_name)
        unprotected = [s for s in self.strategies.values() if s.protection == "none"]
        same_store = [s for s in unprotected if s.store == strategy.store]
        found = same_store or unprotected
        return found[0] if found and found[0] is not strategy else None

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "question": self.question,
            "explanation": self.explanation,
            "operations": {name: op.summary for name, op in self.operations.items()},
            "session_start": self.session_start,
            "anomalies": self.anomalies,
            "params": {
                name: {"default": p.default, "range": [p.low, p.high], "help": p.help}
                for name, p in self.params.items()
            },
            "strategies": [s.describe() for s in self.strategies.values()],
        }


# --- argument parsing shared by the scenarios' operations -----------------------------------------


def shown(value: Any) -> str:
    """A value for an error message, cut short: a 10 KB string must not come back whole."""
    text = repr(value)
    if len(text) <= 40:
        return text
    return f"{text[:40]}... ({len(value) if isinstance(value, str) else len(text)} characters)"


def only_fields(body: Mapping[str, Any], fields: Iterable[str], what: str) -> None:
    """Refuse a body with a field the operation does not take (``what``: "a purchase takes...")."""
    allowed = set(fields)
    unexpected = sorted(str(k) for k in body if k not in allowed)
    if unexpected:
        raise BadInput(f"unexpected field {shown(unexpected[0])}; {what}")


def whole(body: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = body.get(name)
    if value is None:
        raise BadInput(f"{name} is required (a whole number from {low} to {high})")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise BadInput(f"{name} must be from {low} to {high}, got {value}")
    return value


NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def short_name(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise BadInput(f"{name} is required: a string of 1 to 64 letters, digits, '_', '.' or '-'")
    if not NAME.fullmatch(value):
        shown = value if len(value) <= 40 else value[:40] + f"... ({len(value)} characters)"
        raise BadInput(f"{name} must be 1 to 64 letters, digits, '_', '.' or '-', got {shown!r}")
    return value
