"""The anomaly registry, the documented claims, the results' JSON and exit status, and the text
matrix, on hand-made results. No database."""

from __future__ import annotations

import pytest

from racelab.isolation.anomalies import anomalies, anomaly
from racelab.isolation.model import LEVELS
from racelab.isolation.render import lines
from racelab.isolation.results import AnomalyResult, CellResult, IsolationResults
from racelab.isolation.runner import Unreachable, run_matrix


def test_the_ten_classic_anomalies_each_explain_themselves() -> None:
    assert [a.name for a in anomalies()] == [
        "G0",
        "G1a",
        "G1b",
        "G1c",
        "OTV",
        "PMP",
        "P4",
        "G-single",
        "G2-item",
        "G2",
    ]
    for found in anomalies():
        assert found.explanation.startswith(f"**{found.name}, ") and len(found.explanation) > 300, found.name
        assert {s.session for s in found.steps} <= {"T1", "T2", "T3"}
        assert all(s.where is not None for s in found.steps if s.kind == "read"), found.name


def test_documented_claims_follow_postgresql_s_table() -> None:
    """What PostgreSQL's documentation says (the claims the live matrix is compared with)."""
    assert all(a.documented("serializable") == "prevented" for a in anomalies())
    possible = {level: {a.name for a in anomalies() if a.documented(level) == "possible"} for level in LEVELS}
    assert {"P4", "G-single", "G2-item"} <= possible["read committed"]
    assert possible["repeatable read"] == {"G2-item", "G2"}
    assert not possible["read committed"] & {"G0", "G1a", "G1b", "G1c"}
    with pytest.raises(KeyError, match="valid: G0"):
        anomaly("G7")


def results(outcome: str = "anomaly") -> IsolationResults:
    cells = [
        CellResult(
            "read committed",
            outcome,
            "consistent read" if outcome == "prevented" else "",
            "T1 and T2 both read 1 => 10",
            "possible",
            ["T1 read id 1: 1 => 10"],
        ),
        CellResult("repeatable read", "prevented", "blocked, aborted", "T2 failed: 40001", "prevented", []),
    ]
    return IsolationResults(
        ["read committed", "repeatable read"],
        [AnomalyResult("P4", "lost update", "**P4, lost update**: one is gone.\n\nMore.", "repeatable read", cells)],
        "PostgreSQL 16.4",
        "127.0.0.1:15433/racelab",
        0.2,
    )


def test_results_survive_json_and_give_an_exit_status() -> None:
    shown = results()
    assert IsolationResults.from_json(shown.to_json()) == shown
    assert shown.status == 0 and shown.as_documented == 2
    assert results("prevented").status == 1  # a documented-possible anomaly that did not show
    assert results("unknown").status == 2
    assert IsolationResults(list(LEVELS), error="not run").status == 2


def test_the_text_matrix_marks_what_differs_from_the_documentation() -> None:
    text = "\n".join(lines(results()))
    assert "P4 lost update" in text and "ANOMALY ✓" in text and "prevented: blocked, aborted ✓" in text
    assert "P4, lost update: one is gone." in text  # the explanation's first paragraph, without markup
    assert "2/2 cells as PostgreSQL documents (PostgreSQL 16.4 at 127.0.0.1:15433/racelab, 0.2s)" in text
    assert "prevented: consistent read ✗" in "\n".join(lines(results("prevented")))
    verbose = "\n".join(lines(results(), verbose=True))
    assert "T1 read id 1: 1 => 10" in verbose


def test_a_postgres_that_does_not_answer_says_what_to_do() -> None:
    with pytest.raises(Unreachable) as info:
        run_matrix("host=127.0.0.1 port=1 dbname=racelab user=racelab connect_timeout=2")
    assert "127.0.0.1:1/racelab" in str(info.value)
    assert "make up" in str(info.value) and "docker compose exec app racelab isolation" in str(info.value)
