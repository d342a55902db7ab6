"""``racelab report --quick`` end to end on the test stack: every strategy, measured and written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from racelab import strategies

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.stack
def test_quick_report_writes_the_folder_and_exits_zero(stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    racelab = Path(sys.executable).parent / "racelab"
    result = subprocess.run(
        [str(racelab), "report", "--quick", "--seconds", "1", "--out", str(tmp_path)],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "13/13" in result.stdout and "all 13 cells behaved as expected" in result.stdout
    latest = tmp_path / "latest"
    results = json.loads((latest / "results.json").read_text())
    assert [c["strategy"] for c in results["cells"]] == strategies.names()
    assert {c["topology"] for c in results["cells"]} == {"replicas"}
    assert all(c["observed"] == c["expected"] for c in results["cells"])
    assert all(c["attempted"] == c["locust_requests"] for c in results["cells"])  # every call recorded
    assert results["mismatches"] == [] and results["revision"]
    cell = results["cells"][0]
    assert (latest / cell["locust"]["dir"] / cell["locust"]["html"]).stat().st_size > 10_000
    assert (latest / cell["locust"]["dir"] / cell["locust"]["csv_stats"]).read_text().startswith("Type,Name")
    assert "Verdict matrix" in (latest / "index.html").read_text()
    assert (latest / "summary.md").read_text().startswith("# racelab report")


def test_an_unknown_topology_is_refused_before_touching_the_stack(tmp_path: Path) -> None:
    racelab = Path(sys.executable).parent / "racelab"
    result = subprocess.run(
        [str(racelab), "report", "--topology", "clusters", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "unknown topology 'clusters'; choose from: single, threads, processes, replicas" in result.stderr
    assert not any(tmp_path.iterdir())
