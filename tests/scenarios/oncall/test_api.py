"""The oncall scenario through nginx, against the real stack: a doctor goes off call, the last one
is refused, and bad input gets a 4xx JSON error that leaves the roster untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.client import LabClient
from tests.conftest import Stack
from tests.scenarios.support import operate
from tests.scenarios.support import state as scenario_state

pytestmark = pytest.mark.stack

STRATEGIES = list(scenarios.scenario("oncall").strategies)


@pytest.fixture
def fresh(stack: Stack) -> Stack:
    """Every oncall strategy back to 100 shifts of 50 doctors, all on call."""
    LabClient(stack.url, stack.token).reset("oncall")
    return stack


def off_call(stack: Stack, strategy: str, body: Any) -> tuple[int, Any, Any]:
    return operate(stack, "oncall", strategy, "off-call", body)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_one_doctor_goes_off_call_and_the_change_is_recorded(fresh: Stack, strategy: str) -> None:
    status, body, _ = off_call(fresh, strategy, {"shift": 4, "doctor": 7})
    assert status == 200, body
    assert list(body) == ["value", "strategy", "served_by"] and isinstance(body["value"], int)
    after = scenario_state(fresh, "oncall", strategy)
    assert after == {"doctors": 50, "shifts": {"4": {"off_call": [7], "changes": [[body["value"], 7]]}}}


def test_the_last_doctor_on_call_is_refused_and_nothing_is_written(fresh: Stack) -> None:
    LabClient(fresh.url, fresh.token).reset("oncall", {"shifts": 2, "doctors": 2})
    assert off_call(fresh, "for-update", {"shift": 1, "doctor": 0})[0] == 200
    status, body, _ = off_call(fresh, "for-update", {"shift": 1, "doctor": 1})
    assert (status, body["error"], body["doctor"]) == (409, "last_on_call", 1)
    status, body, _ = off_call(fresh, "for-update", {"shift": 1, "doctor": 0})
    assert (status, body["error"]) == (409, "not_on_call")
    assert scenario_state(fresh, "oncall", "for-update")["shifts"]["1"]["off_call"] == [0]


BAD = [
    (b"{}", 400, "bad_request"),
    (json.dumps({"shift": 0}).encode(), 400, "bad_request"),
    (json.dumps({"shift": "0", "doctor": 1}).encode(), 400, "bad_request"),
    (json.dumps({"shift": 0, "doctor": -1}).encode(), 400, "bad_request"),
    (json.dumps({"shift": 0, "doctor": 1, "extra": 1}).encode(), 400, "bad_request"),
    (json.dumps({"shift": 0, "doctor": 999}).encode(), 404, "unknown_doctor"),  # beyond this lab's 50
    (json.dumps({"shift": 10**40, "doctor": 1}).encode(), 404, "unknown_doctor"),
]


@pytest.mark.parametrize(("body", "status", "error"), BAD)
def test_bad_input_is_a_4xx_json_error_and_writes_nothing(fresh: Stack, body: bytes, status: int, error: str) -> None:
    answer, reply, _ = off_call(fresh, "serializable", body)
    assert (answer, reply["error"]) == (status, error), reply
    assert scenario_state(fresh, "oncall", "serializable")["shifts"] == {}
