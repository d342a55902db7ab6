"""The payment workload: every logical payment sent as several identical copies at once."""

from __future__ import annotations

from collections import Counter

from racelab import scenarios
from racelab.core.history import Call
from racelab.scenarios.payment.workload import PaymentWorkload, amount

WORKLOAD = PaymentWorkload()


def test_bursts_of_48_send_one_payment_48_times_then_16_payments_3_times() -> None:
    crowded = Counter(WORKLOAD.call(0, i, 0).headers["Idempotency-Key"] for i in range(48))
    assert crowded == {"p0-0": 48}
    calls = [WORKLOAD.call(1, i, 1) for i in range(48)]
    keys = Counter(call.headers["Idempotency-Key"] for call in calls)
    assert len(keys) == 16 and set(keys.values()) == {3}
    assert calls[0] == calls[16] == calls[32] != calls[1]
    assert calls[17] == Call("charge", {"amount": amount("p1-1")}, headers={"Idempotency-Key": "p1-1"})


def test_every_burst_sends_payments_of_its_own() -> None:
    per_burst = [{WORKLOAD.call(r, i, r).headers["Idempotency-Key"] for i in range(48)} for r in range(3)]
    assert not per_burst[0] & per_burst[1] and not per_burst[1] & per_burst[2]


def test_amounts_come_from_the_key_and_vary() -> None:
    assert amount("p0-0") == amount("p0-0")
    amounts = {amount(f"p0-{n}") for n in range(16)}
    assert len(amounts) > 10 and all(100 <= a <= 9_999 for a in amounts)


def test_without_bursts_callers_at_the_same_step_send_the_same_payments() -> None:
    assert WORKLOAD.call(None, 3, 5) == WORKLOAD.call(None, 19, 5)
    assert WORKLOAD.call(None, 3, 5).headers == {"Idempotency-Key": "s5-3"}
    assert WORKLOAD.call(None, 3, 5) != WORKLOAD.call(None, 3, 6)


def test_calls_are_valid_and_need_no_reset_parameters() -> None:
    scenario = scenarios.scenario("payment")
    assert scenario.parse_params(WORKLOAD.params(48)) == {}
    operation = scenario.operation("charge")
    assert operation.reads_headers == ("Idempotency-Key",)
    for r in (0, 7, None):
        call = WORKLOAD.call(r, 5, 99)
        assert operation.parse(call.args) == call.args


def test_lock_keys_are_per_idempotency_key() -> None:
    keys = scenarios.scenario("payment").lock_keys
    assert keys("charge", {"amount": 5, "idempotency_key": "k1"}) == ["key-k1"]
    assert keys("charge", {"idempotency_key": "k1"}) != keys("charge", {"idempotency_key": "k2"})
    assert keys("charge", {"amount": 5, "idempotency_key": None}) == ["key-"]
