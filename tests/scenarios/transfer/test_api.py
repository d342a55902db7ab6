"""The transfer scenario through nginx, against the real stack: one transfer, the state's shape,
and every bad input refused with a 4xx JSON error that leaves the state untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.client import LabClient
from tests.scenarios.support import operate, send
from tests.scenarios.support import state as scenario_state

pytestmark = pytest.mark.stack

STRATEGIES = list(scenarios.scenario("transfer").strategies)


def transfer(stack: Any, strategy: str, body: Any) -> tuple[int, Any, Any]:
    return operate(stack, "transfer", strategy, "transfer", body)


def state(stack: Any, strategy: str) -> dict[str, Any]:
    return scenario_state(stack, "transfer", strategy)


@pytest.fixture
def fresh(stack: Any) -> Any:
    """Every transfer strategy back to 10 accounts of 1000 and an empty ledger."""
    LabClient(stack.url, stack.token).reset("transfer")
    return stack


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_transfer_moves_money_and_records_its_id(fresh: Any, strategy: str) -> None:
    status, body, headers = transfer(fresh, strategy, {"from": 1, "to": 2, "amount": 5})
    assert status == 200, body
    assert list(body) == ["value", "strategy", "served_by"] and body["strategy"] == strategy
    assert isinstance(body["value"], int) and body["served_by"]["replica"] in {"app-1", "app-2", "app-3"}
    assert headers["X-Racelab-Deadlocks"] == "0"
    after = state(fresh, strategy)
    assert after["balances"] == {"1": 995, "2": 1005, **{str(i): 1000 for i in range(3, 11)}}
    assert after["ledger"] == [[body["value"], 1, 2, 5]]


def test_the_state_is_every_balance_and_the_ledger(fresh: Any) -> None:
    assert state(fresh, "db-unsafe") == {"balances": {str(i): 1000 for i in range(1, 11)}, "ledger": []}


BAD_BODIES = [
    (b"", 400, "bad_request"),  # no body at all: from is required
    (b"not json", 400, "bad_request"),
    (b"[1, 2, 5]", 400, "bad_request"),
    (json.dumps({"from": 1, "to": 2}).encode(), 400, "bad_request"),
    (json.dumps({"from": 1, "to": 2, "amount": -5}).encode(), 400, "bad_request"),
    (json.dumps({"from": 1, "to": 2, "amount": 0}).encode(), 400, "bad_request"),
    (json.dumps({"from": 1, "to": 2, "amount": "5"}).encode(), 400, "bad_request"),
    (json.dumps({"from": 3, "to": 3, "amount": 5}).encode(), 400, "bad_request"),
    (json.dumps({"from": "x" * 10_000, "to": 2, "amount": 5}).encode(), 400, "bad_request"),
    (json.dumps({"from": 1, "to": 2, "amount": 5, "y" * 10_000: 1}).encode(), 400, "bad_request"),
    (json.dumps({"from": 0, "to": 2, "amount": 5}).encode(), 404, "unknown_account"),
    (json.dumps({"from": 1, "to": 10**40, "amount": 5}).encode(), 404, "unknown_account"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_BODIES)
def test_bad_input_is_a_4xx_json_error_and_writes_nothing(fresh: Any, body: bytes, status: int, code: str) -> None:
    before = state(fresh, "db-conditional")
    got, answer, _ = transfer(fresh, "db-conditional", body)
    assert (got, answer["error"]) == (status, code), answer
    assert answer["message"] and len(answer["message"]) < 300
    assert state(fresh, "db-conditional") == before


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_strategy_refuses_unknown_accounts_and_overdrafts_writing_nothing(fresh: Any, strategy: str) -> None:
    before = state(fresh, strategy)
    for body, status, code in [
        ({"from": 1, "to": 11, "amount": 5}, 404, "unknown_account"),  # beyond the lab's 10 accounts
        ({"from": 11, "to": 1, "amount": 5}, 404, "unknown_account"),
        ({"from": 1, "to": 2, "amount": 1001}, 409, "insufficient_funds"),
        ({"from": 2, "to": 1, "amount": 1001}, 409, "insufficient_funds"),
    ]:
        got, answer, _ = transfer(fresh, strategy, body)
        assert (got, answer["error"]) == (status, code), (body, answer)
    assert state(fresh, strategy) == before


def test_reset_parameters_shape_the_bank(fresh: Any) -> None:
    client = LabClient(fresh.url, fresh.token)
    try:
        client.reset("transfer", {"accounts": 3, "balance": 50})
        assert state(fresh, "db-advisory") == {"balances": {"1": 50, "2": 50, "3": 50}, "ledger": []}
        assert transfer(fresh, "db-advisory", {"from": 1, "to": 4, "amount": 5})[0] == 404
        assert transfer(fresh, "db-advisory", {"from": 1, "to": 3, "amount": 51})[0] == 409
        body = json.dumps({"scenario": "transfer", "params": {"accounts": 1}}).encode()
        status, answer, _ = send(f"{fresh.url}/api/lab/reset", "POST", body, {"X-Lab-Token": fresh.token})
        assert (status, answer["error"]) == (400, "bad_request")
    finally:
        client.reset("transfer")
