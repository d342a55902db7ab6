"""The signup scenario through nginx, against the real stack: one sign-up, the state's shape, the
refusal of a taken name, and every bad input refused with a 4xx JSON error that writes nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.client import LabClient
from tests.scenarios.support import operate
from tests.scenarios.support import state as scenario_state

pytestmark = pytest.mark.stack

STRATEGIES = list(scenarios.scenario("signup").strategies)


def register(stack: Any, strategy: str, body: Any) -> tuple[int, Any, Any]:
    return operate(stack, "signup", strategy, "register", body)


def state(stack: Any, strategy: str) -> dict[str, Any]:
    return scenario_state(stack, "signup", strategy)


@pytest.fixture
def fresh(stack: Any) -> Any:
    """Every signup strategy back to no accounts."""
    LabClient(stack.url, stack.token).reset("signup")
    return stack


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_sign_up_creates_one_account_and_a_taken_name_is_refused(fresh: Any, strategy: str) -> None:
    status, body, headers = register(fresh, strategy, {"username": "alice.b-1_x"})
    assert status == 200, body
    assert list(body) == ["value", "strategy", "served_by"] and body["strategy"] == strategy
    assert isinstance(body["value"], int) and body["served_by"]["replica"] in {"app-1", "app-2", "app-3"}
    assert headers["X-Racelab-Retries"] == "0"
    after = {"accounts": [[body["value"], "alice.b-1_x"]]}
    assert state(fresh, strategy) == after
    status, answer, _ = register(fresh, strategy, {"username": "alice.b-1_x"})
    assert (status, answer["error"], answer["username"]) == (409, "username_taken", "alice.b-1_x"), answer
    assert "nothing was written" in answer["message"]
    assert state(fresh, strategy) == after


def test_the_state_is_the_list_of_accounts(fresh: Any) -> None:
    assert state(fresh, "db-check-then-insert") == {"accounts": []}
    first = register(fresh, "db-check-then-insert", {"username": "b"})[1]["value"]
    second = register(fresh, "db-check-then-insert", {"username": "a"})[1]["value"]
    assert state(fresh, "db-check-then-insert") == {"accounts": [[first, "b"], [second, "a"]]}  # in id order


BAD_BODIES = [
    b"",  # no body at all: username is required
    b"not json",
    b'["alice"]',
    json.dumps({}).encode(),
    json.dumps({"username": ""}).encode(),
    json.dumps({"username": 42}).encode(),
    json.dumps({"username": None}).encode(),
    json.dumps({"username": "a" * 65}).encode(),
    json.dumps({"username": "x" * 10_000}).encode(),
    json.dumps({"username": "al ice"}).encode(),
    json.dumps({"username": "alice/../bob"}).encode(),
    json.dumps({"username": "älice"}).encode(),
    json.dumps({"username": "alice", "admin": True}).encode(),
    json.dumps({"username": "alice", "y" * 10_000: 1}).encode(),
]


@pytest.mark.parametrize("strategy", ["db-check-then-insert", "db-unique", "redis-setnx"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_input_is_a_400_json_error_and_writes_nothing(fresh: Any, strategy: str, body: bytes) -> None:
    before = state(fresh, strategy)
    status, answer, _ = register(fresh, strategy, body)
    assert (status, answer["error"]) == (400, "bad_request"), answer
    assert answer["message"] and len(answer["message"]) < 300
    assert state(fresh, strategy) == before


def test_reset_takes_no_parameters(fresh: Any) -> None:
    request = json.dumps({"scenario": "signup", "params": {"accounts": 3}}).encode()
    req = urllib.request.Request(
        f"{fresh.url}/api/lab/reset",
        method="POST",
        data=request,
        headers={"Content-Type": "application/json", "X-Lab-Token": fresh.token},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 400 and json.loads(info.value.read())["error"] == "bad_request"
