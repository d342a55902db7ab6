"""The inventory scenario through nginx, against the real stack: one purchase, the state's shape,
the two refusals (sold out, unknown product), and every bad input refused with a 4xx JSON error
that leaves the state untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.client import LabClient
from tests.scenarios.support import operate, send
from tests.scenarios.support import state as scenario_state

pytestmark = pytest.mark.stack

STRATEGIES = list(scenarios.scenario("inventory").strategies)


def buy(stack: Any, strategy: str, body: Any) -> tuple[int, Any, Any]:
    return operate(stack, "inventory", strategy, "buy", body)


def state(stack: Any, strategy: str) -> dict[str, Any]:
    return scenario_state(stack, "inventory", strategy)


@pytest.fixture
def fresh(stack: Any) -> Any:
    """Every inventory strategy back to 100 products of 20 items each and no orders."""
    LabClient(stack.url, stack.token).reset("inventory")
    return stack


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_purchase_takes_one_item_and_records_its_order(fresh: Any, strategy: str) -> None:
    status, body, headers = buy(fresh, strategy, {"product": 3})
    assert status == 200, body
    assert list(body) == ["value", "strategy", "served_by"] and body["strategy"] == strategy
    assert isinstance(body["value"], int) and body["served_by"]["replica"] in {"app-1", "app-2", "app-3"}
    assert headers["X-Racelab-Retries"] == "0"
    after = {"stock_per_product": 20, "products": {"3": {"stock": 19, "orders": [body["value"]]}}}
    assert state(fresh, strategy) == after


def test_the_state_lists_only_touched_products(fresh: Any) -> None:
    assert state(fresh, "db-check-then-act") == {"stock_per_product": 20, "products": {}}
    assert state(fresh, "redis-check-then-act") == {"stock_per_product": 20, "products": {}}


BAD_BODIES = [
    (b"", 400, "bad_request"),  # no body at all: product is required
    (b"not json", 400, "bad_request"),
    (b"[0]", 400, "bad_request"),
    (b"{}", 400, "bad_request"),
    (json.dumps({"product": None}).encode(), 400, "bad_request"),
    (json.dumps({"product": -1}).encode(), 400, "bad_request"),
    (json.dumps({"product": "3"}).encode(), 400, "bad_request"),
    (json.dumps({"product": 1.5}).encode(), 400, "bad_request"),
    (json.dumps({"product": True}).encode(), 400, "bad_request"),
    (json.dumps({"product": "x" * 10_000}).encode(), 400, "bad_request"),
    (json.dumps({"product": 1, "y" * 10_000: 1}).encode(), 400, "bad_request"),
    (json.dumps({"product": 100}).encode(), 404, "unknown_product"),  # beyond the lab's 100 products
    (json.dumps({"product": 10**40}).encode(), 404, "unknown_product"),
    (('{"product": ' + "9" * 4000 + "}").encode(), 404, "unknown_product"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_BODIES, ids=range(len(BAD_BODIES)))
@pytest.mark.parametrize("strategy", ["db-conditional", "redis-lua"])
def test_bad_input_is_a_4xx_json_error_and_writes_nothing(
    fresh: Any, strategy: str, body: bytes, status: int, code: str
) -> None:
    before = state(fresh, strategy)
    got, answer, _ = buy(fresh, strategy, body)
    assert (got, answer["error"]) == (status, code), answer
    assert answer["message"] and len(json.dumps(answer)) < 400
    assert state(fresh, strategy) == before


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_strategy_refuses_sold_out_and_unknown_products_writing_nothing(fresh: Any, strategy: str) -> None:
    client = LabClient(fresh.url, fresh.token)
    try:
        client.reset("inventory", {"stock": 1, "products": 2})
        status, body, _ = buy(fresh, strategy, {"product": 1})
        assert status == 200, body
        after_sale = {"stock_per_product": 1, "products": {"1": {"stock": 0, "orders": [body["value"]]}}}
        assert state(fresh, strategy) == after_sale
        for args, status, code in [
            ({"product": 1}, 409, "sold_out"),
            ({"product": 2}, 404, "unknown_product"),  # beyond this lab's 2 products
        ]:
            got, answer, _ = buy(fresh, strategy, args)
            assert (got, answer["error"], answer["product"]) == (status, code, args["product"]), answer
        assert state(fresh, strategy) == after_sale
    finally:
        client.reset("inventory")


def test_reset_parameters_shape_the_shop(fresh: Any) -> None:
    client = LabClient(fresh.url, fresh.token)
    try:
        client.reset("inventory", {"stock": 0, "products": 1})
        assert state(fresh, "db-for-update") == {"stock_per_product": 0, "products": {}}
        got, answer, _ = buy(fresh, "db-for-update", {"product": 0})
        assert (got, answer["error"]) == (409, "sold_out")
        for params in ({"products": 0}, {"stock": -1}, {"stock": 10**7}, {"shelves": 3}):
            body = json.dumps({"scenario": "inventory", "params": params}).encode()
            status, answer, _ = send(f"{fresh.url}/api/lab/reset", "POST", body, {"X-Lab-Token": fresh.token})
            assert (status, answer["error"]) == (400, "bad_request"), params
    finally:
        client.reset("inventory")
