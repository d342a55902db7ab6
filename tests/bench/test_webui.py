"""The Race verdicts tabs: one per scenario of the registry, each with its anomaly names as
columns, rows only of its own strategies, the run's warnings on top, and a CSV each."""

from __future__ import annotations

import csv
import io

from racelab import scenarios
from racelab.bench.board import Board
from racelab.bench.webui import csv_files, extended_stats, table_rows, tables, tabs, to_csv, to_json
from racelab.core.history import Call, Op
from racelab.topology import Scope
from tests.bench.support import FakeLab

# The documented columns (bench/rows.py, README): these around each scenario's own anomalies.
BEFORE = ["name", "verdict", "expected", "attempted", "acknowledged", "refused", "indeterminate"]
AFTER = [
    "example",
    "served_by",
    "concurrency",
    "bursts",
    "spread_median_ms",
    "spread_max_ms",
    "arrival_median_ms",
    "arrival_max_ms",
    "start_median_ms",
    "start_max_ms",
    "state",
    "reason",
]


def documented(scenario: str) -> list[str]:
    return [*BEFORE, *scenarios.scenario(scenario).anomalies, *AFTER]


def run_of(*keys: str, users: int = 20) -> Board:
    board = Board()
    board.begin([scenarios.get(k) for k in keys], FakeLab(), Scope.REPLICAS, 20, users)
    for key in keys:
        token = board.ledger.sent(key, Call("x"), 0, 1.0)
        board.ledger.completed(key, token, Op("x", {}, "fail", error="409 sold_out", sent=1.0, answered=1.1))
    return board


def test_one_tab_per_scenario_with_its_anomalies_as_columns() -> None:
    names = list(scenarios.scenarios())
    assert [t["key"] for t in tabs()] == [f"race-{n}" for n in names]
    assert [t["title"] for t in tabs()] == [f"Race verdicts: {n}" for n in names]
    for table, name in zip(tables(), names, strict=True):
        assert table["key"] == f"race-{name}"
        assert [c["key"] for c in table["structure"]] == documented(name)
    assert [f["href"] for f in csv_files()] == [f"./race/{n}.csv" for n in names]


def test_rows_carry_every_documented_column_and_nothing_blank_by_accident() -> None:
    board = run_of("counter/db-thread-lock", "transfer/db-unsafe")
    board.finish(FakeLab())
    for name in ("counter", "transfer"):
        rows = table_rows(board, name)
        assert len(rows) == 1
        assert list(rows[0]) == documented(name)
        assert all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in rows[0].values())
    assert table_rows(board, "counter")[0]["name"] == "db-thread-lock"
    assert table_rows(board, "inventory") == []  # rows only for a scenario's own strategies
    assert [s["key"] for s in extended_stats(board)] == [t["key"] for t in tabs()]


def test_a_run_with_fewer_users_than_the_burst_size_says_so_at_the_top() -> None:
    board = run_of("counter/db-thread-lock", users=1)
    rows = table_rows(board, "counter")
    note = rows[0]
    assert note["name"].strip() == "⚠ note" and list(note) == documented("counter")
    # Locust's table sorts rows by name: the note's sorts before any strategy's
    assert note["name"] < min(scenarios.scenario("counter").strategies)
    message = " ".join(str(note[key]) for key in documented("counter")[1:] if note[key])
    assert message.startswith("this run has 1 user(s) but bursts of 20")  # read left to right
    # spread over the columns, not one tall cell
    assert note["verdict"] and sum(bool(note[key]) for key in documented("counter")[1:]) > 2
    assert rows[1]["name"] == "db-thread-lock"
    assert table_rows(board, "signup") == []  # the note is about this run: only where it runs
    assert to_json(board)["notes"] == [message]


def test_each_scenario_has_a_csv_with_the_documented_columns_and_more() -> None:
    board = run_of("inventory/db-check-then-act", users=5)  # the note is not a CSV row
    board.finish(FakeLab())
    parsed = list(csv.DictReader(io.StringIO(to_csv(board, "inventory"))))
    assert len(parsed) == 1 and parsed[0]["name"] == "db-check-then-act"
    header = to_csv(board, "inventory").splitlines()[0].split(",")
    assert header[: len(documented("inventory"))] == documented("inventory")
    assert {"key", "retries_per_call", "wait_ms_per_call", "deadlocks_per_call"} <= set(header)
    assert parsed[0]["key"] == "inventory/db-check-then-act" and parsed[0]["refused"] == "1"
