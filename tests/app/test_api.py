"""The HTTP API through nginx, against the real stack."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.burst import burst
from racelab.engine.client import LabClient
from racelab.serve import SCHEDULING
from racelab.settings import StackSettings
from tests.conftest import TEST_ENV, Stack, locust_headers

pytestmark = pytest.mark.stack


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_next_returns_value_strategy_and_who_served_it(stack: Stack) -> None:
    status, body = fetch(f"{stack.url}/api/counter/db-thread-lock/next", "POST")
    assert status == 200
    assert list(body) == ["value", "strategy", "served_by"]
    assert isinstance(body["value"], int) and body["strategy"] == "db-thread-lock"
    assert body["served_by"]["replica"] in {"app-1", "app-2", "app-3"}
    assert isinstance(body["served_by"]["pid"], int) and body["served_by"]["thread"]


def test_read_returns_current_value(stack: Stack) -> None:
    LabClient(stack.url, stack.token).reset("counter")
    for _ in range(3):
        fetch(f"{stack.url}/api/counter/db-atomic/next", "POST")
    assert fetch(f"{stack.url}/api/counter/db-atomic") == (200, {"value": 3})


def test_strategies_are_grouped_by_scenario_with_expected_verdicts(stack: Stack) -> None:
    status, body = fetch(f"{stack.url}/api/strategies")
    assert status == 200
    listed = {sc["name"]: sc for sc in body["scenarios"]}
    assert set(listed) == set(scenarios.scenarios())
    for name, sc in listed.items():
        registry = scenarios.scenario(name)
        assert [s["name"] for s in sc["strategies"]] == list(registry.strategies)
        for item in sc["strategies"]:
            assert item["expected"] == registry.strategy(item["name"]).describe()["expected"]
            assert len(item["explanation"]) > 200


def test_the_lab_declares_its_shape(stack: Stack) -> None:
    status, body = fetch(f"{stack.url}/api/lab")
    assert status == 200
    shape = body["topology"]
    assert (shape["replicas"], shape["workers"], shape["threads"]) == (3, 2, 4)
    assert shape["scope"] == "replicas"


def test_index_is_json_naming_the_endpoints(stack: Stack) -> None:
    status, body = fetch(f"{stack.url}/")
    assert status == 200 and body["lab"] == "racelab"
    assert any(e["path"] == "/api/<scenario>/<strategy>/<operation>" for e in body["endpoints"])
    assert body["locust_ui"] == stack.locust_url


def test_healthz_ok(stack: Stack) -> None:
    status, body = fetch(f"{stack.url}/healthz")
    assert (status, body["postgres"], body["redis"]) == (200, "ok", "ok")


def test_every_app_process_runs_under_the_scheduling_policy_the_stack_names(stack: Stack) -> None:
    """APP_SCHEDULING reaches every worker that answers (racelab.serve says why batch). The native
    runtime's app processes are this host's, so their policy can be read by pid."""
    client = LabClient(stack.url, stack.token)
    history, _ = burst(client, scenarios.get("counter/redis-incr"), callers=24, rounds=2)
    pids = {op.served_by["pid"] for op in history if op.served_by}
    policy = StackSettings.from_env({**os.environ, **TEST_ENV}).app_scheduling
    assert len(pids) > 1 and {os.sched_getscheduler(pid) for pid in pids} == {SCHEDULING[policy]}


def test_every_replica_serves(stack: Stack) -> None:
    replicas = {fetch(f"{stack.url}/healthz")[1]["served_by"]["replica"] for _ in range(12)}
    assert replicas == {"app-1", "app-2", "app-3"}


def test_reset_reaches_in_process_state_in_every_worker(stack: Stack) -> None:
    """A reset request lands in one worker; the epoch makes every process start again. Checked
    per process: each of the six gunicorn workers counted before the reset, and the smallest
    number each one hands out after it is 1. (Bursts, not a loop of calls: nginx keeps its
    upstream connections alive, so one call at a time keeps meeting the same worker.)"""
    client = LabClient(stack.url, stack.token)
    strategy = scenarios.get("counter/global-unsafe")

    def firsts() -> dict[tuple[str, int], int]:
        history, _ = burst(client, strategy, callers=48, rounds=2)
        smallest: dict[tuple[str, int], int] = {}
        for op in history:
            assert op.status == "ok" and op.served_by, op
            who = (op.served_by["replica"], op.served_by["pid"])
            smallest[who] = min(smallest.get(who, op.value), op.value)
        return smallest

    client.reset()
    counted = set(firsts()) | set(firsts())  # every process that holds a count of its own
    assert len(counted) == 6, counted  # 3 replicas x 2 workers
    client.reset()
    after = firsts()
    assert set(after) == counted, (counted, after)
    # Without the reset, each of them would carry on from its own count: 2 or more.
    assert after == dict.fromkeys(after, 1), after
    assert {fetch(f"{stack.url}/api/counter/file-lock")[1]["value"] for _ in range(12)} == {0}


def test_lab_control_needs_the_token(stack: Stack) -> None:
    assert fetch(f"{stack.url}/api/lab/reset", "POST")[0] == 401
    assert fetch(f"{stack.url}/api/lab/reset", "POST", {"X-Lab-Token": "wrong"})[0] == 403
    status, body = fetch(f"{stack.url}/api/lab/reset", "POST", {"X-Lab-Token": stack.token})
    assert status == 200 and body["epoch"] >= 1 and set(body["reset"]) == set(scenarios.scenarios())


def test_errors_are_json(stack: Stack) -> None:
    status, body = fetch(f"{stack.url}/api/counter/no-such-strategy/next", "POST")
    assert status == 404 and "db-atomic" in body["valid"]
    status, body = fetch(f"{stack.url}/api/counter/db-atomic/next?race_window_ms=soon", "POST")
    assert status == 400 and body["error"] == "bad_request"


def test_locust_ui_answers_with_its_password(stack: Stack) -> None:
    request = urllib.request.Request(stack.locust_url, headers=locust_headers())
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
