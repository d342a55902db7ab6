"""Synchronised bursts: the lab's own small load generator.

Round after round, every caller's request is held back by its end and all the ends are released
together, the way the burst mode says (:mod:`racelab.engine.modes`: ``threads``, ``last-byte``,
``single-packet``); what each call asks comes from the scenario's workload, and every answer is
recorded in the common history format, with its send, arrival (at the app) and answer times.
:func:`run` is a whole experiment: reset, read the state, burst, read it again, judge.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from racelab import scenarios
from racelab.core.history import Op, classify, cookie_header, session_cookies, unanswered
from racelab.core.strategy import Strategy
from racelab.engine import modes
from racelab.engine.client import LabClient, operation_path
from racelab.engine.judge import Judgement, judge
from racelab.engine.spreads import SpreadSummary, send_spreads_ms
from racelab.topology import Scope


@dataclass
class Experiment:
    """Everything one experiment saw: enough to judge it again later."""

    judgement: Judgement
    history: list[Op]
    initial: dict[str, Any] | None
    final: dict[str, Any] | None
    params: dict[str, Any]
    spreads_ms: list[float] = field(default_factory=list)  # first to last send, per burst
    mode: str = modes.DEFAULT_MODE

    @property
    def spread_ms(self) -> float:
        return max(self.spreads_ms, default=0.0)

    @property
    def spreads(self) -> SpreadSummary:
        """Send and arrival spreads of the bursts: median and worst."""
        return SpreadSummary.of(self.history)


def burst(
    client: LabClient,
    strategy: Strategy,
    callers: int = 50,
    rounds: int = 1,
    race_window_ms: int | None = None,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
    cookies: dict[str, str] | None = None,
    mode: str = modes.DEFAULT_MODE,
) -> tuple[list[Op], list[float]]:
    """``rounds`` synchronised bursts of ``callers`` calls each, sent the ``mode`` way
    (:mod:`racelab.engine.modes`). Returns the history and the send spread (first to last
    release, ms) of each burst; each op also carries its arrival time at the app. A burst begins
    once every answer of the one before it is in.

    With ``cookies`` (a scenario whose calls share one session) the callers are one client's
    concurrent requests: every call of a burst carries the cookies the client held when the burst
    began (``cookies``, then whatever the earlier bursts' answers set, the last one received
    winning)."""
    workload = scenarios.scenario(strategy.scenario).workload
    sender = modes.sender(mode, modes.Targets(client.endpoint, client.h2_endpoint), timeout)
    history: list[Op] = []
    try:
        for r in range(rounds):
            held = cookie_header(session_cookies(history, cookies)) if cookies is not None else {}
            calls = [workload.call(r, i, r) for i in range(callers)]
            requests = [
                modes.Request(
                    "POST",
                    operation_path(strategy, call, race_window_ms),
                    json.dumps(call.args).encode(),
                    {**call.headers, **held},
                )
                for call in calls
            ]
            for call, answer in zip(calls, sender.fire(requests), strict=True):
                if answer.error is not None or answer.answered is None:
                    history.append(unanswered(call, answer.sent, r, answer.error or "no answer"))
                else:
                    history.append(
                        classify(call, answer.status, answer.body, answer.headers, answer.sent, answer.answered, r)
                    )
            if progress:
                progress(r + 1, rounds)
    finally:
        sender.close()
    sends = send_spreads_ms(history)
    return history, [sends.get(r, 0.0) for r in range(rounds)]


def run(
    client: LabClient,
    strategy: Strategy,
    callers: int = 50,
    rounds: int = 3,
    race_window_ms: int | None = None,
    params: dict[str, Any] | None = None,
    declared: Scope | None = None,
    mode: str = modes.DEFAULT_MODE,
) -> Experiment:
    """Reset the strategy's scenario, read its state, burst, read it again, and judge."""
    scenario = scenarios.scenario(strategy.scenario)
    chosen = scenario.parse_params(params if params is not None else scenario.workload.params(callers))
    client.reset(scenario.name, chosen)
    # A scenario whose calls share one session: one client, whose session starts now, and whose
    # final state is read with the cookies it ended up with.
    cookies = client.start_session(strategy, scenario.session_start) if scenario.session_start else None
    initial = client.state(strategy, cookies)
    history, spreads = burst(client, strategy, callers, rounds, race_window_ms, cookies=cookies, mode=mode)
    final = client.state(strategy, None if cookies is None else session_cookies(history, cookies))
    if declared is None:
        declared = client.declared_scope()
    judgement = judge(strategy, history, initial, final, declared, callers)
    return Experiment(judgement, history, initial, final, chosen, spreads, mode)
