"""A strategy's line on the board: columns per scenario, and what went wrong in words."""

from __future__ import annotations

from racelab import scenarios
from racelab.bench.rows import FIXED, anomaly_key, columns
from racelab.engine.evidence import describe_evidence


def served(replica: str, pid: int, thread: str, **extra: int) -> dict[str, object]:
    return {"replica": replica, "pid": pid, "thread": thread, **extra}


def test_a_counter_collision_names_replica_pid_and_thread() -> None:
    example = {
        "value": 7,
        "served_by": [served("app-1", 12, "ThreadPoolExecutor-0_1"), served("app-3", 30, "ThreadPoolExecutor-0_0")],
    }
    assert describe_evidence(example) == "value 7: app-1 pid 12 thread 0_1 & app-3 pid 30 thread 0_0"


def test_any_scenarios_example_reads_the_same_way() -> None:
    example = {
        "anomaly": "duplicate_rows",
        "username": "u0-0",
        "ids": [1, 2],
        "of": 2,
        "served_by": [served("app-2", 5, "T-2"), served("app-1", 4, "T-0", sales=2), served("app-3", 6, "T-1")],
    }
    assert describe_evidence(example) == (
        "duplicate_rows: username u0-0, ids [1,2], of 2: app-2 pid 5 T-2 & app-1 pid 4 T-0 (sales 2) (+1 more)"
    )
    long = describe_evidence({"anomaly": "mismatched", "transfers": [[i, 1, 2, 3] for i in range(20)]})
    assert long.startswith("mismatched: transfers [[0,1,2,3],") and long.endswith("...")
    assert describe_evidence({"account": 3, "balance": -5}) == "account 3, balance -5"


def test_every_scenario_has_the_common_columns_around_its_own_anomalies() -> None:
    for scenario in scenarios.scenarios().values():
        keys = [key for key, _ in columns(scenario)]
        assert keys[:7] == ["name", "verdict", "expected", "attempted", "acknowledged", "refused", "indeterminate"]
        assert keys[7 : 7 + len(scenario.anomalies)] == [anomaly_key(a) for a in scenario.anomalies]
        assert len(set(keys)) == len(keys)


def test_an_anomaly_named_like_a_common_column_gets_a_column_of_its_own() -> None:
    assert "state" in FIXED
    assert anomaly_key("state") == "anomaly_state" and anomaly_key("lost") == "lost"
