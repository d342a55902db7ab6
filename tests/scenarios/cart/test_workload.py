"""The cart workload: one shopper, a different item with every call."""

from __future__ import annotations

from racelab import scenarios
from racelab.core.history import Call
from racelab.scenarios.cart.workload import CartWorkload

WORKLOAD = CartWorkload()


def test_every_call_of_a_run_adds_an_item_of_its_own() -> None:
    items = [WORKLOAD.call(r, i, r).args["item"] for r in range(3) for i in range(48)]
    assert len(set(items)) == len(items) == 144
    assert WORKLOAD.call(2, 7, 2) == Call("add", {"item": "b2-7"})
    assert WORKLOAD.call(None, 7, 3) == Call("add", {"item": "s3-7"})


def test_calls_are_valid_and_the_run_starts_a_session_first() -> None:
    scenario = scenarios.scenario("cart")
    assert scenario.parse_params(WORKLOAD.params(48)) == {}
    assert scenario.session_start == "open" and scenario.operation("open").parse({}) == {}
    for r in (0, 7, None):
        call = WORKLOAD.call(r, 5, 99)
        assert scenario.operation(call.op).parse(call.args) == call.args
