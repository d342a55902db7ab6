"""The burst gate and the master's conductor, on plain gevent greenlets (no Locust imported:
it would monkey-patch the whole test process)."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import gevent

from racelab.bench.bursts import GO, READY, BurstGate, Conductor, Ticket, join_conductor


def arrive(gate: BurstGate, got: list[Ticket | None], n: int) -> list[gevent.Greenlet]:
    waiters = []
    for _ in range(n):
        waiters.append(gevent.spawn(lambda: got.append(gate.wait())))
        gevent.sleep(0)  # let it reach the gate: arrival order is position order
    return waiters


def test_gate_releases_everyone_together_with_positions_in_arrival_order() -> None:
    gate = BurstGate(parties=lambda: 3, timeout=5)
    got: list[Ticket | None] = []
    waiters = arrive(gate, got, 2)
    gevent.sleep(0.01)
    assert got == []  # two of three: still waiting
    waiters += arrive(gate, got, 1)
    gevent.joinall(waiters, timeout=2)
    assert sorted(got, key=lambda t: t.position if t else -1) == [Ticket(0, 0, 3), Ticket(0, 1, 3), Ticket(0, 2, 3)]
    assert gate.bursts == 1
    waiters = arrive(gate, got, 3)
    gevent.joinall(waiters, timeout=2)
    assert sorted(t.position for t in got[3:] if t) == [0, 1, 2]  # positions start again each burst
    assert {t.burst for t in got[3:] if t} == {1}


def test_gate_fires_with_whoever_is_there_after_its_timeout() -> None:
    gate = BurstGate(parties=lambda: 5, timeout=0.05)
    got: list[Ticket | None] = []
    gevent.joinall(arrive(gate, got, 2), timeout=2)
    assert sorted(got, key=lambda t: t.position if t else -1) == [Ticket(0, 0, 2), Ticket(0, 1, 2)]


def test_closing_the_gate_releases_waiters_with_none() -> None:
    gate = BurstGate(parties=lambda: 5, timeout=5)
    got: list[Ticket | None] = []
    waiter = arrive(gate, got, 1)[0]
    gevent.sleep(0.01)
    gate.close()
    waiter.join(timeout=1)
    assert got == [None] and gate.wait() is None
    gate.open()
    assert gate.closed is False


class FakeMaster:
    def __init__(self, workers: dict[str, int]) -> None:
        self.clients = {
            name: SimpleNamespace(id=name, user_count=users, state="running") for name, users in workers.items()
        }
        self.handlers: dict[str, Any] = {}
        self.sent: list[tuple[str, Any, str | None]] = []

    def register_message(self, kind: str, handler: Any, concurrent: bool = False) -> None:
        self.handlers[kind] = handler

    def send_message(self, kind: str, data: Any = None, client_id: str | None = None) -> None:
        self.sent.append((kind, data, client_id))


def ready(conductor: Conductor, node: str, waiting: int) -> None:
    conductor.on_ready(msg=SimpleNamespace(node_id=node, data={"waiting": waiting}))


def test_conductor_fires_once_every_worker_with_users_is_ready_and_numbers_their_positions() -> None:
    master = FakeMaster({"w1": 5, "w2": 5, "idle": 0})
    conductor = Conductor(master, grace_s=5)
    ready(conductor, "w2", 5)
    assert master.sent == []
    ready(conductor, "w1", 4)
    assert [(kind, to) for kind, _, to in master.sent] == [(GO, "w1"), (GO, "w2")]
    go1, go2 = master.sent[0][1], master.sent[1][1]
    assert (go1["burst"], go1["at"]) == (go2["burst"], go2["at"]) == (0, go1["at"])  # same burst, same instant
    assert (go1["offset"], go2["offset"]) == (0, 4)  # w2's users come after w1's four
    assert conductor.next_burst == 1 and conductor.ready == {}


def test_a_worker_gate_asks_the_master_and_takes_its_offset() -> None:
    worker = FakeMaster({})
    gate = BurstGate(parties=lambda: 2, timeout=5)
    join_conductor(worker, gate)
    got: list[Ticket | None] = []
    waiters = arrive(gate, got, 2)
    gevent.sleep(0.01)
    assert worker.sent == [(READY, {"waiting": 2}, None)] and got == []
    worker.handlers[GO](msg=SimpleNamespace(data={"burst": 41, "at": time.time(), "offset": 10}))
    gevent.joinall(waiters, timeout=2)
    assert sorted(t.position for t in got if t) == [10, 11] and {t.burst for t in got if t} == {41}


def test_a_burst_due_after_the_gate_closed_sends_nothing() -> None:
    gate = BurstGate(parties=lambda: 1, timeout=5)
    gate.ask_master = lambda waiting: None
    got: list[Ticket | None] = []
    waiter = arrive(gate, got, 1)[0]
    gevent.sleep(0.01)
    gate.release(3, at=time.time() + 0.05)  # the master's "go", due a little later
    gate.close()  # the run ends first
    waiter.join(timeout=2)
    assert got == [None]
