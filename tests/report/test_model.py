"""What the report says, derived from typed results: the tally, the matrices, the costs, the evidence."""

from __future__ import annotations

from pathlib import Path

from racelab.report import model
from tests.report.factory import cell, results

KEYS = [
    "counter/db-unsafe",
    "counter/db-thread-lock",
    "counter/db-atomic",
    "inventory/db-check-then-act",
    "inventory/db-conditional",
]


def test_every_cell_as_expected_exits_zero(tmp_path: Path) -> None:
    t = model.tally(results(KEYS, ["threads", "replicas"], tmp_path))
    assert (len(t.cells), t.as_expected, t.ok, t.status) == (10, 10, True, 0)


def test_a_mismatch_exits_one_and_is_named(tmp_path: Path) -> None:
    cells = [cell(k, "replicas") for k in KEYS if k != "counter/db-atomic"]
    cells.append(cell("counter/db-atomic", "replicas", "fails", anomalies={"duplicates": 2, "lost": 1}))
    cells.append(cell("inventory/db-conditional", "threads", "unknown"))
    t = model.tally(results(KEYS, ["threads", "replicas"], tmp_path, cells))
    assert t.status == 1 and not t.ok
    assert [model.problem(c) for c in t.mismatches] == [
        "counter/db-atomic x replicas: expected holds, observed fails (a safe strategy leaked; 2 duplicates, 1 lost)"
    ]


def test_an_unknown_verdict_without_a_mismatch_exits_two(tmp_path: Path) -> None:
    cells = [cell(k, "replicas") for k in KEYS] + [cell("counter/db-unsafe", "threads", "unknown")]
    t = model.tally(results(KEYS, ["threads", "replicas"], tmp_path, cells))
    assert (t.status, len(t.unknown), t.mismatches) == (2, 1, [])
    assert model.problem(t.unknown[0]) == (
        "counter/db-unsafe x threads: no verdict (expected fails): no call was acknowledged"
    )
    assert model.tally(results([], [], tmp_path, [])).status == 2  # nothing run: nothing proven


def test_an_unsafe_strategy_that_hid_its_race_is_a_mismatch(tmp_path: Path) -> None:
    cells = [cell("counter/db-unsafe", "replicas", "holds")]
    t = model.tally(results(["counter/db-unsafe"], ["replicas"], tmp_path, cells))
    assert t.status == 1
    assert "an unsafe strategy did not show its race; no anomaly in 240 acknowledged calls" in model.problem(t.cells[0])


def test_one_matrix_per_scenario_with_its_own_anomalies(tmp_path: Path) -> None:
    made = results(KEYS, ["threads", "replicas"], tmp_path)
    counter, inventory = made.scenarios
    m = model.matrix(made, counter)
    assert m.topologies == ["threads", "replicas"]
    assert [r.strategy.name for r in m.rows] == ["db-unsafe", "db-thread-lock", "db-atomic"]
    lock = m.rows[1]
    assert [(c.css, c.mark) for c in lock.cells] == [("holds", "✓"), ("fails", "✓")]
    assert lock.cells[1].counts == "3 duplicates" and lock.cells[0].counts == "0 anomalies in 240"
    assert model.matrix(made, inventory).rows[0].cells[1].counts == "3 oversold"


def test_costs_are_priced_against_the_scenarios_own_baseline(tmp_path: Path) -> None:
    cells = [cell(k, "replicas", rps=400.0, p50_ms=20.0) for k in KEYS if k != "counter/db-atomic"]
    cells.append(cell("counter/db-atomic", "replicas", rps=300.0, p50_ms=30.0))
    made = results(KEYS, ["replicas"], tmp_path, cells)
    counter, inventory = made.scenarios
    rows = model.cost_rows(made, counter, "replicas")
    assert [(r.strategy.name, r.baseline) for r in rows] == [
        ("db-thread-lock", "db-unsafe"),
        ("db-atomic", "db-unsafe"),
    ]
    assert rows[1].rps_ratio == 0.75 and rows[1].p50_ratio == 1.5
    assert [(r.strategy.name, r.baseline) for r in model.cost_rows(made, inventory, "replicas")] == [
        ("db-conditional", "db-check-then-act")
    ]
    assert model.cost_rows(made, counter, "threads") == []  # not run there


def test_a_baseline_that_was_not_run_gives_no_ratio(tmp_path: Path) -> None:
    made = results(["counter/db-atomic"], ["replicas"], tmp_path)
    (row,) = model.cost_rows(made, made.scenarios[0], "replicas")
    assert (row.baseline, row.baseline_cell, row.rps_ratio) == ("db-unsafe", None, None)


def test_evidence_is_shown_generically_from_the_widest_failing_topology(tmp_path: Path) -> None:
    nested = {
        "anomaly": "lost",
        "payment": 12,
        "asked": {"amount": 5},
        "recorded": None,
        "ids": [1, 2, 3],
        "served_by": [{"replica": "app-2", "pid": 5, "thread": "t1", "attempt": 2}] * 8,
    }
    cells = [cell("counter/db-thread-lock", "threads"), cell("counter/db-thread-lock", "replicas", evidence=[nested])]
    made = results(["counter/db-thread-lock"], ["threads", "replicas"], tmp_path, cells)
    found = model.evidence(made, "counter", "db-thread-lock")
    assert found.topology == "replicas"
    (example,) = found.examples
    assert example.items == [
        ("anomaly", "lost"),
        ("payment", "12"),
        ("asked", '{"amount": 5}'),
        ("recorded", "none"),
        ("ids", "1, 2, 3"),
    ]
    assert example.served == ["app-2 / pid 5 / t1 attempt=2"] * 6 and example.more_served == 2


def test_a_strategy_that_never_failed_has_no_examples(tmp_path: Path) -> None:
    made = results(["counter/db-atomic"], ["threads", "replicas"], tmp_path)
    found = model.evidence(made, "counter", "db-atomic")
    assert (found.topology, found.examples, found.acknowledged, found.cells) == (None, [], 480, 2)
