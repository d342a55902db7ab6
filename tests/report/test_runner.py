"""The runner: the child bench's lines, putting the stack back, the exit status, pruning, a closed
pipe. A stand-in bench (fake_bench.py, the real one's interface) and a stand-in stack."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from racelab.isolation.model import LEVELS
from racelab.isolation.results import IsolationResults
from racelab.report import folders
from racelab.report.lab import Lab, ReportError, Shape
from racelab.report.plan import Plan
from racelab.report.progress import Console
from racelab.report.results import Results
from racelab.report.runner import run
from racelab.topology import TOPOLOGIES

BENCH = [sys.executable, str(Path(__file__).with_name("fake_bench.py"))]
COUNTER = [s.key for s in scenarios.scenario("counter").strategies.values()]
THREADS = Shape(1, 1, 8, 0)
REPLICAS = Shape(3, 2, 4, 0)


class FakeRuntime:
    name = "fake"

    def up(self) -> None: ...

    def down(self) -> None: ...

    def status(self) -> int:
        return 0

    def logs_cmd(self, service: str | None, follow: bool, lines: int) -> None: ...


class FakeLab(Lab):
    """A stack that runs whatever it was last switched to."""

    def __init__(self, running: Shape | None, configured: Shape = REPLICAS) -> None:
        self.lines = []
        self.runtime = FakeRuntime()
        self.now = running
        self.configured_shape = configured
        self.switched: list[Shape] = []

    def running(self) -> Shape | None:
        return self.now

    def configured(self) -> Shape:
        return self.configured_shape

    def url_and_token(self) -> tuple[str, str]:
        return "http://127.0.0.1:9", "token"

    def switch(self, shape: Shape) -> None:
        self.switched.append(shape)
        self.now = shape

    def isolation(self) -> IsolationResults:
        """No database here: the section says so (tests/isolation runs the real matrix)."""
        return IsolationResults(list(LEVELS), error="not run: a stand-in stack has no Postgres")


def plan(tmp_path: Path, topologies: list[str], keys: list[str] = COUNTER, **overrides: Any) -> Plan:
    return Plan(topologies=topologies, strategies=keys, out_root=tmp_path / "report", **overrides)


def report(tmp_path: Path, p: Plan, lab: FakeLab) -> tuple[int, str]:
    out = io.StringIO()
    status = run(p, Console(out), lab, BENCH)
    return status, out.getvalue()


# --- a run ------------------------------------------------------------------------------------


def test_a_run_writes_typed_results_and_puts_back_the_topology_it_found(tmp_path: Path) -> None:
    lab = FakeLab(running=THREADS)
    status, out = report(tmp_path, plan(tmp_path, ["replicas"], default_topology="replicas"), lab)
    assert status == 0, out
    assert lab.switched == [Shape.of(TOPOLOGIES["replicas"], 0), THREADS]  # found threads: back to threads
    assert "found the stack running threads (1x1x8); the report puts it back that way" in out
    assert out.rstrip().endswith("the stack is as the report found it: threads (1x1x8)")
    assert f"all {len(COUNTER)} cells behaved as expected" in out
    assert f"{len(COUNTER)}/{len(COUNTER)}" in out  # the progress line of the last cell
    assert "| counter | replicas |" in out  # the matrix, in the terminal
    latest = tmp_path / "report" / "latest"
    results = Results.load(latest / "results.json")
    assert [c.key for c in results.cells] == COUNTER
    first = results.cells[0]
    assert first.files == {"record": "cells/replicas/cells.jsonl.gz"}
    assert all((latest / path).is_file() for c in results.cells for path in c.files.values())
    assert (latest / "index.html").is_file() and (latest / "summary.md").is_file()
    assert not list(latest.glob("bench-*.log"))  # empty logs are not kept


def test_the_found_topology_runs_last_instead_of_an_extra_switch(tmp_path: Path) -> None:
    lab = FakeLab(running=Shape(1, 1, 8, 20))
    status, _ = report(tmp_path, plan(tmp_path, ["single", "threads"], keys=["counter/db-atomic"]), lab)
    assert status == 0
    # The race window the stack had is kept through every switch, and measured with when none is set.
    assert lab.switched == [Shape(1, 1, 1, 20), Shape(1, 1, 8, 20)]
    assert Results.load(tmp_path / "report" / "latest" / "results.json").config.race_window_ms == 20


def test_a_custom_shape_is_put_back(tmp_path: Path) -> None:
    custom = Shape(5, 2, 3, 0)
    lab = FakeLab(running=custom)
    status, out = report(tmp_path, plan(tmp_path, ["single", "replicas"], keys=["counter/db-atomic"]), lab)
    assert status == 0
    assert lab.switched[-1] == custom and len(lab.switched) == 3
    assert "the stack is as the report found it: custom (5x2x3)" in out


def test_a_stack_that_was_not_running_is_left_up_as_configured(tmp_path: Path) -> None:
    lab = FakeLab(running=None)
    status, out = report(tmp_path, plan(tmp_path, ["threads", "replicas"], keys=["counter/db-atomic"]), lab)
    assert status == 0
    assert lab.switched == [THREADS, Shape(3, 2, 4, 0)]
    assert "the stack is not running: it starts, and is left up as configured, replicas (3x2x4)" in out


def test_a_stack_that_cannot_be_put_back_is_refused_before_anything_changes(tmp_path: Path) -> None:
    class Mute(FakeLab):
        def running(self) -> Shape | None:
            raise ReportError("the lab at http://x does not say how it runs")

    lab = Mute(running=None)
    with pytest.raises(ReportError, match="does not say how it runs"):
        report(tmp_path, plan(tmp_path, ["replicas"]), lab)
    assert lab.switched == [] and not (tmp_path / "report").exists()


def test_a_mismatch_exits_one_and_an_unknown_verdict_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = ["counter/db-unsafe", "counter/db-atomic"]
    monkeypatch.setenv("FAKE_BENCH", json.dumps({"verdicts": {"counter/db-atomic@replicas": "fails"}}))
    status, out = report(tmp_path, plan(tmp_path, ["replicas"], keys=keys), FakeLab(running=Shape(3, 2, 4, 0)))
    assert status == 1
    assert "1 of 2 cells differ from what was expected:" in out
    assert "counter/db-atomic x replicas: expected holds, observed fails (a safe strategy leaked; 3 duplicates)" in out
    monkeypatch.setenv("FAKE_BENCH", json.dumps({"verdicts": {"counter/db-unsafe@replicas": "unknown"}}))
    status, out = report(tmp_path, plan(tmp_path, ["replicas"], keys=keys), FakeLab(running=Shape(3, 2, 4, 0)))
    assert status == 2
    assert "1 of 2 cells reached no verdict (unknown means that the run could not support a verdict" in out


def test_a_bench_that_stops_early_is_reported_with_its_log_and_the_stack_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BENCH", json.dumps({"crash_after": 1}))
    lab = FakeLab(running=THREADS)
    stopped = rf"(?s)stopped early after 1 of {len(COUNTER)} cells \(exit 1\).*the fake bench fell over"
    with pytest.raises(ReportError, match=stopped):
        report(tmp_path, plan(tmp_path, ["replicas"]), lab)
    assert lab.switched[-1] == THREADS
    monkeypatch.setenv("FAKE_BENCH", json.dumps({"error": "the lab does not answer at http://127.0.0.1:9"}))
    with pytest.raises(ReportError, match="the bench under replicas says: the lab does not answer"):
        report(tmp_path, plan(tmp_path, ["replicas"]), FakeLab(running=THREADS))


def test_locust_html_only_when_asked(tmp_path: Path) -> None:
    status, _ = report(
        tmp_path, plan(tmp_path, ["replicas"], keys=["counter/db-atomic"], locust_html=True), FakeLab(running=None)
    )
    assert status == 0
    (only,) = Results.load(tmp_path / "report" / "latest" / "results.json").cells
    assert only.files["locust_html"] == "cells/replicas/counter/db-atomic/locust.html"


def test_old_reports_are_pruned_to_keep(tmp_path: Path) -> None:
    root = tmp_path / "report"
    old = [root / f"2020010{i}-000000" for i in range(1, 5)]
    for folder in old:
        folder.mkdir(parents=True)
        (folder / "results.json").write_text("{}")
    status, out = report(tmp_path, plan(tmp_path, ["replicas"], keys=["counter/db-atomic"], keep=3), FakeLab(None))
    assert status == 0
    assert [p.name for p in folders.report_folders(root)][:2] == [old[2].name, old[3].name]
    assert len(folders.report_folders(root)) == 3
    assert "removed 2 older report folder(s), keeping the last 3" in out


def test_a_closed_pipe_does_not_stop_the_report(tmp_path: Path) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    lab = FakeLab(running=THREADS)
    status = run(plan(tmp_path, ["replicas"], keys=["counter/db-atomic"]), Console(Closed()), lab, BENCH)
    assert status == 0 and lab.switched[-1] == THREADS
    assert (tmp_path / "report" / "latest" / "results.json").is_file()
