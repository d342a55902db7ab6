"""The HTTP API through nginx, against the real stack."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from racelab import strategies
from racelab.loadgen import reset

pytestmark = pytest.mark.stack


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_next_returns_value_strategy_and_who_served_it(stack) -> None:  # type: ignore[no-untyped-def]
    status, body = fetch(f"{stack.url}/api/counter/db-thread-lock/next", "POST")
    assert status == 200
    assert list(body) == ["value", "strategy", "served_by"]
    assert isinstance(body["value"], int) and body["strategy"] == "db-thread-lock"
    assert body["served_by"]["replica"] in {"app-1", "app-2", "app-3"}
    assert isinstance(body["served_by"]["pid"], int) and body["served_by"]["thread"]


def test_read_returns_current_value(stack) -> None:  # type: ignore[no-untyped-def]
    reset(stack.url, stack.token)
    for _ in range(3):
        fetch(f"{stack.url}/api/counter/db-atomic/next", "POST")
    assert fetch(f"{stack.url}/api/counter/db-atomic") == (200, {"value": 3})


def test_strategies_list_explains_each_with_expected_verdicts(stack) -> None:  # type: ignore[no-untyped-def]
    status, body = fetch(f"{stack.url}/api/strategies")
    assert status == 200
    listed = {s["name"]: s for s in body["strategies"]}
    assert set(listed) == set(strategies.names())
    for item in listed.values():
        assert {"name", "scenario", "store", "explanation", "expected"} <= set(item)
        assert item["scenario"] == "counter"
    assert listed["db-thread-lock"]["expected"]["replicas"] == "fails"
    assert listed["db-atomic"]["expected"]["replicas"] == "holds"


def test_healthz_ok(stack) -> None:  # type: ignore[no-untyped-def]
    status, body = fetch(f"{stack.url}/healthz")
    assert (status, body["postgres"], body["redis"]) == (200, "ok", "ok")


def test_every_replica_serves(stack) -> None:  # type: ignore[no-untyped-def]
    replicas = {fetch(f"{stack.url}/healthz")[1]["served_by"]["replica"] for _ in range(12)}
    assert replicas == {"app-1", "app-2", "app-3"}


def test_reset_reaches_in_process_state_in_every_worker(stack) -> None:  # type: ignore[no-untyped-def]
    """A reset request lands in one worker; the epoch makes all six processes start again."""
    for _ in range(30):
        fetch(f"{stack.url}/api/counter/global-unsafe/next", "POST")
    seen = {fetch(f"{stack.url}/api/counter/global-unsafe")[1]["value"] for _ in range(12)}
    assert seen != {0}
    reset(stack.url, stack.token)
    assert {fetch(f"{stack.url}/api/counter/global-unsafe")[1]["value"] for _ in range(24)} == {0}
    assert {fetch(f"{stack.url}/api/counter/file-lock")[1]["value"] for _ in range(12)} == {0}


def test_lab_control_needs_the_token(stack) -> None:  # type: ignore[no-untyped-def]
    assert fetch(f"{stack.url}/api/lab/reset", "POST")[0] == 401
    assert fetch(f"{stack.url}/api/lab/reset", "POST", {"X-Lab-Token": "wrong"})[0] == 403
    status, body = fetch(f"{stack.url}/api/lab/reset", "POST", {"X-Lab-Token": stack.token})
    assert status == 200 and body["epoch"] >= 1


def test_errors_are_json(stack) -> None:  # type: ignore[no-untyped-def]
    status, body = fetch(f"{stack.url}/api/counter/no-such-strategy/next", "POST")
    assert status == 404 and "db-atomic" in body["valid"]
    status, body = fetch(f"{stack.url}/api/counter/db-atomic/next?race_window_ms=soon", "POST")
    assert status == 400 and body["error"] == "bad_request"


def test_locust_ui_answers(stack) -> None:  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(stack.locust_url, timeout=10) as response:
        assert response.status == 200
