"""The lab's central claim, proven on every run, for every scenario and strategy: on the default
topology (3 replicas x 2 workers x 4 threads) at RACE_WINDOW_MS=0, synchronised bursts make every
strategy the registry expects to fail show anomalies, and every one expected to hold show none.

Verdicts are computed by each scenario's checker from what the app acknowledged and the final
state; the expected verdict comes from the registry for the scope the running lab declares
(``GET /api/lab``), never from a table in this file.
"""

from __future__ import annotations

import pytest

from racelab import scenarios
from racelab.engine.burst import run
from racelab.engine.client import LabClient
from racelab.topology import Scope
from tests.conftest import Stack

pytestmark = pytest.mark.stack

CALLERS = 48  # twice the stack's 24 request threads: every thread of every process is busy
ROUNDS = 3  # three synchronised bursts per strategy


@pytest.fixture(scope="module")
def client(stack: Stack) -> LabClient:
    return LabClient(stack.url, stack.token)


@pytest.mark.parametrize("key", [s.key for s in scenarios.all_strategies()])
def test_strategy_shows_its_expected_verdict(client: LabClient, key: str) -> None:
    strategy = scenarios.get(key)
    experiment = run(client, strategy, callers=CALLERS, rounds=ROUNDS)
    j = experiment.judgement
    summary = (
        f"{key}: {j.verdict} (expected {j.expected} under {j.scope}; {j.reason}); anomalies={j.check.anomalies} "
        f"acknowledged={j.check.acknowledged} refused={j.check.failed} indeterminate={j.check.indeterminate} "
        f"spread={experiment.spread_ms:.1f}ms"
    )
    assert j.scope == Scope.REPLICAS.label, summary  # the suite's stack runs every kind of concurrency
    assert j.expected == strategy.expected(Scope.REPLICAS), summary
    if j.expected == "fails":
        assert j.check.total > 0, summary
        assert j.verdict == "fails", summary
    else:
        assert j.check.total == 0, summary
        assert j.verdict == "holds", summary
        assert j.check.indeterminate == 0, summary  # nothing lost on the way


def test_thread_lock_collisions_span_processes(client: LabClient) -> None:
    """The evidence behind db-thread-lock's failure: colliding values were served by different
    processes, each holding its own, perfectly working threading.Lock. (One process can also hand
    out a value twice: another process's stale write can move the counter backwards.)"""
    experiment = run(client, scenarios.get("counter/db-thread-lock"), callers=CALLERS, rounds=ROUNDS)
    evidence = experiment.judgement.check.evidence
    assert evidence, experiment.judgement.reason
    spans = [{(s["replica"], s["pid"]) for s in example["served_by"]} for example in evidence]
    assert any(len(processes) > 1 for processes in spans), evidence
