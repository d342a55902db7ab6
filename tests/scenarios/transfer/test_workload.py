"""The transfer workload: deterministic, contended, and with opposite transfers released together."""

from __future__ import annotations

from collections import Counter

from racelab.scenarios.transfer.operations import DEFAULT_ACCOUNTS, parse_transfer
from racelab.scenarios.transfer.workload import HOT, MAX_DRAWN, REVERSE_EVERY, TransferWorkload

WORKLOAD = TransferWorkload()
CALLERS = 48


def burst(r: int) -> list[tuple[int, int, int]]:
    calls = [WORKLOAD.call(r, i, r) for i in range(CALLERS)]
    assert {c.op for c in calls} == {"transfer"}
    return [(c.args["from"], c.args["to"], c.args["amount"]) for c in calls]


def test_the_same_burst_and_position_give_the_same_call() -> None:
    assert burst(0) == burst(0)
    assert burst(0) != burst(1)
    assert WORKLOAD.call(None, 3, 5) == WORKLOAD.call(5, 3, 0)  # without bursts, seq picks the draw


def test_every_call_is_a_valid_transfer_among_few_accounts() -> None:
    for r in range(6):
        calls = burst(r)
        for source, target, amount in calls:
            parse_transfer({"from": source, "to": target, "amount": amount})
            assert 1 <= amount <= MAX_DRAWN
            assert 1 <= source <= DEFAULT_ACCOUNTS and 1 <= target <= DEFAULT_ACCOUNTS
        touched = Counter(a for source, target, _ in calls for a in (source, target))
        assert len(touched) <= HOT
        assert min(touched.values()) >= 2  # every account in play is contended


def test_some_callers_pay_against_the_flow_at_the_same_instant() -> None:
    for r in range(4):
        calls = burst(r)
        for leader in range(0, CALLERS, REVERSE_EVERY):
            (a, b, _), (c, d, _) = calls[leader], calls[leader + 1]
            assert (c, d) == (b, a)  # the same two accounts, opposite directions
        upward = [source < target for source, target, _ in calls]
        assert sum(upward) == (CALLERS - CALLERS // REVERSE_EVERY if r % 2 == 0 else CALLERS // REVERSE_EVERY)


def test_defaults_are_the_params() -> None:
    assert WORKLOAD.params(48) == {"accounts": DEFAULT_ACCOUNTS, "balance": 1000}
