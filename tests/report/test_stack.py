"""``racelab report`` end to end on the test stack: every scenario's strategies measured, written,
re-checked from the saved histories, and the stack left as it was found.

These need the real bench (``racelab.bench.headless``) as well as the stack."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from racelab import scenarios
from racelab.report import folders
from racelab.report.results import Results
from tests.conftest import ROOT, Stack, racelab

pytestmark = pytest.mark.stack

RACELAB = str(Path(sys.executable).parent / "racelab")
MAX_FOLDER_BYTES = 3 * 1024 * 1024  # du -sh, disk blocks included


def report(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RACELAB, "report", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def lab_shape(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/api/lab", timeout=10) as response:
        return dict(json.loads(response.read())["topology"])


def test_a_quick_report_measures_every_strategy_and_its_histories_check_again(stack: Stack, tmp_path: Path) -> None:
    keys = [s.key for s in scenarios.all_strategies()]
    result = report(["--quick", "--seconds", "1", "--out", str(tmp_path)], stack.env)
    output = result.stdout[-6000:] + result.stderr[-4000:]
    assert result.returncode == 0, output
    assert f"all {len(keys)} cells behaved as expected" in result.stdout, output
    assert "the stack is as the report found it: replicas (3x2x4)" in result.stdout

    latest = tmp_path / "latest"
    results = Results.load(latest / "results.json")
    assert Results.from_json(json.loads(json.dumps(results.to_json()))) == results
    assert [c.key for c in results.cells] == keys
    assert {c.topology for c in results.cells} == {"replicas"}
    assert [c.key for c in results.cells if not c.matches] == []
    assert [s.name for s in results.scenarios] == list(scenarios.scenarios())
    for cell in results.cells:
        assert (latest / cell.files["record"]).is_file(), cell.key
        assert cell.judgement.check.attempted > 0 and cell.costs.rps, cell.key

    page = (latest / "index.html").read_text()
    assert page.count('<table class="matrix"') == len(scenarios.scenarios())
    assert not [p for p in latest.rglob("*.html") if p.name != "index.html"]  # Locust's HTML only when asked
    size = folders.size(latest.resolve())
    assert size < MAX_FOLDER_BYTES, f"report folder is {size:,} bytes"

    check = subprocess.run(
        [RACELAB, "check", str(latest)], cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-2000:]
    assert f"all {len(keys)} verdicts reproduce from the saved histories" in check.stdout


def test_the_report_puts_back_the_topology_it_found(stack: Stack, tmp_path: Path) -> None:
    try:
        racelab(["up", "--topology", "threads"], stack.env)
        # A plain `make report`: TOPOLOGY is not set in its environment, and threads is not in its plan.
        result = report(
            ["--topology", "single", "--strategy", "counter/db-atomic", "--seconds", "0.5", "--out", str(tmp_path)],
            stack.env,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        assert "the stack is as the report found it: threads (1x1x8)" in result.stdout
        assert lab_shape(stack.url)["name"] == "threads"
        assert "threads topology" in racelab(["status"], stack.env).stdout
    finally:
        racelab(["up"], stack.env)  # the session's own shape (REPLICAS/WORKERS/THREADS)
    assert lab_shape(stack.url)["name"] == "replicas"
