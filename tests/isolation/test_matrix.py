"""The isolation matrix against the test stack's real Postgres: every cell is what PostgreSQL's
documentation says for that level (the claims are the anomaly modules', the verdicts come from
what the sessions observed), ``racelab isolation`` prints it and exits 0, and no table is left."""

from __future__ import annotations

import json

import psycopg
import pytest

from racelab.isolation.anomalies import anomaly
from racelab.isolation.model import LEVELS
from racelab.isolation.runner import database_url
from racelab.runtime import envfile
from tests.conftest import ROOT, TEST_ENV, Stack, racelab

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def matrix(stack: Stack) -> dict[str, dict[str, dict[str, str]]]:
    """``racelab isolation --json`` as a user runs it: anomaly -> level -> cell."""
    result = racelab(["isolation", "--json"], stack.env)
    raw = json.loads(result.stdout)
    return {a["name"]: {c["level"]: c for c in a["cells"]} for a in raw["anomalies"]}


def test_every_cell_is_as_postgresql_documents(matrix: dict[str, dict[str, dict[str, str]]]) -> None:
    assert len(matrix) == 10 and all(len(levels) == 3 for levels in matrix.values())
    for name, levels in matrix.items():
        for level in LEVELS:
            cell = levels[level]
            documented = anomaly(name).documented(level)
            expected = "anomaly" if documented == "possible" else "prevented"
            assert cell["outcome"] == expected, f"{name} at {level}: {cell['detail']}\n" + "\n".join(cell["trace"])


def test_the_cells_the_lab_is_about(matrix: dict[str, dict[str, dict[str, str]]]) -> None:
    """Read Committed loses updates and reads skewed; snapshot isolation lets write skew through;
    Serializable stops it by aborting; and a dirty write is always made to wait."""
    assert matrix["P4"]["read committed"]["outcome"] == "anomaly"
    assert matrix["G-single"]["read committed"]["outcome"] == "anomaly"
    assert matrix["G2-item"]["repeatable read"]["outcome"] == "anomaly"
    assert matrix["P4"]["repeatable read"]["how"] == "blocked, aborted"
    assert matrix["G2-item"]["serializable"]["how"] == "aborted"
    assert {cell["how"].split(",")[0] for cell in matrix["G0"].values()} == {"blocked"}
    assert all(cell["outcome"] == "prevented" for cells in matrix.values() for cell in [cells["serializable"]])


def test_the_text_matrix_exits_zero_and_leaves_no_table_behind(stack: Stack) -> None:
    result = racelab(["isolation", "--anomaly", "P4,G2-item"], stack.env)
    assert "P4 lost update" in result.stdout and "6/6 cells as PostgreSQL documents" in result.stdout
    url = database_url({**envfile.load(ROOT), **TEST_ENV})
    with psycopg.connect(url) as conn:
        left = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'racelab_isolation_%'").fetchall()
    assert left == []
