"""Headless cells, as ``make report`` runs them: a child process, JSON lines, files per cell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.results import RECORDS, Cell, read_records
from racelab.topology import Scope
from tests.bench.support import free_port
from tests.conftest import ROOT

KEYS = ["counter/db-thread-lock", "inventory/db-conditional", "payment/no-key"]


def headless(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "racelab.bench.headless", *args]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.stack
def test_cells_from_three_scenarios(stack: Any, tmp_path: Path) -> None:
    out = tmp_path / "cells"
    result = headless(
        "--url",
        stack.url,
        "--topology",
        "replicas",
        "--strategies",
        ",".join(KEYS),
        "--users",
        "24",
        "--seconds",
        "1",
        "--min-bursts",
        "5",
        "--race-window-ms",
        "0",
        "--out",
        str(out),
        "--locust-html",
        env={**stack.env, "LAB_TOKEN": stack.token},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["event"] for line in lines] == ["start", "cell"] * len(KEYS)
    assert [line["strategy"] for line in lines[::2]] == KEYS
    for line, key in zip(lines[1::2], KEYS, strict=True):
        raw = line["cell"]
        cell = Cell.from_json(raw)
        assert cell.to_json() == raw  # the report reads back exactly what was written
        j = cell.judgement
        assert (cell.key, cell.topology, j.strategy) == (key, "replicas", key)
        assert j.verdict == j.expected == scenarios.get(key).expected(Scope[j.scope.upper()]), j.reason
        assert cell.drained and cell.costs.requests == j.check.attempted > 0
        assert cell.spread.bursts >= 5 and cell.spread.burst_size == 24 and cell.spread.max_ms is not None
        assert cell.costs.p50_ms is not None and cell.costs.rps
        assert cell.served_by["replicas"] == 3
        folder = f"{cell.scenario}/{cell.strategy}"
        assert set(cell.files) == {"record", "locust_csv", "locust_failures_csv", "locust_history_csv", "locust_html"}
        assert cell.files["record"] == RECORDS
        locust_files = [path for name, path in cell.files.items() if name != "record"]
        assert all(path.startswith(folder + "/") and (out / path).is_file() for path in locust_files)
        states, history = read_records(out / RECORDS)[key]
        assert len(history) == j.check.attempted  # saved with the cell, to be judged again later
        assert set(states) == {"initial", "final", "params", "declared_scope", "burst_size"}
        assert (states["declared_scope"], states["burst_size"], states["params"]) == ("replicas", 24, cell.params)
        assert line["timing"]["setup_s"] < 1 and line["timing"]["teardown_s"] < 3  # cells stay short
    inventory = Cell.from_json(lines[3]["cell"])
    assert inventory.params["stock"] == scenarios.scenario("inventory").workload.params(24)["stock"]


def test_a_lab_that_does_not_answer_is_an_error_line(tmp_path: Path) -> None:
    result = headless(
        "--url", f"http://127.0.0.1:{free_port()}", "--strategies", "counter/db-atomic", "--out", str(tmp_path)
    )
    assert result.returncode == 2
    line = json.loads(result.stdout.strip())
    assert line["event"] == "error" and "does not answer" in line["message"]


def test_an_unknown_strategy_is_an_error_line(tmp_path: Path) -> None:
    result = headless("--url", "http://127.0.0.1:1", "--strategies", "counter/nope", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "unknown strategy 'counter/nope'" in json.loads(result.stdout.strip())["message"]


@pytest.mark.stack
@pytest.mark.parametrize("mode", ["last-byte", "single-packet"])
def test_locust_bursts_in_a_batch_mode_arrive_and_are_checked(stack: Any, tmp_path: Path, mode: str) -> None:
    """The gate's users hand their calls to the engine's sender; every call is in the history,
    stamped by the app, and the verdict is the registry's."""
    key = "counter/db-thread-lock"
    result = headless(
        *("--url", stack.url, "--strategies", key, "--users", "8", "--seconds", "0.5", "--min-bursts", "3"),
        *("--burst-mode", mode, "--out", str(tmp_path)),
        env={**stack.env, "LAB_TOKEN": stack.token, "RACELAB_H2_URL": f"http://127.0.0.1:{stack.env['NGINX_H2_PORT']}"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    cell = Cell.from_json(json.loads(result.stdout.splitlines()[-1])["cell"])
    j = cell.judgement
    assert j.verdict == j.expected == scenarios.get(key).expected(Scope[j.scope.upper()]), j.reason
    assert cell.spread.mode == mode and cell.spread.arrival_median_ms is not None and cell.drained
    _, history = read_records(tmp_path / RECORDS)[key]
    assert len(history) == j.check.attempted > 0 and all(op.arrived is not None for op in history)
