"""The bench's pieces on small hand-made histories: no Locust, no stack.

Nothing here imports ``locust`` (which would monkey-patch the whole test process for gevent);
the burst gate runs on plain gevent greenlets.
"""

from __future__ import annotations

from types import SimpleNamespace

import gevent

from racelab.bench.board import Board, describe_collision, observed_scope
from racelab.bench.bursts import GO, BurstGate, Conductor
from racelab.bench.ledger import Ledger
from racelab.bench.webui import COLUMNS, table_rows, to_csv
from racelab.checkers.counter import Op, check_counter
from racelab.topology import Scope


def served(replica: str, pid: int, thread: str = "T-1") -> dict:
    return {"replica": replica, "pid": pid, "thread": thread}


def record(ledger: Ledger, strategy: str, values: list[int], who: list[dict] | None = None, burst: int = 0) -> None:
    for i, value in enumerate(values):
        ledger.sent(strategy, burst, 100.0 + i / 1000)
        ledger.completed(strategy, Op("ok", value, (who or [served("app-1", 1)])[i % len(who or [1])]))


# --- ledger ------------------------------------------------------------------------------------


def test_calls_sent_but_never_answered_are_indeterminate() -> None:
    ledger = Ledger()
    record(ledger, "s", [1, 2])
    ledger.sent("s", None, 1.0)  # cut off mid-flight
    tally = ledger.tally("s")
    assert tally.in_flight == 1
    result = check_counter(tally.history(), initial=0, final=3)
    assert (result.verdict, result.acknowledged, result.indeterminate) == ("holds", 2, 1)


def test_drained_payloads_merge_into_the_same_tallies() -> None:
    worker_a, worker_b, master = Ledger(), Ledger(), Ledger()
    record(worker_a, "s", [1, 2], [served("app-1", 11)], burst=7)
    record(worker_b, "s", [2, 3], [served("app-2", 22)], burst=7)
    worker_a.tally("s").retries = 3
    master.merge(worker_a.drain())
    master.merge(worker_b.drain())
    assert worker_a.tallies == {} and worker_b.tallies == {}
    tally = master.tally("s")
    assert (tally.sent, len(tally.ops), tally.retries) == (4, 4, 3)
    first, last, n = tally.rounds[7]
    assert (first, last, n) == (100.0, 100.001, 4)  # one burst across both workers
    result = check_counter(tally.history(), 0, 3)
    assert result.duplicates == 1
    assert {s["replica"] for s in result.collisions[0]["served_by"]} == {"app-1", "app-2"}


def test_burst_spread_is_first_to_last_send() -> None:
    ledger = Ledger()
    for at in (10.000, 10.004, 10.002):
        ledger.sent("s", 0, at)
    ledger.sent("s", 1, 11.0)  # a burst of one has no spread
    assert [round(x, 3) for x in ledger.tally("s").spreads_ms()] == [4.0]


# --- board -------------------------------------------------------------------------------------


class FakeLab:
    def __init__(self) -> None:
        self.values = {"db-thread-lock": 0}
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1
        self.values = dict.fromkeys(self.values, 0)

    def read(self, name: str) -> int:
        return self.values[name]


def test_board_computes_live_then_final_verdicts_with_the_checker() -> None:
    lab, board = FakeLab(), Board()
    board.begin(["db-thread-lock"], lab.reset, lab.read)
    assert lab.resets == 1 and board.table()[0]["state"] == "starting"
    record(board.ledger, "db-thread-lock", [1, 2, 2], [served("app-1", 1), served("app-2", 2)])
    lab.values["db-thread-lock"] = 2
    board.take_reading(lab.read)
    live = board.table()[0]
    assert (live["verdict"], live["duplicates"], live["lost"], live["state"]) == ("fails", 1, 1, "live")
    assert live["expected"] == "fails"  # two replicas answered: a thread lock cannot hold
    assert live["collision"].startswith("value 2: ")
    board.finish(lab.read)
    assert board.finished and board.table()[0]["state"] == "final"


def test_a_distributed_reading_waits_for_every_worker_to_report() -> None:
    lab, board = FakeLab(), Board()
    board.begin(["db-thread-lock"], lab.reset, lab.read)
    record(board.ledger, "db-thread-lock", [1])
    lab.values["db-thread-lock"] = 3  # two more increments landed from calls not yet reported
    board.take_reading(lab.read, workers={"w1", "w2"})
    assert board.table()[0]["state"] == "starting"  # held back
    board.ledger.merge({"db-thread-lock": {"ops": [], "sent": 2, "retries": 0, "wait_ms": 0.0, "rounds": {}}})
    board.worker_reported("w1")
    assert board.pending is not None
    board.worker_reported("w2")
    row = board.table()[0]
    # the two reported sends are in flight: the value 3 is within bounds, nothing is "excess"
    assert (row["verdict"], row["indeterminate"], row["state"]) == ("holds", 2, "live")


def test_rows_of_earlier_runs_stay_until_replaced() -> None:
    lab, board = FakeLab(), Board()
    lab.values["db-atomic"] = 0
    board.begin(["db-atomic"], lab.reset, lab.read)
    board.finish(lab.read)
    board.begin(["db-thread-lock"], lab.reset, lab.read)
    assert [r["name"] for r in board.table()] == ["db-thread-lock", "db-atomic"]  # registry order


def test_observed_scope_follows_who_answered() -> None:
    ledger = Ledger()
    record(ledger, "a", [1, 2], [served("app-1", 1, "T-1"), served("app-1", 1, "T-2")])
    record(ledger, "b", [1, 2], [served("app-1", 1), served("app-1", 2)])
    record(ledger, "c", [1], [served("app-1", 1)])
    assert observed_scope(ledger.tally("a")) is Scope.THREADS
    assert observed_scope(ledger.tally("b")) is Scope.PROCESSES
    assert observed_scope(ledger.tally("c")) is Scope.NONE


def test_collision_text_names_replica_pid_and_thread() -> None:
    result = check_counter(
        [Op("ok", 5, served("app-1", 10, "ThreadPoolExecutor-0_1")), Op("ok", 5, served("app-3", 30, "T"))], 0, 1
    )
    assert describe_collision(result) == "value 5: app-1 pid 10 thread 0_1 & app-3 pid 30 T"


def test_tab_rows_and_csv_have_every_column() -> None:
    lab, board = FakeLab(), Board()
    board.begin(["db-thread-lock"], lab.reset, lab.read)
    rows = table_rows(board)
    assert set(rows[0]) == {key for key, _ in COLUMNS}
    assert all(isinstance(v, (str, int, float)) for v in rows[0].values())  # no None/bool: blank cells
    csv_text = to_csv(board)
    assert csv_text.splitlines()[0].startswith("name,verdict,expected,attempted")
    assert csv_text.splitlines()[1].startswith("db-thread-lock,")


# --- bursts ------------------------------------------------------------------------------------


def test_gate_releases_everyone_together_once_the_burst_is_complete() -> None:
    gate = BurstGate(parties=lambda: 3, timeout=5)
    got: list[int | None] = []
    waiters = [gevent.spawn(lambda: got.append(gate.wait())) for _ in range(2)]
    gevent.sleep(0.01)
    assert got == []  # two of three: still waiting
    waiters.append(gevent.spawn(lambda: got.append(gate.wait())))
    gevent.joinall(waiters, timeout=2)
    assert got == [0, 0, 0] and gate.bursts == 1
    waiters = [gevent.spawn(lambda: got.append(gate.wait())) for _ in range(3)]
    gevent.joinall(waiters, timeout=2)
    assert got[3:] == [1, 1, 1]


def test_gate_fires_with_whoever_is_there_after_its_timeout() -> None:
    gate = BurstGate(parties=lambda: 5, timeout=0.05)
    got: list[int | None] = []
    gevent.joinall([gevent.spawn(lambda: got.append(gate.wait())) for _ in range(2)], timeout=2)
    assert got == [0, 0]


def test_closing_the_gate_releases_waiters_with_none() -> None:
    gate = BurstGate(parties=lambda: 5, timeout=5)
    got: list[int | None] = []
    waiter = gevent.spawn(lambda: got.append(gate.wait()))
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
        self.handlers: dict = {}
        self.sent: list[tuple[str, dict, str]] = []

    def register_message(self, kind: str, handler, concurrent: bool = False) -> None:  # type: ignore[no-untyped-def]
        self.handlers[kind] = handler

    def send_message(self, kind: str, data: dict, client_id: str) -> None:
        self.sent.append((kind, data, client_id))


def test_conductor_fires_once_every_worker_with_users_is_ready() -> None:
    master = FakeMaster({"w1": 5, "w2": 5, "idle": 0})
    conductor = Conductor(master, grace_s=5)
    conductor.on_ready(msg=SimpleNamespace(node_id="w1"))
    assert master.sent == []
    conductor.on_ready(msg=SimpleNamespace(node_id="w2"))
    assert [(kind, to) for kind, _, to in master.sent] == [(GO, "w1"), (GO, "w2")]
    assert master.sent[0][1] == master.sent[1][1]  # same burst id, same instant
    assert master.sent[0][1]["burst"] == 0 and conductor.next_burst == 1


def test_a_worker_gate_waits_for_the_masters_go() -> None:
    asked: list[bool] = []
    gate = BurstGate(parties=lambda: 2, timeout=5)
    gate.ask_master = lambda: asked.append(True)
    got: list[int | None] = []
    waiters = [gevent.spawn(lambda: got.append(gate.wait())) for _ in range(2)]
    gevent.sleep(0.01)
    assert asked == [True] and got == []
    gate.release(41, at=None)
    gevent.joinall(waiters, timeout=2)
    assert got == [41, 41]


def test_a_burst_due_after_the_gate_closed_sends_nothing() -> None:
    import time

    gate = BurstGate(parties=lambda: 1, timeout=5)
    gate.ask_master = lambda: None
    got: list[int | None] = []
    waiter = gevent.spawn(lambda: got.append(gate.wait()))
    gevent.sleep(0.01)
    gate.release(3, at=time.time() + 0.05)  # the master's "go", due a little later
    gate.close()  # the run ends first
    waiter.join(timeout=2)
    assert got == [None]
