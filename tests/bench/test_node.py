"""What a Locust process sends: the engine's calls, drawn from each target's workload.
No Locust imported (its users are thin adapters over this)."""

from __future__ import annotations

from types import SimpleNamespace

from racelab import scenarios
from racelab.bench.node import BenchNode


def configured(strategy: str, burst_size: int = 12, race_window_ms: int | None = 0) -> BenchNode:
    node = BenchNode(SimpleNamespace(runner=None))
    node.configure(SimpleNamespace(strategy=strategy, burst_size=burst_size, race_window_ms=race_window_ms))
    return node


def test_targets_take_turns_and_each_workload_sees_its_own_bursts() -> None:
    node = configured("signup/all")
    signup = scenarios.scenario("signup")
    n = len(signup.strategies)
    assert node.targets == list(signup.strategies.values())
    planned = node.plan(burst=n + 2, position=5, seq=0)  # the 3rd target's second burst
    assert planned.strategy == node.targets[2] and planned.round == 1
    assert planned.call == signup.workload.call(1, 5, 1)  # as the thread engine asks: (round, position, round)
    assert planned.path == f"/api/signup/{node.targets[2].name}/register?race_window_ms=0"
    assert planned.name == f"/api/signup/{node.targets[2].name}/register"


def test_without_bursts_a_users_calls_count_its_steps() -> None:
    node = configured("payment/all", burst_size=0, race_window_ms=None)
    payment = scenarios.scenario("payment")
    n = len(payment.strategies)
    planned = node.plan(burst=None, position=3, seq=2 * n + 1)
    assert planned.strategy == node.targets[1] and planned.round is None
    assert planned.call == payment.workload.call(None, 3, 2)  # its third call to this target
    assert planned.call.headers  # the idempotency key travels as a header
    assert "race_window_ms" not in planned.path  # the server's own RACE_WINDOW_MS applies


def test_a_bare_counter_name_and_a_wrong_name() -> None:
    assert [s.key for s in configured("db-atomic").targets] == ["counter/db-atomic"]
    assert configured("counter/no-such-thing").targets == []  # the board reports why; users send nothing


def test_positions_without_bursts_are_handed_out_per_process() -> None:
    node = configured("counter/db-atomic", burst_size=0)
    assert [node.next_position() for _ in range(3)] == [0, 1, 2]
    node.configure(SimpleNamespace(strategy="counter/db-atomic", burst_size=0))  # a new run starts again
    assert node.next_position() == 0


def test_a_burst_is_shared_between_workers() -> None:
    node = BenchNode(SimpleNamespace(runner=SimpleNamespace(user_count=10)))
    node.configure(SimpleNamespace(strategy="all", burst_size=20), workers=3)
    assert node.node_burst == 7 and node.parties() == 7
    node.configure(SimpleNamespace(strategy="all", burst_size=20, racelab_node_burst=10))  # the master's share
    assert node.node_burst == 10 and node.parties() == 10
