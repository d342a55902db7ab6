"""The registry finds every scenario and strategy, and expectations follow from store and protection."""

from __future__ import annotations

import pytest

from racelab import scenarios
from racelab.core.guards import ThreadLockGuard
from racelab.core.scenario import UnknownName
from racelab.core.strategy import FILE, MEMORY, POSTGRES, Strategy
from racelab.topology import TOPOLOGIES, Scope

KEYS = [s.key for s in scenarios.all_strategies()]


def test_every_scenario_has_a_race_to_show_and_a_fix() -> None:
    for scenario in scenarios.scenarios().values():
        verdicts = {s.expected(Scope.REPLICAS) for s in scenario.strategies.values()}
        assert verdicts == {"holds", "fails"}, scenario.name
        assert scenario.schema.strip() or all(s.store.name != "postgres" for s in scenario.strategies.values())
        assert len(scenario.explanation) > 100, scenario.name
        assert scenario.anomalies and scenario.operations


def test_keys_are_unique_and_scenario_names_match_their_folders() -> None:
    assert len(KEYS) == len(set(KEYS))
    for name, scenario in scenarios.scenarios().items():
        assert scenario.name == name
        assert all(s.scenario == name for s in scenario.strategies.values())


@pytest.mark.parametrize("key", KEYS)
def test_expected_verdicts_follow_from_store_and_protection(key: str) -> None:
    strategy = scenarios.get(key)
    if strategy.unsafe_alone:  # its harm needs no race: wrong one call at a time too
        assert strategy.safe_up_to is None and strategy.protection == "none"
        assert {strategy.expected(scope) for scope in Scope} == {"fails"}
        return
    assert strategy.expected(Scope.NONE) == "holds"  # nothing races without concurrency
    if strategy.protection == "none":
        # among greenlets too, when nothing between its read and its write yields
        assert strategy.safe_up_to == (Scope.NONE if strategy.yields else Scope.GREENLETS)
    elif strategy.protection == "native":
        assert strategy.safe_up_to == strategy.store.scope
    else:
        assert strategy.guard is not None
        assert strategy.safe_up_to == min(strategy.guard.scope, strategy.store.scope)
    safe = strategy.safe_up_to
    assert safe is not None
    for scope in Scope:
        assert strategy.expected(scope) == ("holds" if scope <= safe else "fails")


@pytest.mark.parametrize("key", KEYS)
def test_every_strategy_explains_itself(key: str) -> None:
    described = scenarios.get(key).describe()
    assert len(str(described["explanation"])) > 200, key
    assert set(described["expected"]) == set(TOPOLOGIES)
    assert described["summary"]


def test_a_lock_is_only_as_shared_as_what_it_locks() -> None:
    class Probe(Strategy):
        store = POSTGRES

    assert Probe("p", "s", guard=ThreadLockGuard()).safe_up_to == Scope.THREADS  # the lock stays in one process
    Probe.store = FILE
    assert Probe("p", "s").safe_up_to == Scope.NONE
    Probe.store = MEMORY
    Probe.native = True
    assert Probe("p", "s").safe_up_to == Scope.THREADS  # one process's memory: never across processes


def test_selectors() -> None:
    counter = scenarios.scenario("counter")
    assert scenarios.resolve("counter") == list(counter.strategies.values())
    assert scenarios.resolve("counter/all") == list(counter.strategies.values())
    assert [s.key for s in scenarios.resolve("counter/db-atomic")] == ["counter/db-atomic"]
    assert [s.key for s in scenarios.resolve("db-atomic")] == ["counter/db-atomic"]  # the lab's first URLs
    assert scenarios.resolve("all") == scenarios.all_strategies()
    assert scenarios.get("db-atomic").key == "counter/db-atomic"


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(UnknownName) as info:
        scenarios.resolve("nope")
    assert "counter/db-atomic" in str(info.value) and "counter" in info.value.valid
    with pytest.raises(UnknownName, match="unknown strategy 'counter/nope'"):
        scenarios.resolve("counter/nope")
    with pytest.raises(UnknownName, match="unknown scenario 'nope'"):
        scenarios.resolve("nope/db-atomic")


def test_each_scenario_prices_safe_strategies_against_its_own_unprotected_one() -> None:
    for scenario in scenarios.scenarios().values():
        for strategy in scenario.strategies.values():
            base = scenario.baseline(strategy)
            if strategy.protection != "none":
                assert base is not None and base.protection == "none", strategy.key
                assert base.scenario == scenario.name
