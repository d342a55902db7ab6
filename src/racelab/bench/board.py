"""The verdict board: per strategy, what was attempted, what came back, and what the judge says.

It lives on the Locust node that sees every call: the only process of a local run, or the master
of a distributed one. At the start of a run it resets each scenario involved (with what its
workload asks for this burst size) and reads where each strategy starts; while the run goes on it
reads the states again and asks the engine's :func:`~racelab.engine.judge.judge` for a verdict;
at the end it does the same one last time. A verdict is never set by hand, and "expected" is the
judge's: the scope the lab declares, confirmed by who answered.

Reading a state while requests are in flight needs care. Every call that completed before the
read started is in the history as it was answered. Every other call sent before the read
*finished* may or may not be in the state read, so it is indeterminate (with its arguments: a
checker needs to know what it might have done). Locally both are known exactly. On a master the
sends are only known from the workers' reports, so a reading is held back until every worker has
answered the request for records the master sent once the reading was done: that answer
includes every call the worker sent before it (a periodic report may have left before the
reading ended, so it does not count).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from racelab import scenarios
from racelab.bench.ledger import Ledger
from racelab.bench.rows import row
from racelab.core.history import Op, session_cookies
from racelab.core.strategy import Strategy
from racelab.engine.judge import Judgement, judge
from racelab.topology import Scope

State = dict[str, Any]


class Lab(Protocol):
    """What the board needs of :class:`~racelab.engine.client.LabClient`."""

    token: str

    def reset(self, scenario: str | None = None, params: dict[str, Any] | None = None) -> dict[str, Any]: ...

    def state(self, strategy: Strategy, cookies: dict[str, str] | None = None) -> dict[str, Any]: ...

    def start_session(self, strategy: Strategy, operation: str) -> dict[str, str]: ...


@dataclass
class Reading:
    """States read while the run went on, waiting for the workers' reports to settle."""

    states: dict[str, State | None]  # strategy key -> state read
    settled: dict[str, int]  # strategy key -> completed calls recorded before its state was read
    waiting_for: set[str] = field(default_factory=set)
    number: int = 0  # the workers' answers name the reading they answer


class Board:
    def __init__(self, ledger: Ledger | None = None) -> None:
        self.ledger = ledger or Ledger()
        self.run_id: str | None = None
        self.targets: list[Strategy] = []
        self.declared: Scope | None = None
        self.burst_size = 0
        self.users = 0
        self.params: dict[str, dict[str, Any]] = {}  # scenario -> the parameters it was reset with
        self.initial: dict[str, State | None] = {}
        # strategy key -> the cookies its session started with (scenarios whose calls share one)
        self.sessions: dict[str, dict[str, str]] = {}
        self.final: dict[str, State | None] = {}
        self.judgements: dict[str, Judgement] = {}
        self.rows: dict[str, dict[str, Any]] = {}  # kept across runs; a new run replaces its own rows
        self.pending: Reading | None = None
        self.readings = 0
        self.finished = True
        self.final_from: set[str] = set()  # workers whose last record of this run has arrived
        self.notes: list[str] = []

    # --- a run's life -----------------------------------------------------------------------

    def begin(
        self,
        targets: list[Strategy],
        lab: Lab,
        declared: Scope | None,
        burst_size: int,
        users: int,
        problems: list[str] | None = None,
    ) -> None:
        """Reset each scenario involved (if we may) and read where every target starts."""
        self.run_id = uuid.uuid4().hex[:12]
        self.targets = list(targets)
        self.declared, self.burst_size, self.users = declared, burst_size, users
        self.ledger.clear()
        self.judgements, self.params, self.final = {}, {}, {}
        self.pending = None
        self.finished = False
        self.final_from = set()
        self.notes = list(problems or [])
        self.reset(lab)
        self.sessions = self.start_sessions(lab)
        self.initial = {s.key: self._read(lab, s, self.sessions.get(s.key)) for s in self.targets}
        for strategy in self.targets:
            self.evaluate_one(strategy, [], self.initial[strategy.key], "starting")

    def reset(self, lab: Lab) -> None:
        if not lab.token:
            self.note("LAB_TOKEN is not set, so the lab was not reset: every state starts where it was")
            return
        for name in dict.fromkeys(s.scenario for s in self.targets):
            scenario = scenarios.scenario(name)
            # The workloads size their parameters for a burst (less stock than buyers); without
            # bursts their steady streams are sized against the scenario's defaults.
            size = min(self.burst_size, self.users or self.burst_size)  # a burst has at most every user
            wanted = scenario.workload.params(size) if size else {}
            try:
                answer = lab.reset(name, wanted)
                self.params[name] = dict(answer.get("reset", {}).get(name, {}).get("params", wanted))
            except Exception as exc:  # noqa: BLE001 - the run goes on; the initial reads still count
                self.note(f"could not reset {name}: {exc}")

    def start_sessions(self, lab: Lab) -> dict[str, dict[str, str]]:
        """One client session per target of a scenario whose calls share one: the users send its
        cookies (``BenchNode.join_sessions``), and the states are read with them."""
        started = {}
        for strategy in self.targets:
            operation = scenarios.scenario(strategy.scenario).session_start
            if operation is None:
                continue
            try:
                started[strategy.key] = lab.start_session(strategy, operation)
            except Exception as exc:  # noqa: BLE001 - the calls go on without one; the reads say what it cost
                self.note(f"could not start a session for {strategy.key}: {exc}")
                started[strategy.key] = {}
        return started

    def client_cookies(self, key: str) -> dict[str, str] | None:
        """The cookies the client holds now: the session's first, then what the answers set
        (in a distributed run, every worker's answers: the one received last wins)."""
        if key not in self.sessions:
            return None
        return session_cookies(self.ledger.tally(key).ops, self.sessions[key])

    def _read(self, lab: Lab, strategy: Strategy, cookies: dict[str, str] | None = None) -> State | None:
        try:
            return lab.state(strategy, cookies)
        except Exception as exc:  # noqa: BLE001 - an unreadable state makes the verdict "unknown"
            self.note(f"could not read the state of {strategy.key}: {exc}")
            return None

    def take_reading(self, lab: Lab, workers: set[str] | None = None) -> Reading:
        """Note what completed, then read each target's state. Locally, resolve it at once."""
        states: dict[str, State | None] = {}
        settled: dict[str, int] = {}
        for strategy in self.targets:
            settled[strategy.key] = len(self.ledger.tally(strategy.key).ops)
            states[strategy.key] = self._read(lab, strategy, self.client_cookies(strategy.key))
        self.readings += 1
        reading = Reading(states, settled, set(workers or ()), self.readings)
        if reading.waiting_for:
            self.pending = reading
        else:
            self.evaluate(reading, "live")
        return reading

    def worker_reported(self, node_id: str, answering: int | None) -> None:
        """A worker's records arrived; ``answering``: the reading whose request they answer."""
        if self.pending is not None and answering == self.pending.number:
            self.pending.waiting_for.discard(node_id)
            if not self.pending.waiting_for:
                reading, self.pending = self.pending, None
                if not self.finished:
                    self.evaluate(reading, "live")

    def finish(self, lab: Lab) -> dict[str, Judgement]:
        """The final verdicts: every recorded call, the ones never answered as indeterminate."""
        self.final = {s.key: self._read(lab, s, self.client_cookies(s.key)) for s in self.targets}
        for strategy in self.targets:
            self.evaluate_one(strategy, self.ledger.tally(strategy.key).history(), self.final[strategy.key], "final")
        self.finished = True
        self.pending = None
        return self.judgements

    def evaluate(self, reading: Reading, state: str) -> None:
        for strategy in self.targets:
            history = self.ledger.tally(strategy.key).history(settled=reading.settled.get(strategy.key, 0))
            self.evaluate_one(strategy, history, reading.states.get(strategy.key), state)

    def evaluate_one(self, strategy: Strategy, history: list[Op], current: State | None, state: str) -> None:
        key = strategy.key
        j = judge(strategy, history, self.initial.get(key), current, self.declared, self.burst_size)
        self.judgements[key] = j
        self.rows[key] = row(strategy, j, self.ledger.tally(key), state)

    def note(self, message: str) -> None:
        if message not in self.notes:  # live readings may meet the same trouble every time
            self.notes.append(message)

    # --- views ------------------------------------------------------------------------------

    def history(self, key: str) -> list[Op]:
        return self.ledger.tally(key).history()

    def warnings(self) -> list[str]:
        """What makes this run's verdicts unreliable, shown above the rows."""
        found = list(self.notes)
        if self.run_id is not None and self.burst_size > 1 and 0 < self.users < self.burst_size:
            size, users = self.burst_size, self.users
            found.insert(
                0,
                (
                    f"this run has {users} user(s) but bursts of {size}: a burst fires with at most {users} "
                    f"caller(s), so a race may not show and a 'holds' proves little (one user: 'unknown'). "
                    f"Start again with at least {size} users."
                ),
            )
        return found

    def table(self, scenario: str) -> list[dict[str, Any]]:
        """The rows of one scenario's strategies, in registry order (earlier runs' rows included)."""
        order = {key: i for i, key in enumerate(s.key for s in scenarios.scenario(scenario).strategies.values())}
        return [self.rows[key] for key in sorted((k for k in self.rows if k in order), key=order.__getitem__)]

    def forget_earlier_runs(self) -> None:
        current = {s.key for s in self.targets}
        self.rows = {key: r for key, r in self.rows.items() if key in current}
