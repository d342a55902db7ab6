"""The signup workload: every burst races on fresh names, many callers on each."""

from __future__ import annotations

from collections import Counter

from racelab import scenarios
from racelab.core.history import Call
from racelab.scenarios.signup.workload import NAMES_PER_BURST, SignupWorkload

WORKLOAD = SignupWorkload()


def test_bursts_of_48_put_every_caller_on_one_name_then_6_on_each_of_8() -> None:
    assert Counter(WORKLOAD.call(0, i, 0).args["username"] for i in range(48)) == {"u0-0": 48}
    names = Counter(WORKLOAD.call(1, i, 1).args["username"] for i in range(48))
    assert names == {f"u1-{n}": 6 for n in range(8)} and NAMES_PER_BURST == (1, 8)
    assert WORKLOAD.call(3, 11, 3) == Call("register", {"username": "u3-3"})


def test_every_burst_races_on_names_of_its_own() -> None:
    per_burst = [{WORKLOAD.call(r, i, r).args["username"] for i in range(48)} for r in range(3)]
    assert not per_burst[0] & per_burst[1] and not per_burst[1] & per_burst[2]


def test_without_bursts_callers_at_the_same_step_compete_for_the_same_names() -> None:
    assert WORKLOAD.call(None, 0, 5) == WORKLOAD.call(None, 8, 5) == Call("register", {"username": "s5-0"})
    assert WORKLOAD.call(None, 0, 5) != WORKLOAD.call(None, 0, 6)


def test_calls_are_valid_and_need_no_reset_parameters() -> None:
    scenario = scenarios.scenario("signup")
    assert scenario.parse_params(WORKLOAD.params(48)) == {}
    for r in (0, 7, None):
        call = WORKLOAD.call(r, 5, 99)
        assert scenario.operation(call.op).parse(call.args) == call.args


def test_lock_keys_are_per_username() -> None:
    keys = scenarios.scenario("signup").lock_keys
    assert keys("register", {"username": "alice"}) == ["username-alice"]
    assert keys("register", {"username": "alice"}) != keys("register", {"username": "bob"})
