"""A scenario whose calls share one session, on the bench: the board starts the session and reads
the states with the cookies the client holds; the node sends them and keeps what answers set.
A fake lab, hand-made answers; no Locust, no stack."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from racelab import scenarios
from racelab.bench.board import Board
from racelab.bench.node import BenchNode
from racelab.core.history import Call, Op
from racelab.core.strategy import Strategy
from racelab.topology import Scope
from tests.bench.support import FakeLab

CART = scenarios.get("cart/cookie-session")
ATOMIC = scenarios.get("counter/db-atomic")


class CartLab(FakeLab):
    """Records the cookies each read was sent with; the cart is whatever the cookie names."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[str, dict[str, str] | None]] = []

    def state(self, strategy: Strategy, cookies: dict[str, str] | None = None) -> dict[str, Any]:
        self.reads.append((strategy.key, cookies))
        if strategy.scenario != "cart":
            return super().state(strategy, cookies)
        session = (cookies or {}).get("session", "")
        return {"items": [] if session.startswith("started") else session.split(",")}


def answer(item: str, at: float, cookie: str) -> Op:
    served = {"replica": "app-1", "pid": 1, "thread": "t"}
    return Op("add", {"item": item}, "ok", 1, served, sent=100.0, answered=at, burst=0, cookies={"session": cookie})


def test_the_board_starts_a_session_and_reads_with_the_cookie_of_the_last_answer() -> None:
    lab, board = CartLab(), Board()
    board.begin([CART, ATOMIC], lab, Scope.REPLICAS, 3, 3)
    assert board.sessions == {CART.key: {"session": "started-cookie-session"}}  # none for the counter
    assert lab.reads == [(CART.key, {"session": "started-cookie-session"}), (ATOMIC.key, None)]
    for item, at, cookie in (("a", 100.2, "a"), ("b", 100.3, "b"), ("c", 100.1, "c")):
        token = board.ledger.sent(CART.key, Call("add", {"item": item}), 0, 100.0)
        board.ledger.completed(CART.key, token, answer(item, at, cookie))
    judgement = board.finish(lab)[CART.key]
    assert lab.reads[-2] == (CART.key, {"session": "b"})  # answered last, though recorded second
    assert judgement.verdict == "fails" and judgement.check.anomalies["lost"] == 2


def test_the_node_sends_the_session_and_keeps_what_each_answer_sets() -> None:
    node = BenchNode(SimpleNamespace(runner=None))
    node.join_sessions({CART.key: {"session": "started"}})
    assert node.session_headers(CART.key) == {"Cookie": "session=started"}
    assert node.session_headers(ATOMIC.key) == {}
    node.keep_cookies(CART.key, answer("a", 1.0, "a"))
    node.keep_cookies(ATOMIC.key, answer("x", 1.0, "x"))  # a scenario without a session keeps nothing
    assert node.session_headers(CART.key) == {"Cookie": "session=a"} and ATOMIC.key not in node.sessions
    node.keep_cookies(CART.key, answer("b", 2.0, ""))  # deleted
    assert node.session_headers(CART.key) == {}


def test_a_worker_takes_the_sessions_the_master_started_from_its_options() -> None:
    node = BenchNode(SimpleNamespace(runner=None))
    opts = SimpleNamespace(strategy="cart/all", burst_size=4, racelab_sessions={CART.key: {"session": "m"}})
    node.configure(opts)
    assert node.session_headers(CART.key) == {"Cookie": "session=m"}
