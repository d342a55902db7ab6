"""The board on hand-made histories and a fake lab: resets, live and final readings, and the
engine's judge deciding every verdict. No Locust, no stack."""

from __future__ import annotations

from typing import Any

from racelab import scenarios
from racelab.bench.board import Board
from racelab.bench.ledger import Ledger
from racelab.core.history import Call, Op
from racelab.core.strategy import Strategy
from racelab.topology import Scope
from tests.bench.support import FakeLab

THREAD_LOCK = scenarios.get("counter/db-thread-lock")
ATOMIC = scenarios.get("counter/db-atomic")
CHECK_THEN_ACT = scenarios.get("inventory/db-check-then-act")


def who(replica: str, pid: int, thread: str = "T-1") -> dict[str, Any]:
    return {"replica": replica, "pid": pid, "thread": thread}


def record(ledger: Ledger, key: str, values: list[int], served: list[dict[str, Any]], at: float = 100.0) -> None:
    """Calls of one burst that overlapped (all in flight from ``at`` to ``at + 0.05``)."""
    for i, value in enumerate(values):
        token = ledger.sent(key, Call("next"), 0, at + i / 1000)
        op = Op("next", {}, "ok", value, served[i % len(served)], sent=at + i / 1000, answered=at + 0.05, burst=0)
        ledger.completed(key, token, op)


def started(targets: list[Strategy], lab: FakeLab | None = None, burst: int = 20, users: int = 20) -> Board:
    board = Board()
    board.begin(targets, lab or FakeLab(), Scope.REPLICAS, burst, users)
    return board


def test_live_then_final_verdicts_come_from_the_judge() -> None:
    lab, board = FakeLab(), Board()
    board.begin([THREAD_LOCK], lab, Scope.REPLICAS, 20, 20)
    assert board.table("counter")[0]["state"] == "starting"
    record(board.ledger, THREAD_LOCK.key, [1, 2, 2], [who("app-1", 1), who("app-2", 2)])
    lab.values[THREAD_LOCK.key] = 2
    board.take_reading(lab)
    live = board.table("counter")[0]
    assert (live["verdict"], live["expected"], live["state"]) == ("fails", "fails", "live")
    assert (live["duplicates"], live["lost"], live["attempted"], live["concurrency"]) == (1, 1, 3, 3)
    assert live["example"] == "value 2: app-2 pid 2 T-1 & app-1 pid 1 T-1"
    judgements = board.finish(lab)
    assert board.finished and board.table("counter")[0]["state"] == "final"
    assert judgements[THREAD_LOCK.key].verdict == "fails"


def test_calls_in_flight_during_a_reading_are_indeterminate_not_phantoms() -> None:
    lab = FakeLab()
    board = started([ATOMIC], lab)
    record(board.ledger, ATOMIC.key, [1, 2], [who("app-1", 1), who("app-1", 2)])
    board.ledger.sent(ATOMIC.key, Call("next"), 0, 100.003)  # still in flight: it lands during the read
    late = board.ledger.sent(ATOMIC.key, Call("next"), 0, 100.004)

    def a_call_lands_and_is_answered() -> None:
        lab.values[ATOMIC.key] = 4
        board.ledger.completed(ATOMIC.key, late, Op("next", {}, "ok", 4, who("app-1", 1), sent=100.004))

    lab.during_read = a_call_lands_and_is_answered
    board.take_reading(lab)
    row = board.table("counter")[0]
    # 2 answered before the read, 1 answered while it ran, 1 still in flight: 4 is within bounds
    assert (row["verdict"], row["acknowledged"], row["indeterminate"], row["excess"]) == ("holds", 2, 2, 0)


def test_a_distributed_reading_waits_for_every_worker_to_report() -> None:
    lab, board = FakeLab(), Board()
    board.begin([THREAD_LOCK], lab, Scope.REPLICAS, 20, 20)
    record(board.ledger, THREAD_LOCK.key, [1], [who("app-1", 1)])
    lab.values[THREAD_LOCK.key] = 3  # two more increments landed, from calls not yet reported
    reading = board.take_reading(lab, workers={"w1", "w2"})
    assert board.table("counter")[0]["state"] == "starting"  # held back
    worker = Ledger()
    worker.sent(THREAD_LOCK.key, Call("next"), 0, 100.01)
    worker.sent(THREAD_LOCK.key, Call("next"), 0, 100.02)
    board.ledger.merge(worker.drain(), "w1")
    board.worker_reported("w1", reading.number)
    board.worker_reported("w2", None)  # a periodic report may have left before the reading ended
    board.worker_reported("w2", reading.number - 1)  # ... and so may an answer to an earlier one
    assert board.pending is not None and board.table("counter")[0]["state"] == "starting"
    board.worker_reported("w2", reading.number)
    row = board.table("counter")[0]
    # the two reported sends are in flight: 3 is within bounds, nothing is "excess"
    assert (row["verdict"], row["indeterminate"], row["state"]) == ("holds", 2, "live")


def test_each_scenario_is_reset_once_with_what_its_workload_asks() -> None:
    lab = FakeLab()
    started([THREAD_LOCK, CHECK_THEN_ACT, ATOMIC], lab, burst=20, users=20)
    inventory = scenarios.scenario("inventory").workload.params(20)
    assert lab.resets == [("counter", {}), ("inventory", inventory)]
    lab = FakeLab()
    started([CHECK_THEN_ACT], lab, burst=20, users=10)  # bursts can only be as large as the users
    assert lab.resets == [("inventory", scenarios.scenario("inventory").workload.params(10))]
    lab = FakeLab()
    board = started([CHECK_THEN_ACT], lab, burst=0, users=10)  # no bursts: the scenario's defaults
    assert lab.resets == [("inventory", {})]
    assert board.params == {"inventory": {"echoed": True}}  # what the lab says it used


def test_without_a_token_nothing_is_reset_and_the_board_says_so() -> None:
    lab = FakeLab(token="")
    board = started([THREAD_LOCK], lab)
    assert lab.resets == []
    assert any("LAB_TOKEN is not set" in n for n in board.warnings())


def test_fewer_users_than_the_burst_size_is_a_warning_and_holds_become_unknown() -> None:
    lab = FakeLab()
    board = started([THREAD_LOCK], lab, burst=20, users=1)
    assert board.warnings()[0].startswith("this run has 1 user(s) but bursts of 20")
    for i in range(3):  # one user: one call at a time
        token = board.ledger.sent(THREAD_LOCK.key, Call("next"), i, float(i))
        board.ledger.completed(
            THREAD_LOCK.key,
            token,
            Op("next", {}, "ok", i + 1, who("app-1", 1), sent=float(i), answered=i + 0.5, burst=i),
        )
    lab.values[THREAD_LOCK.key] = 3
    j = board.finish(lab)[THREAD_LOCK.key]
    assert (j.verdict, j.expected, j.concurrency) == ("unknown", "fails", 1)
    assert "bursts of 20 need at least 20 users" in board.table("counter")[0]["reason"]
    assert started([THREAD_LOCK], FakeLab(), burst=20, users=20).warnings() == []


def test_rows_of_earlier_runs_stay_until_replaced_or_forgotten() -> None:
    lab, board = FakeLab(), Board()
    board.begin([ATOMIC], lab, Scope.REPLICAS, 20, 20)
    board.finish(lab)
    board.begin([THREAD_LOCK, CHECK_THEN_ACT], lab, Scope.REPLICAS, 20, 20)
    assert [r["name"] for r in board.table("counter")] == ["db-thread-lock", "db-atomic"]  # registry order
    assert [r["name"] for r in board.table("inventory")] == ["db-check-then-act"]  # each scenario its own
    board.forget_earlier_runs()
    assert [r["name"] for r in board.table("counter")] == ["db-thread-lock"]


def test_an_unreadable_state_is_unknown_with_a_note() -> None:
    class Broken(FakeLab):
        def state(self, strategy: Strategy, cookies: dict[str, str] | None = None) -> dict[str, Any]:
            raise OSError("connection refused")

    board = started([ATOMIC], Broken())
    record(board.ledger, ATOMIC.key, [1, 2], [who("app-1", 1), who("app-2", 2)])
    j = board.finish(Broken())[ATOMIC.key]
    assert j.verdict == "unknown"
    assert any("could not read the state of counter/db-atomic" in n for n in board.warnings())
