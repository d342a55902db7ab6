"""The registry finds every strategy module, and expectations follow from scopes."""

import pytest

from racelab import strategies
from racelab.topology import TOPOLOGIES, Scope, custom_topology

TABLE = {  # the table: strategy -> expected with several processes
    "global-unsafe": "fails", "global-thread-lock": "fails", "db-unsafe": "fails", "db-thread-lock": "fails",
    "db-atomic": "holds", "db-for-update": "holds", "db-serializable": "holds", "db-optimistic": "holds",
    "db-advisory": "holds", "redis-unsafe": "fails", "redis-incr": "holds", "redis-lock": "holds",
    "file-lock": "holds",  # across processes of one replica; fails across replicas
}


def test_registry_has_exactly_the_thirteen_strategies() -> None:
    assert sorted(strategies.names()) == sorted(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_expected_verdicts_per_topology(name: str) -> None:
    strategy = strategies.get(name)
    assert strategy.expected(Scope.PROCESSES) == TABLE[name]
    assert strategy.expected(Scope.NONE) == "holds"  # nothing races without concurrency
    replicas = "fails" if name == "file-lock" else TABLE[name]
    assert strategy.expected(Scope.REPLICAS) == replicas


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_strategy_explains_itself(name: str) -> None:
    described = strategies.describe(name)
    assert len(str(described["explanation"])) > 200
    assert set(described["expected"]) == set(TOPOLOGIES)  # type: ignore[arg-type]
    assert described["store"] in {"memory", "postgres", "redis", "file"}


def test_thread_locks_hold_only_within_one_process() -> None:
    for name in ("global-thread-lock", "db-thread-lock"):
        expected = strategies.describe(name)["expected"]
        assert expected == {"single": "holds", "threads": "holds", "processes": "fails", "replicas": "fails"}


def test_unknown_strategy_names_the_valid_ones() -> None:
    with pytest.raises(strategies.UnknownStrategy) as info:
        strategies.get("nope")
    assert "db-atomic" in str(info.value)


def test_topology_scopes() -> None:
    assert [t.scope for t in TOPOLOGIES.values()] == [Scope.NONE, Scope.THREADS, Scope.PROCESSES, Scope.REPLICAS]
    assert custom_topology(3, 2, 4).name == "replicas"
    assert custom_topology(2, 1, 1).scope == Scope.REPLICAS
