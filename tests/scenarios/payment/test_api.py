"""The payment scenario through nginx, against the real stack: one charge and its replay, the
state's shape, and every bad input (body or key) refused with a 4xx JSON error that writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.client import LabClient
from tests.scenarios.support import operate
from tests.scenarios.support import state as scenario_state

pytestmark = pytest.mark.stack

STRATEGIES = list(scenarios.scenario("payment").strategies)
KEYED = [name for name in STRATEGIES if name != "no-key"]


def charge(stack: Any, strategy: str, body: Any, key: str | None = "k1") -> tuple[int, Any, Any]:
    return operate(stack, "payment", strategy, "charge", body, None if key is None else {"Idempotency-Key": key})


def state(stack: Any, strategy: str) -> dict[str, Any]:
    return scenario_state(stack, "payment", strategy)


@pytest.fixture
def fresh(stack: Any) -> Any:
    """Every payment strategy back to no charges and no keys."""
    LabClient(stack.url, stack.token).reset("payment")
    return stack


@pytest.mark.parametrize("strategy", KEYED)
def test_a_retry_with_the_same_key_replays_the_payment_without_charging_again(fresh: Any, strategy: str) -> None:
    status, body, headers = charge(fresh, strategy, {"amount": 500}, "order-7.a_1")
    assert status == 200, body
    assert list(body) == ["value", "strategy", "served_by"] and body["strategy"] == strategy
    assert isinstance(body["value"], int) and body["served_by"]["replica"] in {"app-1", "app-2", "app-3"}
    assert headers.get("Idempotent-Replayed") is None
    after = {"payments": [[body["value"], "order-7.a_1", 500]]}
    assert state(fresh, strategy) == after
    status, again, headers = charge(fresh, strategy, {"amount": 500}, "order-7.a_1")
    assert (status, again["value"], headers["Idempotent-Replayed"]) == (200, body["value"], "true"), again
    assert state(fresh, strategy) == after
    status, answer, _ = charge(fresh, strategy, {"amount": 501}, "order-7.a_1")  # not a retry: another request
    assert (status, answer["error"], answer["amount"], answer["asked"]) == (422, "idempotency_key_reused", 500, 501)
    assert state(fresh, strategy) == after


def test_without_key_handling_every_retry_is_a_new_charge(fresh: Any) -> None:
    first = charge(fresh, "no-key", {"amount": 500})[1]["value"]
    second = charge(fresh, "no-key", {"amount": 500})[1]["value"]
    third = charge(fresh, "no-key", {"amount": 500}, key=None)[1]["value"]
    assert len({first, second, third}) == 3
    assert state(fresh, "no-key") == {"payments": [[first, "k1", 500], [second, "k1", 500], [third, None, 500]]}


BAD_BODIES = [
    b"",  # no body at all: amount is required
    b"not json",
    b"[500]",
    json.dumps({}).encode(),
    json.dumps({"amount": 0}).encode(),
    json.dumps({"amount": -5}).encode(),
    json.dumps({"amount": 100_001}).encode(),
    json.dumps({"amount": 10**40}).encode(),
    json.dumps({"amount": "500"}).encode(),
    json.dumps({"amount": 5.5}).encode(),
    json.dumps({"amount": True}).encode(),
    json.dumps({"amount": 500, "idempotency_key": "k1"}).encode(),
    json.dumps({"amount": 500, "y" * 10_000: 1}).encode(),
]


@pytest.mark.parametrize("strategy", ["no-key", "key-unique"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_bad_body_is_a_400_json_error_and_writes_nothing(fresh: Any, strategy: str, body: bytes) -> None:
    before = state(fresh, strategy)
    status, answer, _ = charge(fresh, strategy, body)
    assert (status, answer["error"]) == (400, "bad_request"), answer
    assert answer["message"] and len(answer["message"]) < 300
    assert state(fresh, strategy) == before


BAD_KEYS = ["", "a" * 65, "has space", "ключ", "k1;drop", "x" * 1000]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_malformed_key_is_a_400_for_every_strategy_and_writes_nothing(fresh: Any, strategy: str) -> None:
    for key in BAD_KEYS:
        status, answer, _ = charge(fresh, strategy, {"amount": 500}, key.encode("utf-8").decode("latin-1"))
        assert (status, answer["error"]) == (400, "bad_request"), (key, answer)
        assert "Idempotency-Key" in answer["message"] and len(answer["message"]) < 300
    assert state(fresh, strategy) == {"payments": []}


@pytest.mark.parametrize("strategy", KEYED)
def test_strategies_that_use_keys_refuse_a_request_without_one(fresh: Any, strategy: str) -> None:
    status, answer, _ = charge(fresh, strategy, {"amount": 500}, key=None)
    assert (status, answer["error"]) == (400, "bad_request"), answer
    assert "Idempotency-Key header is required" in answer["message"]
    assert state(fresh, strategy) == {"payments": []}


def test_a_10_kb_key_is_refused_by_nginx_as_json_before_any_replica_sees_it(fresh: Any) -> None:
    status, answer, _ = charge(fresh, "no-key", {"amount": 500}, "k" * 10_000)
    assert 400 <= status < 500 and answer["error"] and answer["message"], answer  # nginx: 431
    assert state(fresh, "no-key") == {"payments": []}
