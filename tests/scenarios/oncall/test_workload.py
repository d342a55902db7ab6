"""The oncall workload: one shift per burst, every doctor of it at once, sized by the reset."""

from __future__ import annotations

from racelab import scenarios
from racelab.scenarios.oncall.operations import DEFAULT_DOCTORS, DEFAULT_SHIFTS
from racelab.scenarios.oncall.workload import OnCallWorkload

WORKLOAD = OnCallWorkload()


def test_a_burst_sends_every_doctor_of_one_shift_off_call() -> None:
    calls = [WORKLOAD.call(3, i, 3) for i in range(48)]
    assert {c.op for c in calls} == {"off-call"}
    assert {c.args["shift"] for c in calls} == {3}
    assert sorted(c.args["doctor"] for c in calls) == list(range(48))
    assert WORKLOAD.params(48) == {"shifts": DEFAULT_SHIFTS, "doctors": 48}  # one doctor per caller
    assert WORKLOAD.params(1)["doctors"] == 2  # someone to hand over to
    assert scenarios.scenario("oncall").parse_params(WORKLOAD.params(48))["doctors"] == 48


def test_without_bursts_calls_stay_within_the_default_roster() -> None:
    calls = [WORKLOAD.call(None, i, 250) for i in range(120)]
    assert {c.args["shift"] for c in calls} == {250 % DEFAULT_SHIFTS}
    assert max(c.args["doctor"] for c in calls) == DEFAULT_DOCTORS - 1
