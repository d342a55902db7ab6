"""``racelab chaos`` against the session's stack, on the counter and the faults that matter most:
a killed worker loses no acknowledged increment, a Redis restart keeps the Redis counters (its
append-only file), and a lock holder paused past its TTL makes ``redis-lock`` fail while
``redis-lock-fenced`` holds. Verdicts come from the checkers; what to expect, from the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from racelab.chaos import checks
from tests.conftest import Stack, racelab

pytestmark = pytest.mark.stack

FAULTS = ("kill-worker", "restart-redis", "pause-lock-holder")


@pytest.fixture(scope="module")
def chaos(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("chaos")
    run = racelab(
        ["chaos", "--fault", ",".join(FAULTS), "--strategy", "counter", "--out", str(out)], stack.env, check=False
    )
    results = json.loads((Path(out) / "latest" / "results.json").read_text())
    return run.returncode, results, run.stdout + run.stderr


def fault(results: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in results["faults"] if f["name"] == name)
    assert found["skipped"] is None, found["skipped"]
    return found


def by_key(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in found["strategies"]}


def test_the_run_passes_and_every_error_is_json(chaos: tuple[int, dict[str, Any], str]) -> None:
    status, results, output = chaos
    assert status == 0, output
    assert [f["name"] for f in results["faults"]] == list(FAULTS)
    assert all(f["not_json"] == 0 for f in results["faults"]), output


def test_a_killed_worker_loses_no_acknowledged_operation(chaos: tuple[int, dict[str, Any], str]) -> None:
    found = fault(chaos[1], "kill-worker")
    assert found["lost"] == 0 and found["acknowledged"] > 0
    for s in found["strategies"]:
        assert s["lost"] == 0 and s["verdict"] == "holds", s


def test_redis_counters_survive_a_restart(chaos: tuple[int, dict[str, Any], str]) -> None:
    found = fault(chaos[1], "restart-redis")
    assert "redis" not in found["destroys"]
    redis_backed = [s for s in found["strategies"] if s["store"] in checks.REDIS_BACKED]
    assert redis_backed and all(s["acknowledged"] > 0 for s in redis_backed)
    for s in found["strategies"]:
        assert s["lost"] == 0 and s["verdict"] == "holds", s


def test_a_paused_lock_holder_breaks_redis_lock_not_the_fenced_one(chaos: tuple[int, dict[str, Any], str]) -> None:
    found = by_key(fault(chaos[1], "pause-lock-holder"))
    for name in ("redis-lock", "redis-lock-fenced"):
        strategy = scenarios.strategy("counter", name)
        result = found[strategy.key]
        expected = checks.expected_under(strategy, "pause-lock-holder")
        assert result["verdict"] == expected, result
        if expected == "fails":
            assert result["anomalies"]["lost"] > 0 or result["anomalies"]["duplicates"] > 0, result
