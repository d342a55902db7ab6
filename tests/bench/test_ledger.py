"""The ledger on hand-made calls: what was sent, what came back, and what travels to the master.
No Locust, no stack."""

from __future__ import annotations

import pytest

from racelab.bench.ledger import IN_FLIGHT, LATE, Ledger
from racelab.core.history import Call, Op, counts

KEY = "inventory/db-check-then-act"


def buy(product: int = 0) -> Call:
    return Call("buy", {"product": product})


def answer(call: Call, value: int, sent: float = 100.0, burst: int | None = 0) -> Op:
    served = {"replica": "app-1", "pid": 1, "thread": "T-1"}
    return Op(call.op, call.args, "ok", value, served, sent=sent, answered=sent + 0.01, burst=burst)


def test_a_call_sent_but_never_answered_is_indeterminate_with_its_arguments() -> None:
    ledger = Ledger()
    done = ledger.sent(KEY, buy(0), 0, 100.0)
    ledger.completed(KEY, done, answer(buy(0), 1))
    ledger.sent(KEY, buy(3), 0, 100.001)  # cut off mid-flight
    history = ledger.tally(KEY).history()
    assert counts(history) == {"attempted": 2, "acknowledged": 1, "failed": 0, "indeterminate": 1}
    cut = history[-1]
    # a checker needs to know what it might have done: which product it may have bought
    assert (cut.status, cut.args, cut.error, cut.sent, cut.burst) == ("info", {"product": 3}, IN_FLIGHT, 100.001, 0)


def test_a_reading_vouches_only_for_calls_completed_before_it_began() -> None:
    ledger = Ledger()
    for value in (1, 2, 3):
        ledger.completed(KEY, ledger.sent(KEY, buy(), 0, 100.0), answer(buy(), value))
    ledger.sent(KEY, buy(), 0, 100.0)
    history = ledger.tally(KEY).history(settled=1)  # two completed while the state was being read
    assert [op.status for op in history] == ["ok", "info", "info", "info"]
    assert [op.error for op in history[1:3]] == [LATE, LATE]
    assert history[1].sent == 100.0 and history[1].value is None  # still a call that was sent


def test_a_drain_ships_new_calls_and_a_snapshot_of_those_in_flight() -> None:
    worker, master = Ledger(), Ledger()
    first = worker.sent(KEY, buy(1), 7, 100.0)
    worker.sent(KEY, buy(2), 7, 100.004)
    master.merge(worker.drain(), "w1")
    tally = master.tally(KEY)
    assert (len(tally.ops), len(tally.in_flight()), tally.sent) == (0, 2, 2)
    # the call completes: the next drain carries it, and the snapshot no longer does
    worker.completed(KEY, first, answer(buy(1), 11, burst=7))
    master.merge(worker.drain(), "w1")
    assert (len(tally.ops), [op.args for op in tally.in_flight()], tally.sent) == (1, [{"product": 2}], 2)
    assert worker.tally(KEY).ops == [] and len(worker.tally(KEY).pending) == 1  # in flight stays on the worker
    assert tally.ops[0] == answer(buy(1), 11, burst=7)  # an Op survives the trip unchanged


def test_bursts_merge_across_workers_into_one_spread() -> None:
    a, b, master = Ledger(), Ledger(), Ledger()
    for ledger, at in ((a, 10.000), (a, 10.002), (b, 10.004)):
        ledger.sent(KEY, buy(), 0, at)
    a.sent(KEY, buy(), 1, 11.0)  # a burst of one has no spread
    master.merge(a.drain(), "a")
    master.merge(b.drain(), "b")
    tally = master.tally(KEY)
    assert tally.rounds[0] == [10.000, 10.004, 3]
    assert [round(s, 3) for s in tally.spreads_ms()] == [4.0]
    assert len(tally.in_flight()) == 4  # from both workers


def test_the_payload_travels_as_msgpack() -> None:
    msgpack = pytest.importorskip("msgpack")
    ledger = Ledger()
    ledger.completed(KEY, ledger.sent(KEY, buy(5), 3, 1.5), answer(buy(5), 9, burst=3))
    ledger.sent(KEY, Call("charge", {"amount": 100}, {"Idempotency-Key": "p0-0"}), 3, 1.6)
    payload = ledger.drain()
    travelled = msgpack.unpackb(msgpack.packb(payload), strict_map_key=False)
    master = Ledger()
    master.merge(travelled, "w")
    tally = master.tally(KEY)
    assert tally.ops == [answer(buy(5), 9, burst=3)]
    assert tally.in_flight()[0].headers == {"Idempotency-Key": "p0-0"}
