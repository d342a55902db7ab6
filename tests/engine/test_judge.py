"""The judge: one definition of expected (the lab's declared scope, confirmed by who answered),
and a verdict the run cannot support reported as unknown. Hand-made histories, no services."""

from __future__ import annotations

from racelab import scenarios
from racelab.core.history import Op
from racelab.engine.judge import Judgement, exit_status, judge, observed_scope, served_counts
from racelab.topology import Scope

THREAD_LOCK = scenarios.get("counter/db-thread-lock")  # safe up to threads
ATOMIC = scenarios.get("counter/db-atomic")  # safe everywhere


def ok(value: int, replica: str, pid: int, thread: str = "t", sent: float = 0.0, answered: float = 1.0) -> Op:
    return Op("next", {}, "ok", value, {"replica": replica, "pid": pid, "thread": thread}, sent=sent, answered=answered)


def overlapping(*who: tuple[str, int]) -> list[Op]:
    return [ok(i + 1, r, p, sent=0.0, answered=1.0) for i, (r, p) in enumerate(who)]


def test_expected_follows_the_declared_scope() -> None:
    history = overlapping(("app-1", 1), ("app-1", 1))
    j = judge(THREAD_LOCK, history, {"value": 0}, {"value": 2}, Scope.REPLICAS)
    assert (j.verdict, j.expected, j.scope, j.matches) == ("holds", "fails", "replicas", False)
    assert "the answers came from none only, not replicas" in j.reason
    j = judge(THREAD_LOCK, history, {"value": 0}, {"value": 2}, Scope.THREADS)
    assert (j.expected, j.matches) == ("holds", True)


def test_a_wider_observed_scope_overrides_a_narrower_declaration() -> None:
    history = overlapping(("app-1", 1), ("app-2", 2))
    j = judge(THREAD_LOCK, history, {"value": 0}, {"value": 2}, Scope.THREADS)
    assert (j.scope, j.expected, j.observed_scope) == ("replicas", "fails", "replicas")
    assert any("wider than the declared threads" in n for n in j.notes)


def test_without_a_declaration_the_observed_scope_decides() -> None:
    j = judge(ATOMIC, overlapping(("app-1", 1), ("app-1", 2)), {"value": 0}, {"value": 2}, None)
    assert (j.scope, j.declared_scope, j.verdict) == ("processes", None, "holds")
    assert any("did not say" in n for n in j.notes)


def test_a_holds_from_calls_that_never_overlapped_is_unknown() -> None:
    one_at_a_time = [ok(1, "app-1", 1, sent=0.0, answered=1.0), ok(2, "app-2", 2, sent=1.5, answered=2.0)]
    j = judge(THREAD_LOCK, one_at_a_time, {"value": 0}, {"value": 2}, Scope.REPLICAS, burst_size=20)
    assert (j.verdict, j.concurrency) == ("unknown", 1)
    assert "bursts of 20 need at least 20 users" in j.reason
    assert not j.matches


def test_a_race_that_showed_is_a_failure_whatever_the_concurrency() -> None:
    j = judge(
        THREAD_LOCK,
        [ok(1, "app-1", 1), ok(1, "app-2", 2, sent=2.0, answered=3.0)],
        {"value": 0},
        {"value": 1},
        Scope.REPLICAS,
        burst_size=20,
    )
    assert (j.verdict, j.expected, j.matches) == ("fails", "fails", True)


def test_who_answered() -> None:
    history = overlapping(("app-1", 1), ("app-1", 1), ("app-1", 2))
    assert served_counts(history) == {"replicas": 1, "processes": 2, "threads": 2}
    assert observed_scope(history) is Scope.PROCESSES
    assert observed_scope([]) is Scope.NONE


def test_a_judgement_survives_json() -> None:
    j = judge(ATOMIC, overlapping(("app-1", 1), ("app-2", 1)), {"value": 0}, {"value": 2}, Scope.REPLICAS)
    assert Judgement.from_json(j.to_json()) == j


def test_exit_status_mismatch_beats_unknown() -> None:
    holds = judge(ATOMIC, overlapping(("app-1", 1), ("app-2", 2)), {"value": 0}, {"value": 2}, Scope.REPLICAS)
    hid = judge(THREAD_LOCK, overlapping(("app-1", 1), ("app-2", 2)), {"value": 0}, {"value": 2}, Scope.REPLICAS)
    unknown = judge(ATOMIC, [ok(1, "app-1", 1)], {"value": 0}, {"value": 1}, Scope.REPLICAS)
    assert (holds.matches, hid.matches, unknown.verdict) == (True, False, "unknown")
    assert exit_status([holds]) == 0
    assert exit_status([holds, unknown]) == 2
    assert exit_status([holds, unknown, hid]) == 1


def test_greenlets_of_one_thread_are_not_threads() -> None:
    """served_by names a greenlet so under gevent: several of them spread no wider than greenlets."""
    greenlets = [ok(1, "app-1", 1, "greenlet-3"), ok(2, "app-1", 1, "greenlet-4")]
    assert observed_scope(greenlets) is Scope.GREENLETS
    assert observed_scope([*greenlets, ok(3, "app-1", 1, "ThreadPoolExecutor-0_1")]) is Scope.THREADS
    no_yield = scenarios.get("counter/global-no-yield")
    j = judge(no_yield, greenlets, {"value": 0}, {"value": 2}, Scope.GREENLETS)
    assert (j.scope, j.observed_scope, j.expected, j.notes) == ("greenlets", "greenlets", "holds", [])
