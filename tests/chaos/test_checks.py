"""The chaos checks on hand-written histories: no stack, no clock."""

from __future__ import annotations

from typing import Any

from racelab import scenarios
from racelab.chaos import checks
from racelab.chaos.faults import in_window
from racelab.chaos.nemesis import Holder
from racelab.chaos.results import ChaosResults, FaultResult, StrategyResult, markdown, report_section, write
from racelab.core.history import Op, Status
from racelab.core.verdict import Check, Verdict


def op(status: Status, sent: float, answered: float | None, replica: str = "app-1", error: str | None = None) -> Op:
    served = {"replica": replica, "pid": 1, "thread": "t"} if status == "ok" else None
    return Op(
        "next",
        {},
        status,
        value=1 if status == "ok" else None,
        served_by=served,
        error=error,
        sent=sent,
        answered=answered,
    )


def check(verdict: Verdict, lost: int = 0) -> Check:
    return Check(verdict, "why", 10, 8, 0, 2, {"duplicates": 0, "lost": lost, "excess": 0})


def test_jepsens_counter_rule() -> None:
    assert checks.counter_bounds(acknowledged=10, indeterminate=2, initial=5, final=15) == (0, 0)
    assert checks.counter_bounds(acknowledged=10, indeterminate=2, initial=5, final=17) == (0, 0)
    assert checks.counter_bounds(acknowledged=10, indeterminate=2, initial=5, final=12) == (3, 0)
    assert checks.counter_bounds(acknowledged=10, indeterminate=2, initial=5, final=20) == (0, 3)


def test_errors_by_status_and_json() -> None:
    history = [
        op("ok", 0, 1),
        op("info", 0, 1, error="503 postgres_unavailable"),
        op("info", 0, 1, error="503 postgres_unavailable"),
        op("info", 0, 1, error="502 not_json"),
        op("fail", 0, 1, error="409 lock_not_acquired"),
    ]
    errors = checks.errors_by_status(history)
    assert errors == {"503 postgres_unavailable": 2, "409 lock_not_acquired": 1, "502 not_json": 1}
    assert checks.not_json(errors) == 1


def test_longest_wait_counts_calls_never_answered() -> None:
    history = [op("ok", 0.0, 0.5), op("info", 1.0, None, error="no answer")]
    assert checks.longest_wait(history, now=4.0) == 3.0
    assert checks.longest_wait([], now=1.0) == 0.0


def test_recovery_is_the_slowest_replica_back_after_the_fault() -> None:
    history = [
        op("ok", 0, 1, "app-1"),
        op("ok", 0, 1, "app-2"),
        op("info", 11, 12, error="502 bad_gateway"),
        op("ok", 19, 20.5, "app-1"),  # sent before the fault ended at 20: does not count
        op("ok", 20.1, 20.5, "app-1"),
        op("ok", 21, 22.0, "app-2"),
        op("ok", 22, 23.0, "app-2"),
    ]
    slowest, each = checks.recovery(history, fault_start=10, fault_end=20)
    assert slowest == 2.0 and each == {"app-1": 0.5, "app-2": 2.0}
    by_worker, each = checks.recovery(history, fault_start=10, fault_end=20, by=checks.worker_of)
    assert by_worker == 2.0 and each == {"app-1/1": 0.5, "app-2/1": 2.0}
    never, each = checks.recovery(history[:5], fault_start=10, fault_end=20)
    assert never is None and each["app-2"] is None


def test_recovery_looks_at_the_strategies_the_fault_hurt() -> None:
    histories = {
        "counter/db-atomic": [op("info", 11, 12, error="503 postgres_unavailable")],
        "counter/redis-incr": [op("ok", 11, 12)],
    }
    assert checks.affected(histories, fault_start=10, fault_end=20) == ["counter/db-atomic"]
    assert checks.affected({"counter/redis-incr": [op("ok", 11, 12)]}, 10, 20) == ["counter/redis-incr"]


def test_a_store_that_loses_data_is_blamed_not_the_strategy() -> None:
    redis_incr = scenarios.strategy("counter", "redis-incr")
    db_atomic = scenarios.strategy("counter", "db-atomic")
    lost = checks.destroys("crash-redis", appendonly=False, appendfsync="everysec")
    assert "redis" in lost and "queue" in lost and "postgres" not in lost
    assert checks.destroys("crash-redis", appendonly=True, appendfsync="everysec") == frozenset()
    assert "redis" in checks.destroys("restart-redis", appendonly=False, appendfsync="everysec")
    assert checks.destroys("restart-redis", appendonly=True, appendfsync="everysec") == frozenset()

    blamed_store = checks.outcome(redis_incr, "crash-redis", check("fails", lost=3), lost)
    assert blamed_store.label == "the store lost data" and blamed_store.ok and blamed_store.lost == 3
    blamed_strategy = checks.outcome(db_atomic, "crash-redis", check("fails", lost=1), lost)
    assert not blamed_strategy.ok and blamed_strategy.label == "fails (expected holds)"
    assert checks.outcome(db_atomic, "kill-worker", check("holds"), frozenset()).ok


def test_a_lease_without_a_fence_is_expected_to_fail_under_a_pause() -> None:
    lock = scenarios.strategy("counter", "redis-lock")
    fenced = scenarios.strategy("counter", "redis-lock-fenced")
    advisory = scenarios.strategy("counter", "db-advisory")
    assert checks.expected_under(lock, "pause-lock-holder") == "fails"
    assert checks.expected_under(fenced, "pause-lock-holder") == "holds"
    assert checks.expected_under(advisory, "pause-lock-holder") == "holds"
    assert checks.expected_under(lock, "kill-worker") == "holds"
    assert not checks.outcome(lock, "pause-lock-holder", check("holds"), frozenset()).ok  # the pause missed


def test_the_pause_lands_between_read_and_write() -> None:
    assert in_window(60, 100) and not in_window(40, 100) and not in_window(99, 100)
    holder = Holder.parse(b"app-2/1234/abcdef")
    assert holder == Holder("app-2", 1234, "app-2/1234/abcdef")
    assert Holder.parse(b"a-random-token") is None and Holder.parse(None) is None


def results() -> ChaosResults:
    strategy: dict[str, Any] = {
        "store": "redis",
        "acknowledged": 9,
        "indeterminate": 1,
        "anomalies": {"duplicates": 5, "lost": 5},
        "reason": "5 duplicate value(s) handed out",
    }
    fault = FaultResult(
        "pause-lock-holder",
        "SIGSTOP a lock holder",
        acknowledged=9,
        indeterminate=1,
        errors={"500 lock_lost": 1},
        longest_wait_s=7.5,
        recovery_s=0.0,
        strategies=[
            StrategyResult(
                "counter/redis-lock",
                expected="fails",
                verdict="fails",
                outcome="fails (as expected)",
                ok=True,
                lost=5,
                **strategy,
            )
        ],
    )
    skipped = FaultResult("delay-postgres", "netem", skipped="needs tc and root")
    return ChaosResults(
        "2026-01-01T00:00:00", "native", "replicas", {"appendonly": "yes", "appendfsync": "always"}, [fault, skipped]
    )


def test_results_round_trip_and_render(tmp_path: Any) -> None:
    r = results()
    assert r.status == 0
    folder = tmp_path / "20260101-000000"
    folder.mkdir()
    write(r, folder)
    text = (tmp_path / "latest" / "summary.md").read_text()
    assert "| pause-lock-holder | 9 | 1 | 0 | 1 × 500 lock_lost | 0 | 7.50 s | 0.00 s (every worker: never) |" in text
    assert "skipped: needs tc and root" in text and "`counter/redis-lock` (redis): fails (as expected)" in text
    section = report_section(tmp_path)
    assert section[0] == "## Under faults" and any("pause-lock-holder" in line for line in section)
    assert report_section(tmp_path / "none")[2].startswith("No chaos run yet")
    assert markdown(r).startswith("# racelab chaos")
